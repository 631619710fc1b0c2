/* ynode_emit.c — a YNode tree back to YAML text (`mc presets NAME` prints an
 * expanded preset this way, for copying into mc.yaml). Block style for maps
 * and lists, a flow list [a, b] for short lists of single values; a scalar is
 * double-quoted when it was quoted or would not read back as the same plain
 * text. */
#include <stddef.h>   /* before the headers: they use size_t */
#include "ynode.h"

#include <string.h>

#include "util.h"

/* Whether s must be quoted to read back as the same string. */
static int needs_quotes(const YNode *n, int in_flow)
{
    const char *s = n->scalar;
    size_t len = strlen(s);
    if (n->quoted || !len || strchr("?:,[]{}#&*!|>'\"%@` \t", s[0]) || s[len - 1] == ' ' || s[len - 1] == ':')
        return 1;
    if (s[0] == '-' && (len == 1 || s[1] == ' '))
        return 1;
    if (strstr(s, ": ") || strstr(s, " #") || strpbrk(s, "\n\t\r"))
        return 1;
    return in_flow && strpbrk(s, ",[]{}") != NULL;
}

static void emit_scalar(Buf *b, const YNode *n, int in_flow)
{
    if (!needs_quotes(n, in_flow)) {
        buf_puts(b, n->scalar);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = n->scalar; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(b, '\\'), buf_putc(b, *p);
        else if (*p == '\n')
            buf_puts(b, "\\n");
        else if (*p == '\t')
            buf_puts(b, "\\t");
        else if (*p == '\r')
            buf_puts(b, "\\r");
        else
            buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

/* A short list of single values, written [a, b] on one line. */
static int flow_list(const YNode *n)
{
    size_t len = 0;
    if (n->type != YN_SEQ)
        return 0;
    for (int i = 0; i < n->n; i++) {
        if (n->items[i]->type != YN_SCALAR)
            return 0;
        len += strlen(n->items[i]->scalar) + 2;
    }
    return len < 60;
}

static void indent(Buf *b, int k)
{
    for (int i = 0; i < k; i++)
        buf_putc(b, ' ');
}

static void emit_block(Buf *b, const YNode *n, int ind, int first_inline);

/* The value after "key:" or "- ": on the same line when it is a single value,
 * empty or a short list, else on the next lines. */
static void emit_value(Buf *b, const YNode *v, int ind)
{
    if (v->type == YN_SCALAR) {
        buf_putc(b, ' ');
        emit_scalar(b, v, 0);
        buf_putc(b, '\n');
    } else if (v->n == 0) {
        buf_puts(b, v->type == YN_MAP ? " {}\n" : " []\n");
    } else if (flow_list(v)) {
        buf_puts(b, " [");
        for (int i = 0; i < v->n; i++) {
            if (i)
                buf_puts(b, ", ");
            emit_scalar(b, v->items[i], 1);
        }
        buf_puts(b, "]\n");
    } else {
        buf_putc(b, '\n');
        emit_block(b, v, ind, 0);
    }
}

/* A map or list at indentation ind; with first_inline the first line's
 * indentation was already written (after "- "). */
static void emit_block(Buf *b, const YNode *n, int ind, int first_inline)
{
    for (int i = 0; i < n->n; i++) {
        if (!(first_inline && i == 0))
            indent(b, ind);
        if (n->type == YN_MAP) {
            emit_scalar(b, n->keys[i], 0);
            buf_putc(b, ':');
            emit_value(b, n->items[i], ind + 2);
        } else if (n->items[i]->type == YN_MAP && n->items[i]->n > 0) {
            buf_puts(b, "- ");
            emit_block(b, n->items[i], ind + 2, 1);
        } else {
            buf_putc(b, '-');
            emit_value(b, n->items[i], ind + 2);
        }
    }
}

void ynode_emit(Buf *b, const YNode *n, int ind, int first_inline)
{
    if (n->type == YN_SCALAR) {
        if (!first_inline)
            indent(b, ind);
        emit_scalar(b, n, 0);
        buf_putc(b, '\n');
    } else {
        emit_block(b, n, ind, first_inline);
    }
}

void ynode_emit_inline(Buf *b, const YNode *n)
{
    if (n->type == YN_SCALAR) {
        emit_scalar(b, n, 0);
    } else if (flow_list(n) || n->n == 0) {
        buf_putc(b, n->type == YN_MAP ? '{' : '[');
        for (int i = 0; i < n->n; i++) {
            if (i)
                buf_puts(b, ", ");
            emit_scalar(b, n->items[i], 1);
        }
        buf_putc(b, n->type == YN_MAP ? '}' : ']');
    } else {
        buf_puts(b, n->type == YN_MAP ? "{...}" : "[...]");
    }
}

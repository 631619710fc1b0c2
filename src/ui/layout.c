/* layout.c — layout files as trees: parsing layouts/NAME.yaml into LayoutNodes
 * (errors at FILE:LINE:COLUMN, nothing half-built is ever returned), writing
 * a tree back as YAML for `S`, and the edits behind the rearranging keys
 * (swap, resize, remove, add). The geometry is in geometry.c. */
#include "layout.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "../util.h"

int layout_size_parse(const char *s, LayoutSize *out)
{
    long v;
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 12)
        return -1;
    char num[16];
    memcpy(num, s, n + 1);
    if (strcmp(num, "*") == 0) {
        *out = (LayoutSize){SZ_WEIGHT, 1};
        return 0;
    }
    SizeKind k = SZ_CELLS;
    if (num[n - 1] == '%' || num[n - 1] == '*') {
        k = num[n - 1] == '%' ? SZ_PERCENT : SZ_WEIGHT;
        num[n - 1] = '\0';
    }
    long max = k == SZ_PERCENT ? 100 : k == SZ_WEIGHT ? 100 : 10000;
    if (parse_long(num, 1, max, &v) != 0)
        return -1;
    *out = (LayoutSize){k, (int)v};
    return 0;
}

static void node_free(LayoutNode *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n; i++)
        node_free(n->child[i]);
    free(n->child);
    free(n->widget);
    free(n->title);
    free(n);
}

void layout_free(Layout *l)
{
    if (!l)
        return;
    node_free(l->root);
    free(l->name);
    free(l->file);
    free(l);
}

static LayoutNode *node_new(LayoutKind k, const YNode *at)
{
    LayoutNode *n = xcalloc(1, sizeof *n);
    n->kind = k;
    n->size = (LayoutSize){SZ_WEIGHT, 1};
    if (at) {
        n->line = at->line;
        n->col = at->col;
    }
    return n;
}

static void node_append(LayoutNode *parent, LayoutNode *c, int at)
{
    parent->child = xrealloc(parent->child, (size_t)(parent->n + 1) * sizeof *parent->child);
    if (at < 0 || at > parent->n)
        at = parent->n;
    memmove(parent->child + at + 1, parent->child + at,
            (size_t)(parent->n - at) * sizeof *parent->child);
    parent->child[at] = c;
    parent->n++;
    c->parent = parent;
}

typedef struct ParseCtx {
    int leaves;
    char **err;
} ParseCtx;

static LayoutNode *parse_cell(ParseCtx *p, const YNode *y, int depth, int root);

static LayoutNode *parse_leaf_ref(ParseCtx *p, const YNode *y)
{
    if (y->type != YN_SCALAR || !y->scalar[0] || strlen(y->scalar) > 64) {
        ynode_error(y, p->err, "widget: expected a widget type, id or number");
        return NULL;
    }
    if (++p->leaves > LAYOUT_MAX_LEAVES) {
        ynode_error(y, p->err, "too many panes (at most %d)", LAYOUT_MAX_LEAVES);
        return NULL;
    }
    LayoutNode *n = node_new(LN_LEAF, y);
    n->widget = xstrdup(y->scalar);
    return n;
}

static LayoutNode *parse_container(ParseCtx *p, const YNode *seq, LayoutKind k, int depth)
{
    if (seq->type != YN_SEQ || seq->n == 0) {
        ynode_error(seq, p->err, "%s: expected a non-empty list of cells",
                    k == LN_ROWS ? "rows" : "columns");
        return NULL;
    }
    LayoutNode *n = node_new(k, seq);
    for (int i = 0; i < seq->n; i++) {
        LayoutNode *c = parse_cell(p, seq->items[i], depth + 1, 0);
        if (!c) {
            node_free(n);
            return NULL;
        }
        node_append(n, c, -1);
    }
    return n;
}

static LayoutNode *parse_cell(ParseCtx *p, const YNode *y, int depth, int root)
{
    static const char *const cell_keys[] = {"rows", "columns", "widget", "size", "title", NULL};
    static const char *const root_keys[] = {"rows", "columns", "widget", "title", "description",
                                            "skip_unfed", NULL};
    if (depth > LAYOUT_MAX_DEPTH) {
        ynode_error(y, p->err, "layout nested too deeply (at most %d levels)", LAYOUT_MAX_DEPTH);
        return NULL;
    }
    if (y->type == YN_SCALAR && !root)
        return parse_leaf_ref(p, y);
    if (ynode_check_keys(y, root ? root_keys : cell_keys, "layout cell", p->err) != 0)
        return NULL;
    const YNode *rows = ynode_get(y, "rows"), *cols = ynode_get(y, "columns");
    const YNode *w = ynode_get(y, "widget");
    if (!!rows + !!cols + !!w != 1) {
        ynode_error(y, p->err, "a layout cell needs exactly one of rows:, columns: or widget:");
        return NULL;
    }
    LayoutNode *n = w ? parse_leaf_ref(p, w)
                      : parse_container(p, rows ? rows : cols, rows ? LN_ROWS : LN_COLUMNS, depth);
    if (!n)
        return NULL;
    n->line = y->line;
    n->col = y->col;
    const YNode *sz = ynode_get(y, "size");
    if (sz && (sz->type != YN_SCALAR || layout_size_parse(sz->scalar, &n->size) != 0)) {
        ynode_error(sz, p->err, "size: expected cells (12), percent (30%%) or a weight (2*)");
        node_free(n);
        return NULL;
    }
    const YNode *t = ynode_get(y, "title");
    if (t && (t->type != YN_SCALAR || !w)) {
        ynode_error(t, p->err, "title: expected a string on a widget cell");
        node_free(n);
        return NULL;
    }
    if (t)
        n->title = xstrdup(t->scalar);
    return n;
}

int layout_parse(const char *name, const char *file, const char *text, Layout **out, char **err)
{
    YNode *doc = ynode_parse_text(file, text ? text : "", text ? strlen(text) : 0, err);
    if (!doc)
        return -1;
    ParseCtx p = {0, err};
    LayoutNode *root = NULL;
    if (doc->type != YN_MAP || doc->n == 0)
        ynode_error(doc, err, "empty layout: it needs rows:, columns: or widget:");
    else
        root = parse_cell(&p, doc, 0, 1);
    int skip_unfed = 0;
    if (root && ynode_bool(doc, "skip_unfed", &skip_unfed, err) < 0) {
        node_free(root);
        root = NULL;
    }
    ynode_free(doc);
    if (!root)
        return -1;
    Layout *l = xcalloc(1, sizeof *l);
    l->skip_unfed = skip_unfed;
    l->name = xstrdup(name);
    l->file = xstrdup(file);
    l->root = root;
    *out = l;
    return 0;
}

/* ---- writing YAML ---- */

static void put_scalar(Buf *b, const char *s)
{
    int plain = isalnum((unsigned char)s[0]) || s[0] == '_';
    for (const char *p = s; *p && plain; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_-. ", *p))
            plain = 0;
    if (plain && s[strlen(s) - 1] != ' ') {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            buf_printf(b, "\\x%02x", *p);
        else
            buf_putc(b, (char)*p);
    }
    buf_putc(b, '"');
}

static void put_size(Buf *b, LayoutSize s)
{
    if (s.kind == SZ_CELLS)
        buf_printf(b, "%d", s.v);
    else if (s.kind == SZ_PERCENT)
        buf_printf(b, "%d%%", s.v);
    else
        buf_printf(b, "%d*", s.v);
}

static void put_cell(Buf *b, const LayoutNode *n, int indent, int root);

/* Writes the keys of n; the first line's indentation is already written. */
static void put_keys(Buf *b, const LayoutNode *n, int indent, int root)
{
    int first = 1;
#define NEXT_LINE() do { if (!first) buf_printf(b, "%*s", indent, ""); first = 0; } while (0)
    if (!root && !(n->size.kind == SZ_WEIGHT && n->size.v == 1)) {
        NEXT_LINE();
        buf_puts(b, "size: ");
        put_size(b, n->size);
        buf_putc(b, '\n');
    }
    if (n->kind == LN_LEAF) {
        NEXT_LINE();
        buf_puts(b, "widget: ");
        put_scalar(b, n->widget);
        buf_putc(b, '\n');
        if (n->title) {
            NEXT_LINE();
            buf_puts(b, "title: ");
            put_scalar(b, n->title);
            buf_putc(b, '\n');
        }
    } else {
        NEXT_LINE();
        buf_puts(b, n->kind == LN_ROWS ? "rows:\n" : "columns:\n");
        for (int i = 0; i < n->n; i++)
            put_cell(b, n->child[i], indent + 2, 0);
    }
#undef NEXT_LINE
}

static void put_cell(Buf *b, const LayoutNode *n, int indent, int root)
{
    buf_printf(b, "%*s- ", indent, "");
    put_keys(b, n, indent + 2, root);
}

char *layout_to_yaml(const Layout *l, const char *header)
{
    Buf b = {0};
    for (const char *h = header; h && *h;) {
        const char *nl = strchr(h, '\n');
        size_t len = nl ? (size_t)(nl - h) : strlen(h);
        buf_printf(&b, "#%s%.*s\n", len ? " " : "", (int)len, h);
        h = nl ? nl + 1 : h + len;
    }
    if (l->skip_unfed)
        buf_puts(&b, "skip_unfed: true\n");
    put_keys(&b, l->root, 0, 1);
    return buf_steal(&b);
}

/* ---- edits ---- */

void layout_swap(LayoutNode *a, LayoutNode *b)
{
    char *w = a->widget, *t = a->title;
    a->widget = b->widget;
    a->title = b->title;
    b->widget = w;
    b->title = t;
}

int layout_resize(Layout *l, LayoutNode *leaf, int delta)
{
    (void)l;
    LayoutNode *n = leaf;
    while (n->parent && n->parent->n == 1)
        n = n->parent;
    if (!n->parent || delta == 0)
        return 0;
    LayoutSize old = n->size;
    switch (n->size.kind) {
    case SZ_WEIGHT:
        if (delta < 0 && n->size.v == 1) {
            /* shrink by growing every weighted sibling */
            int changed = 0;
            for (int i = 0; i < n->parent->n; i++) {
                LayoutNode *s = n->parent->child[i];
                if (s != n && s->size.kind == SZ_WEIGHT && s->size.v < 20) {
                    s->size.v++;
                    changed = 1;
                }
            }
            return changed;
        }
        n->size.v += delta > 0 ? 1 : -1;
        if (n->size.v > 20)
            n->size.v = 20;
        break;
    case SZ_CELLS:
        n->size.v += delta > 0 ? 2 : -2;
        if (n->size.v < 1)
            n->size.v = 1;
        if (n->size.v > 1000)
            n->size.v = 1000;
        break;
    case SZ_PERCENT:
        n->size.v += delta > 0 ? 5 : -5;
        if (n->size.v < 5)
            n->size.v = 5;
        if (n->size.v > 95)
            n->size.v = 95;
        break;
    }
    return n->size.v != old.v;
}

static int index_in_parent(const LayoutNode *n)
{
    for (int i = 0; n->parent && i < n->parent->n; i++)
        if (n->parent->child[i] == n)
            return i;
    return -1;
}

static void detach(LayoutNode *n)
{
    LayoutNode *p = n->parent;
    int i = index_in_parent(n);
    if (i < 0)
        return;
    memmove(p->child + i, p->child + i + 1, (size_t)(p->n - i - 1) * sizeof *p->child);
    p->n--;
    n->parent = NULL;
}

int layout_remove(Layout *l, LayoutNode *leaf)
{
    LayoutNode **leaves;
    int nl = layout_leaves(l, &leaves);
    free(leaves);
    if (nl <= 1 || leaf->kind != LN_LEAF || !leaf->parent)
        return -1;
    LayoutNode *p = leaf->parent;
    detach(leaf);
    node_free(leaf);
    /* drop containers left empty */
    while (p->n == 0 && p->parent) {
        LayoutNode *gp = p->parent;
        detach(p);
        node_free(p);
        p = gp;
    }
    /* a container with one child is replaced by that child */
    if (p->n == 1) {
        LayoutNode *only = p->child[0];
        if (p->parent) {
            LayoutNode *gp = p->parent;
            int i = index_in_parent(p);
            only->size = p->size;
            only->parent = gp;
            gp->child[i] = only;
            p->n = 0;
            node_free(p);
        } else if (p == l->root) {
            only->parent = NULL;
            only->size = (LayoutSize){SZ_WEIGHT, 1};
            l->root = only;
            p->n = 0;
            node_free(p);
        }
    }
    return 0;
}

LayoutNode *layout_add(Layout *l, LayoutNode *after, const char *widget)
{
    LayoutNode *n = node_new(LN_LEAF, NULL);
    n->widget = xstrdup(widget);
    if (!after || !after->parent) {
        LayoutNode *r = l->root;
        if (r->kind == LN_LEAF) {
            LayoutNode *c = node_new(LN_ROWS, NULL);
            node_append(c, r, -1);
            l->root = c;
            r = c;
        }
        node_append(r, n, after ? index_in_parent(after) + 1 : -1);
        return n;
    }
    node_append(after->parent, n, index_in_parent(after) + 1);
    return n;
}

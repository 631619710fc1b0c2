/* ynode.c — a YAML document (mc.yaml, layouts) turned into a small tree of
 * YNodes that remember their file, line and column, so that config.c, the
 * layouts and every source kind's configure() can point at the exact spot of
 * a mistake. Built from libyaml's event parser. Anchors and aliases are
 * resolved by copying (bounded, so an alias bomb is an error, not an
 * out-of-memory); `<<` merge keys are applied. The lookups and typed
 * getters are in ynode_get.c. */
#include <stddef.h>   /* before the headers: they use size_t */
#include "ynode.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "util.h"

#define YN_MAX_NODES 1000000L          /* nodes per document, alias copies included */
#define YN_MAX_BYTES ((size_t)16 << 20) /* scalar text per document */
#define YN_MAX_DEPTH 200               /* nesting */
#define YN_MAX_KEYS 10000              /* pairs in one map */
#define YN_MAX_FILE ((size_t)8 << 20)  /* size of a YAML file */
#define YN_SHOWN 60                    /* characters of a value quoted in errors */

typedef struct Anchor {
    char *name;
    const YNode *node;     /* in the tree or in the graveyard */
} Anchor;

typedef struct Builder {
    yaml_parser_t parser;
    char *file;            /* becomes the root's file */
    const char *text;
    size_t len;
    Anchor *anchors;
    int nanchors, capanchors;
    YNode **graveyard;     /* merge values: kept until the end (anchors may point there) */
    int ngrave, capgrave;
    long nodes;
    size_t bytes;
    char **err;
} Builder;

static YNode *build(Builder *b, const yaml_event_t *ev, int depth);

/* ---- nodes ---- */

static void node_free_rec(YNode *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n; i++) {
        if (n->keys)
            node_free_rec(n->keys[i]);
        node_free_rec(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->scalar);
    free(n);
}

void ynode_free(YNode *root)
{
    if (!root)
        return;
    char *file = (char *)root->file;
    node_free_rec(root);
    free(file);
}

/* Appends an item (and for maps its key), growing the arrays by doubling. */
static void node_push(YNode *n, YNode *key, YNode *item)
{
    if (n->n == 0 || (n->n >= 4 && (n->n & (n->n - 1)) == 0)) {
        size_t cap = n->n == 0 ? 4 : (size_t)n->n * 2;
        n->items = xrealloc(n->items, cap * sizeof *n->items);
        if (n->type == YN_MAP)
            n->keys = xrealloc(n->keys, cap * sizeof *n->keys);
    }
    if (n->type == YN_MAP)
        n->keys[n->n] = key;
    n->items[n->n++] = item;
}

static YNode *node_copy(const YNode *src)
{
    YNode *n = xcalloc(1, sizeof *n);
    n->type = src->type;
    n->file = src->file;
    n->line = src->line;
    n->col = src->col;
    n->quoted = src->quoted;
    n->scalar = xstrdup(src->scalar);
    for (int i = 0; i < src->n; i++)
        node_push(n, src->keys ? node_copy(src->keys[i]) : NULL, node_copy(src->items[i]));
    return n;
}

/* Counts nodes, scalar bytes and height of a subtree; stops early once the
 * node count passes `limit`. */
static void node_measure(const YNode *n, long limit, long *nodes, size_t *bytes, int depth, int *height)
{
    if (*nodes > limit)
        return;
    (*nodes)++;
    if (depth > *height)
        *height = depth;
    if (n->scalar)
        *bytes += strlen(n->scalar);
    for (int i = 0; i < n->n; i++) {
        if (n->keys)
            node_measure(n->keys[i], limit, nodes, bytes, depth + 1, height);
        node_measure(n->items[i], limit, nodes, bytes, depth + 1, height);
    }
}

int ynode_is_null(const YNode *n)
{
    return n && n->type == YN_SCALAR && !n->quoted &&
           (!n->scalar[0] || strcmp(n->scalar, "~") == 0 || strcasecmp(n->scalar, "null") == 0);
}

/* ---- building the tree from libyaml events ---- */

static void b_error(Builder *b, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void b_error(Builder *b, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    set_err(b->err, "%s:%d:%d: %s", b->file, line, col, msg);
    free(msg);
}

#define MARK_LINE(m) ((int)(m).line + 1)
#define MARK_COL(m) ((int)(m).column + 1)

/* Line and column (in characters) of a byte offset of the input. */
static void offset_pos(const Builder *b, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < b->len; i++) {
        unsigned char c = (unsigned char)b->text[i];
        if (c == '\n') {
            (*line)++;
            *col = 1;
        } else if ((c & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static void parse_error(Builder *b)
{
    yaml_parser_t *p = &b->parser;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    int line, col;
    if (p->error == YAML_MEMORY_ERROR) {
        set_err(b->err, "%s: out of memory while parsing", b->file);
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        offset_pos(b, p->problem_offset, &line, &col);
    } else {
        line = MARK_LINE(p->problem_mark);
        col = MARK_COL(p->problem_mark);
    }
    size_t at = p->problem_mark.index;
    if (p->error == YAML_SCANNER_ERROR && at < b->len && b->text[at] == '\t')
        b_error(b, line, col, "a tab here: YAML indents with spaces only");
    else if (p->context)
        b_error(b, line, col, "%s (%s at line %d)", problem, p->context, MARK_LINE(p->context_mark));
    else
        b_error(b, line, col, "%s", problem);
}

static int next_event(Builder *b, yaml_event_t *ev)
{
    if (yaml_parser_parse(&b->parser, ev))
        return 0;
    parse_error(b);
    return -1;
}

static YNode *node_new(Builder *b, YNodeType type, const yaml_mark_t *m)
{
    if (++b->nodes > YN_MAX_NODES) {
        b_error(b, MARK_LINE(*m), MARK_COL(*m), "document too large (more than %ld nodes)", YN_MAX_NODES);
        return NULL;
    }
    YNode *n = xcalloc(1, sizeof *n);
    n->type = type;
    n->file = b->file;
    n->line = MARK_LINE(*m);
    n->col = MARK_COL(*m);
    return n;
}

/* Control characters (other than tab and newlines) and C1 controls would reach
 * the terminal through error messages and panes: config text may not have them. */
static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return 1;
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f)
            return 1;
    }
    return 0;
}

static void anchor_add(Builder *b, const yaml_char_t *name, const YNode *n)
{
    if (!name)
        return;
    if (b->nanchors == b->capanchors) {
        b->capanchors = b->capanchors ? b->capanchors * 2 : 8;
        b->anchors = xrealloc(b->anchors, (size_t)b->capanchors * sizeof *b->anchors);
    }
    b->anchors[b->nanchors].name = xstrdup((const char *)name);
    b->anchors[b->nanchors++].node = n;
}

static const YNode *anchor_find(const Builder *b, const char *name)
{
    for (int i = b->nanchors - 1; i >= 0; i--)   /* the latest definition wins */
        if (strcmp(b->anchors[i].name, name) == 0)
            return b->anchors[i].node;
    return NULL;
}

static void graveyard_add(Builder *b, YNode *n)
{
    if (b->ngrave == b->capgrave) {
        b->capgrave = b->capgrave ? b->capgrave * 2 : 4;
        b->graveyard = xrealloc(b->graveyard, (size_t)b->capgrave * sizeof *b->graveyard);
    }
    b->graveyard[b->ngrave++] = n;
}

static YNode *build_scalar(Builder *b, const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (memchr(v, 0, len) || has_control(v, len)) {
        b_error(b, MARK_LINE(ev->start_mark), MARK_COL(ev->start_mark),
                "control characters are not allowed in config text");
        return NULL;
    }
    b->bytes += len;
    if (b->bytes > YN_MAX_BYTES) {
        b_error(b, MARK_LINE(ev->start_mark), MARK_COL(ev->start_mark), "document too large");
        return NULL;
    }
    YNode *n = node_new(b, YN_SCALAR, &ev->start_mark);
    if (!n)
        return NULL;
    n->scalar = xstrndup(v, len);
    const char *tag = (const char *)ev->data.scalar.tag;
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
                (tag && strcmp(tag, YAML_STR_TAG) == 0);
    return n;
}

static YNode *build_seq(Builder *b, const yaml_event_t *ev, int depth)
{
    YNode *n = node_new(b, YN_SEQ, &ev->start_mark);
    while (n) {
        yaml_event_t e;
        if (next_event(b, &e) < 0)
            break;
        if (e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            return n;
        }
        YNode *item = build(b, &e, depth + 1);
        yaml_event_delete(&e);
        if (!item)
            break;
        node_push(n, NULL, item);
    }
    node_free_rec(n);
    return NULL;
}

static int map_has(const YNode *map, const char *key)
{
    for (int i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->scalar, key) == 0)
            return i + 1;
    return 0;
}

/* `<<: *base` (or a list of them): copies the pairs whose keys the map does
 * not set itself; earlier merge sources win over later ones. */
static int apply_merge(Builder *b, YNode *map, const YNode *src)
{
    if (src->type == YN_SEQ) {
        for (int i = 0; i < src->n; i++) {
            const YNode *one = src->items[i];
            if (one->type != YN_MAP) {
                b_error(b, one->line, one->col, "'<<' merges maps only");
                return -1;
            }
            if (apply_merge(b, map, one) < 0)
                return -1;
        }
        return 0;
    }
    if (src->type != YN_MAP) {
        b_error(b, src->line, src->col, "'<<' merges maps only");
        return -1;
    }
    for (int i = 0; i < src->n; i++) {
        if (map_has(map, src->keys[i]->scalar))
            continue;
        long nodes = 0;
        size_t bytes = 0;
        int height = 0;
        node_measure(src->items[i], YN_MAX_NODES, &nodes, &bytes, 0, &height);
        b->nodes += nodes + 1;
        b->bytes += bytes;
        if (b->nodes > YN_MAX_NODES || b->bytes > YN_MAX_BYTES || map->n >= YN_MAX_KEYS) {
            b_error(b, src->line, src->col, "document too large after '<<' merge");
            return -1;
        }
        node_push(map, node_copy(src->keys[i]), node_copy(src->items[i]));
    }
    return 0;
}

/* Reads one key: value pair after its key event. Returns 1 when the pair was
 * added, 0 for a merge key handled, -1 on error. */
static int build_pair(Builder *b, YNode *map, const yaml_event_t *kev, int depth, YNode ***merges, int *nmerges)
{
    YNode *key = build(b, kev, depth + 1);
    if (!key)
        return -1;
    if (key->type != YN_SCALAR) {
        b_error(b, key->line, key->col, "map keys must be plain strings");
        node_free_rec(key);
        return -1;
    }
    yaml_event_t e;
    if (next_event(b, &e) < 0) {
        node_free_rec(key);
        return -1;
    }
    YNode *val = build(b, &e, depth + 1);
    yaml_event_delete(&e);
    if (!val) {
        node_free_rec(key);
        return -1;
    }
    if (!key->quoted && strcmp(key->scalar, "<<") == 0) {
        node_free_rec(key);
        graveyard_add(b, val);
        *merges = xrealloc(*merges, (size_t)(*nmerges + 1) * sizeof **merges);
        (*merges)[(*nmerges)++] = val;
        return 0;
    }
    int first = map_has(map, key->scalar);
    if (first || map->n >= YN_MAX_KEYS) {
        if (first)
            b_error(b, key->line, key->col, "duplicate key '%.*s' (first at line %d)", YN_SHOWN,
                    key->scalar, map->keys[first - 1]->line);
        else
            b_error(b, key->line, key->col, "more than %d keys in one map", YN_MAX_KEYS);
        node_free_rec(key);
        node_free_rec(val);
        return -1;
    }
    node_push(map, key, val);
    return 1;
}

static YNode *build_map(Builder *b, const yaml_event_t *ev, int depth)
{
    YNode *n = node_new(b, YN_MAP, &ev->start_mark);
    YNode **merges = NULL;
    int nmerges = 0, ok = 0;
    while (n) {
        yaml_event_t e;
        if (next_event(b, &e) < 0)
            break;
        if (e.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&e);
            ok = 1;
            break;
        }
        int r = build_pair(b, n, &e, depth, &merges, &nmerges);
        yaml_event_delete(&e);
        if (r < 0)
            break;
    }
    for (int i = 0; ok && i < nmerges; i++)
        if (apply_merge(b, n, merges[i]) < 0)
            ok = 0;
    free(merges);
    if (!ok) {
        node_free_rec(n);
        return NULL;
    }
    return n;
}

static YNode *build_alias(Builder *b, const yaml_event_t *ev, int depth)
{
    int line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark);
    const char *name = (const char *)ev->data.alias.anchor;
    const YNode *src = anchor_find(b, name);
    if (!src) {
        b_error(b, line, col, "unknown alias '*%.*s' (define it first with '&%.*s')", YN_SHOWN, name,
                YN_SHOWN, name);
        return NULL;
    }
    long nodes = 0;
    size_t bytes = 0;
    int height = 0;
    node_measure(src, YN_MAX_NODES - b->nodes, &nodes, &bytes, 0, &height);
    if (b->nodes + nodes > YN_MAX_NODES || b->bytes + bytes > YN_MAX_BYTES) {
        b_error(b, line, col, "alias '*%.*s' expands too far (more than %ld nodes in the document)",
                YN_SHOWN, name, YN_MAX_NODES);
        return NULL;
    }
    if (depth + height > YN_MAX_DEPTH) {
        b_error(b, line, col, "nested more than %d levels deep", YN_MAX_DEPTH);
        return NULL;
    }
    b->nodes += nodes;
    b->bytes += bytes;
    return node_copy(src);
}

/* Builds the node that starts with event ev (the caller deletes ev). */
static YNode *build(Builder *b, const yaml_event_t *ev, int depth)
{
    YNode *n = NULL;
    if (depth > YN_MAX_DEPTH) {
        b_error(b, MARK_LINE(ev->start_mark), MARK_COL(ev->start_mark), "nested more than %d levels deep",
                YN_MAX_DEPTH);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = build_scalar(b, ev);
        if (n)
            anchor_add(b, ev->data.scalar.anchor, n);
        return n;
    case YAML_SEQUENCE_START_EVENT:
        n = build_seq(b, ev, depth);
        if (n)
            anchor_add(b, ev->data.sequence_start.anchor, n);
        return n;
    case YAML_MAPPING_START_EVENT:
        n = build_map(b, ev, depth);
        if (n)
            anchor_add(b, ev->data.mapping_start.anchor, n);
        return n;
    case YAML_ALIAS_EVENT:
        return build_alias(b, ev, depth);
    default:
        b_error(b, MARK_LINE(ev->start_mark), MARK_COL(ev->start_mark), "unexpected YAML event");
        return NULL;
    }
}

/* Reads the whole stream: at most one document. */
static YNode *build_stream(Builder *b)
{
    YNode *root = NULL;
    int docs = 0;
    for (;;) {
        yaml_event_t e;
        if (next_event(b, &e) < 0)
            goto fail;
        yaml_event_type_t type = e.type;
        int line = MARK_LINE(e.start_mark), col = MARK_COL(e.start_mark);
        yaml_event_delete(&e);
        if (type == YAML_STREAM_END_EVENT)
            break;
        if (type != YAML_DOCUMENT_START_EVENT)
            continue;
        if (++docs > 1) {
            b_error(b, line, col, "only one YAML document per file (remove this '---')");
            goto fail;
        }
        if (next_event(b, &e) < 0)
            goto fail;
        root = build(b, &e, 0);
        yaml_event_delete(&e);
        if (!root)
            goto fail;
    }
    if (root && ynode_is_null(root)) {
        YNode *empty = xcalloc(1, sizeof *empty);
        *empty = (YNode){.type = YN_MAP, .file = b->file, .line = root->line, .col = root->col};
        node_free_rec(root);
        root = empty;
    }
    if (!root) {
        root = xcalloc(1, sizeof *root);
        *root = (YNode){.type = YN_MAP, .file = b->file, .line = 1, .col = 1};
    }
    return root;
fail:
    node_free_rec(root);
    return NULL;
}

YNode *ynode_parse_text(const char *file, const char *text, size_t len, char **err)
{
    Builder b = {.file = xstrdup(file ? file : "<config>"), .text = text, .len = len, .err = err};
    if (!text) {
        set_err(err, "%s: no text", b.file);
        free(b.file);
        return NULL;
    }
    if (!yaml_parser_initialize(&b.parser)) {
        set_err(err, "%s: out of memory", b.file);
        free(b.file);
        return NULL;
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    YNode *root = build_stream(&b);
    yaml_parser_delete(&b.parser);
    for (int i = 0; i < b.nanchors; i++)
        free(b.anchors[i].name);
    free(b.anchors);
    for (int i = 0; i < b.ngrave; i++)
        node_free_rec(b.graveyard[i]);
    free(b.graveyard);
    if (!root)
        free(b.file);
    return root;
}

YNode *ynode_parse_file(const char *file, char **err)
{
    char *text = NULL;
    size_t len = 0;
    if (file_read_all(file, YN_MAX_FILE, &text, &len, err) < 0)
        return NULL;
    YNode *root = ynode_parse_text(file, text, len, err);
    free(text);
    return root;
}

/* ---- building trees by hand (presets.c) ---- */

YNode *ynode_new(YNodeType type, const char *file, int line, int col, const char *scalar)
{
    YNode *n = xcalloc(1, sizeof *n);
    n->type = type;
    n->file = file;
    n->line = line;
    n->col = col;
    n->scalar = type == YN_SCALAR ? xstrdup(scalar ? scalar : "") : NULL;
    return n;
}

void ynode_push(YNode *parent, YNode *key, YNode *item)
{
    node_push(parent, key, item);
}

YNode *ynode_copy(const YNode *src)
{
    return node_copy(src);
}

void ynode_free_node(YNode *n)
{
    node_free_rec(n);
}

/* test_layout.c — layout trees and their geometry: every shipped layout at
 * many terminal sizes (no overlap, nothing off screen, nothing negative,
 * hidden rather than squeezed), the size rules (cells, percent, weights,
 * nesting), parse errors with line:column, YAML round trips and the edits
 * behind the rearranging keys. */
#include <stdlib.h>
#include <string.h>
#include "ui/layout.h"
#include "thelp.h"
#include "util.h"

static Layout *parse_ok(const char *text)
{
    Layout *l = NULL;
    char *err = NULL;
    if (layout_parse("t", "t.yaml", text, &l, &err) != 0) {
        fprintf(stderr, "unexpected parse error: %s\n", err);
        t_failures++;
    }
    free(err);
    return l;
}

/* Every visible box inside h x w, at least the minimum, and no two overlap.
 * Returns the number of visible boxes. */
static int check_boxes(const Layout *l, int h, int w)
{
    LayoutNode **leaves;
    int n = layout_leaves(l, &leaves);
    free(leaves);
    Box *b = calloc((size_t)n, sizeof *b);
    layout_compute(l, h, w, b, n);
    int visible = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        if (b[i].h == 0 && b[i].w == 0)
            continue;
        visible++;
        if (b[i].y < 0 || b[i].x < 0 || b[i].h < LAYOUT_MIN_H || b[i].w < LAYOUT_MIN_W ||
            b[i].y + b[i].h > h || b[i].x + b[i].w > w)
            bad = 1;
        for (int j = 0; j < i; j++) {
            if (b[j].h == 0 && b[j].w == 0)
                continue;
            int oy = b[i].y < b[j].y + b[j].h && b[j].y < b[i].y + b[i].h;
            int ox = b[i].x < b[j].x + b[j].w && b[j].x < b[i].x + b[i].w;
            if (oy && ox)
                bad = 1;
        }
    }
    if (bad) {
        t_failures++;
        char *d = layout_dump(l, h, w);
        fprintf(stderr, "%s: bad geometry at %dx%d:\n%s", t_current, w, h, d);
        free(d);
    }
    t_checks++;
    free(b);
    return visible;
}

static void sweep(const Layout *l)
{
    for (int h = 0; h <= 70; h++)
        for (int w = 0; w <= 260; w += (w < 60 ? 1 : 7)) {
            int v = check_boxes(l, h, w);
            if (h >= LAYOUT_MIN_H && w >= LAYOUT_MIN_W && v == 0) {
                t_failures++;
                fprintf(stderr, "%s: nothing visible at %dx%d\n", t_current, w, h);
            }
        }
}

static int count_visible(const Layout *l, int h, int w)
{
    LayoutNode **leaves;
    int n = layout_leaves(l, &leaves);
    free(leaves);
    Box *b = calloc((size_t)n, sizeof *b);
    layout_compute(l, h, w, b, n);
    int v = 0;
    for (int i = 0; i < n; i++)
        v += b[i].h > 0;
    free(b);
    return v;
}

static void shipped_layouts(void)
{
    int count = 0;
    for (const LayoutBuiltin *b = layout_builtins; b->name; b++, count++) {
        Layout *l = parse_ok(b->text);
        if (!l)
            continue;
        t_current = b->name;
        sweep(l);
        /* the layout area is the terminal minus the status line */
        if (strcmp(b->name, "default") == 0) {
            CHECK_INT(count_visible(l, 39, 120), 9);
            CHECK_INT(count_visible(l, 59, 200), 9);
            /* 40x12: what cannot fit goes, from the bottom, the rest stays */
            CHECK_INT(count_visible(l, 11, 40), 6);
        }
        if (strcmp(b->name, "compact") == 0)
            CHECK_INT(count_visible(l, 23, 80), 5);
        if (strcmp(b->name, "ops") == 0)
            CHECK_INT(count_visible(l, 39, 120), 5);
        CHECK(count_visible(l, 11, 40) >= 1);
        layout_free(l);
    }
    t_current = "shipped_layouts";
    CHECK_INT(count, 3);
    /* the files on disk are the ones compiled in */
    const char *src = getenv("MC_SRC_DIR");
    for (const LayoutBuiltin *b = layout_builtins; src && b->name; b++) {
        char *path = xasprintf("%s/layouts/%s.yaml", src, b->name), *text = NULL, *err = NULL;
        size_t len;
        CHECK(file_read_all(path, 1 << 20, &text, &len, &err) == 0);
        CHECK_STR(text, b->text);
        free(text);
        free(err);
        free(path);
    }
}

static void sizes(void)
{
    Layout *l = parse_ok("columns:\n"
                         "  - {widget: a, size: 10}\n"
                         "  - {widget: b, size: 30%}\n"
                         "  - {widget: c, size: 2*}\n"
                         "  - widget: d\n");
    char *d = layout_dump(l, 20, 100);
    CHECK_STR(d, "a 0 0 20 10\nb 0 10 20 30\nc 0 40 20 40\nd 0 80 20 20\n");
    free(d);
    /* narrow: the fixed cells take what there is, weights hide, the slack goes to a neighbour */
    d = layout_dump(l, 20, 45);
    CHECK_STR(d, "a 0 0 20 10\nb 0 10 20 13\nc 0 23 20 22\nd 0 0 0 0\n");
    free(d);
    layout_free(l);

    l = parse_ok("rows:\n"
                 "  - {widget: top, size: 3}\n"
                 "  - columns:\n"
                 "      - left\n"
                 "      - rows: [r1, r2]\n"
                 "        size: 2*\n");
    d = layout_dump(l, 23, 90);
    CHECK_STR(d, "top 0 0 3 90\nleft 3 0 20 30\nr1 3 30 10 60\nr2 13 30 10 60\n");
    free(d);
    /* too short for both r1 and r2: the last goes, r1 takes its rows */
    d = layout_dump(l, 8, 90);
    CHECK_STR(d, "top 0 0 3 90\nleft 3 0 5 30\nr1 3 30 5 60\nr2 0 0 0 0\n");
    free(d);
    sweep(l);
    layout_free(l);

    l = parse_ok("widget: only\n");
    d = layout_dump(l, 12, 40);
    CHECK_STR(d, "only 0 0 12 40\n");
    free(d);
    d = layout_dump(l, 2, 40);
    CHECK_STR(d, "only 0 0 0 0\n");
    free(d);
    layout_free(l);

    LayoutSize s;
    CHECK(layout_size_parse("12", &s) == 0 && s.kind == SZ_CELLS && s.v == 12);
    CHECK(layout_size_parse("30%", &s) == 0 && s.kind == SZ_PERCENT && s.v == 30);
    CHECK(layout_size_parse("2*", &s) == 0 && s.kind == SZ_WEIGHT && s.v == 2);
    CHECK(layout_size_parse("*", &s) == 0 && s.kind == SZ_WEIGHT && s.v == 1);
    CHECK(layout_size_parse("0", &s) != 0);
    CHECK(layout_size_parse("-3", &s) != 0);
    CHECK(layout_size_parse("101%", &s) != 0);
    CHECK(layout_size_parse("3x", &s) != 0);
    CHECK(layout_size_parse("", &s) != 0);
}

static void check_error(const char *text, const char *where, const char *what)
{
    Layout *l = NULL;
    char *err = NULL;
    CHECK(layout_parse("t", "bad.yaml", text, &l, &err) != 0);
    CHECK(l == NULL);
    CHECK_CONTAINS(err, where);
    CHECK_CONTAINS(err, what);
    free(err);
}

static void errors(void)
{
    check_error("rows:\n  - widget: a\n    sise: 3\n", "bad.yaml:3:5", "sise");
    check_error("rows:\n  - widget: a\n    size: big\n", "bad.yaml:3:11", "size");
    check_error("rows:\n  - widget: a\n    rows: [b]\n", "bad.yaml:2:5", "exactly one");
    check_error("columns: []\n", "bad.yaml:1:10", "non-empty");
    check_error("rows: a\n", "bad.yaml:1:7", "non-empty");
    check_error("", "bad.yaml", "empty layout");
    check_error("# only a comment\n", "bad.yaml", "empty layout");
    check_error("rows:\n  - widget: [a, b]\n", "bad.yaml:2:13", "widget");
    check_error("rows:\n  - {widget: a, title: [x]}\n", "bad.yaml:2", "title");
    check_error("rows: [a, b\n", "bad.yaml:", "");
    check_error("size: 3\nwidget: a\n", "bad.yaml:1:1", "size");
    Buf b = {0};
    buf_puts(&b, "rows:\n");
    for (int i = 1; i < 20; i++)
        buf_printf(&b, "%*s- rows:\n", 4 * i - 2, "");
    buf_printf(&b, "%*s- leaf\n", 4 * 20 - 2, "");
    check_error(b.s, "bad.yaml:", "nested too deeply");
    buf_free(&b);
    buf_puts(&b, "columns:\n");
    for (int i = 0; i < LAYOUT_MAX_LEAVES + 1; i++)
        buf_puts(&b, "  - w\n");
    check_error(b.s, "bad.yaml:", "too many panes");
    buf_free(&b);
}

static void roundtrip(void)
{
    for (const LayoutBuiltin *b = layout_builtins; b->name; b++) {
        Layout *l = parse_ok(b->text);
        char *y = layout_to_yaml(l, "saved by a test\nsecond line");
        CHECK_CONTAINS(y, "# saved by a test\n# second line\n");
        Layout *l2 = parse_ok(y);
        for (int h = 10; l2 && h < 60; h += 7) {
            char *d1 = layout_dump(l, h, 3 * h), *d2 = layout_dump(l2, h, 3 * h);
            CHECK_STR(d2, d1);
            free(d1);
            free(d2);
        }
        free(y);
        layout_free(l);
        layout_free(l2);
    }
    /* odd widget names and titles survive */
    Layout *l = parse_ok("rows:\n  - {widget: \"2\", title: \"a \\\"q\\\": b\"}\n  - {widget: x, size: 40%}\n");
    char *y = layout_to_yaml(l, NULL);
    Layout *l2 = parse_ok(y);
    CHECK(l2 && strcmp(l2->root->child[0]->widget, "2") == 0);
    CHECK(l2 && strcmp(l2->root->child[0]->title, "a \"q\": b") == 0);
    CHECK(l2 && l2->root->child[1]->size.kind == SZ_PERCENT);
    free(y);
    layout_free(l);
    layout_free(l2);
}

static void edits(void)
{
    Layout *l = parse_ok("rows:\n  - {widget: a, size: 3}\n  - columns: [b, c, d]\n");
    LayoutNode **v;
    int n = layout_leaves(l, &v);
    CHECK_INT(n, 4);
    layout_swap(v[1], v[2]);
    char *d = layout_dump(l, 20, 90);
    CHECK_STR(d, "a 0 0 3 90\nc 3 0 17 30\nb 3 30 17 30\nd 3 60 17 30\n");
    free(d);
    CHECK(layout_resize(l, v[1], +1) == 1);           /* weight 1 -> 2 */
    d = layout_dump(l, 20, 80);
    CHECK_STR(d, "a 0 0 3 80\nc 3 0 17 40\nb 3 40 17 20\nd 3 60 17 20\n");
    free(d);
    CHECK(layout_resize(l, v[0], +1) == 1);           /* cells 3 -> 5 */
    CHECK_INT(v[0]->size.v, 5);
    CHECK(layout_resize(l, v[3], -1) == 1);           /* weight 1: the others grow */
    CHECK_INT(v[1]->size.v, 3);
    CHECK_INT(v[2]->size.v, 2);
    free(v);

    n = layout_leaves(l, &v);
    CHECK(layout_remove(l, v[0]) == 0);               /* "a" goes; rows collapses */
    free(v);
    n = layout_leaves(l, &v);
    CHECK_INT(n, 3);
    CHECK(l->root->kind == LN_COLUMNS);
    CHECK(l->root->parent == NULL);
    LayoutNode *e = layout_add(l, v[0], "e");
    free(v);
    n = layout_leaves(l, &v);
    CHECK_INT(n, 4);
    CHECK(v[1] == e);
    CHECK(layout_remove(l, v[0]) == 0);
    CHECK(layout_remove(l, v[1]) == 0);
    CHECK(layout_remove(l, v[2]) == 0);
    free(v);
    n = layout_leaves(l, &v);
    CHECK_INT(n, 1);
    CHECK(layout_remove(l, v[0]) == -1);              /* never the last pane */
    CHECK(l->root->kind == LN_LEAF);
    LayoutNode *f = layout_add(l, v[0], "f");         /* a lone leaf gets a container */
    free(v);
    CHECK(l->root->kind == LN_ROWS);
    CHECK(f->parent == l->root);
    sweep(l);
    layout_free(l);
}

/* Random trees of random sizes keep the invariants. */
static void random_trees(void)
{
    srand(42);
    for (int t = 0; t < 60; t++) {
        Buf b = {0};
        int depth = 0;
        buf_puts(&b, "rows:\n");
        int indent = 2;
        int leaves = 0;
        for (int i = 0; i < 14 && leaves < 40; i++) {
            int r = rand() % 10;
            const char *sz[] = {"", "size: 4", "size: 25%", "size: 3*", "size: 1", "size: 90%"};
            const char *z = sz[rand() % 6];
            if (r < 3 && depth < 5) {
                const char *kind = rand() % 2 ? "rows" : "columns";
                if (*z)
                    buf_printf(&b, "%*s- %s\n%*s%s:\n", indent, "", z, indent + 2, "", kind);
                else
                    buf_printf(&b, "%*s- %s:\n", indent, "", kind);
                indent += 4;
                buf_printf(&b, "%*s- w%d\n", indent, "", leaves++);
                depth++;
            } else if (r < 4 && depth > 0) {
                indent -= 4;       /* back out of the innermost container */
                depth--;
            } else {
                buf_printf(&b, "%*s- widget: w%d\n", indent, "", leaves++);
                if (*z)
                    buf_printf(&b, "%*s%s\n", indent + 2, "", z);
            }
        }
        Layout *l = NULL;
        char *err = NULL;
        if (layout_parse("r", "r.yaml", b.s, &l, &err) == 0) {
            t_current = "random_trees";
            for (int h = 0; h < 50; h += 3)
                for (int w = 0; w < 200; w += 9)
                    check_boxes(l, h, w);
            layout_free(l);
        } else {
            fprintf(stderr, "random tree did not parse: %s\n%s", err, b.s);
            t_failures++;
        }
        free(err);
        buf_free(&b);
    }
}

/* skip_unfed: parsed, kept by S (YAML round trip), set in every shipped
 * layout; layout_compute_without gives a skipped leaf's space to the rest. */
static void skip_unfed(void)
{
    Layout *l = parse_ok("skip_unfed: true\ncolumns: [revenue, blockers, health]\n");
    if (!l)
        return;
    CHECK_INT(l->skip_unfed, 1);
    char *y = layout_to_yaml(l, "h");
    Layout *back = parse_ok(y);
    CHECK(back && back->skip_unfed == 1);
    layout_free(back);
    free(y);
    int skip[3] = {1, 0, 0};
    Box b[3];
    layout_compute_without(l, skip, 20, 90, b, 3);
    CHECK(b[0].h == 0 && b[0].w == 0);
    CHECK_INT(b[1].x, 0);                       /* blockers moved to the left edge */
    CHECK_INT(b[1].w + b[2].w, 90);             /* and the two share all columns */
    int all[3] = {1, 1, 1};                     /* never every pane */
    layout_compute_without(l, all, 20, 90, b, 3);
    CHECK_INT(b[0].w + b[1].w + b[2].w, 90);
    layout_free(l);
    Layout *bad = NULL;
    char *err = NULL;
    CHECK(layout_parse("t", "t.yaml", "skip_unfed: maybe\nwidget: revenue\n", &bad, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:1:");
    free(err);
    for (const LayoutBuiltin *lb = layout_builtins; lb->name; lb++) {
        Layout *sl = parse_ok(lb->text);
        t_current = lb->name;
        CHECK(sl && sl->skip_unfed == 1);
        layout_free(sl);
    }
    t_current = "skip_unfed";
}

int main(void)
{
    RUN(shipped_layouts);
    RUN(sizes);
    RUN(errors);
    RUN(roundtrip);
    RUN(edits);
    RUN(random_trees);
    RUN(skip_unfed);
    return t_done();
}

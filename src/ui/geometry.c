/* geometry.c — the one pure function from a layout tree and a terminal size
 * to pane boxes. Each container shares its length among its children: cells
 * and percents first (in order, never more than what is left), weights share
 * the rest; a child that ends up smaller than the smallest pane is hidden
 * and its space goes to its neighbour. So boxes never overlap, never leave
 * the screen and never have a negative size, at any terminal size. */
#include "layout.h"

#include <stdlib.h>
#include <string.h>
#include "../util.h"

static void collect(LayoutNode *n, LayoutNode ***v, int *count, int *cap)
{
    if (n->kind == LN_LEAF) {
        if (*count == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *v = xrealloc(*v, (size_t)*cap * sizeof **v);
        }
        (*v)[(*count)++] = n;
        return;
    }
    for (int i = 0; i < n->n; i++)
        collect(n->child[i], v, count, cap);
}

int layout_leaves(const Layout *l, LayoutNode ***out)
{
    LayoutNode **v = NULL;
    int n = 0, cap = 0;
    if (l && l->root)
        collect(l->root, &v, &n, &cap);
    *out = v;
    return n;
}

/* The smallest length along an axis at which some pane inside n can show. */
static int min_extent(const LayoutNode *n, int vertical)
{
    if (n->kind == LN_LEAF)
        return vertical ? LAYOUT_MIN_H : LAYOUT_MIN_W;
    int m = 1 << 30;
    for (int i = 0; i < n->n; i++) {
        int c = min_extent(n->child[i], vertical);
        if (c < m)
            m = c;
    }
    return m;
}

/* One pass of sharing `total` among the children not dropped: cells and
 * percents first in order (never more than is left), weights share the rest,
 * and with no weights the last child takes the slack. */
static void share(const LayoutNode *n, int total, const char *dropped, int *out)
{
    int rem = total, wsum = 0, last = -1;
    for (int i = 0; i < n->n; i++) {
        const LayoutSize *s = &n->child[i]->size;
        out[i] = 0;
        if (dropped[i])
            continue;
        last = i;
        if (s->kind == SZ_WEIGHT) {
            wsum += s->v;
            continue;
        }
        int want = s->kind == SZ_CELLS ? s->v : (int)((long)total * s->v / 100);
        out[i] = want < rem ? want : rem;
        rem -= out[i];
    }
    if (wsum > 0) {
        int given = 0;
        for (int i = 0; i < n->n; i++)
            if (!dropped[i] && n->child[i]->size.kind == SZ_WEIGHT) {
                out[i] = (int)((long)rem * n->child[i]->size.v / wsum);
                given += out[i];
            }
        for (int i = 0; i < n->n && given < rem; i++)
            if (!dropped[i] && n->child[i]->size.kind == SZ_WEIGHT) {
                out[i]++;
                given++;
            }
    } else if (rem > 0 && last >= 0) {
        out[last] += rem;
    }
}

/* Shares `total` cells among the children of container n into out[]. A
 * child that would get less than the smallest pane is dropped (the last such
 * child first, so the earlier ones, usually the important ones, stay) and
 * the rest are shared again: what cannot fit is hidden, never squeezed. */
static void allot(const LayoutNode *n, int total, int *out)
{
    int vertical = n->kind == LN_ROWS;
    char *dropped = xcalloc((size_t)n->n, 1);
    for (int round = 0; round <= n->n; round++) {
        share(n, total, dropped, out);
        int victim = -1;
        for (int i = n->n - 1; i >= 0 && victim < 0; i--)
            if (!dropped[i] && out[i] < min_extent(n->child[i], vertical))
                victim = i;
        if (victim < 0)
            break;
        dropped[victim] = 1;
    }
    for (int i = 0; i < n->n; i++)
        if (dropped[i])
            out[i] = 0;
    free(dropped);
}

static void hide(const LayoutNode *n, Box *boxes, int *idx, int nboxes)
{
    if (n->kind == LN_LEAF) {
        if (*idx < nboxes)
            boxes[*idx] = (Box){0, 0, 0, 0};
        (*idx)++;
        return;
    }
    for (int i = 0; i < n->n; i++)
        hide(n->child[i], boxes, idx, nboxes);
}

static void place(const LayoutNode *n, Box b, Box *boxes, int *idx, int nboxes)
{
    if (n->kind == LN_LEAF) {
        int fits = b.h >= LAYOUT_MIN_H && b.w >= LAYOUT_MIN_W;
        if (*idx < nboxes)
            boxes[*idx] = fits ? b : (Box){0, 0, 0, 0};
        (*idx)++;
        return;
    }
    int vertical = n->kind == LN_ROWS;
    int *len = xcalloc((size_t)n->n, sizeof *len);
    allot(n, vertical ? b.h : b.w, len);
    int at = vertical ? b.y : b.x;
    for (int i = 0; i < n->n; i++) {
        if (len[i] <= 0) {
            hide(n->child[i], boxes, idx, nboxes);
            continue;
        }
        Box c = vertical ? (Box){at, b.x, len[i], b.w} : (Box){b.y, at, b.h, len[i]};
        place(n->child[i], c, boxes, idx, nboxes);
        at += len[i];
    }
    free(len);
}

void layout_compute(const Layout *l, int h, int w, Box *boxes, int nboxes)
{
    int idx = 0;
    if (!l || !l->root)
        return;
    if (h < 0)
        h = 0;
    if (w < 0)
        w = 0;
    place(l->root, (Box){0, 0, h, w}, boxes, &idx, nboxes);
}

/* A copy of n without the leaves marked in skip (counted from *i in leaf
 * order); NULL when nothing is left. The copy shares widget/title strings
 * (free with prune_free, never node_free). */
static LayoutNode *prune(const LayoutNode *n, const int *skip, int *i)
{
    if (n->kind == LN_LEAF)
        return skip[(*i)++] ? NULL : (LayoutNode *)n;
    LayoutNode *c = xcalloc(1, sizeof *c);
    *c = *n;
    c->n = 0;
    c->child = xcalloc((size_t)n->n, sizeof *c->child);
    for (int k = 0; k < n->n; k++) {
        LayoutNode *ch = prune(n->child[k], skip, i);
        if (ch)
            c->child[c->n++] = ch;
    }
    if (c->n == 0) {
        free(c->child);
        free(c);
        return NULL;
    }
    return c;
}

static void prune_free(LayoutNode *c)
{
    if (!c || c->kind == LN_LEAF)
        return;
    for (int k = 0; k < c->n; k++)
        prune_free(c->child[k]);
    free(c->child);
    free(c);
}

void layout_compute_without(const Layout *l, const int *skip, int h, int w, Box *boxes,
                            int nboxes)
{
    LayoutNode **leaves;
    int n = layout_leaves(l, &leaves), kept = 0;
    for (int k = 0; k < n && skip; k++)
        kept += !skip[k];
    if (!skip || kept == n || kept == 0 || n > nboxes) {
        free(leaves);
        layout_compute(l, h, w, boxes, nboxes);
        return;
    }
    int i = 0;
    Layout view = *l;
    view.root = prune(l->root, skip, &i);
    Box *sub = xcalloc((size_t)kept, sizeof *sub);
    layout_compute(&view, h, w, sub, kept);
    for (int k = 0, j = 0; k < n; k++)
        boxes[k] = skip[k] ? (Box){0, 0, 0, 0} : sub[j++];
    prune_free(view.root);
    free(sub);
    free(leaves);
}

char *layout_dump(const Layout *l, int h, int w)
{
    LayoutNode **leaves;
    int n = layout_leaves(l, &leaves);
    Box *boxes = xcalloc((size_t)(n ? n : 1), sizeof *boxes);
    layout_compute(l, h, w, boxes, n);
    Buf b = {0};
    buf_puts(&b, "");
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s %d %d %d %d\n", leaves[i]->widget, boxes[i].y, boxes[i].x,
                   boxes[i].h, boxes[i].w);
    free(boxes);
    free(leaves);
    return buf_steal(&b);
}

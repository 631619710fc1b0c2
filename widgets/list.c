/* list.c — the list helper every list widget shares (htop's Panel is the
 * model): the selection kept on the item's identity (source + key) across
 * reloads, filters and scrolling, the movement keys, the scroll position, the
 * / filter text and the Space marks. A widget supplies its rows and how to
 * draw one; on each load it tells the helper where the selected item is now
 * (list_place or list_sync) and which item sits at the selection (list_pin).
 * Also frees an Intent once the screen loop has acted on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/ui/widget.h"
#include "../src/util.h"

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static void unpin(ListView *lv)
{
    free(lv->source);
    free(lv->key);
    free(lv->label);
    lv->source = lv->key = lv->label = NULL;
}

void list_free(ListView *lv)
{
    if (!lv)
        return;
    unpin(lv);
    for (int i = 0; i < lv->nmarks; i++) {
        free(lv->marks[i].source);
        free(lv->marks[i].key);
    }
    free(lv->expect_gone);
    free(lv->filter);
    memset(lv, 0, sizeof *lv);
}

void list_clamp(ListView *lv, int n, int page)
{
    if (page < 1)
        page = 1;
    lv->n = n < 0 ? 0 : n;
    lv->page = page;
    if (n <= 0) {
        lv->sel = lv->top = 0;
        return;
    }
    if (lv->sel >= n)
        lv->sel = n - 1;
    if (lv->sel < 0)
        lv->sel = 0;
    if (lv->top > lv->sel)
        lv->top = lv->sel;
    if (lv->sel >= lv->top + page)
        lv->top = lv->sel - page + 1;
    if (lv->top > n - page)
        lv->top = n - page > 0 ? n - page : 0;
    if (lv->top < 0)
        lv->top = 0;
}

HandlerResult list_move(ListView *lv, Action act, int paged)
{
    int sel = lv->sel, top = lv->top;
    int page = lv->page < 1 ? 1 : lv->page;
    switch (act) {
    case ACT_UP:
        lv->sel--;
        break;
    case ACT_DOWN:
        lv->sel++;
        break;
    case ACT_PGUP:
        lv->sel -= page;
        lv->top -= page;
        break;
    case ACT_PGDN:
        lv->sel += page;
        lv->top += page;
        break;
    case ACT_TOP:
        lv->sel = 0;
        break;
    case ACT_BOTTOM:
        lv->sel = lv->n - 1;
        break;
    default:
        return HR_IGNORED;
    }
    list_clamp(lv, lv->n, page);
    if (lv->sel == sel && lv->top == top)
        return HR_HANDLED;
    lv->moved = 1;           /* the position decides until the next pin */
    lv->picked = 1;          /* from now on the selection follows its item */
    lv->notice[0] = '\0';
    return paged && lv->top != top ? HR_RELOAD : HR_REDRAW;
}

int list_wanted(const ListView *lv, const char **source, const char **key)
{
    if (!lv->picked || lv->moved || !lv->source || !lv->key)
        return 0;
    *source = lv->source;
    *key = lv->key;
    return 1;
}

/* Was the pinned item one the user acted on (resolved, snoozed)? */
static int expected(const ListView *lv)
{
    if (!lv->expect_gone || !lv->source || !lv->key)
        return 0;
    size_t n = strlen(lv->source);
    return strncmp(lv->expect_gone, lv->source, n) == 0 && lv->expect_gone[n] == '\n' &&
           strcmp(lv->expect_gone + n + 1, lv->key) == 0;
}

void list_place(ListView *lv, int pos, int n, int page)
{
    const char *s, *k;
    if (list_wanted(lv, &s, &k)) {
        if (pos >= 0) {
            lv->sel = pos;          /* the window stays unless the item left it */
        } else if (lv->refilter) {
            lv->sel = lv->top = 0;          /* the filter left it out: no news */
        } else if (!expected(lv)) {
            char what[80];
            snprintf(what, sizeof what, "%s", lv->label && *lv->label ? lv->label : lv->key);
            snprintf(lv->notice, sizeof lv->notice,
                     "the selected item (%s) is gone; selected the nearest row", what);
        }
    }
    lv->refilter = 0;
    list_clamp(lv, n, page);
}

void list_pin(ListView *lv, const char *source, const char *key, const char *label)
{
    lv->moved = 0;
    if (same(lv->source, source) && same(lv->key, key)) {
        free(lv->label);
        lv->label = label ? xstrdup(label) : NULL;
        return;
    }
    unpin(lv);
    if (!source || !key)
        return;
    lv->source = xstrdup(source);
    lv->key = xstrdup(key);
    lv->label = label ? xstrdup(label) : NULL;
}

void list_sync(ListView *lv, const void *rows, int n, int page, ListIdFn id)
{
    const char *s, *k, *label;
    int pos = -1;
    if (list_wanted(lv, &s, &k)) {
        for (int i = 0; i < n && pos < 0; i++) {
            const char *rs, *rk;
            id(rows, i, &rs, &rk, &label);
            if (same(rs, s) && same(rk, k))
                pos = i;
        }
    }
    list_place(lv, pos, n, page);
    list_repin(lv, rows, id);
}

void list_repin(ListView *lv, const void *rows, ListIdFn id)
{
    const char *rs, *rk, *label;
    if (lv->n <= 0 || lv->sel < 0 || lv->sel >= lv->n) {
        list_pin(lv, NULL, NULL, NULL);
        return;
    }
    id(rows, lv->sel, &rs, &rk, &label);
    list_pin(lv, rs, rk, label);
}

int list_is_sel(const ListView *lv, int i)
{
    return lv->n > 0 && i == lv->sel;
}

static int mark_index(const ListView *lv, const char *source, const char *key)
{
    for (int i = 0; i < lv->nmarks; i++)
        if (same(lv->marks[i].source, source) && same(lv->marks[i].key, key))
            return i;
    return -1;
}

int list_marked(const ListView *lv, const char *source, const char *key)
{
    return mark_index(lv, source, key) >= 0;
}

void list_toggle_mark(ListView *lv, const char *source, const char *key)
{
    if (!source || !key)
        return;
    int i = mark_index(lv, source, key);
    if (i >= 0) {
        free(lv->marks[i].source);
        free(lv->marks[i].key);
        lv->marks[i] = lv->marks[--lv->nmarks];
    } else if (lv->nmarks < INTENT_MAX_ITEMS) {
        lv->marks[lv->nmarks].source = xstrdup(source);
        lv->marks[lv->nmarks].key = xstrdup(key);
        lv->nmarks++;
    }
}

int list_take(ListView *lv, Intent *out, const char *source, const char *key)
{
    out->n = 0;
    if (lv->nmarks > 0) {
        for (int i = 0; i < lv->nmarks; i++) {
            out->sources[out->n] = lv->marks[i].source;
            out->keys[out->n++] = lv->marks[i].key;
        }
        lv->nmarks = 0;
    } else if (source && key) {
        out->sources[0] = xstrdup(source);
        out->keys[0] = xstrdup(key);
        out->n = 1;
    }
    /* the selected item leaving the list after this is what the user asked for */
    for (int i = 0; i < out->n; i++)
        if (same(out->sources[i], lv->source) && same(out->keys[i], lv->key)) {
            free(lv->expect_gone);
            lv->expect_gone = xasprintf("%s\n%s", lv->source, lv->key);
        }
    return out->n;
}

void list_set_filter(ListView *lv, const char *text)
{
    free(lv->filter);
    lv->filter = text && *text ? xstrndup(text, 200) : NULL;
    lv->notice[0] = '\0';
    /* the item keeps the selection when it still matches; else the first row */
    lv->sel = lv->top = 0;
    lv->refilter = 1;
}

void list_position(const ListView *lv, char *buf, size_t n)
{
    if (!n)
        return;
    if (lv->n <= 0)
        buf[0] = '\0';
    else
        snprintf(buf, n, "%d/%d%s", lv->sel + 1, lv->n, lv->more ? "+" : "");
}

void list_take_notice(ListView *lv, char *buf, size_t n)
{
    if (n)
        snprintf(buf, n, "%s", lv->notice);
    lv->notice[0] = '\0';
}

void intent_clear(Intent *in)
{
    if (!in)
        return;
    for (int i = 0; i < in->n && i < INTENT_MAX_ITEMS; i++) {
        free(in->sources[i]);
        free(in->keys[i]);
    }
    free(in->text);
    memset(in, 0, sizeof *in);
}

/* list.c — what list widgets share: the scrolling selection (moved by the
 * pane actions j/k, PgUp/PgDn, g/G) and freeing an Intent once the screen
 * loop has acted on it. */
#include <stdlib.h>
#include <string.h>
#include "../src/ui/widget.h"

void listsel_clamp(ListSel *ls, int n, int page)
{
    if (page < 1)
        page = 1;
    if (n <= 0) {
        ls->sel = ls->top = 0;
        return;
    }
    if (ls->sel >= n)
        ls->sel = n - 1;
    if (ls->sel < 0)
        ls->sel = 0;
    if (ls->top > ls->sel)
        ls->top = ls->sel;
    if (ls->sel >= ls->top + page)
        ls->top = ls->sel - page + 1;
    if (ls->top > n - page)
        ls->top = n - page > 0 ? n - page : 0;
    if (ls->top < 0)
        ls->top = 0;
}

int listsel_move(ListSel *ls, Action act, int n, int page)
{
    ListSel old = *ls;
    if (page < 1)
        page = 1;
    switch (act) {
    case ACT_UP:
        ls->sel--;
        break;
    case ACT_DOWN:
        ls->sel++;
        break;
    case ACT_PGUP:
        ls->sel -= page;
        ls->top -= page;
        break;
    case ACT_PGDN:
        ls->sel += page;
        ls->top += page;
        break;
    case ACT_TOP:
        ls->sel = 0;
        break;
    case ACT_BOTTOM:
        ls->sel = n - 1;
        break;
    default:
        return 0;
    }
    listsel_clamp(ls, n, page);
    return ls->sel != old.sel || ls->top != old.top;
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

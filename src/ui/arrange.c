/* arrange.c — focus and the arrangement: Tab/Shift-Tab, h/l and arrows to
 * the neighbouring pane, 1-9; zoom; H/J/K/L (and Shift-arrows) swap the
 * focused card with its neighbour; +/- resize, x hides, a adds back, S saves;
 * [ and ] cycle layouts; R refreshes. Every change goes through the layout
 * tree, so the arrangement is always something `S` can write down. */
#include "ui_internal.h"

#include <stdlib.h>
#include <string.h>

enum { DIR_LEFT, DIR_DOWN, DIR_UP, DIR_RIGHT };

static void set_focus(Ui *ui, int i)
{
    if (i < 0 || i >= ui->npanes || i == ui->focus)
        return;
    Pane *old = ui_focused(ui);
    if (old)
        old->need_draw = 1;
    ui->focus = i;
    ui->panes[i]->need_draw = 1;
    if (ui->zoom)
        ui_relayout(ui);
}

/* The nearest pane in a direction that overlaps the focused one sideways,
 * in the unzoomed geometry; -1 when there is none. */
static int neighbour(Ui *ui, int dir)
{
    int n = ui->npanes, best = -1;
    long best_dist = 0, best_overlap = 0;
    Box *b = xcalloc((size_t)(n ? n : 1), sizeof *b);
    layout_compute(ui->layout, ui->rows - 1, ui->cols, b, n);
    Box c = b[ui->focus];
    for (int j = 0; j < n && c.h > 0; j++) {
        if (j == ui->focus || b[j].h == 0)
            continue;
        long dist, lo, hi;
        int horizontal = dir == DIR_LEFT || dir == DIR_RIGHT;
        if (dir == DIR_LEFT)
            dist = c.x - (b[j].x + b[j].w);
        else if (dir == DIR_RIGHT)
            dist = b[j].x - (c.x + c.w);
        else if (dir == DIR_UP)
            dist = c.y - (b[j].y + b[j].h);
        else
            dist = b[j].y - (c.y + c.h);
        if (dist < 0)
            continue;
        if (horizontal) {
            lo = c.y > b[j].y ? c.y : b[j].y;
            hi = c.y + c.h < b[j].y + b[j].h ? c.y + c.h : b[j].y + b[j].h;
        } else {
            lo = c.x > b[j].x ? c.x : b[j].x;
            hi = c.x + c.w < b[j].x + b[j].w ? c.x + c.w : b[j].x + b[j].w;
        }
        long overlap = hi - lo;
        if (overlap <= 0)
            continue;
        if (best < 0 || dist < best_dist || (dist == best_dist && overlap > best_overlap)) {
            best = j;
            best_dist = dist;
            best_overlap = overlap;
        }
    }
    free(b);
    return best;
}

static void cycle_focus(Ui *ui, int step)
{
    for (int k = 1; k <= ui->npanes; k++) {
        int i = ((ui->focus + step * k) % ui->npanes + ui->npanes) % ui->npanes;
        if (ui->panes[i]->shown || ui->zoom) {
            set_focus(ui, i);
            return;
        }
    }
}

/* Rebuilds panes after the tree changed, keeping focus on the same widget. */
static void rebuilt(Ui *ui, void *focus_self)
{
    char *err = NULL;
    if (panes_build(ui, &err) != 0) {
        ui_set_msg(ui, 1, "%s", err);
        free(err);
    }
    for (int i = 0; i < ui->npanes; i++)
        if (ui->panes[i]->self == focus_self)
            ui->focus = i;
    ui_relayout(ui);
}

void arrange_focus_ref(Ui *ui, const char *ref)
{
    for (int i = 0; ref && i < ui->npanes; i++)
        if (strcmp(ui->panes[i]->ref, ref) == 0) {
            ui->focus = i;
            return;
        }
}

void arrange_add(Ui *ui, const char *ref)
{
    Pane *f = ui_focused(ui);
    LayoutNode *n = layout_add(ui->layout, f ? f->leaf : NULL, ref);
    ui->zoom = 0;
    rebuilt(ui, NULL);
    for (int i = 0; i < ui->npanes; i++)
        if (ui->panes[i]->leaf == n)
            set_focus(ui, i);
    ui_set_msg(ui, 0, "added %s; S saves the arrangement", ref);
}

static void move_card(Ui *ui, int dir)
{
    int j = neighbour(ui, dir);
    Pane *f = ui_focused(ui);
    if (j < 0 || !f) {
        ui_set_msg(ui, 0, "no pane on that side");
        return;
    }
    layout_swap(f->leaf, ui->panes[j]->leaf);
    rebuilt(ui, f->self);
}

static void cycle_layout(Ui *ui, int step)
{
    char **names = store_layout_names(ui->cfg);
    int n = strv_len(names), cur = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], ui->layout->name) == 0)
            cur = i;
    if (n == 0) {
        strv_free(names);
        return;
    }
    int next = cur < 0 ? 0 : ((cur + step) % n + n) % n;
    Layout *l = NULL;
    char *path = NULL, *text = NULL, *err = NULL;
    if (store_load_layout(ui->cfg, names[next], &l, &path, &text, &err) != 0) {
        ui_set_msg(ui, 1, "%s", err);
        free(err);
    } else if (ui_use_layout(ui, l, path, text) == 0) {
        ui_set_msg(ui, 0, "layout %s", names[next]);
    }
    strv_free(names);
}

static void save(Ui *ui)
{
    char *path = NULL, *err = NULL;
    if (store_save(ui, &path, &err) != 0)
        ui_set_msg(ui, 1, "save: %s", err);
    else
        ui_set_msg(ui, 0, "saving the arrangement to %s", path);
    free(path);
    free(err);
}

void arrange_action(Ui *ui, UiAction a)
{
    Pane *f = ui_focused(ui);
    if (!f)
        return;
    switch (a) {
    case UA_NEXT_PANE: cycle_focus(ui, 1); break;
    case UA_PREV_PANE: cycle_focus(ui, -1); break;
    case UA_PANE_LEFT: set_focus(ui, neighbour(ui, DIR_LEFT)); break;
    case UA_PANE_RIGHT: set_focus(ui, neighbour(ui, DIR_RIGHT)); break;
    case UA_PANE_UP: set_focus(ui, neighbour(ui, DIR_UP)); break;
    case UA_PANE_DOWN: set_focus(ui, neighbour(ui, DIR_DOWN)); break;
    case UA_ZOOM:
        ui->zoom = !ui->zoom;
        ui_relayout(ui);
        break;
    case UA_MOVE_LEFT: move_card(ui, DIR_LEFT); break;
    case UA_MOVE_DOWN: move_card(ui, DIR_DOWN); break;
    case UA_MOVE_UP: move_card(ui, DIR_UP); break;
    case UA_MOVE_RIGHT: move_card(ui, DIR_RIGHT); break;
    case UA_GROW:
    case UA_SHRINK:
        if (layout_resize(ui->layout, f->leaf, a == UA_GROW ? 1 : -1))
            ui_relayout(ui);
        else
            ui_set_msg(ui, 0, "cannot resize this pane further");
        break;
    case UA_HIDE:
        if (layout_remove(ui->layout, f->leaf) != 0) {
            ui_set_msg(ui, 0, "the last pane stays");
            break;
        }
        ui->zoom = 0;
        ui_set_msg(ui, 0, "hid %s; a adds it back, S saves", f->title);
        rebuilt(ui, NULL);
        break;
    case UA_ADD: overlay_open_picker(ui); break;
    case UA_SAVE: save(ui); break;
    case UA_NEXT_LAYOUT: cycle_layout(ui, 1); break;
    case UA_PREV_LAYOUT: cycle_layout(ui, -1); break;
    case UA_REFRESH:
        if (ui->engine) {
            engine_refresh(ui->engine, NULL);
            ui_set_msg(ui, 0, "refreshing every source");
        } else {
            ui_set_msg(ui, 1, "refresh: the fetch engine is not running");
        }
        break;
    default:
        if (a >= UA_PANE_1 && a <= UA_PANE_9) {
            int i = a - UA_PANE_1;
            if (i < ui->npanes && (ui->panes[i]->shown || ui->zoom))
                set_focus(ui, i);
        }
        break;
    }
}

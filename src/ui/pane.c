/* pane.c — panes: a layout leaf, the widget instance drawn in it and its
 * curses windows. A leaf's `widget:` is resolved against mc.yaml's widgets:
 * (an id, a number, or the first entry of a type; else the type with its
 * default options). Rebuilding after a layout edit reuses the instances of
 * widgets that are still shown, so selections and filters survive moves.
 * Drawing a pane = its border (title, count, data age, failing mark) and
 * the widget's draw into the inner window, then wnoutrefresh. */
#include "ui_internal.h"

#include <stdlib.h>
#include <string.h>
#include "../draw/draw.h"

static const YNode *entry_at(const Config *cfg, int i)
{
    const YNode *w = cfg->widgets;
    return w && w->type == YN_SEQ && i >= 0 && i < w->n ? w->items[i] : NULL;
}

static const char *entry_str(const YNode *e, const char *key)
{
    const YNode *v = ynode_get(e, key);
    return v && v->type == YN_SCALAR ? v->scalar : NULL;
}

/* The options a widget sees: the entry's map without the screen's own "id". */
static YNode *opts_copy(const YNode *map)
{
    if (!map || map->type != YN_MAP)
        return NULL;
    YNode *c = xcalloc(1, sizeof *c);
    *c = *map;
    c->keys = xcalloc((size_t)(map->n ? map->n : 1), sizeof *c->keys);
    c->items = xcalloc((size_t)(map->n ? map->n : 1), sizeof *c->items);
    c->n = 0;
    for (int i = 0; i < map->n; i++) {
        if (map->keys[i]->scalar && strcmp(map->keys[i]->scalar, "id") == 0)
            continue;
        c->keys[c->n] = map->keys[i];
        c->items[c->n++] = map->items[i];
    }
    return c;
}

static void opts_free(YNode *c)
{
    if (c) {
        free(c->keys);
        free(c->items);
        free(c);
    }
}

int ui_check_widgets(const Config *cfg, char **err)
{
    const YNode *w = cfg->widgets;
    if (!w)
        return 0;
    if (w->type != YN_SEQ)
        return ynode_error(w, err, "widgets: expected a list of {type: NAME, ...}");
    for (int i = 0; i < w->n; i++) {
        const YNode *e = w->items[i];
        if (e->type != YN_MAP)
            return ynode_error(e, err, "widgets: each entry is a map like {type: blockers}");
        const YNode *t = ynode_get(e, "type");
        if (!t || t->type != YN_SCALAR)
            return ynode_error(t ? t : e, err, "widget needs 'type:' (one of: %s)", widget_names());
        const WidgetClass *cls = widget_class_find(t->scalar);
        if (!cls) {
            char *hint = ynode_did_you_mean(t->scalar, widget_names());
            ynode_error(t, err, "unknown widget type '%s'%s (one of: %s)", t->scalar, hint,
                        widget_names());
            free(hint);
            return -1;
        }
        const YNode *id = ynode_get(e, "id");
        if (id && (id->type != YN_SCALAR || !id->scalar[0]))
            return ynode_error(id, err, "id: expected a name");
        for (int j = 0; id && j < i; j++) {
            const char *other = entry_str(w->items[j], "id");
            if (other && strcmp(other, id->scalar) == 0)
                return ynode_error(id, err, "widget id '%s' is used twice", id->scalar);
        }
        YNode *o = opts_copy(e);
        void *self = cls->create(o, cfg, err);
        opts_free(o);
        if (!self)
            return -1;
        cls->destroy(self);
    }
    return 0;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

int pane_resolve(const Config *cfg, const LayoutNode *leaf, const char *file,
                 const WidgetClass **cls, int *index, char **err)
{
    const char *ref = leaf->widget;
    int n = cfg->widgets && cfg->widgets->type == YN_SEQ ? cfg->widgets->n : 0;
    *index = -1;
    if (all_digits(ref)) {
        long v;
        if (parse_long(ref, 1, n > 0 ? n : 1, &v) == 0 && v <= n)
            *index = (int)v - 1;
    } else {
        for (int i = 0; i < n && *index < 0; i++) {
            const char *id = entry_str(entry_at(cfg, i), "id");
            if (id && strcmp(id, ref) == 0)
                *index = i;
        }
        for (int i = 0; i < n && *index < 0; i++) {
            const char *t = entry_str(entry_at(cfg, i), "type");
            if (t && strcmp(t, ref) == 0)
                *index = i;
        }
    }
    *cls = *index >= 0 ? widget_class_find(entry_str(entry_at(cfg, *index), "type"))
                       : widget_class_find(ref);
    if (*cls)
        return 0;
    if (all_digits(ref))
        set_err(err, "%s:%d:%d: widget %s: mc.yaml's widgets: has %d entr%s", file, leaf->line,
                leaf->col, ref, n, n == 1 ? "y" : "ies");
    else {
        char *hint = ynode_did_you_mean(ref, widget_names());
        set_err(err, "%s:%d:%d: unknown widget '%s'%s (a type: %s; an id or a number from "
                "mc.yaml's widgets:)", file, leaf->line, leaf->col, ref, hint, widget_names());
        free(hint);
    }
    return -1;
}

int ui_check_layout(const Config *cfg, const Layout *l, char **err)
{
    LayoutNode **leaves;
    int n = layout_leaves(l, &leaves), rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const WidgetClass *cls;
        int index;
        rc = pane_resolve(cfg, leaves[i], l->file, &cls, &index, err);
    }
    free(leaves);
    return rc;
}

static void pane_windows_free(Pane *p)
{
    if (p->inner)
        delwin(p->inner);
    if (p->win)
        delwin(p->win);
    p->inner = p->win = NULL;
    p->shown = 0;
}

static void pane_free(Pane *p)
{
    if (!p)
        return;
    pane_windows_free(p);
    if (p->self)
        p->cls->destroy(p->self);
    opts_free(p->opts);
    free(p->ref);
    free(p->title);
    free(p->info_error);
    free(p->load_error);
    free(p->filter);
    free(p);
}

void panes_free(Ui *ui)
{
    for (int i = 0; i < ui->npanes; i++)
        pane_free(ui->panes[i]);
    free(ui->panes);
    ui->panes = NULL;
    ui->npanes = 0;
}

static Pane *pane_new(const Config *cfg, const WidgetClass *cls, int index, char **err)
{
    Pane *p = xcalloc(1, sizeof *p);
    p->cls = cls;
    p->opts = opts_copy(entry_at(cfg, index));
    p->self = cls->create(p->opts, cfg, err);
    if (!p->self) {
        pane_free(p);
        return NULL;
    }
    p->ref = index >= 0 ? xasprintf("#%d", index) : xasprintf("type:%s", cls->name);
    p->loaded_rows = -1;
    p->need_load = p->need_draw = 1;
    return p;
}

int panes_build(Ui *ui, char **err)
{
    LayoutNode **leaves;
    int n = layout_leaves(ui->layout, &leaves);
    Pane **np = xcalloc((size_t)(n ? n : 1), sizeof *np);
    int *taken = xcalloc((size_t)(ui->npanes ? ui->npanes : 1), sizeof *taken);
    int rc = 0;
    /* reuse the instance of the same widget, preferring the same leaf */
    for (int i = 0; i < n && rc == 0; i++) {
        const WidgetClass *cls;
        int index;
        if (pane_resolve(ui->cfg, leaves[i], ui->layout->file, &cls, &index, err) != 0) {
            rc = -1;
            break;
        }
        char *ref = index >= 0 ? xasprintf("#%d", index) : xasprintf("type:%s", cls->name);
        int best = -1;
        for (int j = 0; j < ui->npanes; j++)
            if (!taken[j] && strcmp(ui->panes[j]->ref, ref) == 0 &&
                (best < 0 || ui->panes[j]->leaf == leaves[i]))
                best = j;
        free(ref);
        if (best >= 0) {
            taken[best] = 1;
            np[i] = ui->panes[best];
        } else if (!(np[i] = pane_new(ui->cfg, cls, index, err))) {
            rc = -1;
        }
    }
    if (rc != 0) {
        for (int i = 0; i < n; i++) {
            int reused = 0;
            for (int j = 0; j < ui->npanes; j++)
                reused |= np[i] == ui->panes[j];
            if (!reused)
                pane_free(np[i]);
        }
        free(np);
        free(taken);
        free(leaves);
        return -1;
    }
    for (int j = 0; j < ui->npanes; j++)
        if (!taken[j])
            pane_free(ui->panes[j]);
    for (int i = 0; i < n; i++) {
        Pane *p = np[i];
        p->leaf = leaves[i];
        const char *t = leaves[i]->title;
        long index = -1;
        if (p->ref[0] == '#' && parse_long(p->ref + 1, 0, 1L << 20, &index) != 0)
            index = -1;
        if (!t && index >= 0)
            t = entry_str(entry_at(ui->cfg, (int)index), "title");
        free(p->title);
        p->title = xstrdup(t ? t : p->cls->title);
    }
    free(ui->panes);
    ui->panes = np;
    ui->npanes = n;
    if (ui->focus >= n)
        ui->focus = n - 1;
    if (ui->focus < 0)
        ui->focus = 0;
    free(taken);
    free(leaves);
    return 0;
}

Pane *ui_focused(Ui *ui)
{
    return ui->focus >= 0 && ui->focus < ui->npanes ? ui->panes[ui->focus] : NULL;
}

/* Creates the windows of every pane from the geometry (or the zoomed pane). */
void panes_place(Ui *ui)
{
    int h = ui->rows - 1, w = ui->cols;
    Box *boxes = xcalloc((size_t)(ui->npanes ? ui->npanes : 1), sizeof *boxes);
    if (ui->zoom && ui_focused(ui)) {
        boxes[ui->focus] = (Box){0, 0, h, w};
    } else if (ui->layout->skip_unfed) {  /* panes no configured source feeds are left out */
        int *skip = xcalloc((size_t)(ui->npanes ? ui->npanes : 1), sizeof *skip);
        for (int i = 0; i < ui->npanes; i++)
            skip[i] = pane_unfed(ui, ui->panes[i], NULL, 0);
        layout_compute_without(ui->layout, skip, h, w, boxes, ui->npanes);
        free(skip);
    } else {
        layout_compute(ui->layout, h, w, boxes, ui->npanes);
    }
    for (int i = 0; i < ui->npanes; i++) {
        Pane *p = ui->panes[i];
        Box b = ui->too_small ? (Box){0, 0, 0, 0} : boxes[i];
        int same = p->win && b.y == p->box.y && b.x == p->box.x && b.h == p->box.h && b.w == p->box.w;
        p->box = b;
        if (!same)
            pane_windows_free(p);
        if (b.h < LAYOUT_MIN_H || b.w < LAYOUT_MIN_W)
            continue;
        if (!p->win) {
            /* a window inside stdscr, sharing its cells: a window of its
             * own would hold a second copy of the screen (issue 13: 131 KB
             * at 120x40) */
            p->win = derwin(stdscr, b.h, b.w, b.y, b.x);
            p->inner = p->win ? derwin(p->win, b.h - 2, b.w - 2, 1, 1) : NULL;
            if (!p->inner) {
                pane_windows_free(p);
                continue;
            }
        }
        p->shown = 1;
        p->need_draw = 1;
        if (p->loaded_rows != b.h - 2)
            p->need_load = 1;
    }
    free(boxes);
    /* a focus that the geometry hid moves to the first pane shown */
    if (!ui->zoom && ui->npanes > 0 && !ui->panes[ui->focus]->shown)
        for (int i = 0; i < ui->npanes; i++)
            if (ui->panes[i]->shown) {
                ui->focus = i;
                break;
            }
}

WidgetEnv ui_env(const Ui *ui)
{
    return (WidgetEnv){ui->cache, ui->cfg, now_ms(), ui->ascii};
}

void pane_load(Ui *ui, Pane *p)
{
    WidgetEnv env = ui_env(ui);
    char *err = NULL;
    int rows = p->inner ? getmaxy(p->inner) : 1;
    p->need_load = 0;
    p->need_draw = 1;
    p->loaded_rows = rows;
    if (p->cls->load(p->self, &env, rows, &err) != 0) {
        if (!p->load_error || !err || strcmp(p->load_error, err) != 0)
            ui_set_msg(ui, 1, "%s: %s", p->title, err ? err : "cannot read the cache");
        free(p->load_error);
        p->load_error = err ? err : xstrdup("cannot read the cache");
        return;
    }
    free(p->load_error);
    p->load_error = NULL;
    free(err);
    ListView *lv = p->cls->list ? p->cls->list(p->self) : NULL;
    char notice[200] = "";
    if (lv)
        list_take_notice(lv, notice, sizeof notice);
    if (notice[0])                       /* e.g. the selected item is gone */
        ui_set_msg(ui, 0, "%s: %s", p->title, notice);
}

void pane_draw(Ui *ui, Pane *p, int64_t now)
{
    if (!p->shown || !p->win)
        return;
    int focused = ui->panes[ui->focus] == p;
    p->info.focused = focused;
    char tnote[64] = "", title[160], age[24] = "", note[64];
    if (p->cls->title_note)
        p->cls->title_note(p->self, tnote, sizeof tnote);
    int num = 0;
    for (int i = 0; i < ui->npanes; i++)
        if (ui->panes[i] == p)
            num = i + 1;
    /* the failing mark leads the title: it survives when a narrow pane has
     * no room for the note, and it is text, so it shows without colour */
    const char *mark = p->info.failing || p->load_error ? "! " : "";
    if (tnote[0])
        snprintf(title, sizeof title, "%s%d %s (%s)", mark, num, p->title, tnote);
    else
        snprintf(title, sizeof title, "%s%d %s", mark, num, p->title);
    if (p->info.data_age_ms >= 0)
        coarse_age(p->info.data_age_ms, age, sizeof age);
    snprintf(note, sizeof note, "%s%s", p->info.stale ? "stale " : "", age);
    Role border = p->info.failing || p->load_error ? ROLE_CRIT
                  : p->info.stale                  ? ROLE_WARN
                  : focused                        ? ROLE_BORDER_FOCUS
                                                   : ROLE_BORDER;
    Role note_role = p->info.failing ? ROLE_CRIT : p->info.stale ? ROLE_WARN : ROLE_DIM;
    werase(p->win);
    if (focused)
        draw_box_heavy(p->win, border, title, ROLE_SELECTED, note, note_role);
    else
        draw_box(p->win, border, title, ROLE_TITLE, note, note_role);
    WidgetEnv env = ui_env(ui);
    env.now_ms = now;
    char why[128];
    if (pane_unfed(ui, p, why, sizeof why)) {   /* say why it is empty, not "no data yet" */
        int W = getmaxx(p->inner), H = getmaxy(p->inner), tw = text_width(why);
        werase(p->inner);
        draw_text(p->inner, H > 2 ? H / 2 - 1 + (H % 2) : 0, tw < W ? (W - tw) / 2 : 0, W, ROLE_DIM, why);
    } else {
        p->cls->draw(p->self, p->inner, &env, &p->info);
    }
    ListView *lv = p->cls->list ? p->cls->list(p->self) : NULL;
    char at[32] = "", pos[40];
    if (lv)
        list_position(lv, at, sizeof at);
    int pw = snprintf(pos, sizeof pos, " %s ", at), W = getmaxx(p->win);
    if (at[0] && pw + 4 <= W)            /* " 12/340 " on the bottom border, right */
        draw_text(p->win, getmaxy(p->win) - 1, W - 2 - pw, pw, ROLE_DIM, pos);
    touchwin(p->win);
    wnoutrefresh(p->win);
    p->need_draw = 0;
}

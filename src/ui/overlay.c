/* overlay.c — what is drawn over the panes: the detail view (a row's full
 * text, wrapped, or a pane's sources and their errors), the help with the
 * bindings in force, the picker of hidden panes, and the status line at the
 * bottom with messages, errors and the one-line prompts (note, filter). */
#include "ui_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include "../draw/draw.h"

static void overlay_free_content(Ui *ui)
{
    free(ui->ov_title);
    free(ui->ov_text);
    text_lines_free(ui->ov_lines);
    for (int i = 0; i < ui->pick_n; i++) {
        free(ui->pick_refs[i]);
        free(ui->pick_labels[i]);
    }
    free(ui->pick_refs);
    free(ui->pick_labels);
    ui->ov_title = ui->ov_text = NULL;
    ui->ov_lines = ui->pick_refs = ui->pick_labels = NULL;
    ui->ov_n = ui->ov_top = ui->pick_n = ui->pick_sel = 0;
}

void overlay_close(Ui *ui)
{
    if (ui->overlay)
        delwin(ui->overlay);
    ui->overlay = NULL;
    overlay_free_content(ui);
    ui->mode = MODE_NORMAL;
    ui_mark_all(ui, 0);
}

void overlay_open_text(Ui *ui, const char *title, const char *text)
{
    overlay_free_content(ui);
    ui->ov_title = xstrdup(title);
    ui->ov_text = xstrdup(text);
    ui->mode = MODE_DETAIL;
}

void overlay_open_help(Ui *ui)
{
    Buf b = {0};
    buf_puts(&b, "Keys in force (change any of them under keys: in mc.yaml, "
                 "e.g. keys: {refresh: C-r}):\n\n");
    for (int a = 1; a < UA__COUNT; a++) {
        char keys[64];
        keys_of(&ui->km, (UiAction)a, keys, sizeof keys);
        if (!keys[0])
            snprintf(keys, sizeof keys, "(none)");
        buf_printf(&b, "%-12s %-14s %s\n", keys, keys_action_name((UiAction)a),
                   keys_action_help((UiAction)a));
    }
    buf_printf(&b, "\nlayout '%s'%s%s\n", ui->layout->name, ui->layout_path ? ": " : " (built in)",
               ui->layout_path ? ui->layout_path : "");
    buf_printf(&b, "config: %s\ncache: %s\n", ui->cfg->path, ui->cfg->cache_path);
    overlay_free_content(ui);
    ui->ov_title = xstrdup("Help");
    ui->ov_text = buf_steal(&b);
    ui->mode = MODE_HELP;
}

static int placed(Ui *ui, const char *ref, const WidgetClass *cls)
{
    for (int i = 0; i < ui->npanes; i++)
        if ((ref && strcmp(ui->panes[i]->ref, ref) == 0) || (cls && ui->panes[i]->cls == cls))
            return 1;
    return 0;
}

static void pick_add(Ui *ui, char *ref, char *label)
{
    ui->pick_refs = xrealloc(ui->pick_refs, (size_t)(ui->pick_n + 1) * sizeof *ui->pick_refs);
    ui->pick_labels = xrealloc(ui->pick_labels, (size_t)(ui->pick_n + 1) * sizeof *ui->pick_labels);
    ui->pick_refs[ui->pick_n] = ref;
    ui->pick_labels[ui->pick_n++] = label;
}

void overlay_open_picker(Ui *ui)
{
    overlay_free_content(ui);
    const YNode *w = ui->cfg->widgets;
    for (int i = 0; w && w->type == YN_SEQ && i < w->n; i++) {
        char ref[32];
        snprintf(ref, sizeof ref, "#%d", i);
        if (placed(ui, ref, NULL))
            continue;
        const YNode *t = ynode_get(w->items[i], "type"), *id = ynode_get(w->items[i], "id");
        const char *type = t && t->type == YN_SCALAR ? t->scalar : "?";
        if (id && id->type == YN_SCALAR)
            pick_add(ui, xstrdup(id->scalar), xasprintf("%s (%s, widgets: entry %d)", id->scalar, type, i + 1));
        else
            pick_add(ui, xasprintf("%d", i + 1), xasprintf("%s (widgets: entry %d)", type, i + 1));
    }
    for (int i = 0; widget_classes[i]; i++) {
        const WidgetClass *c = widget_classes[i];
        int configured = 0;
        for (int j = 0; w && w->type == YN_SEQ && j < w->n; j++) {
            const YNode *t = ynode_get(w->items[j], "type");
            configured |= t && t->type == YN_SCALAR && strcmp(t->scalar, c->name) == 0;
        }
        if (!configured && !placed(ui, NULL, c))
            pick_add(ui, xstrdup(c->name), xasprintf("%s (%s)", c->name, c->title));
    }
    if (ui->pick_n == 0) {
        ui_set_msg(ui, 0, "every widget is already shown");
        return;
    }
    ui->ov_title = xstrdup("Add a pane");
    ui->mode = MODE_PICKER;
}

/* Creates (or re-creates at a new size) the overlay window. */
static int overlay_window(Ui *ui, int h, int w)
{
    int y = (ui->rows - 1 - h) / 2, x = (ui->cols - w) / 2;
    if (ui->overlay && getmaxy(ui->overlay) == h && getmaxx(ui->overlay) == w &&
        getbegy(ui->overlay) == y && getbegx(ui->overlay) == x)
        return 0;
    if (ui->overlay)
        delwin(ui->overlay);
    ui->overlay = newwin(h, w, y < 0 ? 0 : y, x < 0 ? 0 : x);
    return ui->overlay ? 0 : -1;
}

void overlay_draw(Ui *ui)
{
    if (ui->mode != MODE_DETAIL && ui->mode != MODE_HELP && ui->mode != MODE_PICKER)
        return;
    int maxh = ui->rows - 1, w = ui->cols - 4;
    if (w > 100)
        w = 100;
    int inner = w - 4;
    if (ui->mode != MODE_PICKER) {
        text_lines_free(ui->ov_lines);
        ui->ov_n = text_wrap(ui->ov_text, inner, &ui->ov_lines);
    }
    int content = ui->mode == MODE_PICKER ? ui->pick_n : ui->ov_n;
    int h = content + 2 < maxh - 2 ? content + 2 : maxh - 2;
    if (h < 3)
        h = 3;
    if (overlay_window(ui, h, w) != 0)
        return;
    int page = h - 2;
    if (ui->mode == MODE_PICKER) {
        if (ui->pick_sel < ui->ov_top)
            ui->ov_top = ui->pick_sel;
        if (ui->pick_sel >= ui->ov_top + page)
            ui->ov_top = ui->pick_sel - page + 1;
    }
    if (ui->ov_top > content - page)
        ui->ov_top = content - page;
    if (ui->ov_top < 0)
        ui->ov_top = 0;
    const char *hint = ui->mode == MODE_PICKER ? "Enter add  Esc cancel"
                       : ui->mode == MODE_HELP ? "Esc close  j/k scroll"
                                               : "Esc close  j/k scroll  y copy";
    werase(ui->overlay);
    draw_box_heavy(ui->overlay, ROLE_BORDER_FOCUS, ui->ov_title, ROLE_TITLE, hint, ROLE_DIM);
    for (int i = 0; i < page && ui->ov_top + i < content; i++) {
        int row = ui->ov_top + i;
        if (ui->mode == MODE_PICKER) {
            Role r = row == ui->pick_sel ? ROLE_SELECTED : ROLE_NORMAL;
            draw_fill(ui->overlay, 1 + i, 1, w - 2, r);
            draw_text(ui->overlay, 1 + i, 2, inner, r, ui->pick_labels[row]);
        } else {
            draw_text(ui->overlay, 1 + i, 2, inner, ROLE_NORMAL, ui->ov_lines[row]);
        }
    }
    if (content > page) {
        char more[48];
        snprintf(more, sizeof more, "%d-%d/%d", ui->ov_top + 1,
                 ui->ov_top + page < content ? ui->ov_top + page : content, content);
        draw_text_right(ui->overlay, h - 1, w - 2, w / 2, ROLE_DIM, more);
    }
    touchwin(ui->overlay);
    wnoutrefresh(ui->overlay);
}

void overlay_key(Ui *ui, UiAction a, int key)
{
    int page = ui->overlay ? getmaxy(ui->overlay) - 2 : 10;
    int *pos = ui->mode == MODE_PICKER ? &ui->pick_sel : &ui->ov_top;
    int n = ui->mode == MODE_PICKER ? ui->pick_n : ui->ov_n;
    switch (a) {
    case UA_UP: (*pos)--; break;
    case UA_DOWN: (*pos)++; break;
    case UA_PGUP: *pos -= page; break;
    case UA_PGDN: *pos += page; break;
    case UA_TOP: *pos = 0; break;
    case UA_BOTTOM: *pos = n; break;
    case UA_COPY:
        if (ui->mode == MODE_DETAIL)
            ui_copy(ui, ui->ov_text, 1);    /* the full text was asked */
        return;
    case UA_DETAIL:
        if (ui->mode == MODE_PICKER && ui->pick_n > 0) {
            char *ref = xstrdup(ui->pick_refs[ui->pick_sel]);
            overlay_close(ui);
            arrange_add(ui, ref);
            free(ref);
            return;
        }
        overlay_close(ui);
        return;
    case UA_CLOSE:
    case UA_QUIT:
    case UA_HELP:
        overlay_close(ui);
        return;
    default:
        if (key == 27)
            overlay_close(ui);
        return;
    }
    if (ui->mode == MODE_PICKER) {
        if (*pos >= n)
            *pos = n - 1;
        if (*pos < 0)
            *pos = 0;
    } else if (*pos < 0) {
        *pos = 0;
    }
    overlay_draw(ui);
}

void prompt_open(Ui *ui, PromptKind kind)
{
    ui->mode = MODE_PROMPT;
    ui->prompt_kind = kind;
    ui->prompt[0] = '\0';
    curs_set(1);
}

void pane_filter(Ui *ui, Pane *p, const char *text)
{
    if (!p->cls->set_filter) {
        ui_set_msg(ui, 0, "%s has no filter: nothing filtered", p->title);
        return;
    }
    int had = p->filter != NULL;
    free(p->filter);
    p->filter = text && *text ? xstrdup(text) : NULL;
    p->cls->set_filter(p->self, p->filter);
    p->need_load = 1;
    if (p->filter)
        ui_set_msg(ui, 0, "filter: %s (Esc clears it)", p->filter);
    else if (had)
        ui_set_msg(ui, 0, "filter cleared");
}

static void prompt_done(Ui *ui, int accept)
{
    ui->mode = MODE_NORMAL;
    curs_set(0);
    Pane *p = ui_focused(ui);
    if (ui->prompt_kind == PROMPT_NOTE) {
        if (accept) {
            free(ui->pending.text);
            ui->pending.text = xstrdup(ui->prompt);
            ui->pending.want_note = 0;
            ui_intent(ui, &ui->pending);
        }
        intent_clear(&ui->pending);
    } else if (p && (accept || p->filter)) {
        pane_filter(ui, p, accept ? ui->prompt : NULL);   /* Esc clears an applied one */
    }
}

void prompt_key(Ui *ui, int key)
{
    size_t len = strlen(ui->prompt);
    if (key == '\n') {
        prompt_done(ui, 1);
    } else if (key == 27 || keymap_lookup(&ui->km, key) == UA_CLOSE) {
        prompt_done(ui, 0);
    } else if (key == (KEYS_FN | KEY_BACKSPACE)) {
        while (len > 0 && ((unsigned char)ui->prompt[len - 1] & 0xc0) == 0x80)
            len--;
        if (len > 0)
            len--;
        ui->prompt[len] = '\0';
    } else if (key == 21) {              /* C-u */
        ui->prompt[0] = '\0';
    } else if (!(key & KEYS_FN) && key >= 0x20 && key != 0x7f && (key < 0x80 || key > 0x9f)) {
        char mb[MB_LEN_MAX];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t n = wcrtomb(mb, (wchar_t)key, &st);
        if (n != (size_t)-1 && len + n < sizeof ui->prompt - 1) {
            memcpy(ui->prompt + len, mb, n);
            ui->prompt[len + n] = '\0';
        }
    }
}

/* s with $HOME/ written as ~/ (messages carry long paths). New string. */
static char *tilde(const char *s)
{
    const char *home = getenv("HOME");
    size_t hl = home ? strlen(home) : 0;
    if (hl < 2)
        return xstrdup(s);
    Buf b = {0};
    buf_puts(&b, "");
    for (const char *p = s; *p;) {
        if (strncmp(p, home, hl) == 0 && p[hl] == '/') {
            buf_putc(&b, '~');
            p += hl;
        } else {
            buf_putc(&b, *p++);
        }
    }
    return buf_steal(&b);
}

void status_draw(Ui *ui, int force)
{
    if (!ui->status || ui->too_small)
        return;
    char right[128], clock[16];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(clock, sizeof clock, "%H:%M", &tm);
    snprintf(right, sizeof right, "%s%s  %s", ui->zoom ? "zoom  " : "", ui->layout->name, clock);
    Role lrole = ROLE_STATUS;
    char *left;
    if (ui->mode == MODE_PROMPT) {
        Pane *fp = ui_focused(ui);
        const char *what = ui->prompt_kind == PROMPT_NOTE ? "note (Enter resolves, Esc cancels)"
                           : fp && !fp->cls->set_filter ? "filter (this pane has none; Esc cancels)"
                                                        : "filter";
        left = xasprintf("%s: %s", what, ui->prompt);
    } else if (ui->msg) {
        left = tilde(ui->msg);
        lrole = ui->msg_err ? ROLE_CRIT : ROLE_STATUS;
    } else if (ui->cfg_error) {
        left = tilde(ui->cfg_error);
        lrole = ROLE_CRIT;
    } else {
        char help[32], quit[32];
        keys_of(&ui->km, UA_HELP, help, sizeof help);
        keys_of(&ui->km, UA_QUIT, quit, sizeof quit);
        left = xasprintf("%s help  %s quit", help, quit);
    }
    char badge[64];
    Role brole = ROLE_STATUS;
    int has_badge = ui->mode != MODE_PROMPT && badge_text(ui, badge, sizeof badge, &brole);
    char *key = xasprintf("%d|%d|%s|%s|%s", ui->cols, lrole, left, right, has_badge ? badge : "");
    if (!force && ui->status_drawn && strcmp(key, ui->status_drawn) == 0 && ui->mode != MODE_PROMPT) {
        free(key);
        free(left);
        return;
    }
    free(ui->status_drawn);
    ui->status_drawn = key;
    werase(ui->status);
    draw_fill(ui->status, 0, 0, ui->cols, ROLE_STATUS);
    int rw = text_width(right);
    int bw = has_badge ? text_width(badge) : 0;
    if (bw && ui->cols - rw - bw - 4 >= 12) {     /* the alerts badge, left of the layout name */
        draw_text(ui->status, 0, ui->cols - 1 - rw - 2 - bw, bw, brole, badge);
        rw += bw + 2;
    }
    int lmax = ui->cols - rw - 3;
    int used = draw_text(ui->status, 0, 1, lmax > 0 ? lmax : 0, lrole, left);
    if (lmax > 0)
        draw_text_right(ui->status, 0, ui->cols - 1, rw, ROLE_STATUS, right);
    if (ui->mode == MODE_PROMPT)
        wmove(ui->status, 0, 1 + used < ui->cols ? 1 + used : ui->cols - 1);
    wnoutrefresh(ui->status);
    free(left);
}

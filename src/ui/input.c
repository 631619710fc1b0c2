/* input.c — one key press, from the key map to its effect: the prompt and
 * overlays take keys first; pane actions (j/k, PgUp/PgDn, g/G, r, n, u, s,
 * Space, y) go to the focused widget as an Action; Enter, /, e and ? are the
 * loop's own views (e: the pane's sources, and the newest backup's age when
 * backup: is set); the rest rearranges (arrange.c). */
#include "ui_internal.h"

#include <stdlib.h>
#include <string.h>
#include "../backup.h"
#include "../draw/draw.h"

static Action pane_action(UiAction a)
{
    switch (a) {
    case UA_UP: return ACT_UP;
    case UA_DOWN: return ACT_DOWN;
    case UA_PGUP: return ACT_PGUP;
    case UA_PGDN: return ACT_PGDN;
    case UA_TOP: return ACT_TOP;
    case UA_BOTTOM: return ACT_BOTTOM;
    case UA_RESOLVE: return ACT_RESOLVE;
    case UA_RESOLVE_NOTE: return ACT_RESOLVE_NOTE;
    case UA_UNDO: return ACT_UNDO;
    case UA_SNOOZE: return ACT_SNOOZE;
    case UA_MARK: return ACT_MARK;
    case UA_COPY: return ACT_COPY;
    case UA_ACK: return ACT_ACK;
    default: return ACT_NONE;
    }
}

/* The pane's sources and their states, as a detail view. */
static void show_sources(Ui *ui, Pane *p)
{
    Buf b = {0};
    if (p->load_error)
        buf_printf(&b, "Reading the cache failed: %s\n\n", p->load_error);
    pane_sources_text(ui, p, &b);
    if (ui->cfg->backup.configured) {        /* the age of the newest backup, as mc check says it */
        char status[128];
        backup_status(&ui->cfg->backup, status, sizeof status);
        buf_printf(&b, "\nbackups: %s: %s\n", ui->cfg->backup.dir, status);
    }
    char *title = xasprintf("%s: sources", p->title);
    overlay_open_text(ui, title, b.s ? b.s : "");
    free(title);
    buf_free(&b);
}

/* Enter: the selected row in full, or the pane's sources when none. */
static void show_detail(Ui *ui, Pane *p)
{
    Buf b = {0};
    if (!p->cls->detail || p->cls->detail(p->self, &b) != 0) {
        buf_free(&b);
        show_sources(ui, p);
        return;
    }
    if (p->info.failing || p->info.stale || p->load_error) {
        buf_puts(&b, "\n\n-- sources --\n");
        pane_sources_text(ui, p, &b);
    }
    char *title = xasprintf("%s: detail", p->title);
    overlay_open_text(ui, title, b.s ? b.s : "");
    free(title);
    buf_free(&b);
}

/* What the loop does after a widget's key handler returned r. */
static void widget_result(Ui *ui, Pane *p, HandlerResult r, Intent *inp);

static void widget_action(Ui *ui, Pane *p, UiAction ua)
{
    Intent in;
    memset(&in, 0, sizeof in);
    Action act = pane_action(ua);
    HandlerResult r = p->cls->key ? p->cls->key(p->self, act, &in) : HR_IGNORED;
    if (r == HR_IGNORED) {
        intent_clear(&in);
        if (act == ACT_COPY) {          /* no copy of its own: copy the detail text */
            Buf b = {0};
            if (p->cls->detail && p->cls->detail(p->self, &b) == 0)
                ui_copy(ui, b.s, 0);
            else
                ui_set_msg(ui, 0, "nothing selected to copy");
            buf_free(&b);
        } else if (act >= ACT_RESOLVE) {
            ui_set_msg(ui, 0, "%s: not available in %s", keys_action_name(ua), p->title);
        }
        return;
    }
    widget_result(ui, p, r, &in);
}

/* A key that is ack's and another action's (a: ack in the alerts pane, add
 * elsewhere): the focused pane gets it first. 1 when the pane took it. */
static int pane_first(Ui *ui, Pane *p, UiAction a, int key)
{
    if (a == UA_ACK || !p->cls->key || !keymap_has(&ui->km, UA_ACK, key))
        return 0;
    Intent in;
    memset(&in, 0, sizeof in);
    HandlerResult r = p->cls->key(p->self, ACT_ACK, &in);
    if (r == HR_IGNORED) {
        intent_clear(&in);
        return 0;
    }
    widget_result(ui, p, r, &in);
    return 1;
}

static void widget_result(Ui *ui, Pane *p, HandlerResult r, Intent *inp)
{
    switch (r) {
    case HR_IGNORED:
    case HR_HANDLED:
        intent_clear(inp);
        break;
    case HR_RELOAD:
        p->need_load = 1;
        /* fall through */
    case HR_REDRAW:
        p->need_draw = 1;
        intent_clear(inp);
        break;
    case HR_INTENT:
        p->need_draw = 1;
        ui_intent(ui, inp);
        break;
    case HR_QUIT:
        intent_clear(inp);
        ui->quit = 1;
        break;
    }
}

void ui_key(Ui *ui, int key)
{
    if (key == (KEYS_FN | KEY_RESIZE))
        return;                          /* handled through SIGWINCH */
    UiAction a = keymap_lookup(&ui->km, key);
    if (ui->too_small) {
        if (a == UA_QUIT)
            ui->quit = 1;
        return;
    }
    if (ui->mode == MODE_PROMPT) {
        prompt_key(ui, key);
        return;
    }
    if (ui->mode != MODE_NORMAL) {
        overlay_key(ui, a, key);
        return;
    }
    Pane *p = ui_focused(ui);
    if (!p)
        return;
    if (ui->msg && ui->msg_until == 0)
        ui_clear_msg(ui);                /* a sticky message goes with the next key */
    if (pane_first(ui, p, a, key))
        return;
    switch (a) {
    case UA_NONE:
        break;
    case UA_QUIT:
        ui->quit = 1;
        break;
    case UA_HELP:
        overlay_open_help(ui);
        break;
    case UA_CLOSE:                       /* Esc: a filter goes first, then zoom */
        if (p->filter) {
            pane_filter(ui, p, NULL);
        } else if (ui->zoom) {
            ui->zoom = 0;
            ui_relayout(ui);
        }
        break;
    case UA_DETAIL:
        show_detail(ui, p);
        break;
    case UA_SOURCES:
        show_sources(ui, p);
        break;
    case UA_FILTER:                      /* always a prompt: typed letters are text, never commands */
        prompt_open(ui, PROMPT_FILTER);
        break;
    default:
        if (pane_action(a) != ACT_NONE)
            widget_action(ui, p, a);
        else
            arrange_action(ui, a);
        break;
    }
}

/* alerts.c — the alerts pane: the open alerts the engine raised (dataset
 * `alerts`, src/alerts/), crit first, then warn, then info, newest first
 * within each: severity (coloured), age since first seen, title, source.
 * Acked alerts stay hidden until they clear (the engine sets them back to
 * open only as a new transition); snoozed ones until the snooze ends. Enter
 * shows the detail; `a` (ack) and `s` (snooze) become Intents the screen
 * loop applies as short transactions (src/ui/actions_alerts.c), never here.
 * The list is small and read whole (capped); the selection follows the alert
 * (source + key) through the list helper. All text is data: the draw kit
 * sanitizes it. */
#include <stdio.h>
#include "wkit.h"

#define MAX_ALERTS 500

typedef struct ARow {
    char *source, *key, *rule, *severity, *title, *detail, *first_s, *last_s;
    int64_t first, last;
} ARow;

typedef struct Alerts {
    ARow *rows;
    int nrows;
    int counts[3];              /* shown: info, warn, crit */
    int table_empty;
    ListView lv;
} Alerts;

static void rows_drop(Alerts *a)
{
    for (int i = 0; i < a->nrows; i++) {
        ARow *r = &a->rows[i];
        free(r->source);
        free(r->key);
        free(r->rule);
        free(r->severity);
        free(r->title);
        free(r->detail);
        free(r->first_s);
        free(r->last_s);
    }
    free(a->rows);
    a->rows = NULL;
    a->nrows = 0;
    memset(a->counts, 0, sizeof a->counts);
}

static void *al_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, NULL};
    if (opts && ynode_check_keys(opts, keys, "alerts widget", err) < 0)
        return NULL;
    return xcalloc(1, sizeof(Alerts));
}

static void al_destroy(void *self)
{
    Alerts *a = self;
    if (!a)
        return;
    rows_drop(a);
    list_free(&a->lv);
    free(a);
}

static void row_id(const void *rows, int i, const char **source, const char **key,
                   const char **label)
{
    const ARow *r = (const ARow *)rows + i;
    *source = r->source;
    *key = r->key;
    *label = r->title;
}

static int sev_index(const char *s)
{
    return strcmp(s, "crit") == 0 ? 2 : strcmp(s, "warn") == 0 ? 1 : 0;
}

static int al_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Alerts *a = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    rows_drop(a);
    if (!db) {
        set_err(err, "alerts: no cache");
        return -1;
    }
    sqlite3_stmt *st = wk_prepare(db, "alerts",
        "SELECT source, key, rule, severity, title, detail, first_seen, last_seen FROM alerts"
        " WHERE state = 'open' AND coalesce(snoozed_until_ms, 0) <= ?1 ORDER BY CASE severity"
        " WHEN 'crit' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, last_seen DESC, source, key"
        " LIMIT 500", err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, env->now_ms);
    int cap = 0;   /* grown to the rows there are, not MAX_ALERTS up front */
    a->rows = xgrow(NULL, 0, &cap, sizeof *a->rows);
    int rc;
    while (a->nrows < MAX_ALERTS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        a->rows = xgrow(a->rows, a->nrows, &cap, sizeof *a->rows);
        ARow *r = &a->rows[a->nrows++];
        r->source = wk_dup(st, 0);
        r->key = wk_dup(st, 1);
        r->rule = wk_dup(st, 2);
        r->severity = wk_dup(st, 3);
        r->title = wk_dup(st, 4);
        r->detail = wk_dup(st, 5);
        r->first_s = wk_dup(st, 6);
        r->first = wk_time(st, 6);
        r->last_s = wk_dup(st, 7);
        r->last = wk_time(st, 7);
        a->counts[sev_index(r->severity)]++;
    }
    if (a->nrows == MAX_ALERTS)
        rc = SQLITE_DONE;
    if (wk_finish(db, st, rc, "alerts", err) < 0)
        return -1;
    a->table_empty = 0;
    if (a->nrows == 0) {
        st = wk_prepare(db, "alerts", "SELECT EXISTS (SELECT 1 FROM alerts)", err);
        if (!st)
            return -1;
        rc = sqlite3_step(st);
        a->table_empty = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
        if (wk_finish(db, st, rc, "alerts", err) < 0)
            return -1;
    }
    list_sync(&a->lv, a->rows, a->nrows, rows, row_id);
    return 0;
}

static Role sev_role(const char *s)
{
    int i = sev_index(s);
    return i == 2 ? ROLE_CRIT : i == 1 ? ROLE_WARN : ROLE_ACCENT;
}

/* One row: "CRIT  5m  Disk almost full on box        sys". */
static void draw_row(WINDOW *w, int y, const ARow *r, int selected, const WidgetEnv *env,
                     const PaneInfo *pane)
{
    int W = getmaxx(w);
    Role row = wk_row_role(selected, pane, ROLE_NORMAL);
    Role dim = wk_row_role(selected, pane, ROLE_DIM);
    if (row == ROLE_SELECTED)
        wk_fill(w, y, 0, W, ROLE_SELECTED);
    int i = sev_index(r->severity);
    static const char *const word[3] = {"info", "WARN", "CRIT"};
    int x = wk_cell(w, y, 0, 4, wk_row_role(selected, pane, sev_role(r->severity)), word[i]) + 1;
    if (W >= 30) {
        char age[24];
        wk_age(env->now_ms, r->first, age, sizeof age);
        wk_text_right(w, y, x + 4, 4, dim, age);
        x += 5;
    }
    int room = W - x, srcw = text_width(r->source);
    if (srcw > 16)
        srcw = 16;
    int show_src = srcw > 0 && room >= 30;
    if (show_src)
        room -= srcw + 1;
    wk_text(w, y, x, room, row, *r->title ? r->title : r->key);
    if (show_src)
        wk_text_right(w, y, W, srcw, dim, r->source);
}

static void al_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Alerts *a = self;
    werase(w);
    if (a->nrows == 0) {
        wk_empty(w, a->table_empty ? "no data yet" : "no open alerts");
        return;
    }
    int H = getmaxy(w);
    list_clamp(&a->lv, a->nrows, H);
    for (int y = 0; y < H && a->lv.top + y < a->nrows; y++)
        draw_row(w, y, &a->rows[a->lv.top + y], list_is_sel(&a->lv, a->lv.top + y), env, pane);
}

static const ARow *selected_row(const Alerts *a)
{
    return a->nrows > 0 && a->lv.sel >= 0 && a->lv.sel < a->nrows ? &a->rows[a->lv.sel] : NULL;
}

static HandlerResult al_key(void *self, Action act, Intent *out)
{
    Alerts *a = self;
    const ARow *r = selected_row(a);
    switch (act) {
    case ACT_ACK:
    case ACT_SNOOZE:
        /* the alert shown selected, by identity (the engine's key is unique);
         * none: a shared key (a) goes on to its other action (add) */
        if (!r)
            return act == ACT_ACK ? HR_IGNORED : HR_HANDLED;
        out->kind = act == ACT_ACK ? INTENT_ALERT_ACK : INTENT_ALERT_SNOOZE;
        out->n = 1;
        out->sources[0] = xstrdup(r->source);
        out->keys[0] = xstrdup(r->key);
        free(a->lv.expect_gone);               /* its going is no news */
        a->lv.expect_gone = xasprintf("%s\n%s", r->source, r->key);
        return HR_INTENT;
    case ACT_COPY:
        if (!r)
            return HR_HANDLED;
        out->kind = INTENT_COPY;
        out->text = *r->detail ? xasprintf("%s\n%s", r->title, r->detail) : xstrdup(r->title);
        return HR_INTENT;
    default: {
        HandlerResult hr = list_move(&a->lv, act, 0);
        if (hr == HR_REDRAW)
            list_repin(&a->lv, a->rows, row_id);
        return hr;
    }
    }
}

static void al_title_note(void *self, char *buf, size_t n)
{
    Alerts *a = self;
    if (a->nrows == 0) {
        if (n)
            buf[0] = '\0';
        return;
    }
    Buf b = {0};
    static const char *const names[3] = {"info", "warn", "crit"};
    for (int i = 2; i >= 0; i--)
        if (a->counts[i])
            buf_printf(&b, "%s%d %s", b.len ? " " : "", a->counts[i], names[i]);
    snprintf(buf, n, "%s", b.s ? b.s : "");
    buf_free(&b);
}

static int al_detail(void *self, Buf *out)
{
    const ARow *r = selected_row(self);
    if (!r)
        return -1;
    buf_printf(out, "%s\n\n", *r->title ? r->title : r->key);
    if (*r->detail)
        buf_printf(out, "%s\n\n", r->detail);
    buf_printf(out, "severity:    %s\n", r->severity);
    buf_printf(out, "rule:        %s\n", r->rule);
    buf_printf(out, "source:      %s\n", *r->source ? r->source : "-");
    buf_printf(out, "key:         %s\n", r->key);
    buf_printf(out, "first seen:  %s\n", r->first_s);
    buf_printf(out, "last seen:   %s\n", r->last_s);
    buf_puts(out, "\na acknowledges it (hidden until it clears); s snoozes it\n");
    return 0;
}

static ListView *al_list(void *self)
{
    return &((Alerts *)self)->lv;
}

const WidgetClass alerts_widget = {
    .name = "alerts",
    .title = "Alerts",
    .datasets = 1u << DS_ALERTS,
    .create = al_create,
    .load = al_load,
    .draw = al_draw,
    .key = al_key,
    .title_note = al_title_note,
    .detail = al_detail,
    .list = al_list,
    .destroy = al_destroy,
};

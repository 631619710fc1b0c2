/* agents.c — who is working: one row per agent with a status mark
 * (working / idle / offline, offline when its heartbeat is older than the
 * config's stale age), its task, when it was last seen, tokens and cost today,
 * and a 7-day cost sparkline summed by day from the usage dataset. The agents
 * table is small (one row per agent), so it is read whole, capped. */
#include <stdio.h>
#include "wkit.h"

#define MAX_AGENTS 500
#define DAYS 7
#define DAY_MS 86400000LL

typedef enum { AG_WORKING, AG_IDLE, AG_OFFLINE, AG_ERROR } AgentState;

typedef struct AgRow {
    char *source, *key, *id, *status, *last_seen_s, *task, *model;
    int64_t last_seen, tokens;
    double cost;
    AgentState state;
    double days[DAYS];      /* cost per day, oldest first; [DAYS-1] is today */
} AgRow;

typedef struct Agents {
    AgRow *rows;
    int nrows, working, online;
    ListView lv;            /* selection by agent (source + key) */
} Agents;

static void rows_drop(Agents *a)
{
    for (int i = 0; i < a->nrows; i++) {
        AgRow *r = &a->rows[i];
        free(r->source);
        free(r->key);
        free(r->id);
        free(r->status);
        free(r->last_seen_s);
        free(r->task);
        free(r->model);
    }
    free(a->rows);
    a->rows = NULL;
    a->nrows = a->working = a->online = 0;
}

static void *ag_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, NULL};
    if (opts && ynode_check_keys(opts, keys, "agents widget", err) < 0)
        return NULL;
    return xcalloc(1, sizeof(Agents));
}

static void ag_destroy(void *self)
{
    Agents *a = self;
    if (!a)
        return;
    rows_drop(a);
    list_free(&a->lv);
    free(a);
}

/* A row's identity and label for the list helper. */
static void ag_id(const void *rows, int i, const char **source, const char **key,
                  const char **label)
{
    const AgRow *r = (const AgRow *)rows + i;
    *source = r->source;
    *key = r->key;
    *label = r->id;
}

static AgentState state_of(const AgRow *r, int64_t now, int64_t stale_ms)
{
    static const char *const busy[] = {"working", "busy", "running", "active", "thinking", NULL};
    static const char *const bad[] = {"error", "failed", "crashed", NULL};
    if (r->last_seen <= 0 || now - r->last_seen > stale_ms)
        return AG_OFFLINE;
    if (wk_word_in(r->status, bad))
        return AG_ERROR;
    if (strcasecmp(r->status, "offline") == 0)
        return AG_OFFLINE;
    return wk_word_in(r->status, busy) ? AG_WORKING : AG_IDLE;
}

/* Adds the last 7 days of usage cost to the loaded agents. */
static int load_usage(Agents *a, sqlite3 *db, int64_t now, char **err)
{
    int64_t today = now >= 0 ? now / DAY_MS : (now - DAY_MS + 1) / DAY_MS;
    char first[40];
    time_format_iso((today - (DAYS - 1)) * DAY_MS, first, sizeof first);
    first[10] = '\0';
    sqlite3_stmt *st = wk_prepare(db, "agents",
        "SELECT agent_id, substr(date, 1, 10) AS d, sum(total_cost_usd) FROM usage"
        " WHERE date >= ?1 GROUP BY agent_id, d", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, first, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t day;
        if (time_parse_iso(wk_col(st, 1), &day) < 0)
            continue;
        int slot = (int)(day / DAY_MS - (today - (DAYS - 1)));
        if (slot < 0 || slot >= DAYS)
            continue;
        const char *id = wk_col(st, 0);
        for (int i = 0; i < a->nrows; i++)
            if (strcmp(a->rows[i].id, id) == 0)
                a->rows[i].days[slot] += sqlite3_column_double(st, 2);
    }
    return wk_finish(db, st, rc, "agents", err);
}

static int ag_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Agents *a = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    rows_drop(a);
    if (!db) {
        set_err(err, "agents: no cache");
        return -1;
    }
    int64_t stale = env->cfg && env->cfg->stale_ms > 0 ? env->cfg->stale_ms : 15 * 60000;
    sqlite3_stmt *st = wk_prepare(db, "agents",
        "SELECT source, key, agent_id, status, last_seen, current_task, model, tokens_today,"
        " cost_today_usd FROM agents ORDER BY agent_id LIMIT 500", err);
    if (!st)
        return -1;
    int cap = 0;   /* grown to the rows there are, not MAX_AGENTS up front */
    a->rows = xgrow(NULL, 0, &cap, sizeof *a->rows);
    int rc;
    while (a->nrows < MAX_AGENTS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        a->rows = xgrow(a->rows, a->nrows, &cap, sizeof *a->rows);
        AgRow *r = &a->rows[a->nrows++];
        r->source = wk_dup(st, 0);
        r->key = wk_dup(st, 1);
        r->id = wk_dup(st, 2);
        if (!*r->id) {
            free(r->id);
            r->id = xstrdup(r->key);
        }
        r->status = wk_dup(st, 3);
        r->last_seen_s = wk_dup(st, 4);
        r->last_seen = wk_time(st, 4);
        r->task = wk_dup(st, 5);
        r->model = wk_dup(st, 6);
        r->tokens = sqlite3_column_int64(st, 7);
        r->cost = sqlite3_column_double(st, 8);
        r->state = state_of(r, env->now_ms, stale);
        a->working += r->state == AG_WORKING;
        a->online += r->state != AG_OFFLINE;
    }
    if (a->nrows == MAX_AGENTS)
        rc = SQLITE_DONE;
    if (wk_finish(db, st, rc, "agents", err) < 0)
        return -1;
    list_sync(&a->lv, a->rows, a->nrows, rows, ag_id);
    return load_usage(a, db, env->now_ms, err);
}

static void state_mark(AgentState s, const char **mark, const char **word, Role *role)
{
    switch (s) {
    case AG_WORKING:
        *mark = wk_g("\u25cf", "*"), *word = "working", *role = ROLE_OK;
        break;
    case AG_IDLE:
        *mark = wk_g("\u25cb", "o"), *word = "idle", *role = ROLE_NORMAL;
        break;
    case AG_ERROR:
        *mark = "!", *word = "error", *role = ROLE_CRIT;
        break;
    default:
        *mark = wk_g("\u2715", "x"), *word = "offline", *role = ROLE_DIM;
        break;
    }
}

/* One row: "● max  build_api ...  2m  1.2M  $3.40  ▁▂▃▅▇▆█". */
static void draw_row(WINDOW *w, int y, const AgRow *r, int selected, const WidgetEnv *env,
                     const PaneInfo *pane)
{
    int W = getmaxx(w);
    const char *mark, *word;
    Role role;
    state_mark(r->state, &mark, &word, &role);
    Role row = wk_row_role(selected, pane, r->state == AG_OFFLINE ? ROLE_DIM : ROLE_NORMAL);
    if (row == ROLE_SELECTED)
        wk_fill(w, y, 0, W, ROLE_SELECTED);
    int x = wk_text(w, y, 0, 1, wk_row_role(selected, pane, role), mark) + 1;
    int show_spark = W >= 60, show_tokens = W >= 50, show_cost = W >= 34, show_age = W >= 24;
    int right = (show_age ? 5 : 0) + (show_tokens ? 7 : 0) + (show_cost ? 9 : 0) +
                (show_spark ? DAYS + 1 : 0);
    int room = W - x - right;
    x += wk_cell(w, y, x, room < 10 ? room : 10, wk_row_role(selected, pane, ROLE_ACCENT),
                 r->id) + 1;
    const char *task = *r->task ? r->task : r->state == AG_OFFLINE ? "offline" : word;
    wk_text(w, y, x, W - x - right - 1, row, task);
    int xr = W;
    Role dim = wk_row_role(selected, pane, ROLE_DIM);
    if (show_spark) {
        xr -= DAYS;
        wk_spark(w, y, xr, DAYS, r->days, DAYS, wk_row_role(selected, pane, ROLE_ACCENT));
        xr -= 1;
    }
    if (show_cost) {
        char c[24];
        fmt_money(r->cost, c, sizeof c);
        if (text_width(c) > 8)
            fmt_money_short(r->cost, c, sizeof c);
        wk_text_right(w, y, xr, 8, wk_row_role(selected, pane, ROLE_MONEY), c);
        xr -= 9;
    }
    if (show_tokens) {
        char t[24];
        fmt_count((double)r->tokens, t, sizeof t);
        wk_text_right(w, y, xr, 6, dim, t);
        xr -= 7;
    }
    if (show_age) {
        char age[24];
        wk_age(env->now_ms, r->last_seen, age, sizeof age);
        wk_text_right(w, y, xr, 4, r->state == AG_OFFLINE ? wk_row_role(selected, pane,
                      ROLE_WARN) : dim, age);
    }
}

static void ag_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Agents *a = self;
    werase(w);
    if (a->nrows == 0) {
        wk_empty(w, NULL);
        return;
    }
    int H = getmaxy(w);
    list_clamp(&a->lv, a->nrows, H);
    for (int y = 0; y < H && a->lv.top + y < a->nrows; y++)
        draw_row(w, y, &a->rows[a->lv.top + y], list_is_sel(&a->lv, a->lv.top + y), env, pane);
}

static HandlerResult ag_key(void *self, Action act, Intent *out)
{
    Agents *a = self;
    HandlerResult hr = list_move(&a->lv, act, 0);
    if (hr == HR_REDRAW)
        list_repin(&a->lv, a->rows, ag_id);
    return hr;
}

static ListView *ag_list(void *self)
{
    return &((Agents *)self)->lv;
}

static void ag_title_note(void *self, char *buf, size_t n)
{
    Agents *a = self;
    if (a->nrows == 0) {
        if (n)
            buf[0] = '\0';
        return;
    }
    snprintf(buf, n, "%d working %s %d/%d online", a->working, wk_g("\u00b7", "-"), a->online,
             a->nrows);
}

static int ag_detail(void *self, Buf *out)
{
    Agents *a = self;
    if (a->nrows == 0 || a->lv.sel < 0 || a->lv.sel >= a->nrows)
        return -1;
    const AgRow *r = &a->rows[a->lv.sel];
    const char *mark, *word;
    Role role;
    state_mark(r->state, &mark, &word, &role);
    char cost[32];
    fmt_money(r->cost, cost, sizeof cost);
    buf_printf(out, "agent:      %s (%s)\n", r->id, word);
    buf_printf(out, "status:     %s\n", r->status);
    buf_printf(out, "task:       %s\n", r->task);
    buf_printf(out, "model:      %s\n", r->model);
    buf_printf(out, "last seen:  %s\n", r->last_seen_s);
    buf_printf(out, "tokens:     %lld today\n", (long long)r->tokens);
    buf_printf(out, "cost:       %s today\n", cost);
    buf_puts(out, "last 7 days:");
    for (int i = 0; i < DAYS; i++) {
        fmt_money(r->days[i], cost, sizeof cost);
        buf_printf(out, " %s", cost);
    }
    buf_printf(out, "\nsource:     %s\nkey:        %s\n", r->source, r->key);
    return 0;
}

const WidgetClass agents_widget = {
    .name = "agents",
    .title = "Agents",
    .datasets = (1u << DS_AGENTS) | (1u << DS_USAGE),
    .create = ag_create,
    .load = ag_load,
    .draw = ag_draw,
    .key = ag_key,
    .title_note = ag_title_note,
    .detail = ag_detail,
    .list = ag_list,
    .destroy = ag_destroy,
};

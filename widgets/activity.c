/* activity.c — the event stream: newest first, relative times, each event
 * colored by its status (ok/success/ready green, warn/blocked amber,
 * error/failed red). The activity table can hold a million rows, so the pane
 * reads only the window it shows (LIMIT/OFFSET over the ts index) and scrolls
 * by re-reading. The / filter matches text in details, agent or type, and
 * understands "agent:NAME", "type:KIND" and "status:WORD" terms. */
#include <stdio.h>
#include "wkit.h"

#define SCROLL_CAP 10000        /* how far back the pane scrolls */
#define FILTER_SCAN 100000      /* a filter searches the newest this many events */
#define MAX_TERMS 4

typedef struct ARow {
    char *source, *key, *ts_s, *type, *agent, *status, *details;
    int64_t ts;
} ARow;

typedef enum { T_TEXT, T_AGENT, T_TYPE, T_STATUS } TermKind;

typedef struct Activity {
    char *filter;                 /* as typed, for the title */
    int nterms;
    TermKind kinds[MAX_TERMS];
    char *patterns[MAX_TERMS];    /* LIKE patterns */
    ARow *rows;             /* the window shown: rows [lv.top, lv.top + nrows) */
    int nrows;
    int total;              /* rows listed, up to SCROLL_CAP */
    ListView lv;            /* selection by event (source + key) */
} Activity;

static void rows_drop(Activity *a)
{
    for (int i = 0; i < a->nrows; i++) {
        ARow *r = &a->rows[i];
        free(r->source);
        free(r->key);
        free(r->ts_s);
        free(r->type);
        free(r->agent);
        free(r->status);
        free(r->details);
    }
    free(a->rows);
    a->rows = NULL;
    a->nrows = 0;
}

static void terms_drop(Activity *a)
{
    for (int i = 0; i < a->nterms; i++)
        free(a->patterns[i]);
    a->nterms = 0;
    free(a->filter);
    a->filter = NULL;
}

static void *act_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, NULL};
    if (opts && ynode_check_keys(opts, keys, "activity widget", err) < 0)
        return NULL;
    return xcalloc(1, sizeof(Activity));
}

static void act_destroy(void *self)
{
    Activity *a = self;
    if (!a)
        return;
    rows_drop(a);
    terms_drop(a);
    list_free(&a->lv);
    free(a);
}

/* The rows the pane lists: "FROM ... [WHERE filter terms]" (parameters ?1..
 * in term order); `and` is what follows to add a condition. */
static void from_sql(const Activity *a, Buf *sql, const char **and)
{
    buf_puts(sql, " FROM ");
    if (a->nterms)
        buf_printf(sql, "(SELECT * FROM activity ORDER BY ts DESC LIMIT %d)", FILTER_SCAN);
    else
        buf_puts(sql, "activity");
    for (int i = 0; i < a->nterms; i++) {
        buf_puts(sql, i == 0 ? " WHERE " : " AND ");
        int p = i + 1;
        switch (a->kinds[i]) {
        case T_AGENT:
            buf_printf(sql, "agent LIKE ?%d ESCAPE '\\'", p);
            break;
        case T_TYPE:
            buf_printf(sql, "event_type LIKE ?%d ESCAPE '\\'", p);
            break;
        case T_STATUS:
            buf_printf(sql, "status LIKE ?%d ESCAPE '\\'", p);
            break;
        case T_TEXT:
            buf_printf(sql, "(details LIKE ?%d ESCAPE '\\' OR agent LIKE ?%d ESCAPE '\\'"
                       " OR event_type LIKE ?%d ESCAPE '\\')", p, p, p);
            break;
        }
    }
    *and = a->nterms ? " AND " : " WHERE ";
}

static sqlite3_stmt *prepare(const Activity *a, sqlite3 *db, Buf *sql, char **err)
{
    sqlite3_stmt *st = wk_prepare(db, "activity", sql->s, err);
    buf_free(sql);
    for (int i = 0; st && i < a->nterms; i++)
        sqlite3_bind_text(st, i + 1, a->patterns[i], -1, SQLITE_STATIC);
    return st;
}

static void read_row(ARow *r, sqlite3_stmt *st)
{
    r->source = wk_dup(st, 0);
    r->key = wk_dup(st, 1);
    r->ts_s = wk_dup(st, 2);
    r->ts = wk_time(st, 2);
    r->type = wk_dup(st, 3);
    r->agent = wk_dup(st, 4);
    r->status = wk_dup(st, 5);
    r->details = wk_dup(st, 6);
}

/* How many rows the list has (up to SCROLL_CAP; *more when there are more). */
static int count_rows(Activity *a, sqlite3 *db, char **err)
{
    Buf sql = {0};
    const char *and;
    buf_puts(&sql, "SELECT count(*) FROM (SELECT 1");
    from_sql(a, &sql, &and);
    buf_printf(&sql, " LIMIT %d)", SCROLL_CAP + 1);
    sqlite3_stmt *st = prepare(a, db, &sql, err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    a->lv.more = n > SCROLL_CAP;
    a->total = n > SCROLL_CAP ? SCROLL_CAP : n;
    return wk_finish(db, st, rc, "activity", err);
}

/* Where the event source/key is now (0-based, in ts DESC, source, key
 * order), or -1 when it is not listed any more. */
static int locate(Activity *a, sqlite3 *db, const char *source, const char *key, int *pos,
                  char **err)
{
    Buf sql = {0};
    const char *and;
    buf_puts(&sql, "SELECT count(*), (SELECT count(*)");
    from_sql(a, &sql, &and);
    buf_printf(&sql, "%sts > me.ts), (SELECT count(*)", and);
    from_sql(a, &sql, &and);
    buf_printf(&sql, "%sts = me.ts AND (source, key) < (me.source, me.key)) FROM (SELECT ts,"
               " source, key", and);
    from_sql(a, &sql, &and);
    buf_printf(&sql, "%ssource = ?11 AND key = ?12) AS me", and);
    sqlite3_stmt *st = prepare(a, db, &sql, err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 11, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *pos = -1;
    if (rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0)
        *pos = sqlite3_column_int(st, 1) + sqlite3_column_int(st, 2);
    return wk_finish(db, st, rc, "activity", err);
}

/* Reads rows [top, top+rows). */
static int query(Activity *a, sqlite3 *db, int top, int rows, char **err)
{
    Buf sql = {0};
    const char *and;
    buf_puts(&sql, "SELECT source, key, ts, event_type, agent, status, details");
    from_sql(a, &sql, &and);
    buf_printf(&sql, " ORDER BY ts DESC, source, key LIMIT %d OFFSET %d", rows, top);
    sqlite3_stmt *st = prepare(a, db, &sql, err);
    if (!st)
        return -1;
    a->rows = xcalloc((size_t)rows, sizeof *a->rows);
    int rc;
    while (a->nrows < rows && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_row(&a->rows[a->nrows++], st);
    if (a->nrows == rows)
        rc = SQLITE_DONE;
    return wk_finish(db, st, rc, "activity", err);
}

static const ARow *selected_row(const Activity *a)
{
    int i = a->lv.sel - a->lv.top;
    return (a->lv.n > 0 && i >= 0 && i < a->nrows) ? &a->rows[i] : NULL;
}

static void pin_selected(Activity *a)
{
    const ARow *r = selected_row(a);
    list_pin(&a->lv, r ? r->source : NULL, r ? r->key : NULL, r ? r->details : NULL);
}

static int act_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Activity *a = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    rows_drop(a);
    if (!db) {
        set_err(err, "activity: no cache");
        return -1;
    }
    if (rows < 1)
        rows = 1;
    if (count_rows(a, db, err) < 0)
        return -1;
    const char *src, *key;
    int pos = -1;
    if (list_wanted(&a->lv, &src, &key) && locate(a, db, src, key, &pos, err) < 0)
        return -1;
    if (pos >= a->total)
        pos = -1;                               /* past how far the pane scrolls */
    list_place(&a->lv, pos, a->total, rows);
    if (query(a, db, a->lv.top, rows, err) < 0)
        return -1;
    pin_selected(a);
    return 0;
}

static void draw_row(WINDOW *w, int y, const ARow *r, int selected, const WidgetEnv *env,
                     const PaneInfo *pane)
{
    int W = getmaxx(w);
    Role st = wk_status_role(r->status);
    Role row = wk_row_role(selected, pane, ROLE_NORMAL);
    if (row == ROLE_SELECTED)
        wk_fill(w, y, 0, W, ROLE_SELECTED);
    int x = 0;
    char age[24];
    wk_age(env->now_ms, r->ts, age, sizeof age);
    x += wk_cell(w, y, x, 4, wk_row_role(selected, pane, ROLE_DIM), age) + 1;
    x += wk_text(w, y, x, 1, wk_row_role(selected, pane, st == ROLE_NORMAL ? ROLE_DIM : st),
                 st == ROLE_CRIT ? "!" : wk_g("\u25cf", "*")) + 1;
    int room = W - x;
    int show_status = room >= 50 && *r->status;
    if (show_status)
        room -= 10;
    if (room >= 24) {
        x += wk_cell(w, y, x, 8, wk_row_role(selected, pane, ROLE_ACCENT), r->agent) + 1;
        room -= 9;
    }
    if (room >= 24) {
        x += wk_cell(w, y, x, 8, row, r->type) + 1;
        room -= 9;
    }
    wk_text(w, y, x, room, wk_row_role(selected, pane, st == ROLE_CRIT ? ROLE_CRIT : ROLE_NORMAL),
            r->details);
    if (show_status)
        wk_text_right(w, y, W, 9, wk_row_role(selected, pane, st == ROLE_NORMAL ? ROLE_DIM : st),
                      r->status);
}

static void act_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Activity *a = self;
    werase(w);
    if (a->nrows == 0) {
        wk_empty(w, a->nterms ? "no match" : NULL);
        return;
    }
    for (int i = 0; i < a->nrows && i < getmaxy(w); i++)
        draw_row(w, i, &a->rows[i], list_is_sel(&a->lv, a->lv.top + i), env, pane);
}

static HandlerResult act_key(void *self, Action act, Intent *out)
{
    Activity *a = self;
    if (act == ACT_COPY) {
        const ARow *r = selected_row(a);
        if (!r)
            return HR_HANDLED;
        out->kind = INTENT_COPY;
        out->text = xstrdup(r->details);
        return HR_INTENT;
    }
    HandlerResult hr = list_move(&a->lv, act, 1);
    if (hr == HR_REDRAW)
        pin_selected(a);
    return hr;
}

static ListView *act_list(void *self)
{
    return &((Activity *)self)->lv;
}

static void act_title_note(void *self, char *buf, size_t n)
{
    Activity *a = self;
    if (a->filter)
        snprintf(buf, n, "/%s", a->filter);
    else if (n)
        buf[0] = '\0';
}

static int act_detail(void *self, Buf *out)
{
    Activity *a = self;
    const ARow *r = selected_row(a);
    if (!r)
        return -1;
    buf_printf(out, "%s\n\n", r->details);
    buf_printf(out, "time:    %s\n", r->ts_s);
    buf_printf(out, "type:    %s\n", r->type);
    buf_printf(out, "agent:   %s\n", r->agent);
    buf_printf(out, "status:  %s\n", r->status);
    buf_printf(out, "source:  %s\n", r->source);
    buf_printf(out, "key:     %s\n", r->key);
    return 0;
}

/* Splits the filter into terms: "agent:max deploy" = agent is max AND text has deploy. */
static void act_set_filter(void *self, const char *text)
{
    Activity *a = self;
    terms_drop(a);
    list_set_filter(&a->lv, text);
    if (!text || !*text)
        return;
    a->filter = xstrndup(text, 200);
    char *copy = xstrdup(a->filter), *save = NULL;
    for (char *t = strtok_r(copy, " \t", &save); t && a->nterms < MAX_TERMS;
         t = strtok_r(NULL, " \t", &save)) {
        static const struct { const char *prefix; TermKind kind; } pre[] = {
            {"agent:", T_AGENT}, {"type:", T_TYPE}, {"status:", T_STATUS},
        };
        TermKind kind = T_TEXT;
        for (size_t i = 0; i < MC_ARRAY_LEN(pre); i++) {
            size_t pl = strlen(pre[i].prefix);
            if (strncasecmp(t, pre[i].prefix, pl) == 0 && t[pl]) {
                kind = pre[i].kind;
                t += pl;
                break;
            }
        }
        char *pat = wk_like_pattern(t);
        if (kind == T_AGENT || kind == T_STATUS) {   /* whole word: drop the % around it */
            pat[strlen(pat) - 1] = '\0';
            memmove(pat, pat + 1, strlen(pat));
        } else if (kind == T_TYPE) {                  /* a prefix: "type:dep" finds deploy */
            memmove(pat, pat + 1, strlen(pat));
        }
        a->kinds[a->nterms] = kind;
        a->patterns[a->nterms++] = pat;
    }
    free(copy);
}

const WidgetClass activity_widget = {
    .name = "activity",
    .title = "Activity",
    .datasets = 1u << DS_ACTIVITY,
    .create = act_create,
    .load = act_load,
    .draw = act_draw,
    .key = act_key,
    .title_note = act_title_note,
    .detail = act_detail,
    .set_filter = act_set_filter,
    .list = act_list,
    .destroy = act_destroy,
};

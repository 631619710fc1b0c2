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
    ARow *rows;
    int nrows, more;
    ListSel ls;
    int page;
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
    free(a);
}

/* The WHERE of the filter terms (parameters ?1.. in order), or "". */
static void where_sql(const Activity *a, Buf *sql)
{
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

/* Reads rows [top, top+rows) and whether more follow. */
static int query(Activity *a, sqlite3 *db, int top, int rows, char **err)
{
    Buf sql = {0};
    buf_puts(&sql, "SELECT source, key, ts, event_type, agent, status, details FROM ");
    if (a->nterms)
        buf_printf(&sql, "(SELECT * FROM activity ORDER BY ts DESC LIMIT %d)", FILTER_SCAN);
    else
        buf_puts(&sql, "activity");
    where_sql(a, &sql);
    buf_printf(&sql, " ORDER BY ts DESC LIMIT %d OFFSET %d", rows + 1, top);
    sqlite3_stmt *st = wk_prepare(db, "activity", sql.s, err);
    buf_free(&sql);
    if (!st)
        return -1;
    for (int i = 0; i < a->nterms; i++)
        sqlite3_bind_text(st, i + 1, a->patterns[i], -1, SQLITE_STATIC);
    a->rows = xcalloc((size_t)rows, sizeof *a->rows);
    a->more = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (a->nrows == rows) {
            a->more = 1;
            rc = SQLITE_DONE;
            break;
        }
        read_row(&a->rows[a->nrows++], st);
    }
    return wk_finish(db, st, rc, "activity", err);
}

/* Rows the selection may move over: what is known, plus a page when more follow. */
static int known_rows(const Activity *a)
{
    int n = a->ls.top + a->nrows + (a->more ? a->page : 0);
    return n > SCROLL_CAP ? SCROLL_CAP : n;
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
    a->page = rows;
    if (a->ls.top < 0)
        a->ls.top = 0;
    if (query(a, db, a->ls.top, rows, err) < 0)
        return -1;
    if (a->nrows == 0 && a->ls.top > 0) {      /* the list shrank under us */
        rows_drop(a);
        a->ls.top = a->ls.sel = 0;
        if (query(a, db, 0, rows, err) < 0)
            return -1;
    }
    if (a->ls.sel >= a->ls.top + a->nrows)
        a->ls.sel = a->ls.top + a->nrows - 1;
    if (a->ls.sel < a->ls.top)
        a->ls.sel = a->ls.top;
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
        draw_row(w, i, &a->rows[i], a->ls.top + i == a->ls.sel, env, pane);
}

static HandlerResult act_key(void *self, Action act, Intent *out)
{
    Activity *a = self;
    int top = a->ls.top;
    if (act == ACT_COPY) {
        int i = a->ls.sel - a->ls.top;
        if (i < 0 || i >= a->nrows)
            return HR_HANDLED;
        out->kind = INTENT_COPY;
        out->text = xstrdup(a->rows[i].details);
        return HR_INTENT;
    }
    if (!wk_is_move(act))
        return HR_IGNORED;
    if (!listsel_move(&a->ls, act, known_rows(a), a->page))
        return HR_HANDLED;
    return a->ls.top != top ? HR_RELOAD : HR_REDRAW;
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
    int i = a->ls.sel - a->ls.top;
    if (i < 0 || i >= a->nrows)
        return -1;
    const ARow *r = &a->rows[i];
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
    a->ls.sel = a->ls.top = 0;
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
    .destroy = act_destroy,
};

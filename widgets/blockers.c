/* blockers.c — the "Needs <Owner>" pane: open blockers from every source,
 * newest first, with their age, who raised them and where they came from.
 * It reads only the rows it shows (LIMIT/OFFSET over the created_at index,
 * snoozed items hidden through the snooze table) and never writes: r, n, s,
 * u and y become Intents that the screen loop hands to the outbox. Space
 * marks rows so one key resolves several. The selection, marks and scroll
 * position are the list helper's (list.c): they follow the item, so a newer
 * blocker arriving above never moves r onto a different one. */
#include <stdio.h>
#include "wkit.h"

#define COUNT_CAP 1000      /* the title shows "999+" past this */
/* Newest first; source and key make the order total, so a row's place is one. */
#define ORDER "b.created_at DESC, b.source, b.key"

typedef struct BRow {
    char *source, *key, *from, *desc, *context, *state, *resolved_by, *note;
    char *created_s, *resolved_at_s;
    char *failure;            /* why the last write-back failed (outbox), "" if none */
    int64_t created;
    int resolved;
    int for_owner;            /* 0: blocked on someone else (counted apart) */
    int64_t snoozed_until;
} BRow;

typedef struct Blockers {
    char *owner;
    int show_resolved, all;
    char *like;               /* the / filter as a LIKE pattern, or NULL */
    BRow *rows;
    int nrows;
    int total;                /* matching rows, up to COUNT_CAP */
    int apart;                /* of them, blocked on someone else (for_owner = 0) */
    ListView lv;
    int no_snooze_table;      /* an old cache without it: show everything */
    int table_empty;          /* no blocker at all yet (vs. nothing open) */
} Blockers;

static void brow_free(BRow *r)
{
    free(r->source);
    free(r->key);
    free(r->from);
    free(r->desc);
    free(r->context);
    free(r->state);
    free(r->resolved_by);
    free(r->note);
    free(r->created_s);
    free(r->resolved_at_s);
    free(r->failure);
}

static void rows_drop(Blockers *b)
{
    for (int i = 0; i < b->nrows; i++)
        brow_free(&b->rows[i]);
    free(b->rows);
    b->rows = NULL;
    b->nrows = 0;
}

static void *blk_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, "show_resolved", "all", NULL};
    int show_resolved = 0, all = 0;
    if (opts && (ynode_check_keys(opts, keys, "blockers widget", err) < 0 ||
                 ynode_bool(opts, "show_resolved", &show_resolved, err) < 0 ||
                 ynode_bool(opts, "all", &all, err) < 0))
        return NULL;
    Blockers *b = xcalloc(1, sizeof *b);
    b->owner = xstrdup(cfg && cfg->owner ? cfg->owner : "Apple");
    b->show_resolved = show_resolved || all;
    b->all = all;
    return b;
}

static void blk_destroy(void *self)
{
    Blockers *b = self;
    if (!b)
        return;
    rows_drop(b);
    list_free(&b->lv);
    free(b->owner);
    free(b->like);
    free(b);
}

/* The shared FROM/WHERE of the row and count queries; ?1 now, ?2 the pattern. */
static void where_sql(const Blockers *b, char *out, size_t n)
{
    const char *join = b->no_snooze_table ? "" :
        " LEFT JOIN snooze s ON s.source = b.source AND s.key = b.key";
    const char *open = b->show_resolved ? "1" :
        "b.resolved = 0 AND coalesce(b.state, '') <> 'resolved'";
    const char *snoozed = (b->all || b->no_snooze_table) ? "1" :
        "(s.until_ms IS NULL OR s.until_ms <= ?1)";
    const char *filter = b->like ?
        " AND (b.description LIKE ?2 ESCAPE '\\' OR b.from_agent LIKE ?2 ESCAPE '\\'"
        " OR b.source LIKE ?2 ESCAPE '\\')" : "";
    snprintf(out, n, "FROM blockers b%s WHERE %s AND %s%s", join, open, snoozed, filter);
}

static void bind_common(const Blockers *b, sqlite3_stmt *st, const WidgetEnv *env)
{
    sqlite3_bind_int64(st, 1, env->now_ms);
    if (b->like)
        sqlite3_bind_text(st, 2, b->like, -1, SQLITE_STATIC);
}

static int count_rows(Blockers *b, sqlite3 *db, const WidgetEnv *env, char **err)
{
    char where[512], sql[700];
    where_sql(b, where, sizeof where);
    snprintf(sql, sizeof sql, "SELECT count(*), count(*) - coalesce(sum(f), 0) FROM"
             " (SELECT coalesce(b.for_owner, 1) AS f %s LIMIT %d)", where, COUNT_CAP);
    sqlite3_stmt *st = wk_prepare(db, "blockers", sql, err);
    if (!st)
        return -1;
    bind_common(b, st, env);
    int rc = sqlite3_step(st);
    b->total = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    b->apart = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    if (wk_finish(db, st, rc, "blockers", err) < 0)
        return -1;
    b->table_empty = 0;
    if (b->total == 0 && !b->like) {
        st = wk_prepare(db, "blockers", "SELECT EXISTS (SELECT 1 FROM blockers)", err);
        if (!st)
            return -1;
        rc = sqlite3_step(st);
        b->table_empty = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
        return wk_finish(db, st, rc, "blockers", err);
    }
    return 0;
}

static void read_row(BRow *r, sqlite3_stmt *st)
{
    r->source = wk_dup(st, 0);
    r->key = wk_dup(st, 1);
    r->from = wk_dup(st, 2);
    r->desc = wk_dup(st, 3);
    r->context = wk_dup(st, 4);
    r->created_s = wk_dup(st, 5);
    r->created = wk_time(st, 5);
    r->resolved = sqlite3_column_int(st, 6) != 0;
    r->resolved_at_s = wk_dup(st, 7);
    r->resolved_by = wk_dup(st, 8);
    r->note = wk_dup(st, 9);
    r->state = wk_dup(st, 10);
    r->snoozed_until = sqlite3_column_int64(st, 11);
    r->failure = wk_dup(st, 12);
    r->for_owner = sqlite3_column_int(st, 13) != 0;
}

static int query_rows(Blockers *b, sqlite3 *db, const WidgetEnv *env, int rows, char **err)
{
    char where[512], sql[1024];
    where_sql(b, where, sizeof where);
    snprintf(sql, sizeof sql,
             "SELECT b.source, b.key, b.from_agent, b.description, b.context, b.created_at,"
             " b.resolved, b.resolved_at, b.resolved_by, b.note, b.state, %s,"
             " CASE WHEN b.state = 'failed' THEN (SELECT o.last_error FROM outbox o"
             " WHERE o.source = b.source AND o.key = b.key AND o.state = 'failed'"
             " ORDER BY o.id DESC LIMIT 1) END, coalesce(b.for_owner, 1)"
             " %s ORDER BY " ORDER " LIMIT %d OFFSET %d",
             b->no_snooze_table ? "0" : "s.until_ms", where, rows, b->lv.top);
    sqlite3_stmt *st = wk_prepare(db, "blockers", sql, err);
    if (!st)
        return -1;
    bind_common(b, st, env);
    b->rows = xcalloc((size_t)rows, sizeof *b->rows);
    int rc;
    while (b->nrows < rows && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_row(&b->rows[b->nrows++], st);
    if (b->nrows == rows)
        rc = SQLITE_DONE;
    return wk_finish(db, st, rc, "blockers", err);
}

/* Where the item source/key is now in the list (0-based), or -1 when it is
 * not in it any more (resolved, snoozed, filtered out, deleted). */
static int locate(Blockers *b, sqlite3 *db, const WidgetEnv *env, const char *source,
                  const char *key, int *pos, char **err)
{
    char where[512], sql[900];
    where_sql(b, where, sizeof where);
    snprintf(sql, sizeof sql,
             "SELECT rn FROM (SELECT b.source AS src, b.key AS k, row_number() OVER"
             " (ORDER BY " ORDER ") AS rn %s) WHERE src = ?3 AND k = ?4", where);
    sqlite3_stmt *st = wk_prepare(db, "blockers", sql, err);
    if (!st)
        return -1;
    bind_common(b, st, env);
    sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *pos = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) - 1 : -1;
    return wk_finish(db, st, rc, "blockers", err);
}

static const BRow *selected_row(const Blockers *b)
{
    int i = b->lv.sel - b->lv.top;
    return (b->lv.n > 0 && i >= 0 && i < b->nrows) ? &b->rows[i] : NULL;
}

/* Tells the list which item is selected now. */
static void pin_selected(Blockers *b)
{
    const BRow *r = selected_row(b);
    list_pin(&b->lv, r ? r->source : NULL, r ? r->key : NULL, r ? r->desc : NULL);
}

/* Has this cache a snooze table? (The lead's cache creates one; an old or
 * foreign cache may not: then nothing is hidden.) */
static void probe_snooze(Blockers *b, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    b->no_snooze_table = sqlite3_prepare_v2(db, "SELECT until_ms FROM snooze LIMIT 0", -1,
                                            &st, NULL) != SQLITE_OK;
    sqlite3_finalize(st);
}

static int blk_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Blockers *b = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    rows_drop(b);
    if (!db) {
        set_err(err, "blockers: no cache");
        return -1;
    }
    if (rows < 1)
        rows = 1;
    probe_snooze(b, db);
    if (count_rows(b, db, env, err) < 0)
        return -1;
    const char *src, *key;
    int pos = -1;
    if (list_wanted(&b->lv, &src, &key) && locate(b, db, env, src, key, &pos, err) < 0)
        return -1;
    list_place(&b->lv, pos, b->total, rows);
    b->lv.more = b->total >= COUNT_CAP;
    if (query_rows(b, db, env, rows, err) < 0)
        return -1;
    pin_selected(b);
    return 0;
}

/* One row: "* 3h  max  description ...  source" (state replaces the source). */
static void draw_row(Blockers *b, WINDOW *w, int y, const BRow *r, int selected,
                     const WidgetEnv *env, const PaneInfo *pane)
{
    int W = getmaxx(w);
    int resolving = strcmp(r->state, "resolving") == 0;
    int failed = strcmp(r->state, "failed") == 0;
    int done = r->resolved || strcmp(r->state, "resolved") == 0;
    Role base = failed ? ROLE_CRIT : (resolving || done) ? ROLE_DIM : ROLE_NORMAL;
    Role row = wk_row_role(selected, pane, base);
    Role dim = wk_row_role(selected, pane, ROLE_DIM);
    if (row == ROLE_SELECTED)
        wk_fill(w, y, 0, W, ROLE_SELECTED);
    int x = 0;
    int marked = list_marked(&b->lv, r->source, r->key);
    x += wk_text(w, y, x, 2, wk_row_role(selected, pane, ROLE_ACCENT), marked ? "* " : "  ");
    char age[24];
    wk_age(env->now_ms, r->created, age, sizeof age);
    if (W - x >= 14)
        x += wk_cell(w, y, x, 4, dim, age) + 1;
    const char *right = failed ? "failed"
                        : resolving ? wk_g("resolving\u2026", "resolving...")
                        : done ? "resolved"
                        : r->snoozed_until > env->now_ms ? "snoozed" : r->source;
    Role right_role = wk_row_role(selected, pane, failed ? ROLE_CRIT : ROLE_DIM);
    int rw = text_width(right);
    if (rw > 16)
        rw = 16;
    int room = W - x;
    int show_right = room >= 30;
    if (show_right)
        room -= rw + 1;
    if (room >= 24) {
        x += wk_cell(w, y, x, 8, wk_row_role(selected, pane, failed ? ROLE_CRIT : ROLE_BLOCKER),
                     r->from) + 1;
        room -= 9;
    }
    int dw = wk_text(w, y, x, room, row, *r->desc ? r->desc : "(no description)");
    if (failed && *r->failure && room - dw > 12) {
        /* the reason the source gave, after the description */
        char why[300];
        snprintf(why, sizeof why, "%s%s", draw_is_ascii() ? " - " : " \u2014 ", r->failure);
        wk_text(w, y, x + dw, room - dw, wk_row_role(selected, pane, ROLE_CRIT), why);
    }
    if (show_right)
        wk_text_right(w, y, W, rw, right_role, right);
}

static void blk_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Blockers *b = self;
    werase(w);
    if (b->nrows == 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "nothing needs %s", b->owner);
        wk_empty(w, b->like ? "no match" : b->table_empty ? "no data yet" : msg);
        return;
    }
    int H = getmaxy(w);
    for (int i = 0; i < b->nrows && i < H; i++)
        draw_row(b, w, i, &b->rows[i], list_is_sel(&b->lv, b->lv.top + i), env, pane);
}

static HandlerResult blk_key(void *self, Action act, Intent *out)
{
    Blockers *b = self;
    const BRow *r = selected_row(b);
    HandlerResult hr;
    switch (act) {
    case ACT_MARK:
        if (!r)
            return HR_HANDLED;
        list_toggle_mark(&b->lv, r->source, r->key);
        hr = list_move(&b->lv, ACT_DOWN, 1);
        if (hr == HR_REDRAW)
            pin_selected(b);
        return hr == HR_RELOAD ? HR_RELOAD : HR_REDRAW;
    case ACT_RESOLVE:
    case ACT_RESOLVE_NOTE:
    case ACT_SNOOZE:
        /* the item shown selected (or the marked ones), by identity */
        if (list_take(&b->lv, out, r ? r->source : NULL, r ? r->key : NULL) == 0)
            return HR_HANDLED;
        out->kind = act == ACT_SNOOZE ? INTENT_SNOOZE : INTENT_RESOLVE;
        out->want_note = act == ACT_RESOLVE_NOTE;
        return HR_INTENT;
    case ACT_UNDO:
        out->kind = INTENT_UNDO;
        out->n = 0;
        return HR_INTENT;
    case ACT_COPY:
        if (!r)
            return HR_HANDLED;
        out->kind = INTENT_COPY;
        out->text = *r->context ? xasprintf("%s\n%s", r->desc, r->context) : xstrdup(r->desc);
        return HR_INTENT;
    default:
        hr = list_move(&b->lv, act, 1);
        if (hr == HR_REDRAW)
            pin_selected(b);
        return hr;
    }
}

static void blk_title_note(void *self, char *buf, size_t n)
{
    Blockers *b = self;
    char count[16], apart[32] = "";
    const char *dot = wk_g("\u00b7", "-");
    /* "Needs Apple · 3 · blocked 2": what needs the owner, then what is
     * blocked on someone else (shown in the list, counted apart) */
    if (b->total >= COUNT_CAP)
        snprintf(count, sizeof count, "%d+", COUNT_CAP - 1);
    else
        snprintf(count, sizeof count, "%d", b->total - b->apart);
    if (b->apart > 0)
        snprintf(apart, sizeof apart, " %s blocked %d", dot, b->apart);
    if (b->lv.nmarks)
        snprintf(buf, n, "Needs %s %s %s%s %s %d marked", b->owner, dot, count, apart, dot, b->lv.nmarks);
    else
        snprintf(buf, n, "Needs %s %s %s%s", b->owner, dot, count, apart);
}

static int blk_detail(void *self, Buf *out)
{
    Blockers *b = self;
    const BRow *r = selected_row(b);
    if (!r)
        return -1;
    buf_printf(out, "%s\n\n", *r->desc ? r->desc : "(no description)");
    if (*r->context)
        buf_printf(out, "%s\n\n", r->context);
    buf_printf(out, "from:        %s\n", r->from);
    buf_printf(out, "created:     %s\n", r->created_s);
    buf_printf(out, "source:      %s\n", r->source);
    buf_printf(out, "key:         %s\n", r->key);
    if (r->for_owner)
        buf_printf(out, "needs:       %s\n", b->owner);
    else
        buf_printf(out, "needs:       someone else (blocked, not on %s; counted apart)\n", b->owner);
    buf_printf(out, "state:       %s\n", *r->state ? r->state : r->resolved ? "resolved" : "open");
    buf_printf(out, "resolved:    %s\n", r->resolved ? "yes" : "no");
    if (*r->resolved_at_s)
        buf_printf(out, "resolved at: %s\n", r->resolved_at_s);
    if (*r->resolved_by)
        buf_printf(out, "resolved by: %s\n", r->resolved_by);
    if (*r->note)
        buf_printf(out, "note:        %s\n", r->note);
    if (*r->failure)
        buf_printf(out, "write-back:  failed: %s\n", r->failure);
    if (r->snoozed_until > 0) {
        char until[40];
        time_format_iso(r->snoozed_until, until, sizeof until);
        buf_printf(out, "snoozed to:  %s\n", until);
    }
    return 0;
}

static void blk_set_filter(void *self, const char *text)
{
    Blockers *b = self;
    free(b->like);
    b->like = (text && *text) ? wk_like_pattern(text) : NULL;
    list_set_filter(&b->lv, text);
}

static ListView *blk_list(void *self)
{
    return &((Blockers *)self)->lv;
}

const WidgetClass blockers_widget = {
    .name = "blockers",
    .title = "Blockers",
    .datasets = 1u << DS_BLOCKERS,
    .create = blk_create,
    .load = blk_load,
    .draw = blk_draw,
    .key = blk_key,
    .title_note = blk_title_note,
    .detail = blk_detail,
    .set_filter = blk_set_filter,
    .list = blk_list,
    .destroy = blk_destroy,
};

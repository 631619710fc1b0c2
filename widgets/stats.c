/* stats.c — a row of big-number cards: open blockers, YTD revenue, failing
 * jobs, agents online and cost today (which ones, and in what order, from
 * the `cards:` option). Each number is one small aggregate query, bounded
 * (blockers are counted up to 1000). Numbers are drawn in a 3-row segment
 * font when the card is at least 5 rows high, else as plain bold text. */
#include <math.h>
#include <stdio.h>
#include "wkit.h"

typedef enum { C_BLOCKERS, C_REVENUE, C_FAILING, C_AGENTS, C_COST, C__COUNT } CardKind;

static const char *const card_names[C__COUNT] = {
    "open_blockers", "ytd_revenue", "failing_jobs", "agents_online", "cost_today",
};
static const char *const card_labels[C__COUNT] = {
    "open blockers", "YTD revenue", "failing jobs", "agents online", "cost today",
};

typedef struct Card {
    CardKind kind;
    char value[32];         /* as shown */
    char sub[48];           /* a note under the number, or "" */
    Role role;
} Card;

typedef struct Stats {
    Card cards[C__COUNT];
    int ncards;
    int loaded;
} Stats;

/* Reads the cards option: names from card_names, no repeats. */
static int parse_cards(const YNode *opts, Stats *s, char **err)
{
    const YNode *list = opts ? ynode_get(opts, "cards") : NULL;
    if (!list) {
        for (int i = 0; i < C__COUNT; i++)
            s->cards[s->ncards++].kind = (CardKind)i;
        return 0;
    }
    if (list->type != YN_SEQ)
        return ynode_error(list, err, "stats widget: cards must be a list of: open_blockers, "
                           "ytd_revenue, failing_jobs, agents_online, cost_today");
    for (int i = 0; i < list->n; i++) {
        const YNode *it = list->items[i];
        int k = -1;
        for (int j = 0; it->type == YN_SCALAR && j < C__COUNT; j++)
            if (strcmp(it->scalar, card_names[j]) == 0)
                k = j;
        if (k < 0)
            return ynode_error(it, err, "stats widget: unknown card '%s' (use open_blockers, "
                               "ytd_revenue, failing_jobs, agents_online or cost_today)",
                               it->type == YN_SCALAR ? it->scalar : "?");
        for (int j = 0; j < s->ncards; j++)
            if (s->cards[j].kind == (CardKind)k)
                return ynode_error(it, err, "stats widget: card '%s' is listed twice",
                                   card_names[k]);
        s->cards[s->ncards++].kind = (CardKind)k;
    }
    if (s->ncards == 0)
        return ynode_error(list, err, "stats widget: cards is empty");
    return 0;
}

static void *stats_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, "cards", NULL};
    if (opts && ynode_check_keys(opts, keys, "stats widget", err) < 0)
        return NULL;
    Stats *s = xcalloc(1, sizeof *s);
    if (parse_cards(opts, s, err) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

static void stats_destroy(void *self)
{
    free(self);
}

/* Runs a one-value query (?1 bound to text a, ?2 to b when given). Returns 0,
 * 1 when the query could not even be prepared (a table the cache lacks), -1 on error. */
static int scalar(sqlite3 *db, const char *sql, const char *a, const char *b, double *out,
                  char **err)
{
    sqlite3_stmt *st = NULL;
    *out = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return 1;
    }
    if (a)
        sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *out = sqlite3_column_double(st, 0);
    return wk_finish(db, st, rc, "stats", err);
}

static int card_blockers(Card *c, sqlite3 *db, const WidgetEnv *env, char **err)
{
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)env->now_ms);
    double v;
    int rc = scalar(db, "SELECT count(*) FROM (SELECT 1 FROM blockers b LEFT JOIN snooze s"
                    " ON s.source = b.source AND s.key = b.key WHERE b.resolved = 0 AND"
                    " coalesce(b.for_owner, 1) = 1 AND"   /* what needs the owner only */
                    " coalesce(b.state, '') <> 'resolved' AND (s.until_ms IS NULL OR"
                    " s.until_ms <= CAST(?1 AS INTEGER)) LIMIT 1000)", now, NULL, &v, err);
    if (rc == 1)        /* no snooze table */
        rc = scalar(db, "SELECT count(*) FROM (SELECT 1 FROM blockers WHERE resolved = 0"
                    " AND coalesce(for_owner, 1) = 1 LIMIT 1000)", NULL, NULL, &v, err);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    double any = 1;
    if (v == 0 && scalar(db, "SELECT EXISTS (SELECT 1 FROM blockers)", NULL, NULL, &any, err) < 0)
        return -1;
    if (any == 0)
        return 0;           /* no blocker has ever arrived: no data, not "0" */
    if (v >= 1000)
        snprintf(c->value, sizeof c->value, "999+");
    else
        snprintf(c->value, sizeof c->value, "%.0f", v);
    c->role = v > 0 ? ROLE_BLOCKER : ROLE_OK;
    snprintf(c->sub, sizeof c->sub, "needs %s", env->cfg && env->cfg->owner ? env->cfg->owner :
             "you");
    return 0;
}

static int card_revenue(Card *c, sqlite3 *db, char **err)
{
    double v;
    if (scalar(db, "SELECT sum(y) FROM (SELECT max(snapshot_date), total_ytd_usd AS y"
               " FROM revenue GROUP BY source)", NULL, NULL, &v, err) < 0)
        return -1;
    if (!isnan(v))
        fmt_money_short(v, c->value, sizeof c->value);
    c->role = ROLE_MONEY;
    return 0;
}

static int card_failing(Card *c, sqlite3 *db, char **err)
{
    double v, n;
    if (scalar(db, "SELECT count(*) FROM cron WHERE enabled IS NOT 0 AND"
               " (consecutive_failures > 0 OR lower(last_status) IN ('error', 'failed', 'fail',"
               " 'failure', 'hung', 'timeout', 'crashed'))", NULL, NULL, &v, err) < 0 ||
        scalar(db, "SELECT count(*) FROM cron", NULL, NULL, &n, err) < 0)
        return -1;
    if (isnan(v) || !(n > 0))
        return 0;
    snprintf(c->value, sizeof c->value, "%.0f", v);
    snprintf(c->sub, sizeof c->sub, "of %.0f jobs", n);
    c->role = v > 0 ? ROLE_CRIT : ROLE_OK;
    return 0;
}

static int card_agents(Card *c, sqlite3 *db, const WidgetEnv *env, char **err)
{
    int64_t stale = env->cfg && env->cfg->stale_ms > 0 ? env->cfg->stale_ms : 15 * 60000;
    sqlite3_stmt *st = wk_prepare(db, "stats", "SELECT last_seen FROM agents LIMIT 500", err);
    if (!st)
        return -1;
    int online = 0, total = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t t = wk_time(st, 0);
        total++;
        online += t > 0 && env->now_ms - t <= stale;
    }
    if (wk_finish(db, st, rc, "stats", err) < 0)
        return -1;
    if (total == 0)
        return 0;
    snprintf(c->value, sizeof c->value, "%d", online);
    snprintf(c->sub, sizeof c->sub, "of %d", total);
    c->role = online > 0 ? ROLE_OK : ROLE_WARN;
    return 0;
}

static int card_cost(Card *c, sqlite3 *db, const WidgetEnv *env, char **err)
{
    char today[40], tomorrow[40];
    time_format_iso(env->now_ms, today, sizeof today);
    time_format_iso(env->now_ms + 86400000, tomorrow, sizeof tomorrow);
    today[10] = tomorrow[10] = '\0';
    double v;
    if (scalar(db, "SELECT sum(total_cost_usd) FROM usage WHERE date >= ?1 AND date < ?2",
               today, tomorrow, &v, err) < 0)
        return -1;
    if (isnan(v) && scalar(db, "SELECT sum(cost_today_usd) FROM agents", NULL, NULL, &v,
                           err) < 0)
        return -1;
    if (isnan(v))
        return 0;
    if (v < 1000)
        snprintf(c->value, sizeof c->value, "$%.2f", v);
    else
        fmt_money_short(v, c->value, sizeof c->value);
    c->role = ROLE_MONEY;
    return 0;
}

static int stats_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Stats *s = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    s->loaded = 0;
    if (!db) {
        set_err(err, "stats: no cache");
        return -1;
    }
    for (int i = 0; i < s->ncards; i++) {
        Card *c = &s->cards[i];
        c->value[0] = c->sub[0] = '\0';
        c->role = ROLE_ACCENT;
        int rc = 0;
        switch (c->kind) {
        case C_BLOCKERS: rc = card_blockers(c, db, env, err); break;
        case C_REVENUE: rc = card_revenue(c, db, err); break;
        case C_FAILING: rc = card_failing(c, db, err); break;
        case C_AGENTS: rc = card_agents(c, db, env, err); break;
        default: rc = card_cost(c, db, env, err); break;
        }
        if (rc < 0)
            return -1;
        s->loaded += c->value[0] != '\0';
    }
    return 0;
}

/* The 3-row segment font: digits are 3 columns wide; other characters are
 * drawn at normal size on the middle ($ + /) or bottom row (. , k M B). */
static const char *const seg[10][3] = {
    {" _ ", "| |", "|_|"}, {"   ", "  |", "  |"}, {" _ ", " _|", "|_ "}, {" _ ", " _|", " _|"},
    {"   ", "|_|", "  |"}, {" _ ", "|_ ", " _|"}, {" _ ", "|_ ", "|_|"}, {" _ ", "  |", "  |"},
    {" _ ", "|_|", "|_|"}, {" _ ", "|_|", " _|"},
};

static int big_width(const char *s)
{
    int w = 0;
    for (const char *p = s; *p; p++)
        w += (*p >= '0' && *p <= '9') ? 3 + (p[1] != '\0') : 1 + (p[1] != '\0');
    return w;
}

static void draw_big(WINDOW *w, int y, int x, int maxw, Role r, const char *s)
{
    for (const char *p = s; *p && maxw > 0; p++) {
        char one[2] = {*p, '\0'};
        int cw;
        if (*p >= '0' && *p <= '9') {
            for (int row = 0; row < 3; row++)
                wk_text(w, y + row, x, maxw, r, seg[*p - '0'][row]);
            cw = 3;
        } else {
            int row = (*p == '$' || *p == '+' || *p == '/' || *p == '-') ? 1 : 2;
            wk_text(w, y + row, x, maxw, r, one);
            cw = 1;
        }
        x += cw + 1;
        maxw -= cw + 1;
    }
}

static void draw_card(WINDOW *w, const Card *c, int y0, int x0, int cw, int ch)
{
    const char *label = card_labels[c->kind];
    const char *value = c->value[0] ? c->value : "-";
    Role r = c->value[0] ? c->role : ROLE_DIM;
    if (ch == 1) {
        int used = wk_text(w, y0, x0, cw, r, value);
        wk_text(w, y0, x0 + used + 1, cw - used - 1, ROLE_DIM, label);
        return;
    }
    int lw = text_width(label);
    wk_text(w, y0, x0 + (lw < cw ? (cw - lw) / 2 : 0), cw, ROLE_DIM, label);
    int bw = big_width(value);
    if (ch >= 5 && bw <= cw) {
        draw_big(w, y0 + 1, x0 + (cw - bw) / 2, cw - (cw - bw) / 2, r, value);
    } else {
        int vw = text_width(value);
        wk_text(w, y0 + 1, x0 + (vw < cw ? (cw - vw) / 2 : 0), cw, r, value);
    }
    int suby = ch >= 5 && bw <= cw ? y0 + 4 : y0 + 2;
    int sw = text_width(c->sub);
    if (c->sub[0] && suby < y0 + ch)
        wk_text(w, suby, x0 + (sw < cw ? (cw - sw) / 2 : 0), cw, ROLE_DIM, c->sub);
}

static void stats_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Stats *s = self;
    werase(w);
    if (s->loaded == 0) {
        wk_empty(w, NULL);
        return;
    }
    int W = getmaxx(w), H = getmaxy(w);
    int across = W / 12 < 1 ? 1 : W / 12;
    if (across > s->ncards)
        across = s->ncards;
    int down = (s->ncards + across - 1) / across;
    if (down > H)
        down = H;
    int ch = H / down, cw = (W - (across - 1)) / across;
    for (int i = 0; i < s->ncards && i / across < down; i++) {
        int col = i % across, row = i / across;
        int x = col * (cw + 1);
        draw_card(w, &s->cards[i], row * ch, x, col == across - 1 ? W - x : cw, ch);
    }
}

static int stats_detail(void *self, Buf *out)
{
    Stats *s = self;
    for (int i = 0; i < s->ncards; i++) {
        const Card *c = &s->cards[i];
        buf_printf(out, "%-14s %s%s%s\n", card_labels[c->kind], c->value[0] ? c->value : "-",
                   c->sub[0] ? "  " : "", c->sub);
    }
    return 0;
}

const WidgetClass stats_widget = {
    .name = "stats",
    .title = "Stats",
    .datasets = (1u << DS_BLOCKERS) | (1u << DS_REVENUE) | (1u << DS_CRON) |
                (1u << DS_AGENTS) | (1u << DS_USAGE),
    .create = stats_create,
    .load = stats_load,
    .draw = stats_draw,
    .detail = stats_detail,
    .destroy = stats_destroy,
};

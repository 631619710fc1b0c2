/* stats.c — a row of big-number cards: open blockers, YTD revenue, failing
 * jobs, agents online, cost today and open alerts (which ones, and in what order, from
 * the `cards:` option). The numbers come from src/stats_cards.c (the same
 * ones `mc serve` returns as /api/overview); this file formats and draws
 * them (blockers past the 1000 cap as "999+"). Numbers are drawn in a
 * 3-row segment font when the card is at least 5 rows high, else as plain
 * bold text. */
#include <math.h>
#include <stdio.h>
#include "wkit.h"
#include "../src/stats_cards.h"

static const char *const card_labels[STATS__COUNT] = {
    "open blockers", "YTD revenue", "failing jobs", "agents online", "cost today", "open alerts",
};

typedef struct Card {
    StatsCard kind;
    char value[32];         /* as shown */
    char sub[48];           /* a note under the number, or "" */
    Role role;
} Card;

typedef struct Stats {
    Card cards[STATS__COUNT];
    int ncards;
    int loaded;
} Stats;

/* Reads the cards option: names from stats_card_names, no repeats. */
static int parse_cards(const YNode *opts, Stats *s, char **err)
{
    const YNode *list = opts ? ynode_get(opts, "cards") : NULL;
    if (!list) {
        for (int i = 0; i < STATS__COUNT; i++)
            s->cards[s->ncards++].kind = (StatsCard)i;
        return 0;
    }
    if (list->type != YN_SEQ)
        return ynode_error(list, err, "stats widget: cards must be a list of: open_blockers, "
                           "ytd_revenue, failing_jobs, agents_online, cost_today, open_alerts");
    for (int i = 0; i < list->n; i++) {
        const YNode *it = list->items[i];
        int k = -1;
        for (int j = 0; it->type == YN_SCALAR && j < STATS__COUNT; j++)
            if (strcmp(it->scalar, stats_card_names[j]) == 0)
                k = j;
        if (k < 0)
            return ynode_error(it, err, "stats widget: unknown card '%s' (use open_blockers, "
                               "ytd_revenue, failing_jobs, agents_online, cost_today or "
                               "open_alerts)",
                               it->type == YN_SCALAR ? it->scalar : "?");
        for (int j = 0; j < s->ncards; j++)
            if (s->cards[j].kind == (StatsCard)k)
                return ynode_error(it, err, "stats widget: card '%s' is listed twice",
                                   stats_card_names[k]);
        s->cards[s->ncards++].kind = (StatsCard)k;
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

/* Formats card c from the computed numbers (src/stats_cards.c); leaves it
 * empty ("-") when the cache has no data for it. */
static void card_format(Card *c, const StatsCards *n, const WidgetEnv *env)
{
    switch (c->kind) {
    case STATS_BLOCKERS:
        if (isnan(n->open_blockers) || !n->blockers_seen)
            return;         /* no blocker has ever arrived: no data, not "0" */
        if (n->blockers_capped)
            snprintf(c->value, sizeof c->value, "999+");
        else
            snprintf(c->value, sizeof c->value, "%.0f", n->open_blockers);
        c->role = n->open_blockers > 0 ? ROLE_BLOCKER : ROLE_OK;
        snprintf(c->sub, sizeof c->sub, "needs %s", env->cfg && env->cfg->owner ?
                 env->cfg->owner : "you");
        return;
    case STATS_REVENUE:
        if (!isnan(n->ytd_revenue))
            fmt_money_short(n->ytd_revenue, c->value, sizeof c->value);
        c->role = ROLE_MONEY;
        return;
    case STATS_FAILING:
        if (isnan(n->failing_jobs))
            return;
        snprintf(c->value, sizeof c->value, "%.0f", n->failing_jobs);
        snprintf(c->sub, sizeof c->sub, "of %.0f jobs", n->jobs);
        c->role = n->failing_jobs > 0 ? ROLE_CRIT : ROLE_OK;
        return;
    case STATS_AGENTS:
        if (isnan(n->agents_online))
            return;
        snprintf(c->value, sizeof c->value, "%.0f", n->agents_online);
        snprintf(c->sub, sizeof c->sub, "of %.0f", n->agents);
        c->role = n->agents_online > 0 ? ROLE_OK : ROLE_WARN;
        return;
    case STATS_ALERTS:
        if (isnan(n->open_alerts))
            return;
        snprintf(c->value, sizeof c->value, "%.0f", n->open_alerts);
        if (n->alerts_crit > 0)
            snprintf(c->sub, sizeof c->sub, "%.0f crit", n->alerts_crit);
        else if (n->alerts_warn > 0)
            snprintf(c->sub, sizeof c->sub, "%.0f warn", n->alerts_warn);
        c->role = n->alerts_crit > 0 ? ROLE_CRIT : n->alerts_warn > 0 ? ROLE_WARN : ROLE_OK;
        return;
    default:
        if (isnan(n->cost_today))
            return;
        if (n->cost_today < 1000)
            snprintf(c->value, sizeof c->value, "$%.2f", n->cost_today);
        else
            fmt_money_short(n->cost_today, c->value, sizeof c->value);
        c->role = ROLE_MONEY;
        return;
    }
}

static int stats_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Stats *s = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    s->loaded = 0;
    unsigned mask = 0;
    for (int i = 0; i < s->ncards; i++)
        mask |= 1u << s->cards[i].kind;
    StatsCards n;
    if (stats_cards_compute(db, env ? env->cfg : NULL, env ? env->now_ms : 0, mask, &n,
                            err) < 0)
        return -1;
    for (int i = 0; i < s->ncards; i++) {
        Card *c = &s->cards[i];
        c->value[0] = c->sub[0] = '\0';
        c->role = ROLE_ACCENT;
        card_format(c, &n, env);
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

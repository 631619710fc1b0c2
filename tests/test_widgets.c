/* test_widgets.c — every widget kind loaded from a real cache (rows put in
 * with plain SQL) and drawn into an off-screen curses window, at roomy and
 * tiny sizes. The text is read back cell by cell; each widget draws into a
 * sub-window of a larger window filled with '.', which must stay untouched
 * (nothing drawn outside the pane). Keys are checked through the Intents. */
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <wchar.h>
#include <curses.h>
#include "thelp.h"
#include "cache.h"
#include "config.h"
#include "draw/draw.h"
#include "ui/widget.h"
#include "stats_cards.h"
#include "util.h"
#include "ynode.h"

extern const WidgetClass revenue_widget, blockers_widget, agents_widget, cron_widget,
    health_widget, activity_widget, projects_widget, stats_widget;

#define OUT_H 40
#define OUT_W 140

static Cache *cache;
static Config cfg;
static WidgetEnv env;
static WINDOW *outer;
static int64_t NOW;

static int64_t ms(const char *iso)
{
    int64_t v = 0;
    if (time_parse_iso(iso, &v) < 0)
        abort();
    return v;
}

static void sql(const char *s)
{
    char *e = NULL;
    if (sqlite3_exec(cache_db(cache), s, NULL, NULL, &e) != SQLITE_OK) {
        fprintf(stderr, "SQL failed: %s\n%s\n", e, s);
        abort();
    }
}

static void sqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sqlf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    sql(s);
    free(s);
}

/* An ISO time `sec` seconds before NOW (static buffers, rotating). */
static const char *ago(int64_t sec)
{
    static char buf[8][40];
    static int i;
    i = (i + 1) % 8;
    time_format_iso(NOW - sec * 1000, buf[i], sizeof buf[i]);
    return buf[i];
}

static YNode *opts_of(const char *yaml)
{
    char *err = NULL;
    YNode *n = ynode_parse_text("test.yaml", yaml, strlen(yaml), &err);
    if (!n) {
        fprintf(stderr, "bad test yaml: %s\n", err);
        abort();
    }
    return n;
}

static void *make(const WidgetClass *cls, const char *yaml)
{
    YNode *o = yaml ? opts_of(yaml) : NULL;
    char *err = NULL;
    void *w = cls->create(o, &cfg, &err);
    if (!w)
        fprintf(stderr, "%s: create failed: %s\n", t_current, err);
    CHECK(w != NULL);
    free(err);
    ynode_free(o);
    return w;
}

/* create must fail with an error naming test.yaml:LINE:COL and `what`. */
static void make_fails(const WidgetClass *cls, const char *yaml, const char *where,
                       const char *what)
{
    YNode *o = opts_of(yaml);
    char *err = NULL;
    void *w = cls->create(o, &cfg, &err);
    CHECK(w == NULL);
    if (w)
        cls->destroy(w);
    CHECK_CONTAINS(err, where);
    CHECK_CONTAINS(err, what);
    free(err);
    ynode_free(o);
}

/* The window's text, rows joined by '\n', as UTF-8 (a new string). */
static char *window_text(WINDOW *w)
{
    Buf b = {0};
    buf_puts(&b, "");
    int H = getmaxy(w), W = getmaxx(w);
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            cchar_t cc;
            wchar_t wch[CCHARW_MAX + 1];
            attr_t a;
            short pair;
            if (mvwin_wch(w, y, x, &cc) == ERR || getcchar(&cc, wch, &a, &pair, NULL) == ERR)
                continue;
            for (int i = 0; wch[i]; i++) {
                char mb[MB_LEN_MAX];
                mbstate_t st;
                memset(&st, 0, sizeof st);
                size_t n = wcrtomb(mb, wch[i], &st);
                if (n != (size_t)-1)
                    buf_append(&b, mb, n);
            }
            if (wch[0] && wcwidth(wch[0]) == 2)
                x++;                      /* a wide character's second cell */
        }
        buf_putc(&b, '\n');
    }
    return buf_steal(&b);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Every cell of `outer` outside the h x w box at (1,2) still holds '.'. */
static int surround_clean(int h, int w)
{
    int bad = 0;
    for (int y = 0; y < OUT_H; y++)
        for (int x = 0; x < OUT_W; x++) {
            if (y >= 1 && y < 1 + h && x >= 2 && x < 2 + w)
                continue;
            if ((mvwinch(outer, y, x) & A_CHARTEXT) != '.')
                bad++;
        }
    if (bad)
        fprintf(stderr, "  %d cells written outside a %dx%d pane\n", bad, h, w);
    return bad == 0;
}

static WINDOW *last_win;

/* The color and bold attributes where two-character text s starts on row y (-1: absent). */
static long attr_of(WINDOW *w, int y, const char *s)
{
    for (int x = 0; x + 1 < getmaxx(w); x++)
        if ((int)(mvwinch(w, y, x) & A_CHARTEXT) == s[0] &&
            (int)(mvwinch(w, y, x + 1) & A_CHARTEXT) == s[1])
            return (long)(mvwinch(w, y, x) & (A_COLOR | A_BOLD));
    return -1;
}

/* Loads and draws a widget into an h x w pane; returns its text (caller frees). */
static char *render(const WidgetClass *cls, void *self, int h, int w, int focused)
{
    for (int y = 0; y < OUT_H; y++)
        for (int x = 0; x < OUT_W; x++)
            mvwaddch(outer, y, x, '.');
    if (last_win)
        delwin(last_win);
    WINDOW *win = derwin(outer, h, w, 1, 2);
    last_win = win;
    char *err = NULL;
    int rc = cls->load(self, &env, h, &err);
    if (rc != 0)
        fprintf(stderr, "%s: %s load failed: %s\n", t_current, cls->name, err);
    CHECK_INT(rc, 0);
    free(err);
    PaneInfo pane = {.focused = focused, .data_age_ms = 1000};
    cls->draw(self, win, &env, &pane);
    CHECK(surround_clean(h, w));
    char *t = window_text(win);
    if (getenv("MC_TEST_DUMP"))          /* to look at what the widgets draw */
        fprintf(stderr, "--- %s %dx%d\n%s", cls->name, h, w, t);
    return t;
}

/* Draws at many sizes, tiny included: no crash, nothing outside. */
static void render_sizes(const WidgetClass *cls, void *self)
{
    static const int sizes[][2] = {{1, 10}, {1, 1}, {2, 10}, {3, 20}, {4, 12}, {5, 40},
                                   {7, 30}, {12, 80}, {24, 100}, {30, 130}, {2, 130}};
    for (size_t i = 0; i < MC_ARRAY_LEN(sizes); i++)
        free(render(cls, self, sizes[i][0], sizes[i][1], (int)(i % 2)));
}

static char *note_of(const WidgetClass *cls, void *self)
{
    static char buf[128];
    buf[0] = '\0';
    if (cls->title_note)
        cls->title_note(self, buf, sizeof buf);
    return buf;
}

static char *detail_of(const WidgetClass *cls, void *self)
{
    Buf b = {0};
    if (!cls->detail || cls->detail(self, &b) < 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

/* Every class in the registry has the required methods; an optional one is
 * NULL rather than a stub: a key() that ignores every action is one. */
static void test_classes(void)
{
    int n = 0;
    for (const WidgetClass *const *c = widget_classes; *c; c++, n++) {
        const WidgetClass *cls = *c;
        CHECK(cls->name && cls->title && cls->create && cls->load && cls->draw && cls->destroy);
        CHECK(widget_class_find(cls->name) == cls);
        CHECK_CONTAINS(widget_names(), cls->name);
        if (!cls->key)
            continue;
        void *w = make(cls, NULL);
        if (!w)
            continue;
        free(render(cls, w, 10, 60, 1));
        int used = 0;
        Intent in = {0};
        for (int a = ACT_UP; a < ACT__COUNT; a++) {
            used |= cls->key(w, (Action)a, &in) != HR_IGNORED;
            intent_clear(&in);
        }
        if (!used)
            fprintf(stderr, "  %s: key() ignores every action: leave it NULL\n", cls->name);
        CHECK(used);
        cls->destroy(w);
    }
    CHECK(n >= 8);
}

/* Every widget on an empty cache says so and survives every size. */
static void test_empty(void)
{
    const WidgetClass *const *all = widget_classes;
    for (size_t i = 0; all[i]; i++) {
        void *w = make(all[i], NULL);
        if (!w)
            continue;
        char *t = render(all[i], w, 10, 60, 1);
        if (!strstr(t, "no data yet"))
            fprintf(stderr, "  (%s)\n", all[i]->name);
        CHECK_CONTAINS(t, "no data yet");
        const char *note = note_of(all[i], w);
        CHECK(note[0] == '\0' || strcmp(note, "Needs Apple \u00b7 0") == 0);
        free(t);
        render_sizes(all[i], w);
        Intent in = {0};
        for (int a = ACT_UP; a < ACT__COUNT && all[i]->key; a++) {  /* keys on nothing: harmless */
            if (all[i]->key(w, (Action)a, &in) == HR_INTENT)
                CHECK(in.kind == INTENT_UNDO);
            intent_clear(&in);
        }
        all[i]->destroy(w);
    }
}

static void test_options(void)
{
    make_fails(&revenue_widget, "type: revenue\ngoal_usd: 5\nbogus: 1\n", "test.yaml:3:1",
               "bogus");
    make_fails(&revenue_widget, "goal_usd: lots\n", "test.yaml:1:11", "");
    make_fails(&revenue_widget, "year_start: 13-01\n", "test.yaml:1:13", "MM-DD");
    make_fails(&blockers_widget, "show_resolved: maybe\n", "test.yaml:1:16", "");
    make_fails(&health_widget, "warn_pct: 95\ncrit_pct: 90\n", "test.yaml:1:11", "warn_pct");
    make_fails(&stats_widget, "cards: [open_blockers, bogus]\n", "test.yaml:1:24",
               "unknown card 'bogus'");
    make_fails(&stats_widget, "cards: [cost_today, cost_today]\n", "test.yaml:1:21", "twice");
    make_fails(&cron_widget, "grace: soon\n", "test.yaml:1:8", "");
    make_fails(&agents_widget, "colour: red\n", "test.yaml:1:1", "colour");
    void *w = make(&revenue_widget, "{type: revenue, title: Money, goal_usd: 500000, "
                                    "year_start: '2026-04-01'}");
    if (w)
        revenue_widget.destroy(w);
}

static void test_revenue(void)
{
    sql("INSERT INTO revenue (source, key, snapshot_date, total_ytd_usd, projected_annual_usd,"
        " streams) VALUES"
        " ('stripe', 'd1', '2026-11-19', 90000, NULL, '[]'),"
        " ('stripe', 'd2', '2026-11-20', 100000, 130000, '[]'),"
        " ('stripe', 'd3', '2026-11-21', 120000, 140000,"
        "  '[{\"name\":\"MSN\",\"ytd_usd\":70000},{\"name\":\"AdsByMoney\",\"ytd_usd\":50000}]'),"
        " ('manual', 'm1', '2026-11-21', 5000, NULL,"
        "  '[{\"name\":\"Sponsors\",\"ytd_usd\":5000}, {\"bad\":1}, 7]')");
    void *w = make(&revenue_widget, "goal_usd: 500000");
    if (!w)
        return;
    char *t = render(&revenue_widget, w, 12, 80, 1);
    CHECK_CONTAINS(t, "YTD $125,000.00");
    CHECK_CONTAINS(t, "proj $140k/yr");
    CHECK_CONTAINS(t, "goal $500k");
    CHECK_CONTAINS(t, "25.0%");
    double frac = (double)(NOW - ms("2026-01-01")) / (double)(ms("2027-01-01") - ms("2026-01-01"));
    char m[32], want[64];
    fmt_money_short(500000 * frac - 125000, m, sizeof m);
    snprintf(want, sizeof want, "-%s behind pace", m);
    CHECK_CONTAINS(t, want);
    CHECK_CONTAINS(t, "MSN");
    CHECK_CONTAINS(t, "$70.0k");
    CHECK_CONTAINS(t, "AdsByMoney");
    CHECK_CONTAINS(t, "Sponsors");
    CHECK(strstr(t, "MSN") < strstr(t, "AdsByMoney"));   /* biggest stream first */
    CHECK_CONTAINS(t, "ytd ");                           /* the sparkline row */
    CHECK_CONTAINS(note_of(&revenue_widget, w), "25% of goal");
    char *d = detail_of(&revenue_widget, w);
    CHECK_CONTAINS(d, "$125,000.00");
    CHECK_CONTAINS(d, "Sponsors");
    free(d);
    free(t);
    t = render(&revenue_widget, w, 1, 30, 0);
    CHECK_CONTAINS(t, "YTD $125");
    free(t);
    render_sizes(&revenue_widget, w);
    revenue_widget.destroy(w);

    /* a fiscal year from April: less of it is gone, so the pace is lower */
    w = make(&revenue_widget, "{goal_usd: 150000, year_start: 04-01}");
    if (!w)
        return;
    t = render(&revenue_widget, w, 12, 80, 1);
    frac = (double)(NOW - ms("2026-04-01")) / (double)(ms("2027-04-01") - ms("2026-04-01"));
    fmt_money_short(125000 - 150000 * frac, m, sizeof m);
    snprintf(want, sizeof want, "+%s ahead of pace", m);
    CHECK_CONTAINS(t, want);
    free(t);
    revenue_widget.destroy(w);

    /* without its own year_start the widget takes the top-level one (the
     * revenue sources' year): the same April pace */
    cfg.year_start_month = 4;
    cfg.year_start_day = 1;
    w = make(&revenue_widget, "{goal_usd: 150000}");
    cfg.year_start_month = cfg.year_start_day = 0;
    if (!w)
        return;
    t = render(&revenue_widget, w, 12, 80, 1);
    CHECK_CONTAINS(t, want);
    free(t);
    revenue_widget.destroy(w);
}

static void insert_blockers(void)
{
    sqlf("INSERT INTO blockers (source, key, from_agent, description, context, created_at,"
         " resolved, state) VALUES"
         " ('handoffs', 'h1', 'max', 'Vercel token returns 403', 'Deploy hooks fail since Mar 23',"
         "  '%s', 0, 'open'),"
         " ('pending', 'p1', 'dash', 'Renew Impact API key', '', '%s', 0, 'resolving'),"
         " ('ops', 'o1', 'atlas', 'Old resolved one', '', '%s', 1, 'resolved'),"
         " ('ops', 'o2', 'atlas', 'Snoozed thing', '', '%s', 0, 'open'),"
         " ('ops', 'o3', 'atlas', 'Delivery failed thing', '', '%s', 0, 'failed'),"
         " ('ops', 'o4', 'evil', 'x\x1b]0;owned\x07 y \x1b[2J z \x1b[?1049l', '', '%s', 0, NULL)",
         ago(3 * 3600 + 60), ago(60), ago(7200), ago(30), ago(2 * 3600), ago(90 * 60));
    sqlf("INSERT INTO snooze (source, key, until_ms) VALUES ('ops', 'o2', %lld),"
         " ('ops', 'o3', %lld)", (long long)(NOW + 3600000), (long long)(NOW - 1000));
    /* why o3's write-back failed, as the outbox recorded it */
    sqlf("INSERT OR IGNORE INTO outbox (source, key, action, idempotency_key, created_at, state, last_error)"
         " VALUES ('ops', 'o3', 'resolve', 'k-o3', '%s', 'failed', 'HTTP 409: already resolved by max')",
         ago(60));
}

static void test_blockers(void)
{
    insert_blockers();
    void *w = make(&blockers_widget, NULL);
    if (!w)
        return;
    char *t = render(&blockers_widget, w, 10, 100, 1);
    CHECK_STR(note_of(&blockers_widget, w), "Needs Apple \u00b7 4");
    CHECK_CONTAINS(t, "Vercel token returns 403");
    CHECK_CONTAINS(t, "max");
    CHECK_CONTAINS(t, "3h");
    CHECK_CONTAINS(t, "handoffs");
    CHECK_CONTAINS(t, "resolving\u2026");
    CHECK_CONTAINS(t, "failed");
    CHECK_CONTAINS(t, "HTTP 409: already resolved");   /* the reason, in the pane */
    CHECK(!strstr(t, "Old resolved one"));
    CHECK(!strstr(t, "Snoozed thing"));
    CHECK(!strchr(t, '\x1b'));
    CHECK_CONTAINS(t, "\u241b");          /* the escape shows as a placeholder */
    /* newest first: p1 (1m), o4 (90m), o3 (2h), h1 (3h) */
    CHECK(strstr(t, "Renew Impact") < strstr(t, "Delivery failed"));
    CHECK(strstr(t, "Delivery failed") < strstr(t, "Vercel token"));
    free(t);

    Intent in = {0};
    CHECK_INT(blockers_widget.key(w, ACT_RESOLVE, &in), HR_INTENT);
    CHECK_INT(in.kind, INTENT_RESOLVE);
    CHECK_INT(in.n, 1);
    CHECK_STR(in.keys[0], "p1");
    CHECK_STR(in.sources[0], "pending");
    CHECK_INT(in.want_note, 0);
    intent_clear(&in);
    CHECK_INT(blockers_widget.key(w, ACT_DOWN, &in), HR_REDRAW);
    CHECK_INT(blockers_widget.key(w, ACT_MARK, &in), HR_REDRAW);    /* o4, moves on */
    CHECK_INT(blockers_widget.key(w, ACT_MARK, &in), HR_REDRAW);    /* o3 */
    CHECK_CONTAINS(note_of(&blockers_widget, w), "2 marked");
    t = render(&blockers_widget, w, 10, 100, 1);
    CHECK_INT(count_of(t, "* "), 2);
    free(t);
    CHECK_INT(blockers_widget.key(w, ACT_RESOLVE_NOTE, &in), HR_INTENT);
    CHECK_INT(in.kind, INTENT_RESOLVE);
    CHECK_INT(in.want_note, 1);
    CHECK_INT(in.n, 2);
    CHECK(in.n == 2 && ((strcmp(in.keys[0], "o4") == 0 && strcmp(in.keys[1], "o3") == 0) ||
                        (strcmp(in.keys[0], "o3") == 0 && strcmp(in.keys[1], "o4") == 0)));
    intent_clear(&in);
    CHECK(!strstr(note_of(&blockers_widget, w), "marked"));
    /* the selection is on h1 now */
    CHECK_INT(blockers_widget.key(w, ACT_SNOOZE, &in), HR_INTENT);
    CHECK_INT(in.kind, INTENT_SNOOZE);
    CHECK(in.n == 1 && strcmp(in.keys[0], "h1") == 0);
    intent_clear(&in);
    CHECK_INT(blockers_widget.key(w, ACT_COPY, &in), HR_INTENT);
    CHECK_INT(in.kind, INTENT_COPY);
    CHECK_CONTAINS(in.text, "Vercel token returns 403");
    CHECK_CONTAINS(in.text, "Deploy hooks fail");
    intent_clear(&in);
    CHECK_INT(blockers_widget.key(w, ACT_UNDO, &in), HR_INTENT);
    CHECK_INT(in.kind, INTENT_UNDO);
    intent_clear(&in);
    CHECK_INT(blockers_widget.key(w, ACT_FILTER, &in), HR_IGNORED);
    char *d = detail_of(&blockers_widget, w);
    CHECK_CONTAINS(d, "Vercel token returns 403");
    CHECK_CONTAINS(d, "from:        max");
    CHECK_CONTAINS(d, "source:      handoffs");
    CHECK_CONTAINS(d, "key:         h1");
    free(d);

    blockers_widget.set_filter(w, "IMPACT");
    t = render(&blockers_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "Renew Impact API key");
    CHECK(!strstr(t, "Vercel"));
    free(t);
    blockers_widget.set_filter(w, "ops");           /* by source */
    t = render(&blockers_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "Delivery failed");
    CHECK(!strstr(t, "Vercel"));
    free(t);
    blockers_widget.set_filter(w, "4%");             /* % is literal, not a wildcard */
    t = render(&blockers_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "no match");
    free(t);
    blockers_widget.set_filter(w, NULL);
    render_sizes(&blockers_widget, w);
    blockers_widget.destroy(w);

    w = make(&blockers_widget, "show_resolved: true");
    t = render(&blockers_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "Old resolved one");
    CHECK(!strstr(t, "Snoozed thing"));
    free(t);
    blockers_widget.destroy(w);
    w = make(&blockers_widget, "all: true");
    t = render(&blockers_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "Snoozed thing");
    CHECK_CONTAINS(t, "snoozed");
    free(t);
    blockers_widget.destroy(w);

    /* everything resolved: not "no data", but nothing needs the owner */
    sql("UPDATE blockers SET resolved = 1");
    w = make(&blockers_widget, NULL);
    t = render(&blockers_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "nothing needs Apple");
    free(t);
    blockers_widget.destroy(w);
    sql("DELETE FROM blockers; DELETE FROM snooze");
}

/* 1200 open blockers: the count caps, and paging re-reads the window. */
static void test_blockers_many(void)
{
    sql("BEGIN");
    for (int i = 0; i < 1200; i++)
        sqlf("INSERT INTO blockers (source, key, from_agent, description, created_at, resolved)"
             " VALUES ('bulk', 'k%04d', 'max', 'item %04d', '%s', 0)", i, i, ago(i * 60));
    sql("COMMIT");
    void *w = make(&blockers_widget, NULL);
    char *t = render(&blockers_widget, w, 10, 80, 1);
    CHECK_STR(note_of(&blockers_widget, w), "Needs Apple \u00b7 999+");
    CHECK_CONTAINS(t, "item 0000");
    CHECK_CONTAINS(t, "item 0009");
    CHECK(!strstr(t, "item 0010"));
    free(t);
    Intent in = {0};
    CHECK_INT(blockers_widget.key(w, ACT_PGDN, &in), HR_RELOAD);
    t = render(&blockers_widget, w, 10, 80, 1);
    CHECK_CONTAINS(t, "item 0010");
    CHECK(!strstr(t, "item 0009"));
    free(t);
    char *d = detail_of(&blockers_widget, w);
    CHECK_CONTAINS(d, "key:         k0010");
    free(d);
    blockers_widget.destroy(w);
    sql("DELETE FROM blockers");
}

static void test_agents(void)
{
    sqlf("INSERT INTO agents (source, key, agent_id, status, last_seen, current_task, model,"
         " tokens_today, cost_today_usd) VALUES"
         " ('st', 'max', 'max', 'working', '%s', 'build_api', 'sonnet-4.5', 1200000, 3.4),"
         " ('st', 'dash', 'dash', 'idle', '%s', '', 'haiku', 5000, 0.02),"
         " ('st', 'atlas', 'atlas', 'working', '%s', '', 'opus', 0, 0)",
         ago(60), ago(300), ago(7200));
    for (int d = 0; d < 9; d++) {      /* days 7 and 8 are outside the sparkline */
        char day[40];
        time_format_iso(NOW - (int64_t)d * 86400000, day, sizeof day);
        day[10] = '\0';
        sqlf("INSERT INTO usage (source, key, agent_id, date, model, total_cost_usd) VALUES"
             " ('u', 'max-%d-a', 'max', '%s', 'sonnet', %d), ('u', 'max-%d-b', 'max', '%s',"
             " 'haiku', 0.5)", d, day, d + 1, d, day);
    }
    void *w = make(&agents_widget, NULL);
    if (!w)
        return;
    char *t = render(&agents_widget, w, 8, 100, 1);
    CHECK_CONTAINS(t, "build_api");
    CHECK_CONTAINS(t, "1.2M");
    CHECK_CONTAINS(t, "$3.40");
    CHECK_CONTAINS(t, "offline");
    CHECK_CONTAINS(t, "2h");
    CHECK_CONTAINS(t, "\u25cf");                 /* working mark */
    CHECK_CONTAINS(t, "\u2581");                 /* the sparkline's lowest bar */
    CHECK_CONTAINS(t, "\u2588");                 /* and its highest */
    CHECK_STR(note_of(&agents_widget, w), "1 working \u00b7 2/3 online");
    free(t);
    /* rows are by agent_id: atlas, dash, max */
    Intent in = {0};
    CHECK_INT(agents_widget.key(w, ACT_BOTTOM, &in), HR_REDRAW);
    char *d = detail_of(&agents_widget, w);
    CHECK_CONTAINS(d, "agent:      max (working)");
    /* oldest first: day 6 = $7 + $0.50 ... today = $1 + $0.50 */
    CHECK_CONTAINS(d, "last 7 days: $7.50 $6.50 $5.50 $4.50 $3.50 $2.50 $1.50");
    free(d);
    render_sizes(&agents_widget, w);
    agents_widget.destroy(w);
}

static void test_cron(void)
{
    sqlf("INSERT INTO cron (source, key, job_id, name, schedule, enabled, last_run, last_status,"
         " last_duration_ms, next_run, consecutive_failures) VALUES"
         " ('c', 'rc', 'rc', 'revenue-collector', '0 */6 * * *', 1, '%s', 'ok', 43120, NULL, 0),"
         " ('c', 'bk', 'bk', 'backup', '0 3 * * *', 1, '2026-11-20T03:00:05Z', 'ok', 10, NULL, 0),"
         " ('c', 'sy', 'sy', 'sync', '*/10 * * * *', 1, '%s', 'error', 5, NULL, 3),"
         " ('c', 'rp', 'rp', 'report', '@daily', 1, '%s', 'hung', 0, NULL, 0),"
         " ('c', 'br', 'br', 'broken', '61 * * * *', 1, '%s', 'ok', 0, NULL, 0),"
         " ('c', 'od', 'od', 'old', '@hourly', 0, '2026-01-01T00:00:00Z', 'ok', 0, NULL, 0)",
         ago(30 * 60 - 1), ago(60), ago(3600), ago(600));
    void *w = make(&cron_widget, NULL);
    if (!w)
        return;
    char *t = render(&cron_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "revenue-collector");
    CHECK_CONTAINS(t, "0 */6 * * *");
    CHECK_CONTAINS(t, "missed");
    CHECK_CONTAINS(t, "hung");
    CHECK_CONTAINS(t, "error");
    CHECK_CONTAINS(t, "x3");
    CHECK_CONTAINS(t, "bad schedule");
    CHECK_CONTAINS(t, "disabled");
    CHECK_CONTAINS(t, "in 5h");          /* 18:00 after 12:30 */
    /* problems first: failed, hung, missed, bad schedule, then ok, then disabled */
    CHECK(strstr(t, "sync") < strstr(t, "report"));
    CHECK(strstr(t, "report") < strstr(t, "backup"));
    CHECK(strstr(t, "backup") < strstr(t, "broken"));
    CHECK(strstr(t, "broken") < strstr(t, "revenue-collector"));
    CHECK(strstr(t, "revenue-collector") < strstr(t, "old"));
    CHECK_STR(note_of(&cron_widget, w), "4 need attention");
    free(t);
    Intent in = {0};
    cron_widget.key(w, ACT_TOP, &in);
    cron_widget.key(w, ACT_DOWN, &in);
    cron_widget.key(w, ACT_DOWN, &in);
    char *d = detail_of(&cron_widget, w);
    CHECK_CONTAINS(d, "job:          backup (missed)");
    CHECK_CONTAINS(d, "last due:     2026-11-21T03:00:00Z");
    CHECK_CONTAINS(d, "next run:     2026-11-22T03:00:00Z");
    free(d);
    cron_widget.key(w, ACT_DOWN, &in);
    d = detail_of(&cron_widget, w);
    CHECK_CONTAINS(d, "column 1: minute 61 out of range 0-59");
    free(d);
    render_sizes(&cron_widget, w);
    cron_widget.destroy(w);

    /* with ten hours of grace, this morning's backup is not late yet */
    w = make(&cron_widget, "grace: 10h");
    t = render(&cron_widget, w, 10, 100, 1);
    CHECK(!strstr(t, "missed"));
    CHECK_STR(note_of(&cron_widget, w), "3 need attention");
    free(t);
    cron_widget.destroy(w);
}

/* A CRON_TZ= schedule (openclaw_cron) in another zone is not read in UTC:
 * not missed, and the source's next_run stands; CRON_TZ=UTC still is. */
static void test_cron_tz(void)
{
    /* 03:00 Chicago is 09:00 UTC: last run yesterday 09:00 UTC, next tomorrow */
    sql("INSERT INTO cron (source, key, job_id, name, schedule, enabled, last_run, last_status,"
        " last_duration_ms, next_run, consecutive_failures) VALUES"
        " ('g', 'tz', 'tz', 'zoned', 'CRON_TZ=America/Chicago 0 3 * * *', 1, '2026-11-21T09:00:00Z', 'ok', 5,"
        " '2026-11-22T09:00:00Z', 0),"
        " ('g', 'ut', 'ut', 'utc', 'CRON_TZ=UTC 0 3 * * *', 1, '2026-11-20T03:00:00Z', 'ok', 5, NULL, 0)");
    void *w = make(&cron_widget, NULL);
    if (!w)
        return;
    char *t = render(&cron_widget, w, 12, 100, 1);
    const char *z = t ? strstr(t, "zoned") : NULL, *u = t ? strstr(t, " utc ") : NULL;
    CHECK(z && u);
    if (z && u) {   /* the list shows the expression; the zone is in the detail */
        CHECK(strstr(z, "0 3 * * *") && strstr(z, "0 3 * * *") < strchr(z, '\n'));
        CHECK(strstr(z, "ok") && strstr(z, "ok") < strchr(z, '\n'));
        CHECK(strstr(u, "missed") && strstr(u, "missed") < strchr(u, '\n'));
    }
    free(t);
    Intent in = {0};
    cron_widget.key(w, ACT_TOP, &in);
    char *d = NULL;
    for (int i = 0; i < 12; i++) {       /* down to the zoned job */
        free(d);
        d = detail_of(&cron_widget, w);
        if (d && strstr(d, "job:          zoned"))
            break;
        cron_widget.key(w, ACT_DOWN, &in);
    }
    CHECK_CONTAINS(d, "job:          zoned (ok)");
    CHECK_CONTAINS(d, "schedule:     CRON_TZ=America/Chicago 0 3 * * *");
    CHECK_CONTAINS(d, "next run:     2026-11-22T09:00:00Z");
    CHECK(d && !strstr(d, "column"));
    free(d);
    cron_widget.destroy(w);
    sql("DELETE FROM cron WHERE source = 'g'");
}

static void test_health(void)
{
    for (int i = 9; i >= 0; i--)
        sqlf("INSERT INTO system (source, key, host, ts, cpu_pct, mem_pct, disk_pct, load1,"
             " health_score, services) VALUES ('host', 'k%d', 'ops1', '%s', %d, 85, 40, 1.5, 72,"
             " '[{\"name\":\"api\",\"up\":true},{\"name\":\"db\",\"up\":false,"
             "\"detail\":\"connection refused\"},{\"name\":7}]')", i, ago(i * 60),
             95 - i * 5);
    void *w = make(&health_widget, NULL);
    if (!w)
        return;
    char *t = render(&health_widget, w, 8, 60, 1);
    CHECK_CONTAINS(t, "CPU");
    CHECK_CONTAINS(t, "MEM");
    CHECK_CONTAINS(t, "DISK");
    CHECK_CONTAINS(t, "95%");
    CHECK_CONTAINS(t, "85%");
    CHECK_CONTAINS(t, "40%");
    CHECK_CONTAINS(t, "load 1.50");
    CHECK_CONTAINS(t, "score 72");
    CHECK_CONTAINS(t, "ops1");
    CHECK_CONTAINS(t, "\u25cf api");
    CHECK_CONTAINS(t, "\u2715 db");
    CHECK_CONTAINS(t, "cpu \u2581");      /* the sparkline starts at the lowest sample */
    CHECK_STR(note_of(&health_widget, w), "1 down");
    free(t);
    /* the CPU figure is drawn in the critical role */
    CHECK(attr_of(last_win, 1, "95") == (draw_role(ROLE_CRIT) & (A_COLOR | A_BOLD)));
    char *d = detail_of(&health_widget, w);
    CHECK_CONTAINS(d, "DOWN db  connection refused");
    free(d);
    t = render(&health_widget, w, 2, 40, 0);
    CHECK_CONTAINS(t, "CPU 95%");
    CHECK_CONTAINS(t, "db");
    free(t);
    render_sizes(&health_widget, w);
    health_widget.destroy(w);
    /* thresholds from the options: 95 is only a warning with crit_pct 99 */
    w = make(&health_widget, "{warn_pct: 50, crit_pct: 99}");
    free(render(&health_widget, w, 8, 60, 1));
    CHECK(attr_of(last_win, 1, "95") == (draw_role(ROLE_WARN) & (A_COLOR | A_BOLD)));
    health_widget.destroy(w);
}

static void test_activity(void)
{
    static const char *const types[] = {"deploy", "handoff", "blocker"};
    static const char *const agents[] = {"max", "dash", "vercel"};
    static const char *const status[] = {"ready", "error", "blocked", "ok"};
    sql("BEGIN");
    for (int i = 0; i < 300; i++)
        sqlf("INSERT INTO activity (source, key, ts, event_type, agent, status, details) VALUES"
             " ('a', 'e%03d', '%s', '%s', '%s', '%s', 'event %03d%s')", i, ago(i * 30 + 10),
             types[i % 3], agents[i % 3], status[i % 4], i, i == 7 ? " 100% done" : "");
    sql("COMMIT");
    void *w = make(&activity_widget, NULL);
    if (!w)
        return;
    char *t = render(&activity_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "event 000");
    CHECK_CONTAINS(t, "event 009");
    CHECK(!strstr(t, "event 010"));
    CHECK(strstr(t, "event 000") < strstr(t, "event 001"));
    CHECK_CONTAINS(t, "10s");
    CHECK_CONTAINS(t, "deploy");
    CHECK_CONTAINS(t, "vercel");
    free(t);
    Intent in = {0};
    CHECK_INT(activity_widget.key(w, ACT_PGDN, &in), HR_RELOAD);
    t = render(&activity_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "event 010");
    CHECK(!strstr(t, "event 009"));
    free(t);
    char *d = detail_of(&activity_widget, w);
    CHECK_CONTAINS(d, "event 010");
    CHECK_CONTAINS(d, "key:     e010");
    free(d);
    CHECK_INT(activity_widget.key(w, ACT_TOP, &in), HR_RELOAD);
    CHECK_INT(activity_widget.key(w, ACT_UP, &in), HR_HANDLED);

    activity_widget.set_filter(w, "agent:MAX");
    t = render(&activity_widget, w, 10, 100, 1);
    CHECK_INT(count_of(t, "max"), 10);
    CHECK(!strstr(t, "dash"));
    CHECK_CONTAINS(note_of(&activity_widget, w), "/agent:MAX");
    free(t);
    activity_widget.set_filter(w, "type:hand");
    t = render(&activity_widget, w, 10, 100, 1);
    CHECK_INT(count_of(t, "handoff"), 10);
    free(t);
    activity_widget.set_filter(w, "type:deploy event 29");
    t = render(&activity_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "event 291");
    CHECK_CONTAINS(t, "event 294");
    CHECK(!strstr(t, "event 292"));
    free(t);
    activity_widget.set_filter(w, "100%");
    t = render(&activity_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "event 007 100% done");
    CHECK(!strstr(t, "event 000"));
    free(t);
    activity_widget.set_filter(w, "nothing-like-this");
    t = render(&activity_widget, w, 10, 100, 1);
    CHECK_CONTAINS(t, "no match");
    free(t);
    activity_widget.set_filter(w, "");
    CHECK_STR(note_of(&activity_widget, w), "");
    render_sizes(&activity_widget, w);
    activity_widget.destroy(w);
}

/* The selection stays on its event when newer events arrive above it, and
 * the pane says where it is. */
static void test_activity_identity(void)
{
    sql("BEGIN");
    for (int i = 0; i < 40; i++)
        sqlf("INSERT INTO activity (source, key, ts, event_type, agent, status, details) VALUES"
             " ('b', 'f%03d', '%s', 'deploy', 'max', 'ok', 'flow %03d')", i, ago(i * 60 + 5), i);
    sql("COMMIT");
    void *w = make(&activity_widget, NULL);
    const WidgetClass *cls = &activity_widget;
    cls->set_filter(w, "flow");                 /* only these (test_activity left 300) */
    free(render(&activity_widget, w, 10, 100, 1));
    ListView *lv = cls->list(w);
    char pos[32];
    list_position(lv, pos, sizeof pos);
    CHECK_STR(pos, "1/40");
    Intent in = {0};
    cls->key(w, ACT_DOWN, &in);
    cls->key(w, ACT_DOWN, &in);
    char *d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:     f002");
    free(d);
    sqlf("INSERT INTO activity (source, key, ts, event_type, agent, status, details) VALUES"
         " ('b', 'new1', '%s', 'deploy', 'max', 'ok', 'flow newer one'),"
         " ('b', 'new2', '%s', 'deploy', 'max', 'ok', 'flow newer two')", ago(1), ago(2));
    free(render(cls, w, 10, 100, 1));
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:     f002");
    free(d);
    list_position(lv, pos, sizeof pos);
    CHECK_STR(pos, "5/42");
    /* scrolled down a page, then more arrive: still the same event */
    CHECK_INT(cls->key(w, ACT_PGDN, &in), HR_RELOAD);
    free(render(cls, w, 10, 100, 1));
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:     f012");
    free(d);
    sqlf("INSERT INTO activity (source, key, ts, event_type, agent, status, details) VALUES"
         " ('b', 'new3', '%s', 'deploy', 'max', 'ok', 'flow newer three')", ago(0));
    free(render(cls, w, 10, 100, 1));
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:     f012");
    free(d);
    cls->destroy(w);
    sql("DELETE FROM activity WHERE source = 'b'");
}

/* Blockers: the selection stays on the item across a newer blocker, a filter
 * and a reload; r resolves the item shown; an item that goes leaves a notice. */
static void test_blockers_identity(void)
{
    sqlf("INSERT INTO blockers (source, key, from_agent, description, created_at, resolved)"
         " VALUES ('h', 'zephyr', 'max', 'Rotate the Zephyr token', '%s', 0),"
         " ('h', 'quasar', 'atlas', 'Approve the Quasar budget', '%s', 0),"
         " ('p', 'quokka', '', 'Sign the Quokka contract', '%s', 0),"
         " ('p', 'wombat', '', 'Ship the Wombat', '%s', 0)", ago(180), ago(300), ago(400),
         ago(500));
    const WidgetClass *cls = &blockers_widget;
    void *w = make(cls, NULL);
    free(render(cls, w, 10, 100, 1));
    Intent in = {0};
    cls->key(w, ACT_DOWN, &in);
    cls->key(w, ACT_DOWN, &in);                  /* row 3: the Quokka */
    char *d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:         quokka");
    free(d);
    sqlf("INSERT INTO blockers (source, key, from_agent, description, created_at, resolved)"
         " VALUES ('h', 'nova', 'atlas', 'Sign off the Nova launch', '%s', 0)", ago(10));
    free(render(cls, w, 10, 100, 1));           /* the reload a new line causes */
    CHECK_INT(cls->key(w, ACT_RESOLVE, &in), HR_INTENT);
    CHECK(in.n == 1 && strcmp(in.keys[0], "quokka") == 0 && strcmp(in.sources[0], "p") == 0);
    intent_clear(&in);
    char pos[32];
    list_position(cls->list(w), pos, sizeof pos);
    CHECK_STR(pos, "4/5");
    /* a filter that keeps it keeps the selection on it */
    cls->set_filter(w, "Sign");
    free(render(cls, w, 10, 100, 1));
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:         quokka");
    free(d);
    cls->set_filter(w, NULL);
    free(render(cls, w, 10, 100, 1));
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:         quokka");
    free(d);
    /* marks are by identity: a newer row above does not move them */
    cls->key(w, ACT_MARK, &in);                  /* quokka, then the Wombat is selected */
    sqlf("INSERT INTO blockers (source, key, from_agent, description, created_at, resolved)"
         " VALUES ('h', 'orion', 'atlas', 'Orion', '%s', 0)", ago(5));
    free(render(cls, w, 10, 100, 1));
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:         wombat");
    free(d);
    CHECK_INT(cls->key(w, ACT_SNOOZE, &in), HR_INTENT);
    CHECK(in.n == 1 && strcmp(in.keys[0], "quokka") == 0);
    intent_clear(&in);
    /* the selected item goes (resolved elsewhere): the nearest row, and a notice */
    sql("UPDATE blockers SET resolved = 1 WHERE key = 'wombat'");
    free(render(cls, w, 10, 100, 1));
    char note[200];
    list_take_notice(cls->list(w), note, sizeof note);
    CHECK_CONTAINS(note, "Ship the Wombat");
    CHECK_CONTAINS(note, "gone");
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "key:         quokka");       /* the row before it, now the last */
    free(d);
    /* the one the user resolves leaving says nothing */
    CHECK_INT(cls->key(w, ACT_RESOLVE, &in), HR_INTENT);
    intent_clear(&in);
    sql("UPDATE blockers SET resolved = 1 WHERE key = 'quokka'");
    free(render(cls, w, 10, 100, 1));
    list_take_notice(cls->list(w), note, sizeof note);
    CHECK_STR(note, "");
    cls->destroy(w);
    sql("DELETE FROM blockers");
}

/* Lists read whole (agents, cron) keep the selection on the item too. */
static void test_whole_list_identity(void)
{
    const WidgetClass *cls = &agents_widget;
    void *w = make(cls, NULL);
    free(render(cls, w, 8, 100, 1));
    Intent in = {0};
    cls->key(w, ACT_BOTTOM, &in);
    char *d = detail_of(cls, w);
    CHECK_CONTAINS(d, "agent:      max");
    free(d);
    sqlf("INSERT INTO agents (source, key, agent_id, status, last_seen) VALUES"
         " ('st', 'aaron', 'aaron', 'idle', '%s')", ago(10));   /* sorts first */
    free(render(cls, w, 8, 100, 1));
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "agent:      max");
    free(d);
    sql("DELETE FROM agents WHERE key = 'aaron'");
    cls->destroy(w);

    cls = &cron_widget;
    w = make(cls, NULL);
    free(render(cls, w, 10, 100, 1));
    cls->key(w, ACT_BOTTOM, &in);
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "job:          old");
    free(d);
    sql("UPDATE cron SET enabled = 1 WHERE key = 'od'");        /* it moves up the list */
    free(render(cls, w, 10, 100, 1));
    d = detail_of(cls, w);
    CHECK_CONTAINS(d, "job:          old");
    free(d);
    sql("UPDATE cron SET enabled = 0 WHERE key = 'od'");
    cls->destroy(w);
}

static void test_projects(void)
{
    sql("INSERT INTO projects (source, key, name, status, owner, updated_at) VALUES"
        " ('p', 'p1', 'Sponsor portal', 'active', 'max', '2026-11-20T17:00:00Z'),"
        " ('p', 'p2', 'Revenue API', 'Active', 'dash', NULL),"
        " ('p', 'p3', 'Vercel migration', 'blocked', 'atlas', NULL),"
        " ('p', 'p4', 'MSN entry form', 'done', 'max', NULL),"
        " ('p', 'p5', 'Podcast', 'on hold', 'apple', NULL),"
        " ('p', 'p6', 'Mystery', NULL, '', NULL),"
        " ('p', 'p7', '日本語ランディング 🚀 page', 'paused', '絵文字', NULL)");
    void *w = make(&projects_widget, NULL);
    if (!w)
        return;
    char *t = render(&projects_widget, w, 10, 130, 1);
    CHECK_CONTAINS(t, "PLANNING 0");
    CHECK_CONTAINS(t, "ACTIVE 2");
    CHECK_CONTAINS(t, "BLOCKED 1");
    CHECK_CONTAINS(t, "PAUSED 1");
    CHECK_CONTAINS(t, "日本語");
    CHECK_CONTAINS(t, "DONE 1");
    CHECK_CONTAINS(t, "ON HOLD 1");
    CHECK_CONTAINS(t, "UNKNOWN 1");
    CHECK(strstr(t, "DONE") < strstr(t, "ON HOLD"));
    CHECK_CONTAINS(t, "Sponsor portal");
    CHECK_CONTAINS(t, "Revenue API");
    CHECK_CONTAINS(t, "Vercel migration");
    CHECK_CONTAINS(t, "atlas");
    CHECK_STR(note_of(&projects_widget, w), "7");
    free(t);
    /* narrow: the empty columns give way */
    t = render(&projects_widget, w, 10, 40, 1);
    CHECK_CONTAINS(t, "ACTIVE");
    CHECK(!strstr(t, "PLANNING"));
    free(t);
    char *d = detail_of(&projects_widget, w);
    CHECK_CONTAINS(d, "Sponsor portal  owner: max  updated: 2026-11-20T17:00:00Z");
    free(d);
    /* a selected card, kept on its project when a card sorts in above it */
    Intent in = {0};
    CHECK_INT(projects_widget.key(w, ACT_DOWN, &in), HR_REDRAW);   /* Revenue API -> Sponsor */
    sql("INSERT INTO projects (source, key, name, status, owner) VALUES"
        " ('p', 'p8', 'Alpha', 'active', 'dash')");
    t = render(&projects_widget, w, 10, 130, 1);
    free(t);
    d = detail_of(&projects_widget, w);
    CHECK(strncmp(d, "Sponsor portal\n", 15) == 0);
    CHECK_CONTAINS(d, "key:      p1");
    free(d);
    char pos[32];
    list_position(projects_widget.list(w), pos, sizeof pos);
    CHECK_STR(pos, "3/8");
    sql("DELETE FROM projects WHERE key = 'p8'");
    render_sizes(&projects_widget, w);
    projects_widget.destroy(w);
}

/* Runs after the other tests filled the cache (blockers were emptied). */
static void test_stats(void)
{
    insert_blockers();
    void *w = make(&stats_widget, NULL);
    if (!w)
        return;
    char *t = render(&stats_widget, w, 6, 130, 1);
    CHECK_CONTAINS(t, "open blockers");
    CHECK_CONTAINS(t, "YTD revenue");
    CHECK_CONTAINS(t, "failing jobs");
    CHECK_CONTAINS(t, "agents online");
    CHECK_CONTAINS(t, "cost today");
    CHECK_CONTAINS(t, "|_|");             /* big digits: the 4 of open blockers */
    CHECK_CONTAINS(t, "needs Apple");
    CHECK_CONTAINS(t, "of 3");
    CHECK_CONTAINS(t, "of 6 jobs");
    free(t);
    char *d = detail_of(&stats_widget, w);
    CHECK_CONTAINS(d, "open blockers  4");
    CHECK_CONTAINS(d, "YTD revenue    $125k");
    CHECK_CONTAINS(d, "failing jobs   2");
    CHECK_CONTAINS(d, "agents online  2");
    CHECK_CONTAINS(d, "cost today     $1.50");
    free(d);
    /* the numbers the cards show are what /api/overview returns: one function */
    StatsCards n;
    char *err = NULL;
    CHECK(stats_cards_compute(cache_db(cache), &cfg, NOW, ~0u, &n, &err) == 0);
    CHECK(n.open_blockers == 4 && !n.blockers_capped && n.blockers_seen);
    CHECK(n.ytd_revenue == 125000);
    CHECK(n.failing_jobs == 2 && n.jobs == 6);
    CHECK(n.agents_online == 2 && n.agents == 3);
    CHECK(fabs(n.cost_today - 1.50) < 1e-9);
    free(err);
    CHECK(stats_cards_compute(cache_db(cache), &cfg, NOW, 1u << STATS_REVENUE, &n, NULL) == 0);
    CHECK(n.ytd_revenue == 125000 && isnan(n.open_blockers) && isnan(n.cost_today));
    CHECK_STR(stats_card_names[STATS_BLOCKERS], "open_blockers");
    t = render(&stats_widget, w, 2, 130, 1);
    CHECK_CONTAINS(t, "$125k");
    CHECK(!strstr(t, "|_|"));
    free(t);
    render_sizes(&stats_widget, w);
    stats_widget.destroy(w);

    w = make(&stats_widget, "cards: [cost_today, open_blockers]");
    t = render(&stats_widget, w, 3, 60, 1);
    CHECK_CONTAINS(t, "cost today");
    CHECK(!strstr(t, "YTD revenue"));
    CHECK(strstr(t, "cost today") < strstr(t, "open blockers"));
    free(t);
    stats_widget.destroy(w);

    /* open_alerts: no alert ever is no data; then open and not snoozed only */
    CHECK(stats_cards_compute(cache_db(cache), &cfg, NOW, 1u << STATS_ALERTS, &n, NULL) == 0);
    CHECK(isnan(n.open_alerts));
    sqlf("INSERT INTO alerts (source, key, rule, severity, title, state, snoozed_until_ms) VALUES"
         " ('s', 'a1', 'r', 'crit', 'one', 'open', 0), ('s', 'a2', 'r', 'warn', 'two', 'open', 0),"
         " ('s', 'a3', 'r', 'warn', 'three', 'open', %lld), ('s', 'a4', 'r', 'crit', 'four', 'acked', 0),"
         " ('s', 'a5', 'r', 'info', 'five', 'cleared', 0)", (long long)NOW + 60000);
    CHECK(stats_cards_compute(cache_db(cache), &cfg, NOW, 1u << STATS_ALERTS, &n, NULL) == 0);
    CHECK(n.open_alerts == 2 && n.alerts_crit == 1 && n.alerts_warn == 1);
    CHECK_STR(stats_card_names[STATS_ALERTS], "open_alerts");
    w = make(&stats_widget, "cards: [open_alerts]");
    t = render(&stats_widget, w, 3, 60, 1);
    CHECK_CONTAINS(t, "open alerts");
    CHECK_CONTAINS(t, "1 crit");
    free(t);
    stats_widget.destroy(w);
    sql("DELETE FROM alerts");
}

/* --ascii: no byte outside ASCII reaches the screen. */
static void test_ascii(void)
{
    draw_set_ascii(1);
    const WidgetClass *const *all = widget_classes;
    for (size_t i = 0; all[i]; i++) {
        void *w = make(all[i], all[i] == &revenue_widget ? "goal_usd: 500000" : NULL);
        char *t = render(all[i], w, 12, 100, 1);
        int high = 0;
        for (const unsigned char *p = (const unsigned char *)t; *p; p++)
            high += *p >= 0x80;
        if (high)
            fprintf(stderr, "  (%s in ascii mode:\n%s)\n", all[i]->name, t);
        CHECK_INT(high, 0);
        free(t);
        all[i]->destroy(w);
    }
    draw_set_ascii(0);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    setenv("LINES", "50", 1);
    setenv("COLUMNS", "160", 1);
    setenv("TERM", "xterm-256color", 1);
    unsetenv("NO_COLOR");
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr)
        scr = newterm("xterm", out, in);
    if (!scr) {
        fprintf(stderr, "no terminal description for curses\n");
        return 1;
    }
    draw_init("256", 0);
    outer = newwin(OUT_H, OUT_W, 0, 0);

    char path[512], *err = NULL, *warn = NULL;
    snprintf(path, sizeof path, "%s/cache.db", t_tmpdir());
    if (cache_open(path, &cache, &warn, &err) < 0) {
        fprintf(stderr, "cache_open: %s\n", err);
        return 1;
    }
    free(warn);
    NOW = ms("2026-11-21T12:30:00Z");
    cfg.owner = "Apple";
    cfg.stale_ms = 15 * 60000;
    env.cache = cache;
    env.cfg = &cfg;
    env.now_ms = NOW;

    RUN(test_classes);
    RUN(test_empty);
    RUN(test_options);
    RUN(test_revenue);
    RUN(test_blockers);
    RUN(test_blockers_many);
    RUN(test_agents);
    RUN(test_cron);
    RUN(test_cron_tz);
    RUN(test_health);
    RUN(test_activity);
    RUN(test_activity_identity);
    RUN(test_blockers_identity);
    RUN(test_whole_list_identity);
    RUN(test_projects);
    RUN(test_stats);
    RUN(test_ascii);

    if (last_win)
        delwin(last_win);
    delwin(outer);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    cache_close(cache);
    return t_done();
}

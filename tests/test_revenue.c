/* test_revenue.c — the pieces behind revenue from vendor APIs: top-level
 * year_start: (parsing, errors at FILE:LINE:COL, the current year's span,
 * 02-29), http_json's date windows (how many, their bounds, their URLs) and
 * aggregate: (numbers and numeric strings, cents, items outside the year,
 * stream_field, a non-number refused, the day's row). The HTTP side is
 * it_revenue.py. */
#include <math.h>
#include <stdlib.h>

#include "config.h"
#include "source.h"
#include "thelp.h"
#include "util.h"
#include "sources/aggregate.h"
#include "sources/http_windows.h"

#define DAY_MS 86400000LL
/* 2026-12-01T15:30:00Z, 2026-06-30T23:00:00Z, 2025-03-01T00:00:00Z */
#define DEC1 1796139000000LL
#define JUN30 1782860400000LL
#define MAR1_25 1740787200000LL

static Config *load(const char *text)
{
    Config *c = NULL;
    char *err = NULL;
    if (config_load_text("t.yaml", text, &c, &err) < 0)
        fprintf(stderr, "load: %s\n", err);
    free(err);
    return c;
}

static void expect_error(const char *text, const char *want)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK_INT(config_load_text("t.yaml", text, &c, &err), -1);
    CHECK_STR(err, want);
    free(err);
    config_free(c);
}

static void test_year_start(void)
{
    Config *c = load("owner: A\n");
    int64_t s, e;
    char buf[11];
    CHECK_INT(c->year_start_month, 1);
    CHECK_INT(c->year_start_day, 1);
    config_year_span(c, DEC1, &s, &e);
    CHECK_INT(s, 20454);                       /* 2026-01-01 */
    CHECK_INT(e, 20819);                       /* 2027-01-01 */
    config_year_start(c, DEC1, buf);
    CHECK_STR(buf, "2026-01-01");
    config_free(c);

    c = load("year_start: \"07-01\"\n");
    config_year_span(c, DEC1, &s, &e);         /* after the start: this calendar year's */
    CHECK_INT(s, 20635);
    CHECK_INT(e, 20635 + 365);
    config_year_span(c, JUN30, &s, &e);        /* before it: last calendar year's */
    CHECK_INT(s, 20270);
    CHECK_INT(e, 20635);
    config_year_start(c, JUN30, buf);
    CHECK_STR(buf, "2025-07-01");
    config_free(c);

    c = load("year_start: 02-29\n");           /* 02-28 in a common year */
    config_year_span(c, MAR1_25, &s, &e);
    CHECK_INT(s, 20147);
    config_year_start(c, MAR1_25, buf);
    CHECK_STR(buf, "2025-02-28");
    config_free(c);
    config_year_span(NULL, DEC1, &s, NULL);
    CHECK_INT(s, 20454);

    expect_error("year_start: 13-01\n",
                 "t.yaml:1:13: 'year_start' must be a month and day \"MM-DD\", e.g. \"01-01\" or \"07-01\"");
    expect_error("owner: A\nyear_start: \"04-31\"\n",
                 "t.yaml:2:13: 'year_start' must be a month and day \"MM-DD\", e.g. \"01-01\" or \"07-01\"");
    expect_error("year_start: 2026-01-01\n",
                 "t.yaml:1:13: 'year_start' must be a month and day \"MM-DD\", e.g. \"01-01\" or \"07-01\"");
}

static YNode *yaml(const char *text)
{
    char *err = NULL;
    YNode *n = ynode_parse_text("w.yaml", text, strlen(text), &err);
    if (!n)
        fprintf(stderr, "yaml: %s\n", err);
    free(err);
    return n;
}

static void test_windows(void)
{
    HttpWindows w;
    char *err = NULL;
    YNode *n = yaml("windows: {days: 31}\n");
    CHECK_INT(http_windows_configure(&w, n, &err), 0);
    CHECK_INT(w.enabled, 1);
    int64_t first, today;
    /* 2026-01-01 .. 2026-12-01 is 335 days: 10 windows of 31 and one of 25 */
    CHECK_INT(http_windows_span(&w, NULL, DEC1, &first, &today), 11);
    CHECK_INT(first, 20454);
    CHECK_INT(today, 20788);
    char *u = http_windows_url(&w, "http://h/r?x=1&start_date=old", first, first + 30);
    CHECK_STR(u, "http://h/r?x=1&start_date=2026-01-01&end_date=2026-01-31");
    free(u);
    /* on the year's first day: one window of one day */
    CHECK_INT(http_windows_span(&w, NULL, 1767225600000LL + 5, &first, &today), 1);
    CHECK_INT(first, today);
    http_windows_free(&w);
    ynode_free(n);

    n = yaml("windows: {days: 92, start_param: START_DATE, end_param: END_DATE, format: \"%d/%m/%Y\"}\n");
    CHECK_INT(http_windows_configure(&w, n, &err), 0);
    CHECK_INT(http_windows_span(&w, NULL, DEC1, &first, &today), 4);
    u = http_windows_url(&w, "http://h/r", 20454, 20454 + 91);
    CHECK_STR(u, "http://h/r?START_DATE=01%2F01%2F2026&END_DATE=02%2F04%2F2026");
    free(u);
    http_windows_free(&w);
    ynode_free(n);

    n = yaml("windows: {days: 0}\n");
    CHECK_INT(http_windows_configure(&w, n, &err), -1);
    CHECK_CONTAINS(err, "w.yaml:1:17: 'days' must be an integer from 1 to 3660");
    free(err), err = NULL;
    http_windows_free(&w);
    ynode_free(n);
    n = yaml("windows: {start_param: a, end_param: a}\n");
    CHECK_INT(http_windows_configure(&w, n, &err), -1);
    CHECK_CONTAINS(err, "start_param and end_param must be two different names");
    free(err), err = NULL;
    http_windows_free(&w);
    ynode_free(n);
    n = yaml("windows: {dayz: 3}\n");
    CHECK_INT(http_windows_configure(&w, n, &err), -1);
    CHECK_CONTAINS(err, "unknown key 'dayz' in windows");
    free(err);
    http_windows_free(&w);
    ynode_free(n);
}

/* The row aggregate_row writes, as text: "date total projected streams". */
static char *row_text(const Aggregate *a)
{
    Rows *r = rows_new(dataset_get(DS_REVENUE));
    aggregate_row(a, r);
    const Dataset *ds = r->ds;
    const Value *k = rows_cell_c(r, 0, dataset_field(ds, "key"));
    const Value *d = rows_cell_c(r, 0, dataset_field(ds, "snapshot_date"));
    const Value *t = rows_cell_c(r, 0, dataset_field(ds, "total_ytd_usd"));
    const Value *p = rows_cell_c(r, 0, dataset_field(ds, "projected_annual_usd"));
    const Value *s = rows_cell_c(r, 0, dataset_field(ds, "streams"));
    char *out = xasprintf("%s %s %.2f %.2f %s", k->u.s, d->u.s, t->u.d, p->u.d, s->u.s);
    CHECK_INT(r->nrows, 1);
    rows_free(r);
    return out;
}

static void test_aggregate(void)
{
    AggregateCfg cfg;
    char *err = NULL;
    YNode *n = yaml("aggregate: {amount: value, date: date_won, stream: Close, scale: 0.01}\n");
    CHECK_INT(aggregate_configure(&cfg, n, "close", &err), 0);
    Aggregate a;
    aggregate_begin(&a, &cfg, NULL, DEC1);
    cJSON *doc = cJSON_Parse("{\"data\":["
        "{\"value\": 1250001, \"date_won\": \"2026-03-02\"},"
        "{\"value\": \"199\", \"date_won\": \"2026-12-01T10:00:00Z\"},"
        "{\"value\": 500, \"date_won\": \"2025-12-31\"},"      /* last year */
        "{\"value\": 700, \"date_won\": null},"                /* undated */
        "{\"value\": null, \"date_won\": \"2026-05-05\"},"     /* no amount: 0 */
        "{\"value\": \" 1,000 \", \"date_won\": \"2026-01-01\"}]}");
    CHECK_INT(aggregate_apply(&a, "$.data[*]", doc, &err), 6);
    CHECK_INT(a.counted, 4);
    CHECK_INT(a.skipped, 2);
    char *t = row_text(&a);
    /* 12500.01 + 1.99 + 10.00 = 12512.00; 335 of 365 days gone */
    char *want = xasprintf("2026-12-01 2026-12-01 12512.00 %.2f [{\"name\":\"Close\",\"ytd_usd\":12512}]",
                           round(12512.0 / (335.0 / 365.0) * 100) / 100);
    CHECK_STR(t, want);
    free(t), free(want);
    cJSON_Delete(doc);

    doc = cJSON_Parse("{\"data\": []}");                 /* an empty list adds nothing */
    CHECK_INT(aggregate_apply(&a, "$.data[*]", doc, &err), 0);
    cJSON_Delete(doc);
    doc = cJSON_Parse("{\"error\": \"maintenance\"}");      /* no list at all: an error, not 0 */
    CHECK_INT(aggregate_apply(&a, "$.data[*]", doc, &err), -1);
    CHECK_STR(err, "no $.data[*] in the response (nothing summed)");
    free(err), err = NULL;
    cJSON_Delete(doc);
    doc = cJSON_Parse("[{\"value\": \"12.5x\", \"date_won\": \"2026-03-02\"}]");
    CHECK_INT(aggregate_apply(&a, NULL, doc, &err), -1);
    CHECK_STR(err, "item 1: value is not a number ('12.5x')");
    free(err), err = NULL;
    cJSON_Delete(doc);
    aggregate_end(&a);

    /* amounts whose sum a double cannot hold to the cent (fuzz_presets: two
     * "1e308" made total_ytd_usd infinite in the cache): an error, no row */
    aggregate_begin(&a, &cfg, NULL, DEC1);
    doc = cJSON_Parse("[{\"value\": \"1e308\", \"date_won\": \"2026-03-02\"},"
                      "{\"value\": \"1e308\", \"date_won\": \"2026-03-03\"}]");
    CHECK_INT(aggregate_apply(&a, NULL, doc, &err), -1);
    CHECK_STR(err, "item 1: value brings the total past 10^13 USD (a double no longer holds it to the cent)");
    free(err), err = NULL;
    cJSON_Delete(doc);
    aggregate_end(&a);

    /* 10,000 amounts in cents add up exactly */
    aggregate_begin(&a, &cfg, NULL, DEC1);
    cJSON *arr = cJSON_CreateArray();
    long long cents = 0;
    for (int i = 0; i < 10000; i++) {
        cJSON *o = cJSON_CreateObject();
        int v = 1000 + (i * 7919) % 500000 + i % 7;
        cents += v;
        cJSON_AddNumberToObject(o, "value", v);
        cJSON_AddStringToObject(o, "date_won", "2026-06-01");
        cJSON_AddItemToArray(arr, o);
    }
    CHECK_INT(aggregate_apply(&a, NULL, arr, &err), 10000);
    t = row_text(&a);
    want = xasprintf("2026-12-01 2026-12-01 %lld.%02lld", cents / 100, cents % 100);
    CHECK(strncmp(t, want, strlen(want)) == 0);
    if (strncmp(t, want, strlen(want)))
        fprintf(stderr, "%s != %s\n", t, want);
    free(t), free(want);
    cJSON_Delete(arr);
    aggregate_end(&a);
    aggregate_cfg_free(&cfg);
    ynode_free(n);

    /* stream_field splits; nothing this year still writes a 0 row */
    n = yaml("aggregate: {amount: Earnings, date: Date, stream_field: Program}\n");
    CHECK_INT(aggregate_configure(&cfg, n, "impact", &err), 0);
    aggregate_begin(&a, &cfg, NULL, DEC1);
    t = row_text(&a);
    CHECK_CONTAINS(t, " 0.00 0.00 [{\"name\":\"impact\",\"ytd_usd\":0}]");
    free(t);
    doc = cJSON_Parse("{\"Records\":[{\"Date\":\"2026-02-01\",\"Earnings\":\"3.10\",\"Program\":\"Shoes\"},"
                      "{\"Date\":\"2026-02-02\",\"Earnings\":\"4.20\",\"Program\":\"Hats\"},"
                      "{\"Date\":\"2026-02-03\",\"Earnings\":\"1.00\",\"Program\":\"Shoes\"},"
                      "{\"Date\":\"2026-02-03\",\"Earnings\":\"2.00\"}]}");
    CHECK_INT(aggregate_apply(&a, "$.Records[*]", doc, &err), 4);
    t = row_text(&a);
    CHECK_CONTAINS(t, " 10.30 ");
    CHECK_CONTAINS(t, "[{\"name\":\"Shoes\",\"ytd_usd\":4.1},{\"name\":\"Hats\",\"ytd_usd\":4.2},"
                      "{\"name\":\"impact\",\"ytd_usd\":2}]");
    free(t);
    cJSON_Delete(doc);
    aggregate_end(&a);
    aggregate_cfg_free(&cfg);
    ynode_free(n);

    n = yaml("aggregate: {amount: v}\n");
    CHECK_INT(aggregate_configure(&cfg, n, "x", &err), -1);
    CHECK_CONTAINS(err, "missing required key 'date'");
    free(err), err = NULL;
    aggregate_cfg_free(&cfg);
    ynode_free(n);
    n = yaml("aggregate: {amount: v, date: d, scale: -1}\n");
    CHECK_INT(aggregate_configure(&cfg, n, "x", &err), -1);
    CHECK_CONTAINS(err, "aggregate.scale must be a positive number");
    free(err);
    aggregate_cfg_free(&cfg);
    ynode_free(n);
}

/* aggregate: makes an http_json source a revenue source; other feeds refused. */
static void test_http_json_keys(void)
{
    Config *c = load("sources:\n  - {id: r, kind: http_json, url: \"http://127.0.0.1:9/x\",\n"
                     "     aggregate: {amount: a, date: d}, windows: {days: 31}}\n");
    CHECK(c != NULL);
    if (c)
        CHECK(c->sources[0].feeds == dataset_get(DS_REVENUE));
    config_free(c);
    expect_error("sources:\n  - {id: r, kind: http_json, url: \"http://127.0.0.1:9/x\", feeds: activity,\n"
                 "     aggregate: {amount: a, date: d}}\n",
                 "t.yaml:3:17: aggregate: writes the revenue dataset, not activity (drop feeds:)");
    expect_error("sources:\n  - {id: r, kind: http_json, url: \"http://127.0.0.1:9/x\",\n"
                 "     aggregate: {amount: a, date: d}, scale: {total_ytd_usd: 0.01}}\n",
                 "t.yaml:3:46: scale: maps rows, but aggregate: writes one row per day "
                 "(aggregate takes amount, date, stream, scale)");
}

int main(void)
{
    setenv("HOME", "/tmp", 1);
    RUN(test_year_start);
    RUN(test_windows);
    RUN(test_aggregate);
    RUN(test_http_json_keys);
    return t_done();
}

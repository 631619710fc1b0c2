/* test_revenue_manual.c — the revenue_manual kind: this revenue year's
 * months summed per stream to the cent into one row for today (other years
 * left out, year_start honoured), history kept per day, an unchanged file
 * not re-read the same day, and bad files failing with PATH:LINE:COL or the
 * entry's index while the cached row stays. */
#include <math.h>
#include "fixtures/files/harness.h"

#define NOV15 1794744000000LL          /* 2026-11-15T12:00:00Z */

static int setup(Harness *h, const char *path, const char *top)
{
    char *y = xasprintf("%ssources:\n  - id: manual\n    kind: revenue_manual\n    path: %s\n", top ? top : "",
                        path);
    int rc = h_setup(h, y);
    free(y);
    h->now_ms = NOV15;
    return rc;
}

static void put(const char *path, const char *text)
{
    h_write(path, text, strlen(text));
}

static const char *ledger =
    "{\"entries\":[\n"
    "  {\"stream\":\"AdsByMoney\",\"month\":\"2026-01\",\"usd\":100.10},\n"
    "  {\"stream\":\"AdsByMoney\",\"month\":\"2026-10\",\"usd\":0.20},\n"
    "  {\"stream\":\"MSN\",\"month\":\"2026-11\",\"usd\":912.00},\n"
    "  {\"stream\":\"AdsByMoney\",\"month\":\"2025-12\",\"usd\":5000},\n"
    "  {\"stream\":\"MSN\",\"month\":\"2027-01\",\"usd\":1}\n"
    "]}\n";

static double real(Harness *h, const char *sql)
{
    char *s = h_query(h, sql);
    double d = s ? strtod(s, NULL) : NAN;
    free(s);
    return d;
}

static void test_sums_this_year(void)
{
    Harness h;
    char *path = xasprintf("%s/revenue-manual.json", t_tmpdir());
    put(path, ledger);
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK(h.err == NULL);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM revenue WHERE source = 'manual'"), 1);
    char *k = h_query(&h, "SELECT key || '|' || snapshot_date || '|' || streams FROM revenue");
    CHECK_STR(k, "2026-11-15|2026-11-15|[{\"name\":\"AdsByMoney\",\"ytd_usd\":100.3},{\"name\":\"MSN\",\"ytd_usd\":912}]");
    free(k);
    CHECK(fabs(real(&h, "SELECT total_ytd_usd FROM revenue") - 1012.30) < 1e-9);
    CHECK(fabs(real(&h, "SELECT projected_annual_usd FROM revenue") - 1158.27) < 1e-9);
    /* same file, same day: not read again */
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h.not_modified, 1);
    /* the next day: a second row, the first stays (history) */
    h.now_ms += 86400000;
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h.not_modified, 0);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM revenue WHERE source = 'manual'"), 2);
    /* not JSON: path:line:col, the rows stay */
    put(path, "{\"entries\":[\n  {\"stream\":\"MSN\",\"month\":\"2026-11\" \"usd\":1}\n]}\n");
    h.now_ms += 86400000;
    CHECK(h_fetch(&h) < 0);
    char *want = xasprintf("%s:2:", path);
    CHECK_CONTAINS(h.err, want);
    free(want);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM revenue WHERE source = 'manual'"), 2);
    /* a bad month: the entry's index */
    put(path, "{\"note\": {\"entries\": [9]}, \"entries\":[\n  {\"stream\":\"M,S[N\",\"month\":\"2026-11\",\"usd\":1},\n"
              "  {\"stream\":\"MSN\",\"month\":\"2026-13\",\"usd\":1}]}");
    CHECK(h_fetch(&h) < 0);
    want = xasprintf("%s:3:3: entries[1]: 'month' must be \"YYYY-MM\" (month '2026-13')", path);
    CHECK_STR(h.err, want);
    free(want);
    put(path, "{\"entries\":[{\"stream\":\"MSN\",\"month\":\"2026-11\",\"usd\":\"12\"}]}");
    CHECK(h_fetch(&h) < 0);
    CHECK_CONTAINS(h.err, ":1:13: entries[0]: 'usd' must be a number");
    put(path, "[1, 2]");
    CHECK(h_fetch(&h) < 0);
    CHECK_CONTAINS(h.err, "expected {\"entries\"");
    h_teardown(&h);
    free(path);
}

/* year_start: 07-01: January is last year's; October and November count. */
static void test_year_start(void)
{
    Harness h;
    char *path = xasprintf("%s/ledger2.json", t_tmpdir());
    put(path, ledger);
    if (setup(&h, path, "year_start: \"07-01\"\n") != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK(fabs(real(&h, "SELECT total_ytd_usd FROM revenue") - 912.20) < 1e-9);
    CHECK(fabs(real(&h, "SELECT projected_annual_usd FROM revenue") - 2412.70) < 1e-9);
    h_teardown(&h);
    free(path);
}

static void test_config_errors(void)
{
    char *err = t_config_error("  - {id: m, kind: revenue_manual}\n");
    CHECK_CONTAINS(err, "missing required key 'path'");
    free(err);
    err = t_config_error("  - {id: m, kind: revenue_manual, path: /x, feeds: agents}\n");
    CHECK_CONTAINS(err, "revenue_manual writes revenue, not agents");
    free(err);
}

int main(void)
{
    RUN(test_sums_this_year);
    RUN(test_year_start);
    RUN(test_config_errors);
    return t_done();
}

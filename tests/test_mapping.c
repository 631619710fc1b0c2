/* test_mapping.c — JSON documents into typed dataset rows (net/mapping.h):
 * type conversions, epoch s/ms/ISO times, cents scale, nested paths,
 * missing fields, set: constants and configuration errors with lines. */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "thelp.h"
#include "dataset.h"
#include "ynode.h"
#include "net/mapping.h"

static YNode *yaml(const char *text)
{
    char *err = NULL;
    YNode *n = ynode_parse_text("t.yaml", text, strlen(text), &err);
    if (!n) {
        fprintf(stderr, "yaml: %s\n", err);
        abort();
    }
    return n;
}

static const Dataset *ds(const char *name)
{
    return dataset_find(name);
}

static const char *text(Rows *r, int row, const char *field)
{
    const Value *v = rows_cell_c(r, row, dataset_field(r->ds, field));
    return v && v->kind == V_TEXT ? v->u.s : NULL;
}

static int kind(Rows *r, int row, const char *field)
{
    return rows_cell_c(r, row, dataset_field(r->ds, field))->kind;
}

static int64_t ival(Rows *r, int row, const char *field)
{
    const Value *v = rows_cell_c(r, row, dataset_field(r->ds, field));
    return v->kind == V_INT ? v->u.i : -999999;
}

static double dval(Rows *r, int row, const char *field)
{
    const Value *v = rows_cell_c(r, row, dataset_field(r->ds, field));
    return v->kind == V_REAL ? v->u.d : -999999.0;
}

/* One value through mapping_set_value into a fresh one-row set. */
static Rows *one(const char *dsname, const char *field, const char *json, double scale)
{
    Rows *r = rows_new(ds(dsname));
    rows_add(r);
    cJSON *v = cJSON_Parse(json);
    if (!v)
        abort();
    mapping_set_value(r, 0, dataset_field(r->ds, field), v, scale);
    cJSON_Delete(v);
    return r;
}

#define EXPECT_TEXT(dsn, f, json, want) do { Rows *r_ = one(dsn, f, json, 1.0); \
    CHECK_STR(text(r_, 0, f), want); rows_free(r_); } while (0)
#define EXPECT_NULL(dsn, f, json) do { Rows *r_ = one(dsn, f, json, 1.0); \
    CHECK_INT(kind(r_, 0, f), V_NULL); rows_free(r_); } while (0)
#define EXPECT_INT(dsn, f, json, scale, want) do { Rows *r_ = one(dsn, f, json, scale); \
    CHECK_INT(kind(r_, 0, f), V_INT); CHECK_INT(ival(r_, 0, f), want); rows_free(r_); } while (0)

static void test_times(void)
{
    EXPECT_TEXT("activity", "ts", "\"2026-11-21T14:03:00Z\"", "2026-11-21T14:03:00Z");
    EXPECT_TEXT("activity", "ts", "\"2026-11-21T16:03:00+02:00\"", "2026-11-21T14:03:00Z");
    EXPECT_TEXT("activity", "ts", "1540095775", "2018-10-21T04:22:55Z");      /* epoch s */
    EXPECT_TEXT("activity", "ts", "1540095775941", "2018-10-21T04:22:55Z");   /* epoch ms */
    EXPECT_TEXT("activity", "ts", "\"1540095775941\"", "2018-10-21T04:22:55Z");
    EXPECT_NULL("activity", "ts", "\"yesterday\"");
    EXPECT_NULL("activity", "ts", "true");
    EXPECT_NULL("activity", "ts", "{\"a\":1}");
    EXPECT_NULL("activity", "ts", "null");
    /* past year 9999 the ISO text would not sort as a time (fuzz_presets:
     * an epoch of 9e14 ms became "30197-02-18T..."): no time, not a wrong one */
    EXPECT_NULL("activity", "ts", "900000000000000");
    EXPECT_NULL("activity", "ts", "-900000000000000");
    EXPECT_TEXT("activity", "ts", "253402300799000", "9999-12-31T23:59:59Z"); /* the last second */
}

static void test_numbers(void)
{
    Rows *r = one("revenue", "total_ytd_usd", "1250000", 0.01);        /* cents */
    CHECK(dval(r, 0, "total_ytd_usd") == 12500.0);
    rows_free(r);
    r = one("revenue", "total_ytd_usd", "\"1840.22\"", 1.0);
    CHECK(dval(r, 0, "total_ytd_usd") == 1840.22);
    rows_free(r);
    r = one("revenue", "total_ytd_usd", "\" 12 \"", 1.0);
    CHECK(dval(r, 0, "total_ytd_usd") == 12.0);
    rows_free(r);
    EXPECT_NULL("revenue", "total_ytd_usd", "\"12 dollars\"");
    EXPECT_NULL("revenue", "total_ytd_usd", "\"\"");
    EXPECT_NULL("revenue", "total_ytd_usd", "[1]");
    EXPECT_INT("usage", "input_tokens", "1000", 1.0, 1000);
    EXPECT_INT("usage", "input_tokens", "\"9007199254740993\"", 1.0, 9007199254740993LL); /* Int64 as string */
    EXPECT_INT("usage", "input_tokens", "2.5", 1.0, 3);                  /* rounds */
    EXPECT_INT("usage", "input_tokens", "199", 0.01, 2);                 /* scale then round */
    EXPECT_INT("usage", "input_tokens", "\"42\"", 1.0, 42);
    EXPECT_NULL("usage", "input_tokens", "\"x42\"");
    EXPECT_NULL("usage", "input_tokens", "1e300");
}

static void test_bools(void)
{
    EXPECT_INT("cron", "enabled", "true", 1.0, 1);
    EXPECT_INT("cron", "enabled", "false", 1.0, 0);
    EXPECT_INT("cron", "enabled", "1", 1.0, 1);
    EXPECT_INT("cron", "enabled", "0", 1.0, 0);
    EXPECT_INT("cron", "enabled", "\"yes\"", 1.0, 1);
    EXPECT_INT("cron", "enabled", "\"No\"", 1.0, 0);
    EXPECT_INT("cron", "enabled", "\"TRUE\"", 1.0, 1);
    EXPECT_NULL("cron", "enabled", "\"maybe\"");
    EXPECT_NULL("cron", "enabled", "2");
}

static void test_text_and_json(void)
{
    EXPECT_TEXT("activity", "details", "\"plain\"", "plain");
    EXPECT_TEXT("activity", "details", "42", "42");                     /* no .0 */
    EXPECT_TEXT("activity", "details", "-3.0", "-3");
    EXPECT_TEXT("activity", "details", "2.5", "2.5");
    EXPECT_TEXT("activity", "details", "0.1", "0.1");
    EXPECT_TEXT("activity", "details", "true", "true");
    EXPECT_TEXT("activity", "details", "{ \"sources\" : 4 }", "{\"sources\":4}");
    EXPECT_TEXT("activity", "details", "[1, \"a\"]", "[1,\"a\"]");
    EXPECT_TEXT("revenue", "streams", "[ {\"name\":\"MSN\", \"ytd_usd\":912} ]",
                "[{\"name\":\"MSN\",\"ytd_usd\":912}]");
    EXPECT_TEXT("revenue", "streams", "\"x\"", "\"x\"");                /* scalars as JSON */
    EXPECT_TEXT("revenue", "streams", "3", "3");
}

static void test_apply(void)
{
    YNode *y = yaml("items: $.deployments[*]\n"
                    "fields: {key: uid, ts: created, status: state, details: meta.url,\n"
                    "         agent: 'creator[\"name\"]'}\n"
                    "set: {event_type: deploy}\n");
    Mapping m;
    char *err = NULL;
    CHECK_INT(mapping_configure(&m, ds("activity"), y, NULL, &err), 0);
    cJSON *doc = cJSON_Parse("{\"deployments\":["
        "{\"uid\":\"dpl_1\",\"created\":1540095775941,\"state\":\"READY\",\"meta\":{\"url\":\"a.app\"},\"creator\":{\"name\":\"max\"}},"
        "{\"uid\":\"dpl_2\",\"created\":\"2026-11-21T09:14:03Z\",\"state\":\"ERROR\"}]}");
    Rows *r = rows_new(ds("activity"));
    CHECK_INT(mapping_apply(&m, doc, r, &err), 2);
    CHECK_INT(r->nrows, 2);
    CHECK_STR(text(r, 0, "key"), "dpl_1");
    CHECK_STR(text(r, 0, "ts"), "2018-10-21T04:22:55Z");
    CHECK_STR(text(r, 0, "details"), "a.app");
    CHECK_STR(text(r, 0, "agent"), "max");
    CHECK_STR(text(r, 0, "event_type"), "deploy");
    CHECK_STR(text(r, 1, "ts"), "2026-11-21T09:14:03Z");
    CHECK_INT(kind(r, 1, "details"), V_NULL);                           /* missing: NULL */
    CHECK_INT(kind(r, 1, "agent"), V_NULL);
    CHECK_STR(text(r, 1, "event_type"), "deploy");
    CHECK_INT(kind(r, 0, "source"), V_NULL);                            /* the cache's job */
    cJSON_Delete(doc);

    /* an empty list is zero rows; a missing list is an error */
    doc = cJSON_Parse("{\"deployments\":[]}");
    CHECK_INT(mapping_apply(&m, doc, r, &err), 0);
    cJSON_Delete(doc);
    doc = cJSON_Parse("{\"error\":{\"message\":\"Not authorized\"}}");
    CHECK_INT(mapping_apply(&m, doc, r, &err), -1);
    CHECK_CONTAINS(err, "found nothing");
    CHECK_INT(r->nrows, 2);
    cJSON_Delete(doc);
    doc = cJSON_Parse("{\"deployments\":[1,2]}");
    CHECK_INT(mapping_apply(&m, doc, r, &err), -1);
    CHECK_CONTAINS(err, "not an object");
    CHECK_INT(r->nrows, 2);
    cJSON_Delete(doc);
    free(err);
    rows_free(r);
    mapping_free(&m);
    ynode_free(y);
}

static void test_default_items_scale_defaults(void)
{
    /* a top-level array needs no items:, defaults fill unnamed fields */
    YNode *y = yaml("fields: {key: id, total_ytd_usd: cents}\nscale: {total_ytd_usd: 0.01}\n"
                    "set: {streams: [{name: a, ytd_usd: 1}], snapshot_date: '2026-11-21'}\n");
    static const char *const defaults[] = {"key", "nope", "projected_annual_usd", "proj",
                                           "snapshot_date", "date", NULL};
    Mapping m;
    char *err = NULL;
    CHECK_INT(mapping_configure(&m, ds("revenue"), y, defaults, &err), 0);
    cJSON *doc = cJSON_Parse("[{\"id\":\"r1\",\"cents\":123456,\"proj\":\"99.5\",\"date\":\"x\"}]");
    Rows *r = rows_new(ds("revenue"));
    CHECK_INT(mapping_apply(&m, doc, r, &err), 1);
    CHECK_STR(text(r, 0, "key"), "r1");                                 /* named beats default */
    CHECK(dval(r, 0, "total_ytd_usd") == 1234.56);
    CHECK(dval(r, 0, "projected_annual_usd") == 99.5);                  /* from a default */
    CHECK_STR(text(r, 0, "snapshot_date"), "2026-11-21");               /* set beats default */
    CHECK_STR(text(r, 0, "streams"), "[{\"name\":\"a\",\"ytd_usd\":1}]");
    cJSON_Delete(doc);
    /* a single object document is one row */
    doc = cJSON_Parse("{\"id\":\"solo\"}");
    rows_clear(r);
    CHECK_INT(mapping_apply(&m, doc, r, &err), 1);
    CHECK_STR(text(r, 0, "key"), "solo");
    cJSON_Delete(doc);
    rows_free(r);
    mapping_free(&m);
    ynode_free(y);
}

static void config_error(const char *dsname, const char *text_, const char *want)
{
    YNode *y = yaml(text_);
    Mapping m;
    char *err = NULL;
    CHECK_INT(mapping_configure(&m, ds(dsname), y, NULL, &err), -1);
    CHECK_CONTAINS(err, want);
    free(err);
    ynode_free(y);
}

static void test_config_errors(void)
{
    config_error("activity", "fields:\n  key: id\n  tss: created\n", "t.yaml:3:3: unknown field 'tss'");
    config_error("activity", "fields: {key: 'a['}\n", "bad JSON path");
    config_error("activity", "items: '$..x'\n", "bad JSON path");
    config_error("activity", "fields: {source: x}\n", "source");
    config_error("activity", "fields: [a, b]\n", "expected a map");
    config_error("activity", "fields: {key: id}\nset: {key: k}\n", "both in fields and in set");
    config_error("revenue", "fields: {key: id}\nscale: {total_ytd_usd: 0.01}\n", "no path");
    config_error("revenue", "fields: {key: id}\nscale: {key: 0.01}\n", "not a number");
    config_error("revenue", "fields: {total_ytd_usd: c}\nscale: {total_ytd_usd: lots}\n", "t.yaml:2");
}

int main(void)
{
    RUN(test_times);
    RUN(test_numbers);
    RUN(test_bools);
    RUN(test_text_and_json);
    RUN(test_apply);
    RUN(test_default_items_scale_defaults);
    RUN(test_config_errors);
    return t_done();
}

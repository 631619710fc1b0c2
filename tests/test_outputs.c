/* test_outputs.c — `outputs:` of the command kind on its own (outputs.h):
 * two datasets from one document, part / text / day / cost / today per item,
 * group_by with sums, latest times and count, the write mode, and the
 * configuration errors at their positions. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "thelp.h"
#include "../src/cache.h"
#include "../src/sources/outputs.h"
#include "../src/util.h"
#include "../src/ynode.h"

#define NOW 1794744000000LL   /* 2026-11-15T12:00:00Z */

static const char *doc_text =
    "{\"rows\":["
    "{\"k\":\"a:x:1\",\"t\":1794736800000,\"in\":1000000,\"out\":10,\"m\":\"M1\",\"s\":{\"e\":\"0 7 * * *\",\"z\":\"UTC\"}},"
    "{\"k\":\"a:x:2\",\"t\":1794740400000,\"in\":2000000,\"m\":\"m1\",\"s\":{\"every\":60000}},"
    "{\"k\":\"b:x:3\",\"t\":1794600000000,\"in\":5,\"m\":\"nope\"}]}";

static Outputs *configure(const char *yaml, char **err)
{
    YNode *doc = ynode_parse_text("o.yaml", yaml, strlen(yaml), err);
    Outputs *o = NULL;
    if (doc && outputs_configure(doc, &o, err) < 0)
        o = NULL;
    ynode_free(doc);
    return o;
}

static const Value *cell(Rows *r, int row, const char *field)
{
    return rows_cell(r, row, dataset_field(r->ds, field));
}

static void test_two_datasets(void)
{
    char *err = NULL;
    Outputs *o = configure("outputs:\n"
                           "  usage:\n"
                           "    items: $.rows[*]\n"
                           "    fields: {model: m, input_tokens: in, output_tokens: out}\n"
                           "    part: {agent_id: {path: k, sep: \":\", index: 1}}\n"
                           "    day: {date: t}\n"
                           "    cost: {into: total_cost_usd, model: m, input: in, output: out}\n"
                           "    group_by: [agent_id, date]\n"
                           "    count: message_count\n"
                           "    mode: merge\n"
                           "  agents:\n"
                           "    items: $.rows[*]\n"
                           "    fields: {agent_id: k, last_seen: t, tokens_today: in}\n"
                           "    text: {current_task: [\"{s.e} ({s.z})\", \"every {s.every|ms}\"]}\n"
                           "    today: {time: t, fields: [tokens_today]}\n",
                           &err);
    CHECK(o != NULL);
    if (!o) {
        fprintf(stderr, "%s\n", err);
        free(err);
        return;
    }
    CHECK_INT(outputs_datasets(o), (1u << DS_USAGE) | (1u << DS_AGENTS));
    YNode *prices = ynode_parse_text("p.yaml", "M1: {input: 3, output: 15}\n", 27, &err);
    cJSON *doc = cJSON_Parse(doc_text);
    Rows **sets = NULL;
    int *modes = NULL, n = 0;
    CHECK(outputs_apply(o, doc, prices, NOW, &sets, &modes, &n, &err) == 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        Rows *u = sets[0], *a = sets[1];
        CHECK_INT(modes[0], CACHE_MERGE);
        CHECK_INT(modes[1], CACHE_REPLACE);
        CHECK_INT(u->nrows, 2);                        /* x on 11-15 (two items), x on 11-13 */
        CHECK_STR(cell(u, 0, "key")->u.s, "x:2026-11-15");
        CHECK_STR(cell(u, 0, "agent_id")->u.s, "x");
        CHECK_INT(cell(u, 0, "input_tokens")->u.i, 3000000);
        CHECK_INT(cell(u, 0, "output_tokens")->u.i, 10);
        CHECK_INT(cell(u, 0, "message_count")->u.i, 2);
        /* 1M x 3 + 10 x 15 / 1M (M1), + 2M x 3 (m1: prices match without case) */
        CHECK(fabs(cell(u, 0, "total_cost_usd")->u.d - 9.00015) < 1e-9);
        CHECK_STR(cell(u, 1, "key")->u.s, "x:2026-11-13");
        CHECK(cell(u, 1, "total_cost_usd")->kind == V_NULL);   /* no price for 'nope' */
        CHECK_INT(a->nrows, 3);
        CHECK_STR(cell(a, 0, "current_task")->u.s, "0 7 * * * (UTC)");
        CHECK_STR(cell(a, 1, "current_task")->u.s, "every 1m");
        CHECK(cell(a, 2, "current_task")->kind == V_NULL);
        CHECK_INT(cell(a, 0, "tokens_today")->u.i, 1000000);
        CHECK_INT(cell(a, 2, "tokens_today")->u.i, 0);          /* not today */
    }
    for (int i = 0; i < n; i++)
        rows_free(sets[i]);
    free(sets);
    free(modes);
    cJSON_Delete(doc);
    ynode_free(prices);
    outputs_free(o);
}

static void test_group_latest_time(void)
{
    char *err = NULL;
    Outputs *o = configure("outputs:\n  agents:\n    items: $.rows[*]\n    fields: {last_seen: t, model: m}\n"
                           "    part: {agent_id: {path: k, sep: \":\", index: 0}}\n    group_by: [agent_id]\n",
                           &err);
    cJSON *doc = cJSON_Parse(doc_text);
    Rows **sets = NULL;
    int *modes = NULL, n = 0;
    CHECK(o && outputs_apply(o, doc, NULL, NOW, &sets, &modes, &n, &err) == 0);
    if (n == 1) {
        CHECK_INT(sets[0]->nrows, 2);
        CHECK_STR(cell(sets[0], 0, "key")->u.s, "a");
        CHECK_STR(cell(sets[0], 0, "last_seen")->u.s, "2026-11-15T11:00:00Z");   /* the later of two */
        CHECK_STR(cell(sets[0], 0, "model")->u.s, "m1");      /* text from the newest row, not the first */
        rows_free(sets[0]);
    }
    free(sets);
    free(modes);
    cJSON_Delete(doc);
    outputs_free(o);
    free(err);
}

/* A number in group_by stays the group's value (it is not summed). */
static void test_group_by_number(void)
{
    char *err = NULL;
    Outputs *o = configure("outputs:\n  usage:\n    items: $.rows[*]\n    fields: {output_tokens: out, input_tokens: in}\n"
                           "    set: {agent_id: all}\n    group_by: [output_tokens]\n    count: message_count\n",
                           &err);
    cJSON *doc = cJSON_Parse("{\"rows\":[{\"out\":10,\"in\":1},{\"out\":10,\"in\":2},{\"in\":4},{\"out\":20,\"in\":8}]}");
    Rows **sets = NULL;
    int *modes = NULL, n = 0;
    CHECK(o && outputs_apply(o, doc, NULL, NOW, &sets, &modes, &n, &err) == 0);
    if (n == 1) {
        Rows *r = sets[0];
        CHECK_INT(r->nrows, 3);
        CHECK_STR(cell(r, 0, "key")->u.s, "10");
        CHECK_INT(cell(r, 0, "output_tokens")->u.i, 10);
        CHECK_INT(cell(r, 0, "input_tokens")->u.i, 3);
        CHECK_INT(cell(r, 0, "message_count")->u.i, 2);
        CHECK(cell(r, 1, "output_tokens")->kind == V_NULL);   /* absent is its own group */
        CHECK_INT(cell(r, 1, "input_tokens")->u.i, 4);
        CHECK_INT(cell(r, 2, "output_tokens")->u.i, 20);
        rows_free(r);
    }
    free(sets);
    free(modes);
    cJSON_Delete(doc);
    outputs_free(o);
    free(err);
}

/* group sums of integers are exact and stop at the int64 range: through a
 * double they lost the units past 2^53, and past 2^63 llround's result was
 * unspecified (fuzz_presets) */
static void test_group_sum_range(void)
{
    char *err = NULL;
    Outputs *o = configure("outputs:\n  usage:\n    items: $.rows[*]\n    fields: {output_tokens: out, input_tokens: in}\n"
                           "    set: {agent_id: all}\n    group_by: [output_tokens]\n", &err);
    cJSON *doc = cJSON_Parse("{\"rows\":[{\"out\":1,\"in\":\"9007199254740993\"},{\"out\":1,\"in\":1},"
                             "{\"out\":2,\"in\":\"4611686018427387904\"},{\"out\":2,\"in\":\"4611686018427387904\"},"
                             "{\"out\":3,\"in\":\"-4611686018427387904\"},{\"out\":3,\"in\":\"-4611686018427387905\"}]}");
    Rows **sets = NULL;
    int *modes = NULL, n = 0;
    CHECK(o && outputs_apply(o, doc, NULL, NOW, &sets, &modes, &n, &err) == 0);
    if (n == 1) {
        Rows *r = sets[0];
        CHECK_INT(r->nrows, 3);
        CHECK(cell(r, 0, "input_tokens")->kind == V_INT && cell(r, 0, "input_tokens")->u.i == 9007199254740994LL);
        CHECK(cell(r, 1, "input_tokens")->kind == V_INT && cell(r, 1, "input_tokens")->u.i == INT64_MAX);
        CHECK(cell(r, 2, "input_tokens")->kind == V_INT && cell(r, 2, "input_tokens")->u.i == INT64_MIN);
        rows_free(r);
    }
    free(sets);
    free(modes);
    cJSON_Delete(doc);
    outputs_free(o);
    free(err);
}

static void test_errors(void)
{
    char *err = NULL;
    CHECK(!configure("outputs:\n  audit: {items: $}\n", &err));
    CHECK_CONTAINS(err, "o.yaml:2:3: outputs: 'audit' is not a dataset a source can write");
    CHECK(!configure("outputs:\n  usage:\n    count: message_count\n", &err));
    CHECK_CONTAINS(err, "o.yaml:3:12: count: needs group_by");
    CHECK(!configure("outputs:\n  usage:\n    group_by: [agent, date]\n", &err));
    CHECK_CONTAINS(err, "o.yaml:3:16: group_by: 'agent' is not a field of usage");
    CHECK(!configure("outputs:\n  usage:\n    mode: sometimes\n", &err));
    CHECK_CONTAINS(err, "mode: 'replace' or 'merge'");
    CHECK(!configure("outputs:\n  usage:\n    cost: {model: m}\n", &err));
    CHECK_CONTAINS(err, "missing required key 'into'");
    CHECK(!configure("outputs:\n  usage:\n    wibble: 1\n", &err));
    CHECK_CONTAINS(err, "o.yaml:3:5: unknown key 'wibble'");
    free(err);
}

/* A token count that is no count (1e3080 parses as infinity, 1e300 is past
 * 2^53) adds nothing to the cost: fuzz_presets found cost_today_usd infinite
 * in the cache. */
static void test_cost_not_a_count(void)
{
    char *err = NULL;
    Outputs *o = configure("outputs:\n  usage:\n    items: $[*]\n    fields: {agent_id: k, model: m}\n"
                           "    cost: {into: total_cost_usd, model: m, input: in, output: out}\n", &err);
    CHECK(o != NULL);
    if (!o) {
        free(err);
        return;
    }
    YNode *prices = ynode_parse_text("p.yaml", "M1: {input: 3, output: 15}\n", 27, &err);
    cJSON *doc = cJSON_Parse("[{\"k\": \"a\", \"m\": \"M1\", \"in\": 1e3080, \"out\": 10},"
                             " {\"k\": \"b\", \"m\": \"M1\", \"in\": 1e300, \"out\": 1e3080}]");
    Rows **sets = NULL;
    int *modes = NULL, n = 0;
    CHECK(outputs_apply(o, doc, prices, NOW, &sets, &modes, &n, &err) == 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(sets[0]->nrows, 2);
        CHECK(fabs(cell(sets[0], 0, "total_cost_usd")->u.d - 0.00015) < 1e-12);   /* the output tokens only */
        CHECK(cell(sets[0], 1, "total_cost_usd")->kind == V_NULL);                /* nothing priced */
    }
    for (int i = 0; i < n; i++)
        rows_free(sets[i]);
    free(sets);
    free(modes);
    cJSON_Delete(doc);
    ynode_free(prices);
    outputs_free(o);
}

int main(void)
{
    RUN(test_two_datasets);
    RUN(test_group_latest_time);
    RUN(test_group_by_number);
    RUN(test_group_sum_range);
    RUN(test_errors);
    RUN(test_cost_not_a_count);
    return t_done();
}

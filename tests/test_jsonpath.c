/* test_jsonpath.c — the JSON path dialect of items:/fields: (net/jsonpath.h). */
#include <stdlib.h>
#include <cjson/cJSON.h>
#include "thelp.h"
#include "net/jsonpath.h"

static const char *doc_text =
    "{\"deployments\":[{\"uid\":\"a\",\"meta\":{\"n\":1}},{\"uid\":\"b\",\"meta\":{\"n\":2}},"
    "{\"uid\":\"c\"}],\"pagination\":{\"next\":155},\"key with space\":\"sp\","
    "\"@page\":\"2\",\"quote'd\":7,\"empty\":[]}";

static cJSON *doc(void)
{
    cJSON *d = cJSON_Parse(doc_text);
    if (!d)
        abort();
    return d;
}

static const char *str_at(const char *path, const cJSON *root)
{
    const cJSON *v = jsonpath_get(path, root);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_basic_paths(void)
{
    cJSON *d = doc();
    CHECK(jsonpath_get("$", d) == d);
    CHECK_STR(str_at("$.deployments[0].uid", d), "a");
    CHECK_STR(str_at("deployments[1].uid", d), "b");          /* no leading $. */
    CHECK_STR(str_at("$.deployments[-1].uid", d), "c");
    CHECK_STR(str_at("$['key with space']", d), "sp");
    CHECK_STR(str_at("$[\"key with space\"]", d), "sp");
    CHECK_STR(str_at("@page", d), "2");
    CHECK_INT(jsonpath_get("$['quote\\'d']", d)->valueint, 7);
    CHECK_INT(jsonpath_get("pagination.next", d)->valueint, 155);
    CHECK_INT(jsonpath_get("$.deployments[1].meta.n", d)->valueint, 2);
    cJSON_Delete(d);
}

static void test_missing(void)
{
    cJSON *d = doc();
    CHECK(jsonpath_get("$.nope", d) == NULL);
    CHECK(jsonpath_get("$.deployments[3]", d) == NULL);
    CHECK(jsonpath_get("$.deployments[-4]", d) == NULL);
    CHECK(jsonpath_get("$.deployments.uid", d) == NULL);      /* key on an array */
    CHECK(jsonpath_get("$.pagination[0]", d) == NULL);        /* index on an object */
    CHECK(jsonpath_get("$.deployments[2].meta.n", d) == NULL);
    CHECK(jsonpath_get("$.x", NULL) == NULL);
    cJSON_Delete(d);
}

static void test_wildcards(void)
{
    cJSON *d = doc();
    const cJSON **out = NULL;
    int n = 0;
    char *err = NULL;
    CHECK_INT(jsonpath_eval("$.deployments[*]", d, &out, &n, &err), 3);
    CHECK_INT(n, 3);
    CHECK_STR(cJSON_GetObjectItem(out[2], "uid")->valuestring, "c");
    /* appends after what is there, and only matches that exist */
    CHECK_INT(jsonpath_eval("$.deployments[*].meta.n", d, &out, &n, &err), 2);
    CHECK_INT(n, 5);
    CHECK_INT(out[3]->valueint, 1);
    CHECK_INT(out[4]->valueint, 2);
    free((void *)out);
    out = NULL, n = 0;
    CHECK_INT(jsonpath_eval("$.pagination.*", d, &out, &n, &err), 1);
    CHECK_INT(jsonpath_eval("$.empty[*]", d, &out, &n, &err), 0);
    CHECK_INT(jsonpath_eval("$.nothing[*]", d, &out, &n, &err), 0);
    CHECK_STR(str_at("$.deployments[*].uid", d), "a");        /* get = first match */
    free((void *)out);
    CHECK(err == NULL);
    cJSON_Delete(d);
}

static void test_bad_paths(void)
{
    const char *bad[] = {"", "$.", "$..a", "$[", "$[abc]", "$['x", "$[1", "$[-]", "a..b", "$x", NULL};
    for (int i = 0; bad[i]; i++) {
        char *err = NULL;
        CHECK_INT(jsonpath_validate(bad[i], &err), -1);
        CHECK_CONTAINS(err, "bad JSON path");
        free(err);
    }
    char *err = NULL;
    CHECK_INT(jsonpath_validate("$.a[*].b['c d'][-2]", &err), 0);
    const cJSON **out = NULL;
    int n = 0;
    CHECK_INT(jsonpath_eval("$[", NULL, &out, &n, &err), -1);
    CHECK_CONTAINS(err, "'$['");
    free(err);
    CHECK(jsonpath_get("$..x", NULL) == NULL);
}

/* "a || b": b's match when a has none or is null (GitHub's conclusion is
 * null while a run is in progress: `conclusion || status`). */
static void test_alternatives(void)
{
    cJSON *d = cJSON_Parse("{\"runs\":[{\"status\":\"in_progress\",\"conclusion\":null},"
                           "{\"status\":\"completed\",\"conclusion\":\"failure\"}],\"x||y\":1}");
    const cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "runs"), 0);
    const cJSON *r1 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "runs"), 1);
    char *err = NULL;
    CHECK_INT(jsonpath_validate("conclusion || status", &err), 0);
    CHECK_INT(jsonpath_validate("a||b||c", &err), 0);
    CHECK_STR(str_at("conclusion || status", r0), "in_progress");
    CHECK_STR(str_at("conclusion || status", r1), "failure");
    CHECK_STR(str_at("$.nope||$.runs[1].status", d), "completed");
    CHECK(jsonpath_get("$['x||y']", d) != NULL);            /* quoted: not an alternative */
    CHECK(jsonpath_get("$.nope || $.nada", d) == NULL);
    CHECK_INT(jsonpath_validate("a || $[", &err), -1);
    CHECK_CONTAINS(err, "bad JSON path");
    free(err);
    err = NULL;
    const cJSON **out = NULL;
    int n = 0;
    CHECK_INT(jsonpath_eval("$.none[*] || $.runs[*]", d, &out, &n, &err), 2);
    free((void *)out);
    /* a bad alternative makes the whole path bad, whatever the document:
     * eval agrees with validate even when an earlier alternative matched
     * (fuzz_jsonpath found eval returning a match for "$ || ||") */
    out = NULL;
    n = 0;
    CHECK_INT(jsonpath_validate("$ || || x", &err), -1);
    free(err);
    err = NULL;
    CHECK_INT(jsonpath_eval("$ || || x", d, &out, &n, &err), -1);
    CHECK_CONTAINS(err, "bad JSON path");
    CHECK_INT(n, 0);
    free((void *)out);
    free(err);
    err = NULL;
    cJSON_Delete(d);
}

int main(void)
{
    RUN(test_alternatives);
    RUN(test_basic_paths);
    RUN(test_missing);
    RUN(test_wildcards);
    RUN(test_bad_paths);
    return t_done();
}

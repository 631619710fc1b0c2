/* fuzz_jsonpath.c — JSON paths and the mapping (src/net/jsonpath.c,
 * src/net/mapping.c): the input's first line is a JSON path, the rest a JSON
 * document. The path is validated and evaluated on the document; the
 * document is mapped into activity rows with that path as `items:` and as
 * one field's path, and into each dataset with its default-looking paths. */
#include <cjson/cJSON.h>
#include "fuzz.h"
#include "src/dataset.h"
#include "src/ynode.h"
#include "src/net/jsonpath.h"
#include "src/net/mapping.h"

static void map_with(const char *yaml, const Dataset *ds, const cJSON *doc)
{
    char *err = NULL;
    YNode *y = ynode_parse_text("fuzz.yaml", yaml, strlen(yaml), &err);
    Mapping m;
    memset(&m, 0, sizeof m);
    if (y && mapping_configure(&m, ds, y, NULL, &err) == 0) {
        Rows *rows = rows_new(ds);
        free(err);
        err = NULL;
        mapping_apply(&m, doc, rows, &err);
        rows_free(rows);
        mapping_free(&m);
    }
    free(err);
    ynode_free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_str(data, size);
    char *nl = strchr(text, '\n');
    const char *json = nl ? nl + 1 : "";
    if (nl)
        *nl = '\0';
    const char *path = text;
    char *err = NULL;
    int valid = jsonpath_validate(path, &err) == 0;
    free(err);
    err = NULL;
    cJSON *doc = cJSON_Parse(json);
    if (doc) {
        const cJSON **hits = NULL;
        int n = 0;
        int rc = jsonpath_eval(path, doc, &hits, &n, &err);
        if ((rc < 0) == valid) {
            fprintf(stderr, "'%s': validate says %s, eval returned %d\n", path, valid ? "ok" : "bad", rc);
            abort();
        }
        free(hits);
        free(err);
        (void)jsonpath_get(path, doc);
        if (valid && !strpbrk(path, "'\"\\\n\r:#{}[],&*!|>%@`")) {
            char *y = xasprintf("items: '%s'\nfields:\n  details: '%s'\n  ts: ts\n  status: n\n", path, path);
            map_with(y, dataset_get(DS_ACTIVITY), doc);
            free(y);
        }
        map_with("fields:\n  key: id\n  ts: ts\n  details: $\n  status: '[0]'\n", dataset_get(DS_ACTIVITY), doc);
        map_with("fields:\n  cpu_pct: cpu\n  health_score: '[*]'\n  services: s\n  ts: '$.t'\n"
                 "set:\n  host: h\n", dataset_get(DS_SYSTEM), doc);
        map_with("fields:\n  total_ytd_usd: a.b\n  snapshot_date: '[-1]'\nscale:\n  total_ytd_usd: 0.01\n",
                 dataset_get(DS_REVENUE), doc);
        for (int d = 0; d < DS__COUNT; d++) {
            const Dataset *ds = dataset_get((DatasetId)d);
            Rows *rows = rows_new(ds);
            for (const cJSON *it = doc->child; it; it = it->next) {
                int row = rows_add(rows);
                for (int f = 0; f < ds->nfields; f++)
                    mapping_set_value(rows, row, f, it, (f & 1) ? 0.01 : 1.0);
            }
            rows_free(rows);
        }
        cJSON_Delete(doc);
    }
    free(text);
    return 0;
}

/* json_file.c — the `json_file` source kind: a JSON document on disk (projects,
 * agent state files, manual revenue), turned into rows of one dataset with the
 * same items/fields/set/scale mapping as http_json (net/mapping.h).
 *
 * `path` may be a glob: each matching file is one document and their rows
 * together replace the source's rows (CACHE_REPLACE). A file that is not valid
 * JSON fails the fetch with "path:LINE:COL: why" and the cached rows stay. When
 * no file changed (inode, size and mtime, kept in the state's etag column) the
 * fetch is a no-op (not_modified). */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "../source.h"
#include "../util.h"
#include "../net/mapping.h"
#include "../net/size.h"
#include "fileutil.h"

#define JF_MAX_FILES 1000

typedef struct JfCfg {
    char *path;                    /* a file or a glob */
    int is_glob;
    int64_t max_bytes;             /* per file */
    Mapping map;
} JfCfg;

static const char *const jf_keys[] = {"path", "items", "fields", "set", "scale", "max_bytes", NULL};

/* Field maps used when `fields:` does not name a field. */
static const char *const jf_projects[] = {
    "key", "id", "name", "name", "status", "status", "owner", "owner", "updated_at", "updatedAt", NULL,
};
static const char *const jf_agents[] = {
    "key", "agent", "agent_id", "agent", "status", "status", "current_task", "task",
    "last_seen", "heartbeat", "model", "model", NULL,
};
static const char *const jf_revenue[] = {
    "key", "snapshotDate", "snapshot_date", "snapshotDate", "total_ytd_usd", "totalYtdUsd",
    "projected_annual_usd", "projectedAnnualUsd", "streams", "streams", NULL,
};

static void jf_free_config(void *p)
{
    JfCfg *k = p;
    if (!k)
        return;
    free(k->path);
    mapping_free(&k->map);
    free(k);
}

/* The dataset: sc->feeds when config.c set it, else our own look at `feeds`. */
static const Dataset *jf_dataset(const SourceConfig *sc, const YNode *map, char **err)
{
    if (sc->feeds)
        return sc->feeds;
    const YNode *f = ynode_get(map, "feeds");
    if (!f)
        return dataset_get(DS_PROJECTS);
    const Dataset *ds = f->type == YN_SCALAR ? dataset_find(f->scalar) : NULL;
    if (!ds)
        ynode_error(f, err, "feeds: unknown dataset (one of %s)", dataset_names());
    return ds;
}

static int jf_configure(SourceConfig *sc, const YNode *map, char **err)
{
    if (source_check_keys(map, jf_keys, err))
        return -1;
    const Dataset *ds = jf_dataset(sc, map, err);
    if (!ds)
        return -1;
    JfCfg *k = xcalloc(1, sizeof *k);
    k->max_bytes = (int64_t)16 << 20;
    const char *const *defaults = NULL;
    if (ds->id == DS_PROJECTS)
        defaults = jf_projects;
    else if (ds->id == DS_AGENTS)
        defaults = jf_agents;
    else if (ds->id == DS_REVENUE)
        defaults = jf_revenue;
    if (fu_ynode_req_path(map, "path", &k->path, err) ||
        size_ynode(map, "max_bytes", 2, (int64_t)256 << 20, &k->max_bytes, err) ||
        mapping_configure(&k->map, ds, map, defaults, err)) {
        jf_free_config(k);
        return -1;
    }
    k->is_glob = strpbrk(k->path, "*?[") != NULL;
    sc->kcfg = k;
    return 0;
}

static char *jf_watch_path(const SourceConfig *sc)
{
    const JfCfg *k = sc->kcfg;
    if (!k)
        return NULL;
    if (!k->is_glob)
        return xstrdup(k->path);
    /* a glob: the deepest directory before the first wildcard */
    char *p = xstrdup(k->path);
    char *w = strpbrk(p, "*?[");
    *w = '\0';
    char *slash = strrchr(p, '/');
    if (slash && slash != p)
        *slash = '\0';
    else if (slash)
        slash[1] = '\0';
    else
        snprintf(p, strlen(k->path) + 1, ".");
    return p;
}

/* The files to read (a new NULL-terminated list), or NULL with ctx->err. */
static char **jf_files(const JfCfg *k, FetchCtx *ctx)
{
    if (!k->is_glob) {
        char **v = xcalloc(2, sizeof *v);
        v[0] = xstrdup(k->path);
        return v;
    }
    glob_t g;
    int rc = glob(k->path, GLOB_ERR, NULL, &g);
    if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0)) {
        set_err(&ctx->err, "%s: no file matches", k->path);
        globfree(&g);
        return NULL;
    }
    if (rc != 0) {
        set_err(&ctx->err, "%s: cannot list: %s", k->path, strerror(errno));
        globfree(&g);
        return NULL;
    }
    size_t n = g.gl_pathc < JF_MAX_FILES ? g.gl_pathc : JF_MAX_FILES;
    char **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = xstrdup(g.gl_pathv[i]);
    globfree(&g);
    return v;
}

/* Combined fingerprint of the mapping and every file, into out. Returns 0 or -1 with ctx->err. */
static int jf_fingerprint(const JfCfg *k, char **files, FetchCtx *ctx, char *out)
{
    Buf b = {0};
    struct stat st;
    char fp[96];
    /* the mapping too, so an edited config re-reads an unchanged file */
    const Mapping *m = &k->map;
    buf_printf(&b, "%s\n%s\n", m->ds->name, m->items ? m->items : "");
    for (int i = 0; i < m->nfields; i++)
        buf_printf(&b, "f%d=%s*%g\n", m->fields[i].field, m->fields[i].path, m->fields[i].scale);
    for (int i = 0; i < m->nconsts; i++)
        buf_printf(&b, "c%d=%s\n", m->consts[i].field, m->consts[i].value);
    for (int i = 0; files[i]; i++) {
        if (stat(files[i], &st) != 0) {
            set_err(&ctx->err, "%s: cannot read: %s", files[i], strerror(errno));
            buf_free(&b);
            return -1;
        }
        fu_fingerprint(&st, fp, sizeof fp);
        buf_printf(&b, "%s\n%s\n", files[i], fp);
    }
    fu_hex64(hash64(b.s, b.len), out);
    buf_free(&b);
    return 0;
}

/* Parses one file and maps it into rows. Returns 0 or -1 with ctx->err. */
static int jf_read_one(const JfCfg *k, const char *path, Rows *rows, FetchCtx *ctx)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    if (file_read_until(path, (size_t)k->max_bytes, ctx->deadline_ms, &text, &len, &err) != 0) {
        set_err(&ctx->err, "%s", err);
        free(err);
        return -1;
    }
    size_t bom = fu_bom_len(text, len);
    const char *doc_text = text + bom;
    size_t doc_len = len - bom;
    size_t i = 0;
    while (i < doc_len && strchr(" \t\r\n", doc_text[i]))
        i++;
    if (i == doc_len) {
        set_err(&ctx->err, "%s: empty file (no JSON document)", path);
        free(text);
        return -1;
    }
    const char *end = NULL;
    /* doc_len + 1 takes in the NUL file_read_all put after the text */
    cJSON *doc = cJSON_ParseWithLengthOpts(doc_text, doc_len + 1, &end, 1);
    if (!doc) {
        char *msg = fu_json_error(path, doc_text, doc_len, end);
        set_err(&ctx->err, "%s", msg);
        free(msg);
        free(text);
        return -1;
    }
    int rc = mapping_apply(&k->map, doc, rows, &err);
    if (rc < 0) {
        set_err(&ctx->err, "%s: %s", path, err ? err : "mapping failed");
        free(err);
    }
    cJSON_Delete(doc);
    free(text);
    return rc < 0 ? -1 : 0;
}

static int jf_fetch(void *self, FetchCtx *ctx)
{
    const JfCfg *k = ctx->src->kcfg;
    char **files = jf_files(k, ctx);
    char fp[24];
    int rc = -1;
    if (!files)
        return -1;
    if (jf_fingerprint(k, files, ctx, fp) != 0)
        goto out;
    if (ctx->state->etag && strcmp(ctx->state->etag, fp) == 0) {
        ctx->not_modified = 1;
        rc = 0;
        goto out;
    }
    Rows *rows = rows_new(k->map.ds);
    for (int i = 0; files[i]; i++) {
        if (jf_read_one(k, files[i], rows, ctx) != 0) {
            rows_free(rows);
            goto out;
        }
    }
    char *old = ctx->state->etag;
    ctx->state->etag = xstrdup(fp);
    rc = fetch_commit(ctx, &rows, 1, CACHE_REPLACE);
    if (rc == 0) {
        free(old);
    } else {
        free(ctx->state->etag);
        ctx->state->etag = old;
    }
    rows_free(rows);
out:
    strv_free(files);
    return rc;
}

const SourceClass src_json_file_class = {
    .kind = "json_file",
    .summary = "a JSON document on disk (or a glob of them), mapped into one dataset",
    .datasets = DS_BIT(DS_PROJECTS),
    .configure = jf_configure,
    .free_config = jf_free_config,
    .fetch = jf_fetch,
    .watch_path = jf_watch_path,
};

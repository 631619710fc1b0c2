/* revenue_manual.c — the `revenue_manual` source kind: a hand-kept ledger of
 * monthly revenue for streams with no API (a network scraped by hand, a
 * publisher's monthly statement):
 *
 *   {"entries":[{"stream":"AdsByMoney","month":"2026-10","usd":1840.22}, ...]}
 *
 * Each fetch sums the entries whose month falls in the current revenue year
 * (top-level `year_start:`; a month counts from its first day) per stream,
 * through the same aggregate kit http_json's `aggregate:` uses (aggregate.h),
 * into one `revenue` row for today keyed by its snapshot_date, so earlier
 * days' rows stay as history. Other years' months, and months still to
 * come, are left out. A file that
 * is not JSON fails with "PATH:LINE:COL: ...", an entry that is not
 * {stream, month "YYYY-MM", usd number} with its position and index; the
 * cached rows stay.
 * The file is watched like the other file kinds; an unchanged file on the
 * same day is not read again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "../source.h"
#include "../util.h"
#include "aggregate.h"
#include "fileutil.h"

typedef struct RmCfg {
    char *path;
    int64_t max_bytes;
    AggregateCfg agg;          /* amount usd, date month, stream_field stream */
} RmCfg;

static const char *const rm_keys[] = {"path", "max_bytes", NULL};

static void rm_free_config(void *p)
{
    RmCfg *k = p;
    if (!k)
        return;
    free(k->path);
    aggregate_cfg_free(&k->agg);
    free(k);
}

static int rm_configure(SourceConfig *sc, const YNode *map, char **err)
{
    RmCfg *k = xcalloc(1, sizeof *k);
    k->max_bytes = (int64_t)4 << 20;
    if (sc->feeds && sc->feeds->id != DS_REVENUE) {
        rm_free_config(k);
        return ynode_error(ynode_get(map, "feeds"), err, "revenue_manual writes revenue, not %s", sc->feeds->name);
    }
    if (source_check_keys(map, rm_keys, err) < 0 || fu_ynode_req_path(map, "path", &k->path, err) < 0 ||
        fu_ynode_size(map, "max_bytes", 1, (int64_t)1 << 30, &k->max_bytes, err) < 0) {
        rm_free_config(k);
        return -1;
    }
    k->agg = (AggregateCfg){.enabled = 1, .amount = xstrdup("usd"), .date = xstrdup("date"),
                            .stream = xstrdup(sc->id), .stream_field = xstrdup("stream"), .scale = 1.0};
    sc->kcfg = k;
    return 0;
}

static char *rm_watch_path(const SourceConfig *sc)
{
    const RmCfg *k = sc->kcfg;
    return k ? xstrdup(k->path) : NULL;
}

/* "YYYY-MM" with a month 01-12. */
static int month_ok(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    int m = (s[5] - '0') * 10 + s[6] - '0';
    return !s[7] && m >= 1 && m <= 12;
}

/* Skips a JSON string starting at text[i] == '"'; returns the index after it. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len && t[i] != '"'; i++)
        if (t[i] == '\\')
            i++;
    return i + 1;
}

static size_t skip_space(const char *t, size_t len, size_t i)
{
    while (i < len && strchr(" \t\r\n", t[i]))
        i++;
    return i;
}

/* The byte offset of entries[index] in the (valid) document text, or -1:
 * for "PATH:LINE:COL" in the message about a bad entry. */
static long entry_offset(const char *t, size_t len, int index)
{
    int depth = 0;
    size_t i = skip_space(t, len, 0);
    for (; i < len; i++) {
        if (t[i] == '"') {
            size_t end = skip_string(t, len, i), colon = skip_space(t, len, end);
            if (depth == 1 && end - i == 9 && !strncmp(t + i, "\"entries\"", 9) && colon < len && t[colon] == ':') {
                i = skip_space(t, len, colon + 1);
                break;
            }
            i = end - 1;
        } else if (t[i] == '{' || t[i] == '[') {
            depth++;
        } else if (t[i] == '}' || t[i] == ']') {
            depth--;
        }
    }
    if (i >= len || t[i] != '[')
        return -1;
    int at = 0, d = 0;
    for (i = skip_space(t, len, i + 1); i < len; i++) {
        if (at == index && d == 0)
            return (long)i;
        if (t[i] == '"')
            i = skip_string(t, len, i) - 1;
        else if (t[i] == '{' || t[i] == '[')
            d++;
        else if ((t[i] == '}' || t[i] == ']') && d-- == 0)
            return -1;
        else if (t[i] == ',' && d == 0) {
            at++;
            i = skip_space(t, len, i + 1) - 1;
        }
    }
    return -1;
}

/* Checks the ledger and turns it into items {stream, date: "YYYY-MM-01", usd}
 * for the aggregate kit. text: the document (for the position of a bad
 * entry). Returns the array, or NULL with *err. */
static cJSON *rm_items(const cJSON *doc, const char *text, size_t len, const char *path, const char *this_month,
                       char **err)
{
    const cJSON *entries = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "entries") : NULL;
    if (!cJSON_IsArray(entries)) {
        set_err(err, "%s: expected {\"entries\": [{\"stream\", \"month\": \"YYYY-MM\", \"usd\"}, ...]}", path);
        return NULL;
    }
    cJSON *items = cJSON_CreateArray();
    int i = 0;
    for (const cJSON *e = entries->child; e; e = e->next, i++) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "stream");
        const cJSON *mo = cJSON_GetObjectItemCaseSensitive(e, "month");
        const cJSON *usd = cJSON_GetObjectItemCaseSensitive(e, "usd");
        char snip[48];
        const char *why = NULL;
        if (!cJSON_IsObject(e))
            why = "not an object {stream, month, usd}";
        else if (!cJSON_IsString(st) || !*st->valuestring)
            why = "'stream' must be a non-empty string";
        else if (!cJSON_IsString(mo) || !month_ok(mo->valuestring))
            why = "'month' must be \"YYYY-MM\"";
        else if (!cJSON_IsNumber(usd))
            why = "'usd' must be a number";
        if (why) {
            long off = entry_offset(text, len, i);
            int line = 0, col = 0;
            char pos[32] = "";
            if (off >= 0) {
                fu_line_col(text, len, (size_t)off, &line, &col);
                snprintf(pos, sizeof pos, ":%d:%d", line, col);
            }
            fu_snippet(cJSON_IsString(mo) ? mo->valuestring : "", 40, snip, sizeof snip);
            set_err(err, "%s%s: entries[%d]: %s%s%s%s", path, pos, i, why, *snip ? " (month '" : "", snip,
                    *snip ? "')" : "");
            cJSON_Delete(items);
            return NULL;
        }
        if (strcmp(mo->valuestring, this_month) > 0)
            continue;                        /* a month still to come is not year-to-date */
        char date[16];
        snprintf(date, sizeof date, "%.7s-01", mo->valuestring);
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "stream", st->valuestring);
        cJSON_AddStringToObject(it, "date", date);
        cJSON_AddNumberToObject(it, "usd", usd->valuedouble);
        cJSON_AddItemToArray(items, it);
    }
    return items;
}

/* Reads and checks the file; the parsed document (and in *text, *len the
 * file's text, caller frees) or NULL with ctx->err. */
static cJSON *rm_read(const RmCfg *k, FetchCtx *ctx, char **textp, size_t *lenp)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    *textp = NULL;
    if (file_read_until(k->path, (size_t)k->max_bytes, ctx->deadline_ms, &text, &len, &err) != 0) {
        set_err(&ctx->err, "%s", err);
        free(err);
        return NULL;
    }
    size_t bom = fu_bom_len(text, len);
    const char *end = NULL;
    /* len - bom + 1 takes in the NUL file_read_all put after the text */
    cJSON *doc = cJSON_ParseWithLengthOpts(text + bom, len - bom + 1, &end, 1);
    if (!doc) {
        char *msg = fu_json_error(k->path, text + bom, len - bom, end);
        set_err(&ctx->err, "%s", msg);
        free(msg);
        free(text);
        return NULL;
    }
    memmove(text, text + bom, len - bom + 1);
    *textp = text;
    *lenp = len - bom;
    return doc;
}

static int rm_fetch(void *self, FetchCtx *ctx)
{
    const RmCfg *k = ctx->src->kcfg;
    struct stat st;
    char fp[96], tag[128];
    if (stat(k->path, &st) != 0) {
        set_err(&ctx->err, "%s: cannot read: %s", k->path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(&ctx->err, "%s: not a regular file", k->path);
        return -1;
    }
    fu_fingerprint(&st, fp, sizeof fp);
    snprintf(tag, sizeof tag, "%s@%lld", fp, (long long)(ctx->now_ms / 86400000));   /* a new day: a new row */
    if (ctx->state->etag && !strcmp(ctx->state->etag, tag)) {
        ctx->not_modified = 1;
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    cJSON *doc = rm_read(k, ctx, &text, &len);
    if (!doc)
        return -1;
    int y, m, d;
    char this_month[16];
    config_civil_from_days(ctx->now_ms / 86400000, &y, &m, &d);
    snprintf(this_month, sizeof this_month, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
    cJSON *items = rm_items(doc, text, len, k->path, this_month, &ctx->err);
    cJSON_Delete(doc);
    free(text);
    if (!items)
        return -1;
    Aggregate a;
    char *err = NULL;
    aggregate_begin(&a, &k->agg, ctx->config, ctx->now_ms);
    int rc = aggregate_apply(&a, "$[*]", items, &err);
    cJSON_Delete(items);
    if (rc < 0) {
        set_err(&ctx->err, "%s: %s", k->path, err);
        free(err);
        aggregate_end(&a);
        return -1;
    }
    Rows *rows = rows_new(dataset_get(DS_REVENUE));
    aggregate_row(&a, rows);
    aggregate_end(&a);
    char *old = ctx->state->etag;
    ctx->state->etag = xstrdup(tag);
    rc = fetch_commit(ctx, &rows, 1, CACHE_MERGE);
    if (rc == 0) {
        free(old);
    } else {
        free(ctx->state->etag);
        ctx->state->etag = old;
    }
    rows_free(rows);
    return rc;
}

const SourceClass src_revenue_manual_class = {
    .kind = "revenue_manual",
    .summary = "a hand-kept monthly revenue ledger (JSON) -> this year's revenue per stream",
    .datasets = DS_BIT(DS_REVENUE),
    .configure = rm_configure,
    .free_config = rm_free_config,
    .fetch = rm_fetch,
    .watch_path = rm_watch_path,
};

/* fuzz_presets.c — each vendor preset's response mapping (presets/NAME.yaml,
 * src/presets.c): the input picks a preset (a first line naming it, else its
 * first byte modulo the number of presets) and the rest is one response of
 * the vendor. Every preset is expanded from one fixed config, the way
 * config.c expands a user's entry, and the body goes through the code a real
 * fetch runs once the response is in:
 *
 *   http_json presets: http_json_map_begin / _map_page / _next_page
 *     (src/sources/http_json.h), the day's aggregate row, fetch_commit;
 *   command presets (openclaw_*): the body as the gateway CLI's stdout,
 *     through one real fetch of `cat FILE` (1 input in 16: by its size) or
 *     the steps of command.c's map_output called directly (outputs_apply,
 *     fetch_commit_modes; no process, 15 times faster).
 *
 * Then it checks what the mapping promises: a failure has a message; rows
 * are bounded by the objects the body holds; the next page stays on the
 * source's host, is not the same page and is a URL without spaces or
 * control bytes; in the cache every row has a key, numbers (money) are
 * finite, times are UTC ISO-8601, JSON cells parse, text shown through
 * textsafe has no control byte; an aggregate writes exactly one revenue row
 * for the day whose streams add up to the total. The time is fixed
 * (2026-06-15 12:00 UTC) and the cache emptied before every input, so a
 * crash reproduces from its one file. FUZZ_PRESETS_SHOW=1 prints what each
 * input became (items, rows, or the error). */
#include <math.h>
#include <cjson/cJSON.h>
#include "fuzz.h"
#include "src/dataset.h"
#include "src/presets.h"
#include "src/textsafe.h"
#include "src/net/http.h"
#include "src/sources/aggregate.h"
#include "src/sources/http_json.h"
#include "src/sources/outputs.h"

#define NOW_MS 1781524800000LL          /* 2026-06-15T12:00:00Z */
#define TODAY "2026-06-15"
#define ORIGIN "http://127.0.0.1:9"
#define SECRET "fz-preset-secret-7c1e9a"

static FzSource fz;
static int show;                        /* FUZZ_PRESETS_SHOW=1: one line per input on stderr */
static char *body_file;
static void *rts[64];
static Outputs *outs[64];              /* the command presets' outputs:, for the direct path */

static void fail(const char *preset, const char *what, const char *detail)
{
    fprintf(stderr, "preset %s: %s%s%s\n", preset, what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static const SourceConfig *source_for(const char *name)
{
    for (int i = 0; i < fz.cfg->nsources; i++)
        if (!strcmp(fz.cfg->sources[i].id, name))
            return &fz.cfg->sources[i];
    return NULL;
}

static void setup(void)
{
    setenv("MC_FUZZ_KEY", SECRET, 1);
    show = getenv("FUZZ_PRESETS_SHOW") != NULL;
    body_file = xasprintf("%s/body.json", fz_dir());
    char *yaml = xasprintf(
        "year_start: 01-01\n"
        "prices:\n"
        "  claude-sonnet-4.5: {input: 3, output: 15, cache_read: 0.30, cache_write: 3.75}\n"
        "  claude-opus-4.6: {input: 15.00, output: 75.00}\n"
        "sources:\n"
        "  - {id: close, preset: close, api_key_env: MC_FUZZ_KEY, stream: Sponsorships, base_url: '" ORIGIN "'}\n"
        "  - {id: github_actions, preset: github_actions, repo: acme/site, token_env: MC_FUZZ_KEY,\n"
        "     branch: main, max_pages: 5, base_url: '" ORIGIN "'}\n"
        "  - {id: impact, preset: impact, account_sid: IRfuzz, auth_token_env: MC_FUZZ_KEY,\n"
        "     stream: Affiliate, base_url: '" ORIGIN "'}\n"
        "  - {id: oauth2_report, preset: oauth2_report, token_url: '" ORIGIN "/oauth/token',\n"
        "     report_url: '" ORIGIN "/v1/report', client_id: fuzz, client_secret_env: MC_FUZZ_KEY}\n"
        "  - {id: vercel, preset: vercel, project_id: prj_123, team_id: team_1, token_env: MC_FUZZ_KEY,\n"
        "     max_pages: 5, base_url: '" ORIGIN "'}\n"
        "  - {id: openclaw_cron, preset: openclaw_cron, command: [cat, '%s']}\n"
        "  - {id: openclaw_sessions, preset: openclaw_sessions, command: [cat, '%s']}\n",
        body_file, body_file);
    fz_source_open(&fz, yaml, body_file);
    free(yaml);
    /* every shipped preset has its source here: a new preset fails loudly */
    for (int i = 0; i < preset_count(); i++) {
        const SourceConfig *sc = source_for(preset_at(i)->name);
        if (!sc)
            fail(preset_at(i)->name, "no source in the harness's config", NULL);
        if (i < (int)MC_ARRAY_LEN(rts) && sc->cls->open)
            rts[i] = sc->cls->open(sc);
        if (i < (int)MC_ARRAY_LEN(outs) && strcmp(sc->cls->kind, "http_json")) {
            /* the same entry expanded again, for outputs_configure */
            char *err = NULL;
            char *entry = xasprintf("id: %s\npreset: %s\ncommand: [cat, '%s']\n", sc->id, sc->id, body_file);
            YNode *y = ynode_parse_text("fuzz.yaml", entry, strlen(entry), &err);
            YNode *map = y ? preset_expand(y, "2026-01-01", &err) : NULL;
            if (!map || outputs_configure(map, &outs[i], &err) < 0 || !outs[i])
                fail(sc->id, "cannot expand the preset's outputs", err);
            ynode_free_node(map);
            ynode_free(y);
            free(entry);
        }
    }
}

static size_t count_byte(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

static int is_iso_utc(const char *s)
{
    /* YYYY-MM-DDTHH:MM:SS[.fff]Z, four digits of year: rows_set_time
     * stores no time past 9999 (an epoch of 9e14 ms was "30197-...") */
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9')
        i++;
    if (i != 4)
        return 0;
    s += i;
    static const char pat[] = "-dd-ddTdd:dd:dd";
    for (i = 0; pat[i]; i++)
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
            return 0;
    if (s[i] == '.') {
        i++;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return s[i] == 'Z' && s[i + 1] == '\0';
}

static int column(sqlite3_stmt *st, const char *name)
{
    for (int c = 0; c < sqlite3_column_count(st); c++)
        if (!strcmp(sqlite3_column_name(st, c), name))
            return c;
    return -1;
}

/* Checks the cache rows of source id in dataset ds; returns how many. */
static int check_cache(const char *preset, const char *id, const Dataset *ds)
{
    char *sql = xasprintf("SELECT * FROM %s WHERE source = ?1", ds->name);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(fz.cache), sql, -1, &st, NULL) != SQLITE_OK)
        fail(preset, "cannot read the cache", sqlite3_errmsg(cache_db(fz.cache)));
    free(sql);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        n++;
        for (int f = 0; f < ds->npublic; f++) {
            int col = column(st, ds->fields[f].name);
            if (col < 0)
                fail(preset, "a dataset field is not a cache column", ds->fields[f].name);
            int t = sqlite3_column_type(st, col);
            const char *s = (const char *)sqlite3_column_text(st, col);
            if (f == 1 && (t != SQLITE_TEXT || !s))
                fail(preset, "a row without a key in", ds->name);
            if (t == SQLITE_NULL)
                continue;
            switch (ds->fields[f].type) {
            case F_REAL:
                if (t != SQLITE_FLOAT && t != SQLITE_INTEGER)
                    fail(preset, "a number field holds text", ds->fields[f].name);
                if (!isfinite(sqlite3_column_double(st, col)))
                    fail(preset, "a number is not finite", ds->fields[f].name);
                break;
            case F_INT:
            case F_BOOL:
                if (t != SQLITE_INTEGER)
                    fail(preset, "an integer field holds something else", ds->fields[f].name);
                break;
            case F_TIME:
                if (t != SQLITE_TEXT || !is_iso_utc(s))
                    fail(preset, "a time is not UTC ISO-8601", s);
                break;
            case F_JSON: {
                cJSON *j = t == SQLITE_TEXT ? cJSON_Parse(s) : NULL;
                if (!j)
                    fail(preset, "a JSON field does not parse", ds->fields[f].name);
                cJSON_Delete(j);
                break;
            }
            case F_TEXT:
                break;
            }
            if (t == SQLITE_TEXT) {         /* what the screen and the CLI would print */
                char *clean = textsafe_clean(s, 0);
                for (const unsigned char *p = (const unsigned char *)clean; *p; p++)
                    if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
                        fail(preset, "a control byte after textsafe_clean in", ds->fields[f].name);
                free(clean);
            }
        }
        if (ds->id == DS_REVENUE) {
            const char *date = (const char *)sqlite3_column_text(st, column(st, "snapshot_date"));
            if (!date || strcmp(date, TODAY))
                fail(preset, "the revenue row is not today's", date);
            double total = sqlite3_column_double(st, column(st, "total_ytd_usd"));
            cJSON *streams = cJSON_Parse((const char *)sqlite3_column_text(st, column(st, "streams")));
            if (!cJSON_IsArray(streams) || cJSON_GetArraySize(streams) < 1)
                fail(preset, "revenue streams are not a list of at least one", NULL);
            double sum = 0;
            int k = 0;
            for (const cJSON *s = streams->child; s; s = s->next, k++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, "ytd_usd");
                if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "name")) || !cJSON_IsNumber(v)
                    || !isfinite(v->valuedouble))
                    fail(preset, "a stream without a name or a finite ytd_usd", NULL);
                sum += v->valuedouble;
            }
            if (fabs(sum - total) > 0.006 * k + 1e-9 * fabs(total))
                fail(preset, "the streams do not add up to total_ytd_usd", NULL);
            cJSON_Delete(streams);
        }
    }
    sqlite3_finalize(st);
    return n;
}

/* A failure says what failed, and never shows the token (unless the body
 * itself held it: an error may quote the response). */
static void check_err(const char *preset, const char *err, const char *body, size_t len)
{
    if (!err || !*err)
        fail(preset, "failed without a message", NULL);
    if (strstr(err, SECRET) && !memmem(body, len, SECRET, strlen(SECRET)))
        fail(preset, "the token in an error message", err);
}

static void context(FetchCtx *ctx, SourceState *st, const SourceConfig *sc)
{
    memset(st, 0, sizeof *st);
    if (cache_state_get(fz.cache, sc->id, st, NULL) != 0)
        abort();
    memset(ctx, 0, sizeof *ctx);
    ctx->cache = fz.cache;
    ctx->config = fz.cfg;
    ctx->src = sc;
    ctx->state = st;
    ctx->now_ms = NOW_MS;
    ctx->deadline_ms = mono_ms() + 10000;
}

/* The http_json presets: the body as one page's response. */
static void http_page(const char *preset, const SourceConfig *sc, const char *body, size_t len)
{
    char host[] = "127.0.0.1:9";
    char *copy = xcalloc(1, len + 1);
    memcpy(copy, body, len);
    HttpResponse resp = {.status = 200, .body = copy, .body_len = len, .host = host, .retry_after_ms = -1};
    Rows *rows = NULL;
    Aggregate agg;
    Aggregate *a = http_json_map_begin(sc, fz.cfg, NOW_MS, &agg, &rows);
    cJSON *doc = NULL;
    char *err = NULL;
    int n = http_json_map_page(sc, &resp, rows, a, &doc, &err);
    size_t objects = count_byte(body, len, '{'), arrays = count_byte(body, len, '[');
    if (n < 0) {
        check_err(preset, err, body, len);
        if (show)
            fprintf(stderr, "%s: %s\n", preset, err);
    } else if (a) {
        if (rows->nrows != 0 || a->counted + a->skipped != n || (size_t)a->counted > objects)
            fail(preset, "the aggregate counted more items than the body holds", NULL);
    } else if (n != rows->nrows || (size_t)n > objects + arrays) {
        fail(preset, "more rows than the body holds items", NULL);
    }
    if (n >= 0) {
        const char *cur = ORIGIN "/page?n=1";
        char *next = NULL, *nerr = NULL;
        if (http_json_next_page(sc, cur, &resp, doc, n, n, &next, &nerr) < 0) {
            check_err(preset, nerr, body, len);
        } else if (next) {
            char *h = http_url_host(next);
            if (!h || strcmp(h, "127.0.0.1:9") || !strcmp(next, cur))
                fail(preset, "a next page on another host, or the same page", next);
            for (const unsigned char *p = (const unsigned char *)next; *p; p++)
                if (*p <= ' ' || *p == 0x7f)
                    fail(preset, "a next page URL with a space or control byte", NULL);
            free(h);
        }
        free(next);
        free(nerr);
    }
    if (a) {
        aggregate_row(a, rows);
        aggregate_end(a);
    }
    if (n >= 0) {
        FetchCtx ctx;
        SourceState st;
        context(&ctx, &st, sc);
        if (fetch_commit(&ctx, &rows, 1, a ? CACHE_MERGE : CACHE_REPLACE) != 0)
            fail(preset, "the cache refused the rows", ctx.err);
        int stored = check_cache(preset, sc->id, rows->ds);
        if (show)
            fprintf(stderr, "%s: %d items, %d rows in %s\n", preset, n, stored, rows->ds->name);
        if (a ? stored != 1 : stored > rows->nrows)
            fail(preset, "the cache holds more rows than were mapped", NULL);
        free(ctx.err);
        cache_state_clear(&st);
    }
    cJSON_Delete(doc);
    free(err);
    rows_free(rows);
    free(copy);
}

/* What the command kind's map_output does with the output (src/sources/
 * command.c): parse, outputs_apply, one commit of every set. */
static int map_output(const SourceConfig *sc, const Outputs *o, FetchCtx *ctx, const char *body, size_t len)
{
    cJSON *doc = http_parse_json(body, len, "'cat'", &ctx->err);
    if (!doc)
        return -1;
    Rows **sets = NULL;
    int *modes = NULL, n = 0;
    char *oerr = NULL;
    int rc = outputs_apply(o, doc, fz.cfg->prices, ctx->now_ms, &sets, &modes, &n, &oerr);
    if (rc < 0)
        set_err(&ctx->err, "output of 'cat': %s", oerr);
    else
        rc = fetch_commit_modes(ctx, sets, modes, n, CACHE_REPLACE);
    for (int i = 0; i < n; i++)
        rows_free(sets[i]);
    free(sets), free(modes), free(oerr);
    cJSON_Delete(doc);
    return rc;
}

/* The command presets: one real fetch of `cat FILE` for an input whose size
 * is a multiple of 16 (a process per input is 15 times slower), else the
 * same outputs: mapping called directly. */
static void command_fetch(const char *preset, const SourceConfig *sc, void *rt, const Outputs *o,
                          const char *body, size_t len)
{
    FetchCtx ctx;
    SourceState st;
    context(&ctx, &st, sc);
    int rc;
    if (len % 16 == 0) {
        fz_write(body_file, body, len);
        rc = sc->cls->fetch(rt, &ctx);
    } else {
        char *copy = xcalloc(1, len + 1);       /* stdout is read NUL-terminated */
        memcpy(copy, body, len);
        rc = map_output(sc, o, &ctx, copy, len);
        free(copy);
    }
    if (rc != 0) {
        check_err(preset, ctx.err, body, len);
        if (show)
            fprintf(stderr, "%s: %s\n", preset, ctx.err);
    } else {
        size_t objects = count_byte(body, len, '{'), arrays = count_byte(body, len, '[');
        for (int d = 0; d < DS__COUNT; d++) {
            const Dataset *ds = dataset_get((DatasetId)d);
            int stored = dataset_mc_owned(ds) ? 0 : check_cache(preset, sc->id, ds);
            if ((size_t)stored > objects + arrays)
                fail(preset, "more rows than the output holds items in", ds->name);
            if (show && stored)
                fprintf(stderr, "%s: %d rows in %s\n", preset, stored, ds->name);
        }
    }
    free(ctx.err);
    cache_state_clear(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz.cfg)
        setup();
    if (size == 0)
        return 0;
    const char *in = (const char *)data;
    int np = preset_count(), pick = data[0] % np;
    size_t skip = 1;
    const char *nl = memchr(in, '\n', size < 40 ? size : 40);
    for (int i = 0; nl && i < np; i++)
        if ((size_t)(nl - in) == strlen(preset_at(i)->name) && !memcmp(in, preset_at(i)->name, nl - in)) {
            pick = i;
            skip = (size_t)(nl - in) + 1;
        }
    const char *name = preset_at(pick)->name;
    const SourceConfig *sc = source_for(name);
    if (sqlite3_exec(cache_db(fz.cache), fz.wipe, NULL, NULL, NULL) != SQLITE_OK)
        abort();
    if (!strcmp(sc->cls->kind, "http_json"))
        http_page(name, sc, in + skip, size - skip);
    else if (pick < (int)MC_ARRAY_LEN(outs))
        command_fetch(name, sc, rts[pick], outs[pick], in + skip, size - skip);
    return 0;
}

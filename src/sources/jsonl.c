/* jsonl.c — the `jsonl` source kind: an append-only JSON-lines file of agent
 * handoffs (mc.1 "FILE FORMATS", Agent handoffs).
 *
 * fetch reads only the bytes appended since last time. The cursor lives in
 * the source's state row: file_offset (end of the last whole line read),
 * file_inode, file_size, bad_lines, and `cursor` = {"line":N,"tail":H,
 * "bad_line":B,"why":"...","skipping":1} (N = lines read so far so line numbers
 * stay right across incremental reads, H = hash of the bytes just before the
 * offset, skipping = the offset is inside an over-long line whose bytes are
 * being dropped: a fetch whose deadline ran out there saves how far it got,
 * and the next one goes on from that byte instead of from the line's start).
 * A new inode, a file shorter than the offset or a changed tail means the file
 * was rotated or rewritten: the source's rows are dropped and the file is read
 * again from byte 0 in the same transaction as the first new batch.
 * A half-written last line waits for its newline. A bad line (invalid JSON,
 * not an object, too long, NUL byte) is counted and skipped, never fatal: the
 * last one's number and reason stay in the cursor and go to the log.
 *
 * Every line becomes an `activity` row. A line is a `blockers` row for the
 * owner (for_owner=1) when `to` names the owner (case-insensitive; a string or
 * a list) and it has action_needed: true or type "blocker"; any other line of
 * type "blocker" is a blocker that needs someone else (for_owner=0: shown,
 * counted apart). action_needed for another agent is that agent's work: an
 * activity row only. `resolution` lines resolve blockers. Rows are written in
 * batches of JSONL_BATCH lines per transaction (CACHE_MERGE).
 *
 * resolve (appending a resolution line) is in jsonl_resolve.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../log.h"
#include "../net/http.h"
#include "../source.h"
#include "../util.h"
#include "fileutil.h"
#include "jsonl.h"

#define JSONL_BATCH 10000             /* lines per transaction */
#define JSONL_READ (4 << 20)          /* bytes per read() besides one max line */
#define JSONL_TAIL 32                 /* bytes hashed before the offset */
#define JSONL_MAX_ID 256              /* longer ids are replaced by a hash */

/* A resolution line seen in the current batch, applied after its rows. */
typedef struct Resolution {
    char *ref, *by, *at, *note;
} Resolution;

/* Working state of one fetch. */
typedef struct JsonlRun {
    FetchCtx *ctx;
    const JsonlCfg *k;
    const char *owner;
    int fd;
    Rows *act, *blk;
    Resolution *res;
    int nres, capres;
    Buf tmp;                          /* scratch for details, reused per line */
    sqlite3_stmt *seen;               /* blocker already resolved/resolving? */
    int64_t line_no;                  /* complete lines consumed */
    int64_t bad_lines, bad_line;
    char why[160];
    int restart;                      /* forget the source's rows at the next commit */
    int skipping;                     /* the saved offset is inside an over-long line */
    int pending;                      /* lines since the last commit */
    int64_t ino, size;
    /* field indexes */
    int a_key, a_ts, a_type, a_agent, a_status, a_details;
    int b_key, b_from, b_desc, b_ctx, b_created, b_resolved, b_state, b_for_owner;
} JsonlRun;

static const char *const jsonl_keys[] = {"path", "max_line", NULL};

static void jsonl_free_config(void *p)
{
    JsonlCfg *k = p;
    if (k) {
        free(k->path);
        free(k);
    }
}

static int jsonl_configure(SourceConfig *sc, const YNode *map, char **err)
{
    if (source_check_keys(map, jsonl_keys, err))
        return -1;
    JsonlCfg *k = xcalloc(1, sizeof *k);
    k->max_line = 1 << 20;
    if (fu_ynode_req_path(map, "path", &k->path, err) ||
        fu_ynode_size(map, "max_line", 64, (int64_t)64 << 20, &k->max_line, err)) {
        jsonl_free_config(k);
        return -1;
    }
    sc->kcfg = k;
    return 0;
}

static char *jsonl_watch_path(const SourceConfig *sc)
{
    const JsonlCfg *k = sc->kcfg;
    return k ? xstrdup(k->path) : NULL;
}

/* ---- cursor ---------------------------------------------------------- */

/* Hash of the JSONL_TAIL bytes before off, as hex ("" at offset 0). */
static int tail_hash(int fd, int64_t off, char *out)
{
    char b[JSONL_TAIL];
    size_t n = off < JSONL_TAIL ? (size_t)off : JSONL_TAIL;
    out[0] = '\0';
    if (!n)
        return 0;
    if (pread(fd, b, n, off - (int64_t)n) != (ssize_t)n)
        return -1;
    fu_hex64(hash64(b, n), out);
    return 0;
}

static void cursor_load(JsonlRun *r, char *tail, size_t tailsz)
{
    const SourceState *st = r->ctx->state;
    cJSON *j = st->cursor ? cJSON_Parse(st->cursor) : NULL;
    const cJSON *v;
    tail[0] = '\0';
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "line")) && cJSON_IsNumber(v))
        r->line_no = (int64_t)v->valuedouble;
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "bad_line")) && cJSON_IsNumber(v))
        r->bad_line = (int64_t)v->valuedouble;
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "why")) && cJSON_IsString(v))
        snprintf(r->why, sizeof r->why, "%s", v->valuestring);
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "skipping")) && cJSON_IsNumber(v))
        r->skipping = v->valueint != 0;
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "tail")) && cJSON_IsString(v))
        snprintf(tail, tailsz, "%s", v->valuestring);
    cJSON_Delete(j);
    r->bad_lines = st->bad_lines;
}

static char *cursor_json(const JsonlRun *r, const char *tail)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "line", (double)r->line_no);
    cJSON_AddStringToObject(j, "tail", tail);
    if (r->bad_line) {
        cJSON_AddNumberToObject(j, "bad_line", (double)r->bad_line);
        cJSON_AddStringToObject(j, "why", r->why);
    }
    if (r->skipping)
        cJSON_AddNumberToObject(j, "skipping", 1);
    char *p = cJSON_PrintUnformatted(j);
    char *s = xstrdup(p);
    cJSON_free(p);
    cJSON_Delete(j);
    return s;
}

/* ---- one batch -------------------------------------------------------- */

static void res_clear(JsonlRun *r)
{
    for (int i = 0; i < r->nres; i++) {
        free(r->res[i].ref);
        free(r->res[i].by);
        free(r->res[i].at);
        free(r->res[i].note);
    }
    r->nres = 0;
}

/* Commits the batch: rows, then resolutions (after the blockers they refer
 * to), then the cursor at off_done. On failure nothing changes in the state. */
static int jsonl_commit(JsonlRun *r, int64_t off_done)
{
    FetchCtx *ctx = r->ctx;
    const char *id = ctx->src->id;
    SourceState *st = ctx->state;
    SourceState old = *st;
    char tail[24];
    char *err = NULL;

    if (tail_hash(r->fd, off_done, tail)) {
        set_err(&ctx->err, "%s: read failed: %s", r->k->path, strerror(errno));
        return -1;
    }
    if (cache_begin(ctx->cache, &err))
        goto fail;
    if (r->restart && cache_forget_source(ctx->cache, id, NULL, &err))
        goto rollback;
    if (r->act->nrows && cache_put_rows(ctx->cache, id, r->act, CACHE_MERGE, &err))
        goto rollback;
    if (r->blk->nrows && cache_put_rows(ctx->cache, id, r->blk, CACHE_MERGE, &err))
        goto rollback;
    for (int i = 0; i < r->nres; i++) {
        const Resolution *x = &r->res[i];
        if (cache_blocker_set_resolved(ctx->cache, id, x->ref, 1, x->by, x->at, x->note, &err))
            goto rollback;
    }
    st->file_offset = off_done;
    st->file_inode = r->ino;
    st->file_size = r->size;
    st->bad_lines = r->bad_lines;
    st->cursor = cursor_json(r, tail);
    if (cache_cursor_put(ctx->cache, id, st, &err) || cache_commit(ctx->cache, &err)) {
        free(st->cursor);
        *st = old;
        goto rollback;
    }
    free(old.cursor);
    ctx->rows += r->act->nrows + r->blk->nrows;
    rows_clear(r->act);
    rows_clear(r->blk);
    res_clear(r);
    r->restart = 0;
    r->pending = 0;
    return 0;
rollback:
    cache_rollback(ctx->cache);
fail:
    set_err(&ctx->err, "%s: cache write failed: %s", r->k->path, err ? err : "?");
    free(err);
    return -1;
}

/* ---- one line --------------------------------------------------------- */

static void bad(JsonlRun *r, int64_t lineno, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bad(JsonlRun *r, int64_t lineno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    r->bad_lines++;
    r->bad_line = lineno;
}

/* The members of one handoff line that mc reads, found in one pass over the
 * object (the first of each name wins, as with cJSON_GetObjectItem). */
typedef struct Handoff {
    const cJSON *id, *ts, *from, *to, *type, *summary, *details, *status, *action, *ref, *by, *note;
} Handoff;

static void handoff_members(const cJSON *o, Handoff *h)
{
    memset(h, 0, sizeof *h);
    for (const cJSON *c = o->child; c; c = c->next) {
        const char *k = c->string;
        const cJSON **slot = NULL;
        switch (k ? k[0] : 0) {
        case 'a': slot = strcmp(k, "action_needed") == 0 ? &h->action : NULL; break;
        case 'b': slot = strcmp(k, "by") == 0 ? &h->by : NULL; break;
        case 'd': slot = strcmp(k, "details") == 0 ? &h->details : NULL; break;
        case 'f': slot = strcmp(k, "from") == 0 ? &h->from : NULL; break;
        case 'i': slot = strcmp(k, "id") == 0 ? &h->id : NULL; break;
        case 'n': slot = strcmp(k, "note") == 0 ? &h->note : NULL; break;
        case 'r': slot = strcmp(k, "ref") == 0 ? &h->ref : NULL; break;
        case 's':
            slot = strcmp(k, "summary") == 0 ? &h->summary : strcmp(k, "status") == 0 ? &h->status : NULL;
            break;
        case 't':
            slot = strcmp(k, "ts") == 0 ? &h->ts : strcmp(k, "to") == 0 ? &h->to
                 : strcmp(k, "type") == 0 ? &h->type : NULL;
            break;
        }
        if (slot && !*slot)
            *slot = c;
    }
}

static const char *str_of(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Is `to` (a string or an array of strings) the owner? */
static int addressed_to(const cJSON *to, const char *owner)
{
    if (cJSON_IsString(to))
        return strcasecmp(to->valuestring, owner) == 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, to)
        if (cJSON_IsString(e) && strcasecmp(e->valuestring, owner) == 0)
            return 1;
    return 0;
}

/* details as text into r->tmp: a string as it is, anything else as JSON. */
static void details_text(JsonlRun *r, const cJSON *d)
{
    if (cJSON_IsString(d))
        buf_puts(&r->tmp, d->valuestring);
    else
        fu_json_print(&r->tmp, d);
}

/* "summary — details" (either may be missing) in r->tmp; NULL when neither. */
static const char *compose_details(JsonlRun *r, const Handoff *h)
{
    const char *summary = str_of(h->summary);
    int has_d = h->details && !cJSON_IsNull(h->details);
    r->tmp.len = 0;
    if (summary)
        buf_puts(&r->tmp, summary);
    if (has_d) {
        if (summary)
            buf_puts(&r->tmp, " \xE2\x80\x94 ");
        details_text(r, h->details);
    }
    return r->tmp.len ? r->tmp.s : NULL;
}

/* 1 when a blocker of this source is already resolved or being resolved, so
 * a duplicated line does not reopen it. */
static int blocker_settled(JsonlRun *r, const char *key)
{
    if (r->restart)
        return 0;                                 /* the old rows are about to go */
    if (!r->seen && sqlite3_prepare_v2(cache_db(r->ctx->cache),
            "SELECT 1 FROM blockers WHERE source = ?1 AND key = ?2 "
            "AND (resolved = 1 OR state IN ('resolving', 'resolved'))", -1, &r->seen, NULL) != SQLITE_OK)
        return 0;
    sqlite3_reset(r->seen);
    sqlite3_bind_text(r->seen, 1, r->ctx->src->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(r->seen, 2, key, -1, SQLITE_STATIC);
    int found = sqlite3_step(r->seen) == SQLITE_ROW;
    sqlite3_reset(r->seen);                       /* no read left open across BEGIN */
    return found;
}

static void add_resolution(JsonlRun *r, const Handoff *h, const char *ref, const char *at)
{
    if (r->nres == r->capres) {
        r->capres = r->capres ? r->capres * 2 : 16;
        r->res = xrealloc(r->res, (size_t)r->capres * sizeof *r->res);
    }
    Resolution *x = &r->res[r->nres++];
    const char *by = str_of(h->by);
    x->ref = xstrdup(ref);
    x->by = xstrdup(by ? by : str_of(h->from));
    x->note = xstrdup(str_of(h->note));
    x->at = xstrdup(at);
}

/* Text of an id-like member (string or number) into buf; NULL when unusable. */
static const char *id_text(const cJSON *v, char *buf, size_t bufsz)
{
    if (cJSON_IsString(v) && v->valuestring[0] && strlen(v->valuestring) <= JSONL_MAX_ID)
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(buf, bufsz, "%.17g", v->valuedouble);
        return buf;
    }
    return NULL;
}

static void add_blocker(JsonlRun *r, const Handoff *h, const char *key, const char *ts, int for_owner)
{
    int row = rows_add(r->blk);
    rows_set_text(r->blk, row, r->b_key, key);
    rows_set_text(r->blk, row, r->b_from, str_of(h->from));
    rows_set_text(r->blk, row, r->b_desc, str_of(h->summary));
    if (h->details && !cJSON_IsNull(h->details)) {
        r->tmp.len = 0;
        details_text(r, h->details);
        rows_set_textn(r->blk, row, r->b_ctx, r->tmp.s, r->tmp.len);
    }
    rows_set_text(r->blk, row, r->b_created, ts);
    rows_set_int(r->blk, row, r->b_resolved, 0);
    rows_set_text(r->blk, row, r->b_state, "open");
    rows_set_int(r->blk, row, r->b_for_owner, for_owner);
}

/* Turns one parsed object into rows. */
static void emit(JsonlRun *r, const cJSON *o, const char *line, size_t len)
{
    char keybuf[40], refbuf[40], ts[32];
    Handoff h;
    handoff_members(o, &h);
    const char *key = id_text(h.id, keybuf, sizeof keybuf);
    if (!key) {
        fu_hex64(hash64(line, len), keybuf);
        key = keybuf;
    }
    int has_ts = fu_json_iso(h.ts, ts) == 0;
    const char *type = str_of(h.type), *from = str_of(h.from), *status = str_of(h.status);

    int row = rows_add(r->act);
    rows_set_text(r->act, row, r->a_key, key);
    rows_set_text(r->act, row, r->a_ts, has_ts ? ts : NULL);
    rows_set_text(r->act, row, r->a_type, type);
    rows_set_text(r->act, row, r->a_agent, from ? from : str_of(h.by));
    rows_set_text(r->act, row, r->a_status, status ? status : type);
    rows_set_text(r->act, row, r->a_details, compose_details(r, &h));

    /* for the owner: addressed to them and asking; someone else's blocker: shown apart */
    int is_blocker_type = type && strcmp(type, "blocker") == 0;
    int for_owner = (cJSON_IsTrue(h.action) || is_blocker_type) && addressed_to(h.to, r->owner);
    if ((for_owner || is_blocker_type) && !blocker_settled(r, key))
        add_blocker(r, &h, key, has_ts ? ts : NULL, for_owner);
    if (type && strcmp(type, "resolution") == 0) {
        const char *ref = id_text(h.ref, refbuf, sizeof refbuf);
        if (ref)
            add_resolution(r, &h, ref, has_ts ? ts : NULL);
    }
}

/* One complete line without its '\n' (line[len] is writable: the newline). */
static void process_line(JsonlRun *r, char *line, size_t len, int64_t lineno)
{
    if (len && line[len - 1] == '\r')
        len--;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    if (i == len)
        return;                                   /* blank lines are fine */
    if ((int64_t)len > r->k->max_line) {
        bad(r, lineno, "line longer than %lld bytes", (long long)r->k->max_line);
        return;
    }
    if (memchr(line, '\0', len)) {
        bad(r, lineno, "NUL byte in line");
        return;
    }
    char saved = line[len];
    line[len] = '\0';
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithOpts(line, &end, 1);
    line[len] = saved;
    if (!o) {
        bad(r, lineno, "invalid JSON at column %lld",
            (long long)((end && end >= line ? end - line : 0) + 1));
        return;
    }
    if (!cJSON_IsObject(o))
        bad(r, lineno, "not a JSON object");
    else
        emit(r, o, line, len);
    cJSON_Delete(o);
}

/* ---- the read loop ---------------------------------------------------- */

static int time_up(const FetchCtx *ctx)
{
    return (ctx->cancel && *ctx->cancel) || (ctx->deadline_ms && mono_ms() > ctx->deadline_ms);
}

/* A deadline or cancel while dropping an over-long line: commits the lines
 * before it and the offset `at` inside it (cursor "skipping"), so the next
 * fetch goes on from there. Returns -1 with ctx->err (0 never: the fetch did
 * not reach the end). */
static int skip_stopped(JsonlRun *r, int64_t at, int64_t start)
{
    FetchCtx *ctx = r->ctx;
    int cancelled = ctx->cancel && *ctx->cancel;
    char secs[32];
    r->skipping = 1;
    if (jsonl_commit(r, at))
        return -1;
    http_format_secs(mono_ms() - start, secs, sizeof secs);
    if (cancelled)
        set_err(&ctx->err, "%s: cancelled skipping an over-long line at byte %lld", r->k->path,
                (long long)at);
    else
        set_err(&ctx->err, "%s: timed out after %s skipping an over-long line at byte %lld"
                " (the next fetch goes on from there)", r->k->path, secs, (long long)at);
    return -1;
}

/* Reads whole lines from r->fd at `off` to the end, committing every batch.
 * Returns 0 or -1 with ctx->err. */
static int read_lines(JsonlRun *r, int64_t off)
{
    FetchCtx *ctx = r->ctx;
    size_t cap = (size_t)r->k->max_line + JSONL_READ + 1;
    char *buf = xmalloc(cap);
    size_t have = 0;                              /* bytes in buf */
    int64_t base = off;                           /* file offset of buf[0] */
    int64_t done = off;                           /* end of the last whole line */
    int skipping = r->skipping;                   /* inside a line too long to keep */
    int64_t start = mono_ms();
    int rc = 0;

    if (lseek(r->fd, off, SEEK_SET) < 0) {
        set_err(&ctx->err, "%s: seek failed: %s", r->k->path, strerror(errno));
        free(buf);
        return -1;
    }
    for (;;) {
        if (skipping && time_up(ctx)) {           /* keep the bytes dropped so far */
            rc = skip_stopped(r, base, start);
            goto out;
        }
        ssize_t n = read(r->fd, buf + have, cap - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            set_err(&ctx->err, "%s: read failed: %s", r->k->path, strerror(errno));
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        have += (size_t)n;
        size_t pos = 0;
        char *nl;
        while ((nl = memchr(buf + pos, '\n', have - pos))) {
            size_t len = (size_t)(nl - (buf + pos));
            r->line_no++;
            if (skipping) {
                bad(r, r->line_no, "line longer than %lld bytes", (long long)r->k->max_line);
                skipping = 0;
            } else {
                process_line(r, buf + pos, len, r->line_no);
            }
            pos += len + 1;
            done = base + (int64_t)pos;
            r->skipping = 0;                      /* `done` is a line's end */
            if (++r->pending >= JSONL_BATCH) {
                if (jsonl_commit(r, done)) {
                    rc = -1;
                    goto out;
                }
                if (time_up(ctx))
                    goto out;                     /* progress is kept; the rest next time */
            }
        }
        if (skipping || have - pos > (size_t)r->k->max_line) {
            skipping = 1;                         /* drop the overlong line's bytes */
            base += (int64_t)have;
            have = 0;
        } else {
            memmove(buf, buf + pos, have - pos);
            base += (int64_t)pos;
            have -= pos;
        }
    }
    if (r->pending || done != ctx->state->file_offset || r->restart ||
        r->ino != ctx->state->file_inode || r->size != ctx->state->file_size)
        rc = jsonl_commit(r, done);
out:
    free(buf);
    return rc;
}

static void run_init(JsonlRun *r, FetchCtx *ctx)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->k = ctx->src->kcfg;
    r->fd = -1;
    r->owner = ctx->config && ctx->config->owner ? ctx->config->owner : "apple";
    r->act = rows_new(dataset_get(DS_ACTIVITY));
    r->blk = rows_new(dataset_get(DS_BLOCKERS));
    const Dataset *a = r->act->ds, *b = r->blk->ds;
    r->a_key = dataset_field(a, "key");
    r->a_ts = dataset_field(a, "ts");
    r->a_type = dataset_field(a, "event_type");
    r->a_agent = dataset_field(a, "agent");
    r->a_status = dataset_field(a, "status");
    r->a_details = dataset_field(a, "details");
    r->b_key = dataset_field(b, "key");
    r->b_from = dataset_field(b, "from_agent");
    r->b_desc = dataset_field(b, "description");
    r->b_ctx = dataset_field(b, "context");
    r->b_created = dataset_field(b, "created_at");
    r->b_resolved = dataset_field(b, "resolved");
    r->b_state = dataset_field(b, "state");
    r->b_for_owner = dataset_field(b, "for_owner");
}

static void run_free(JsonlRun *r)
{
    if (r->fd >= 0)
        close(r->fd);
    rows_free(r->act);
    rows_free(r->blk);
    res_clear(r);
    free(r->res);
    buf_free(&r->tmp);
    sqlite3_finalize(r->seen);
}

static int jsonl_fetch(void *self, FetchCtx *ctx)
{
    JsonlRun r;
    struct stat st;
    char tail[24], now_tail[24];
    run_init(&r, ctx);
    SourceState *s = ctx->state;
    int rc = -1;

    /* O_NONBLOCK: a FIFO with no writer must not hang the worker */
    r.fd = open(r.k->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (r.fd < 0 || fstat(r.fd, &st) != 0) {
        set_err(&ctx->err, "%s: cannot open: %s", r.k->path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(&ctx->err, "%s: not a regular file", r.k->path);
        goto out;
    }
    fcntl(r.fd, F_SETFL, fcntl(r.fd, F_GETFL) & ~O_NONBLOCK);
    r.ino = (int64_t)st.st_ino;
    r.size = (int64_t)st.st_size;
    cursor_load(&r, tail, sizeof tail);
    int64_t off = s->file_offset;
    if (off < 0 || (s->file_inode && s->file_inode != r.ino) || r.size < off ||
        tail_hash(r.fd, off, now_tail) != 0 || strcmp(tail, now_tail) != 0) {
        r.restart = off != 0 || s->file_inode != 0;   /* rotated, truncated or rewritten */
        off = 0;
        r.line_no = r.bad_lines = r.bad_line = 0;
        r.skipping = 0;
        r.why[0] = '\0';
    }
    if (!r.restart && off == r.size && s->file_inode == r.ino) {
        ctx->not_modified = 1;
        rc = 0;
        goto out;
    }
    int64_t bad_before = r.bad_lines;
    rc = read_lines(&r, off);
    if (r.bad_lines > bad_before)                 /* skipped, not failed: a warning */
        log_warn("%s: %s:%lld: %s (%lld bad line%s skipped in this read)", ctx->src->id, r.k->path,
                 (long long)r.bad_line, r.why, (long long)(r.bad_lines - bad_before),
                 r.bad_lines - bad_before == 1 ? "" : "s");
out:
    run_free(&r);
    return rc;
}

const SourceClass src_jsonl_class = {
    .kind = "jsonl",
    .summary = "an append-only JSON-lines file (agent handoffs): reads only new bytes",
    .datasets = DS_BIT(DS_ACTIVITY) | DS_BIT(DS_BLOCKERS),
    .configure = jsonl_configure,
    .free_config = jsonl_free_config,
    .fetch = jsonl_fetch,
    .resolve = src_jsonl_resolve,
    .watch_path = jsonl_watch_path,
};

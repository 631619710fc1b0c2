/* outbox.c — the durable write-back queue (see outbox.h): enqueue in one
 * transaction, deliver with claims, retries and backoff, record every result
 * in the audit dataset. Delivery calls the source kind's resolve().
 *
 * Enqueue copies the blocker row's read_as (what the source read when the
 * user saw the item) into the outbox row, and delivery hands it to resolve:
 * delivery runs with a fresh runtime, possibly in another process, so this
 * is the only way the source can check it is changing what the user saw. */
#include "outbox.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "auth_blocker.h"
#include "log.h"
#include "net/scrub.h"
#include "source.h"
#include "util.h"
#include "alerts/notify.h"

#define OUTBOX_BACKOFF_MAX_MS (5 * 60 * 1000)

/* Test hook: MC_FAULT=<name> kills the process with SIGKILL at that point, so
 * tests can prove a crash there loses nothing ("after_outbox_commit": the row
 * is committed, nothing delivered; "after_delivery": the source has it, the
 * outbox does not know yet). */
static void fault_point(const char *name)
{
    const char *f = getenv("MC_FAULT");
    if (f && strcmp(f, name) == 0)
        raise(SIGKILL);
}

int audit_record(Cache *c, const char *user, const char *action, const char *source,
                 const char *key, const char *note, const char *result, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(c),
                           "INSERT INTO audit (source, key, ts, user, action, target, note, result,"
                           " updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "audit: %s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    static unsigned seq;
    int64_t now = now_ms();
    char ts[40], akey[64], target[600];
    time_format_iso(now, ts, sizeof ts);
    snprintf(akey, sizeof akey, "%lld-%d-%u", (long long)now, (int)getpid(),
             __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
    snprintf(target, sizeof target, "%s:%s", source ? source : "", key ? key : "");
    sqlite3_bind_text(st, 1, "mc", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, akey, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, ts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, user ? user : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, target, -1, SQLITE_TRANSIENT);
    if (note && *note)
        sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, result ? result : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(err, "audit: %s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    return 0;
}

int64_t outbox_enqueue(Cache *c, const Config *cfg, const char *source, const char *key,
                       const char *action, const char *note, const char *by, char **err)
{
    const SourceConfig *sc = config_source(cfg, source);
    if (!sc) {
        set_err(err, "no source '%s' in %s", source, cfg->path);
        return -1;
    }
    if (!auth_blocker_is(c, source, key) && !source_supports(sc, action)) {
        if (!sc->cls->resolve || !source_supports(sc, "resolve"))
            set_err(err, "source '%s' (%s) has no write-back configured", source, sc->cls->kind);
        else
            set_err(err, "source '%s' (%s) cannot %s", source, sc->cls->kind, action);
        return -1;
    }
    if (cache_begin(c, err) != 0)
        return -1;
    sqlite3 *db = cache_db(c);
    sqlite3_stmt *st;
    int64_t now = now_ms();
    char ts[40], idem[96];
    time_format_iso(now, ts, sizeof ts);
    snprintf(idem, sizeof idem, "mc-%llx-%x-%llx", (long long)now, (unsigned)getpid(),
             (unsigned long long)(hash64(key, strlen(key)) ^ hash64(source, strlen(source))));
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO outbox (source, key, action, note, by_user,"
                           " idempotency_key, created_at, state, next_attempt_ms, read_as)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6 || '-' || (SELECT coalesce(max(id), 0) + 1"
                           " FROM outbox), ?7, 'pending', 0, (SELECT read_as FROM blockers"
                           " WHERE source = ?1 AND key = ?2))",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, note ? note : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, idem, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, ts, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        goto fail;
    int64_t id = sqlite3_last_insert_rowid(db);
    int resolve = strcmp(action, "resolve") == 0;
    if (cache_blocker_set_state(c, source, key, resolve ? "resolving" : "open", err) != 0)
        goto fail_quiet;
    if (audit_record(c, by, action, source, key, note, "queued", err) != 0)
        goto fail_quiet;
    if (cache_commit(c, err) != 0)
        return -1;
    fault_point("after_outbox_commit");
    return id;
fail:
    set_err(err, "outbox: %s", sqlite3_errmsg(db));
fail_quiet:
    cache_rollback(c);
    return -1;
}

typedef struct Job {
    int64_t id;
    char *source, *key, *action, *note, *by, *idem;
    char *read_as;                /* what the user saw (NULL: unknown) */
    int attempts;
} Job;

static void job_free(Job *j)
{
    free(j->source);
    free(j->key);
    free(j->action);
    free(j->note);
    free(j->by);
    free(j->idem);
    free(j->read_as);
}

/* Frees the claims of processes on this host that died mid-delivery (kill -9),
 * so their rows are delivered now instead of when the claim times out. */
static void free_dead_claims(Cache *c, const char *host)
{
    sqlite3 *db = cache_db(c);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT id, lease_owner FROM outbox WHERE state = 'pending'"
                               " AND lease_owner IS NOT NULL AND lease_until > ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, now_ms());
    int64_t dead[64];
    int n = 0;
    size_t hl = strlen(host);
    while (sqlite3_step(st) == SQLITE_ROW && n < 64) {
        const char *owner = (const char *)sqlite3_column_text(st, 1);
        long pid;
        if (owner && strncmp(owner, host, hl) == 0 && owner[hl] == ':' &&
            parse_long(owner + hl + 1, 1, 1L << 30, &pid) == 0 && kill((pid_t)pid, 0) != 0 &&
            errno == ESRCH)
            dead[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE outbox SET lease_owner = NULL, lease_until = 0 WHERE id = %lld",
                 (long long)dead[i]);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
}

/* Claims the oldest due pending row for this process. 1 claimed, 0 none. */
static int claim(Cache *c, const char *owner, int64_t now, Job *j)
{
    sqlite3 *db = cache_db(c);
    sqlite3_stmt *st;
    int got = 0;
    if (sqlite3_prepare_v2(db,
                           "UPDATE outbox SET lease_owner = ?1, lease_until = ?2 + 60000"
                           " WHERE id = (SELECT id FROM outbox WHERE state = 'pending'"
                           " AND next_attempt_ms <= ?2 AND (lease_until IS NULL OR lease_until <= ?2)"
                           " ORDER BY id LIMIT 1)"
                           " RETURNING id, source, key, action, note, by_user, idempotency_key,"
                           " attempts, read_as",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    if (sqlite3_step(st) == SQLITE_ROW) {
        j->id = sqlite3_column_int64(st, 0);
        j->source = xstrdup((const char *)sqlite3_column_text(st, 1));
        j->key = xstrdup((const char *)sqlite3_column_text(st, 2));
        j->action = xstrdup((const char *)sqlite3_column_text(st, 3));
        j->note = xstrdup((const char *)sqlite3_column_text(st, 4));
        j->by = xstrdup((const char *)sqlite3_column_text(st, 5));
        j->idem = xstrdup((const char *)sqlite3_column_text(st, 6));
        j->attempts = sqlite3_column_int(st, 7);
        if (sqlite3_column_type(st, 8) != SQLITE_NULL)
            j->read_as = xstrdup((const char *)sqlite3_column_text(st, 8));
        got = 1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (got && rc != SQLITE_DONE) {
        /* RETURNING hands the row over before the UPDATE is done: a claim
         * that could not be written (disk full, read-only) is no claim, or
         * the caller would deliver the same row again and again (issue 13,
         * it_drill_disk: 100,000 POSTs of one resolve on a full disk) */
        log_warn("outbox: cannot claim #%lld: %s", (long long)j->id, sqlite3_errmsg(db));
        job_free(j);
        memset(j, 0, sizeof *j);
        got = 0;
    }
    sqlite3_finalize(st);
    return got;
}

/* Writes the result of one attempt: row state, blocker state, audit.
 * 0, or -1 when it could not be committed (the row stays pending). */
static int settle(Cache *c, const Job *j, ResolveResult rr, const ResolveOut *out, int64_t now)
{
    sqlite3 *db = cache_db(c);
    int resolve = strcmp(j->action, "resolve") == 0;
    const char *state = rr == RESOLVE_OK ? "delivered" : rr == RESOLVE_RETRY ? "pending" : "failed";
    int64_t delay = 1000;
    for (int i = 0; i < j->attempts && delay < OUTBOX_BACKOFF_MAX_MS; i++)
        delay *= 2;
    if (delay > OUTBOX_BACKOFF_MAX_MS)
        delay = OUTBOX_BACKOFF_MAX_MS;
    if (out->retry_after_ms > delay)
        delay = out->retry_after_ms;
    char ts[40];
    time_format_iso(now, ts, sizeof ts);
    if (cache_begin(c, NULL) != 0)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,"
                           " http_status = ?4, next_attempt_ms = ?5, lease_owner = NULL,"
                           " lease_until = 0, delivered_at = CASE WHEN ?2 = 'delivered' THEN ?6 END"
                           " WHERE id = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, j->id);
        sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
        if (out->message)
            sqlite3_bind_text(st, 3, out->message, -1, SQLITE_STATIC);
        if (out->http_status)
            sqlite3_bind_int(st, 4, out->http_status);
        sqlite3_bind_int64(st, 5, now + delay);
        sqlite3_bind_text(st, 6, ts, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (strcmp(j->action, NOTIFY_ACTION) == 0)
        ;                             /* a notification: no blocker to update */
    else if (rr == RESOLVE_OK)
        cache_blocker_set_resolved(c, j->source, j->key, resolve, j->by, ts,
                                   *j->note ? j->note : NULL, NULL);
    else if (rr != RESOLVE_RETRY && resolve)
        cache_blocker_set_state(c, j->source, j->key, "failed", NULL);
    if (rr != RESOLVE_RETRY || j->attempts == 0) {
        char *result = rr == RESOLVE_OK      ? xstrdup("delivered")
                       : rr == RESOLVE_RETRY ? xasprintf("retrying: %s", out->message ? out->message : "")
                                             : xasprintf("failed: %s", out->message ? out->message : "");
        audit_record(c, j->by, j->action, j->source, j->key, NULL, result, NULL);
        free(result);
    }
    char *err = NULL;
    int rc = cache_commit(c, &err);
    if (rc != 0)
        log_warn("outbox #%lld: result not recorded (%s); it stays pending", (long long)j->id, err);
    free(err);
    return rc;
}

int64_t outbox_deliver_due(Cache *c, const Config *cfg, atomic_int *cancel)
{
    char owner[96], host[64] = "host";
    gethostname(host, sizeof host - 1);
    snprintf(owner, sizeof owner, "%s:%d", host, (int)getpid());
    free_dead_claims(c, host);
    for (int guard = 0; guard < 100000 && !(cancel && *cancel); guard++) {
        int64_t now = now_ms();
        Job j = {0};
        if (!claim(c, owner, now, &j))
            break;
        ResolveOut out = {0};
        ResolveResult rr;
        const SourceConfig *sc = config_source(cfg, j.source);
        if (sc && auth_blocker_is(c, j.source, j.key)) {
            rr = auth_blocker_deliver(c, j.source, j.action, &out);   /* "fixed, try now" */
        } else if (strcmp(j.action, NOTIFY_ACTION) == 0) {
            /* an alert notification (alerts/notify.h): by_user names the target */
            int status = 0;
            int nr = notify_deliver(cfg, j.by, j.note, j.idem, &out.retry_after_ms, &status, &out.message);
            out.http_status = status;
            rr = nr == 0 ? RESOLVE_OK : nr == 1 ? RESOLVE_RETRY : RESOLVE_FAIL;
        } else if (!sc || !sc->cls->resolve) {
            rr = RESOLVE_FAIL;
            set_err(&out.message, sc ? "source '%s' cannot write back" : "no source '%s' in the config",
                    j.source);
        } else {
            void *rt = sc->cls->open ? sc->cls->open(sc) : NULL;
            /* read_as travels with the row: this runtime never saw the item */
            ResolveReq req = {.action = j.action, .key = j.key, .note = j.note, .by = j.by,
                              .idempotency_key = j.idem, .now_ms = now, .read_as = j.read_as};
            rr = sc->cls->resolve(rt, sc, cfg, &req, &out);
            scrub_in_place(&out.message);   /* the reason is stored and shown: no secrets */
            if (rt && sc->cls->close)
                sc->cls->close(rt);
        }
        if (rr == RESOLVE_UNSUPPORTED) {
            rr = RESOLVE_FAIL;
            if (!out.message)
                set_err(&out.message, "source '%s' cannot %s", j.source, j.action);
        }
        if (rr == RESOLVE_OK)
            fault_point("after_delivery");
        if (rr != RESOLVE_OK)
            log_warn("outbox %lld %s %s:%s: %s", (long long)j.id, j.action, j.source, j.key,
                     out.message ? out.message : "failed");
        int recorded = settle(c, &j, rr, &out, now_ms()) == 0;
        free(out.message);
        job_free(&j);
        if (!recorded)
            break;   /* the cache takes no writes now: the next run retries */
    }
    sqlite3_stmt *st;
    int64_t next = 0;
    if (sqlite3_prepare_v2(cache_db(c),
                           "SELECT min(max(next_attempt_ms, coalesce(lease_until, 0))) FROM outbox"
                           " WHERE state = 'pending'",
                           -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            next = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (next && next < now_ms())
        next = now_ms() + 10;
    return next;
}

char *outbox_state(Cache *c, int64_t id, char **last_error)
{
    sqlite3_stmt *st;
    char *state = NULL;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT state, last_error FROM outbox WHERE id = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        state = xstrdup((const char *)sqlite3_column_text(st, 0));
        if (last_error) {
            free(*last_error);
            *last_error = xstrdup((const char *)sqlite3_column_text(st, 1));
        }
    }
    sqlite3_finalize(st);
    return state;
}

int outbox_cancel(Cache *c, int64_t id, const char *by, char **err)
{
    if (cache_begin(c, err) != 0)
        return -1;
    sqlite3_stmt *st;
    int changed = 0;
    char *src = NULL, *key = NULL;
    if (sqlite3_prepare_v2(cache_db(c),
                           "UPDATE outbox SET state = 'cancelled' WHERE id = ?1 AND state = 'pending'"
                           " AND (lease_until IS NULL OR lease_until <= ?2) RETURNING source, key",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now_ms());
        if (sqlite3_step(st) == SQLITE_ROW) {
            changed = 1;
            src = xstrdup((const char *)sqlite3_column_text(st, 0));
            key = xstrdup((const char *)sqlite3_column_text(st, 1));
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
        }
        sqlite3_finalize(st);
    }
    if (changed) {
        cache_blocker_set_state(c, src, key, "open", NULL);
        audit_record(c, by, "undo", src, key, NULL, "cancelled before delivery", NULL);
    }
    free(src);
    free(key);
    if (cache_commit(c, err) != 0)
        return -1;
    return changed;
}

int64_t outbox_last(Cache *c, const char *by)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    if (sqlite3_prepare_v2(cache_db(c),
                           "SELECT id FROM outbox WHERE by_user = ?1 AND state <> 'cancelled'"
                           " ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, by, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return id;
}

int outbox_list(Cache *c, FILE *out, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(c),
                           "SELECT id, state, action, source, key, attempts, created_at,"
                           " coalesce(last_error, '') FROM outbox"
                           " WHERE state IN ('pending', 'failed') ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "outbox: %s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == 0)
            fprintf(out, "%-6s %-9s %-9s %-28s %-8s %-20s %s\n", "ID", "STATE", "ACTION", "ITEM",
                    "ATTEMPTS", "CREATED", "LAST ERROR");
        char item[512];
        snprintf(item, sizeof item, "%s:%s", sqlite3_column_text(st, 3), sqlite3_column_text(st, 4));
        fprintf(out, "%-6lld %-9s %-9s %-28s %-8d %-20s %s\n", (long long)sqlite3_column_int64(st, 0),
                sqlite3_column_text(st, 1), sqlite3_column_text(st, 2), item,
                sqlite3_column_int(st, 5), sqlite3_column_text(st, 6), sqlite3_column_text(st, 7));
    }
    sqlite3_finalize(st);
    if (n == 0)
        fprintf(out, "outbox is empty: nothing pending or failed\n");
    return 0;
}

int outbox_retry(Cache *c, int64_t id, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(c),
                           "UPDATE outbox SET state = 'pending', next_attempt_ms = 0, attempts = 0"
                           " WHERE state IN ('failed', 'pending') AND (?1 < 0 OR id = ?1)",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "outbox: %s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(err, "outbox: %s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    if (id >= 0 && sqlite3_changes(cache_db(c)) == 0) {
        set_err(err, "outbox: no pending or failed row %lld", (long long)id);
        return -1;
    }
    return 0;
}

int outbox_drop(Cache *c, int64_t id, const char *by, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(c),
                           "DELETE FROM outbox WHERE id = ?1 AND state IN ('failed', 'pending')"
                           " RETURNING source, key, state",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "outbox: %s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    int found = 0;
    char *src = NULL, *key = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = 1;
        src = xstrdup((const char *)sqlite3_column_text(st, 0));
        key = xstrdup((const char *)sqlite3_column_text(st, 1));
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
    }
    sqlite3_finalize(st);
    if (!found) {
        set_err(err, "outbox: no pending or failed row %lld", (long long)id);
        return -1;
    }
    cache_blocker_set_state(c, src, key, "open", NULL);
    audit_record(c, by, "drop", src, key, NULL, "dropped from the outbox", NULL);
    free(src);
    free(key);
    return 0;
}

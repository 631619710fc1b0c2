/* alerts_store.c — the rows of the `alerts` dataset: one per condition
 * (source + stable key). alerts_evaluate runs the rules (rules.c) and
 * records what changed in one transaction: a condition found true that had
 * no active row is a new transition (state open, first_seen now, transition
 * + 1) and queues its notifications (notify.c) in the same transaction; an
 * active row whose condition is gone is cleared (state cleared, cleared_at);
 * an active row whose severity, title or detail changed is rewritten. Every
 * write is INSERT OR REPLACE, so the row gets a new rowid and the dataset's
 * max(rowid) probe (UI, mc serve) sees it; an evaluation that changes
 * nothing writes nothing. last_seen moves when the row is rewritten, and at
 * least every ALERT_REFRESH_MS while the condition lasts. */
#include <stddef.h>
#include "alerts_internal.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../cache.h"
#include "../config.h"
#include "../outbox.h"
#include "../sha256.h"
#include "../util.h"
#include "notify.h"

#define ALERT_REFRESH_MS (10 * 60 * 1000)

void alert_found(AlertEval *ev, const char *rule, const char *source, const char *key, AlertSeverity sev,
                 const char *title, const char *detail)
{
    if (ev->n == ev->cap) {
        ev->cap = ev->cap ? ev->cap * 2 : 16;
        ev->f = xrealloc(ev->f, (size_t)ev->cap * sizeof *ev->f);
    }
    Finding *f = &ev->f[ev->n++];
    f->rule = xstrdup(rule);
    f->source = xstrdup(source ? source : "");
    f->key = xstrdup(key);
    f->title = xstrdup(title ? title : key);
    f->detail = xstrdup(detail ? detail : "");
    f->sev = sev;
}

int alert_held(const AlertEval *ev, const char *source)
{
    for (int i = 0; source && *source && i < ev->nheld; i++)
        if (strcmp(ev->held[i], source) == 0)
            return 1;
    return 0;
}

void alert_eval_free(AlertEval *ev)
{
    for (int i = 0; i < ev->n; i++) {
        free(ev->f[i].rule);
        free(ev->f[i].source);
        free(ev->f[i].key);
        free(ev->f[i].title);
        free(ev->f[i].detail);
    }
    free(ev->f);
    for (int i = 0; i < ev->nheld; i++)
        free(ev->held[i]);
    free(ev->held);
    memset(ev, 0, sizeof *ev);
}

int alert_active_severity(sqlite3 *db, const char *source, const char *key)
{
    sqlite3_stmt *st;
    int sev = -1;
    if (sqlite3_prepare_v2(db, "SELECT severity FROM alerts WHERE source = ?1 AND key = ?2"
                               " AND state IN ('open', 'acked')", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        sev = alert_severity_parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return sev;
}

/* One alerts row as read or written. Strings owned. */
typedef struct AlertRow {
    char *source, *key, *rule, *severity, *title, *detail, *first_seen, *last_seen, *state, *acked_by,
        *cleared_at;
    int64_t transition, snoozed_until, notified;
    int found;                 /* matched by a finding this evaluation */
} AlertRow;

static char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : NULL;
}

#define ROW_COLS "source, key, rule, severity, title, detail, first_seen, last_seen, state, acked_by," \
                 " cleared_at, transition, snoozed_until_ms, notified_ms"

static void row_read(sqlite3_stmt *st, AlertRow *r)
{
    memset(r, 0, sizeof *r);
    char **s[] = {&r->source, &r->key, &r->rule, &r->severity, &r->title, &r->detail, &r->first_seen,
                  &r->last_seen, &r->state, &r->acked_by, &r->cleared_at};
    for (int i = 0; i < 11; i++)
        *s[i] = col(st, i);
    r->transition = sqlite3_column_int64(st, 11);
    r->snoozed_until = sqlite3_column_int64(st, 12);
    r->notified = sqlite3_column_int64(st, 13);
}

static void row_free(AlertRow *r)
{
    char *s[] = {r->source, r->key, r->rule, r->severity, r->title, r->detail, r->first_seen,
                 r->last_seen, r->state, r->acked_by, r->cleared_at};
    for (int i = 0; i < 11; i++)
        free(s[i]);
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = v ? xstrdup(v) : NULL;
}

static int row_write(sqlite3 *db, const AlertRow *r, int64_t now, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO alerts (" ROW_COLS ", updated_ms)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "alerts: %s", sqlite3_errmsg(db));
        return -1;
    }
    const char *s[] = {r->source, r->key, r->rule, r->severity, r->title, r->detail, r->first_seen,
                       r->last_seen, r->state, r->acked_by, r->cleared_at};
    for (int i = 0; i < 11; i++)
        if (s[i])
            sqlite3_bind_text(st, i + 1, s[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, r->transition);
    sqlite3_bind_int64(st, 13, r->snoozed_until);
    sqlite3_bind_int64(st, 14, r->notified);
    sqlite3_bind_int64(st, 15, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(err, "alerts: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* The notification body: the alert's public fields, the transition and `text`. */
static cJSON *alert_payload(const AlertRow *r, const char *event)
{
    cJSON *o = cJSON_CreateObject();
    const char *names[] = {"source", "key", "rule", "severity", "title", "detail", "first_seen", "last_seen",
                           "state", "acked_by", "cleared_at"};
    const char *s[] = {r->source, r->key, r->rule, r->severity, r->title, r->detail, r->first_seen,
                       r->last_seen, r->state, r->acked_by, r->cleared_at};
    for (int i = 0; i < 11; i++) {
        if (s[i])
            cJSON_AddStringToObject(o, names[i], s[i]);
        else
            cJSON_AddNullToObject(o, names[i]);
    }
    cJSON_AddNumberToObject(o, "transition", (double)r->transition);
    cJSON_AddStringToObject(o, "event", event);
    return o;
}

/* Queues the notifications of one transition to the targets that want it
 * (min severity, resolved, renotify). event: "firing", "resolved",
 * "escalated". Returns rows queued or -1. */
static int notify_transition(Cache *c, const Config *cfg, AlertRow *r, const char *event, AlertSeverity old,
                             int64_t now, char **err)
{
    const AlertsConfig *a = &cfg->alerts;
    if (!a->ntargets)
        return 0;
    NotifyTarget *want = xcalloc((size_t)a->ntargets, sizeof *want);
    int nw = 0;
    AlertSeverity sev = (AlertSeverity)alert_severity_parse(r->severity);
    for (int i = 0; i < a->ntargets; i++) {
        const NotifyTarget *t = &a->targets[i];
        if (sev < t->min)
            continue;
        if (strcmp(event, "resolved") == 0 && !t->resolved)
            continue;
        if (strcmp(event, "escalated") == 0 && old >= t->min)
            continue;                  /* it had the first one */
        if (strcmp(event, "firing") == 0 && r->notified && now - r->notified < t->renotify_ms)
            continue;                  /* flapping: at most one per renotify */
        want[nw++] = *t;
    }
    int n = 0;
    if (nw) {
        char idem[160], text[600];
        uint8_t h[32];
        Sha256 s;
        sha256_init(&s);
        sha256_update(&s, r->source, strlen(r->source));
        sha256_update(&s, "\n", 1);
        sha256_update(&s, r->key, strlen(r->key));
        /* with the transition's first_seen: a row removed by retention and
         * raised again from transition 1 never reuses an old key */
        sha256_update(&s, "\n", 1);
        sha256_update(&s, r->first_seen ? r->first_seen : "", r->first_seen ? strlen(r->first_seen) : 0);
        sha256_final(&s, h);
        snprintf(idem, sizeof idem, "mc-alert-%02x%02x%02x%02x%02x%02x%02x%02x-%lld-%s", h[0], h[1], h[2], h[3],
                 h[4], h[5], h[6], h[7], (long long)r->transition, event);
        const char *tag = strcmp(event, "resolved") == 0 ? "RESOLVED" : sev == ALERT_CRIT ? "CRIT"
                                                                     : sev == ALERT_WARN ? "WARN" : "INFO";
        snprintf(text, sizeof text, "[%s] %s", tag, r->title);
        cJSON *p = alert_payload(r, event);
        cJSON_AddStringToObject(p, "text", text);
        n = notify_enqueue(c, cfg, want, nw, idem, text, p, sev, err);
        cJSON_Delete(p);
        if (n > 0 && strcmp(event, "resolved") != 0)
            r->notified = now;
    }
    free(want);
    return n;
}

/* The finding for rule/source/key in ev, or NULL. */
static Finding *finding_of(AlertEval *ev, const char *source, const char *key)
{
    for (int i = 0; i < ev->n; i++)
        if (strcmp(ev->f[i].key, key) == 0 && strcmp(ev->f[i].source, source) == 0)
            return &ev->f[i];
    return NULL;
}

static int ran(const AlertEval *ev, const char *rule)
{
    for (int i = 0; rule && i < ev->nran; i++)
        if (strcmp(ev->ran[i], rule) == 0)
            return 1;
    return 0;
}

/* stale and failing are about the source itself: never held back. */
static int source_rule(const char *rule)
{
    return strcmp(rule, "stale") == 0 || strcmp(rule, "failing") == 0;
}

/* Active rows (open, acked) of the rules that ran: updated or cleared. */
static int apply_active(Cache *c, const Config *cfg, AlertEval *ev, const char *now_iso, char **err,
                        int *queued)
{
    sqlite3 *db = cache_db(c);
    sqlite3_stmt *st;
    int changed = 0;
    if (sqlite3_prepare_v2(db, "SELECT " ROW_COLS " FROM alerts WHERE state IN ('open', 'acked')", -1, &st,
                           NULL) != SQLITE_OK) {
        set_err(err, "alerts: %s", sqlite3_errmsg(db));
        return -1;
    }
    int nrows = 0, cap = 0;
    AlertRow *rows = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (nrows == cap) {
            cap = cap ? cap * 2 : 16;
            rows = xrealloc(rows, (size_t)cap * sizeof *rows);
        }
        row_read(st, &rows[nrows++]);
    }
    sqlite3_finalize(st);
    int rc = 0;
    for (int i = 0; i < nrows && rc == 0; i++) {
        AlertRow *r = &rows[i];
        Finding *f = finding_of(ev, r->source, r->key);
        int write = 0;
        if (f && alert_held(ev, r->source) && !source_rule(r->rule)) {
            f->rule[0] = '\0';         /* held back: kept as it was, not updated from old numbers */
        } else if (f) {
            AlertSeverity old = (AlertSeverity)alert_severity_parse(r->severity);
            int esc = f->sev > old && strcmp(r->state, "open") == 0;
            if (strcmp(r->severity, alert_severity_name(f->sev)) != 0 || strcmp(r->title, f->title) != 0 ||
                strcmp(r->detail ? r->detail : "", f->detail) != 0) {
                set_str(&r->severity, alert_severity_name(f->sev));
                set_str(&r->title, f->title);
                set_str(&r->detail, f->detail);
                write = 1;
            }
            if (r->snoozed_until && r->snoozed_until <= ev->now) {
                r->snoozed_until = 0;  /* the snooze ran out: back in the open list */
                write = 1;
            }
            int64_t seen = 0;
            if (!write && r->last_seen && time_parse_iso(r->last_seen, &seen) == 0 &&
                ev->now - seen >= ALERT_REFRESH_MS)
                write = 1;
            if (write)
                set_str(&r->last_seen, now_iso);
            if (esc) {
                int n = notify_transition(c, cfg, r, "escalated", old, ev->now, err);
                if (n < 0)
                    rc = -1;
                *queued += n > 0 ? n : 0;
            }
            f->rule[0] = '\0';         /* consumed: not a new transition */
        } else if (ran(ev, r->rule) && (source_rule(r->rule) || !alert_held(ev, r->source))) {
            set_str(&r->state, "cleared");
            set_str(&r->cleared_at, now_iso);
            r->snoozed_until = 0;
            write = 1;
            int n = notify_transition(c, cfg, r, "resolved", ALERT_INFO, ev->now, err);
            if (n < 0)
                rc = -1;
            *queued += n > 0 ? n : 0;
        } else if (r->snoozed_until && r->snoozed_until <= ev->now) {
            r->snoozed_until = 0;
            write = 1;
        }
        if (write && rc == 0) {
            rc = row_write(db, r, ev->now, err);
            changed++;
        }
    }
    for (int i = 0; i < nrows; i++)
        row_free(&rows[i]);
    free(rows);
    return rc < 0 ? -1 : changed;
}

/* A finding with no active row: a new transition (reusing a cleared row's
 * transition count and notification time). */
static int raise_new(Cache *c, const Config *cfg, const Finding *f, int64_t now, const char *now_iso,
                     char **err, int *queued)
{
    sqlite3 *db = cache_db(c);
    sqlite3_stmt *st;
    AlertRow r = {0};
    if (sqlite3_prepare_v2(db, "SELECT transition, notified_ms FROM alerts WHERE source = ?1 AND key = ?2", -1,
                           &st, NULL) != SQLITE_OK) {
        set_err(err, "alerts: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(st, 1, f->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        r.transition = sqlite3_column_int64(st, 0);
        r.notified = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    r.transition++;
    r.source = xstrdup(f->source);
    r.key = xstrdup(f->key);
    r.rule = xstrdup(f->rule);
    r.severity = xstrdup(alert_severity_name(f->sev));
    r.title = xstrdup(f->title);
    r.detail = xstrdup(f->detail);
    r.first_seen = xstrdup(now_iso);
    r.last_seen = xstrdup(now_iso);
    r.state = xstrdup("open");
    int n = notify_transition(c, cfg, &r, "firing", ALERT_INFO, now, err);
    int rc = n < 0 ? -1 : row_write(db, &r, now, err);
    *queued += n > 0 ? n : 0;
    row_free(&r);
    return rc;
}

int alerts_store_apply(Cache *c, const Config *cfg, AlertEval *ev, char **err)
{
    char now_iso[40];
    int queued = 0;
    time_format_iso(ev->now, now_iso, sizeof now_iso);
    int changed = apply_active(c, cfg, ev, now_iso, err, &queued);
    ev->queued = 0;
    if (changed < 0)
        return -1;
    for (int i = 0; i < ev->n; i++) {
        const Finding *f = &ev->f[i];
        if (!f->rule[0] || (alert_held(ev, f->source) && !source_rule(f->rule)))
            continue;                  /* consumed above, or held back (inhibition) */
        if (raise_new(c, cfg, f, ev->now, now_iso, err, &queued) < 0)
            return -1;
        changed++;
    }
    ev->queued = queued;
    return changed;
}

int alerts_evaluate(Cache *c, const Config *cfg, unsigned what, int64_t now, char **err)
{
    AlertEval ev = {0};
    ev.now = now ? now : now_ms();
    if (cache_begin(c, err) != 0)
        return -1;
    alerts_rules_run(cache_db(c), cfg, what, &ev);
    int changed = alerts_store_apply(c, cfg, &ev, err);
    int queued = ev.queued;
    alert_eval_free(&ev);
    if (changed < 0) {
        cache_rollback(c);
        return -1;
    }
    if (changed == 0) {
        cache_rollback(c);             /* nothing written: no commit, no wake-up */
        return 0;
    }
    if (cache_commit(c, err) != 0)
        return -1;
    /* test hook (like outbox.c's): MC_FAULT=after_alert_commit kills the
     * process once a transition and its notifications are committed and
     * before anything is delivered */
    const char *f = getenv("MC_FAULT");
    if (queued && f && strcmp(f, "after_alert_commit") == 0)
        raise(SIGKILL);
    return changed;
}

/* ack / snooze: one UPDATE-by-rewrite in its own short transaction. */
static int alert_set(Cache *c, const char *key, const char *by, int64_t until, char **err)
{
    sqlite3 *db = cache_db(c);
    sqlite3_stmt *st;
    if (cache_begin(c, err) != 0)
        return -1;
    /* every active row with that key: the same condition on several sources
     * (disk:/ of two hosts) is acked or snoozed together */
    if (sqlite3_prepare_v2(db, "SELECT " ROW_COLS " FROM alerts WHERE key = ?1 AND state IN ('open', 'acked')"
                               " LIMIT 100", -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "alerts: %s", sqlite3_errmsg(db));
        cache_rollback(c);
        return -1;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    AlertRow rows[100];
    int n = 0;
    while (n < 100 && sqlite3_step(st) == SQLITE_ROW)
        row_read(st, &rows[n++]);
    sqlite3_finalize(st);
    if (!n) {
        cache_rollback(c);
        return 1;
    }
    int64_t now = now_ms();
    int rc = 0;
    for (int i = 0; i < n; i++) {
        AlertRow *r = &rows[i];
        if (by) {
            set_str(&r->state, "acked");
            set_str(&r->acked_by, by);
        } else {
            r->snoozed_until = until;
        }
        if (rc == 0)
            rc = row_write(db, r, now, err);
        if (rc == 0)
            rc = audit_record(c, by ? by : "", by ? "alert ack" : "alert snooze", r->source, r->key, NULL, "done",
                              err);
        row_free(r);
    }
    if (rc != 0) {
        cache_rollback(c);
        return -1;
    }
    return cache_commit(c, err) == 0 ? 0 : -1;
}

int alerts_ack(Cache *c, const char *key, const char *by, char **err)
{
    return alert_set(c, key, by && *by ? by : "unknown", 0, err);
}

int alerts_snooze(Cache *c, const char *key, int64_t until_ms, char **err)
{
    return alert_set(c, key, NULL, until_ms, err);
}

cJSON *alerts_list_json(Cache *c, int all, int64_t now, char **err)
{
    sqlite3 *db = cache_db(c);
    sqlite3_stmt *st;
    const char *sql =
        all ? "SELECT " ROW_COLS " FROM alerts ORDER BY state = 'cleared', CASE severity WHEN 'crit' THEN 0"
              " WHEN 'warn' THEN 1 ELSE 2 END, last_seen DESC LIMIT 10000"
            : "SELECT " ROW_COLS " FROM alerts WHERE state = 'open' AND coalesce(snoozed_until_ms, 0) <= ?1"
              " ORDER BY CASE severity WHEN 'crit' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, last_seen DESC"
              " LIMIT 10000";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "alerts: %s", sqlite3_errmsg(db));
        return NULL;
    }
    if (!all)
        sqlite3_bind_int64(st, 1, now ? now : now_ms());
    cJSON *arr = cJSON_CreateArray();
    while (sqlite3_step(st) == SQLITE_ROW) {
        AlertRow r;
        row_read(st, &r);
        cJSON *o = alert_payload(&r, "");
        cJSON_DeleteItemFromObject(o, "transition");
        cJSON_DeleteItemFromObject(o, "event");
        if (r.snoozed_until > (now ? now : now_ms())) {
            char iso[40];
            time_format_iso(r.snoozed_until, iso, sizeof iso);
            cJSON_AddStringToObject(o, "snoozed_until", iso);
        }
        cJSON_AddItemToArray(arr, o);
        row_free(&r);
    }
    sqlite3_finalize(st);
    return arr;
}

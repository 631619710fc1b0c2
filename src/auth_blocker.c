/* auth_blocker.c — "credentials refused" as a blocker for the owner (see
 * auth_blocker.h). Runs on the engine's worker (auth_blocker_note, with the
 * worker's cache connection) and on the outbox's delivery thread
 * (auth_blocker_deliver). */
#include "auth_blocker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log.h"
#include "net/scrub.h"
#include "util.h"

int auth_blocker_status(const char *err)
{
    for (const char *p = err; p && (p = strstr(p, "HTTP ")); p += 5) {
        const unsigned char *d = (const unsigned char *)p + 5;
        if (isdigit(d[0]) && isdigit(d[1]) && isdigit(d[2]) && !isdigit(d[3]))
            return (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    }
    return 0;
}

int auth_blocker_applies(const SourceConfig *sc)
{
    static const char *const kinds[] = {"http_json", "convex", "postgrest", NULL};
    for (int i = 0; sc && sc->cls && kinds[i]; i++)
        if (!strcmp(sc->cls->kind, kinds[i]))
            return 1;
    return 0;
}

static int exec_bind(Cache *c, const char *sql, const char *source, int64_t v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(c), sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, v);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int64_t get_since(Cache *c, const char *source)
{
    sqlite3_stmt *st;
    int64_t since = 0;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT auth_since FROM source_state WHERE source = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        since = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return since;
}

static void set_since(Cache *c, const char *source, int64_t since)
{
    if (exec_bind(c, "UPDATE source_state SET auth_since = ?2 WHERE source = ?1", source, since) < 0)
        log_warn("%s: cannot record auth_since: %s", source, sqlite3_errmsg(cache_db(c)));
}

static void drop_row(Cache *c, const char *source)
{
    if (exec_bind(c, "DELETE FROM blockers WHERE source = ?1 AND key = 'auth' AND from_agent = 'mc'"
                     " AND ?2 = ?2", source, 0) < 0)
        log_warn("%s: cannot remove the auth blocker: %s", source, sqlite3_errmsg(cache_db(c)));
}

/* "Mar 23" (local time). */
static void short_date(int64_t ms, char *out, size_t n)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    snprintf(out, n, "%s %d", mon[tm.tm_mon % 12], tm.tm_mday);
}

static void put_row(Cache *c, const SourceConfig *sc, int status, const char *err, int64_t since,
                    int64_t now)
{
    char day[16], iso[40];
    short_date(since, day, sizeof day);
    time_format_iso(since, iso, sizeof iso);
    char *desc = xasprintf("%s: %s — HTTP %d since %s", sc->id,
                           status == 403 ? "token lacks permission" : "credentials refused", status, day);
    char *ctx = scrub_text(err ? err : "");
    sqlite3_stmt *st;
    const char *sql =
        "INSERT INTO blockers (source, key, from_agent, description, context, created_at, resolved,"
        " state, for_owner, gen, updated_ms) VALUES (?1, 'auth', 'mc', ?2, ?3, ?4, 0, 'open', 1, NULL, ?5)"
        " ON CONFLICT (source, key) DO UPDATE SET description = ?2, context = ?3,"
        " resolved = 0, resolved_at = NULL, resolved_by = NULL, state = 'open', updated_ms = ?5"
        " WHERE blockers.from_agent = 'mc'";
    int rc = SQLITE_ERROR;
    if (sqlite3_prepare_v2(cache_db(c), sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, sc->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, desc, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ctx ? ctx : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, iso, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, now);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_DONE)
        log_warn("%s: cannot write the auth blocker: %s", sc->id, sqlite3_errmsg(cache_db(c)));
    free(desc);
    free(ctx);
}

void auth_blocker_note(Cache *c, const SourceConfig *sc, int ok, const char *err, int64_t now)
{
    if (!c || !auth_blocker_applies(sc))
        return;
    int64_t since = get_since(c, sc->id);
    if (ok) {                           /* no write when there is nothing to undo */
        if (since)
            set_since(c, sc->id, 0);
        if (auth_blocker_is(c, sc->id, AUTH_BLOCKER_KEY))
            drop_row(c, sc->id);
        return;
    }
    int status = auth_blocker_status(err);
    if (status != 401 && status != 403) {
        if (status && since)
            set_since(c, sc->id, 0);      /* the server answered, and not "refused" */
        return;
    }
    if (!since) {
        since = now;
        set_since(c, sc->id, since);
    }
    if (now - since >= sc->auth_blocker_after_ms)
        put_row(c, sc, status, err, since, now);
}

int auth_blocker_is(Cache *c, const char *source, const char *key)
{
    if (!c || !source || !key || strcmp(key, AUTH_BLOCKER_KEY))
        return 0;
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(cache_db(c),
                           "SELECT 1 FROM blockers WHERE source = ?1 AND key = 'auth' AND from_agent = 'mc'",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    return found;
}

ResolveResult auth_blocker_deliver(Cache *c, const char *source, const char *action, ResolveOut *out)
{
    (void)out;
    if (action && !strcmp(action, "resolve")) {
        /* "fixed, try now": due at once here and in a running engine */
        exec_bind(c, "UPDATE source_state SET next_due = ?2, breaker = 0, breaker_until = 0"
                     " WHERE source = ?1", source, 0);
        source_nudge(source);
        log_info("%s: credentials marked fixed; fetching now", source);
    }
    return RESOLVE_OK;
}

/* cache_state.c — per-source bookkeeping in source_state: the engine's
 * status columns and the source's cursor columns (written separately so
 * neither clobbers the other), leases, and PRAGMA data_version. */
#include "cache_internal.h"

#include <stdlib.h>
#include <string.h>
#include "net/scrub.h"

void cache_state_clear(SourceState *s)
{
    free(s->last_error);
    free(s->etag);
    free(s->last_modified);
    free(s->cursor);
    memset(s, 0, sizeof *s);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : NULL;
}

int cache_state_get(Cache *c, const char *source, SourceState *s, char **err)
{
    cache_state_clear(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT last_attempt, last_success, last_error, consecutive_failures,"
                           " next_due, breaker, breaker_until, rows, duration_ms, etag,"
                           " last_modified, file_offset, file_inode, file_size, cursor, bad_lines"
                           " FROM source_state WHERE source = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->last_attempt = sqlite3_column_int64(st, 0);
        s->last_success = sqlite3_column_int64(st, 1);
        s->last_error = col_dup(st, 2);
        s->consecutive_failures = sqlite3_column_int(st, 3);
        s->next_due = sqlite3_column_int64(st, 4);
        s->breaker = sqlite3_column_int(st, 5);
        s->breaker_until = sqlite3_column_int64(st, 6);
        s->rows = sqlite3_column_int64(st, 7);
        s->duration_ms = sqlite3_column_int64(st, 8);
        s->etag = col_dup(st, 9);
        s->last_modified = col_dup(st, 10);
        s->file_offset = sqlite3_column_int64(st, 11);
        s->file_inode = sqlite3_column_int64(st, 12);
        s->file_size = sqlite3_column_int64(st, 13);
        s->cursor = col_dup(st, 14);
        s->bad_lines = sqlite3_column_int64(st, 15);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return 0;
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int cache_status_put(Cache *c, const char *source, const SourceState *s, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO source_state (source, last_attempt, last_success,"
                           " last_error, consecutive_failures, next_due, breaker, breaker_until,"
                           " rows, duration_ms) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"
                           " ON CONFLICT (source) DO UPDATE SET last_attempt = ?2,"
                           " last_success = ?3, last_error = ?4, consecutive_failures = ?5,"
                           " next_due = ?6, breaker = ?7, breaker_until = ?8, rows = ?9,"
                           " duration_ms = ?10",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s->last_attempt);
    sqlite3_bind_int64(st, 3, s->last_success);
    char *safe_error = scrub_text(s->last_error);     /* secrets never reach the cache */
    bind_opt_text(st, 4, safe_error);
    sqlite3_bind_int(st, 5, s->consecutive_failures);
    sqlite3_bind_int64(st, 6, s->next_due);
    sqlite3_bind_int(st, 7, s->breaker);
    sqlite3_bind_int64(st, 8, s->breaker_until);
    sqlite3_bind_int64(st, 9, s->rows);
    sqlite3_bind_int64(st, 10, s->duration_ms);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(safe_error);
    if (rc != SQLITE_DONE) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return 0;
}

int cache_cursor_put(Cache *c, const char *source, const SourceState *s, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO source_state (source, etag, last_modified, file_offset,"
                           " file_inode, file_size, cursor, bad_lines) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"
                           " ON CONFLICT (source) DO UPDATE SET etag = ?2, last_modified = ?3,"
                           " file_offset = ?4, file_inode = ?5, file_size = ?6, cursor = ?7,"
                           " bad_lines = ?8",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    bind_opt_text(st, 2, s->etag);
    bind_opt_text(st, 3, s->last_modified);
    sqlite3_bind_int64(st, 4, s->file_offset);
    sqlite3_bind_int64(st, 5, s->file_inode);
    sqlite3_bind_int64(st, 6, s->file_size);
    bind_opt_text(st, 7, s->cursor);
    sqlite3_bind_int64(st, 8, s->bad_lines);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return 0;
}

int cache_lease_try(Cache *c, const char *source, const char *owner, int64_t now, int64_t until,
                    char **err)
{
    sqlite3_stmt *st;
    /* One statement, so two processes racing for the lease serialize on the
     * write lock and exactly one sees its row change. */
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO source_state (source, lease_owner, lease_until)"
                           " VALUES (?1, ?2, ?4) ON CONFLICT (source) DO UPDATE SET"
                           " lease_owner = ?2, lease_until = ?4"
                           " WHERE lease_owner IS NULL OR lease_owner = ?2 OR lease_until <= ?3",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, until);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(err, "cache lease: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return sqlite3_changes(c->db) > 0 ? 1 : 0;
}

void cache_lease_release(Cache *c, const char *source, const char *owner)
{
    const char *args[] = {source, owner};
    cache_run_text(c, "UPDATE source_state SET lease_owner = NULL, lease_until = 0"
                " WHERE source = ?1 AND lease_owner = ?2",
             2, args, NULL);
}

int64_t cache_data_version(Cache *c)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(c->db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}


static int64_t probe(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

void cache_dataset_probes(Cache *c, int64_t out[DS__COUNT])
{
    for (int d = 0; d < DS__COUNT; d++) {
        char *sql = xasprintf("SELECT max(rowid) FROM %s", dataset_get((DatasetId)d)->name);
        out[d] = probe(c->db, sql);
        free(sql);
    }
    /* resolves, undos and snoozes change blockers without new rows */
    out[DS_BLOCKERS] = out[DS_BLOCKERS] * 1000003 + probe(c->db, "SELECT max(id) FROM outbox") * 7919 +
                       probe(c->db, "SELECT count(*) + max(until_ms) FROM snooze") * 31 +
                       out[DS_AUDIT];
}

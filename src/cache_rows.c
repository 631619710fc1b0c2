/* cache_rows.c — dataset writes: upsert on (source, key), the sweep that
 * makes a full replacement exact, blocker state kept across fetches,
 * retention by rows and age, and counts. */
#include "cache_internal.h"
#include "archive.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_DELETE_CHUNK 5000   /* rows per retention transaction */

/* The upsert statement of a dataset. Blockers keep a local "resolving" or
 * "failed" state (set by the outbox) until the source itself says resolved. */
static sqlite3_stmt *put_stmt(Cache *c, const Dataset *ds, char **err)
{
    sqlite3_stmt **slot = &c->put[ds->id][0];
    if (*slot)
        return *slot;
    Buf b = {0};
    buf_printf(&b, "INSERT INTO %s (", ds->name);
    for (int i = 0; i < ds->nfields; i++)
        buf_printf(&b, "%s, ", ds->fields[i].name);
    buf_puts(&b, "gen, updated_ms) VALUES (");
    for (int i = 0; i < ds->nfields + 2; i++)
        buf_printf(&b, "%s?%d", i ? ", " : "", i + 1);
    buf_puts(&b, ") ON CONFLICT (source, key) DO UPDATE SET ");
    for (int i = 2; i < ds->nfields; i++) {
        const char *f = ds->fields[i].name;
        if (ds->id == DS_BLOCKERS && strcmp(f, "state") == 0)
            buf_puts(&b, "state = CASE WHEN excluded.resolved = 1 THEN 'resolved'"
                         " WHEN blockers.resolved = 0 AND blockers.state IN ('resolving', 'failed')"
                         " THEN blockers.state ELSE coalesce(excluded.state, 'open') END, ");
        else
            buf_printf(&b, "%s = excluded.%s, ", f, f);
    }
    buf_puts(&b, "gen = excluded.gen, updated_ms = excluded.updated_ms");
    int rc = sqlite3_prepare_v3(c->db, b.s, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
    buf_free(&b);
    if (rc != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        *slot = NULL;
    }
    return *slot;
}

/* Key for a row that has none: a hash of its cells. */
static void row_hash_key(const Rows *rows, int r, char out[17])
{
    uint64_t h = 1469598103934665603ULL;
    for (int f = 2; f < rows->ds->nfields; f++) {
        const Value *v = rows_cell_c(rows, r, f);
        if (v->kind == V_TEXT)
            h ^= hash64(v->u.s, strlen(v->u.s));
        else if (v->kind == V_INT)
            h ^= hash64(&v->u.i, sizeof v->u.i);
        else if (v->kind == V_REAL)
            h ^= hash64(&v->u.d, sizeof v->u.d);
        h *= 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* max(gen) + 1 over one source's rows of a dataset. */
static int next_gen(Cache *c, const Dataset *ds, const char *source, int64_t *gen, char **err)
{
    char *sql = xasprintf("SELECT coalesce(max(gen), 0) + 1 FROM %s WHERE source = ?1", ds->name);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    free(sql);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *gen = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_ROW) {
        set_err(err, "cache read %s: %s", ds->name, sqlite3_errmsg(c->db));
        return -1;
    }
    return 0;
}

int cache_put_rows(Cache *c, const char *source, const Rows *rows, int mode, char **err)
{
    const Dataset *ds = rows->ds;
    sqlite3_stmt *st = put_stmt(c, ds, err);
    if (!st)
        return -1;
    /* A full replacement tags its rows with a generation newer than any the
     * source has (read inside the caller's write transaction, so no other
     * connection or process can pick the same one) and then sweeps the rest. */
    int64_t gen = 0;
    if (mode == CACHE_REPLACE && next_gen(c, ds, source, &gen, err) != 0)
        return -1;
    int64_t now = now_ms();
    int state_f = ds->id == DS_BLOCKERS ? dataset_field(ds, "state") : -1;
    int resolved_f = dataset_field(ds, "resolved");
    int owner_f = ds->id == DS_BLOCKERS ? dataset_field(ds, "for_owner") : -1;
    for (int r = 0; r < rows->nrows; r++) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        for (int f = 1; f < ds->nfields; f++) {
            const Value *v = rows_cell_c(rows, r, f);
            switch (v->kind) {
            case V_TEXT:
                sqlite3_bind_text(st, f + 1, v->u.s, -1, SQLITE_STATIC);
                break;
            case V_INT:
                sqlite3_bind_int64(st, f + 1, v->u.i);
                break;
            case V_REAL:
                sqlite3_bind_double(st, f + 1, v->u.d);
                break;
            default:
                sqlite3_bind_null(st, f + 1);
            }
        }
        char hk[17];
        if (rows_cell_c(rows, r, 1)->kind == V_NULL) {
            row_hash_key(rows, r, hk);
            sqlite3_bind_text(st, 2, hk, -1, SQLITE_TRANSIENT);
        }
        if (state_f >= 0 && rows_cell_c(rows, r, resolved_f)->kind == V_NULL)
            sqlite3_bind_int(st, resolved_f + 1, 0); /* a blocker is open unless said otherwise */
        if (owner_f >= 0 && rows_cell_c(rows, r, owner_f)->kind == V_NULL)
            sqlite3_bind_int(st, owner_f + 1, 1);    /* ...and needs the owner unless said otherwise */
        if (state_f >= 0 && rows_cell_c(rows, r, state_f)->kind == V_NULL) {
            const Value *res = rows_cell_c(rows, r, resolved_f);
            int done = res->kind == V_INT && res->u.i != 0;
            sqlite3_bind_text(st, state_f + 1, done ? "resolved" : "open", -1, SQLITE_STATIC);
        }
        sqlite3_bind_int64(st, ds->nfields + 1, gen);
        sqlite3_bind_int64(st, ds->nfields + 2, now);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            set_err(err, "cache write %s: %s", ds->name, sqlite3_errmsg(c->db));
            sqlite3_clear_bindings(st);
            return -1;
        }
    }
    sqlite3_clear_bindings(st);
    if (mode == CACHE_REPLACE) {
        char *sql = xasprintf("DELETE FROM %s WHERE source = ?1 AND gen IS NOT ?2", ds->name);
        sqlite3_stmt *del;
        int rc = sqlite3_prepare_v2(c->db, sql, -1, &del, NULL);
        free(sql);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(del, 1, source, -1, SQLITE_STATIC);
            sqlite3_bind_int64(del, 2, gen);
            rc = sqlite3_step(del);
            sqlite3_finalize(del);
        }
        if (rc != SQLITE_DONE) {
            set_err(err, "cache sweep %s: %s", ds->name, sqlite3_errmsg(c->db));
            return -1;
        }
    }
    return 0;
}

int cache_forget_source(Cache *c, const char *source, const Dataset *only, char **err)
{
    for (int i = 0; i < DS__COUNT; i++) {
        const Dataset *ds = dataset_get((DatasetId)i);
        if (only && only != ds)
            continue;
        char *sql = xasprintf("DELETE FROM %s WHERE source = ?1", ds->name);
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
        free(sql);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
            rc = sqlite3_step(st);
            sqlite3_finalize(st);
        }
        if (rc != SQLITE_DONE) {
            set_err(err, "cache: %s", sqlite3_errmsg(c->db));
            return -1;
        }
    }
    return 0;
}

int cache_blocker_set_resolved(Cache *c, const char *source, const char *key, int resolved,
                               const char *by, const char *at_iso, const char *note, char **err)
{
    if (!c->set_resolved &&
        sqlite3_prepare_v3(c->db,
                           "UPDATE blockers SET resolved = ?3,"
                           " resolved_by = CASE WHEN ?3 THEN ?4 END,"
                           " resolved_at = CASE WHEN ?3 THEN ?5 END,"
                           " note = coalesce(?6, note),"
                           " state = CASE WHEN ?3 THEN 'resolved' ELSE 'open' END"
                           " WHERE source = ?1 AND key = ?2",
                           -1, SQLITE_PREPARE_PERSISTENT, &c->set_resolved, NULL) != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    sqlite3_stmt *st = c->set_resolved;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, resolved ? 1 : 0);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, at_iso, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, note, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return 0;
}

int cache_blocker_set_state(Cache *c, const char *source, const char *key, const char *state,
                            char **err)
{
    const char *args[] = {source, key, state};
    return cache_run_text(c, "UPDATE blockers SET state = ?3 WHERE source = ?1 AND key = ?2", 3, args,
                    err);
}

/* Runs a chunked DELETE until it deletes nothing: each chunk is its own
 * short transaction, so a big clean-up never holds the write lock for long
 * (the UI's resolve waits for the lock at most a chunk). */
static int delete_chunks(Cache *c, const char *sql, char **err)
{
    for (int guard = 0; guard < 100000; guard++) {
        if (cache_exec(c, sql, err) != 0)
            return -1;
        if (sqlite3_changes(c->db) == 0)
            break;
    }
    return 0;
}

int cache_apply_retention(Cache *c, const Retention *ret, int64_t now, char **err)
{
    for (int i = 0; i < DS__COUNT; i++) {
        const Dataset *ds = dataset_get((DatasetId)i);
        const Retention *r = &ret[i];
        char *sql = NULL;
        int rc = 0;
        if (r->archive_dir) {                    /* archive first, then delete */
            if (archive_expired(c, ds, r, now, err) < 0)
                return -1;
            continue;
        }
        if (r->max_age_ms > 0 && ds->time_field) {
            char iso[40];
            time_format_iso(now - r->max_age_ms, iso, sizeof iso);
            sql = xasprintf("DELETE FROM %s WHERE rowid IN (SELECT rowid FROM %s WHERE %s < '%s'"
                            " LIMIT %d)",
                            ds->name, ds->name, ds->time_field, iso, CACHE_DELETE_CHUNK);
            rc = delete_chunks(c, sql, err);
            free(sql);
        }
        if (rc == 0 && r->max_rows > 0) {
            sql = xasprintf("DELETE FROM %s WHERE rowid IN (SELECT rowid FROM %s ORDER BY %s"
                            " LIMIT %d OFFSET %lld)",
                            ds->name, ds->name, ds->order_by, CACHE_DELETE_CHUNK,
                            (long long)r->max_rows);
            rc = delete_chunks(c, sql, err);
            free(sql);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

int64_t cache_count(Cache *c, const Dataset *ds, const char *source)
{
    char *sql = source ? xasprintf("SELECT count(*) FROM %s WHERE source = ?1", ds->name)
                       : xasprintf("SELECT count(*) FROM %s", ds->name);
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (source)
            sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    free(sql);
    return n;
}

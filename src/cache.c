/* cache.c — the SQLite cache: opening (WAL, busy timeout, damaged files
 * moved aside), the schema generated from the dataset definitions in
 * dataset.c (so the contract's field names live in one place), migrations and
 * transactions. Rows, source state and the JSON dump are in cache_rows.c,
 * cache_state.c and cache_dump.c. */
#include "cache_internal.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>


static const char *sql_type(FieldType t)
{
    switch (t) {
    case F_INT:
    case F_BOOL:
        return "INTEGER";
    case F_REAL:
        return "REAL";
    default:
        return "TEXT";
    }
}

/* CREATE TABLE for one dataset: its fields + sweep generation + write time. */
static void schema_table(Buf *b, const Dataset *ds)
{
    buf_printf(b, "CREATE TABLE IF NOT EXISTS %s (", ds->name);
    for (int i = 0; i < ds->nfields; i++)
        buf_printf(b, "%s %s%s, ", ds->fields[i].name, sql_type(ds->fields[i].type),
                   i < 2 ? " NOT NULL" : "");
    buf_puts(b, "gen INTEGER, updated_ms INTEGER, PRIMARY KEY (source, key));\n");
}

static const char schema_extra[] =
    "CREATE INDEX IF NOT EXISTS activity_ts ON activity(ts DESC);\n"
    /* the health pane's newest build/deploy per source */
    "CREATE INDEX IF NOT EXISTS activity_kind ON activity(event_type, source, ts);\n"
    "CREATE INDEX IF NOT EXISTS blockers_open ON blockers(resolved, created_at DESC);\n"
    "CREATE INDEX IF NOT EXISTS blockers_created ON blockers(created_at DESC);\n"
    "CREATE INDEX IF NOT EXISTS revenue_date ON revenue(snapshot_date DESC);\n"
    "CREATE INDEX IF NOT EXISTS system_ts ON system(ts DESC);\n"
    "CREATE INDEX IF NOT EXISTS usage_date ON usage(date DESC);\n"
    "CREATE INDEX IF NOT EXISTS audit_ts ON audit(ts DESC);\n"
    "CREATE INDEX IF NOT EXISTS alerts_state ON alerts(state, last_seen DESC);\n"
    "CREATE TABLE IF NOT EXISTS source_state (source TEXT PRIMARY KEY,"
    " last_attempt INTEGER DEFAULT 0, last_success INTEGER DEFAULT 0, last_error TEXT,"
    " consecutive_failures INTEGER DEFAULT 0, next_due INTEGER DEFAULT 0,"
    " breaker INTEGER DEFAULT 0, breaker_until INTEGER DEFAULT 0, rows INTEGER DEFAULT 0,"
    " duration_ms INTEGER DEFAULT 0, etag TEXT, last_modified TEXT,"
    " file_offset INTEGER DEFAULT 0, file_inode INTEGER DEFAULT 0, file_size INTEGER DEFAULT 0,"
    " cursor TEXT, bad_lines INTEGER DEFAULT 0, lease_owner TEXT, lease_until INTEGER DEFAULT 0);\n"
    "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " source TEXT NOT NULL, key TEXT NOT NULL, action TEXT NOT NULL, note TEXT, by_user TEXT,"
    " idempotency_key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER DEFAULT 0,"
    " next_attempt_ms INTEGER DEFAULT 0, last_error TEXT, http_status INTEGER,"
    " delivered_at TEXT, lease_owner TEXT, lease_until INTEGER DEFAULT 0, read_as TEXT);\n"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_attempt_ms);\n"
    "CREATE INDEX IF NOT EXISTS outbox_item ON outbox(source, key);\n"
    "CREATE TABLE IF NOT EXISTS snooze (source TEXT NOT NULL, key TEXT NOT NULL,"
    " until_ms INTEGER NOT NULL, PRIMARY KEY (source, key));\n";

/* Columns added after a table was first created: a cache made by an older
 * mc gains them (ALTER TABLE ... ADD COLUMN). Dataset tables are compared
 * with their fields; these are the others. */
static const struct {
    const char *table, *column, *type;
} added_columns[] = {
    {"outbox", "read_as", "TEXT"},          /* v3: what the user saw, for write-back's check */
    {"source_state", "auth_since", "INTEGER DEFAULT 0"}, /* 401/403 since (auth_blocker.c) */
};

static int has_column(sqlite3 *db, const char *table, const char *column)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    return found;
}

/* Appends ALTER TABLE ... ADD COLUMN for every column the tables lack. */
static void schema_add_columns(sqlite3 *db, Buf *b)
{
    for (int i = 0; i < DS__COUNT; i++) {
        const Dataset *ds = dataset_get((DatasetId)i);
        for (int f = 2; f < ds->nfields; f++)
            if (!has_column(db, ds->name, ds->fields[f].name))
                buf_printf(b, "ALTER TABLE %s ADD COLUMN %s %s;\n", ds->name, ds->fields[f].name,
                           sql_type(ds->fields[f].type));
    }
    for (size_t i = 0; i < MC_ARRAY_LEN(added_columns); i++)
        if (!has_column(db, added_columns[i].table, added_columns[i].column))
            buf_printf(b, "ALTER TABLE %s ADD COLUMN %s %s;\n", added_columns[i].table,
                       added_columns[i].column, added_columns[i].type);
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return version;
}

static int exec_or_err(sqlite3 *db, const char *sql, char **err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        set_err(err, "cache schema: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* Brings the schema to CACHE_SCHEMA_VERSION in one transaction: tables and
 * indexes are created IF NOT EXISTS (an older cache keeps its rows and gains
 * what it lacks), missing columns are added, then the data fixes of each
 * version passed. The version is read again under the write lock, so two
 * processes opening an old cache at once migrate it once. */
static int migrate(sqlite3 *db, char **err)
{
    int version = user_version(db);
    if (version > CACHE_SCHEMA_VERSION) {
        set_err(err, "cache schema version %d is newer than this mc understands (%d)", version,
                CACHE_SCHEMA_VERSION);
        return -1;
    }
    if (version == CACHE_SCHEMA_VERSION)
        return 0; /* every schema change bumps the version, so nothing to do */
    if (exec_or_err(db, "BEGIN IMMEDIATE", err) != 0)
        return -1;
    version = user_version(db);
    if (version >= CACHE_SCHEMA_VERSION)
        return exec_or_err(db, "COMMIT", err);
    Buf b = {0};
    for (int i = 0; i < DS__COUNT; i++)
        schema_table(&b, dataset_get((DatasetId)i));
    buf_puts(&b, schema_extra);
    int rc = exec_or_err(db, b.s, err);
    b.len = 0;
    if (rc == 0) {
        schema_add_columns(db, &b);
        if (version < 3)
            /* v3: blockers before it were all for the owner; sources read
             * again (no etag) so every blocker row gets read_as */
            buf_puts(&b, "UPDATE blockers SET for_owner = 1 WHERE for_owner IS NULL;\n"
                         "UPDATE source_state SET etag = NULL;\n");
        buf_printf(&b, "PRAGMA user_version = %d;\nCOMMIT;\n", CACHE_SCHEMA_VERSION);
        rc = exec_or_err(db, b.s, err);
    }
    buf_free(&b);
    return rc;
}

/* Only the first open of a path in this process runs the full quick_check. */
static pthread_mutex_t checked_lock = PTHREAD_MUTEX_INITIALIZER;
static char *checked_path;

static __thread int quick_check_off; /* per thread: the UI's opens skip it */

void cache_set_quick_check(int on)
{
    quick_check_off = !on;
}

static int integrity_ok(sqlite3 *db, const char *path, char **why)
{
    pthread_mutex_lock(&checked_lock);
    int already = quick_check_off || (checked_path && strcmp(checked_path, path) == 0);
    pthread_mutex_unlock(&checked_lock);
    const char *sql = already ? "SELECT count(*) FROM sqlite_master" : "PRAGMA quick_check";
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        set_err(why, "%s", sqlite3_errmsg(db));
        return 0;
    }
    rc = sqlite3_step(st);
    int ok = rc == SQLITE_ROW;
    if (ok && !already) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        ok = r && strcmp(r, "ok") == 0;
        if (!ok)
            set_err(why, "quick_check: %s", r ? r : "?");
    } else if (!ok) {
        set_err(why, "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    if (ok && !already) {
        pthread_mutex_lock(&checked_lock);
        free(checked_path);
        checked_path = xstrdup(path);
        pthread_mutex_unlock(&checked_lock);
    }
    return ok;
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

/* Process-wide SQLite settings, before the library initializes: no memory
 * statistics (they take a global mutex on every allocation), and no bulk
 * page-cache allocation when a connection opens (SQLite would touch 20
 * pages' worth, ~86 KB, up front in every connection; pages now come one
 * at a time as they are read). */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
    sqlite3_initialize();
}

/* The cache is private whatever the umask or directory: SQLite gives -wal
 * and -shm the mode of the database file, so that one is made 0600 first
 * (an older, wider cache and its -wal/-shm are narrowed). */
static void private_files(const char *path)
{
    file_make_private(path, 1);
    for (int i = 0; i < 2; i++) {
        char *side = xasprintf("%s%s", path, i ? "-shm" : "-wal");
        file_make_private(side, 0);
        free(side);
    }
}

static int open_db(const char *path, sqlite3 **out, char **err)
{
    pthread_once(&sqlite_once, sqlite_setup);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        set_err(err, "cache %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 1);
    *out = db;
    return 0;
}

/* No mmap (issue 13): every connection of the process (UI, workers,
 * outbox) mapped the file on its own and each mapping's touched pages
 * counted in RSS again (-430 KB peak RSS for the dashboard with file
 * sources, 120x40); reads go through each connection's page cache, which
 * holds only the pages read, up to cache_size. */
static int configure_db(sqlite3 *db, char **why)
{
    char *msg = NULL;
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         " PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;"
                         " PRAGMA cache_size=-8192; PRAGMA mmap_size=0;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        set_err(why, "%s", msg ? msg : "cannot set WAL mode");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Moves a damaged cache (and its -wal/-shm) aside. */
static void move_aside(const char *path, char **warn, const char *why)
{
    char *dst = xasprintf("%s.corrupt-%lld", path, (long long)(now_ms() / 1000));
    int rc = rename(path, dst);
    for (int i = 0; i < 2; i++) {
        char *a = xasprintf("%s%s", path, i ? "-shm" : "-wal");
        char *b = xasprintf("%s%s", dst, i ? "-shm" : "-wal");
        if (rename(a, b) != 0)
            unlink(a);
        free(a);
        free(b);
    }
    if (warn)
        set_err(warn, "cache %s was damaged (%s); %s %s and rebuilt", path, why,
                rc == 0 ? "moved it aside to" : "could not move it aside, removed", dst);
    if (rc != 0)
        unlink(path);
    free(dst);
}

int cache_open(const char *path, Cache **out, char **warn, char **err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir_p(dir, 0700) != 0) {
            set_err(err, "cannot create cache directory %s: %s", dir, strerror(errno));
            free(dir);
            return -1;
        }
    }
    free(dir);
    sqlite3 *db = NULL;
    /* one open at a time in this process: threads racing to create a new
     * cache would otherwise see each other's half-made schema */
    pthread_mutex_lock(&open_lock);
    for (int attempt = 0;; attempt++) {
        private_files(path);
        if (open_db(path, &db, err) != 0) {
            pthread_mutex_unlock(&open_lock);
            return -1;
        }
        char *why = NULL;
        int ok = configure_db(db, &why) == 0 && integrity_ok(db, path, &why) && migrate(db, &why) == 0;
        if (ok)
            break;
        /* only a file SQLite calls not-a-database or corrupt, or one that
         * fails quick_check, is damaged; busy, locked or I/O errors are not */
        int code = sqlite3_errcode(db) & 0xff;
        int damaged = code == SQLITE_NOTADB || code == SQLITE_CORRUPT || (why && strstr(why, "quick_check"));
        int busy = code == SQLITE_BUSY || code == SQLITE_LOCKED;
        sqlite3_close(db);
        db = NULL;
        if (busy && attempt < 50) {
            free(why);
            usleep(20000);
            continue;
        }
        if (!damaged || attempt > 0) {
            set_err(err, "cache %s: %s", path, why ? why : "unusable");
            free(why);
            pthread_mutex_unlock(&open_lock);
            return -1;
        }
        move_aside(path, warn, why ? why : "unreadable");
        free(why);
    }
    pthread_mutex_unlock(&open_lock);
    Cache *c = xcalloc(1, sizeof *c);
    c->db = db;
    c->path = xstrdup(path);
    *out = c;
    return 0;
}

void cache_release_memory(Cache *c)
{
    if (c && c->db)
        sqlite3_db_release_memory(c->db);
    malloc_trim(0);
}

void cache_close(Cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < DS__COUNT; i++)
        for (int j = 0; j < 2; j++)
            sqlite3_finalize(c->put[i][j]);
    sqlite3_finalize(c->set_resolved);
    sqlite3_close(c->db);
    free(c->path);
    free(c);
}

sqlite3 *cache_db(Cache *c)
{
    return c->db;
}

void cache_no_checkpoint(Cache *c)
{
    sqlite3_exec(c->db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);
    sqlite3_busy_timeout(c->db, 250);
}

const char *cache_path(const Cache *c)
{
    return c->path;
}

static pthread_mutex_t write_fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char *write_fail;

void cache_write_note(const char *err)
{
    pthread_mutex_lock(&write_fail_lock);
    if (!err || !write_fail || strcmp(err, write_fail) != 0) {
        free(write_fail);
        write_fail = err ? xstrdup(err) : NULL;
    }
    pthread_mutex_unlock(&write_fail_lock);
}

char *cache_write_failure(void)
{
    pthread_mutex_lock(&write_fail_lock);
    char *copy = write_fail ? xstrdup(write_fail) : NULL;
    pthread_mutex_unlock(&write_fail_lock);
    return copy;
}

int cache_writable(const char *path, char *why, size_t n)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, strlen(dir) + 1, ".");
    struct statvfs vs;
    int rc = -1;
    if (statvfs(dir, &vs) != 0)
        rc = errno == ENOENT ? 0 : (snprintf(why, n, "%s: %s", dir, strerror(errno)), -1);
    else if (vs.f_flag & ST_RDONLY)
        snprintf(why, n, "the file system of %s is read-only", dir);
    else if (access(dir, W_OK) != 0 || (access(path, F_OK) == 0 && access(path, W_OK) != 0))
        snprintf(why, n, "cannot write there: %s", strerror(errno));
    else if ((unsigned long long)vs.f_bavail * vs.f_frsize < (1ULL << 20))
        snprintf(why, n, "the disk holding %s is full (%llu KB free)", dir,
                 (unsigned long long)vs.f_bavail * vs.f_frsize / 1024);
    else
        rc = 0;
    free(dir);
    return rc;
}

int cache_exec(Cache *c, const char *sql, char **err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        set_err(err, "cache: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int cache_begin(Cache *c, char **err)
{
    return cache_exec(c, "BEGIN IMMEDIATE", err);
}

int cache_commit(Cache *c, char **err)
{
    if (cache_exec(c, "COMMIT", err) != 0) {
        cache_rollback(c);
        return -1;
    }
    return 0;
}

void cache_rollback(Cache *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Runs one statement with text parameters (NULL binds NULL). */
int cache_run_text(Cache *c, const char *sql, int n, const char *const *args, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return 0;
}


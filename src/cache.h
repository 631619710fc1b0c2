/* cache.h — the SQLite cache between sources and screens.
 *
 * One table per dataset (fields from dataset.h, primary key (source, key)),
 * plus source_state (engine status and each source's cursor), outbox, audit
 * and snooze. WAL mode, busy timeout, schema version with forward migrations;
 * a cache that is not a database or fails quick_check is renamed aside and
 * rebuilt. Each thread opens its own Cache (its own connection). */
#ifndef MC_CACHE_H
#define MC_CACHE_H

#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>
#include "dataset.h"
#include "config.h"
#include "util.h"

/* 1: first release; 2: index outbox(source, key) for the blockers pane;
 * 3: blockers.for_owner and blockers.read_as, outbox.read_as */
#define CACHE_SCHEMA_VERSION 4

typedef struct Cache Cache;

/* Opens (creating directories, schema and migrations as needed). A damaged
 * file is moved to PATH.corrupt-<epoch> and a note is left in *warn (may be
 * NULL). Returns 0, or -1 with *err. */
int cache_open(const char *path, Cache **out, char **warn, char **err);
void cache_close(Cache *c);
/* After a burst of work on a connection that then idles (a fetch worker
 * between jobs): frees its page cache and hands the process's free heap
 * pages back to the kernel (malloc_trim), so what one fetch needed does not
 * stay resident until the next. */
void cache_release_memory(Cache *c);
/* The first open of a cache in a process runs PRAGMA quick_check (O(size)).
 * A thread that must start fast (the UI thread, `mc snapshot`) turns it off
 * for its own opens; the engine's workers then run it in the background.
 * A file that is not a database is detected either way. Per thread. */
void cache_set_quick_check(int on);
sqlite3 *cache_db(Cache *c);
/* For the UI thread's connection: never checkpoint (a checkpoint fsyncs);
 * the workers' connections do it. Also waits at most 250 ms for another
 * writer's lock (workers keep their transactions short) instead of 5 s: a
 * busy cache gives the UI a "busy, try again" message, never a frozen screen. */
void cache_no_checkpoint(Cache *c);
const char *cache_path(const Cache *c);
/* Can the cache at PATH take writes? 0, or -1 with WHY set: its file system
 * is read-only, its directory or file is not writable, or the disk holding
 * it has under 1 MiB free (what `mc check` says; issue 13). */
int cache_writable(const char *path, char *why, size_t n);
/* The process's last failed write of a fetch's status (disk full, read-only):
 * engine threads note it (NULL when one succeeds), the dashboard shows it,
 * since the failure itself could not reach the cache. A copy, or NULL. */
void cache_write_note(const char *err);
char *cache_write_failure(void);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0 or -1 with *err (may be NULL). */
int cache_begin(Cache *c, char **err);
int cache_commit(Cache *c, char **err);
void cache_rollback(Cache *c);

/* Writes rows of one dataset for one source: upsert on (source, key).
 * CACHE_REPLACE: the set is everything the source has for that dataset, so
 * rows of that source not in it are deleted. CACHE_MERGE: upsert only.
 * Rows with no key get a key hashed from their content. Does not begin a
 * transaction (call inside cache_begin/commit for speed and atomicity). */
enum { CACHE_MERGE = 0, CACHE_REPLACE = 1 };
int cache_put_rows(Cache *c, const char *source, const Rows *rows, int mode, char **err);

/* Deletes every row a source put in a dataset (NULL dataset: all datasets). */
int cache_forget_source(Cache *c, const char *source, const Dataset *ds, char **err);

/* Marks one blocker resolved (a resolution seen at its source). */
int cache_blocker_set_resolved(Cache *c, const char *source, const char *key,
                               int resolved, const char *by, const char *at_iso,
                               const char *note, char **err);
/* Sets a blocker's state ("open", "resolving", "resolved", "failed"). */
int cache_blocker_set_state(Cache *c, const char *source, const char *key,
                            const char *state, char **err);

/* Per-source bookkeeping. Strings are owned by the struct (cache_state_clear frees). */
typedef struct SourceState {
    /* engine status */
    int64_t last_attempt, last_success;   /* epoch ms, 0 = never */
    char *last_error;                     /* NULL when the last attempt succeeded */
    int consecutive_failures;
    int64_t next_due;                     /* epoch ms */
    int breaker;                          /* 0 closed, 1 open, 2 half-open */
    int64_t breaker_until;
    int64_t rows;                         /* rows written by the last success */
    int64_t duration_ms;                  /* of the last attempt */
    /* the source's cursor */
    char *etag, *last_modified;
    int64_t file_offset, file_inode, file_size;
    char *cursor;                         /* free-form (JSON) for the kind */
    int64_t bad_lines;                    /* malformed input counted and skipped */
} SourceState;

void cache_state_clear(SourceState *s);
/* Loads the row (zeroed struct when there is none). */
int cache_state_get(Cache *c, const char *source, SourceState *out, char **err);
/* Saves the engine's columns / the source's cursor columns only. */
int cache_status_put(Cache *c, const char *source, const SourceState *s, char **err);
int cache_cursor_put(Cache *c, const char *source, const SourceState *s, char **err);

/* Lease: returns 1 when owner now holds the source's lease until `until`
 * (free, expired, or already ours), 0 when another owner holds it, -1 on error. */
int cache_lease_try(Cache *c, const char *source, const char *owner,
                    int64_t now, int64_t until, char **err);
void cache_lease_release(Cache *c, const char *source, const char *owner);

/* PRAGMA data_version: changes when another connection commits. */
int64_t cache_data_version(Cache *c);
/* Cheap per-dataset change probes (max(rowid): an index lookup, not a scan;
 * blockers also mix in the outbox, snoozes and the audit, which change them
 * without new rows). A dataset whose probe moved has changed (the dashboard's
 * panes and `mc serve`'s events use them after data_version moved). */
void cache_dataset_probes(Cache *c, int64_t out[DS__COUNT]);

/* Applies retention (rows and age) to every dataset. */
int cache_apply_retention(Cache *c, const Retention *r, int64_t now, char **err);

/* Prints a dataset as a JSON array of objects with the contract's field
 * names (bools as true/false, JSON fields inline), the most recently
 * written rows first. limit <= 0: all rows. */
int cache_dump_dataset(Cache *c, const Dataset *ds, FILE *out, int64_t limit, char **err);
/* The same, only rows of one source (NULL: all) whose time field (the
 * dataset's time_field, else its first time field) is at or after since
 * (normalized ISO-8601 UTC; NULL: any). -1 with *err when since is given for a
 * dataset without a time field. `mc serve` answers with it. */
int cache_dump_dataset_where(Cache *c, const Dataset *ds, FILE *out, int64_t limit,
                             const char *since, const char *source, char **err);
/* Appends column i of a row of st as JSON typed as t (NULL as null, bools as
 * true/false, JSON fields inline): the one cell writer of every dump. */
void cache_dump_cell(Buf *b, sqlite3_stmt *st, int i, FieldType t);
/* Prints the source_state rows as a JSON array (never any secret). */
int cache_dump_sources(Cache *c, FILE *out, char **err);

/* Row count of a dataset (optionally of one source). */
int64_t cache_count(Cache *c, const Dataset *ds, const char *source);

#endif

/* backup.h — `mc backup` and `mc restore`: consistent copies of the cache
 * taken with SQLite's online backup API (one read transaction of the
 * source: in WAL mode writers keep committing while it copies), each next to
 * a NAME.sha256 in `sha256sum -c` format; a restore that verifies the
 * checksum and PRAGMA integrity_check before it changes anything. */
#ifndef MC_BACKUP_H
#define MC_BACKUP_H

#include <stdint.h>
#include <stddef.h>
#include "config.h"
#include "progress.h"

/* Copies the cache at cache_path into dir (created 0700) as
 * cache-YYYYMMDDTHHMMSS.mmmZ.db: a temp name, fsync, rename, then
 * NAME.sha256; both 0600. Only then are backups past the newest `keep`
 * deleted. Returns 0 with *out (the new file; caller frees), or -1 with *err. */
int backup_take(const char *cache_path, const char *dir, int keep, char **out, char **err);

/* Checks file against file.sha256 and runs PRAGMA integrity_check on it
 * (opened read-only, never modified). 0, or -1 with *err saying why. */
int backup_verify(const char *file, char **err);

/* backup_verify, then copies the current cache aside to
 * CACHE.before-restore-YYYYMMDDTHHMMSSZ (0600) and copies the backup into
 * the cache through the backup API, so connections other processes hold see
 * the restored data at their next read. Returns 0 with *aside (NULL when
 * there was no cache; caller frees), or -1 with *err and the cache as it was.
 * pg (NULL: none) shows each step on the progress line. */
int backup_restore(const char *cache_path, const char *file, Progress *pg, char **aside, char **err);

/* Epoch ms of the newest backup in dir, or 0 when there is none. */
int64_t backup_newest(const char *dir);

/* "newest 5h ago (keep 7, daily at 03:00 UTC)", or "newest none yet (...)",
 * for the backup: settings b (their dir's newest backup, backup_newest),
 * into out (outsz bytes): what mc check and the sources view show. */
void backup_status(const BackupConfig *b, char *out, size_t outsz);

/* Whether the daily backup at at_min (UTC minute of the day) is due: the
 * latest scheduled time at or before now is after the newest backup
 * (newest_ms; 0 = none), so a daemon that was down at that time catches up. */
int backup_due(int at_min, int64_t newest_ms, int64_t now_ms);

/* The daemon's daily backup: called about once a second from `mc fetch
 * --daemon`; takes one when backup_due says so and logs the outcome.
 * *newest caches backup_newest between calls (start it at -1). */
void backup_tick(const char *cache_path, const char *dir, int keep, int at_min, int64_t *newest);

#endif

/* util.h — small helpers every module uses: checked allocation, growable
 * buffers, durations, UTC time parsing/formatting, path expansion and the
 * atomic file write that every rewrite of a user's file goes through. */
#ifndef MC_UTIL_H
#define MC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/stat.h>

#define MC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: never returns NULL. On out-of-memory the hook set with
 * util_set_oom_hook (the UI sets one that calls endwin) runs, then abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Room for element n of an array of *cap elements of `size` bytes: doubles
 * from 16 when n == *cap; the new elements are zeroed. Returns the array. */
void *xgrow(void *p, int n, int *cap, size_t size);
char *xstrdup(const char *s);           /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
/* Returns a new string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
void util_set_oom_hook(void (*hook)(void));

/* Replaces *slot with a new formatted string (freeing the old one). */
void set_err(char **slot, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable byte buffer; always NUL-terminated when len > 0 or after any append. */
typedef struct Buf {
    char *s;
    size_t len, cap;
} Buf;
void buf_append_slow(Buf *b, const void *data, size_t n);
/* Appends n bytes (the common case, room to spare, stays inline). */
static inline void buf_append(Buf *b, const void *data, size_t n)
{
    if (b->len + n < b->cap) {
        __builtin_memcpy(b->s + b->len, data, n);
        b->len += n;
        b->s[b->len] = '\0';
    } else {
        buf_append_slow(b, data, n);
    }
}
void buf_puts(Buf *b, const char *s);
static inline void buf_putc(Buf *b, char c)
{
    buf_append(b, &c, 1);
}
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_steal(Buf *b);
/* Appends s as a JSON string body (with the quotes when `quotes`): escapes
 * quotes, backslashes and control characters; invalid UTF-8 becomes U+FFFD. */
void buf_json_string(Buf *b, const char *s, int quotes);                /* returns the string (never NULL); buffer is reset */
void buf_free(Buf *b);

/* Parses "500ms", "30s", "5m", "1h", "2d" (or a bare number of seconds).
 * Returns 0 and sets *ms, or -1 on a malformed duration. */
int duration_parse(const char *s, int64_t *ms);

/* Clocks in milliseconds. */
int64_t now_ms(void);        /* wall clock, UTC epoch ms */
int64_t mono_ms(void);       /* monotonic */

/* Parses ISO-8601 ("2026-11-21T14:03:00Z", with fraction, offset "+02:00",
 * space instead of T, date only "2026-11-21") into epoch ms. Returns 0 or -1. */
int time_parse_iso(const char *s, int64_t *epoch_ms);
/* Interprets a number as epoch seconds or epoch milliseconds (>= 1e11 is ms). */
int64_t time_from_number(double v);
/* Formats epoch ms as "2026-11-21T14:03:00Z" into out (at least 32 bytes). */
void time_format_iso(int64_t epoch_ms, char *out, size_t outsz);
/* Human age: "now", "42s", "5m", "3h", "2d", "5w" into out. */
void time_format_age(int64_t age_ms, char *out, size_t outsz);

/* Expands a leading "~" and every "${NAME}" (unset variable: error).
 * Returns a new string, or NULL with *err set (caller frees both). */
char *path_expand(const char *in, char **err);

/* Opens a data file for reading without ever blocking on it: O_NONBLOCK for
 * the open (a FIFO with no writer), then fstat; anything but a regular file
 * is refused with "PATH: not a regular file (a FIFO)". Blocking mode is
 * restored. Returns the descriptor (st filled when non-NULL), or -1 with *err. */
int file_open_regular(const char *path, struct stat *st, char **err);

/* Reads a whole regular file (file_open_regular), at most max bytes (more is
 * an error). Returns 0, or -1 with *err set. *out is NUL-terminated; caller
 * frees. file_read_until also gives up once mono_ms() passes deadline_ms
 * (0: no deadline), checked between 64 KiB reads. */
int file_read_all(const char *path, size_t max, char **out, size_t *len, char **err);
int file_read_until(const char *path, size_t max, int64_t deadline_ms, char **out, size_t *len,
                    char **err);

/* Replaces path with data: a temp file with a random name created
 * exclusively (O_EXCL|O_NOFOLLOW) in the same directory, given the original's
 * owner, group and mode (or `mode` when the file is new), fsync, rename,
 * fsync of the directory. A path that is a symlink, FIFO, directory or
 * anything but a regular file is refused and left alone. Returns 0 or -1, *err. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char **err);

/* The same replace for data written a piece at a time (`mc export -o`,
 * `mc backup`): file_atomic_open creates the temp file (mode 0600) and opens
 * fp on it; write through fp (or let another writer, such as SQLite, fill
 * af->tmp by name); file_atomic_commit flushes, gives it the original's
 * owner and mode (or `mode`), fsyncs, renames over path and fsyncs the
 * directory; file_atomic_abort removes the temp file. Both free af.
 * Returns NULL / -1 with *err. */
typedef struct AtomicFile {
    char *path, *tmp;
    FILE *fp;
    mode_t mode;
} AtomicFile;
AtomicFile *file_atomic_open(const char *path, mode_t mode, char **err);
int file_atomic_commit(AtomicFile *af, char **err);
void file_atomic_abort(AtomicFile *af);

/* Keeps a file private to its owner: creates it empty with mode 0600
 * (whatever the umask) when `create` and it is missing, and takes the group
 * and other bits off an existing regular file we own. A missing file without
 * `create` is fine. Returns 0 or -1 (errno set). */
int file_make_private(const char *path, int create);


/* mkdir -p with the given mode. Returns 0 or -1 (errno set). */
int mkdir_p(const char *path, mode_t mode);

/* FNV-1a 64-bit, for stable keys of items that have no id. */
uint64_t hash64(const void *data, size_t n);

/* strtol with full checks: returns 0 and *out, or -1. */
int parse_long(const char *s, long min, long max, long *out);

/* XDG directories with fallbacks (~/.config, ~/.cache, ~/.local/state),
 * joined with "mission-control/<leaf>". Returns a new string. */
char *xdg_path(const char *xdg_var, const char *fallback, const char *leaf);

#endif

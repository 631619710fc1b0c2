/* thelp.h — the small assert kit of the unit tests. A test file defines
 * test functions and lists them in main with RUN(); CHECK failures are
 * counted and reported with file:line, and main returns non-zero if any failed. */
#ifndef MC_THELP_H
#define MC_THELP_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>

extern int t_failures, t_checks;
extern const char *t_current;

#define CHECK(cond) do { t_checks++; if (!(cond)) { t_failures++; \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, t_current, #cond); } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); t_checks++; \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) { t_failures++; \
    fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, t_current, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); t_checks++; \
    if (a_ != b_) { t_failures++; \
    fprintf(stderr, "%s:%d: %s: %s == %lld, expected %lld\n", __FILE__, __LINE__, t_current, #a, a_, b_); } } while (0)
#define CHECK_CONTAINS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); t_checks++; \
    if (!h_ || !strstr(h_, n_)) { t_failures++; \
    fprintf(stderr, "%s:%d: %s: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, t_current, h_ ? h_ : "(null)", n_); } } while (0)

/* ---- helpers for source tests (linked against the core) ---- */
#include "../src/cache.h"
#include "../src/config.h"

/* What one fetch reported. */
typedef struct TFetch {
    int rc;
    char *err;                /* caller frees */
    int64_t retry_after_ms;
    int not_modified;
    int64_t rows, requests;
} TFetch;
/* One fetch of the config's first source into cache, as the engine runs it
 * (state loaded, open, fetch, close). now 0: the clock; cancel_now: the
 * cancel flag is already set. */
TFetch t_fetch(Cache *cache, const Config *cfg, int64_t timeout_ms, int64_t now, int cancel_now);
/* One cell of the cache as text (a static buffer), or NULL. */
const char *t_cell(Cache *cache, const char *table, const char *source, const char *key,
                   const char *col);
/* "sources:\n" + text must fail to load: checks that, returns the message
 * (caller frees). */
char *t_config_error(const char *sources_text);

#define RUN(fn) do { t_current = #fn; fn(); } while (0)

/* Marks part of the test as not run, with why: prints "SKIP: why". A test
 * that skipped anything and failed nothing exits 77, which meson and
 * tests/run.sh report as a skip (never as a pass). */
void t_skip(const char *why);
/* Prints the tally and returns the exit status for main: 1 on any failure,
 * else 77 if anything was skipped, else 0. */
int t_done(void);
/* A fresh temporary directory (removed by t_done unless MC_KEEP_TMP is set). */
const char *t_tmpdir(void);
/* Writes text to a file under the temp dir; returns its path (static buffer rotation of 8). */
const char *t_write(const char *name, const char *text);

#endif

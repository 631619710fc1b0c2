/* source.h — what a source kind is: a constant class with
 * configure / open / fetch / resolve / close, one file per kind under
 * src/sources/, all listed in the one table in src/sources/registry.c.
 *
 * A source reads one place (file, command, HTTP API, database) and writes rows
 * of one or more datasets through the FetchCtx it is handed. It never touches
 * the screen. The engine calls fetch on a worker thread with that thread's own
 * cache connection; fetch must honour ctx->deadline_ms and ctx->cancel. */
#ifndef MC_SOURCE_H
#define MC_SOURCE_H

#include <stdatomic.h>
#include <stdint.h>
#include "cache.h"
#include "config.h"
#include "dataset.h"
#include "ynode.h"

typedef struct FetchCtx {
    Cache *cache;                 /* this thread's connection */
    const Config *config;         /* global settings (owner, user, prices) */
    const SourceConfig *src;      /* this source */
    SourceState *state;           /* loaded before fetch; cursor fields are the kind's */
    int64_t now_ms;               /* wall clock at start */
    int64_t deadline_ms;          /* monotonic ms (mono_ms) by which to give up */
    atomic_int *cancel;           /* non-zero: stop soon (set by another thread) */
    char *err;                    /* set on failure (set_err); engine frees */
    int64_t retry_after_ms;       /* a server asked to wait (429/503), 0 = no */
    int not_modified;             /* 304 or unchanged file: rows kept, counts as success */
    int64_t rows;                 /* rows written, for status */
    int64_t requests;             /* requests made, for the rate budget */
} FetchCtx;

/* Writes row sets and the source's cursor in one transaction:
 * begin, cache_put_rows for each non-NULL set with `mode`, cache_cursor_put,
 * commit. Returns 0 or -1 with ctx->err set. */
int fetch_commit(FetchCtx *ctx, Rows *const *sets, int nsets, int mode);
/* The same with a mode per set (modes[i]; NULL: `mode` for all). */
int fetch_commit_modes(FetchCtx *ctx, Rows *const *sets, const int *modes, int nsets, int mode);

/* One write-back request, delivered by the outbox. */
typedef struct ResolveReq {
    const char *action;           /* "resolve" or "unresolve" */
    const char *key;              /* the row's key at this source */
    const char *note;             /* may be "" */
    const char *by;               /* who */
    const char *idempotency_key;  /* stable across retries */
    int64_t now_ms;
    /* What the source read when the user saw the item: the blocker row's
     * read_as, copied into the outbox row at enqueue. The kind's own text
     * (markdown: line number, hash and text of the line); NULL when the row
     * had none. resolve verifies it and refuses when it no longer holds. */
    const char *read_as;
} ResolveReq;

typedef enum {
    RESOLVE_OK = 0,               /* done at the source */
    RESOLVE_RETRY = 1,            /* transient: try again later (retry_after_ms if known) */
    RESOLVE_FAIL = 2,             /* permanent: conflict, 4xx, line changed... */
    RESOLVE_UNSUPPORTED = 3       /* this kind cannot do that action */
} ResolveResult;

typedef struct ResolveOut {
    char *message;                /* why (set_err); caller frees */
    int64_t retry_after_ms;
    int http_status;              /* when there was one */
} ResolveOut;

typedef struct SourceClass {
    const char *kind;             /* the `kind:` string */
    const char *summary;          /* one line for `mc check` and --help */
    /* What a configured source of this kind writes, asked by the screen (age
     * and failure marks), never kept in a second table: `datasets` is what
     * the kind writes when `feeds:` does not say (a DS_BIT per DatasetId; 0
     * when the kind needs `feeds:`), and `datasets_map` names the map of the
     * source whose keys are dataset names ("queries", "tables"; NULL when
     * none). source_datasets() combines them with `feeds:`. */
    uint32_t datasets;
    const char *datasets_map;
    /* Parses the kind's own keys of the source map (common keys like id,
     * kind, every, timeout, feeds are handled by config.c and listed in
     * source_common_keys). Unknown keys are errors. *kcfg is the kind's
     * config, freed with free_config. Returns 0 or -1 with *err. */
    int (*configure)(SourceConfig *sc, const YNode *map, char **err);
    void (*free_config)(void *kcfg);
    /* Runtime state for one engine (may return NULL when there is none). */
    void *(*open)(const SourceConfig *sc);
    void (*close)(void *self);
    /* Reads the source and writes rows. Returns 0, or -1 with ctx->err. */
    int (*fetch)(void *self, FetchCtx *ctx);
    /* Write-back; NULL when the kind cannot. Runs on the outbox thread (or
     * `mc resolve`) with a runtime from open() made for the delivery; self is
     * NULL when the kind has no open(). */
    ResolveResult (*resolve)(void *self, const SourceConfig *sc, const Config *cfg,
                             const ResolveReq *req, ResolveOut *out);
    /* Can this source do `action` ("resolve", "unresolve") as configured?
     * NULL: "resolve" only (when resolve is set). Asked before queuing, so
     * an undo a source cannot do is refused at once, not after delivery. */
    int (*supports)(const SourceConfig *sc, const char *action);
    /* A path to watch with inotify (file or directory); NULL when none.
     * Returns a new string. */
    char *(*watch_path)(const SourceConfig *sc);
} SourceClass;

/* One bit per DatasetId, for SourceClass.datasets and widget masks. */
#ifndef DS_BIT
#define DS_BIT(d) (1u << (d))
#endif

/* The datasets sc writes, a DS_BIT per DatasetId: `feeds:` when given, else
 * the class's datasets, plus the dataset names keying its datasets_map. */
uint32_t source_datasets(const SourceConfig *sc);

/* Whether sc can take this write-back action (see SourceClass.supports). */
int source_supports(const SourceConfig *sc, const char *action);

/* Keys every source map may have; config.c checks these, the kind the rest. */
extern const char *const source_common_keys[];

/* The registry: NULL-terminated table of every kind. */
extern const SourceClass *const source_classes[];
const SourceClass *source_class_find(const char *kind);
/* Comma-separated kinds, for error messages. */
const char *source_kinds(void);

/* Helpers for configure(): the allowed key list is source_common_keys plus
 * `extra` (NULL-terminated). */
int source_check_keys(const YNode *map, const char *const *extra, char **err);

/* The nudge: a process-wide hook a kind calls from its own thread to ask the
 * running engine to fetch a source now (postgres LISTEN/NOTIFY). The engine
 * registers it when it starts and clears it (fn NULL) when it stops; calls
 * are serialized with registration, so fn never runs after it was cleared.
 * source_nudge does nothing when no hook is set; source_nudge_active says
 * whether one is. Implemented in src/sources/registry.c. */
typedef void (*SourceNudge)(void *arg, const char *source_id);
void source_set_nudge(SourceNudge fn, void *arg);
/* Clears the hook only if arg is the one registered (an engine retiring in
 * the background must not clear its successor's). */
void source_clear_nudge(void *arg);
void source_nudge(const char *source_id);
int source_nudge_active(void);

#endif

/* config.h — mc.yaml as typed structs.
 *
 * config_load parses into a fresh Config and only returns it when everything
 * checked out, so a failed (re)load never disturbs the running one. Each
 * source's kind-specific keys are parsed by its SourceClass (configure), so a
 * new kind adds no code here. Widgets and key bindings stay YNode trees for the
 * UI to interpret (it reports their errors with the same FILE:LINE:COLUMN). */
#ifndef MC_CONFIG_H
#define MC_CONFIG_H

#include <stdint.h>
#include "dataset.h"
#include "ynode.h"
#include "alerts/alerts.h"

struct SourceClass;

/* Retention for one dataset: keep at most max_rows rows and/or rows newer
 * than max_age_ms (0 = no limit). */
typedef struct Retention {
    int64_t max_rows;
    int64_t max_age_ms;
    char *archive_dir;     /* `archive: DIR`: rows past the limits are archived
                            * there (archive.h) before they are deleted; NULL: deleted */
} Retention;

typedef struct SourceConfig {
    char *id;                          /* unique */
    char *preset;                      /* `preset:` it was expanded from, or NULL */
    const struct SourceClass *cls;     /* from `kind:` */
    const YNode *node;                 /* the source's map (owned by Config.doc) */
    int64_t every_ms;                  /* refresh interval (default 30s) */
    int64_t timeout_ms;                /* total time per fetch (default 20s) */
    double jitter;                     /* fraction of every, default 0.1 */
    int64_t backoff_max_ms;            /* cap of the exponential backoff (default 10m) */
    int breaker_after;                 /* failures that open the breaker (default 5) */
    int64_t breaker_open_ms;           /* how long it stays open before a probe (default 5m) */
    int rate_per_min, rate_per_hour;   /* request budget (0 = none) */
    const Dataset *feeds;              /* `feeds:` (NULL when the kind decides) */
    int enabled;                       /* `enabled: false` keeps it configured but idle */
    int64_t auth_blocker_after_ms;     /* 401/403 this long -> a blocker (default 1h; auth_blocker.h) */
    void *kcfg;                        /* the kind's parsed config (cls->configure) */
} SourceConfig;

/* serve: — `mc serve` (mc.1 COMMANDS). Paths expanded; NULL = unset. */
typedef struct ServeConfig {
    char *listen;                      /* ADDR:PORT, default 127.0.0.1:8765 */
    char *token_file;                  /* bearer token for reads */
    char *write_token_file;            /* bearer token for writes */
    char **cors_origins;               /* NULL-terminated, or NULL: CORS off */
    char *tls_cert_file, *tls_key_file;/* tls: {cert_file, key_file}; NULL: plain HTTP */
} ServeConfig;

/* backup: — `mc backup` / `mc restore` (mc.1 COMMANDS). */
typedef struct BackupConfig {
    char *dir;                         /* expanded; default XDG state /backups */
    int keep;                          /* newest backups kept (default 7) */
    int at_min;                        /* daily at this UTC minute of the day; -1 = not daily */
    int configured;                    /* a `backup:` map is in the config */
} BackupConfig;

typedef struct Config {
    char *path;                        /* the file it came from ("<demo>" for --demo) */
    YNode *doc;                        /* the whole document; owns every YNode below */
    char *owner;                       /* default "Apple" */
    char *user;                        /* default $USER */
    char *cache_path;                  /* expanded; default XDG cache */
    char *log_path;                    /* expanded; default XDG state */
    char *layout;                      /* default "default" */
    char *layouts_dir;                 /* user layouts: XDG config/mission-control/layouts */
    char *theme;                       /* "auto", "256", "8", "mono" */
    int workers;                       /* fetch threads (default 4) */
    int64_t snooze_ms;                 /* blocker snooze time (default 4h) */
    int64_t stale_ms;                  /* age past which an agent is offline (default 15m) */
    Retention retention[DS__COUNT];
    int nsources;
    SourceConfig *sources;
    const YNode *widgets;              /* sequence, or NULL */
    const YNode *keys;                 /* map, or NULL */
    const YNode *prices;               /* map model -> {input, output, cache_read, cache_write} */
    ServeConfig serve;
    BackupConfig backup;
    AlertsConfig alerts;               /* alerts: rules, notify targets, bell (alerts/alerts.h) */
    BriefConfig brief;                 /* brief: the daily brief (at, tz, notify) */
    int year_start_month;              /* year_start: "MM-DD" (default 01-01): */
    int year_start_day;                /* where the revenue year begins */
} Config;

/* Loads and validates a config file. On success returns 0 with *out (caller
 * frees with config_free); on failure -1 and *err = "FILE:LINE:COLUMN: what". */
int config_load(const char *path, Config **out, char **err);
/* Same, from text in memory (`name` is used in messages and to resolve
 * relative paths against the current directory). */
int config_load_text(const char *name, const char *text, Config **out, char **err);
void config_free(Config *c);

/* The config path from -c, $MC_CONFIG, or $XDG_CONFIG_HOME/mission-control/mc.yaml.
 * Returns a new string. */
char *config_default_path(const char *cli_path);

const SourceConfig *config_source(const Config *c, const char *id);

/* The revenue year (top-level `year_start:`, default 01-01) that holds the
 * UTC day of now_ms, as days since 1970-01-01: [*start_day, *end_day) (the
 * next year's start; end_day may be NULL). A 02-29 start is 02-28 in a
 * common year. c may be NULL (01-01). */
void config_year_span(const Config *c, int64_t now_ms, int64_t *start_day, int64_t *end_day);
/* The current year's start as "YYYY-MM-DD" (for `{{year_start}}`). */
void config_year_start(const Config *c, int64_t now_ms, char out[11]);
/* Days since 1970-01-01 -> year, month (1-12), day. */
void config_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif

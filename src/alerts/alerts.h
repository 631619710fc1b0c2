/* alerts.h — the alerts engine: `alerts:` and `brief:` of mc.yaml as typed
 * structs, the rules that turn the cache's datasets into rows of the `alerts`
 * dataset, and the small API the UI and `mc alerts` use (ack, snooze).
 *
 * Rules run on engine threads only (after a fetch commit, for the rules whose
 * data changed, and on the scheduler's timer for time-based rules), each on
 * that thread's own cache connection. Every visible change of an alert (new,
 * state, detail) is an INSERT OR REPLACE, so the dataset's max(rowid) probe
 * sees it; an evaluation that changes nothing writes nothing. A transition to
 * open (and to cleared, when a target asks) queues its notifications in the
 * outbox in the same transaction (notify.h). */
#ifndef MC_ALERTS_H
#define MC_ALERTS_H

#include <stdint.h>

struct YNode;
struct Config;
struct Cache;

typedef enum { ALERT_INFO = 0, ALERT_WARN = 1, ALERT_CRIT = 2 } AlertSeverity;

/* "info", "warn", "crit". */
const char *alert_severity_name(AlertSeverity s);
/* Parses a severity name; -1 when it is none of the three. */
int alert_severity_parse(const char *s);

/* The rules (DESIGN "Alerts"); each has `enabled` (0 after `rule: off`). */
typedef struct AlertRules {
    struct { int enabled; double after_x; } stale;              /* refresh intervals (3x) */
    struct { int enabled; int after; } failing;                 /* consecutive failures (3) */
    struct { int enabled; } cron;                               /* failed, hung (cron_logs decides), missed */
    struct { int enabled; double warn, crit; int64_t for_ms; double margin; } disk, mem, cpu;
    struct { int enabled; int64_t for_ms; } service;            /* 1m */
    struct { int enabled; double behind_pct; double goal_usd; } revenue_pace;  /* goal 0: the widget's */
    struct { int enabled; } data_quality;
    struct { int enabled; double daily_usd; } agent_cost;       /* 50 */
    struct { int enabled; int64_t after_ms; } agent_offline;    /* 30m */
    struct { int enabled; int64_t after_ms; } blocker_age;      /* 48h */
    struct { int enabled; } outbox;
} AlertRules;

typedef enum { NOTIFY_WEBHOOK, NOTIFY_COMMAND } NotifyKind;

/* One `alerts.notify` (or `brief.notify`) target. */
typedef struct NotifyTarget {
    NotifyKind kind;
    char *name;                 /* `name:` or "webhook1", "command2" (1-based position) */
    char *url;                  /* webhook */
    const struct YNode *headers;/* webhook `headers:` map (owned by Config.doc), or NULL */
    const struct YNode *auth;   /* webhook `auth:` like http_json (net/auth.h), or NULL */
    char **argv;                /* command: NULL-terminated, no shell */
    int64_t timeout_ms;         /* default 10s */
    AlertSeverity min;          /* default warn */
    int resolved;               /* also notify clears (default false) */
    int64_t renotify_ms;        /* at most one notification per alert per period (1h) */
} NotifyTarget;

typedef struct AlertsConfig {
    AlertRules rules;
    int ntargets;
    NotifyTarget *targets;
    int bell;                   /* terminal bell on a new crit (default 0) */
    int configured;             /* an `alerts:` map is in the config */
} AlertsConfig;

/* brief: {at: "07:00", tz: America/Chicago, notify: [...]} — the daily brief. */
typedef struct BriefConfig {
    int at_min;                 /* minute of the day in tz; -1 = not daily */
    char *tz;                   /* zone name for the system tz database; NULL = UTC */
    int ntargets;               /* brief.notify; 0 = use alerts.notify's targets */
    NotifyTarget *targets;
    int configured;
} BriefConfig;

/* Config parsing (alerts_config.c), called by config.c. m may be NULL
 * (defaults). Return 0, or -1 with *err = "FILE:LINE:COL: what". */
void alerts_config_defaults(AlertsConfig *a);
int alerts_config_parse(AlertsConfig *a, const struct YNode *m, char **err);
void alerts_config_free(AlertsConfig *a);
void brief_config_defaults(BriefConfig *b);
int brief_config_parse(BriefConfig *b, const struct YNode *m, char **err);
void brief_config_free(BriefConfig *b);

/* Rule sets, for evaluating only what changed (bit i = 1 << DatasetId, plus
 * ALERTS_ON_SOURCES for source_state and ALERTS_ON_TIMER for time-based). */
#define ALERTS_ON_SOURCES (1u << 30)
#define ALERTS_ON_TIMER   (1u << 29)
#define ALERTS_ON_OUTBOX  (1u << 28)
#define ALERTS_ALL        0xffffffffu

/* Evaluates the rules that depend on `what` against the cache at now_ms and
 * records every transition (with its outbox rows) in one transaction per
 * evaluation. Never on the UI thread. Returns the number of alerts whose
 * visible row changed, or -1 with *err. */
int alerts_evaluate(struct Cache *c, const struct Config *cfg, unsigned what, int64_t now_ms, char **err);

/* ack: the alert leaves the open list until it clears (state acked,
 * acked_by). snooze: hidden until until_ms (then open again if it still
 * holds). Every active alert with that key (the same condition of several
 * sources, e.g. disk:/ of two hosts). One short transaction each. Return 0, 1 when there is no open
 * alert with that key, or -1 with *err. */
int alerts_ack(struct Cache *c, const char *key, const char *by, char **err);
int alerts_snooze(struct Cache *c, const char *key, int64_t until_ms, char **err);

/* Open alerts (state open and not snoozed at now_ms), or all with `all`,
 * as a cJSON array of objects with the dataset's public fields (plus
 * "snoozed_until" when snoozed). Caller frees with cJSON_Delete. NULL, *err on error. */
struct cJSON *alerts_list_json(struct Cache *c, int all, int64_t now_ms, char **err);

#endif

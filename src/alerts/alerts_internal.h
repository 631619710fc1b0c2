/* alerts_internal.h — what rules.c hands to alerts_store.c: the conditions
 * found true in one evaluation (Finding), which rules ran, and which sources
 * are held back (failing or stale: inhibition). */
#ifndef MC_ALERTS_INTERNAL_H
#define MC_ALERTS_INTERNAL_H

#include <stdint.h>
#include <sqlite3.h>
#include "alerts.h"

typedef struct Finding {
    char *rule, *source, *key, *title, *detail;
    AlertSeverity sev;
} Finding;

typedef struct AlertEval {
    Finding *f;
    int n, cap;
    const char *ran[16];      /* rule names evaluated this time */
    int nran;
    char **held;              /* sources failing or stale (NULL-terminated) */
    int nheld;
    int64_t now;
    int queued;               /* notification rows queued by this evaluation */
} AlertEval;

/* Adds a finding (copies the strings; title and detail printf-style). */
void alert_found(AlertEval *ev, const char *rule, const char *source, const char *key, AlertSeverity sev,
                 const char *title, const char *detail);
int alert_held(const AlertEval *ev, const char *source);
/* Severity of the active (open or acked) alert source/key, or -1 when none:
 * the threshold rules' hysteresis. */
int alert_active_severity(sqlite3 *db, const char *source, const char *key);

/* rules.c: runs the rules of `what` into ev (inside the caller's transaction). */
void alerts_rules_run(sqlite3 *db, const struct Config *cfg, unsigned what, AlertEval *ev);
/* alerts_store.c: records ev's transitions (and their outbox rows). Returns
 * the number of rows changed, -1 with *err. Inside the caller's transaction. */
int alerts_store_apply(struct Cache *c, const struct Config *cfg, AlertEval *ev, char **err);
void alert_eval_free(AlertEval *ev);

#endif

/* actions_alerts.c — `a` (ack) and `s` (snooze) in the alerts pane. Like a
 * blocker's snooze, each is one short transaction on the UI thread's
 * connection (250 ms busy timeout, no network, no fsync): the alerts
 * engine's alerts_ack / alerts_snooze (src/alerts/). A busy cache says so and
 * changes nothing; the user presses again. Nothing here is undone by `u`: an
 * ack ends when the alert clears, a snooze when its period ends. */
#include "actions.h"

#include <stdlib.h>
#include <string.h>
#include "../alerts/alerts.h"
#include "../textsafe.h"
#include "../util.h"

/* The alert's title for the status line: sanitized, cut. */
static char *alert_label(Cache *c, const char *key)
{
    sqlite3_stmt *st;
    char *title = NULL;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT title FROM alerts WHERE key = ?1 LIMIT 1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            title = xstrndup((const char *)sqlite3_column_text(st, 0), 60);
        sqlite3_finalize(st);
    }
    char *clean = textsafe_clean(title && *title ? title : key, 0);
    free(title);
    return clean;
}

int ui_action_alerts(Cache *c, const Config *cfg, int ack, int n, char *const *keys, char **msg)
{
    int done = 0, failed = 0;
    char *why = NULL, *first = NULL, for_[32];
    time_format_age(cfg->snooze_ms, for_, sizeof for_);
    for (int i = 0; i < n; i++) {
        char *err = NULL;
        int rc = ack ? alerts_ack(c, keys[i], cfg->user, &err)
                     : alerts_snooze(c, keys[i], now_ms() + cfg->snooze_ms, &err);
        if (rc == 0) {
            if (!first)
                first = alert_label(c, keys[i]);
            done++;
        } else {
            failed++;
            free(why);
            why = rc > 0 ? xstrdup("it is no longer open")
                  : err && strstr(err, "locked") ? xstrdup("the cache is busy (a fetch is "
                                                           "writing): press again")
                  : xstrdup(err ? err : "failed");
        }
        free(err);
    }
    if (failed == 0 && done == 1)
        set_err(msg, ack ? "acknowledged: %s (hidden until it clears)" : "snoozed for %s: %s",
                ack ? first : for_, ack ? "" : first);
    else if (failed == 0)
        set_err(msg, "%s %d alerts", ack ? "acknowledged" : "snoozed", done);
    else
        set_err(msg, "cannot %s: %s", ack ? "acknowledge" : "snooze", why ? why : "failed");
    free(why);
    free(first);
    return failed;
}

/* badge.c — the alerts badge on the status line and the bell. When no
 * alerts pane is on screen, the status line shows the open alerts by
 * severity ("▲ 2 crit 1 warn", red when any is crit, amber for warn), so an
 * alert is seen whatever the layout. The counts are re-read only when the
 * alerts dataset's probe moved (status.c reads the probes after a commit)
 * or every 10 s (a snooze running out changes nothing in the table until
 * the engine notices). With `alerts.bell: true`, a crit alert that was not
 * open at the previous count rings the terminal bell once. UI thread only:
 * one bounded query on the UI's connection. */
#include "ui_internal.h"

#include "../draw/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#define MAX_CRIT 64         /* crit keys remembered for the bell */

static int known_crit(const Ui *ui, const char *key)
{
    for (int i = 0; i < ui->ncrit; i++)
        if (strcmp(ui->crit_keys[i], key) == 0)
            return 1;
    return 0;
}

void badge_free(Ui *ui)
{
    for (int i = 0; i < ui->ncrit; i++)
        free(ui->crit_keys[i]);
    free(ui->crit_keys);
    ui->crit_keys = NULL;
    ui->ncrit = 0;
}

void badge_update(Ui *ui, int force)
{
    if (!ui->cache || (!force && ui->alerts_probe == ui->ds_probe[DS_ALERTS] &&
                       ui->alerts_counted))
        return;
    ui->alerts_probe = ui->ds_probe[DS_ALERTS];
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(ui->cache),
                           "SELECT severity, key FROM alerts WHERE state = 'open' AND"
                           " coalesce(snoozed_until_ms, 0) <= ?1 LIMIT 10000", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;             /* an old cache without the table: no badge */
    }
    sqlite3_bind_int64(st, 1, now_ms());
    int counts[3] = {0, 0, 0}, ring = 0, n = 0;
    char **keys = xcalloc(MAX_CRIT, sizeof *keys);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *sev = (const char *)sqlite3_column_text(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        int i = sev && strcmp(sev, "crit") == 0 ? 2 : sev && strcmp(sev, "warn") == 0 ? 1 : 0;
        counts[i]++;
        if (i == 2 && key && n < MAX_CRIT) {
            ring |= ui->alerts_counted && !known_crit(ui, key);
            keys[n++] = xstrdup(key);
        }
    }
    sqlite3_finalize(st);
    badge_free(ui);
    ui->crit_keys = keys;
    ui->ncrit = n;
    memcpy(ui->alerts, counts, sizeof counts);
    ui->alerts_counted = 1;
    if (ring && ui->cfg->alerts.bell)
        beep();
}

int badge_text(const Ui *ui, char *out, size_t n, Role *role)
{
    out[0] = '\0';
    if (!ui->alerts[0] && !ui->alerts[1] && !ui->alerts[2])
        return 0;
    for (int i = 0; i < ui->npanes; i++)
        if (ui->panes[i]->shown && strcmp(ui->panes[i]->cls->name, "alerts") == 0)
            return 0;       /* the pane says it */
    static const char *const names[3] = {"info", "warn", "crit"};
    size_t off = (size_t)snprintf(out, n, "%s", ui->ascii ? "!" : "\u25b2");
    for (int i = 2; i >= 0 && off < n; i--)
        if (ui->alerts[i])
            off += (size_t)snprintf(out + off, n - off, " %d %s", ui->alerts[i], names[i]);
    *role = ui->alerts[2] ? ROLE_CRIT : ui->alerts[1] ? ROLE_WARN : ROLE_STATUS;
    return 1;
}

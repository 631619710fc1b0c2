/* brief_daily.c — the daemon's daily brief (brief_daily.h). The payload of
 * the notification is {"kind":"brief", "date", "title", "text" (the brief as
 * markdown, what chat webhooks show), "brief" (the JSON form, mc.1)}. A
 * missed time (the daemon was down at brief.at) is caught up at the next
 * start the same local day. */
#include "brief_daily.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "alerts/notify.h"
#include "brief.h"
#include "textsafe.h"
#include "tzfile.h"
#include "util.h"

#define DAY_MS 86400000LL

int brief_daily_check(const Config *cfg, char **err)
{
    int off;
    if (cfg->brief.at_min < 0)
        return 0;
    if (tz_offset(cfg->brief.tz, now_ms(), &off, err) != 0)
        return -1;
    return 0;
}

/* The payload: the brief as markdown text and as JSON. New object. */
static cJSON *payload(const Brief *b, const char *date, const char *subject)
{
    Buf md = {0}, js = {0};
    brief_render(b, BRIEF_MARKDOWN, 0, &md);
    brief_render(b, BRIEF_JSON, 0, &js);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "brief");
    cJSON_AddStringToObject(o, "date", date);
    cJSON_AddStringToObject(o, "title", subject);
    cJSON_AddStringToObject(o, "text", md.s ? md.s : "");
    cJSON *brief = js.s ? cJSON_Parse(js.s) : NULL;
    if (brief)
        cJSON_AddItemToObject(o, "brief", brief);
    buf_free(&md);
    buf_free(&js);
    return o;
}

int brief_daily_tick(BriefDaily *d, const Config *cfg, int64_t now, char **err)
{
    if (cfg->brief.at_min < 0 || now < d->retry_at)
        return 0;
    if (d->offset_at == 0 || now - d->offset_at >= 60000 || now < d->offset_at) {
        if (tz_offset(cfg->brief.tz, now, &d->offset_s, err) != 0) {
            d->retry_at = now + 60000;
            return -1;
        }
        d->offset_at = now;
    }
    int64_t local = now + (int64_t)d->offset_s * 1000;
    int64_t minute = ((local % DAY_MS) + DAY_MS) % DAY_MS / 60000;
    char date[40];
    time_format_iso(local, date, sizeof date);
    date[10] = '\0';
    if (strcmp(date, d->done) == 0 || minute < cfg->brief.at_min)
        return 0;
    if (!cfg->brief.ntargets && !cfg->alerts.ntargets) {
        memcpy(d->done, date, 11);      /* nowhere to send it (mc check says 0 targets) */
        return 0;
    }
    char *warn = NULL;
    if (!d->cache && cache_open(cfg->cache_path, &d->cache, &warn, err) != 0) {
        free(warn);
        d->retry_at = now + 60000;
        return -1;
    }
    free(warn);
    Brief b;
    if (brief_collect(cache_db(d->cache), cfg, now, DAY_MS, &b, err) != 0) {
        d->retry_at = now + 60000;
        return -1;
    }
    char subject[200], key[64];
    brief_subject(&b, date, subject, sizeof subject);
    snprintf(key, sizeof key, "brief-%.10s", date);
    cJSON *p = payload(&b, date, subject);
    brief_free(&b);
    /* every target of brief.notify (else alerts.notify): crit passes every min: */
    int n = notify_enqueue(d->cache, cfg, cfg->brief.ntargets ? cfg->brief.targets : NULL,
                           cfg->brief.ntargets, key, subject, p, ALERT_CRIT, err);
    cJSON_Delete(p);
    if (n < 0) {
        d->retry_at = now + 60000;
        return -1;
    }
    memcpy(d->done, date, 11);          /* "YYYY-MM-DD" and its NUL */
    d->already = n == 0;
    return n > 0;
}

void brief_daily_close(BriefDaily *d)
{
    if (d->cache)
        cache_close(d->cache);
    d->cache = NULL;
}

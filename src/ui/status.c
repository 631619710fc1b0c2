/* status.c — what the screen knows about freshness: which configured
 * sources feed which datasets (asked of each source's class, plus the
 * datasets it already has rows in), their source_state rows (age, failures, last
 * error) turned into each pane's PaneInfo, and cheap change detection. After
 * a wake-up or a tick, PRAGMA data_version says whether anyone committed;
 * only then are the per-dataset probes read (max(rowid), an index lookup, not
 * a scan) together with the sources' states, and only panes whose signature
 * moved are reloaded. */
#include "ui_internal.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "../alerts/notify.h"
#include "../source.h"
#include "actions.h"

#define BIT(d) (1u << (d))

void sources_free(Ui *ui)
{
    for (int i = 0; i < ui->nsrc; i++)
        cache_state_clear(&ui->src[i].st);
    free(ui->src);
    ui->src = NULL;
    ui->nsrc = 0;
}

/* Adds the datasets each configured source has rows in (a skip scan over the
 * (source, key) primary key: one index lookup per distinct source). */
static void scan_sources_with_rows(Ui *ui)
{
    sqlite3 *db = cache_db(ui->cache);
    for (int d = 0; d < DS__COUNT; d++) {
        if (dataset_mc_owned(dataset_get((DatasetId)d)))
            continue;
        char *sql = xasprintf("SELECT source FROM %s WHERE source > ?1 ORDER BY source LIMIT 1",
                              dataset_get((DatasetId)d)->name);
        sqlite3_stmt *st;
        int ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
        free(sql);
        char last[256] = "";
        for (int guard = 0; ok && guard < 1000; guard++) {
            sqlite3_bind_text(st, 1, last, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_ROW)
                break;
            const char *s = (const char *)sqlite3_column_text(st, 0);
            if (!s || strlen(s) >= sizeof last)
                break;
            snprintf(last, sizeof last, "%s", s);
            sqlite3_reset(st);
            for (int i = 0; i < ui->nsrc; i++)
                if (strcmp(ui->src[i].sc->id, last) == 0)
                    ui->src[i].datasets |= BIT(d);
        }
        if (ok)
            sqlite3_finalize(st);
    }
}

void sources_init(Ui *ui)
{
    sources_free(ui);
    ui->src = xcalloc((size_t)(ui->cfg->nsources ? ui->cfg->nsources : 1), sizeof *ui->src);
    for (int i = 0; i < ui->cfg->nsources; i++) {
        const SourceConfig *sc = &ui->cfg->sources[i];
        if (!sc->enabled)
            continue;
        ui->src[ui->nsrc].sc = sc;
        ui->src[ui->nsrc].datasets = source_datasets(sc);   /* the class says */
        ui->nsrc++;
    }
    if (ui->cache)
        scan_sources_with_rows(ui);
    ui->fed = 0;
    for (int i = 0; i < ui->nsrc; i++)
        ui->fed |= ui->src[i].datasets;
    ui->data_version = -1;
}

/* Re-reads every source's state and the per-dataset probes. */
void sources_refresh(Ui *ui)
{
    for (int i = 0; i < ui->nsrc; i++) {
        char *err = NULL;
        cache_state_clear(&ui->src[i].st);
        if (cache_state_get(ui->cache, ui->src[i].sc->id, &ui->src[i].st, &err) != 0)
            memset(&ui->src[i].st, 0, sizeof ui->src[i].st);
        free(err);
    }
    cache_dataset_probes(ui->cache, ui->ds_probe);
}

static uint64_t mix(uint64_t h, int64_t v)
{
    return hash64(&v, sizeof v) ^ (h * 1099511628211ULL);
}

static uint64_t pane_signature(Ui *ui, Pane *p)
{
    uint64_t h = 1469598103934665603ULL;
    for (int d = 0; d < DS__COUNT; d++)
        if (p->cls->datasets & BIT(d))
            h = mix(h, ui->ds_probe[d]);
    for (int i = 0; i < ui->nsrc; i++) {
        const UiSource *s = &ui->src[i];
        if (!(s->datasets & p->cls->datasets))
            continue;
        h = mix(h, s->st.last_success);
        h = mix(h, s->st.last_attempt);
        h = mix(h, s->st.rows);
    }
    return h;
}

void ui_check_data(Ui *ui, int force)
{
    int64_t v = cache_data_version(ui->cache);
    if (!force && v == ui->data_version)
        return;
    ui->data_version = v;
    sources_refresh(ui);
    badge_update(ui, 0);                /* the alerts' counts, when that dataset moved */
    char *msg = NULL;                   /* a queued resolve delivered or failed */
    int failed = 0;
    if (ui_actions_poll(ui->cache, &msg, &failed))
        ui_set_msg(ui, failed, "%s", msg);
    free(msg);
    int64_t now = now_ms();
    for (int i = 0; i < ui->npanes; i++) {
        Pane *p = ui->panes[i];
        uint64_t sig = pane_signature(ui, p);
        if (sig != p->sig || force) {
            p->sig = sig;
            p->need_load = 1;
        }
        if (pane_update_info(ui, p, now))
            p->need_draw = 1;
    }
}

void coarse_age(int64_t ms, char *out, size_t n)
{
    if (ms < 0)
        snprintf(out, n, "-");
    else if (ms < 10000)
        snprintf(out, n, "now");
    else if (ms < 60000)
        snprintf(out, n, "%llds", (long long)(ms / 10000 * 10));
    else
        time_format_age(ms, out, n);
}

/* Recomputes a pane's PaneInfo; returns 1 when what its border shows changed. */
int pane_update_info(Ui *ui, Pane *p, int64_t now)
{
    PaneInfo old = p->info;
    char old_age[24], new_age[24];
    coarse_age(old.data_age_ms, old_age, sizeof old_age);
    int64_t newest = 0, err_at = -1;
    const UiSource *err_src = NULL;
    int failing = 0, stale = 0;
    for (int i = 0; i < ui->nsrc; i++) {
        const UiSource *s = &ui->src[i];
        if (!(s->datasets & p->cls->datasets))
            continue;
        if (s->st.last_success > newest)
            newest = s->st.last_success;
        if (s->st.last_error && s->st.consecutive_failures > 0) {
            failing = 1;
            if (s->st.last_attempt > err_at) {
                err_at = s->st.last_attempt;
                err_src = s;
            }
        }
        int64_t every = s->sc->every_ms > 0 ? s->sc->every_ms : 30000;
        if (s->st.last_success > 0 && now - s->st.last_success > 3 * every)
            stale = 1;
    }
    p->info.data_age_ms = newest > 0 ? (now > newest ? now - newest : 0) : -1;
    p->info.failing = failing;
    p->info.stale = stale;
    char *e = err_src ? xasprintf("%s: %s", err_src->sc->id, err_src->st.last_error) : NULL;
    int err_changed = (e == NULL) != (p->info_error == NULL) ||
                      (e && strcmp(e, p->info_error) != 0);
    free(p->info_error);
    p->info_error = e;
    p->info.error = e;
    coarse_age(p->info.data_age_ms, new_age, sizeof new_age);
    return err_changed || old.failing != failing || old.stale != stale ||
           strcmp(old_age, new_age) != 0;
}

int pane_unfed(const Ui *ui, const Pane *p, char *why, size_t n)
{
    uint32_t reads = p->cls->datasets & ~(BIT(DS_AUDIT) | BIT(DS_ALERTS)); /* mc writes these itself */
    if (!reads || (reads & ui->fed))
        return 0;
    if (why) {
        size_t off = (size_t)snprintf(why, n, "no source feeds ");
        int k = 0;
        for (int d = 0; d < DS__COUNT && off < n; d++)
            if (reads & BIT(d))
                off += (size_t)snprintf(why + off, n - off, "%s%s", k++ ? " or " : "",
                                        dataset_get((DatasetId)d)->name);
    }
    return 1;
}

/* "500ms", "10s", "5m", "2h" for an interval. */
static void fmt_interval(int64_t ms, char *out, size_t n)
{
    if (ms < 1000)
        snprintf(out, n, "%lldms", (long long)ms);
    else if (ms < 60000 || ms % 60000)
        snprintf(out, n, "%llds", (long long)(ms / 1000));
    else if (ms < 3600000 || ms % 3600000)
        snprintf(out, n, "%lldm", (long long)(ms / 60000));
    else
        snprintf(out, n, "%lldh", (long long)(ms / 3600000));
}

/* The sources behind a pane, one paragraph each, for the detail view. */
void pane_sources_text(Ui *ui, Pane *p, Buf *b)
{
    int64_t now = now_ms();
    int any = 0;
    for (int i = 0; i < ui->nsrc; i++) {
        const UiSource *s = &ui->src[i];
        if (!(s->datasets & p->cls->datasets))
            continue;
        char age[24] = "never", every[24];
        if (s->st.last_success > 0) {
            time_format_age(now - s->st.last_success, age, sizeof age);
            if (strcmp(age, "now") != 0) {
                size_t l = strlen(age);
                snprintf(age + l, sizeof age - l, " ago");
            }
        }
        fmt_interval(s->sc->every_ms, every, sizeof every);
        buf_printf(b, "%s (%s, every %s): ", s->sc->id, s->sc->cls ? s->sc->cls->kind : "?", every);
        if (s->st.last_error && s->st.consecutive_failures > 0)
            buf_printf(b, "FAILING (%d in a row): %s\n", s->st.consecutive_failures,
                       s->st.last_error);
        else if (s->st.last_attempt == 0)
            buf_puts(b, "not fetched yet\n");
        else
            buf_printf(b, "ok, rows: %lld\n", (long long)s->st.rows);
        buf_printf(b, "  last success: %s\n", age);
        if (s->st.bad_lines > 0) {
            buf_printf(b, "  malformed input skipped: %lld\n", (long long)s->st.bad_lines);
            /* kinds that count bad lines keep the last one's number and why */
            cJSON *cur = s->st.cursor ? cJSON_Parse(s->st.cursor) : NULL;
            const cJSON *bl = cJSON_GetObjectItemCaseSensitive(cur, "bad_line");
            const cJSON *why = cJSON_GetObjectItemCaseSensitive(cur, "why");
            if (cJSON_IsNumber(bl))
                buf_printf(b, "  last malformed line: %lld%s%s\n", (long long)bl->valuedouble,
                           cJSON_IsString(why) ? ": " : "", cJSON_IsString(why) ? why->valuestring : "");
            cJSON_Delete(cur);
        }
        buf_puts(b, "\n");
        any = 1;
    }
    if (p->cls->datasets & (1u << DS_ALERTS)) {  /* the engine writes alerts: show who hears of them */
        notify_status_text(ui->cache, ui->cfg, b);
        return;
    }
    if (!any)
        buf_puts(b, "No configured source feeds this pane's data.\n");
}

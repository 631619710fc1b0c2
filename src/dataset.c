/* dataset.c — the dataset contract (names, fields, types) and row sets.
 * The cache builds its tables from these definitions and `mc snapshot` prints
 * them, so this file is the one place the contract's field names live. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>
#include "util.h"

#define SK {"source", F_TEXT}, {"key", F_TEXT}

static const Field blockers_f[] = {
    SK, {"from_agent", F_TEXT}, {"description", F_TEXT}, {"context", F_TEXT},
    {"created_at", F_TIME}, {"resolved", F_BOOL}, {"resolved_at", F_TIME},
    {"resolved_by", F_TEXT}, {"note", F_TEXT}, {"state", F_TEXT},
    /* 1: the item needs the owner (names them, or is addressed to them);
     * 0: blocked on something else. A source that does not say: 1. */
    {"for_owner", F_BOOL},
    /* what the source read, so write-back can check the item is still the
     * one the user saw (markdown_tasks: line, hash and text of the line) */
    {"read_as", F_TEXT},                 /* internal: the last field, not in the contract */
};
static const Field activity_f[] = {
    SK, {"ts", F_TIME}, {"event_type", F_TEXT}, {"agent", F_TEXT}, {"status", F_TEXT},
    {"details", F_TEXT},
};
static const Field revenue_f[] = {
    SK, {"snapshot_date", F_TEXT}, {"total_ytd_usd", F_REAL}, {"projected_annual_usd", F_REAL},
    {"streams", F_JSON},
};
static const Field system_f[] = {
    SK, {"host", F_TEXT}, {"ts", F_TIME}, {"cpu_pct", F_REAL}, {"mem_pct", F_REAL},
    {"disk_pct", F_REAL}, {"load1", F_REAL}, {"health_score", F_INT}, {"services", F_JSON},
};
static const Field agents_f[] = {
    SK, {"agent_id", F_TEXT}, {"status", F_TEXT}, {"last_seen", F_TIME}, {"current_task", F_TEXT},
    {"model", F_TEXT}, {"tokens_today", F_INT}, {"cost_today_usd", F_REAL},
};
static const Field usage_f[] = {
    SK, {"agent_id", F_TEXT}, {"date", F_TEXT}, {"model", F_TEXT}, {"input_tokens", F_INT},
    {"output_tokens", F_INT}, {"cache_read_tokens", F_INT}, {"cache_write_tokens", F_INT},
    {"total_cost_usd", F_REAL}, {"message_count", F_INT},
};
static const Field cron_f[] = {
    SK, {"job_id", F_TEXT}, {"name", F_TEXT}, {"schedule", F_TEXT}, {"enabled", F_BOOL},
    {"last_run", F_TIME}, {"last_status", F_TEXT}, {"last_duration_ms", F_INT},
    {"next_run", F_TIME}, {"consecutive_failures", F_INT},
};
static const Field projects_f[] = {
    SK, {"name", F_TEXT}, {"status", F_TEXT}, {"owner", F_TEXT}, {"updated_at", F_TIME},
};
static const Field audit_f[] = {
    SK, {"ts", F_TIME}, {"user", F_TEXT}, {"action", F_TEXT}, {"target", F_TEXT},
    {"note", F_TEXT}, {"result", F_TEXT},
};
/* One alert per condition: key is stable per condition ("stale:handoffs"),
 * source the source it is about ("" for none). The internal fields are the
 * engine's own bookkeeping (transition count, snooze, notification times). */
static const Field alerts_f[] = {
    SK, {"rule", F_TEXT}, {"severity", F_TEXT}, {"title", F_TEXT}, {"detail", F_TEXT},
    {"first_seen", F_TIME}, {"last_seen", F_TIME}, {"state", F_TEXT}, {"acked_by", F_TEXT},
    {"cleared_at", F_TIME},
    /* internal (not printed): the transition number (1 for the first raise,
     * +1 per re-raise after a clear), the snooze end (wall ms, 0 = none) and
     * when a notification was last queued (wall ms), for `renotify` */
    {"transition", F_INT}, {"snoozed_until_ms", F_INT}, {"notified_ms", F_INT},
};

/* ninternal: how many of the last fields are the cache's own (not printed) */
#define DSX(id, name, f, order, tf, ninternal) \
    {id, name, f, (int)MC_ARRAY_LEN(f), order, tf, (int)MC_ARRAY_LEN(f) - (ninternal)}
#define DS(id, name, f, order, tf) DSX(id, name, f, order, tf, 0)
static const Dataset datasets[DS__COUNT] = {
    DSX(DS_BLOCKERS, "blockers", blockers_f, "created_at DESC", NULL, 1),
    DS(DS_ACTIVITY, "activity", activity_f, "ts DESC", "ts"),
    DS(DS_REVENUE, "revenue", revenue_f, "snapshot_date DESC", "snapshot_date"),
    DS(DS_SYSTEM, "system", system_f, "ts DESC", "ts"),
    DS(DS_AGENTS, "agents", agents_f, "agent_id", NULL),
    DS(DS_USAGE, "usage", usage_f, "date DESC", "date"),
    DS(DS_CRON, "cron", cron_f, "job_id", NULL),
    DS(DS_PROJECTS, "projects", projects_f, "name", NULL),
    DS(DS_AUDIT, "audit", audit_f, "ts DESC", "ts"),
    DSX(DS_ALERTS, "alerts", alerts_f, "last_seen DESC", "cleared_at", 3),
};

const Dataset *dataset_get(DatasetId id)
{
    return (id >= 0 && id < DS__COUNT) ? &datasets[id] : NULL;
}

const Dataset *dataset_find(const char *name)
{
    for (int i = 0; name && i < DS__COUNT; i++)
        if (strcmp(datasets[i].name, name) == 0)
            return &datasets[i];
    return NULL;
}

int dataset_field(const Dataset *ds, const char *name)
{
    for (int i = 0; ds && name && i < ds->nfields; i++)
        if (strcmp(ds->fields[i].name, name) == 0)
            return i;
    return -1;
}

const char *dataset_names(void)
{
    return "blockers, activity, revenue, system, agents, usage, cron, projects, audit, alerts";
}

int dataset_mc_owned(const Dataset *ds)
{
    return ds && (ds->id == DS_AUDIT || ds->id == DS_ALERTS);
}

Rows *rows_new(const Dataset *ds)
{
    Rows *r = xcalloc(1, sizeof *r);
    r->ds = ds;
    return r;
}

static void cell_clear(Value *v)
{
    if (v->kind == V_TEXT)
        free(v->u.s);
    v->kind = V_NULL;
}

void rows_clear(Rows *r)
{
    if (!r)
        return;
    int n = r->nrows * r->ds->nfields;
    for (int i = 0; i < n; i++)
        cell_clear(&r->cells[i]);
    r->nrows = 0;
}

void rows_free(Rows *r)
{
    if (!r)
        return;
    rows_clear(r);
    free(r->cells);
    free(r);
}

int rows_add(Rows *r)
{
    int nf = r->ds->nfields;
    if (r->nrows == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->cells = xrealloc(r->cells, (size_t)r->cap * (size_t)nf * sizeof(Value));
    }
    memset(&r->cells[r->nrows * nf], 0, (size_t)nf * sizeof(Value));
    return r->nrows++;
}

Value *rows_cell(Rows *r, int row, int field)
{
    if (row < 0 || row >= r->nrows || field < 0 || field >= r->ds->nfields)
        return NULL;
    return &r->cells[row * r->ds->nfields + field];
}

const Value *rows_cell_c(const Rows *r, int row, int field)
{
    return rows_cell((Rows *)r, row, field);
}

void rows_set_textn(Rows *r, int row, int field, const char *s, size_t n)
{
    Value *v = rows_cell(r, row, field);
    if (!v)
        return;
    cell_clear(v);
    if (!s)
        return;
    v->kind = V_TEXT;
    v->u.s = xstrndup(s, n);
}

void rows_set_text(Rows *r, int row, int field, const char *s)
{
    rows_set_textn(r, row, field, s, s ? strlen(s) : 0);
}

void rows_set_int(Rows *r, int row, int field, int64_t x)
{
    Value *v = rows_cell(r, row, field);
    if (!v)
        return;
    cell_clear(v);
    v->kind = V_INT;
    v->u.i = x;
}

void rows_set_real(Rows *r, int row, int field, double x)
{
    Value *v = rows_cell(r, row, field);
    if (!v)
        return;
    cell_clear(v);
    v->kind = V_REAL;
    v->u.d = x;
}

void rows_set_null(Rows *r, int row, int field)
{
    Value *v = rows_cell(r, row, field);
    if (v)
        cell_clear(v);
}

void rows_set_time(Rows *r, int row, int field, int64_t epoch_ms)
{
    /* years 0001..9999 only: past them the ISO text would not sort as a
     * time (the cache compares times as text), so no time, not a wrong one */
    if (epoch_ms < -62135596800000LL || epoch_ms > 253402300799999LL) {
        rows_set_null(r, row, field);
        return;
    }
    char iso[40];
    time_format_iso(epoch_ms, iso, sizeof iso);
    rows_set_text(r, row, field, iso);
}

void rows_set_text_f(Rows *r, int row, const char *field, const char *s)
{
    rows_set_text(r, row, dataset_field(r->ds, field), s);
}

/* aggregate.h — `aggregate:` of http_json: the items of every page (and every
 * date window) summed into ONE `revenue` row for today instead of one row per
 * item: amount (a number or a numeric string) x scale over the items whose
 * date falls in the current revenue year (top-level `year_start:`), per
 * stream (`stream:` a fixed name, or `stream_field:` an item field). The row
 * is keyed by its snapshot_date, so earlier days' rows stay (history). */
#ifndef MC_AGGREGATE_H
#define MC_AGGREGATE_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "../config.h"
#include "../dataset.h"
#include "../ynode.h"

typedef struct AggregateCfg {
    int enabled;
    char *amount, *date;       /* JSON paths inside one item */
    char *stream;              /* fixed stream name (default: the source id) */
    char *stream_field;        /* or: a path naming each item's stream */
    double scale;              /* 1.0, or 0.01 for cents */
} AggregateCfg;

typedef struct AggStream {
    char *name;
    long double sum;           /* unscaled */
} AggStream;

typedef struct Aggregate {
    const AggregateCfg *cfg;
    int64_t start_day, end_day;/* the revenue year, days since 1970 [start, end) */
    int64_t today;             /* the UTC day of the snapshot */
    int nstreams;
    AggStream *streams;
    int64_t counted, skipped;  /* items summed; items outside the year or undated */
} Aggregate;

/* Reads `aggregate:` from a source map (absent: cfg->enabled = 0); sid names
 * the default stream. Returns 0 or -1 with *err at the key's position. */
int aggregate_configure(AggregateCfg *cfg, const YNode *map, const char *sid, char **err);
void aggregate_cfg_free(AggregateCfg *cfg);

void aggregate_begin(Aggregate *a, const AggregateCfg *cfg, const Config *config, int64_t now_ms);
void aggregate_end(Aggregate *a);
/* Adds the items `items` (a JSON path) matches in doc. Returns the number of
 * items seen, or -1 with *err (an amount that is not a number). */
int aggregate_apply(Aggregate *a, const char *items, const cJSON *doc, char **err);
/* The day's revenue row (key = snapshot_date = today) appended to out. */
void aggregate_row(const Aggregate *a, Rows *out);

#endif

/* outputs.h — `outputs:` of the command kind: one JSON document into rows
 * of several datasets, each with its own mapping and a few row operations,
 * for gateways whose one listing feeds several panes (an agent gateway's
 * sessions -> agents AND usage):
 *
 *   outputs:
 *     usage:                       # a dataset name
 *       items: $.sessions[*]       # the mapping of net/mapping.h:
 *       fields: {...}              #   items, fields, set, scale
 *       part: {agent_id: {path: key, sep: ":", index: 1}}   # a piece of a string
 *       text: {schedule: ["{a.expr} ({a.tz})", "{a.expr}"]}   # the first template
 *                                  # whose every {path} is a string or number
 *                                  # ({path|ms}: milliseconds as 15m, 1d, 1500ms)
 *       day: {date: updatedAt}     # the UTC day (YYYY-MM-DD) of a time
 *       cost: {into: total_cost_usd, model: model, input: inputTokens,
 *              output: outputTokens, cache_read: ..., cache_write: ...}
 *                                  # tokens x the top-level prices: (USD per
 *                                  # million) of the item's model
 *       today: {time: updatedAt, fields: [tokens_today]}   # zero unless today
 *       group_by: [agent_id, date] # one row per group: numbers summed, times
 *                                  # the latest, text the newest row's (by the
 *                                  # first time field); key = the group's
 *                                  # values joined with ':'
 *       count: message_count       # items in the group
 *       mode: merge                # replace (default) or merge (keep rows
 *                                  # the document no longer has)
 *
 * The operations run per item in the order listed (part, text, day, cost, today),
 * then the grouping. All paths are JSON paths inside one item. */
#ifndef MC_SOURCES_OUTPUTS_H
#define MC_SOURCES_OUTPUTS_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "../config.h"
#include "../dataset.h"
#include "../ynode.h"

typedef struct Outputs Outputs;

/* Reads `outputs:` of map (NULL *out when absent). Returns 0 or -1 with *err
 * at the key's position. */
int outputs_configure(const YNode *map, Outputs **out, char **err);
void outputs_free(Outputs *o);
/* The datasets the outputs write, a DS_BIT each. */
uint32_t outputs_datasets(const Outputs *o);

/* Maps doc into one row set per output (*sets: new array of *nsets, each
 * freed with rows_free, the array with free) and the write mode of each
 * (CACHE_REPLACE / CACHE_MERGE) into *modes (new array). prices: the
 * top-level prices: map (may be NULL); now_ms for `today:`. Returns 0 or -1
 * with *err (nothing left to free then). */
int outputs_apply(const Outputs *o, const cJSON *doc, const YNode *prices, int64_t now_ms, Rows ***sets,
                  int **modes, int *nsets, char **err);

#endif

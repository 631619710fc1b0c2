/* convex.h — the part of the `convex` kind that knows Mission Control's
 * document shapes (convex_shapes.c), used by convex.c after the plain
 * items/fields mapping. */
#ifndef MC_SOURCES_CONVEX_H
#define MC_SOURCES_CONVEX_H

#include <cjson/cJSON.h>
#include "../dataset.h"

/* Fills the cells of row that the plain mapping left NULL from the Convex
 * document item: ts from _creationTime; revenue streams [{name, ytd_usd}]
 * from `sources`, an epoch snapshot_date as a date; system cpu/mem/disk
 * percentages from numbers or {percent | used/total}, services
 * [{name, up, detail}] from a list or a {name: status} map, load1 from
 * `load`, host = source_id. */
void convex_fix_row(Rows *r, int row, const cJSON *item, const char *source_id);

#endif

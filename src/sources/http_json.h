/* http_json.h — the response mapping of the http_json kind apart from its
 * HTTP: what a fetch does with each page that came back with an OK status
 * (its body parsed, mapped by items/fields/set/scale into rows or summed by
 * aggregate:, and the next page's URL found per paginate:). http_json_fetch
 * calls these for every page; tests/fuzz/fuzz_presets.c calls them on
 * bodies of its own, without a network. */
#ifndef MC_SOURCES_HTTP_JSON_H
#define MC_SOURCES_HTTP_JSON_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "../source.h"
#include "../net/http.h"
#include "aggregate.h"

/* One fetch's row set (empty, of the source's dataset) into *rows; with
 * aggregate: the sum begun in *agg and returned (end it with aggregate_row
 * and aggregate_end), else NULL. sc must be an http_json source. */
Aggregate *http_json_map_begin(const SourceConfig *sc, const Config *config, int64_t now_ms, Aggregate *agg,
                               Rows **rows);

/* One response's body (resp->body, from resp->host) parsed into *doc
 * (caller deletes) and mapped into rows, or summed into agg when not NULL.
 * Returns the page's items (rows added), or -1 with *err. */
int http_json_map_page(const SourceConfig *sc, const HttpResponse *resp, Rows *rows, Aggregate *agg,
                       cJSON **doc, char **err);

/* The URL of the page after the one at cur (its response resp, parsed doc,
 * page_items items, seen items so far with these) per paginate:, in *next
 * (NULL: none, or no paginate:). Returns 0, or -1 with *err (a next URL
 * that is not one, or on another host). */
int http_json_next_page(const SourceConfig *sc, const char *cur, const HttpResponse *resp, const cJSON *doc,
                        int page_items, int64_t seen, char **next, char **err);

#endif

/* teamkit.h — small pieces shared by the team back-end kinds that speak
 * HTTP+JSON to a database service (convex.c, postgrest.c): YAML values as
 * JSON request bodies, parsing a response body, and the default field
 * paths of a dataset. Secrets, retries and options come from the HTTP
 * kit in src/net/ (http.h, secret.h, scrub.h). */
#ifndef MC_SOURCES_TEAMKIT_H
#define MC_SOURCES_TEAMKIT_H

#include <cjson/cJSON.h>
#include "../dataset.h"
#include "../ynode.h"
#include "../net/http.h"

/* A YAML node as JSON: unquoted numbers, true/false and null keep their
 * type, everything else is a string. Returns a new tree (caller deletes). */

/* The optional key `key` of map as a JSON object (absent: an empty object).
 * Returns 0 with *out (caller deletes), or -1 with *err at the node. */
int team_yaml_object(const YNode *map, const char *key, cJSON **out, char **err);

/* Checks that url is http:// or https:// with a host; returns a copy without
 * trailing slashes in *out (caller frees). 0, or -1 with *err at map.key. */
int team_base_url(const YNode *map, const char *key, const char *url, char **out, char **err);

/* Parses a response body as JSON. NULL with *err ("malformed JSON from HOST
 * at byte N: near '...'", "empty response from HOST (HTTP 200)"). */
cJSON *team_parse_body(const HttpResponse *r, char **err);

/* A growing NULL-terminated list of "field", "path" pairs for
 * mapping_configure. team_pairs_add copies both; team_pairs_free frees. */
typedef struct TeamPairs {
    int n;
    char **v;
} TeamPairs;
void team_pairs_add(TeamPairs *p, const char *field, const char *path);
/* Adds field -> camelCase(field) (or the field name itself when snake is
 * set) for every field of ds except source and those listed in skip. */
void team_pairs_all(TeamPairs *p, const Dataset *ds, int snake, const char *const *skip);
void team_pairs_free(TeamPairs *p);

/* The number a JSON value stands for (number or numeric string); 0 or -1. */
int team_json_number(const cJSON *v, double *out);

/* Milliseconds of a time cell (ISO text), or -1 when it has none. */
int64_t team_cell_time(const Rows *r, int row, int field);

/* Drops the rows whose keep[row] is 0 (order kept). */
void team_rows_keep(Rows *r, const unsigned char *keep);

#endif

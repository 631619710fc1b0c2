/* jsonpath.h — the small JSON path dialect of `items:` and `fields:`:
 * `$`, `.key`, `['key with space']`, `[3]`, `[-1]`, `[*]` and bare `key.sub`
 * (a leading `$.` is optional), and alternatives `a || b` (b's match when a
 * has none or is null: `conclusion || status`). Used to map API responses and JSON files into
 * dataset rows. */
#ifndef MC_JSONPATH_H
#define MC_JSONPATH_H

#include <cjson/cJSON.h>

/* Checks syntax. Returns 0, or -1 with *err ("bad JSON path 'x': why"). */
int jsonpath_validate(const char *path, char **err);

/* Every node the path matches under root, in document order, appended to
 * *out (grown with xrealloc; caller frees the array, not the nodes).
 * Returns the number of matches (0 when none), -1 on a bad path. */
int jsonpath_eval(const char *path, const cJSON *root, const cJSON ***out, int *n, char **err);

/* The first match, or NULL. */
const cJSON *jsonpath_get(const char *path, const cJSON *root);

#endif

/* mapping.h — turns a JSON document into rows of one dataset, as configured by
 * a source's `items:` (where the rows are), `fields:` (dataset field: JSON path
 * inside one item), `set:` (constant fields) and `scale:` (field: factor, e.g.
 * 0.01 for cents to dollars). Shared by http_json, json_file, command and the
 * database kinds. Values are converted to the field's type: times from ISO
 * strings, epoch seconds or epoch milliseconds; numbers from numeric strings;
 * bools from true/false/1/0/"yes"; objects and arrays as JSON text. */
#ifndef MC_MAPPING_H
#define MC_MAPPING_H

#include <cjson/cJSON.h>
#include "../dataset.h"
#include "../ynode.h"

typedef struct MapField {
    int field;        /* index in ds->fields */
    char *path;       /* JSON path inside one item */
    double scale;     /* 1.0 unless scaled */
} MapField;

typedef struct MapConst {
    int field;
    char *value;
} MapConst;

typedef struct Mapping {
    const Dataset *ds;
    char *items;      /* path to the items; default "$[*]" for arrays, "$" else */
    int nfields;
    MapField *fields;
    int nconsts;
    MapConst *consts;
} Mapping;

/* Reads items/fields/set/scale from a source map for dataset ds. `defaults`
 * is a NULL-terminated list of "field", "path" pairs used for every dataset
 * field the map does not name (may be NULL); a default whose path matches
 * nothing is simply absent. Unknown dataset fields are errors at their line.
 * Returns 0 or -1 with *err. */
int mapping_configure(Mapping *m, const Dataset *ds, const YNode *map,
                      const char *const *defaults, char **err);
void mapping_free(Mapping *m);

/* Appends one row per item found in doc to out (out->ds must be m->ds).
 * Returns the number of rows added, or -1 with *err (e.g. items path matched
 * something that is not an object). */
int mapping_apply(const Mapping *m, const cJSON *doc, Rows *out, char **err);

/* A YAML node as JSON: maps and sequences as objects and arrays; plain
 * scalars that read as numbers, true/false or null become those; quoted
 * scalars stay strings. Returns a new cJSON; caller deletes. */
cJSON *mapping_ynode_json(const YNode *n);

/* Converts one JSON value into a row cell of the given field (type rules
 * above). Exposed for sources that map by hand. */
void mapping_set_value(Rows *r, int row, int field, const cJSON *v, double scale);

#endif

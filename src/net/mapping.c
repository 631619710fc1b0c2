/* mapping.c — turns a JSON document into typed dataset rows.
 *
 * A source's `items:`, `fields:`, `set:` and `scale:` keys are read once by
 * mapping_configure; every fetch then calls mapping_apply on the parsed
 * response (http_json, command) or file (json_file). Values that cannot be
 * converted to their field's type become NULL cells: one odd value never fails
 * a whole fetch. An items path that finds nothing at all (not even an empty
 * array) is an error, so an error envelope never wipes the cached rows. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mapping.h"
#include "jsonpath.h"
#include "../util.h"

/* ---- configuration ---------------------------------------------------- */

/* The index of a dataset field named by key node k, or -1 with *err at k. */
static int field_of(const Dataset *ds, const YNode *k, const char *what, char **err)
{
    int f = dataset_field(ds, k->scalar);
    if (f < 0)
        return ynode_error(k, err, "unknown field '%s' in %s for dataset %s", k->scalar, what,
                           ds->name);
    if (f == 0)
        return ynode_error(k, err, "field 'source' is the source id; it cannot be mapped");
    return f;
}

static MapField *find_mapfield(Mapping *m, int field)
{
    for (int i = 0; i < m->nfields; i++)
        if (m->fields[i].field == field)
            return &m->fields[i];
    return NULL;
}

static int find_const(const Mapping *m, int field)
{
    for (int i = 0; i < m->nconsts; i++)
        if (m->consts[i].field == field)
            return i;
    return -1;
}

static void add_field(Mapping *m, int field, const char *path)
{
    m->fields = xrealloc(m->fields, sizeof *m->fields * (size_t)(m->nfields + 1));
    m->fields[m->nfields++] = (MapField){field, xstrdup(path), 1.0};
}

/* A YAML node as JSON (for `set:` values of JSON fields given as YAML, and
 * query arguments); plain scalars that read as numbers, bools or null
 * become those, quoted ones stay strings. */
cJSON *mapping_ynode_json(const YNode *n)
{
    if (n->type == YN_SEQ) {
        cJSON *a = cJSON_CreateArray();
        for (int i = 0; i < n->n; i++)
            cJSON_AddItemToArray(a, mapping_ynode_json(n->items[i]));
        return a;
    }
    if (n->type == YN_MAP) {
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; i < n->n; i++)
            cJSON_AddItemToObject(o, n->keys[i]->scalar, mapping_ynode_json(n->items[i]));
        return o;
    }
    const char *s = n->scalar ? n->scalar : "";
    if (!n->quoted) {
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (*s && !*end && !errno && isfinite(d) && !isspace((unsigned char)*s) &&
            strncasecmp(s, "0x", 2) != 0)
            return cJSON_CreateNumber(d);
        if (!strcmp(s, "true"))
            return cJSON_CreateTrue();
        if (!strcmp(s, "false"))
            return cJSON_CreateFalse();
        if (!*s || !strcmp(s, "null") || !strcmp(s, "~"))
            return cJSON_CreateNull();
    }
    return cJSON_CreateString(s);
}

static int read_fields(Mapping *m, const YNode *fields, char **err)
{
    if (fields->type != YN_MAP)
        return ynode_error(fields, err, "fields: expected a map of dataset field: JSON path");
    for (int i = 0; i < fields->n; i++) {
        const YNode *k = fields->keys[i], *v = fields->items[i];
        int f = field_of(m->ds, k, "fields", err);
        if (f < 0)
            return -1;
        if (v->type != YN_SCALAR)
            return ynode_error(v, err, "fields: the path of '%s' must be a string", k->scalar);
        char *perr = NULL;
        if (jsonpath_validate(v->scalar, &perr) < 0) {
            ynode_error(v, err, "%s", perr);
            free(perr);
            return -1;
        }
        if (find_mapfield(m, f))
            return ynode_error(k, err, "field '%s' is mapped twice", k->scalar);
        add_field(m, f, v->scalar);
    }
    return 0;
}

static int read_set(Mapping *m, const YNode *set, char **err)
{
    if (set->type != YN_MAP)
        return ynode_error(set, err, "set: expected a map of dataset field: value");
    for (int i = 0; i < set->n; i++) {
        const YNode *k = set->keys[i], *v = set->items[i];
        int f = field_of(m->ds, k, "set", err);
        if (f < 0)
            return -1;
        if (find_mapfield(m, f))
            return ynode_error(k, err, "field '%s' is both in fields and in set", k->scalar);
        if (find_const(m, f) >= 0)
            return ynode_error(k, err, "field '%s' is set twice", k->scalar);
        char *value;
        if (v->type == YN_SCALAR) {
            value = xstrdup(v->scalar ? v->scalar : "");
        } else {
            cJSON *j = mapping_ynode_json(v);
            value = cJSON_PrintUnformatted(j);
            cJSON_Delete(j);
            if (!value)
                return ynode_error(v, err, "set: cannot convert '%s' to JSON", k->scalar);
        }
        m->consts = xrealloc(m->consts, sizeof *m->consts * (size_t)(m->nconsts + 1));
        m->consts[m->nconsts++] = (MapConst){f, value};
    }
    return 0;
}

static int read_scale(Mapping *m, const YNode *scale, char **err)
{
    if (scale->type != YN_MAP)
        return ynode_error(scale, err, "scale: expected a map of dataset field: factor");
    for (int i = 0; i < scale->n; i++) {
        const YNode *k = scale->keys[i];
        int f = field_of(m->ds, k, "scale", err);
        if (f < 0)
            return -1;
        double d = 1.0;
        if (ynode_double(scale, k->scalar, &d, err) < 0)
            return -1;
        if (!isfinite(d))
            return ynode_error(scale->items[i], err, "scale: factor must be a finite number");
        FieldType t = m->ds->fields[f].type;
        if (t != F_REAL && t != F_INT)
            return ynode_error(k, err, "scale: field '%s' is not a number", k->scalar);
        MapField *mf = find_mapfield(m, f);
        if (!mf)
            return ynode_error(k, err, "scale: field '%s' has no path in fields", k->scalar);
        mf->scale = d;
    }
    return 0;
}

int mapping_configure(Mapping *m, const Dataset *ds, const YNode *map,
                      const char *const *defaults, char **err)
{
    memset(m, 0, sizeof *m);
    m->ds = ds;
    const YNode *n;
    if ((n = ynode_get(map, "items"))) {
        char *perr = NULL;
        if (n->type != YN_SCALAR)
            return ynode_error(n, err, "items: expected a JSON path");
        if (jsonpath_validate(n->scalar, &perr) < 0) {
            ynode_error(n, err, "%s", perr);
            free(perr);
            return -1;
        }
        m->items = xstrdup(n->scalar);
    }
    if ((n = ynode_get(map, "fields")) && read_fields(m, n, err) < 0)
        goto fail;
    if ((n = ynode_get(map, "set")) && read_set(m, n, err) < 0)
        goto fail;
    for (int i = 0; defaults && defaults[i] && defaults[i + 1]; i += 2) {
        int f = dataset_field(ds, defaults[i]);
        char *derr = NULL;
        if (f > 0 && !find_mapfield(m, f) && find_const(m, f) < 0
            && jsonpath_validate(defaults[i + 1], &derr) == 0)
            add_field(m, f, defaults[i + 1]);
        free(derr);
    }
    if ((n = ynode_get(map, "scale")) && read_scale(m, n, err) < 0)
        goto fail;
    return 0;
fail:
    mapping_free(m);
    return -1;
}

void mapping_free(Mapping *m)
{
    if (!m)
        return;
    free(m->items);
    for (int i = 0; i < m->nfields; i++)
        free(m->fields[i].path);
    free(m->fields);
    for (int i = 0; i < m->nconsts; i++)
        free(m->consts[i].value);
    free(m->consts);
    memset(m, 0, sizeof *m);
}

/* ---- value conversion ------------------------------------------------- */

/* A whole string as a finite number (surrounding spaces allowed). */
static int str_number(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(d))
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *out = d;
    return 0;
}

/* The number a JSON value stands for (number or numeric string). */
static int json_number(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        *out = v->valuedouble;
        return 0;
    }
    if (cJSON_IsString(v) && v->valuestring)
        return str_number(v->valuestring, out);
    return -1;
}

/* Integers print without ".0"; other numbers with enough digits to round-trip. */
static void number_text(double d, char *out, size_t outsz)
{
    if (d == floor(d) && fabs(d) < 9.007199254740992e15) {
        snprintf(out, outsz, "%lld", (long long)d);
        return;
    }
    snprintf(out, outsz, "%.15g", d);
    if (strtod(out, NULL) != d)
        snprintf(out, outsz, "%.17g", d);
}

static void set_json_text(Rows *r, int row, int field, const cJSON *v)
{
    char *s = cJSON_PrintUnformatted(v);
    if (s)
        rows_set_text(r, row, field, s);
    else
        rows_set_null(r, row, field);
    free(s);
}

static void set_time(Rows *r, int row, int field, const cJSON *v)
{
    int64_t ms;
    double d;
    if (cJSON_IsString(v) && v->valuestring && time_parse_iso(v->valuestring, &ms) == 0)
        rows_set_time(r, row, field, ms);
    else if (json_number(v, &d) == 0 && fabs(d) < 1e15)
        rows_set_time(r, row, field, time_from_number(d));
    else
        rows_set_null(r, row, field);
}

static void set_int(Rows *r, int row, int field, const cJSON *v, double scale)
{
    double d;
    if (cJSON_IsString(v) && v->valuestring && scale == 1.0) {
        /* exact for big integers sent as strings (Convex Int64) */
        const char *s = v->valuestring;
        char *end;
        errno = 0;
        long long ll = strtoll(s, &end, 10);
        if (end != s && !*end && !errno) {
            rows_set_int(r, row, field, ll);
            return;
        }
    }
    if (json_number(v, &d) == 0) {
        d = round(d * scale);
        if (isfinite(d) && fabs(d) < 9.2e18) {
            rows_set_int(r, row, field, (int64_t)d);
            return;
        }
    }
    rows_set_null(r, row, field);
}

static void set_bool(Rows *r, int row, int field, const cJSON *v)
{
    int b = -1;
    if (cJSON_IsBool(v)) {
        b = cJSON_IsTrue(v);
    } else if (cJSON_IsNumber(v)) {
        if (v->valuedouble == 0 || v->valuedouble == 1)
            b = v->valuedouble == 1;
    } else if (cJSON_IsString(v) && v->valuestring) {
        const char *s = v->valuestring;
        if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
            b = 1;
        else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))
            b = 0;
    }
    if (b < 0)
        rows_set_null(r, row, field);
    else
        rows_set_int(r, row, field, b);
}

static void set_text(Rows *r, int row, int field, const cJSON *v)
{
    char num[64];
    if (cJSON_IsString(v)) {
        rows_set_text(r, row, field, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsNumber(v)) {
        number_text(v->valuedouble, num, sizeof num);
        rows_set_text(r, row, field, num);
    } else if (cJSON_IsBool(v)) {
        rows_set_text(r, row, field, cJSON_IsTrue(v) ? "true" : "false");
    } else {
        set_json_text(r, row, field, v);
    }
}

void mapping_set_value(Rows *r, int row, int field, const cJSON *v, double scale)
{
    if (field < 0 || field >= r->ds->nfields)
        return;
    if (!v || cJSON_IsNull(v) || cJSON_IsInvalid(v)) {
        rows_set_null(r, row, field);
        return;
    }
    double d;
    switch (r->ds->fields[field].type) {
    case F_TIME:
        set_time(r, row, field, v);
        break;
    case F_REAL:
        if (json_number(v, &d) == 0 && isfinite(d * scale))
            rows_set_real(r, row, field, d * scale);
        else
            rows_set_null(r, row, field);
        break;
    case F_INT:
        set_int(r, row, field, v, scale);
        break;
    case F_BOOL:
        set_bool(r, row, field, v);
        break;
    case F_JSON:
        set_json_text(r, row, field, v);
        break;
    case F_TEXT:
        set_text(r, row, field, v);
        break;
    }
}

/* A `set:` constant: JSON fields take JSON text, times ISO or epoch numbers,
 * everything else converts like a JSON string would. */
static void set_const(Rows *r, int row, const MapConst *c)
{
    FieldType t = r->ds->fields[c->field].type;
    if (t == F_JSON) {
        cJSON *j = cJSON_Parse(c->value);
        if (j) {
            set_json_text(r, row, c->field, j);
            cJSON_Delete(j);
            return;
        }
    }
    cJSON *s = cJSON_CreateString(c->value);
    mapping_set_value(r, row, c->field, s, 1.0);
    cJSON_Delete(s);
}

/* ---- applying --------------------------------------------------------- */

/* Whether the container an items path iterates exists (so zero matches mean
 * "empty list" rather than "not there"): the path without its last [*]. */
static int items_container_exists(const char *items, const cJSON *doc)
{
    size_t len = strlen(items);
    size_t cut = 0;
    if (len >= 3 && !strcmp(items + len - 3, "[*]"))
        cut = 3;
    else if (len >= 2 && !strcmp(items + len - 2, ".*"))
        cut = 2;
    if (!cut)
        return 0;
    char *prefix = xstrndup(items, len - cut);
    const cJSON *c = *prefix ? jsonpath_get(prefix, doc) : doc;
    free(prefix);
    return c && (cJSON_IsArray(c) || cJSON_IsObject(c));
}

static const char *json_type_name(const cJSON *v)
{
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    return "null";
}

int mapping_apply(const Mapping *m, const cJSON *doc, Rows *out, char **err)
{
    const char *items = m->items ? m->items : cJSON_IsArray(doc) ? "$[*]" : "$";
    const cJSON **found = NULL;
    int n = 0;
    if (jsonpath_eval(items, doc, &found, &n, err) < 0)
        return -1;
    if (n == 0 && !items_container_exists(items, doc)) {
        free((void *)found);
        set_err(err, "items path '%s' found nothing in a document that is %s", items,
                json_type_name(doc));
        return -1;
    }
    int added = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *item = found[i];
        if (!cJSON_IsObject(item) && !cJSON_IsArray(item)) {
            set_err(err, "item %d of '%s' is %s, not an object", i + 1, items,
                    json_type_name(item));
            free((void *)found);
            return -1;
        }
    }
    for (int i = 0; i < n; i++) {
        int row = rows_add(out);
        for (int f = 0; f < m->nfields; f++) {
            const MapField *mf = &m->fields[f];
            const cJSON *v = jsonpath_get(mf->path, found[i]);
            if (v)
                mapping_set_value(out, row, mf->field, v, mf->scale);
        }
        for (int c = 0; c < m->nconsts; c++)
            set_const(out, row, &m->consts[c]);
        added++;
    }
    free((void *)found);
    return added;
}

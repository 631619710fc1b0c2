/* presets.c — expanding `preset: NAME` source entries (presets.h) on the
 * YNode tree, at config load, before the kind parses the map.
 *
 * The rules (mc.1 "PRESETS"):
 *  - {{NAME}} inside any scalar of the preset's `source:` is the param's
 *    value: the user's, else the default. Built-ins: {{id}}, {{year_start}}
 *    (YYYY-MM-DD of the current revenue year's start) and {{year}}.
 *  - A scalar that is exactly "{{NAME}}" becomes the user's node itself (so
 *    lists and maps pass whole); for an optional param the user did not give
 *    its map key (or list item) disappears, and a map or list left empty by
 *    that disappears too.
 *  - Any other key of the entry (not `preset`, not a param) replaces the
 *    same top-level key of `source:` or is added (id, every, feeds, ...).
 *  - A missing required param, a require_one_of group with none given, or a
 *    key that is a near miss of a param is an error at the user's entry.
 * Nodes the user wrote keep their positions; all others stand at the entry,
 * so a later error from the kind points into the user's file. */
#include <stddef.h>   /* before the headers: they use size_t */
#include "presets.h"

#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "util.h"

static const PresetBuiltin *table = preset_builtins;

void presets_use_table(const PresetBuiltin *t)
{
    table = t ? t : preset_builtins;
}

int preset_count(void)
{
    int n = 0;
    while (table[n].name)
        n++;
    return n;
}

const PresetBuiltin *preset_at(int i)
{
    return i >= 0 && i < preset_count() ? &table[i] : NULL;
}

const PresetBuiltin *preset_find(const char *name)
{
    for (int i = 0; name && table[i].name; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

char *preset_names(void)
{
    Buf b = {0};
    for (int i = 0; table[i].name; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", table[i].name);
    return b.s ? buf_steal(&b) : xstrdup("");
}

/* ---- one preset's document ---- */

typedef enum { P_DEFAULT, P_OPTIONAL, P_REQUIRED } ParamKind;

/* A param's spec: a scalar (or list) default, ~ / {required: true}, or
 * {optional: true}. */
static ParamKind param_kind(const YNode *spec)
{
    if (ynode_is_null(spec))
        return P_REQUIRED;
    if (spec->type != YN_MAP)
        return P_DEFAULT;
    const YNode *o = ynode_get(spec, "optional"), *r = ynode_get(spec, "required");
    if (o && o->type == YN_SCALAR && strcmp(o->scalar, "true") == 0)
        return P_OPTIONAL;
    if (r && r->type == YN_SCALAR && strcmp(r->scalar, "true") == 0)
        return P_REQUIRED;
    return P_DEFAULT;
}

static const char *const preset_keys[] = {"summary", "params", "require_one_of", "source", NULL};

/* Parses the preset's text; a broken shipped preset is reported as such. */
static YNode *preset_load(const PresetBuiltin *p, char **err)
{
    char *file = xasprintf("preset %s", p->name);
    YNode *doc = ynode_parse_text(file, p->text, strlen(p->text), err);
    free(file);
    if (!doc)
        return NULL;
    const YNode *src = ynode_get(doc, "source"), *params = ynode_get(doc, "params");
    const YNode *groups = ynode_get(doc, "require_one_of");
    if (ynode_check_keys(doc, preset_keys, "a preset", err) < 0)
        goto bad;
    if (!src || src->type != YN_MAP || !ynode_get(src, "kind")) {
        ynode_error(doc, err, "preset '%s' has no 'source:' map with a 'kind'", p->name);
        goto bad;
    }
    if (params && params->type != YN_MAP) {
        ynode_error(params, err, "'params' must be a map");
        goto bad;
    }
    for (int i = 0; groups && i < groups->n; i++)
        if (groups->type != YN_SEQ || groups->items[i]->type != YN_SEQ) {
            ynode_error(groups, err, "'require_one_of' must be a list of lists of params");
            goto bad;
        }
    return doc;
bad:
    ynode_free(doc);
    return NULL;
}

/* ---- expansion ---- */

typedef struct Expand {
    const YNode *entry;        /* the user's map */
    const char *id, *name;     /* the source id ("" when absent), the preset */
    const YNode *params;       /* the preset's params: map (may be NULL) */
    const YNode *groups;       /* require_one_of (may be NULL) */
    const char *year_start;
    char year[16];
    int example;               /* `mc presets NAME`: required params as placeholders */
    char *placeholder;         /* scratch for an example's placeholder */
    char **err;
} Expand;

static int is_param(const Expand *x, const char *key)
{
    return ynode_get(x->params, key) != NULL;
}

static int fail(const Expand *x, const YNode *at, const char *fmt, const char *a, const char *b)
{
    char *msg = xasprintf(fmt, a, b ? b : "");
    ynode_error(at, x->err, "source '%s' (preset %s): %s", x->id, x->name, msg);
    free(msg);
    return -1;
}

/* Moves a copied preset node (and everything under it) to the entry. */
static void retarget(const Expand *x, YNode *n)
{
    n->file = x->entry->file;
    n->line = x->entry->line;
    n->col = x->entry->col;
    for (int i = 0; i < n->n; i++) {
        if (n->keys)
            retarget(x, n->keys[i]);
        retarget(x, n->items[i]);
    }
}

typedef enum { PV_NODE, PV_TEXT, PV_ABSENT } PlaceKind;

/* Whether name is the first of a require_one_of group. */
static int first_of_group(const Expand *x, const char *name)
{
    for (int g = 0; x->groups && g < x->groups->n; g++) {
        const YNode *grp = x->groups->items[g];
        if (grp->n > 0 && grp->items[0]->type == YN_SCALAR && !strcmp(grp->items[0]->scalar, name))
            return 1;
    }
    return 0;
}

/* What {{name}} stands for: a node (*node: the user's or the default,
 * *user says which), a text (*text: built-ins, placeholders), or nothing. */
static int lookup(Expand *x, const YNode *at, const char *name, PlaceKind *kind, const YNode **node,
                  const char **text, int *user)
{
    *user = 0;
    if (!strcmp(name, "id") || !strcmp(name, "year_start") || !strcmp(name, "year")) {
        *kind = PV_TEXT;
        *text = !strcmp(name, "id") ? x->id : !strcmp(name, "year") ? x->year : x->year_start;
        return 0;
    }
    const YNode *spec = ynode_get(x->params, name), *given = ynode_get(x->entry, name);
    if (!spec)
        return fail(x, at, "the preset uses {{%s}}, which is not one of its params", name, NULL);
    if (given) {
        *kind = PV_NODE, *node = given, *user = 1;
        return 0;
    }
    switch (param_kind(spec)) {
    case P_DEFAULT:
        *kind = PV_NODE, *node = spec;
        return 0;
    case P_OPTIONAL:
        if (x->example && first_of_group(x, name))
            break;           /* the example shows one of each group */
        *kind = PV_ABSENT;
        return 0;
    case P_REQUIRED:
        break;
    }
    if (!x->example)
        return fail(x, x->entry, "missing required key '%s'", name, NULL);
    free(x->placeholder);
    size_t len = strlen(name);
    /* a URL key gets a URL, so the example still loads */
    int url = len >= 3 && !strcmp(name + len - 3, "url");
    x->placeholder = xasprintf("%s%s", url ? "https://example.invalid/" : "", name);
    for (char *p = x->placeholder + (url ? 24 : 0); *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    *kind = PV_TEXT, *text = x->placeholder;
    return 0;
}

/* The name of a scalar that is exactly "{{name}}", else NULL (new string). */
static char *whole_placeholder(const char *s)
{
    size_t len = strlen(s);
    if (len < 5 || strncmp(s, "{{", 2) || strcmp(s + len - 2, "}}") || strstr(s + 2, "{{") ||
        strstr(s + 2, "}}") != s + len - 2)
        return NULL;
    return xstrndup(s + 2, len - 4);
}

/* A scalar of `source:` with its placeholders filled. *out NULL: it vanishes. */
static int fill_scalar(Expand *x, const YNode *t, YNode **out)
{
    PlaceKind kind;
    const YNode *node = NULL;
    const char *text = NULL;
    int user;
    char *whole = whole_placeholder(t->scalar);
    *out = NULL;
    if (whole) {
        int rc = lookup(x, t, whole, &kind, &node, &text, &user);
        free(whole);
        if (rc < 0)
            return -1;
        if (kind == PV_ABSENT)
            return 0;
        if (kind == PV_TEXT) {
            *out = ynode_new(YN_SCALAR, x->entry->file, x->entry->line, x->entry->col, text);
            (*out)->quoted = 1;
            return 0;
        }
        *out = ynode_copy(node);
        if (!user)
            retarget(x, *out);
        return 0;
    }
    Buf b = {0};
    for (const char *p = t->scalar; *p;) {
        const char *open = strstr(p, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
        if (!open || !close) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        char *name = xstrndup(open + 2, (size_t)(close - open - 2));
        int rc = lookup(x, t, name, &kind, &node, &text, &user);
        if (rc == 0 && kind == PV_NODE && node->type != YN_SCALAR)
            rc = user ? fail(x, node, "'%s' must be a single value (it is used inside text)", name, NULL)
                      : fail(x, t, "the default of '%s' is not a single value", name, NULL);
        free(name);
        if (rc < 0) {
            buf_free(&b);
            return -1;
        }
        buf_puts(&b, kind == PV_NODE ? node->scalar : kind == PV_TEXT ? text : "");
        p = close + 2;
    }
    *out = ynode_new(YN_SCALAR, x->entry->file, x->entry->line, x->entry->col, b.s ? b.s : "");
    (*out)->quoted = t->quoted;
    buf_free(&b);
    return 0;
}

/* A copy of a `source:` subtree with placeholders filled; *out NULL when it
 * vanished (an absent optional, or a map/list emptied by those). */
static int fill_tree(Expand *x, const YNode *t, YNode **out)
{
    if (t->type == YN_SCALAR)
        return fill_scalar(x, t, out);
    YNode *n = ynode_new(t->type, x->entry->file, x->entry->line, x->entry->col, NULL);
    for (int i = 0; i < t->n; i++) {
        YNode *item;
        if (fill_tree(x, t->items[i], &item) < 0) {
            ynode_free_node(n);
            return -1;
        }
        if (!item)
            continue;
        YNode *key = NULL;
        if (t->keys) {
            key = ynode_copy(t->keys[i]);
            retarget(x, key);
        }
        ynode_push(n, key, item);
    }
    if (t->n > 0 && n->n == 0) {
        ynode_free_node(n);
        n = NULL;
    }
    *out = n;
    return 0;
}

static int is_common(const char *key)
{
    for (int i = 0; source_common_keys[i]; i++)
        if (!strcmp(source_common_keys[i], key))
            return 1;
    return 0;
}

/* The entry's keys: a near miss of a param (not a key of the kind's map) is
 * a mistake; required params and require_one_of groups must be given. */
static int check_entry(Expand *x, const YNode *doc)
{
    const YNode *src = ynode_get(doc, "source"), *groups = ynode_get(doc, "require_one_of");
    Buf names = {0};
    for (int i = 0; x->params && i < x->params->n; i++)
        buf_printf(&names, "%s%s", i ? ", " : "", x->params->keys[i]->scalar);
    for (int i = 0; i < x->entry->n; i++) {
        const char *k = x->entry->keys[i]->scalar;
        if (!strcmp(k, "preset") || is_param(x, k) || ynode_get(src, k) || is_common(k))
            continue;
        char *near = ynode_did_you_mean(k, names.s ? names.s : "");
        if (*near) {
            fail(x, x->entry->keys[i], "unknown key '%s'%s", k, near);
            free(near);
            buf_free(&names);
            return -1;
        }
        free(near);
    }
    buf_free(&names);
    for (int i = 0; x->params && i < x->params->n; i++) {
        const char *k = x->params->keys[i]->scalar;
        if (param_kind(x->params->items[i]) == P_REQUIRED && !ynode_get(x->entry, k) && !x->example)
            return fail(x, x->entry, "missing required key '%s'", k, NULL);
    }
    for (int g = 0; groups && !x->example && g < groups->n; g++) {
        const YNode *grp = groups->items[g];
        Buf alts = {0};
        int given = 0;
        for (int i = 0; i < grp->n; i++) {
            given |= ynode_get(x->entry, grp->items[i]->scalar) != NULL;
            buf_printf(&alts, "%s'%s'", i ? (i == grp->n - 1 ? " or " : ", ") : "", grp->items[i]->scalar);
        }
        int rc = given ? 0 : fail(x, x->entry, "needs %s", alts.s ? alts.s : "", NULL);
        buf_free(&alts);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Builds the kind's map: id, the preset's source keys (filled, or the
 * user's own value for the same key), then the user's other keys. */
static YNode *build(Expand *x, const YNode *doc)
{
    const YNode *src = ynode_get(doc, "source");
    YNode *out = ynode_new(YN_MAP, x->entry->file, x->entry->line, x->entry->col, NULL);
    for (int i = 0; i < x->entry->n; i++)
        if (!strcmp(x->entry->keys[i]->scalar, "id"))
            ynode_push(out, ynode_copy(x->entry->keys[i]), ynode_copy(x->entry->items[i]));
    for (int i = 0; i < src->n; i++) {
        const char *k = src->keys[i]->scalar;
        const YNode *mine = is_param(x, k) ? NULL : ynode_get(x->entry, k);
        YNode *item = NULL;
        if (mine) {
            for (int j = 0; j < x->entry->n; j++)
                if (!strcmp(x->entry->keys[j]->scalar, k))
                    ynode_push(out, ynode_copy(x->entry->keys[j]), ynode_copy(mine));
            continue;
        }
        if (fill_tree(x, src->items[i], &item) < 0) {
            ynode_free_node(out);
            return NULL;
        }
        if (item) {
            YNode *key = ynode_copy(src->keys[i]);
            retarget(x, key);
            ynode_push(out, key, item);
        }
    }
    for (int i = 0; i < x->entry->n; i++) {
        const char *k = x->entry->keys[i]->scalar;
        if (strcmp(k, "id") && strcmp(k, "preset") && !is_param(x, k) && !ynode_get(src, k))
            ynode_push(out, ynode_copy(x->entry->keys[i]), ynode_copy(x->entry->items[i]));
    }
    return out;
}

static YNode *expand(const PresetBuiltin *p, const YNode *entry, const char *year_start, int example, char **err)
{
    const YNode *idn = ynode_get(entry, "id");
    Expand x = {.entry = entry, .name = p->name, .year_start = year_start, .example = example, .err = err};
    x.id = idn && idn->type == YN_SCALAR ? idn->scalar : "";
    snprintf(x.year, sizeof x.year, "%.4s", year_start);
    char *perr = NULL;
    YNode *doc = preset_load(p, &perr);
    if (!doc) {
        ynode_error(ynode_get(entry, "preset"), err, "source '%s': the shipped preset '%s' is broken: %s", x.id,
                    p->name, perr);
        free(perr);
        return NULL;
    }
    x.params = ynode_get(doc, "params");
    x.groups = ynode_get(doc, "require_one_of");
    YNode *out = check_entry(&x, doc) < 0 ? NULL : build(&x, doc);
    free(x.placeholder);
    ynode_free(doc);
    return out;
}

YNode *preset_expand(const YNode *entry, const char *year_start, char **err)
{
    const YNode *pn = ynode_get(entry, "preset"), *idn = ynode_get(entry, "id");
    const char *id = idn && idn->type == YN_SCALAR ? idn->scalar : "";
    if (!pn || pn->type != YN_SCALAR || !*pn->scalar) {
        ynode_error(pn ? pn : entry, err, "source '%s': 'preset' must be a preset's name (`mc presets` lists them)",
                    id);
        return NULL;
    }
    if (ynode_get(entry, "kind")) {
        ynode_error(ynode_get(entry, "kind"), err,
                    "source '%s': give 'preset' or 'kind', not both (the preset sets the kind)", id);
        return NULL;
    }
    const PresetBuiltin *p = preset_find(pn->scalar);
    if (!p) {
        char *names = preset_names(), *near = ynode_did_you_mean(pn->scalar, names);
        ynode_error(pn, err, "source '%s': unknown preset '%.60s'%s (known: %s)", id, pn->scalar, near, names);
        free(near);
        free(names);
        return NULL;
    }
    return expand(p, entry, year_start, 0, err);
}

/* ---- mc presets NAME ---- */

int preset_describe(const PresetBuiltin *p, char **summary, char **doc, char **err)
{
    YNode *d = preset_load(p, err);
    if (!d)
        return -1;
    const YNode *s = ynode_get(d, "summary");
    *summary = xstrdup(s && s->type == YN_SCALAR ? s->scalar : "");
    ynode_free(d);
    Buf b = {0};
    for (const char *line = p->text; *line == '#';) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        buf_append(&b, line, len);
        buf_putc(&b, '\n');
        if (!end)
            break;
        line = end + 1;
    }
    *doc = b.s ? buf_steal(&b) : xstrdup("");
    return 0;
}

YNode *preset_example(const PresetBuiltin *p, const char *year_start, char **params_note, char **err)
{
    char *file = xstrdup("<example>");
    YNode *entry = ynode_new(YN_MAP, file, 1, 1, NULL);
    ynode_push(entry, ynode_new(YN_SCALAR, file, 1, 1, "id"), ynode_new(YN_SCALAR, file, 1, 1, p->name));
    YNode *out = expand(p, entry, year_start, 1, err);
    YNode *doc = out ? preset_load(p, err) : NULL;
    const YNode *params = doc ? ynode_get(doc, "params") : NULL;
    Buf b = {0};
    for (int i = 0; params && i < params->n; i++) {
        const YNode *spec = params->items[i];
        const char *k = params->keys[i]->scalar;
        ParamKind kind = param_kind(spec);
        if (kind == P_REQUIRED)
            buf_printf(&b, "#   %s: required\n", k);
        else if (kind == P_OPTIONAL)
            buf_printf(&b, "#   %s: optional\n", k);
        else {
            buf_printf(&b, "#   %s: default ", k);
            ynode_emit_inline(&b, spec);
            buf_putc(&b, '\n');
        }
    }
    const YNode *groups = doc ? ynode_get(doc, "require_one_of") : NULL;
    for (int g = 0; groups && g < groups->n; g++) {
        buf_puts(&b, "#   one of:");
        for (int i = 0; i < groups->items[g]->n; i++)
            buf_printf(&b, " %s", groups->items[g]->items[i]->scalar);
        buf_puts(&b, "\n");
    }
    *params_note = b.s ? buf_steal(&b) : xstrdup("");
    ynode_free(doc);
    if (out)     /* out's nodes share entry's file: out is the root that frees it now */
        ynode_free_node(entry);
    else
        ynode_free(entry);
    return out;
}

/* Where "FILE:LINE:COLUMN: " ends in a message, or 0. */
static size_t position_end(const char *s)
{
    for (const char *p = s; (p = strchr(p, ':')) != NULL; p++) {
        const char *q = p + 1;
        size_t d1 = strspn(q, "0123456789");
        if (!d1 || q[d1] != ':')
            continue;
        q += d1 + 1;
        size_t d2 = strspn(q, "0123456789");
        if (d2 && q[d2] == ':' && q[d2 + 1] == ' ')
            return (size_t)(q + d2 + 2 - s);
    }
    return 0;
}

void preset_name_error(char **err, const char *id, const char *preset)
{
    if (!err || !*err || strstr(*err, "(preset "))
        return;
    size_t at = position_end(*err);
    const char *msg = *err + at;
    char *own = xasprintf("source '%s': ", id);
    if (!strncmp(msg, own, strlen(own)))
        msg += strlen(own);
    char *out = *id ? xasprintf("%.*ssource '%s' (preset %s): %s", (int)at, *err, id, preset, msg)
                    : xasprintf("%.*ssource (preset %s): %s", (int)at, *err, preset, msg);
    free(own);
    free(*err);
    *err = out;
}

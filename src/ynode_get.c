/* ynode_get.c — reading a YNode tree: map lookups, unknown-key checks (with
 * "did you mean"), and the typed getters that turn scalars into strings
 * (${ENV} expanded), paths (~ too), numbers, booleans and durations, each
 * failing with "FILE:LINE:COLUMN: what was expected". */
#include <stddef.h>
#include "ynode.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define YN_SHOWN 60                    /* characters of a value quoted in errors */


/* ---- lookups and errors ---- */

const YNode *ynode_get(const YNode *map, const char *key)
{
    if (!map || map->type != YN_MAP || !key)
        return NULL;
    for (int i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->scalar, key) == 0)
            return map->items[i];
    return NULL;
}

int ynode_error(const YNode *n, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (err) {
        if (n)
            set_err(err, "%s:%d:%d: %s", n->file ? n->file : "<config>", n->line, n->col, msg);
        else
            set_err(err, "%s", msg);
    }
    free(msg);
    return -1;
}

/* Levenshtein distance of two short strings (for "did you mean"). */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

char *ynode_did_you_mean(const char *word, const char *list)
{
    char near[64] = "";
    int best = 3;
    for (const char *p = list; word && p && *p;) {
        size_t n = strcspn(p, ", ");
        if (n > 0 && n < sizeof near) {
            char name[64];
            memcpy(name, p, n);
            name[n] = '\0';
            int d = edit_distance(word, name);
            if (strcmp(word, name) != 0 && d < best && d <= (n <= 4 ? 1 : 2)) {
                best = d;
                memcpy(near, name, n + 1);
            }
        }
        p += n;
        p += strspn(p, ", ");
    }
    return near[0] ? xasprintf(", did you mean '%s'?", near) : xstrdup("");
}

int ynode_check_keys(const YNode *map, const char *const *allowed, const char *what, char **err)
{
    if (!map || map->type != YN_MAP)
        return ynode_error(map, err, "%s must be a map of key: value settings", what ? what : "this");
    for (int i = 0; i < map->n; i++) {
        const char *key = map->keys[i]->scalar;
        const char *near = NULL;
        int best = 3, known = 0;
        for (int j = 0; allowed && allowed[j] && !known; j++) {
            known = strcmp(allowed[j], key) == 0;
            int d = edit_distance(key, allowed[j]);
            if (d < best && d <= (strlen(allowed[j]) <= 4 ? 1 : 2)) {
                best = d;
                near = allowed[j];
            }
        }
        if (known)
            continue;
        Buf list = {0};
        for (int j = 0; allowed && allowed[j]; j++)
            buf_printf(&list, "%s%s", j ? ", " : "", allowed[j]);
        char *l = buf_steal(&list);
        char *hint = near ? xasprintf(", did you mean '%s'?", near) : xstrdup("");
        ynode_error(map->keys[i], err, "unknown key '%.*s'%s%s%s (known: %s)", YN_SHOWN, key,
                    what ? " in " : "", what ? what : "", hint, l);
        free(hint);
        free(l);
        return -1;
    }
    return 0;
}

/* ---- typed getters ---- */

/* A value fit for quoting in a message: shortened, whitespace flattened. */
static const char *shown(const char *s, char *buf, size_t n)
{
    size_t i = 0, len = strlen(s);
    for (; i + 1 < n && s[i]; i++)
        buf[i] = (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? ' ' : s[i];
    buf[i] = 0;
    if (len > i && n > 4)
        memcpy(buf + n - 4, "...", 4);
    return buf;
}

static const char *kind_name(const YNode *n)
{
    return n->type == YN_MAP ? "a map" : n->type == YN_SEQ ? "a list" : "a string";
}

/* The value of key when present and not an empty (null) value. */
static const YNode *present(const YNode *map, const char *key)
{
    const YNode *v = ynode_get(map, key);
    return ynode_is_null(v) ? NULL : v;
}

static int want_scalar(const YNode *v, const char *key, const char *what, char **err)
{
    if (v->type == YN_SCALAR)
        return 0;
    return ynode_error(v, err, "'%s' must be %s, not %s", key, what, kind_name(v));
}

static int env_name_ok(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* The scalar with every ${NAME} replaced ($${ is a literal ${). Returns a new
 * string, or NULL with an error at v. */
static char *expand_env(const YNode *v, char **err)
{
    const char *s = v->scalar;
    Buf out = {0};
    char show[YN_SHOWN + 1];
    while (*s) {
        if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
            buf_puts(&out, "${");
            s += 3;
        } else if (s[0] == '$' && s[1] == '{') {
            const char *name = s + 2;
            size_t n = strcspn(name, "}");
            if (!name[n] || !env_name_ok(name, n)) {
                buf_free(&out);
                ynode_error(v, err, "bad ${NAME} in '%s' (a name is letters, digits and _)",
                            shown(v->scalar, show, sizeof show));
                return NULL;
            }
            char *var = xstrndup(name, n);
            const char *val = getenv(var);
            if (!val) {
                ynode_error(v, err, "environment variable %s is not set", var);
                free(var);
                buf_free(&out);
                return NULL;
            }
            free(var);
            buf_puts(&out, val);
            s = name + n + 1;
        } else {
            buf_putc(&out, *s++);
        }
    }
    return buf_steal(&out);
}

int ynode_str(const YNode *map, const char *key, char **out, char **err)
{
    const YNode *v = present(map, key);
    if (!v)
        return 0;
    if (want_scalar(v, key, "a string", err) < 0)
        return -1;
    char *s = expand_env(v, err);
    if (!s)
        return -1;
    free(*out);
    *out = s;
    return 0;
}

int ynode_req_str(const YNode *map, const char *key, char **out, char **err)
{
    const YNode *v = ynode_get(map, key);
    if (!v)
        return ynode_error(map, err, "missing required key '%s'", key);
    if (ynode_is_null(v) || (v->type == YN_SCALAR && !v->scalar[0]))
        return ynode_error(v, err, "'%s' must not be empty", key);
    return ynode_str(map, key, out, err);
}

int ynode_req_path(const YNode *map, const char *key, char **out, char **err)
{
    const YNode *v = ynode_get(map, key);
    if (!v)
        return ynode_error(map, err, "missing required key '%s'", key);
    if (ynode_is_null(v) || (v->type == YN_SCALAR && !v->scalar[0]))
        return ynode_error(v, err, "'%s' must be a path, not empty", key);
    return ynode_path(map, key, out, err);
}

int ynode_path(const YNode *map, const char *key, char **out, char **err)
{
    const YNode *v = present(map, key);
    if (!v)
        return 0;
    if (want_scalar(v, key, "a path", err) < 0)
        return -1;
    char *perr = NULL;
    char *s = path_expand(v->scalar, &perr);
    if (!s) {
        ynode_error(v, err, "%s", perr ? perr : "cannot expand path");
        free(perr);
        return -1;
    }
    free(perr);
    free(*out);
    *out = s;
    return 0;
}

/* Converts one node to a long; `key` names it in the message (NULL: "value"). */
static int as_long(const YNode *n, const char *key, long min, long max, long *out, char **err)
{
    if (n->type == YN_SCALAR && parse_long(n->scalar, min, max, out) == 0)
        return 0;
    char label[80], range[80], show[YN_SHOWN + 1];
    snprintf(label, sizeof label, key ? "'%s'" : "value", key);
    if (min == LONG_MIN && max == LONG_MAX)
        snprintf(range, sizeof range, "an integer");
    else if (max == LONG_MAX)
        snprintf(range, sizeof range, "an integer of at least %ld", min);
    else
        snprintf(range, sizeof range, "an integer from %ld to %ld", min, max);
    if (n->type != YN_SCALAR)
        return ynode_error(n, err, "%s must be %s, not %s", label, range, kind_name(n));
    return ynode_error(n, err, "%s must be %s (got '%s')", label, range, shown(n->scalar, show, sizeof show));
}

int ynode_as_long(const YNode *n, long min, long max, long *out, char **err)
{
    return as_long(n, NULL, min, max, out, err);
}

int ynode_long(const YNode *map, const char *key, long min, long max, long *out, char **err)
{
    const YNode *v = present(map, key);
    return v ? as_long(v, key, min, max, out, err) : 0;
}

int ynode_double(const YNode *map, const char *key, double *out, char **err)
{
    const YNode *v = present(map, key);
    char show[YN_SHOWN + 1];
    if (!v)
        return 0;
    if (want_scalar(v, key, "a number", err) < 0)
        return -1;
    const char *s = v->scalar;
    char *end = NULL;
    double d = 0;
    if (*s && !isspace((unsigned char)*s)) {
        d = strtod(s, &end);
    }
    if (!end || *end || !isfinite(d))
        return ynode_error(v, err, "'%s' must be a number (got '%s')", key, shown(s, show, sizeof show));
    *out = d;
    return 0;
}

/* Converts one node to a boolean; `key` names it in the message. */
static int as_bool(const YNode *n, const char *key, int *out, char **err)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    char label[80], show[YN_SHOWN + 1];
    snprintf(label, sizeof label, key ? "'%s'" : "value", key);
    if (n->type != YN_SCALAR)
        return ynode_error(n, err, "%s must be true or false, not %s", label, kind_name(n));
    for (int i = 0; !n->quoted && i < 3; i++) {
        if (strcasecmp(n->scalar, yes[i]) == 0 || strcasecmp(n->scalar, no[i]) == 0) {
            *out = strcasecmp(n->scalar, yes[i]) == 0;
            return 0;
        }
    }
    if (n->quoted)
        return ynode_error(n, err, "%s must be true or false without quotes (got the string '%s')", label,
                           shown(n->scalar, show, sizeof show));
    return ynode_error(n, err, "%s must be true or false (got '%s')", label, shown(n->scalar, show, sizeof show));
}

int ynode_as_bool(const YNode *n, int *out, char **err)
{
    return as_bool(n, NULL, out, err);
}

int ynode_bool(const YNode *map, const char *key, int *out, char **err)
{
    const YNode *v = present(map, key);
    return v ? as_bool(v, key, out, err) : 0;
}

int ynode_duration(const YNode *map, const char *key, int64_t *ms, char **err)
{
    const YNode *v = present(map, key);
    char show[YN_SHOWN + 1];
    int64_t d = 0;
    if (!v)
        return 0;
    if (v->type != YN_SCALAR || duration_parse(v->scalar, &d) < 0 || d < 0) {
        if (v->type != YN_SCALAR)
            return ynode_error(v, err, "'%s' must be a duration like 30s, 5m, 1h, not %s", key, kind_name(v));
        return ynode_error(v, err, "'%s' must be a duration like 30s, 5m, 1h (got '%s')", key,
                           shown(v->scalar, show, sizeof show));
    }
    *ms = d;
    return 0;
}

int ynode_strv(const YNode *map, const char *key, char ***out, char **err)
{
    const YNode *v = present(map, key);
    if (!v)
        return 0;
    if (v->type == YN_MAP)
        return ynode_error(v, err, "'%s' must be a string or a list of strings, not a map", key);
    int n = v->type == YN_SEQ ? v->n : 1;
    char **list = xcalloc((size_t)n + 1, sizeof *list);
    for (int i = 0; i < n; i++) {
        const YNode *item = v->type == YN_SEQ ? v->items[i] : v;
        if (item->type != YN_SCALAR) {
            ynode_error(item, err, "'%s' must be a list of strings, but this item is %s", key,
                        kind_name(item));
            strv_free(list);
            return -1;
        }
        if (!(list[i] = expand_env(item, err))) {
            strv_free(list);
            return -1;
        }
    }
    strv_free(*out);
    *out = list;
    return 0;
}

void strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

int strv_len(char *const *v)
{
    int n = 0;
    while (v && v[n])
        n++;
    return n;
}

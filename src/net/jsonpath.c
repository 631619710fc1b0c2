/* jsonpath.c — the small JSON path dialect of `items:` and `fields:`.
 *
 * A path is parsed into a short list of steps (key, index, wildcard) and then
 * walked over a cJSON tree. Sources use it to find the rows in a response
 * (items) and each field inside one row; nothing here allocates cJSON nodes,
 * matches point into the caller's document. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "jsonpath.h"
#include "../util.h"

#define JP_MAX_STEPS 64

typedef enum { STEP_KEY, STEP_INDEX, STEP_WILD } StepKind;

typedef struct Step {
    StepKind kind;
    char *key;        /* STEP_KEY: owned */
    long index;       /* STEP_INDEX: negative counts from the end */
} Step;

typedef struct Path {
    int n;
    Step steps[JP_MAX_STEPS];
} Path;

static void path_clear(Path *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->steps[i].key);
    p->n = 0;
}

static int bad(char **err, const char *path, const char *why)
{
    set_err(err, "bad JSON path '%s': %s", path, why);
    return -1;
}

static Step *push(Path *p)
{
    if (p->n >= JP_MAX_STEPS)
        return NULL;
    Step *s = &p->steps[p->n++];
    memset(s, 0, sizeof *s);
    return s;
}

/* Parses "[...]" at *sp (pointing at '['); advances past ']'. */
static int parse_bracket(const char **sp, Path *p, const char *path, char **err)
{
    const char *s = *sp + 1;
    while (*s == ' ')
        s++;
    Step *st = push(p);
    if (!st)
        return bad(err, path, "too many steps");
    if (*s == '*') {
        st->kind = STEP_WILD;
        s++;
    } else if (*s == '\'' || *s == '"') {
        char q = *s++;
        Buf b = {0};
        while (*s && *s != q) {
            if (*s == '\\' && s[1])
                s++;
            buf_putc(&b, *s++);
        }
        if (*s != q) {
            buf_free(&b);
            return bad(err, path, "unterminated quoted key");
        }
        s++;
        st->kind = STEP_KEY;
        st->key = b.s ? buf_steal(&b) : xstrdup("");
    } else if (*s == '-' || isdigit((unsigned char)*s)) {
        char *end;
        const char *start = s;
        if (*s == '-')
            s++;
        while (isdigit((unsigned char)*s))
            s++;
        char num[32];
        size_t len = (size_t)(s - start);
        if (len == 0 || len >= sizeof num || (len == 1 && *start == '-'))
            return bad(err, path, "bad index");
        memcpy(num, start, len);
        num[len] = 0;
        st->kind = STEP_INDEX;
        st->index = strtol(num, &end, 10);
        if (*end)
            return bad(err, path, "bad index");
    } else {
        return bad(err, path, "expected *, a number or a quoted key inside [ ]");
    }
    while (*s == ' ')
        s++;
    if (*s != ']')
        return bad(err, path, "missing ]");
    *sp = s + 1;
    return 0;
}

/* Parses a bare key (up to the next '.' or '[') at *sp. */
static int parse_key(const char **sp, Path *p, const char *path, char **err)
{
    const char *s = *sp;
    size_t len = strcspn(s, ".[");
    if (len == 0)
        return bad(err, path, "empty key");
    Step *st = push(p);
    if (!st)
        return bad(err, path, "too many steps");
    if (len == 1 && *s == '*') {
        st->kind = STEP_WILD;
    } else {
        st->kind = STEP_KEY;
        st->key = xstrndup(s, len);
    }
    *sp = s + len;
    return 0;
}

static int path_parse(const char *path, Path *p, char **err)
{
    p->n = 0;
    if (!path || !*path)
        return bad(err, path ? path : "", "empty path");
    const char *s = path;
    if (*s == '$') {
        s++;
    } else if (*s != '[') {
        if (parse_key(&s, p, path, err) < 0)
            goto fail;
    }
    while (*s) {
        int rc;
        if (*s == '.') {
            if (s[1] == '.') {
                bad(err, path, "recursive descent (..) is not supported");
                goto fail;
            }
            s++;
            rc = parse_key(&s, p, path, err);
        } else if (*s == '[') {
            rc = parse_bracket(&s, p, path, err);
        } else {
            rc = bad(err, path, "expected . or [");
        }
        if (rc < 0)
            goto fail;
    }
    return 0;
fail:
    path_clear(p);
    return -1;
}

static int one_validate(const char *path, char **err)
{
    Path p;
    if (path_parse(path, &p, err) < 0)
        return -1;
    path_clear(&p);
    return 0;
}

typedef struct Collect {
    const cJSON ***out;
    int *n;
    int added;
    int first_only;   /* stop after one match */
} Collect;

static void collect(Collect *c, const cJSON *node)
{
    *c->out = xrealloc((void *)*c->out, sizeof **c->out * (size_t)(*c->n + 1));
    (*c->out)[(*c->n)++] = node;
    c->added++;
}

/* Walks steps[i..] from node, appending matches; stops early for first_only. */
static void walk(const Path *p, int i, const cJSON *node, Collect *c)
{
    if (c->first_only && c->added)
        return;
    if (i == p->n) {
        collect(c, node);
        return;
    }
    const Step *st = &p->steps[i];
    switch (st->kind) {
    case STEP_KEY:
        if (cJSON_IsObject(node)) {
            const cJSON *child = cJSON_GetObjectItemCaseSensitive(node, st->key);
            if (child)
                walk(p, i + 1, child, c);
        }
        break;
    case STEP_INDEX:
        if (cJSON_IsArray(node)) {
            long len = cJSON_GetArraySize(node);
            long idx = st->index < 0 ? len + st->index : st->index;
            if (idx >= 0 && idx < len)
                walk(p, i + 1, cJSON_GetArrayItem(node, (int)idx), c);
        }
        break;
    case STEP_WILD:
        if (cJSON_IsArray(node) || cJSON_IsObject(node)) {
            for (const cJSON *ch = node->child; ch; ch = ch->next)
                walk(p, i + 1, ch, c);
        }
        break;
    }
}

static int one_eval(const char *path, const cJSON *root, const cJSON ***out, int *n, char **err)
{
    Path p;
    if (path_parse(path, &p, err) < 0)
        return -1;
    Collect c = {out, n, 0, 0};
    if (root)
        walk(&p, 0, root, &c);
    path_clear(&p);
    return c.added;
}

static const cJSON *one_get(const char *path, const cJSON *root)
{
    Path p;
    char *err = NULL;
    if (path_parse(path, &p, &err) < 0) {
        free(err);
        return NULL;
    }
    const cJSON **out = NULL;
    int n = 0;
    Collect c = {&out, &n, 0, 1};
    if (root)
        walk(&p, 0, root, &c);
    path_clear(&p);
    const cJSON *r = n ? out[0] : NULL;
    free((void *)out);
    return r;
}

/* ---- alternatives: "a || b" is a's match, else b's ------------------- */

/* The alternatives of path (split on "||" outside quotes and brackets),
 * trimmed, as new strings in *alts (at most 8). Returns their count. */
static int split_alts(const char *path, char *alts[8])
{
    int n = 0, depth = 0;
    char q = 0;
    const char *start = path;
    for (const char *p = path;; p++) {
        if (*p && q) {
            if (*p == q)
                q = 0;
            continue;
        }
        if (*p == '\'' || *p == '"')
            q = *p;
        else if (*p == '[')
            depth++;
        else if (*p == ']' && depth)
            depth--;
        if (!*p || (!depth && p[0] == '|' && p[1] == '|' && n < 7)) {
            const char *a = start, *b = p;
            while (a < b && (*a == ' ' || *a == '\t'))
                a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                b--;
            alts[n++] = xstrndup(a, (size_t)(b - a));
            if (!*p)
                break;
            start = ++p + 1;
        }
    }
    return n;
}

static void free_alts(char *alts[8], int n)
{
    for (int i = 0; i < n; i++)
        free(alts[i]);
}

int jsonpath_validate(const char *path, char **err)
{
    char *alts[8];
    int n = split_alts(path, alts), rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = one_validate(alts[i], err);
    free_alts(alts, n);
    return rc;
}

int jsonpath_eval(const char *path, const cJSON *root, const cJSON ***out, int *n, char **err)
{
    char *alts[8];
    int na = split_alts(path, alts), rc = 0;
    /* every alternative is checked first: a bad one makes the path bad
     * whether or not an earlier one matches (as jsonpath_validate says) */
    for (int i = 0; i < na && rc == 0; i++)
        rc = one_validate(alts[i], err);
    for (int i = 0; i < na && rc == 0; i++)
        rc = one_eval(alts[i], root, out, n, err);
    free_alts(alts, na);
    return rc;
}

const cJSON *jsonpath_get(const char *path, const cJSON *root)
{
    if (!strstr(path, "||"))
        return one_get(path, root);
    char *alts[8];
    int n = split_alts(path, alts);
    const cJSON *r = NULL;
    for (int i = 0; i < n && (!r || cJSON_IsNull(r)); i++)
        r = one_get(alts[i], root);
    free_alts(alts, n);
    return r;
}

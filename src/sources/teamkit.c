/* teamkit.c — helpers of the team back-end kinds (convex, postgrest): see
 * teamkit.h. Nothing here talks to the network; it shapes what goes into a
 * request and what comes out of a response on its way to the cache. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "teamkit.h"
#include "../net/mapping.h"
#include "../util.h"

int team_yaml_object(const YNode *map, const char *key, cJSON **out, char **err)
{
    const YNode *n = ynode_get(map, key);
    *out = NULL;
    if (n && n->type != YN_MAP)
        return ynode_error(n, err, "%s: expected a map (name: value)", key);
    *out = n ? mapping_ynode_json(n) : cJSON_CreateObject();
    return 0;
}

int team_base_url(const YNode *map, const char *key, const char *url, char **out, char **err)
{
    char *host = http_url_host(url);
    if (!host || (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8))) {
        free(host);
        return ynode_error(ynode_get(map, key), err, "%s: '%.80s' is not an http:// or https:// URL",
                           key, url);
    }
    free(host);
    if (strpbrk(url, "?#"))
        return ynode_error(ynode_get(map, key), err,
                           "%s: give the base URL only (no query string or fragment)", key);
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    *out = xstrndup(url, n);
    return 0;
}

cJSON *team_parse_body(const HttpResponse *r, char **err)
{
    if (r->body_len == 0) {
        set_err(err, "empty response from %s (HTTP %ld)", r->host, r->status);
        return NULL;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(r->body, r->body_len, &end, 0);
    if (doc)
        return doc;
    size_t at = end && end >= r->body && end <= r->body + r->body_len ? (size_t)(end - r->body) : 0;
    size_t from = at > 20 ? at - 20 : 0;
    size_t n = r->body_len - from < 60 ? r->body_len - from : 60;
    char *near = http_sanitize(r->body + from, n, 80);
    set_err(err, "malformed JSON from %s at byte %zu: near '%s'", r->host, at, near);
    free(near);
    return NULL;
}

void team_pairs_add(TeamPairs *p, const char *field, const char *path)
{
    p->v = xrealloc(p->v, sizeof *p->v * (size_t)(p->n + 3));
    p->v[p->n++] = xstrdup(field);
    p->v[p->n++] = xstrdup(path);
    p->v[p->n] = NULL;
}

static int listed(const char *name, const char *const *list)
{
    for (int i = 0; list && list[i]; i++)
        if (!strcmp(list[i], name))
            return 1;
    return 0;
}

void team_pairs_all(TeamPairs *p, const Dataset *ds, int snake, const char *const *skip)
{
    for (int f = 1; f < ds->nfields; f++) {
        const char *name = ds->fields[f].name;
        if (listed(name, skip))
            continue;
        if (snake) {
            team_pairs_add(p, name, name);
            continue;
        }
        char camel[64];
        size_t o = 0;
        for (const char *s = name; *s && o < sizeof camel - 1; s++) {
            if (*s == '_' && s[1]) {
                camel[o++] = (char)toupper((unsigned char)*++s);
            } else {
                camel[o++] = *s;
            }
        }
        camel[o] = 0;
        team_pairs_add(p, name, camel);
    }
}

void team_pairs_free(TeamPairs *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

int team_json_number(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        *out = v->valuedouble;
        return 0;
    }
    if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
        char *end;
        errno = 0;
        double d = strtod(v->valuestring, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (end != v->valuestring && !*end && !errno && isfinite(d)) {
            *out = d;
            return 0;
        }
    }
    return -1;
}

int64_t team_cell_time(const Rows *r, int row, int field)
{
    const Value *v = rows_cell_c(r, row, field);
    int64_t ms;
    if (v && v->kind == V_TEXT && time_parse_iso(v->u.s, &ms) == 0)
        return ms;
    return -1;
}

void team_rows_keep(Rows *r, const unsigned char *keep)
{
    int nf = r->ds->nfields, w = 0;
    for (int row = 0; row < r->nrows; row++) {
        Value *src = &r->cells[row * nf];
        if (!keep[row]) {
            for (int f = 0; f < nf; f++)
                if (src[f].kind == V_TEXT)
                    free(src[f].u.s);
            continue;
        }
        if (w != row)
            memmove(&r->cells[w * nf], src, sizeof *src * (size_t)nf);
        w++;
    }
    r->nrows = w;
}

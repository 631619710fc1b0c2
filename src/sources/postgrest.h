/* postgrest.h — what the two files of the `postgrest` kind share: its parsed
 * config (postgrest.c reads it from mc.yaml and does resolve) and the pieces
 * of every request; postgrest_fetch.c pages the tables into the cache. */
#ifndef MC_SOURCES_POSTGREST_H
#define MC_SOURCES_POSTGREST_H

#include <cjson/cJSON.h>
#include "../source.h"
#include "../net/auth.h"
#include "../net/http.h"
#include "../net/mapping.h"

#define PG_DEFAULT_PAGE 1000
#define PG_DEFAULT_MAX_PAGES 1000

typedef struct PgTable {
    const Dataset *ds;
    char *table;
    char *query;              /* query string without limit/offset ("" when none) */
    long limit;               /* the query's own limit; -1: page to the end with Range */
    long offset;              /* first row */
    long page_size, max_pages;
    Mapping map;
} PgTable;

typedef struct PostgrestCfg {
    char *url;                /* ".../rest/v1", no trailing slash */
    char *apikey_env, *apikey_file;
    HttpAuth auth;
    char *schema;             /* Accept-Profile / Content-Profile, NULL: default */
    HttpOptions opts;         /* insecure, max_bytes, connect_timeout */
    int nt;
    PgTable *t;
    int derive_agents;        /* usage rows also give agents rows */
    char *r_table, *r_key, *note_col, *by_col, *at_col;
    cJSON *r_set, *r_unset;   /* NULL: not configured */
} PostgrestCfg;

/* apikey + Authorization: Bearer (unless auth: sets its own), Accept and the
 * schema profile, with secrets read now. 0, or -1 with *err. */
int postgrest_headers(const PostgrestCfg *c, HttpHeaders *h, char **err);
/* A request with the source's timeouts, size cap and TLS setting. */
void postgrest_request_init(HttpRequest *rq, const PostgrestCfg *c, const HttpHeaders *h);
/* PostgREST's {code, message, details, hint} of a failed response as one
 * plain message in *err (auth, no such table, 429, others with the code). */
void postgrest_error(const HttpResponse *r, const char *table, char **err);
/* SourceClass.fetch: every table to its end, then one CACHE_REPLACE commit. */
int postgrest_fetch(void *self, FetchCtx *ctx);

#endif

/* cache_internal.h — what the cache_*.c files share and nothing else sees. */
#ifndef MC_CACHE_INTERNAL_H
#define MC_CACHE_INTERNAL_H

#include "cache.h"

struct Cache {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *put[DS__COUNT][2];   /* upsert per dataset: [merge, replace] */
    sqlite3_stmt *set_resolved;        /* cache_blocker_set_resolved, kept prepared */
};

/* sqlite3_exec with the error as "cache: ..." in *err. 0 or -1. */
int cache_exec(Cache *c, const char *sql, char **err);
/* Runs one statement with text parameters (NULL binds NULL). 0 or -1. */
int cache_run_text(Cache *c, const char *sql, int n, const char *const *args, char **err);

#endif

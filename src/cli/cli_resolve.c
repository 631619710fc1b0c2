/* cli_resolve.c — `mc resolve SOURCE:KEY`: a resolve (or with --undo an
 * unresolve) from the shell. It is queued (one committed row in the outbox),
 * then delivered here; exit 0 once delivered, 1 when it failed, 3 when it is
 * queued but not yet delivered (the next mc or `mc fetch` run retries it).
 * Keys and errors are printed through cli_safe. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../cache.h"
#include "../outbox.h"
#include "../util.h"

/* 1 when the cache knows this blocker. */
static int blocker_known(Cache *c, const char *source, const char *key)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT 1 FROM blockers WHERE source = ?1 AND key = ?2",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    return found;
}

/* Queues and delivers; returns the exit code. */
static int resolve_one(Cache *c, const Config *cfg, const char *source, const char *key,
                       const char *note, const char *by, int undo, int nowait)
{
    char *err = NULL;
    int64_t id = outbox_enqueue(c, cfg, source, key, undo ? "unresolve" : "resolve", note, by, &err);
    if (id < 0) {
        fprintf(stderr, "mc resolve: %s\n", cli_safe(err));
        free(err);
        return 1;
    }
    if (nowait) {
        printf("queued as outbox #%lld (%s:%s)\n", (long long)id, cli_safe(source), cli_safe(key));
        return 3;
    }
    outbox_deliver_due(c, cfg, NULL);
    char *last = NULL;
    char *state = outbox_state(c, id, &last);
    int rc;
    if (state && strcmp(state, "delivered") == 0) {
        printf("%s:%s %s\n", cli_safe(source), cli_safe(key), undo ? "unresolved" : "resolved");
        rc = 0;
    } else if (state && strcmp(state, "failed") == 0) {
        fprintf(stderr, "mc resolve: %s:%s: %s\n", cli_safe(source), cli_safe(key),
                cli_safe(last ? last : "failed"));
        rc = 1;
    } else {
        fprintf(stderr, "mc resolve: queued as outbox #%lld, not yet delivered%s%s\n",
                (long long)id, last ? ": " : "", last ? cli_safe(last) : "");
        rc = 3;
    }
    free(state);
    free(last);
    return rc;
}

int cli_resolve(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"note", required_argument, NULL, 'n'}, {"by", required_argument, NULL, 'b'},
        {"no-wait", no_argument, NULL, 'w'},    {"undo", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *note = "", *by = NULL;
    int nowait = 0, undo = 0, ch;
    while ((ch = getopt_long(argc, argv, "n:b:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            note = optarg;
            break;
        case 'b':
            by = optarg;
            break;
        case 'w':
            nowait = 1;
            break;
        case 'u':
            undo = 1;
            break;
        default:
            return cli_opt_help_or_usage(g, ch);
        }
    }
    if (optind >= argc)
        return cli_usage_error(g->cmd, "which blocker? (SOURCE:KEY, as `mc snapshot --dataset "
                                       "blockers` shows them)");
    if (optind != argc - 1)
        return cli_usage_error(g->cmd, "one blocker at a time");
    if (!strchr(argv[optind], ':'))
        return cli_usage_error(g->cmd, "'%s' is not SOURCE:KEY", cli_safe(argv[optind]));
    char *source = xstrdup(argv[optind]);
    char *key = strchr(source, ':');
    *key++ = '\0';
    Config *cfg = cli_load_config(g);
    if (!cfg) {
        free(source);
        return 2;
    }
    Cache *c = NULL;
    char *err = NULL;
    int rc = 1;
    if (cache_open(cfg->cache_path, &c, NULL, &err) != 0) {
        fprintf(stderr, "mc resolve: %s\n", cli_safe(err));
    } else if (!config_source(cfg, source)) {
        fprintf(stderr, "mc resolve: no source '%s' in %s\n", cli_safe(source), cli_safe(cfg->path));
        rc = 2;
    } else if (!blocker_known(c, source, key)) {
        fprintf(stderr, "mc resolve: no blocker '%s' from source '%s' in the cache (run mc fetch first?)\n",
                cli_safe(key), cli_safe(source));
    } else {
        rc = resolve_one(c, cfg, source, key, note, by ? by : cfg->user, undo, nowait);
    }
    free(err);
    cache_close(c);
    config_free(cfg);
    free(source);
    return rc;
}

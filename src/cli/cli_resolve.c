/* cli_resolve.c — `mc resolve SOURCE:KEY` and `mc outbox`: the outbox from the
 * shell. A resolve is queued (one committed row), then delivered here; exit 0
 * once delivered, 1 when it failed, 3 when it is queued but not yet delivered
 * (the next mc or `mc fetch` run retries it). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../cache.h"
#include "../outbox.h"
#include "../util.h"

static const char resolve_usage[] =
    "usage: mc resolve SOURCE:KEY [--note TEXT] [--by NAME] [--no-wait]\n";

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
        case 'h':
            fputs(resolve_usage, stdout);
            return 0;
        default:
            fputs(resolve_usage, stderr);
            return 2;
        }
    }
    if (optind != argc - 1 || !strchr(argv[optind], ':')) {
        fputs(resolve_usage, stderr);
        return 2;
    }
    char *source = xstrdup(argv[optind]);
    char *key = strchr(source, ':');
    *key++ = '\0';
    Config *cfg = cli_load_config(g);
    if (!cfg) {
        free(source);
        return 2;
    }
    if (!by)
        by = cfg->user;
    Cache *c = NULL;
    char *err = NULL;
    int rc = 1;
    if (cache_open(cfg->cache_path, &c, NULL, &err) != 0) {
        fprintf(stderr, "mc resolve: %s\n", err);
        goto done;
    }
    if (!config_source(cfg, source)) {
        fprintf(stderr, "mc resolve: no source '%s' in %s\n", source, cfg->path);
        rc = 2;
        goto done;
    }
    if (!blocker_known(c, source, key)) {
        fprintf(stderr, "mc resolve: no blocker '%s' from source '%s' in the cache (run mc fetch first?)\n",
                key, source);
        goto done;
    }
    int64_t id = outbox_enqueue(c, cfg, source, key, undo ? "unresolve" : "resolve", note, by, &err);
    if (id < 0) {
        fprintf(stderr, "mc resolve: %s\n", err);
        goto done;
    }
    if (nowait) {
        printf("queued as outbox #%lld\n", (long long)id);
        rc = 3;
        goto done;
    }
    outbox_deliver_due(c, cfg, NULL);
    char *last = NULL;
    char *state = outbox_state(c, id, &last);
    if (state && strcmp(state, "delivered") == 0) {
        printf("%s:%s %s\n", source, key, undo ? "unresolved" : "resolved");
        rc = 0;
    } else if (state && strcmp(state, "failed") == 0) {
        fprintf(stderr, "mc resolve: %s:%s: %s\n", source, key, last ? last : "failed");
        rc = 1;
    } else {
        fprintf(stderr, "mc resolve: queued as outbox #%lld, not yet delivered%s%s\n",
                (long long)id, last ? ": " : "", last ? last : "");
        rc = 3;
    }
    free(state);
    free(last);
done:
    free(err);
    cache_close(c);
    config_free(cfg);
    free(source);
    return rc;
}

int cli_outbox(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"retry", required_argument, NULL, 'r'},
        {"drop", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *retry = NULL, *drop = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'r')
            retry = optarg;
        else if (ch == 'd')
            drop = optarg;
        else {
            fprintf(ch == 'h' ? stdout : stderr, "usage: mc outbox [--retry ID|all] [--drop ID]\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    long id = -1;
    if ((retry && strcmp(retry, "all") != 0 && parse_long(retry, 1, 1L << 62, &id) != 0) ||
        (drop && parse_long(drop, 1, 1L << 62, &id) != 0) || optind != argc) {
        fprintf(stderr, "usage: mc outbox [--retry ID|all] [--drop ID]\n");
        return 2;
    }
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    Cache *c = NULL;
    char *err = NULL;
    int rc = 1;
    if (cache_open(cfg->cache_path, &c, NULL, &err) == 0) {
        if (retry)
            rc = outbox_retry(c, id, &err);
        else if (drop)
            rc = outbox_drop(c, id, cfg->user, &err);
        else
            rc = outbox_list(c, stdout, &err);
        if (rc == 0 && retry) {
            outbox_deliver_due(c, cfg, NULL);
            outbox_list(c, stdout, &err);
        }
    }
    if (rc != 0)
        fprintf(stderr, "mc outbox: %s\n", err ? err : "failed");
    free(err);
    cache_close(c);
    config_free(cfg);
    return rc ? 1 : 0;
}

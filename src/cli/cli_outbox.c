/* cli_outbox.c — `mc outbox`: the write-backs that are pending or failed,
 * from the shell. Without options it lists them; --retry ID|all delivers
 * again now and says, row by row, what happened; --drop ID gives one up (its
 * blocker shows as open again) and says so. An unknown or finished row is an
 * error with exit 1. Exit codes as for resolve: 0 done, 1 failed, 2 bad
 * usage, 3 retried but still queued (not yet delivered). What the rows hold
 * came from data and is printed through cli_safe. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../cache.h"
#include "../outbox.h"
#include "../util.h"

/* One row as the user knows it: "#12 (ops:b3)". */
typedef struct Row {
    int64_t id;
    char *item;       /* "source:key", made safe */
    char *state;
} Row;

/* Loads rows: one id (id > 0) or every pending and failed one (id < 0).
 * Returns the count; *out is a new array (outrows_free). */
static int outrows_load(Cache *c, int64_t id, Row **out)
{
    sqlite3_stmt *st;
    Row *v = NULL;
    int n = 0;
    *out = NULL;
    if (sqlite3_prepare_v2(cache_db(c),
                           "SELECT id, source, key, state FROM outbox WHERE id = ?1 OR"
                           " (?1 < 0 AND state IN ('pending', 'failed')) ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        v = xrealloc(v, (size_t)(n + 1) * sizeof *v);
        char *item = xasprintf("%s:%s", sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
        v[n].id = sqlite3_column_int64(st, 0);
        v[n].item = xstrdup(cli_safe(item));
        v[n].state = xstrdup((const char *)sqlite3_column_text(st, 3));
        free(item);
        n++;
    }
    sqlite3_finalize(st);
    *out = v;
    return n;
}

static void outrows_free(Row *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].item);
        free(v[i].state);
    }
    free(v);
}

/* The outcome of one retried row; returns its exit code (0, 1 or 3). */
static int report_retry(Cache *c, const Row *r)
{
    char *last = NULL;
    char *state = outbox_state(c, r->id, &last);
    int rc = 3;
    if (state && strcmp(state, "delivered") == 0) {
        printf("outbox #%lld (%s): retried: delivered\n", (long long)r->id, r->item);
        rc = 0;
    } else if (state && strcmp(state, "failed") == 0) {
        printf("outbox #%lld (%s): retried: failed again: %s\n", (long long)r->id, r->item,
               cli_safe(last ? last : "no reason given"));
        rc = 1;
    } else {
        printf("outbox #%lld (%s): retried: still %s, not yet delivered%s%s\n", (long long)r->id,
               r->item, state ? cli_safe(state) : "queued", last ? ": " : "",
               last ? cli_safe(last) : "");
    }
    free(state);
    free(last);
    return rc;
}

/* --retry ID (id > 0) or all (id < 0). Returns the exit code. */
static int outbox_cmd_retry(Cache *c, const Config *cfg, int64_t id)
{
    Row *rows;
    int n = outrows_load(c, id, &rows), rc = 0;
    char *err = NULL;
    if (id > 0 && n == 0) {
        fprintf(stderr, "mc outbox: no outbox row #%lld (`mc outbox` lists them)\n", (long long)id);
        rc = 1;
    } else if (id > 0 && strcmp(rows[0].state, "pending") != 0 && strcmp(rows[0].state, "failed") != 0) {
        fprintf(stderr, "mc outbox: #%lld (%s) is %s: nothing to retry\n", (long long)id,
                rows[0].item, cli_safe(rows[0].state));
        rc = 1;
    } else if (n == 0) {
        printf("nothing to retry: no pending or failed write-backs\n");
    } else if (outbox_retry(c, id > 0 ? id : -1, &err) != 0) {
        fprintf(stderr, "mc outbox: %s\n", cli_safe(err));
        rc = 1;
    } else {
        outbox_deliver_due(c, cfg, NULL);
        for (int i = 0; i < n; i++) {
            int r = report_retry(c, &rows[i]);
            if (r == 1 || (r == 3 && rc == 0))
                rc = r;
        }
    }
    free(err);
    outrows_free(rows, n);
    return rc;
}

/* --drop ID. Returns the exit code. */
static int outbox_cmd_drop(Cache *c, int64_t id, const char *by)
{
    Row *rows;
    int n = outrows_load(c, id, &rows), rc = 1;
    char *err = NULL;
    if (n == 0)
        fprintf(stderr, "mc outbox: no outbox row #%lld (`mc outbox` lists them)\n", (long long)id);
    else if (strcmp(rows[0].state, "pending") != 0 && strcmp(rows[0].state, "failed") != 0)
        fprintf(stderr, "mc outbox: #%lld (%s) is %s: only pending or failed rows can be dropped\n",
                (long long)id, rows[0].item, cli_safe(rows[0].state));
    else if (outbox_drop(c, id, by, &err) != 0)
        fprintf(stderr, "mc outbox: %s\n", cli_safe(err));
    else {
        printf("outbox #%lld (%s): dropped; the blocker shows as open again\n", (long long)id,
               rows[0].item);
        rc = 0;
    }
    free(err);
    outrows_free(rows, n);
    return rc;
}

/* The list (outbox_list's lines, each made safe). Returns the exit code. */
static int outbox_cmd_list(Cache *c)
{
    char *err = NULL;
    FILE *out = cli_safe_stream(stdout);
    int rc = outbox_list(c, out ? out : stdout, &err);
    if (out)
        fclose(out);
    if (rc != 0)
        fprintf(stderr, "mc outbox: %s\n", cli_safe(err ? err : "failed"));
    free(err);
    return rc ? 1 : 0;
}

/* An ID option: a positive number, or "all" where allowed (-1). */
static int parse_id(const char *s, int all_ok, int64_t *id)
{
    long v;
    if (all_ok && strcmp(s, "all") == 0) {
        *id = -1;
        return 0;
    }
    if (parse_long(s, 1, 1L << 62, &v) != 0)
        return -1;
    *id = v;
    return 0;
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
            cli_usage(ch == 'h' ? stdout : stderr, g->cmd, ch == 'h');
            return ch == 'h' ? 0 : 2;
        }
    }
    int64_t id = 0;
    if (optind != argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
    if (retry && drop)
        return cli_usage_error(g->cmd, "--retry or --drop, not both");
    if (retry && parse_id(retry, 1, &id) != 0)
        return cli_usage_error(g->cmd, "--retry takes a row number from `mc outbox` or 'all', not '%s'",
                               cli_safe(retry));
    if (drop && parse_id(drop, 0, &id) != 0)
        return cli_usage_error(g->cmd, "--drop takes a row number from `mc outbox`, not '%s'",
                               cli_safe(drop));
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    Cache *c = NULL;
    char *err = NULL;
    int rc = 1;
    if (cache_open(cfg->cache_path, &c, NULL, &err) != 0)
        fprintf(stderr, "mc outbox: %s\n", cli_safe(err));
    else if (retry)
        rc = outbox_cmd_retry(c, cfg, id);
    else if (drop)
        rc = outbox_cmd_drop(c, id, cfg->user);
    else
        rc = outbox_cmd_list(c);
    free(err);
    cache_close(c);
    config_free(cfg);
    return rc;
}

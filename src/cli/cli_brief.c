/* cli_brief.c — `mc brief`: the morning brief (src/brief.c) from the cache
 * only, through a read-only SQLite connection (it never fetches, never
 * writes, never touches the network), as text (default; 80 columns, for
 * `mc brief | mail -s ...`), markdown or JSON. --since DUR sets the window
 * of jobs and activity (default 24h). MC_NOW (ISO 8601) fixes "now" for
 * tests and for re-reading an old cache. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "../brief.h"
#include "../textsafe.h"
#include "../util.h"

#define BUSY_MS 2000

/* now, or MC_NOW when set. -1 when MC_NOW is malformed. */
static int64_t brief_now(void)
{
    const char *env = getenv("MC_NOW");
    int64_t t;
    if (!env || !*env)
        return now_ms();
    return time_parse_iso(env, &t) == 0 ? t : -1;
}

int cli_brief(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"since", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    BriefFormat fmt = BRIEF_TEXT;
    int64_t since = 24 * 3600000LL;
    int ch;
    while ((ch = getopt_long(argc, argv, "f:s:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (strcmp(optarg, "text") == 0)
                fmt = BRIEF_TEXT;
            else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
                fmt = BRIEF_MARKDOWN;
            else if (strcmp(optarg, "json") == 0)
                fmt = BRIEF_JSON;
            else
                return cli_usage_error(g->cmd, "unknown format '%s' (use text, markdown or json)",
                                       cli_safe(optarg));
            break;
        case 's':
            if (duration_parse(optarg, &since) != 0 || since <= 0)
                return cli_usage_error(g->cmd, "--since takes a duration such as 24h or 7d, "
                                       "not '%s'", cli_safe(optarg));
            break;
        default:
            return cli_opt_help_or_usage(g, ch);
        }
    }
    if (optind < argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
    int64_t now = brief_now();
    if (now < 0) {
        fprintf(stderr, "mc brief: MC_NOW is not an ISO 8601 time: %s\n", cli_safe(getenv("MC_NOW")));
        return 2;
    }
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    sqlite3 *db = NULL;
    int rc = 1;
    char *err = NULL;
    if (sqlite3_open_v2(cfg->cache_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "mc brief: cannot open the cache %s: %s (run mc fetch first)\n",
                cli_safe(cfg->cache_path), cli_safe(db ? sqlite3_errmsg(db) : "out of memory"));
        goto out;
    }
    sqlite3_busy_timeout(db, BUSY_MS);
    Brief b;
    if (brief_collect(db, cfg, now, since, &b, &err) != 0) {
        fprintf(stderr, "mc brief: %s\n", cli_safe(err));
        goto out;
    }
    Buf text = {0};
    brief_render(&b, fmt, textsafe_flags_terminal(g->ascii), &text);
    brief_free(&b);
    rc = fwrite(text.s, 1, text.len, stdout) == text.len && fflush(stdout) == 0 ? 0 : 1;
    buf_free(&text);
out:
    sqlite3_close(db);
    free(err);
    config_free(cfg);
    return rc;
}

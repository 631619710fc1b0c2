/* cli_fetch.c — `mc fetch`: refresh the cache without a screen. --once runs
 * every source (or --source ID) now and exits 0 only when all succeeded, one
 * line per source on stderr (made safe for the terminal: errors quote data);
 * --daemon keeps the scheduler running until SIGTERM/SIGINT, sharing the
 * cache (and the leases) with any open dashboard, and does the daily jobs on
 * this (main) thread once a second: the backup at backup.at and the brief at
 * brief.at in brief.tz (brief_daily.c). On a terminal --once
 * shows how many sources are done on a progress line (progress.h). */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../backup.h"
#include "../brief_daily.h"
#include "../engine.h"
#include "../log.h"
#include "../net/secret.h"
#include "../util.h"

static volatile sig_atomic_t fetch_stop;

static void on_signal(int sig)
{
    (void)sig;
    fetch_stop = 1;
}

/* --once: returns the exit code. */
static int fetch_once(Engine *e)
{
    char *err = NULL;
    FILE *report = cli_safe_stream(stderr);
    int failed = engine_run_once(e, report ? report : stderr, 0, &err);
    if (report)
        fclose(report);
    if (failed < 0)
        fprintf(stderr, "mc fetch: %s\n", cli_safe(err));
    free(err);
    char *warnings = secret_warnings();    /* group/world-readable secret files, like ssh */
    for (char *w = warnings, *nl; w && *w; w = nl + 1) {
        if ((nl = strchr(w, '\n')))
            *nl = 0;
        fprintf(stderr, "mc fetch: warning: %s\n", cli_safe(w));
        if (!nl)
            break;
    }
    free(warnings);
    return failed != 0 ? 1 : 0;
}

/* --daemon: returns the exit code. */
static int fetch_daemon(Engine *e, const Config *cfg)
{
    char *err = NULL;
    if (brief_daily_check(cfg, &err) != 0) {       /* brief.tz must be a zone we can read */
        fprintf(stderr, "mc fetch: %s: brief.tz: %s\n", cli_safe(cfg->path), cli_safe(err));
        free(err);
        return 2;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (engine_start(e, &err) != 0) {
        fprintf(stderr, "mc fetch: %s\n", cli_safe(err));
        free(err);
        return 1;
    }
    log_info("fetch daemon started with %d sources", cfg->nsources);
    int64_t newest_backup = -1;
    BriefDaily brief = {0};
    while (!fetch_stop) {
        if (cfg->backup.at_min < 0 && cfg->brief.at_min < 0) {
            pause();
            continue;
        }
        /* backup.at: the daily backup (backup.c), checked once a second */
        if (cfg->backup.at_min >= 0)
            backup_tick(cfg->cache_path, cfg->backup.dir, cfg->backup.keep, cfg->backup.at_min, &newest_backup);
        /* brief.at: the daily brief, queued once per local day to the notify targets */
        int sent = brief_daily_tick(&brief, cfg, now_ms(), &err);
        if (sent > 0) {
            log_info("daily brief %s queued", brief.done);
            engine_kick_outbox(e);
        } else if (sent == 0 && brief.already) {
            log_info("daily brief %s: already queued by an earlier run", brief.done);
            brief.already = 0;
        } else if (sent < 0) {
            log_warn("daily brief: %s (tried again in a minute)", err ? err : "failed");
        }
        free(err);
        err = NULL;
        sleep(1);
    }
    brief_daily_close(&brief);
    log_info("fetch daemon stopping");
    return 0;
}

int cli_fetch(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"once", no_argument, NULL, 'o'},         {"daemon", no_argument, NULL, 'd'},
        {"source", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int daemon = 0, ch;
    const char *only = NULL;
    while ((ch = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            daemon = 0;
            break;
        case 'd':
            daemon = 1;
            break;
        case 's':
            only = optarg;
            break;
        default:
            return cli_opt_help_or_usage(g, ch);
        }
    }
    if (optind < argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    char *err = NULL;
    Progress pg;    /* --once on a terminal: "N of M sources fetched" */
    progress_start(&pg, "mc fetch", !daemon);
    EngineOpts eo = {.workers = 0, .wake_fd = -1, .watch = daemon, .only_source = only, .progress = &pg};
    Engine *e = engine_new(cfg, &eo, &err);
    if (!e) {
        fprintf(stderr, "mc fetch: %s\n", cli_safe(err));
        free(err);
        config_free(cfg);
        return 2;
    }
    int rc = daemon ? fetch_daemon(e, cfg) : fetch_once(e);
    engine_free(e);
    config_free(cfg);
    return rc;
}

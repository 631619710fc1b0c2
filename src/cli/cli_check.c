/* cli_check.c — `mc check`: validate the config, then what the dashboard
 * validates before it takes the screen (keys, widgets, the layout it would
 * open: the same functions, ui/validate.h) and, when serve: is configured,
 * what `mc serve` checks before it starts (its token files through the
 * secret reader, the listen address: serve_settings_check), exit 2 with
 * FILE:LINE:COLUMN when anything is wrong; then probe every source once
 * into a throw-away cache and print a table, with the malformed lines each
 * source skipped. Nothing goes to the real cache or the real log. Nothing
 * printed comes from a secret:
 * ids, kinds, intervals and the sources' own (secret-free) error messages,
 * each made safe for the terminal. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../backup.h"
#include "../brief_daily.h"
#include "../cache.h"
#include "../engine.h"
#include "../net/secret.h"
#include "../serve/serve.h"
#include "../source.h"
#include "../ui/validate.h"
#include "../util.h"

/* "  2 malformed lines skipped (last: line 7: not JSON)" under a source's
 * row; kinds that count bad lines keep the last one's number and why in
 * their cursor. */
static void print_bad_lines(const SourceState *st)
{
    if (st->bad_lines <= 0)
        return;
    printf("%-16s %lld malformed line%s skipped", "", (long long)st->bad_lines,
           st->bad_lines == 1 ? "" : "s");
    cJSON *cur = st->cursor ? cJSON_Parse(st->cursor) : NULL;
    const cJSON *bl = cJSON_GetObjectItemCaseSensitive(cur, "bad_line");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(cur, "why");
    if (cJSON_IsNumber(bl))
        printf(" (last: line %lld%s%s)", (long long)bl->valuedouble, cJSON_IsString(why) ? ": " : "",
               cJSON_IsString(why) ? cli_safe(why->valuestring) : "");
    cJSON_Delete(cur);
    putchar('\n');
}

/* The table of probe results; failed: enabled sources whose probe failed. */
static void print_table(const Config *cfg, Cache *c, int failed)
{
    int enabled = 0;
    printf("\n%-16s %-15s %-7s %-6s %s\n", "SOURCE", "KIND", "EVERY", "RESULT", "DETAIL");
    for (int i = 0; i < cfg->nsources; i++) {
        const SourceConfig *sc = &cfg->sources[i];
        SourceState st = {0};
        if (c)
            cache_state_get(c, sc->id, &st, NULL);
        char every[32], detail[128];
        snprintf(every, sizeof every, "%llds", (long long)(sc->every_ms / 1000));
        const char *res = "ok", *text = detail;
        enabled += sc->enabled;
        if (!sc->enabled) {
            res = "off";
            text = "enabled: false";
        } else if (st.last_error) {
            res = "FAIL";
            text = cli_safe(st.last_error);
        } else {
            snprintf(detail, sizeof detail, "%lld rows in %lld ms%s", (long long)st.rows,
                     (long long)st.duration_ms, sc->cls->resolve ? ", can resolve" : "");
        }
        printf("%-16s %-15s %-7s %-6s %s\n", cli_safe(sc->id), sc->cls->kind, every, res, text);
        if (sc->preset)   /* the preset behind it, in the words its config errors use */
            printf("  source '%s' (preset %s): %s\n", cli_safe(sc->id), cli_safe(sc->preset),
                   !sc->enabled ? "off" : st.last_error ? "FAIL" : "ok");
        print_bad_lines(&st);
        cache_state_clear(&st);
    }
    printf("\n%d of %d enabled sources ok\n", enabled - failed, enabled);
    char *warnings = secret_warnings();     /* group/world-readable secret files */
    for (char *w = warnings, *nl; w && *w; w = nl + 1) {
        nl = strchr(w, '\n');
        if (nl)
            *nl = 0;
        printf("warning: %s\n", cli_safe(w));
        if (!nl)
            break;
    }
    free(warnings);
}

/* Probes every source into dir/probe.db. Returns failures, or -1 with *err. */
static int probe(Config *cfg, const char *dir, char **err)
{
    char *real_cache = cfg->cache_path;
    cfg->cache_path = xasprintf("%s/probe.db", dir);
    /* the probe raises alerts in the throw-away cache, but must notify no one */
    int ntargets = cfg->alerts.ntargets;
    cfg->alerts.ntargets = 0;
    EngineOpts eo = {.workers = 0, .wake_fd = -1, .watch = 0, .only_source = NULL};
    Engine *e = engine_new(cfg, &eo, err);
    int rc = e ? engine_run_once(e, NULL, 0, err) : -1;
    engine_free(e);
    cfg->alerts.ntargets = ntargets;
    if (rc >= 0) {
        Cache *c = NULL;
        cache_open(cfg->cache_path, &c, NULL, NULL);
        print_table(cfg, c, rc);
        cache_close(c);
    }
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char *p = xasprintf("%s%s", cfg->cache_path, suffix[i]);
        unlink(p);
        free(p);
    }
    free(cfg->cache_path);
    cfg->cache_path = real_cache;
    return rc;
}

int cli_check(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        return cli_opt_help_or_usage(g, ch);
    }
    if (optind < argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
    g->no_log = 1;               /* a check leaves the real log alone */
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    char *err = NULL, *layout_file = NULL;
    if (ui_validate(cfg, g->layout, &layout_file, &err) != 0) {
        fprintf(stderr, "mc: %s\n", cli_safe(err ? err : "invalid"));
        free(err);
        config_free(cfg);
        return 2;
    }
    int nwidgets = cfg->widgets && cfg->widgets->type == YN_SEQ ? cfg->widgets->n : 0;
    printf("config: %s: ok (%d source%s, %d widget%s, keys ok)\n", cli_safe(cfg->path),
           cfg->nsources, cfg->nsources == 1 ? "" : "s", nwidgets, nwidgets == 1 ? "" : "s");
    printf("layout: %s: ok\n", cli_safe(layout_file));
    free(layout_file);
    if (ynode_get(cfg->doc, "serve")) {      /* what `mc serve` checks before it starts */
        if (serve_settings_check(cfg, &err) != 0) {
            fprintf(stderr, "mc: %s\n", cli_safe(err));
            free(err);
            config_free(cfg);
            return 2;
        }
        printf("serve: %s: ok (reads %s, writes %s)\n", cli_safe(cfg->serve.listen),
               cfg->serve.token_file ? "need a token" : "open",
               cfg->serve.write_token_file ? "need the write token" : "off");
    }
    if (cfg->backup.configured) {            /* the age of the newest backup */
        char status[128];
        backup_status(&cfg->backup, status, sizeof status);
        printf("backups: %s: %s\n", cli_safe(cfg->backup.dir), status);
    }
    if (cfg->brief.at_min >= 0) {            /* what mc fetch --daemon checks before it starts */
        if (brief_daily_check(cfg, &err) != 0) {
            fprintf(stderr, "mc: %s: brief.tz: %s\n", cli_safe(cfg->path), cli_safe(err));
            free(err);
            config_free(cfg);
            return 2;
        }
        printf("brief: daily at %02d:%02d %s, %d target%s\n", cfg->brief.at_min / 60,
               cfg->brief.at_min % 60, cli_safe(cfg->brief.tz ? cfg->brief.tz : "UTC"),
               cfg->brief.ntargets ? cfg->brief.ntargets : cfg->alerts.ntargets,
               (cfg->brief.ntargets ? cfg->brief.ntargets : cfg->alerts.ntargets) == 1 ? "" : "s");
    }
    char full[256];                          /* the real cache: full disk, read-only */
    int cache_bad = cache_writable(cfg->cache_path, full, sizeof full) != 0;
    if (cache_bad)
        printf("cache: %s: error: %s\n", cli_safe(cfg->cache_path), cli_safe(full));
    fflush(stdout);
    /* probe into a private cache so a check never disturbs the real one */
    char tmpl[] = "/tmp/mc-check-XXXXXX";
    char *dir = mkdtemp(tmpl);
    int rc;
    if (!dir) {
        perror("mc check: mkdtemp");
        rc = 1;
    } else {
        int failed = probe(cfg, dir, &err);
        if (failed < 0)
            fprintf(stderr, "mc check: %s\n", cli_safe(err ? err : "engine failed"));
        rc = failed != 0 || cache_bad ? 1 : 0;
        rmdir(dir);
    }
    free(err);
    config_free(cfg);
    return rc;
}

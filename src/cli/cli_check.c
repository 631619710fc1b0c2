/* cli_check.c — `mc check`: validate the config (exit 2 with FILE:LINE:COLUMN
 * when it is wrong), then probe every source once into a throw-away cache and
 * print a table. Nothing the table prints comes from a secret: only ids,
 * kinds, intervals, and the sources' own (secret-free) error messages. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../cache.h"
#include "../engine.h"
#include "../source.h"
#include "../util.h"

int cli_check(CliGlobal *g, int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: mc check\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: mc check\n");
        return 2;
    }
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    printf("config: %s: ok (%d sources)\n", cfg->path, cfg->nsources);
    /* probe into a private cache so a check never disturbs the real one */
    char tmpl[] = "/tmp/mc-check-XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir) {
        perror("mc check: mkdtemp");
        config_free(cfg);
        return 1;
    }
    char *real_cache = cfg->cache_path;
    cfg->cache_path = xasprintf("%s/probe.db", dir);
    char *err = NULL;
    EngineOpts eo = {.workers = 0, .wake_fd = -1, .watch = 0, .only_source = NULL};
    Engine *e = engine_new(cfg, &eo, &err);
    int failed = e ? engine_run_once(e, NULL, 0, &err) : -1;
    int rc = 0;
    if (failed < 0) {
        fprintf(stderr, "mc check: %s\n", err ? err : "engine failed");
        rc = 1;
    } else {
        Cache *c = NULL;
        cache_open(cfg->cache_path, &c, NULL, NULL);
        printf("\n%-16s %-15s %-7s %-6s %s\n", "SOURCE", "KIND", "EVERY", "RESULT", "DETAIL");
        for (int i = 0; i < cfg->nsources; i++) {
            const SourceConfig *sc = &cfg->sources[i];
            SourceState st = {0};
            if (c)
                cache_state_get(c, sc->id, &st, NULL);
            char every[32];
            snprintf(every, sizeof every, "%llds", (long long)(sc->every_ms / 1000));
            char detail[256];
            const char *res;
            if (!sc->enabled) {
                res = "off";
                snprintf(detail, sizeof detail, "enabled: false");
            } else if (st.last_error) {
                res = "FAIL";
                snprintf(detail, sizeof detail, "%s", st.last_error);
            } else {
                res = "ok";
                snprintf(detail, sizeof detail, "%lld rows in %lld ms%s", (long long)st.rows,
                         (long long)st.duration_ms, sc->cls->resolve ? ", can resolve" : "");
            }
            printf("%-16s %-15s %-7s %-6s %s\n", sc->id, sc->cls->kind, every, res, detail);
            cache_state_clear(&st);
        }
        cache_close(c);
        rc = failed ? 1 : 0;
        int enabled = 0;
        for (int i = 0; i < cfg->nsources; i++)
            enabled += cfg->sources[i].enabled;
        printf("\n%d of %d enabled sources ok\n", enabled - failed, enabled);
    }
    engine_free(e);
    free(err);
    char *cmd = xasprintf("%s/probe.db", dir);
    unlink(cmd);
    free(cmd);
    for (int i = 0; i < 2; i++) {
        cmd = xasprintf("%s/probe.db%s", dir, i ? "-shm" : "-wal");
        unlink(cmd);
        free(cmd);
    }
    rmdir(dir);
    free(cfg->cache_path);
    cfg->cache_path = real_cache;
    config_free(cfg);
    return rc;
}

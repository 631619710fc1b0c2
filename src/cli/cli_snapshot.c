/* cli_snapshot.c — `mc snapshot`: print what the dashboard knows, straight
 * from the cache. --json prints one object keyed by dataset name (arrays of
 * rows with the contract's field names) plus "sources" (each source's
 * status); --dataset NAME prints just that array. Never fetches. The text
 * form passes what came from data through cli_safe; JSON escapes controls. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../cache.h"
#include "../util.h"

static int snapshot_text(Cache *c, const Config *cfg)
{
    printf("cache: %s\n\n%-10s %8s\n", cli_safe(cache_path(c)), "DATASET", "ROWS");
    for (int i = 0; i < DS__COUNT; i++) {
        const Dataset *ds = dataset_get((DatasetId)i);
        printf("%-10s %8lld\n", ds->name, (long long)cache_count(c, ds, NULL));
    }
    printf("\n%-16s %-6s %-8s %s\n", "SOURCE", "STATUS", "AGE", "LAST ERROR");
    for (int i = 0; i < cfg->nsources; i++) {
        SourceState st = {0};
        cache_state_get(c, cfg->sources[i].id, &st, NULL);
        char age[32] = "never";
        if (st.last_success)
            time_format_age(now_ms() - st.last_success, age, sizeof age);
        const char *status = !st.last_attempt ? "-" : st.last_error ? "error" : "ok";
        printf("%-16s %-6s %-8s %s\n", cli_safe(cfg->sources[i].id), status, age,
               cli_safe(st.last_error));
        cache_state_clear(&st);
    }
    return 0;
}

int cli_snapshot(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"dataset", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, ch;
    long limit = 0;
    const char *only = NULL;
    while ((ch = getopt_long(argc, argv, "jd:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            json = 1;
            break;
        case 'd':
            only = optarg;
            break;
        case 'l':
            if (parse_long(optarg, 1, 100000000, &limit) != 0)
                return cli_usage_error(g->cmd, "--limit takes a positive number");
            break;
        default:
            return cli_opt_help_or_usage(g, ch);
        }
    }
    if (optind < argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
    const Dataset *ds = NULL;
    if (only && !(ds = dataset_find(only)))
        return cli_usage_error(g->cmd, "unknown dataset '%s' (known: %s)", cli_safe(only),
                               dataset_names());
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    cache_set_quick_check(0);
    Cache *c = NULL;
    char *err = NULL, *warn = NULL;
    if (cache_open(cfg->cache_path, &c, &warn, &err) != 0) {
        fprintf(stderr, "mc snapshot: %s\n", cli_safe(err));
        free(err);
        config_free(cfg);
        return 1;
    }
    if (warn)
        fprintf(stderr, "mc: %s\n", cli_safe(warn));
    int rc = 0;
    if (!json && !ds) {
        snapshot_text(c, cfg);
    } else if (ds) {
        rc = cache_dump_dataset(c, ds, stdout, limit, &err);
        fputc('\n', stdout);
    } else {
        fputs("{\n\"sources\": ", stdout);
        rc = cache_dump_sources(c, stdout, &err);
        for (int i = 0; i < DS__COUNT && rc == 0; i++) {
            printf(",\n\"%s\": ", dataset_get((DatasetId)i)->name);
            rc = cache_dump_dataset(c, dataset_get((DatasetId)i), stdout, limit, &err);
        }
        fputs("\n}\n", stdout);
    }
    if (rc != 0)
        fprintf(stderr, "mc snapshot: %s\n", cli_safe(err));
    if (fflush(stdout) != 0)
        rc = -1;
    free(err);
    free(warn);
    cache_close(c);
    config_free(cfg);
    return rc ? 1 : 0;
}

/* cli_alerts.c — `mc alerts`: the open alerts from the cache (the engine
 * raised them; this command only reads), `--all` adds acked and cleared
 * ones, `--json` prints them as `GET /api/alerts` does; `mc alerts ack KEY
 * [--by NAME]` acknowledges one (it leaves the open list until it clears).
 * Exit codes: 0 done, 1 runtime failure or no such open alert, 2 bad usage
 * or configuration. Text from data goes through cli_safe. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../alerts/alerts.h"
#include "../cache.h"
#include "../util.h"

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void print_table(const cJSON *arr, int all, int64_t now)
{
    int n = cJSON_GetArraySize(arr);
    if (n == 0) {
        printf(all ? "no alerts\n" : "no open alerts\n");
        return;
    }
    printf("%-5s %-7s %-6s %-32s %s\n", "SEV", "STATE", "AGE", "KEY", "TITLE");
    const cJSON *o;
    cJSON_ArrayForEach(o, arr) {
        int64_t first = 0;
        char age[16] = "-";
        if (time_parse_iso(str(o, "first_seen"), &first) == 0)
            time_format_age(now - first > 0 ? now - first : 0, age, sizeof age);
        const char *state = str(o, "state");
        if (*str(o, "snoozed_until"))
            state = "snoozed";
        printf("%-5s %-7s %-6s %-32s %s", str(o, "severity"), state, age, cli_safe(str(o, "key")),
               cli_safe(str(o, "title")));
        if (*str(o, "source"))
            printf(" [%s]", cli_safe(str(o, "source")));
        if (*str(o, "acked_by"))
            printf(" (acked by %s)", cli_safe(str(o, "acked_by")));
        printf("\n");
    }
}

static int alerts_ack_cmd(CliGlobal *g, Cache *c, const Config *cfg, int argc, char **argv)
{
    static const struct option opts[] = {
        {"by", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *by = cfg->user;
    int ch;
    optind = 0;                        /* a fresh scan of the sub-command's argv */
    while ((ch = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
        if (ch == 'b')
            by = optarg;
        else
            return cli_opt_help_or_usage(g, ch);
    }
    if (optind != argc - 1)
        return cli_usage_error(g->cmd, "ack takes one KEY (see mc alerts)");
    char *err = NULL;
    int rc = alerts_ack(c, argv[optind], by, &err);
    if (rc < 0) {
        fprintf(stderr, "mc alerts: %s\n", cli_safe(err ? err : "ack failed"));
        free(err);
        return 1;
    }
    if (rc == 1) {
        fprintf(stderr, "mc alerts: no open alert '%s' (mc alerts --all lists them)\n", cli_safe(argv[optind]));
        return 1;
    }
    printf("alert %s acked by %s\n", cli_safe(argv[optind]), cli_safe(by));
    return 0;
}

int cli_alerts(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"all", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, all = 0, ch, ack = argc > 1 && strcmp(argv[1], "ack") == 0;
    if (!ack) {
        while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
            if (ch == 'j')
                json = 1;
            else if (ch == 'a')
                all = 1;
            else
                return cli_opt_help_or_usage(g, ch);
        }
        if (optind < argc)
            return cli_usage_error(g->cmd, "unexpected '%s'", argv[optind]);
    }
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    Cache *c = NULL;
    char *err = NULL;
    if (cache_open(cfg->cache_path, &c, NULL, &err) != 0) {
        fprintf(stderr, "mc alerts: %s\n", cli_safe(err ? err : "cannot open the cache"));
        free(err);
        config_free(cfg);
        return 1;
    }
    int rc = 0;
    if (ack) {
        rc = alerts_ack_cmd(g, c, cfg, argc - 1, argv + 1);
    } else {
        int64_t now = now_ms();
        cJSON *arr = alerts_list_json(c, all, now, &err);
        if (!arr) {
            fprintf(stderr, "mc alerts: %s\n", cli_safe(err ? err : "cannot read alerts"));
            rc = 1;
        } else if (json) {
            char *s = cJSON_Print(arr);
            printf("%s\n", s ? s : "[]");
            cJSON_free(s);
        } else {
            print_table(arr, all, now);
        }
        cJSON_Delete(arr);
        free(err);
    }
    cache_close(c);
    config_free(cfg);
    return rc;
}

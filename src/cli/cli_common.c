/* cli_common.c — what every command shares: finding and loading the config
 * (or the demo's), opening the log, and printing errors the same way. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include "../demo.h"
#include "../log.h"
#include "../util.h"

Config *cli_load_config(CliGlobal *g)
{
    Config *cfg = NULL;
    char *err = NULL;
    if (g->demo) {
        char *text = NULL;
        free(g->demo_dir);
        g->demo_dir = NULL;
        if (demo_prepare(&g->demo_dir, &text, &err) != 0 ||
            config_load_text("<demo>", text, &cfg, &err) != 0) {
            fprintf(stderr, "mc: demo: %s\n", err ? err : "cannot prepare");
            free(text);
            free(err);
            return NULL;
        }
        free(text);
    } else {
        char *path = config_default_path(g->config_path);
        if (access(path, F_OK) != 0 && errno == ENOENT) {
            fprintf(stderr, "mc: no config at %s\n"
                            "    copy mc.yaml.example there, pass -c FILE, or try: mc --demo\n", path);
            free(path);
            return NULL;
        }
        if (config_load(path, &cfg, &err) != 0) {
            fprintf(stderr, "mc: %s\n", err ? err : path);
            free(err);
            free(path);
            return NULL;
        }
        free(path);
    }
    if (g->cache_path) {
        free(cfg->cache_path);
        cfg->cache_path = xstrdup(g->cache_path);
    }
    log_open(cfg->log_path);
    return cfg;
}

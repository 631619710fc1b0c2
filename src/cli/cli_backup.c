/* cli_backup.c — `mc backup [--to DIR]` and `mc restore FILE` (backup.h).
 * backup prints the new file's path on stdout; restore refuses, with the
 * reason and exit 1, a backup whose checksum or integrity check fails, and
 * then has not touched the cache. Running mc processes need no restart: the
 * restore goes through SQLite, so their connections read the restored rows
 * at their next read (a dashboard redraws as after any change). On a
 * terminal both show what they are doing on the progress line (progress.h). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../backup.h"
#include "../progress.h"
#include "../util.h"

/* Parses just --help and one option taking a value (NULL: none). Returns -1
 * to go on, or the exit code. */
static int parse(CliGlobal *g, int argc, char **argv, const char *optname, const char **val)
{
    const struct option opts[] = {
        {optname ? optname : "help", optname ? required_argument : no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'v' && optname) {
            *val = optarg;
        } else if (ch == 'h' || ch == 'v') {
            cli_usage(stdout, g->cmd, 1);
            return 0;
        } else {
            cli_usage(stderr, g->cmd, 0);
            return 2;
        }
    }
    return -1;
}

int cli_backup(CliGlobal *g, int argc, char **argv)
{
    const char *to = NULL;
    int rc = parse(g, argc, argv, "to", &to);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    char *err = NULL, *out = NULL, *dir = to ? path_expand(to, &err) : xstrdup(cfg->backup.dir);
    struct stat cst;
    Progress pg;
    progress_start(&pg, "mc backup", stat(cfg->cache_path, &cst) == 0);
    progress_step(&pg, "copying %s (%.1f MB)...", cli_safe(cfg->cache_path), (double)cst.st_size / 1e6);
    if (dir && backup_take(cfg->cache_path, dir, cfg->backup.keep, &out, &err) == 0) {
        struct stat st;
        long long size = stat(out, &st) == 0 ? (long long)st.st_size : 0;
        progress_done(&pg, "copied %s (%.1f MB)", cli_safe(cfg->cache_path), (double)size / 1e6);
        printf("%s\n", cli_safe(out));
        fprintf(stderr, "mc backup: %lld bytes, checksum in %s.sha256; keeping the newest %d\n", size,
                cli_safe(out), cfg->backup.keep);
        rc = 0;
    } else {
        progress_done(&pg, NULL);
        fprintf(stderr, "mc backup: %s\n", cli_safe(err));
        rc = 1;
    }
    free(out);
    free(dir);
    free(err);
    config_free(cfg);
    return rc;
}

int cli_restore(CliGlobal *g, int argc, char **argv)
{
    int rc = parse(g, argc, argv, NULL, NULL);
    if (rc >= 0)
        return rc;
    if (optind + 1 != argc)
        return cli_usage_error(g->cmd, optind < argc ? "one FILE at a time" : "which backup? (a FILE from mc backup)");
    const char *file = argv[optind];
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    char *err = NULL, *aside = NULL;
    Progress pg;
    progress_start(&pg, "mc restore", 1);
    if (backup_restore(cfg->cache_path, file, &pg, &aside, &err) == 0) {
        progress_done(&pg, "restored (checksum and integrity ok)");
        printf("restored %s into %s\n", cli_safe(file), cli_safe(cfg->cache_path));
        if (aside)
            printf("the previous cache is kept as %s\n", cli_safe(aside));
        printf("running mc processes see the restored data at their next read; nothing to restart\n");
        rc = 0;
    } else {
        progress_done(&pg, NULL);
        fprintf(stderr, "mc restore: %s\nmc restore: nothing restored; the cache is as it was\n", cli_safe(err));
        rc = 1;
    }
    free(aside);
    free(err);
    config_free(cfg);
    return rc;
}

/* cli.h — one function per command (src/cli/cli_<command>.c). main.c parses the
 * global options, picks the command and calls it; nothing else lives there.
 * Each command loads the config through cli_load_config so --demo, -c and
 * $MC_CONFIG work the same everywhere. Commands return the process exit code:
 * 0 success, 1 runtime failure, 2 bad usage or bad configuration (3 is
 * `mc resolve`'s "queued, not yet delivered"). */
#ifndef MC_CLI_H
#define MC_CLI_H

#include "../config.h"

typedef struct CliGlobal {
    const char *config_path;   /* -c FILE, or NULL */
    int demo;                  /* --demo */
    int ascii;                 /* --ascii */
    const char *cache_path;    /* --cache FILE overrides the config's */
    char *demo_dir;            /* set by cli_load_config in demo mode */
} CliGlobal;

/* Loads the config (demo, -c, $MC_CONFIG or XDG). On failure prints
 * "mc: FILE:LINE:COLUMN: message" to stderr and returns NULL. Caller frees. */
Config *cli_load_config(CliGlobal *g);

int cli_dashboard(CliGlobal *g, int argc, char **argv);
int cli_fetch(CliGlobal *g, int argc, char **argv);
int cli_snapshot(CliGlobal *g, int argc, char **argv);
int cli_check(CliGlobal *g, int argc, char **argv);
int cli_resolve(CliGlobal *g, int argc, char **argv);
int cli_outbox(CliGlobal *g, int argc, char **argv);

#endif

/* cli.h — the command line. Every command is one row of cli_commands[]
 * (src/cli/commands.c): {name, usage, summary, help, fn}; `mc --help`, `mc help
 * CMD`, `mc CMD --help`, the usage line printed on a usage error and the man
 * page's SYNOPSIS (`mc help --man`) are all generated from that table. The
 * function of a command lives in src/cli/cli_<command>.c. main.c parses the
 * global options, picks the command and calls it; nothing else lives there.
 * Each command loads the config through cli_load_config so --demo, -c and
 * $MC_CONFIG work the same everywhere. Commands return the process exit code:
 * 0 success, 1 runtime failure, 2 bad usage or bad configuration (3 is
 * `mc resolve`'s "queued, not yet delivered"). Everything a command prints
 * for a person that came from data or a file goes through cli_safe. */
#ifndef MC_CLI_H
#define MC_CLI_H

#include <stdio.h>
#include "../config.h"

struct CliCommand;

typedef struct CliGlobal {
    const char *config_path;   /* -c FILE, or NULL */
    int demo;                  /* --demo */
    int ascii;                 /* --ascii */
    const char *cache_path;    /* --cache FILE overrides the config's */
    const char *layout;        /* --layout NAME|FILE (the dashboard's) */
    int no_log;                /* cli_load_config leaves the log closed */
    char *demo_dir;            /* set by cli_load_config in demo mode */
    const struct CliCommand *cmd;  /* the command being run */
} CliGlobal;

typedef int (*CliFn)(CliGlobal *g, int argc, char **argv);

typedef struct CliCommand {
    const char *name;
    const char *usage;         /* what follows "mc NAME": "[--json] [--dataset NAME]" */
    const char *summary;       /* one line for --help */
    const char *help;          /* more lines for `mc help NAME`, or NULL */
    CliFn fn;
} CliCommand;

/* The commands, in --help order; ends with {NULL}. */
extern const CliCommand cli_commands[];
const CliCommand *cli_command_find(const char *name);

/* "usage: mc NAME USAGE" (and summary and help lines when full). */
void cli_usage(FILE *out, const CliCommand *c, int full);
/* The end of every command's getopt switch: -h/--help prints the command's
 * full usage on stdout and returns 0; anything else (getopt has already said
 * what) prints the usage line on stderr and returns 2. */
int cli_opt_help_or_usage(const CliGlobal *g, int ch);
/* A usage error: "mc NAME: message" and the usage line on stderr. Returns 2. */
int cli_usage_error(const CliCommand *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* All of `mc --help`. */
void cli_help_all(FILE *out);
/* The man page's SYNOPSIS section (roff), from the tables. */
void cli_man_synopsis(FILE *out);
/* Loads the config (demo, -c, $MC_CONFIG or XDG). On failure prints
 * "mc: FILE:LINE:COLUMN: message" to stderr and returns NULL. Caller frees. */
Config *cli_load_config(CliGlobal *g);

/* Text from data made safe for this terminal (textsafe.h: no control byte,
 * escape sequence or bidi override; --ascii and non-UTF-8 locales get ASCII
 * only). Returns one of a ring of 8 buffers: valid until 8 more calls. */
const char *cli_safe(const char *s);
/* Sets what cli_safe produces (main calls it once with --ascii). */
void cli_safe_init(int ascii);
/* A stream that writes to dst what is written to it, line by line, each line
 * passed through cli_safe (for text printed by code outside src/cli, such as
 * outbox_list and engine_run_once). Close it with fclose before dst. */
FILE *cli_safe_stream(FILE *dst);

int cli_dashboard(CliGlobal *g, int argc, char **argv);
int cli_fetch(CliGlobal *g, int argc, char **argv);
int cli_snapshot(CliGlobal *g, int argc, char **argv);
int cli_check(CliGlobal *g, int argc, char **argv);
int cli_resolve(CliGlobal *g, int argc, char **argv);
int cli_outbox(CliGlobal *g, int argc, char **argv);
int cli_alerts(CliGlobal *g, int argc, char **argv);
int cli_serve(CliGlobal *g, int argc, char **argv);
int cli_export(CliGlobal *g, int argc, char **argv);
int cli_backup(CliGlobal *g, int argc, char **argv);
int cli_restore(CliGlobal *g, int argc, char **argv);
int cli_help(CliGlobal *g, int argc, char **argv);
int cli_presets(CliGlobal *g, int argc, char **argv);
int cli_brief(CliGlobal *g, int argc, char **argv);

#endif

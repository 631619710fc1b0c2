/* main.c — the command line: global options, then one command. Nothing else
 * lives here; each command is a function in src/cli/. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const char usage[] =
    "usage: mc [global options] [command [options]]\n"
    "\n"
    "commands:\n"
    "  (none), dashboard [--layout NAME|FILE]\n"
    "                                  the dashboard\n"
    "  fetch [--once|--daemon] [--source ID]\n"
    "                                  refresh the cache without a screen\n"
    "  snapshot [--json] [--dataset NAME] [--limit N]\n"
    "                                  print what the dashboard knows\n"
    "  resolve SOURCE:KEY [--note TEXT] [--by NAME] [--no-wait] [--undo]\n"
    "                                  resolve (or unresolve) a blocker from the shell\n"
    "  outbox [--retry ID|all] [--drop ID]\n"
    "                                  pending and failed write-backs\n"
    "  check                           validate the config and probe every source\n"
    "\n"
    "global options:\n"
    "  -c, --config FILE   config file (default $MC_CONFIG, then\n"
    "                      $XDG_CONFIG_HOME/mission-control/mc.yaml)\n"
    "      --demo          built-in demo data (no network needed)\n"
    "      --cache FILE    cache database (overrides the config's `cache:`)\n"
    "      --ascii         no line drawing or Unicode symbols\n"
    "  -h, --help          this help\n"
    "  -V, --version       print the version\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration,\n"
    "            3 (resolve) queued but not yet delivered\n"
    "files: config $XDG_CONFIG_HOME/mission-control/mc.yaml, cache\n"
    "       $XDG_CACHE_HOME/mission-control/cache.db, log\n"
    "       $XDG_STATE_HOME/mission-control/mc.log. See mc(1).\n";

typedef int (*CommandFn)(CliGlobal *, int, char **);
static const struct {
    const char *name;
    CommandFn fn;
} commands[] = {
    {"fetch", cli_fetch},     {"snapshot", cli_snapshot}, {"check", cli_check},
    {"resolve", cli_resolve}, {"outbox", cli_outbox},     {"dashboard", cli_dashboard},
};

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    CliGlobal g = {0};
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"demo", no_argument, NULL, 'd'},
        {"cache", required_argument, NULL, 'C'},  {"ascii", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    /* "+" stops at the command name so each command parses its own options */
    while ((ch = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            g.config_path = optarg;
            break;
        case 'd':
            g.demo = 1;
            break;
        case 'C':
            g.cache_path = optarg;
            break;
        case 'a':
            g.ascii = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        case 'V':
            printf("mc %s\n", MC_VERSION);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    int rc = -1;
    const char *name = optind < argc ? argv[optind] : "dashboard";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            int sub_argc = optind < argc ? argc - optind : 1;
            char *dash[] = {"dashboard", NULL};
            char **sub_argv = optind < argc ? argv + optind : dash;
            optind = 0; /* 0: GNU getopt re-initializes (the "+" mode of main's call ends) */
            rc = commands[i].fn(&g, sub_argc, sub_argv);
            break;
        }
    }
    if (rc == -1) {
        fprintf(stderr, "mc: unknown command '%s'\n%s", name, usage);
        rc = 2;
    }
    free(g.demo_dir);
    return rc;
}

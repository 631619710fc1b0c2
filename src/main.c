/* main.c — the command line: global options, then one command from the
 * table in src/cli/commands.c. Nothing else lives here. */
#include <getopt.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "net/httphelper.h"

int main(int argc, char **argv)
{
    /* the HTTP helper (src/net/httphelper.h), before anything is set up;
     * not a command: never listed */
    if (argc > 1 && !strcmp(argv[1], HTTP_HELPER_ARG))
        return http_helper_main(argc, argv);
    /* one malloc arena: glibc would give each engine thread its own (a
     * 64 MB reservation with pages touched in each). The threads allocate
     * little and briefly, so sharing the main heap costs no measurable
     * contention; freed memory is reused across threads (issue 13: with 2
     * arenas the second held 608 KB of RSS in the file-source dashboard) */
    mallopt(M_ARENA_MAX, 1);
    setlocale(LC_ALL, "");
    CliGlobal g = {0};
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"demo", no_argument, NULL, 'd'},
        {"cache", required_argument, NULL, 'C'},  {"ascii", no_argument, NULL, 'a'},
        {"layout", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
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
        case 'l':
            g.layout = optarg;
            break;
        case 'h':
            cli_help_all(stdout);
            return 0;
        case 'V':
            printf("mc %s\n", MC_VERSION);
            return 0;
        default:
            fputs("usage: mc [global options] [command [options]] (mc --help lists them)\n", stderr);
            return 2;
        }
    }
    cli_safe_init(g.ascii);
    const char *name = optind < argc ? argv[optind] : "dashboard";
    g.cmd = cli_command_find(name);
    if (!g.cmd) {
        fprintf(stderr, "mc: unknown command '%s'\n", cli_safe(name));
        cli_help_all(stderr);
        return 2;
    }
    if (g.layout && g.cmd->fn != cli_dashboard && g.cmd->fn != cli_check) {
        fprintf(stderr, "mc: --layout is for the dashboard (and check), not %s\n", g.cmd->name);
        return 2;
    }
    char *dash[] = {"dashboard", NULL};
    int sub_argc = optind < argc ? argc - optind : 1;
    char **sub_argv = optind < argc ? argv + optind : dash;
    char prog[64];             /* getopt's messages then say "mc fetch: ..." */
    snprintf(prog, sizeof prog, "mc %s", g.cmd->name);
    sub_argv[0] = prog;
    optind = 0; /* 0: GNU getopt re-initializes (the "+" mode of main's call ends) */
    int rc = g.cmd->fn(&g, sub_argc, sub_argv);
    free(g.demo_dir);
    return rc;
}

/* cli_dashboard.c — `mc` with no command: the dashboard. Loads the config
 * (or the demo's) like every command, then hands it to the screen loop. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "../ui/ui.h"

static const char usage[] =
    "usage: mc [global options] [dashboard] [--layout NAME]\n"
    "  --layout NAME   start with this layout (a name from layouts/ or a file path)\n"
    "Keys: ? in the dashboard lists them; change them under keys: in mc.yaml.\n";

int cli_dashboard(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"layout", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *layout = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'l':
            layout = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mc: dashboard: unexpected argument '%s'\n%s", argv[optind], usage);
        return 2;
    }
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    UiOpts o = {
        .ascii = g->ascii,
        .demo_dir = g->demo ? g->demo_dir : NULL,
        .cache_override = g->cache_path,
        .layout = layout,
    };
    return ui_run(cfg, &o);
}

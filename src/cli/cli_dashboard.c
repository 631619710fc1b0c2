/* cli_dashboard.c — `mc` with no command: the dashboard. Loads the config
 * (or the demo's) like every command, then hands it to the screen loop.
 * `mc --layout X` and `mc dashboard --layout X` are the same. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "../net/http.h"
#include "../ui/ui.h"

int cli_dashboard(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"layout", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *layout = g->layout;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'l':
            layout = optarg;
            break;
        default:
            return cli_opt_help_or_usage(g, ch);
        }
    }
    if (optind < argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
    /* HTTP in a helper process: the dashboard never maps libcurl (issue 13) */
    http_set_out_of_process(1);
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

/* cli_serve.c — `mc serve`: the cache as an HTTP API with live events
 * (src/serve/). --listen overrides serve.listen; --fetch also runs the fetch
 * engine in this process (else run `mc fetch --daemon` beside it). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "../serve/serve.h"

int cli_serve(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"fetch", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ServeOpts o = {.program = "mc serve"};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'l':
            o.listen = optarg;
            break;
        case 'f':
            o.fetch = 1;
            break;
        default:
            return cli_opt_help_or_usage(g, ch);
        }
    }
    if (optind < argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
#ifdef MC_HAVE_MHD
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    int rc = serve_run(cfg, &o);
    config_free(cfg);
    return rc;
#else
    (void)o;
    fprintf(stderr, "mc serve: this mc was built without libmicrohttpd (meson -Dserve=enabled)\n");
    return 1;
#endif
}

/* cli_dashboard.c — STUB (the ui helper replaces this file). */
#include "cli.h"
#include <stdio.h>
int cli_dashboard(CliGlobal *g, int argc, char **argv)
{
    (void)g; (void)argc; (void)argv;
    fprintf(stderr, "mc: dashboard not built yet\n");
    return 1;
}

/* test_cmdtable.c — the command table is whole: every row has a name, a
 * usage, a summary and a function, names are unique, lookup finds each, and
 * what is generated from it (--help, the man SYNOPSIS, a usage line) names
 * every command with its options (--undo included). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "thelp.h"

/* What fn printed into a memory stream. Returns a new string. */
static char *capture(void (*fn)(FILE *))
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    fn(m);
    fclose(m);
    return text;
}

static void check_rows(void)
{
    int n = 0;
    for (const CliCommand *c = cli_commands; c->name; c++, n++) {
        CHECK(c->usage != NULL && c->summary != NULL && c->summary[0] && c->fn != NULL);
        CHECK(cli_command_find(c->name) == c);
        for (const CliCommand *d = c + 1; d->name; d++)
            CHECK(strcmp(c->name, d->name) != 0);
    }
    CHECK_INT(n, 14);
    CHECK(cli_command_find("nosuch") == NULL);
    CHECK(strstr(cli_command_find("resolve")->usage, "--undo") != NULL);
}

static void check_generated(void)
{
    char *help = capture(cli_help_all);
    char *man = capture(cli_man_synopsis);
    for (const CliCommand *c = cli_commands; c->name; c++) {
        char want[256];
        snprintf(want, sizeof want, "mc %s%s%s", c->name, c->usage[0] ? " " : "", c->usage);
        if (strcmp(c->name, "dashboard") != 0)
            CHECK_CONTAINS(help, want);
        CHECK_CONTAINS(help, c->summary);
        snprintf(want, sizeof want, "\n.B mc %s", c->name);
        if (strcmp(c->name, "dashboard") != 0)
            CHECK_CONTAINS(man, want);
    }
    CHECK_CONTAINS(help, "mc [dashboard] [--layout NAME|FILE]");
    CHECK_CONTAINS(man, ".B mc \\fR[\\fBdashboard\\fR]");
    CHECK_CONTAINS(man, "[\\fB\\-\\-undo\\fR]");
    CHECK_CONTAINS(man, "\\fISOURCE\\fR:\\fIKEY\\fR");
    free(help);
    free(man);
}

static void usage_of_fetch(FILE *out)
{
    cli_usage(out, cli_command_find("fetch"), 0);
}

static void check_usage_line(void)
{
    char *u = capture(usage_of_fetch);
    CHECK_STR(u, "usage: mc fetch [--once|--daemon] [--source ID]\n");
    free(u);
}

int main(void)
{
    RUN(check_rows);
    RUN(check_generated);
    RUN(check_usage_line);
    return t_done();
}

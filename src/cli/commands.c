/* commands.c — the table of commands and global options, and everything
 * generated from it: `mc --help`, `mc help CMD` / `mc CMD --help`, the usage
 * line of a usage error, and the man page's SYNOPSIS (`mc help --man`; a test
 * checks mc.1 holds exactly that text). Adding a command = one row here and
 * one cli_<command>.c. Usage strings use one small grammar: options are
 * words starting with '-', UPPERCASE words are placeholders, other words are
 * literal, and [ ] | : ... are punctuation. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const CliCommand cli_commands[] = {
    {"dashboard", "[--layout NAME|FILE]", "the dashboard (also with no command)",
     "  --layout NAME|FILE  start with this layout (a name from layouts/ or a file path)\n"
     "                      instead of the configured or last saved one\n"
     "Keys: ? in the dashboard lists them; change them under keys: in mc.yaml.\n",
     cli_dashboard},
    {"fetch", "[--once|--daemon] [--source ID]", "refresh the cache without a screen",
     "  --once       fetch every enabled source (or --source ID) now; one line per\n"
     "               source on stderr; exit 0 only when all succeeded (default)\n"
     "  --daemon     keep refreshing on each source's interval until SIGTERM/SIGINT\n",
     cli_fetch},
    {"snapshot", "[--json] [--dataset NAME] [--limit N]", "print what the dashboard knows",
     "  --json          one JSON object keyed by dataset, plus \"sources\"\n"
     "  --dataset NAME  just that dataset's rows (JSON)\n"
     "  --limit N       at most N rows per dataset\n",
     cli_snapshot},
    {"resolve", "SOURCE:KEY [--note TEXT] [--by NAME] [--no-wait] [--undo]",
     "resolve (or with --undo unresolve) a blocker from the shell",
     "  exit 0 once delivered, 1 when it failed, 3 when queued but not yet delivered\n",
     cli_resolve},
    {"outbox", "[--retry ID|all] [--drop ID]", "pending and failed write-backs",
     "  --retry ID|all  deliver a failed or pending action again now\n"
     "  --drop ID       give up on one; its blocker shows as open again\n"
     "  each says what it did; exit 1 for an unknown or finished row, 3 when a\n"
     "  retried row is still queued\n",
     cli_outbox},
    {"alerts", "[--json] [--all] | ack KEY [--by NAME]", "the alerts the engine raised (open ones by default)",
     "  --json       the rows as JSON (the fields of the alerts dataset, as GET /api/alerts)\n"
     "  --all        also acked and cleared alerts (default: open, not snoozed)\n"
     "  ack KEY      acknowledge an open alert: it leaves the open list until it clears\n"
     "  --by NAME    who acked it (default user:)\n"
     "  exit 1 when there is no open alert KEY\n",
     cli_alerts},
    {"serve", "[--listen ADDR:PORT] [--fetch]", "serve the cache as an HTTP API with live events",
     "  --listen ADDR:PORT  where to listen (default serve.listen, 127.0.0.1:8765;\n"
     "                      port 0 picks a free one); a non-loopback address needs\n"
     "                      serve.token_file\n"
     "  --fetch             also refresh the cache in this process (else run\n"
     "                      mc fetch --daemon beside it)\n"
     "  routes: GET /api/health /api/overview /api/datasets/NAME /api/sources\n"
     "  /api/events; POST /api/blockers/SOURCE/KEY/resolve. Stops on SIGTERM/SIGINT.\n",
     cli_serve},
    {"check", "", "validate the config, widgets, layout and keys; probe every source",
     "  probes into a throw-away cache; writes nothing to the real cache or log\n",
     cli_check},
    {"export", "--dataset NAME [--format csv|json|ndjson] [--since DUR|DATE] [--until DATE] [--fields A,B] [-o FILE] [--archive FILE]",
     "a dataset's rows as CSV, JSON or NDJSON",
     "  --dataset NAME   the dataset (unknown: exit 2 with the list)\n"
     "  --format FMT     csv (RFC 4180, header row; default), json (an array) or\n"
     "                   ndjson (one object per line)\n"
     "  --since DUR|DATE rows newer than DUR ago (7d) or at/after DATE (ISO 8601)\n"
     "  --until DATE     rows before DATE\n"
     "  --fields A,B     only these fields, in this order (unknown: exit 2)\n"
     "  -o FILE          write FILE atomically (mode 0600 when new) instead of stdout\n"
     "  --archive FILE   read the rows from an archive retention wrote\n"
     "                   (DATASET-YYYY-MM.ndjson.gz) instead of the cache\n",
     cli_export},
    {"backup", "[--to DIR]", "a consistent copy of the cache, with NAME.sha256",
     "  --to DIR   where (default backup.dir, ~/.local/state/mission-control/backups);\n"
     "             keeps the newest backup.keep (7); prints the new file's path\n",
     cli_backup},
    {"restore", "FILE", "put a backup back (checksum and integrity checked first)",
     "  refuses a damaged or mismatched FILE (exit 1, cache untouched); keeps the\n"
     "  current cache as CACHE.before-restore-TIME; running mc processes need no restart\n",
     cli_restore},
    {"brief", "[--format text|markdown|json] [--since DUR]",
     "the morning brief, from the cache only (for cron and mail)",
     "  --format FMT  text (default; 80 columns), markdown (for chat) or json\n"
     "  --since DUR   the window of jobs and activity (default 24h)\n"
     "  blockers for the owner, revenue against goal and pace, failed jobs, the\n"
     "  agents' cost yesterday, system health, open alerts, notable activity\n",
     cli_brief},
    {"presets", "[NAME]", "the shipped vendor presets, or one expanded for copying",
     "  NAME   print the preset's documentation, its keys with their defaults and\n"
     "         the source entry it expands to (a config that loads as it is)\n",
     cli_presets},
    {"help", "[COMMAND]", "this help, or one command's", NULL, cli_help},
    {NULL, NULL, NULL, NULL, NULL},
};

/* Global options: the synopsis form ("" = not in the synopsis) and help. */
static const struct {
    const char *synopsis, *flags, *help;
} globals[] = {
    {"-c FILE", "-c, --config FILE", "config file (default $MC_CONFIG, then\n"
     "                         $XDG_CONFIG_HOME/mission-control/mc.yaml)"},
    {"--demo", "    --demo", "built-in demo data (no network needed)"},
    {"--cache FILE", "    --cache FILE", "cache database (overrides the config's `cache:`)"},
    {"--ascii", "    --ascii", "no line drawing or Unicode symbols"},
    {"--layout NAME|FILE", "    --layout NAME|FILE", "the dashboard's starting layout"},
    {"", "-h, --help", "this help (mc help COMMAND: one command's)"},
    {"", "-V, --version", "print the version"},
};

const CliCommand *cli_command_find(const char *name)
{
    for (const CliCommand *c = cli_commands; name && c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* "mc fetch [--once|--daemon] ..." ("mc [dashboard] ..." for the default). */
static void command_line(FILE *out, const CliCommand *c)
{
    int dash = strcmp(c->name, "dashboard") == 0;
    fprintf(out, dash ? "mc [%s]%s%s" : "mc %s%s%s", c->name, c->usage[0] ? " " : "", c->usage);
}

void cli_usage(FILE *out, const CliCommand *c, int full)
{
    fputs("usage: ", out);
    command_line(out, c);
    fputc('\n', out);
    if (full)
        fprintf(out, "%s\n%s", c->summary, c->help ? c->help : "");
}

int cli_opt_help_or_usage(const CliGlobal *g, int ch)
{
    cli_usage(ch == 'h' ? stdout : stderr, g->cmd, ch == 'h');
    return ch == 'h' ? 0 : 2;
}

int cli_usage_error(const CliCommand *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mc %s: ", c->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cli_usage(stderr, c, 0);
    return 2;
}

void cli_help_all(FILE *out)
{
    fputs("usage: mc [global options] [command [options]]\n\ncommands:\n", out);
    for (const CliCommand *c = cli_commands; c->name; c++) {
        fputs("  ", out);
        command_line(out, c);
        fprintf(out, "\n      %s\n", c->summary);
    }
    fputs("\nglobal options:\n", out);
    for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
        fprintf(out, "  %-23s%s\n", globals[i].flags, globals[i].help);
    fputs("\nexit codes: 0 success, 1 runtime failure, 2 bad usage or configuration,\n"
          "            3 (resolve, outbox --retry) queued but not yet delivered\n"
          "files: config $XDG_CONFIG_HOME/mission-control/mc.yaml, cache\n"
          "       $XDG_CACHE_HOME/mission-control/cache.db, log\n"
          "       $XDG_STATE_HOME/mission-control/mc.log. See mc(1).\n", out);
}

/* A usage string in roff: options bold (with \-), placeholders italic,
 * literal words bold, punctuation roman. */
static void roff_usage(FILE *out, const char *u)
{
    while (*u) {
        size_t n = strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
        if (n == 0) {
            fputc(*u++, out);
            continue;
        }
        int upper = 1;
        for (size_t i = 0; i < n; i++)
            if (u[i] >= 'a' && u[i] <= 'z')
                upper = 0;
        fputs(upper && u[0] != '-' ? "\\fI" : "\\fB", out);
        for (size_t i = 0; i < n; i++) {
            if (u[i] == '-')
                fputc('\\', out);
            fputc(u[i], out);
        }
        fputs("\\fR", out);
        u += n;
    }
}

void cli_man_synopsis(FILE *out)
{
    fputs(".SH SYNOPSIS\n.B mc\n", out);
    for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++) {
        if (!globals[i].synopsis[0])
            continue;
        fputs(i ? " [" : "[", out);
        roff_usage(out, globals[i].synopsis);
        fputc(']', out);
    }
    fputs("\n[\\fIcommand\\fR [\\fIoptions\\fR]]\n", out);
    for (const CliCommand *c = cli_commands; c->name; c++) {
        fputs(".br\n", out);
        const char *sep = " \\fR";   /* ends the bold of ".B mc NAME" */
        if (strcmp(c->name, "dashboard") == 0) {
            fputs(".B mc \\fR[\\fBdashboard\\fR]", out);
            sep = " ";
        } else {
            fprintf(out, ".B mc %s", c->name);
        }
        if (c->usage[0]) {
            fputs(sep, out);
            roff_usage(out, c->usage);
        }
        fputc('\n', out);
    }
}

/* `mc help [COMMAND]`; the hidden `mc help --man` prints the SYNOPSIS. */
int cli_help(CliGlobal *g, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--man") == 0) {
        cli_man_synopsis(stdout);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        cli_usage(stdout, g->cmd, 1);
        return 0;
    }
    if (argc > 2)
        return cli_usage_error(g->cmd, "one command at a time");
    if (argc == 1) {
        cli_help_all(stdout);
        return 0;
    }
    const CliCommand *c = cli_command_find(argv[1]);
    if (!c)
        return cli_usage_error(g->cmd, "unknown command '%s'", cli_safe(argv[1]));
    cli_usage(stdout, c, 1);
    return 0;
}

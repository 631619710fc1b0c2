/* cli_export.c — `mc export --dataset NAME`: a dataset's rows from the cache
 * as CSV, JSON or NDJSON on stdout, or into -o FILE (replaced atomically:
 * a temp file next to it, fsync, rename; mode 0600 for a new file, since
 * the cache may hold private data). --since takes a duration back from now
 * ("7d") or an ISO-8601 date/time; --until a date/time (rows before it).
 * Never fetches; reads while a daemon writes (one WAL read transaction).
 * --archive FILE reads the rows back from an archive retention wrote
 * (DATASET-YYYY-MM.ndjson.gz) instead of the cache. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../cache.h"
#include "../archive.h"
#include "../export.h"
#include "../util.h"

/* "7d" (back from now) or an ISO date/time -> normalized ISO UTC in out. */
static int parse_when(const char *s, int allow_duration, char *out, size_t outsz)
{
    int64_t ms;
    if (allow_duration && duration_parse(s, &ms) == 0 && ms >= 0) {
        time_format_iso(now_ms() - ms, out, outsz);
        return 0;
    }
    if (time_parse_iso(s, &ms) != 0)
        return -1;
    time_format_iso(ms, out, outsz);
    return 0;
}

/* --archive FILE: the rows of an archive retention wrote (archive.h). */
static int export_archive(const ExportSpec *spec, const char *file, FILE *out, char **err)
{
    char *text = NULL;
    size_t len = 0;
    if (archive_read(file, &text, &len, err) != 0)
        return -1;
    char *lerr = NULL;
    int64_t n = export_ndjson(spec, text, out, &lerr);
    free(text);
    if (n < 0) {
        set_err(err, "%s: %s", file, lerr);
        free(lerr);
        return -1;
    }
    return 0;
}

static int run_export(CliGlobal *g, const ExportSpec *spec, const char *outpath, const char *archive)
{
    Config *cfg = cli_load_config(g);
    if (!cfg)
        return 2;
    cache_set_quick_check(0);
    Cache *c = NULL;
    char *err = NULL, *warn = NULL;
    if (!archive && cache_open(cfg->cache_path, &c, &warn, &err) != 0) {
        fprintf(stderr, "mc export: %s\n", cli_safe(err));
        free(err);
        config_free(cfg);
        return 1;
    }
    if (warn)
        fprintf(stderr, "mc: %s\n", cli_safe(warn));
    AtomicFile *af = NULL;
    FILE *out = stdout;
    int rc = 0;
    if (outpath) {
        af = file_atomic_open(outpath, 0600, &err);
        if (!af)
            rc = -1;
        else
            out = af->fp;
    }
    if (rc == 0 && (archive ? export_archive(spec, archive, out, &err) : export_run(c, spec, out, &err) < 0 ? -1 : 0) < 0)
        rc = -1;
    if (af) {
        if (rc == 0)
            rc = file_atomic_commit(af, &err);
        else
            file_atomic_abort(af);
    } else if (fflush(stdout) != 0) {
        rc = -1;
        set_err(&err, "stdout: write failed");
    }
    if (rc != 0)
        fprintf(stderr, "mc export: %s\n", cli_safe(err));
    free(err);
    free(warn);
    cache_close(c);
    config_free(cfg);
    return rc ? 1 : 0;
}

int cli_export(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"dataset", required_argument, NULL, 'd'}, {"format", required_argument, NULL, 'f'},
        {"since", required_argument, NULL, 's'},   {"until", required_argument, NULL, 'u'},
        {"fields", required_argument, NULL, 'F'},  {"output", required_argument, NULL, 'o'},
        {"archive", required_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ExportSpec spec = {.format = EXPORT_CSV};
    const char *name = NULL, *fields = NULL, *outpath = NULL, *archive = NULL;
    char since[40], until[40];
    int ch;
    while ((ch = getopt_long(argc, argv, "d:f:o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            name = optarg;
            break;
        case 'f':
            if (export_format_parse(optarg, &spec.format) != 0)
                return cli_usage_error(g->cmd, "--format is csv, json or ndjson (not '%s')", cli_safe(optarg));
            break;
        case 's':
            if (parse_when(optarg, 1, since, sizeof since) != 0)
                return cli_usage_error(g->cmd, "--since takes a duration (7d) or a date (2026-11-01)");
            spec.since = since;
            break;
        case 'u':
            if (parse_when(optarg, 0, until, sizeof until) != 0)
                return cli_usage_error(g->cmd, "--until takes a date or time (2026-11-01T12:00:00Z)");
            spec.until = until;
            break;
        case 'F':
            fields = optarg;
            break;
        case 'o':
            outpath = optarg;
            break;
        case 'a':
            archive = optarg;
            break;
        default:
            return cli_opt_help_or_usage(g, ch);
        }
    }
    if (optind < argc)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind]));
    if (!name)
        return cli_usage_error(g->cmd, "--dataset NAME is required (datasets: %s)", dataset_names());
    if (!(spec.ds = dataset_find(name)))
        return cli_usage_error(g->cmd, "unknown dataset '%s' (datasets: %s)", cli_safe(name), dataset_names());
    char *err = NULL;
    if (fields && export_fields_parse(&spec, fields, &err) != 0) {
        int rc = cli_usage_error(g->cmd, "%s", cli_safe(err));
        free(err);
        return rc;
    }
    if ((spec.since || spec.until) && !export_time_field(spec.ds))
        return cli_usage_error(g->cmd, "dataset '%s' has no time field: --since and --until do not apply",
                               spec.ds->name);
    /* progress only where it cannot mix with the rows: stderr a terminal,
     * the rows going to a file or a pipe */
    spec.progress = isatty(2) && (outpath || !isatty(1));
    return run_export(g, &spec, outpath, archive);
}

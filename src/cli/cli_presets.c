/* cli_presets.c — `mc presets [NAME]`: the shipped vendor presets
 * (presets.h). Without NAME one line each, name and summary; with NAME the
 * preset's documentation (its leading comments), its keys with their
 * defaults, and the source entry it expands to, as a config that loads as
 * it is (`sources:` with one entry; required keys as UPPERCASE placeholders,
 * optional ones left out), for copying into mc.yaml and editing. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../presets.h"
#include "../util.h"
#include "../ynode.h"

static int list_presets(void)
{
    int width = 0;
    for (int i = 0; i < preset_count(); i++) {
        int len = (int)strlen(preset_at(i)->name);
        width = len > width ? len : width;
    }
    for (int i = 0; i < preset_count(); i++) {
        const PresetBuiltin *p = preset_at(i);
        char *summary = NULL, *doc = NULL, *err = NULL;
        if (preset_describe(p, &summary, &doc, &err) < 0) {
            fprintf(stderr, "mc presets: %s\n", cli_safe(err));
            free(err);
            return 1;
        }
        printf("%-*s  %s\n", width, p->name, cli_safe(summary));
        free(summary);
        free(doc);
    }
    return 0;
}

static int show_preset(const CliCommand *cmd, const char *name)
{
    const PresetBuiltin *p = preset_find(name);
    if (!p) {
        char *names = preset_names(), *near = ynode_did_you_mean(name, names);
        int rc = cli_usage_error(cmd, "unknown preset '%s'%s (known: %s)", cli_safe(name), near, names);
        free(near);
        free(names);
        return rc;
    }
    char *summary = NULL, *doc = NULL, *note = NULL, *err = NULL, ys[11];
    config_year_start(NULL, now_ms(), ys);
    YNode *ex = preset_describe(p, &summary, &doc, &err) < 0 ? NULL : preset_example(p, ys, &note, &err);
    if (!ex) {
        fprintf(stderr, "mc presets: %s\n", cli_safe(err));
        free(err);
        free(summary);
        free(doc);
        return 1;
    }
    Buf b = {0};
    buf_puts(&b, doc);
    buf_printf(&b, "# preset %s: %s\n# keys (write them in the entry as `preset: %s` plus these):\n%s", p->name,
               summary, p->name, note);
    buf_puts(&b, "# expanded (any key below may be written in the entry to override it):\nsources:\n  - ");
    ynode_emit(&b, ex, 4, 1);
    fputs(b.s, stdout);   /* shipped text and defaults only: nothing from data */
    buf_free(&b);
    ynode_free(ex);
    free(summary);
    free(doc);
    free(note);
    return 0;
}

int cli_presets(CliGlobal *g, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
        return cli_opt_help_or_usage(g, ch);
    if (argc - optind > 1)
        return cli_usage_error(g->cmd, "unexpected argument '%s'", cli_safe(argv[optind + 1]));
    return optind < argc ? show_preset(g->cmd, argv[optind]) : list_presets();
}

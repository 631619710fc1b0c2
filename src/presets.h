/* presets.h — vendor presets: documented source maps shipped in presets/
 * (compiled into the binary like the layouts) that a user names with
 * `preset: NAME` in a source entry and fills with a few keys of their own.
 * config.c expands an entry into the generic kind's source map before the
 * kind parses it; `mc presets` lists them and prints one expanded.
 *
 * A preset file has `summary:` (one line), `params:` (NAME: default, or
 * {optional: true}, or {required: true} / ~ for a key the user must give),
 * optional `require_one_of: [[a, b], ...]` and `source:` (the map, in the
 * kind's own keys, with {{NAME}} placeholders). The expansion rules are in
 * presets.c and mc.1 ("PRESETS"). */
#ifndef MC_PRESETS_H
#define MC_PRESETS_H

#include "ynode.h"

typedef struct PresetBuiltin {
    const char *name;
    const char *text;
} PresetBuiltin;
/* The shipped presets (generated from presets/NAME.yaml), ending {NULL, NULL}. */
extern const PresetBuiltin preset_builtins[];

/* The table presets are looked up in: the shipped one, or (tests) another
 * one ending {NULL, NULL}; NULL restores the shipped table. */
void presets_use_table(const PresetBuiltin *table);
/* The preset called name, or NULL. */
const PresetBuiltin *preset_find(const char *name);
/* "a, b, c": the names, for messages. Returns a new string; caller frees. */
char *preset_names(void);
/* Number of presets in the table, and the i-th. */
int preset_count(void);
const PresetBuiltin *preset_at(int i);

/* Expands the user's source entry (a map with `preset:`) into a new source
 * map of the underlying kind. Nodes the user wrote keep their positions;
 * every other node stands at the entry. `file` of the new nodes is the
 * entry's. Returns the map (free with ynode_free_node) or NULL with
 * *err = "FILE:LINE:COLUMN: source 'ID' (preset NAME): what".
 * `year_start` is "YYYY-MM-DD" (config_year_start): {{year_start}}, {{year}}. */
YNode *preset_expand(const YNode *entry, const char *year_start, char **err);

/* For `mc presets NAME`: the preset's summary and its leading comment lines
 * (the documentation, "# " kept), and the example source map: the preset
 * expanded with id NAME, required params and the first of each
 * require_one_of group shown as UPPERCASE placeholders (a
 * *url param as https://example.invalid/NAME_URL, so it still loads) and
 * optional ones left out, and *params_note one "#   NAME: default X" line per
 * param. Strings are new; the map is a root (free with ynode_free); NULL on
 * error. */
int preset_describe(const PresetBuiltin *p, char **summary, char **doc, char **err);
YNode *preset_example(const PresetBuiltin *p, const char *year_start, char **params_note, char **err);

/* Prefixes a config error at FILE:LINE:COLUMN with "source 'ID' (preset NAME): "
 * after the position (unless it already names the preset). Replaces *err. */
void preset_name_error(char **err, const char *id, const char *preset);

#endif

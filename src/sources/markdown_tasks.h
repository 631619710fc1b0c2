/* markdown_tasks.h — what the two halves of the `markdown_tasks` source kind
 * share: its parsed config, the task items found in a file, and what a
 * blocker row's read_as says was read (markdown_tasks.c reads the file and
 * writes rows; markdown_resolve.c ticks or clears one box). */
#ifndef MC_SOURCES_MARKDOWN_TASKS_H
#define MC_SOURCES_MARKDOWN_TASKS_H

#include <stddef.h>
#include <stdint.h>
#include "../source.h"

#define MD_MAX_BYTES ((int64_t)16 << 20)
#define MD_READ_TEXT 160             /* bytes of the line kept in read_as, for messages */

typedef struct MdCfg {
    char *path;
    char **blocked;              /* NULL-terminated markers */
    char **owner;                /* NULL: derived from Config.owner at fetch */
    int all_open;
    int64_t max_bytes;
} MdCfg;

/* One task item as found in the text; offsets point into the file bytes. */
typedef struct MdItem {
    size_t line_off, line_len;   /* the line without "\n" (a "\r" stays) */
    size_t box;                  /* offset of the byte between the brackets */
    size_t text_off, text_len;   /* item text after the checkbox, trimmed */
    size_t head_off, head_len;   /* nearest heading text (len 0: none) */
    int line_no, checked;
    uint64_t hash;               /* of normalized heading + "\n" + text */
    int dup;                     /* 1 for the first, 2 for "#2"... */
} MdItem;

/* What was read for one blocker (parsed from read_as), for resolve's check. */
typedef struct MdRead {
    int line_no;
    uint64_t hash;               /* md_line_hash() of the line as read */
    uint64_t above;              /* md_above_hashes() of it: the text above, boxes blanked */
    int twins;                   /* items with its key text and these bytes then (1: none else) */
    char text[MD_READ_TEXT];     /* its printable start, for messages */
} MdRead;

/* Finds every task item outside fenced code, in file order. Offsets in
 * items are absolute in text. Returns the count; *out is a new array
 * (caller frees). */
int md_parse(const char *text, size_t len, MdItem **out);
/* The item's key: 16 hex digits of its hash, "#N" on the Nth duplicate. */
void md_item_key(const MdItem *it, char *out, size_t outsz);
/* Hash of the item's line with its checkbox byte blanked. */
uint64_t md_line_hash(const char *text, const MdItem *it);
/* out[i]: hash of every byte above items[i]'s line, checkbox bytes blanked. */
void md_above_hashes(const char *text, const MdItem *items, int n, uint64_t *out);
/* Parses a blocker row's read_as ("LINE:HASH:ABOVE:TWINS:TEXT"); 0 when well formed. */
int md_read_as_parse(const char *s, MdRead *out);

/* SourceClass.resolve of the kind ("resolve" ticks, "unresolve" clears). */
ResolveResult src_markdown_tasks_resolve(void *self, const SourceConfig *sc, const Config *cfg,
                                         const ResolveReq *req, ResolveOut *out);

#endif

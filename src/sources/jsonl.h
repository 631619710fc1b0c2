/* jsonl.h — what the two halves of the `jsonl` source kind share: its parsed
 * config (jsonl.c reads the file, jsonl_resolve.c appends to it). */
#ifndef MC_SOURCES_JSONL_H
#define MC_SOURCES_JSONL_H

#include <stdint.h>
#include "../source.h"

typedef struct JsonlCfg {
    char *path;
    int64_t max_line;         /* longer lines are bad lines */
} JsonlCfg;

/* SourceClass.resolve of the jsonl kind (action "resolve" only). */
ResolveResult src_jsonl_resolve(void *self, const SourceConfig *sc, const Config *cfg,
                                const ResolveReq *req, ResolveOut *out);

#endif

/* jsonl.c — the `jsonl` source kind (stub until implemented). */
#include "../source.h"

const SourceClass src_jsonl_class = {
    .kind = "jsonl",
    .summary = "(not yet implemented)",
};

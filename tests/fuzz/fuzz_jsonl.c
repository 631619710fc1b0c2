/* fuzz_jsonl.c — the handoffs file (src/sources/jsonl.c): the input is the
 * whole JSONL file, read by one fetch of a `jsonl` source into an empty cache
 * (every line parsed, typed, keyed, blockers and resolutions applied). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FzSource s;
    if (!s.cfg) {
        char *file = xasprintf("%s/handoffs.jsonl", fz_dir());
        char *yaml = xasprintf("owner: Apple\nsources:\n  - id: handoffs\n    kind: jsonl\n"
                               "    path: %s\n    max_line: 64KiB\n", file);
        fz_source_open(&s, yaml, file);
        free(yaml);
        free(file);
    }
    fz_source_fetch(&s, data, size);
    return 0;
}

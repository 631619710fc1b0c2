/* fuzz_json_file.c — projects and agent-state JSON (src/sources/json_file.c
 * through net/mapping.c): the input is the document, read by one fetch of a
 * `json_file` source feeding projects (default field map) and one feeding
 * agents, each into an empty cache. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FzSource projects, agents;
    if (!projects.cfg) {
        char *file = xasprintf("%s/projects.json", fz_dir());
        char *yaml = xasprintf("sources:\n  - id: docs\n    kind: json_file\n    path: %s\n", file);
        fz_source_open(&projects, yaml, file);
        free(yaml);
        free(file);
        file = xasprintf("%s/state.json", fz_dir());
        yaml = xasprintf("sources:\n  - id: agents\n    kind: json_file\n    feeds: agents\n"
                         "    path: %s\n", file);
        fz_source_open(&agents, yaml, file);
        free(yaml);
        free(file);
    }
    fz_source_fetch(&projects, data, size);
    fz_source_fetch(&agents, data, size);
    return 0;
}

/* fuzz_markdown.c — the pending-work markdown (src/sources/markdown_tasks.c):
 * the input is the whole file, read by one fetch of a `markdown_tasks`
 * source into an empty cache; the parser's own entry points (md_parse, keys,
 * hashes) run on it directly too, and md_read_as_parse on its first line. */
#include "fuzz.h"
#include "src/sources/markdown_tasks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FzSource s;
    if (!s.cfg) {
        char *file = xasprintf("%s/pending-work.md", fz_dir());
        char *yaml = xasprintf("owner: Apple\nsources:\n  - id: pending\n    kind: markdown_tasks\n"
                               "    path: %s\n", file);
        fz_source_open(&s, yaml, file);
        free(yaml);
        free(file);
    }
    fz_source_fetch(&s, data, size);

    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    MdItem *items = NULL;
    int n = md_parse(text, size, &items);
    if (n > 0) {
        uint64_t *above = xcalloc((size_t)n, sizeof *above);
        md_above_hashes(text, items, n, above);
        for (int i = 0; i < n; i++) {
            char key[64];
            md_item_key(&items[i], key, sizeof key);
            (void)md_line_hash(text, &items[i]);
        }
        free(above);
    }
    free(items);
    char *line = xstrndup(text, strcspn(text, "\n"));
    MdRead rd;
    (void)md_read_as_parse(line, &rd);
    free(line);
    free(text);
    return 0;
}

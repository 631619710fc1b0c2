/* fuzz_layout.c — a layout file (src/ui/layout.c): the input is the YAML
 * text. A layout that parses is laid out at a few terminal sizes, written back
 * with layout_to_yaml, and that text must parse again to the same YAML (the
 * `w` key saves layouts this way). */
#include "fuzz.h"
#include "src/ui/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_str(data, size);
    Layout *l = NULL;
    char *err = NULL;
    if (layout_parse("fuzz", "fuzz.yaml", text, &l, &err) == 0) {
        static const int sizes[][2] = {{40, 120}, {24, 80}, {3, 10}, {1, 1}, {0, 0}, {500, 900}};
        Box boxes[LAYOUT_MAX_LEAVES];
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            layout_compute(l, sizes[i][0], sizes[i][1], boxes, LAYOUT_MAX_LEAVES);
            free(layout_dump(l, sizes[i][0], sizes[i][1]));
        }
        char *yaml = layout_to_yaml(l, NULL);
        Layout *again = NULL;
        char *err2 = NULL;
        if (layout_parse("fuzz", "saved.yaml", yaml, &again, &err2) != 0) {
            fprintf(stderr, "layout_to_yaml wrote what layout_parse refuses: %s\n---\n%s\n", err2, yaml);
            abort();
        }
        char *yaml2 = layout_to_yaml(again, NULL);
        if (strcmp(yaml, yaml2) != 0) {
            fprintf(stderr, "layout changed on a save and load:\n---\n%s---\n%s\n", yaml, yaml2);
            abort();
        }
        free(yaml2);
        layout_free(again);
        free(yaml);
        layout_free(l);
    }
    free(err);
    free(text);
    return 0;
}

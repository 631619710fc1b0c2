/* fuzz_config.c — the YAML config (src/config.c over ynode.c and every
 * kind's configure): the input is mc.yaml, loaded through config_load from a
 * file (the path mc takes) and through config_load_text. Nothing is fetched. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *file;
    if (!file)
        file = xasprintf("%s/mc.yaml", fz_dir());
    fz_write(file, data, size);
    Config *c = NULL;
    char *err = NULL;
    if (config_load(file, &c, &err) == 0)
        config_free(c);
    free(err);
    err = NULL;
    char *text = fz_str(data, size);
    if (config_load_text("fuzz.yaml", text, &c, &err) == 0)
        config_free(c);
    free(err);
    free(text);
    return 0;
}

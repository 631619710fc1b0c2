/* validate.c — what `mc check` asks of the screen code: the checks the
 * dashboard makes in prepare() (screen.c) before it takes the terminal,
 * called in the same order, so a config `mc check` passes is one the
 * dashboard starts with, and both print the same FILE:LINE:COLUMN message. */
#include "validate.h"

#include <stdlib.h>
#include "ui_internal.h"

int ui_validate(const Config *cfg, const char *layout, char **layout_file, char **err)
{
    Keymap km;
    if (keymap_build(&km, cfg->keys, err) != 0 || ui_check_widgets(cfg, err) != 0)
        return -1;
    Layout *l = NULL;
    char *path = NULL, *text = NULL;
    if (store_load_layout(cfg, layout ? layout : cfg->layout, &l, &path, &text, err) != 0)
        return -1;
    int rc = ui_check_layout(cfg, l, err);
    if (layout_file && rc == 0)
        *layout_file = path ? path : xstrdup(l->file);
    else
        free(path);
    layout_free(l);
    free(text);
    return rc;
}

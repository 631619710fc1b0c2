/* validate.h — the dashboard's start-up checks without a terminal, for
 * `mc check`: key bindings, widgets, and the layout it would open. */
#ifndef MC_UI_VALIDATE_H
#define MC_UI_VALIDATE_H

#include "../config.h"

/* Runs, in the dashboard's order, the same functions the dashboard runs
 * before it takes the screen: keymap_build (keys:), ui_check_widgets
 * (widgets:, each created once with its options), then store_load_layout and
 * ui_check_layout for `layout` (NULL: mc.yaml's layout:). Returns 0, or -1
 * with *err = "FILE:LINE:COLUMN: what" (the dashboard's message, word for
 * word). On success *layout_file gets the file the layout came from (a new string;
 * caller frees), or stays NULL. */
int ui_validate(const Config *cfg, const char *layout, char **layout_file, char **err);

#endif

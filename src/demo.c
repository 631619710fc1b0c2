/* demo.c — STUB (the demo helper replaces this file). */
#include "demo.h"
#include "util.h"
int demo_prepare(char **dir, char **config_text, char **err)
{
    (void)dir; (void)config_text;
    set_err(err, "demo not built yet");
    return -1;
}
int demo_sim_start(const char *dir) { (void)dir; return 0; }
void demo_sim_stop(void) {}

/* ui.h — the dashboard screen: the one thread that touches ncurses. It
 * draws panes from the cache, sleeps in poll() on the terminal, the engine's
 * wake-up pipe, a self-pipe for signals, a one-second tick and inotify on the
 * config and layout files, and redraws only what changed. */
#ifndef MC_UI_H
#define MC_UI_H

#include "../config.h"

typedef struct UiOpts {
    int ascii;                  /* --ascii */
    const char *demo_dir;       /* --demo: the demo's directory (starts the simulation) */
    const char *cache_override; /* --cache FILE, kept across config reloads */
    const char *layout;         /* --layout NAME, or NULL */
} UiOpts;

/* Runs the dashboard until quit (q, SIGTERM, SIGHUP, SIGINT). Takes cfg
 * (frees it, or the config that replaced it on reload). Returns the exit
 * code: 0, 1 on a runtime failure, 2 on a bad layout or widget config. */
int ui_run(Config *cfg, const UiOpts *opts);

#endif

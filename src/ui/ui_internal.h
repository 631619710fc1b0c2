/* ui_internal.h — the screen loop's state, shared by the files of src/ui/
 * (screen.c: the loop and frames; pane.c: panes and their widgets; status.c:
 * PaneInfo and change detection from source_state; overlay.c: detail, help,
 * picker, prompt and status line; arrange.c: focus and rearranging;
 * store.c: finding and saving layouts; watch.c: live reload; intent.c:
 * acting on widget intents; term.c: the terminal and signals). Nothing
 * outside src/ui includes it. */
#ifndef MC_UI_INTERNAL_H
#define MC_UI_INTERNAL_H

#include <stdint.h>
#include "../cache.h"
#include "../config.h"
#include "../engine.h"
#include "../draw/draw.h"
#include "keys.h"
#include "layout.h"
#include "ui.h"
#include "widget.h"

#define UI_MIN_ROWS 12
#define UI_MIN_COLS 40
#define UI_MAX_WATCHES 4

/* One pane: a layout leaf and the widget instance drawn in it. */
typedef struct Pane {
    LayoutNode *leaf;
    char *ref;                  /* canonical widget identity: "#2" (entry of widgets:) or "type:blockers" */
    const WidgetClass *cls;
    YNode *opts;                /* the options map (shallow copy; pane_free frees the copy only) */
    void *self;
    char *title;
    WINDOW *win, *inner;        /* the box (a derwin of stdscr), and its inside (of win) */
    Box box;
    int shown;
    int need_load, need_draw;
    int loaded_rows;            /* rows passed to the last load (-1: never loaded) */
    uint64_t sig;               /* change signature of its datasets at the last load */
    PaneInfo info;
    char *info_error;           /* owns info.error */
    char *load_error;
    char *filter;               /* the `/` filter applied (NULL: none) */
} Pane;

/* A configured source, what it feeds and its last known state. */
typedef struct UiSource {
    const SourceConfig *sc;
    uint32_t datasets;          /* bit per DatasetId */
    SourceState st;
} UiSource;

typedef enum { MODE_NORMAL, MODE_DETAIL, MODE_HELP, MODE_PICKER, MODE_PROMPT } UiMode;
typedef enum { PROMPT_NOTE, PROMPT_FILTER } PromptKind;

typedef struct Ui {
    Config *cfg;
    UiOpts opts;
    Cache *cache;
    Engine *engine;
    int wake[2], sig[2];        /* wake-up pipe (engine), self-pipe (signals) */
    Keymap km;
    int ascii;

    Layout *layout;
    char *layout_path;          /* the layout's file on disk (NULL: compiled in) */
    char *layout_text;          /* the text it was parsed from */
    Pane **panes;
    int npanes, focus, zoom;

    int rows, cols, too_small;
    WINDOW *status;
    char *status_drawn;         /* what the status line shows now */

    UiMode mode;
    WINDOW *overlay;
    char *ov_title, *ov_text;   /* detail/help text (copy of what is shown) */
    char **ov_lines;
    int ov_n, ov_top;
    char **pick_refs, **pick_labels;
    int pick_n, pick_sel;
    PromptKind prompt_kind;
    char prompt[512];
    Intent pending;             /* a resolve waiting for its note */

    char *msg;                  /* status message and until when (0: sticky) */
    int msg_err;
    int cache_msg;              /* msg is the cache's write failure (tick) */
    int64_t msg_until;
    char *cfg_error;            /* the last failed reload, shown until a good one */

    UiSource *src;
    int nsrc;
    uint32_t fed;               /* datasets some configured source writes (DS_BIT) */
    int64_t data_version, full_version, last_full_ms;
    int64_t ds_probe[DS__COUNT];
    int alerts[3];              /* open alerts (not snoozed): info, warn, crit (badge.c) */
    int alerts_counted;         /* alerts[] has been read once */
    int64_t alerts_probe;       /* ds_probe[DS_ALERTS] when it was read */
    char **crit_keys;           /* the open crit alerts then (a new one rings the bell) */
    int ncrit;

    int ino;                    /* inotify fd (-1 when unavailable) */
    int wd[UI_MAX_WATCHES];
    char *wdir[UI_MAX_WATCHES];
    char *cfg_text;             /* the config file's text at the last (re)load */
    int64_t reload_cfg_at, reload_layout_at, check_at, next_tick;
    int quit;
} Ui;

/* screen.c */
/* A status-line message: info for a few seconds, errors until the next key. */
void ui_set_msg(Ui *ui, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ui_clear_msg(Ui *ui);
void ui_relayout(Ui *ui);
void ui_mark_all(Ui *ui, int load);
void ui_engine_start(Ui *ui);
void ui_engine_stop(Ui *ui);

/* term.c */
int term_start(Ui *ui);
void term_restore(void);
void term_signals_restore(void);
void term_free(void);
WINDOW *term_input(void);

/* pane.c */
int ui_check_widgets(const Config *cfg, char **err);
int pane_resolve(const Config *cfg, const LayoutNode *leaf, const char *file,
                 const WidgetClass **cls, int *index, char **err);
int ui_check_layout(const Config *cfg, const Layout *l, char **err);
int panes_build(Ui *ui, char **err);
void panes_free(Ui *ui);
void panes_place(Ui *ui);
void pane_load(Ui *ui, Pane *p);
void pane_draw(Ui *ui, Pane *p, int64_t now);
WidgetEnv ui_env(const Ui *ui);
Pane *ui_focused(Ui *ui);

/* status.c */
void sources_init(Ui *ui);
void sources_free(Ui *ui);
void sources_refresh(Ui *ui);
void ui_check_data(Ui *ui, int force);
int pane_update_info(Ui *ui, Pane *p, int64_t now);
void pane_sources_text(Ui *ui, Pane *p, Buf *b);
/* Whether no configured source feeds any dataset the pane reads; then `why`
 * gets "no source feeds revenue" (why may be NULL). */
int pane_unfed(const Ui *ui, const Pane *p, char *why, size_t n);
void coarse_age(int64_t ms, char *out, size_t n);

/* input.c */
void ui_key(Ui *ui, int key);

/* overlay.c */
void overlay_open_text(Ui *ui, const char *title, const char *text);
void overlay_open_help(Ui *ui);
void overlay_open_picker(Ui *ui);
void overlay_close(Ui *ui);
void overlay_draw(Ui *ui);
void overlay_key(Ui *ui, UiAction a, int key);
void prompt_open(Ui *ui, PromptKind kind);
void prompt_key(Ui *ui, int key);
/* Applies (text non-empty) or clears (NULL/"") the `/` filter of p, with a
 * status-line message. */
void pane_filter(Ui *ui, Pane *p, const char *text);
void status_draw(Ui *ui, int force);

/* badge.c: the status line's alert counts when no alerts pane is shown. */
void badge_update(Ui *ui, int force);   /* after the probes moved; force: re-count */
int badge_text(const Ui *ui, char *out, size_t n, Role *role);  /* 0: no badge */
void badge_free(Ui *ui);

/* arrange.c */
void arrange_action(Ui *ui, UiAction a);
void arrange_focus_ref(Ui *ui, const char *ref);
void arrange_add(Ui *ui, const char *ref);

/* store.c */
int store_load_layout(const Config *cfg, const char *name, Layout **out, char **path,
                      char **text, char **err);
char **store_layout_names(const Config *cfg);
void store_read_state(const Config *cfg, char **layout, char **config_layout);
int store_save(Ui *ui, char **path_out, char **err);
/* The files are written (with fsync) on a helper thread: store_save_poll,
 * called when the wake-up pipe fires, reports the outcome in the status line
 * (returns 1 then); store_save_wait joins a save still running (at exit). */
int store_save_poll(Ui *ui);
void store_save_wait(void);

/* watch.c */
void watch_setup(Ui *ui);
void watch_close(Ui *ui);
void watch_read(Ui *ui);
void watch_due(Ui *ui);
int ui_use_layout(Ui *ui, Layout *l, char *path, char *text);

/* intent.c */
void ui_intent(Ui *ui, Intent *in);
/* Copies text to the clipboard (OSC 52), cleaned by copy_clean: `full` is
 * the detail view's whole text (newlines kept), else one line. */
void ui_copy(Ui *ui, const char *text, int full);
/* What y puts on the clipboard: text without escape sequences, C0/C1
 * controls, DEL, bidi marks or invalid UTF-8; newlines (and tabs) become one
 * space unless keep_newlines. Returns a new string; caller frees. */
char *copy_clean(const char *text, int keep_newlines);

#endif

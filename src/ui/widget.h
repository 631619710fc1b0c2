/* widget.h — what a widget is: a constant class (create / load / draw / key /
 * detail / destroy), one file per kind in widgets/, all listed in the one table
 * widget_classes[] (widgets/registry.c). A widget reads datasets from the cache
 * (load, on the UI thread, only the rows it shows, with LIMIT) and draws into
 * the inner area of its pane. Its key handler never writes anything: it returns
 * what should happen and, for actions on data, fills an Intent the screen loop
 * hands to the outbox. (htop's Meter classes are the model.) */
#ifndef MC_WIDGET_H
#define MC_WIDGET_H

#include <stdint.h>
#include <curses.h>
#include "../cache.h"
#include "../config.h"
#include "../util.h"
#include "../ynode.h"

/* What the screen loop should do after a key. */
typedef enum {
    HR_IGNORED = 0,   /* not for this widget: the loop tries global bindings */
    HR_HANDLED,       /* nothing visible changed */
    HR_REDRAW,        /* redraw this pane */
    HR_RELOAD,        /* reload this pane's rows from the cache, then redraw */
    HR_INTENT,        /* an Intent was filled: act on it */
    HR_QUIT
} HandlerResult;

/* Pane-level actions, after the key map (keys: in mc.yaml) translated a key. */
typedef enum {
    ACT_NONE = 0,
    ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_TOP, ACT_BOTTOM,
    ACT_ENTER,              /* detail view (the loop calls detail(); key() never sees it) */
    ACT_RESOLVE,            /* r */
    ACT_RESOLVE_NOTE,       /* n (the loop prompts for the note) */
    ACT_UNDO,               /* u */
    ACT_SNOOZE,             /* s */
    ACT_MARK,               /* Space */
    ACT_COPY,               /* y */
    ACT_FILTER,             /* / (the loop prompts; text arrives via set_filter; not sent to key()) */
    ACT__COUNT
} Action;

typedef enum {
    INTENT_NONE = 0,
    INTENT_RESOLVE,         /* resolve every item in keys[] (note from the prompt) */
    INTENT_UNDO,            /* undo the last resolve */
    INTENT_SNOOZE,          /* snooze items */
    INTENT_COPY             /* copy text to the clipboard (OSC 52) */
} IntentKind;

#define INTENT_MAX_ITEMS 256
typedef struct Intent {
    IntentKind kind;
    int n;                          /* items */
    char *sources[INTENT_MAX_ITEMS];/* new strings; the loop frees with intent_clear */
    char *keys[INTENT_MAX_ITEMS];
    char *text;                     /* COPY: the text; RESOLVE: the note if any */
    int want_note;                  /* RESOLVE: ask for a note first */
} Intent;
void intent_clear(Intent *in);

/* What a widget may read while loading and drawing (UI thread only). */
typedef struct WidgetEnv {
    Cache *cache;                   /* the UI thread's connection */
    const Config *cfg;
    int64_t now_ms;                 /* wall clock of this frame */
    int ascii;
} WidgetEnv;

/* State of the pane around a widget, computed by the screen loop from
 * source_state for the datasets the widget reads. */
typedef struct PaneInfo {
    int focused;
    int64_t data_age_ms;            /* since the newest success of its sources; -1 never */
    int failing;                    /* a source of its datasets is failing */
    int stale;                      /* older than 3x the refresh interval */
    const char *error;              /* the newest error of its sources, or NULL */
} PaneInfo;

typedef struct WidgetClass {
    const char *name;               /* the YAML `type:` */
    const char *title;              /* default title */
    uint32_t datasets;              /* bit (1u << DatasetId) per dataset it reads */
    /* opts: the widget's map from mc.yaml / the layout (may be NULL). Unknown
     * option keys are errors at their line:col. Returns NULL with *err. */
    void *(*create)(const YNode *opts, const Config *cfg, char **err);
    /* Re-reads the rows it shows (at most `rows` visible). 0 or -1 with *err. */
    int (*load)(void *self, const WidgetEnv *env, int rows, char **err);
    /* Draws into win, the pane's inner area (no border). */
    void (*draw)(void *self, WINDOW *win, const WidgetEnv *env, const PaneInfo *pane);
    /* A pane action (see Action). May fill *out and return HR_INTENT. */
    HandlerResult (*key)(void *self, Action act, Intent *out);
    /* Text for the title beside the name, e.g. "3" (count); may be NULL. */
    void (*title_note)(void *self, char *buf, size_t n);
    /* Full text of the selected row (all fields) for the detail view; -1 if none
     * (then Enter shows the pane's sources and their errors). Also what `y`
     * copies when key() ignores ACT_COPY. */
    int (*detail)(void *self, Buf *out);
    /* The `/` filter (NULL or "" clears); NULL when the widget has none. */
    void (*set_filter)(void *self, const char *text);
    void (*destroy)(void *self);
} WidgetClass;

extern const WidgetClass *const widget_classes[];
const WidgetClass *widget_class_find(const char *name);
const char *widget_names(void);

/* A scrolling list selection shared by list widgets. */
typedef struct ListSel {
    int sel;        /* selected row index */
    int top;        /* first visible row */
} ListSel;
/* Applies a movement action for n rows shown `page` at a time. Returns 1 when
 * the selection moved, 0 when the action was not a movement. */
int listsel_move(ListSel *ls, Action act, int n, int page);
/* Keeps sel inside 0..n-1 and visible in a window of `page` rows. */
void listsel_clamp(ListSel *ls, int n, int page);

#endif

/* widget.h — what a widget is: a constant class (create / load / draw /
 * destroy, and the optional key / title_note / detail / set_filter / list),
 * one file per kind in widgets/, all listed in the one table widget_classes[]
 * (widgets/registry.c). A widget reads datasets from the cache (load, on the
 * UI thread, only the rows it shows, with LIMIT) and draws into the inner area
 * of its pane. Its key handler never writes anything: it returns what should
 * happen and, for actions on data, fills an Intent the screen loop hands to
 * the outbox. A list widget keeps its selection, scroll position, marks and
 * filter text in the list helper (ListView, below) and supplies only its rows
 * and how to draw one. (htop's Meter classes and Panel are the model.) */
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
    ACT_ACK,                /* a in the alerts pane (elsewhere a is add: HR_IGNORED passes it on) */
    ACT__COUNT
} Action;

typedef enum {
    INTENT_NONE = 0,
    INTENT_RESOLVE,         /* resolve every item in keys[] (note from the prompt) */
    INTENT_UNDO,            /* undo the last resolve */
    INTENT_SNOOZE,          /* snooze items */
    INTENT_COPY,            /* copy text to the clipboard (OSC 52) */
    INTENT_ALERT_ACK,       /* acknowledge alerts (keys[]: the alerts' keys) */
    INTENT_ALERT_SNOOZE     /* snooze alerts for the configured snooze period */
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

typedef struct ListView ListView;

/* A widget class. name, create, load, draw and destroy are required; every
 * other method is optional (NULL): the screen loop then does without it. */
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
    /* The widget's list (a list widget): the screen loop shows its scroll
     * position in the pane's border and its notices on the status line. */
    ListView *(*list)(void *self);
    void (*destroy)(void *self);
} WidgetClass;

extern const WidgetClass *const widget_classes[];
const WidgetClass *widget_class_find(const char *name);
const char *widget_names(void);

/* The list helper every list widget uses (htop's Panel is the model; code in
 * widgets/list.c). It keeps the selection on the item's identity (source +
 * key) across reloads, filters and scrolling: a widget that reloads asks
 * list_wanted() for the selected item, finds where it is now and tells
 * list_place(); when it is gone, the selection stays at the nearest row and
 * the helper leaves a notice for the status line. It also does the movement
 * keys, the scroll position ("12/340"), the / filter text and the Space marks
 * (by identity too). Widgets supply the rows and how to draw one. */
typedef struct ListMark {
    char *source, *key;
} ListMark;

struct ListView {
    int sel;                /* selected row index (0..n-1) */
    int top;                /* first row shown */
    int n;                  /* rows the list has (or knows of, for paged lists) */
    int more;               /* more rows follow than n says (position "12/340+") */
    int page;               /* rows shown at a time */
    char *source, *key;     /* identity of the selected item; NULL before the first pin */
    char *label;            /* its text, for the notice when it goes */
    int picked;             /* the user has moved the selection: until then it
                               stays on the first row (the newest item) */
    int moved;              /* the user moved the selection since the last pin */
    int refilter;           /* the filter changed since the last place */
    char *expect_gone;      /* "source\nkey" the user acted on: its going is no news */
    char notice[200];       /* one-shot message for the status line, or "" */
    ListMark marks[INTENT_MAX_ITEMS];
    int nmarks;
    char *filter;           /* the / filter as typed, or NULL */
};

void list_free(ListView *lv);
/* Keeps sel inside 0..n-1 and visible in a window of `page` rows. */
void list_clamp(ListView *lv, int n, int page);
/* A movement action (j/k, PgUp/PgDn, g/G) over the list's n rows. Returns
 * HR_IGNORED for other actions, HR_HANDLED when nothing moved, HR_RELOAD when
 * the window scrolled and paged is set (the widget reads only what it shows),
 * else HR_REDRAW. */
HandlerResult list_move(ListView *lv, Action act, int paged);
/* The item a reload must look for: 1 with its identity, 0 when the position
 * decides (the user has not picked a row yet, or just moved). */
int list_wanted(const ListView *lv, const char **source, const char **key);
/* Where the wanted item is now among n rows: its index, or -1 when it is gone
 * (then the selection stays at the nearest row and a notice says so). */
void list_place(ListView *lv, int pos, int n, int page);
/* Records the identity of the row now at sel (NULLs: the list is empty). */
void list_pin(ListView *lv, const char *source, const char *key, const char *label);
/* For lists read whole: finds the selected item among rows 0..n-1 (id gives
 * each row's identity and label), places the selection and pins it. */
typedef void (*ListIdFn)(const void *rows, int i, const char **source, const char **key,
                         const char **label);
void list_sync(ListView *lv, const void *rows, int n, int page, ListIdFn id);
/* Pins the row now at sel (after a move in a list read whole). */
void list_repin(ListView *lv, const void *rows, ListIdFn id);
/* Is the selected row index i? */
int list_is_sel(const ListView *lv, int i);
/* Space: marks or unmarks an item (by identity). */
void list_toggle_mark(ListView *lv, const char *source, const char *key);
int list_marked(const ListView *lv, const char *source, const char *key);
/* Fills out's items with the marked items (clearing the marks), else with the
 * selected item (source, key; NULL when none). Returns the number of items.
 * The items' going from the list is then expected (no notice). */
int list_take(ListView *lv, Intent *out, const char *source, const char *key);
/* Stores the / filter text (NULL or "" clears); the selection stays on its
 * item when the item still matches, else goes to the first row. */
void list_set_filter(ListView *lv, const char *text);
/* "12/340" (sel+1 of n; "12/340+" when more follow), or "" for an empty list. */
void list_position(const ListView *lv, char *buf, size_t n);
/* The one-shot notice, then cleared: copied into buf ("" when none). */
void list_take_notice(ListView *lv, char *buf, size_t n);

#endif

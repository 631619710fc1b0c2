/* keys.h — the key map: named actions ("quit", "next_pane", "resolve", ...)
 * bound to keys, with defaults that `keys:` in mc.yaml can change action by
 * action. Keys are written as "r", "G", "?", "C-r", "F5", "Space", "Tab",
 * "S-Tab", "Enter", "Esc", "Up", "S-Left", "PgDn", "Home", ... No default
 * uses Ctrl-A or Ctrl-B (the screen and tmux prefixes). */
#ifndef MC_UI_KEYS_H
#define MC_UI_KEYS_H

#include "../ynode.h"

typedef enum {
    UA_NONE = 0,
    UA_QUIT, UA_HELP, UA_ZOOM, UA_REFRESH,
    UA_NEXT_PANE, UA_PREV_PANE, UA_PANE_LEFT, UA_PANE_RIGHT, UA_PANE_UP, UA_PANE_DOWN,
    UA_PANE_1, UA_PANE_2, UA_PANE_3, UA_PANE_4, UA_PANE_5, UA_PANE_6, UA_PANE_7,
    UA_PANE_8, UA_PANE_9,
    UA_UP, UA_DOWN, UA_PGUP, UA_PGDN, UA_TOP, UA_BOTTOM,
    UA_DETAIL, UA_CLOSE, UA_SOURCES,
    UA_NEXT_LAYOUT, UA_PREV_LAYOUT,
    UA_MOVE_LEFT, UA_MOVE_DOWN, UA_MOVE_UP, UA_MOVE_RIGHT,
    UA_GROW, UA_SHRINK, UA_HIDE, UA_ADD, UA_SAVE,
    UA_RESOLVE, UA_RESOLVE_NOTE, UA_UNDO, UA_SNOOZE, UA_MARK, UA_COPY, UA_FILTER,
    UA_ACK,         /* shares its default key (a) with add: the focused pane takes it first */
    UA__COUNT
} UiAction;

/* Key codes: a Unicode character, or KEYS_FN | a curses KEY_* code. */
#define KEYS_FN 0x1000000
#define KEYS_MAX_PER_ACTION 4

typedef struct Keymap {
    int keys[UA__COUNT][KEYS_MAX_PER_ACTION];   /* 0 = none */
} Keymap;

/* The defaults, then `keys:` from mc.yaml (may be NULL): a map of action
 * name -> key or list of keys. A key the user binds is taken away from any
 * default that had it. Returns 0, or -1 with *err at the offending node. */
int keymap_build(Keymap *km, const YNode *keys, char **err);
/* The action bound to a key, or UA_NONE. */
UiAction keymap_lookup(const Keymap *km, int key);
/* Is key one of action a's keys? (ack's key is also add's: a pane-first key) */
int keymap_has(const Keymap *km, UiAction a, int key);

/* A key from get_wch (rc is its return value), normalized: Enter is '\n',
 * Backspace is KEYS_FN|KEY_BACKSPACE. */
int keys_from_wch(int rc, unsigned int wch);
/* Parses "C-r", "F5", "Space", ... Returns the code, or 0 when unknown. */
int keys_parse(const char *name);
/* The name of a key ("C-r", "S-Tab", "?"), into out. */
void keys_name(int key, char *out, size_t n);
/* The name used in `keys:` and a one-line description. */
const char *keys_action_name(UiAction a);
const char *keys_action_help(UiAction a);
/* "q" or "h/Left": the keys of an action joined by '/', into out ("" when unbound). */
void keys_of(const Keymap *km, UiAction a, char *out, size_t n);

#endif

/* keys.c — key names, the default bindings and `keys:` from mc.yaml. The
 * screen loop turns each key into a UiAction here; pane actions (j/k, r, y...)
 * then go to the focused widget as an Action, the rest are the loop's own. */
#include "keys.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include "../util.h"

#define FN(k) (KEYS_FN | (k))

typedef struct ActionInfo {
    const char *name;
    const char *help;
    const char *defaults[KEYS_MAX_PER_ACTION];
} ActionInfo;

static const ActionInfo actions[UA__COUNT] = {
    [UA_QUIT] = {"quit", "quit", {"q"}},
    [UA_HELP] = {"help", "this help", {"?"}},
    [UA_ZOOM] = {"zoom", "zoom the pane to full screen and back", {"z"}},
    [UA_REFRESH] = {"refresh", "fetch every source now", {"R"}},
    [UA_NEXT_PANE] = {"next_pane", "focus the next pane", {"Tab"}},
    [UA_PREV_PANE] = {"prev_pane", "focus the previous pane", {"S-Tab"}},
    [UA_PANE_LEFT] = {"pane_left", "focus the pane to the left", {"h", "Left"}},
    [UA_PANE_RIGHT] = {"pane_right", "focus the pane to the right", {"l", "Right"}},
    [UA_PANE_UP] = {"pane_up", "focus the pane above", {NULL}},
    [UA_PANE_DOWN] = {"pane_down", "focus the pane below", {NULL}},
    [UA_PANE_1] = {"pane_1", "focus pane 1", {"1"}},
    [UA_PANE_2] = {"pane_2", "focus pane 2", {"2"}},
    [UA_PANE_3] = {"pane_3", "focus pane 3", {"3"}},
    [UA_PANE_4] = {"pane_4", "focus pane 4", {"4"}},
    [UA_PANE_5] = {"pane_5", "focus pane 5", {"5"}},
    [UA_PANE_6] = {"pane_6", "focus pane 6", {"6"}},
    [UA_PANE_7] = {"pane_7", "focus pane 7", {"7"}},
    [UA_PANE_8] = {"pane_8", "focus pane 8", {"8"}},
    [UA_PANE_9] = {"pane_9", "focus pane 9", {"9"}},
    [UA_UP] = {"up", "select the row above", {"k", "Up"}},
    [UA_DOWN] = {"down", "select the row below", {"j", "Down"}},
    [UA_PGUP] = {"page_up", "a page up", {"PgUp"}},
    [UA_PGDN] = {"page_down", "a page down", {"PgDn"}},
    [UA_TOP] = {"top", "the first row", {"g", "Home"}},
    [UA_BOTTOM] = {"bottom", "the last row", {"G", "End"}},
    [UA_DETAIL] = {"detail", "details of the selected row", {"Enter"}},
    [UA_CLOSE] = {"close", "close the detail view, help or prompt", {"Esc"}},
    [UA_SOURCES] = {"sources", "the pane's sources and their errors", {"e"}},
    [UA_NEXT_LAYOUT] = {"next_layout", "next layout", {"]"}},
    [UA_PREV_LAYOUT] = {"prev_layout", "previous layout", {"["}},
    [UA_MOVE_LEFT] = {"move_left", "move the pane left", {"H", "S-Left"}},
    [UA_MOVE_DOWN] = {"move_down", "move the pane down", {"J", "S-Down"}},
    [UA_MOVE_UP] = {"move_up", "move the pane up", {"K", "S-Up"}},
    [UA_MOVE_RIGHT] = {"move_right", "move the pane right", {"L", "S-Right"}},
    [UA_GROW] = {"grow", "make the pane bigger", {"+", "="}},
    [UA_SHRINK] = {"shrink", "make the pane smaller", {"-"}},
    [UA_HIDE] = {"hide", "hide the pane", {"x"}},
    [UA_ADD] = {"add", "add a hidden pane back", {"a"}},
    [UA_SAVE] = {"save", "save the arrangement (opened next start)", {"S"}},
    [UA_RESOLVE] = {"resolve", "resolve the selected blocker", {"r"}},
    [UA_RESOLVE_NOTE] = {"resolve_note", "resolve with a note", {"n"}},
    [UA_UNDO] = {"undo", "undo your last action (a resolve, a snooze), all of it", {"u"}},
    [UA_SNOOZE] = {"snooze", "snooze the selected item", {"s"}},
    [UA_MARK] = {"mark", "mark the row (for several at once)", {"Space"}},
    [UA_COPY] = {"copy", "copy the row to the clipboard", {"y"}},
    [UA_FILTER] = {"filter", "filter the pane", {"/"}},
    [UA_ACK] = {"ack", "acknowledge the selected alert (alerts pane; a elsewhere adds a pane)",
                {"a"}},
};

static const struct {
    const char *name;
    int code;
} named[] = {
    {"Space", ' '}, {"Tab", '\t'}, {"S-Tab", FN(KEY_BTAB)}, {"Enter", '\n'}, {"Esc", 27},
    {"Backspace", FN(KEY_BACKSPACE)}, {"Up", FN(KEY_UP)}, {"Down", FN(KEY_DOWN)},
    {"Left", FN(KEY_LEFT)}, {"Right", FN(KEY_RIGHT)}, {"S-Up", FN(KEY_SR)},
    {"S-Down", FN(KEY_SF)}, {"S-Left", FN(KEY_SLEFT)}, {"S-Right", FN(KEY_SRIGHT)},
    {"PgUp", FN(KEY_PPAGE)}, {"PageUp", FN(KEY_PPAGE)}, {"PgDn", FN(KEY_NPAGE)},
    {"PageDown", FN(KEY_NPAGE)}, {"Home", FN(KEY_HOME)}, {"End", FN(KEY_END)},
    {"Insert", FN(KEY_IC)}, {"Delete", FN(KEY_DC)},
};

int keys_parse(const char *s)
{
    if (!s || !*s)
        return 0;
    for (size_t i = 0; i < MC_ARRAY_LEN(named); i++)
        if (strcasecmp(s, named[i].name) == 0)
            return named[i].code;
    if ((s[0] == 'F' || s[0] == 'f') && s[1]) {
        long n;
        if (parse_long(s + 1, 1, 24, &n) == 0)
            return FN(KEY_F(n));
    }
    if ((s[0] == 'C' || s[0] == 'c') && s[1] == '-' && s[2] && !s[3]) {
        char c = s[2];
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 1;
        if (c >= 'A' && c <= 'Z')
            return c - 'A' + 1;
        return 0;
    }
    /* one character (UTF-8) */
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] > 0x20 && u[0] < 0x7f && !s[1])
        return u[0];
    wchar_t wc;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t len = strlen(s);
    size_t n = mbrtowc(&wc, s, len, &st);
    if (n == len && wc > 0x7f)
        return (int)wc;
    return 0;
}

void keys_name(int key, char *out, size_t n)
{
    for (size_t i = 0; i < MC_ARRAY_LEN(named); i++)
        if (named[i].code == key && strcmp(named[i].name, "PageUp") != 0 &&
            strcmp(named[i].name, "PageDown") != 0) {
            snprintf(out, n, "%s", named[i].name);
            return;
        }
    if (key & KEYS_FN) {
        int k = key & ~KEYS_FN;
        if (k >= KEY_F(1) && k <= KEY_F(24))
            snprintf(out, n, "F%d", k - KEY_F0);
        else
            snprintf(out, n, "key%d", k);
    } else if (key >= 1 && key <= 26) {
        snprintf(out, n, "C-%c", 'a' + key - 1);
    } else if (key < 0x80) {
        snprintf(out, n, "%c", key);
    } else {
        char mb[MB_LEN_MAX + 1];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t len = wcrtomb(mb, (wchar_t)key, &st);
        if (len == (size_t)-1)
            len = 0;
        mb[len] = '\0';
        snprintf(out, n, "%s", mb);
    }
}

int keys_from_wch(int rc, unsigned int wch)
{
    if (rc == KEY_CODE_YES) {
        if (wch == KEY_ENTER)
            return '\n';
        return FN((int)wch);
    }
    if (wch == '\r')
        return '\n';
    if (wch == 127 || wch == 8)
        return FN(KEY_BACKSPACE);
    return (int)wch;
}

const char *keys_action_name(UiAction a)
{
    return a > UA_NONE && a < UA__COUNT ? actions[a].name : "";
}

const char *keys_action_help(UiAction a)
{
    return a > UA_NONE && a < UA__COUNT ? actions[a].help : "";
}

static UiAction action_find(const char *name)
{
    for (int a = 1; a < UA__COUNT; a++)
        if (strcmp(actions[a].name, name) == 0)
            return (UiAction)a;
    return UA_NONE;
}

/* Takes key away from every action but keep. */
static void unbind(Keymap *km, int key, UiAction keep)
{
    for (int a = 1; a < UA__COUNT; a++) {
        if (a == (int)keep)
            continue;
        int *k = km->keys[a], o = 0;
        for (int i = 0; i < KEYS_MAX_PER_ACTION; i++)
            if (k[i] != key)
                k[o++] = k[i];
        while (o < KEYS_MAX_PER_ACTION)
            k[o++] = 0;
    }
}

/* One user binding: action -> key scalar or list of key scalars. */
static int bind_user(Keymap *km, UiAction a, const YNode *v, UiAction *owner, char **err)
{
    const YNode *one[1] = {v};
    const YNode *const *items = v->type == YN_SEQ ? (const YNode *const *)v->items : one;
    int n = v->type == YN_SEQ ? v->n : 1;
    if (n > KEYS_MAX_PER_ACTION)
        return ynode_error(v, err, "at most %d keys per action", KEYS_MAX_PER_ACTION);
    memset(km->keys[a], 0, sizeof km->keys[a]);
    for (int i = 0; i < n; i++) {
        const YNode *k = items[i];
        int code = k->type == YN_SCALAR ? keys_parse(k->scalar) : 0;
        if (!code)
            return ynode_error(k, err, "unknown key '%s' (examples: r, C-r, F5, Space, Tab, "
                               "S-Tab, Enter, Esc, Up, PgDn)",
                               k->type == YN_SCALAR ? k->scalar : "(not a string)");
        /* two user bindings of one key */
        for (int b = 1; b < UA__COUNT; b++)
            if (b != (int)a && owner[b])
                for (int j = 0; j < KEYS_MAX_PER_ACTION; j++)
                    if (km->keys[b][j] == code)
                        return ynode_error(k, err, "key '%s' is bound to both %s and %s",
                                           k->scalar, actions[b].name, actions[a].name);
        unbind(km, code, a);
        km->keys[a][i] = code;
    }
    owner[a] = a;
    return 0;
}

int keymap_build(Keymap *km, const YNode *keys, char **err)
{
    memset(km, 0, sizeof *km);
    for (int a = 1; a < UA__COUNT; a++)
        for (int i = 0; i < KEYS_MAX_PER_ACTION && actions[a].defaults[i]; i++)
            km->keys[a][i] = keys_parse(actions[a].defaults[i]);
    if (!keys)
        return 0;
    if (keys->type != YN_MAP)
        return ynode_error(keys, err, "keys: expected a map of action: key");
    UiAction owner[UA__COUNT] = {0};
    for (int i = 0; i < keys->n; i++) {
        const char *name = keys->keys[i]->scalar;
        UiAction a = action_find(name ? name : "");
        if (a == UA_NONE) {
            Buf b = {0};
            for (int j = 1; j < UA__COUNT; j++)
                buf_printf(&b, "%s%s", j > 1 ? ", " : "", actions[j].name);
            char *hint = ynode_did_you_mean(name, b.s);
            ynode_error(keys->keys[i], err, "keys: unknown action '%s'%s (actions: %s)",
                        name ? name : "", hint, b.s);
            free(hint);
            buf_free(&b);
            return -1;
        }
        if (bind_user(km, a, keys->items[i], owner, err) != 0)
            return -1;
    }
    return 0;
}

UiAction keymap_lookup(const Keymap *km, int key)
{
    if (!key)
        return UA_NONE;
    for (int a = 1; a < UA__COUNT; a++)
        for (int i = 0; i < KEYS_MAX_PER_ACTION; i++)
            if (km->keys[a][i] == key)
                return (UiAction)a;
    return UA_NONE;
}

int keymap_has(const Keymap *km, UiAction a, int key)
{
    for (int i = 0; key && a > UA_NONE && a < UA__COUNT && i < KEYS_MAX_PER_ACTION; i++)
        if (km->keys[a][i] == key)
            return 1;
    return 0;
}

void keys_of(const Keymap *km, UiAction a, char *out, size_t n)
{
    size_t off = 0;
    out[0] = '\0';
    for (int i = 0; i < KEYS_MAX_PER_ACTION && km->keys[a][i] && off < n; i++) {
        char name[32];
        keys_name(km->keys[a][i], name, sizeof name);
        off += (size_t)snprintf(out + off, n - off, "%s%s", i ? "/" : "", name);
    }
}

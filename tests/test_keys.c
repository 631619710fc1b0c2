/* test_keys.c — the key map: key names both ways, the defaults (none uses
 * Ctrl-A or Ctrl-B), `keys:` overrides taking a key away from its default
 * action, and errors that point at the line and column in mc.yaml. */
#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "ui/keys.h"
#include "thelp.h"
#include "util.h"
#include "ynode.h"

static void names(void)
{
    const char *n[] = {"r", "G", "?", "/", "[", "C-r", "F5", "Space", "Tab", "S-Tab", "Enter",
                       "Esc", "Up", "S-Left", "PgDn", "Home", "Backspace", "é"};
    for (size_t i = 0; i < sizeof n / sizeof *n; i++) {
        int k = keys_parse(n[i]);
        CHECK(k != 0);
        char back[32];
        keys_name(k, back, sizeof back);
        CHECK_STR(back, n[i]);
    }
    CHECK_INT(keys_parse("C-a"), 1);
    CHECK_INT(keys_parse("PageDown"), keys_parse("PgDn"));
    CHECK_INT(keys_parse("f12"), KEYS_FN | KEY_F(12));
    CHECK_INT(keys_parse(""), 0);
    CHECK_INT(keys_parse("rr"), 0);
    CHECK_INT(keys_parse("C-"), 0);
    CHECK_INT(keys_parse("C-1"), 0);
    CHECK_INT(keys_parse("F99"), 0);
    CHECK_INT(keys_parse("Hyper-x"), 0);
    /* what the terminal sends, normalized */
    CHECK_INT(keys_from_wch(OK, '\r'), '\n');
    CHECK_INT(keys_from_wch(KEY_CODE_YES, KEY_ENTER), '\n');
    CHECK_INT(keys_from_wch(OK, 127), KEYS_FN | KEY_BACKSPACE);
    CHECK_INT(keys_from_wch(KEY_CODE_YES, KEY_BTAB), keys_parse("S-Tab"));
}

static void defaults(void)
{
    Keymap km;
    char *err = NULL;
    CHECK(keymap_build(&km, NULL, &err) == 0);
    CHECK_INT(keymap_lookup(&km, 'q'), UA_QUIT);
    CHECK_INT(keymap_lookup(&km, '\t'), UA_NEXT_PANE);
    CHECK_INT(keymap_lookup(&km, keys_parse("S-Tab")), UA_PREV_PANE);
    CHECK_INT(keymap_lookup(&km, 'j'), UA_DOWN);
    CHECK_INT(keymap_lookup(&km, KEYS_FN | KEY_DOWN), UA_DOWN);
    CHECK_INT(keymap_lookup(&km, 'L'), UA_MOVE_RIGHT);
    CHECK_INT(keymap_lookup(&km, keys_parse("S-Right")), UA_MOVE_RIGHT);
    CHECK_INT(keymap_lookup(&km, '5'), UA_PANE_5);
    CHECK_INT(keymap_lookup(&km, 'S'), UA_SAVE);
    CHECK_INT(keymap_lookup(&km, 'R'), UA_REFRESH);
    CHECK_INT(keymap_lookup(&km, 27), UA_CLOSE);
    /* no default is Ctrl-A or Ctrl-B (the screen and tmux prefixes), and no
     * key is bound twice, but for ack's a: the pane's first (the alerts pane
     * acks), add's otherwise */
    for (int a = 1; a < UA__COUNT; a++)
        for (int i = 0; i < KEYS_MAX_PER_ACTION; i++) {
            int k = km.keys[a][i];
            CHECK(k != 1 && k != 2);
            if (k && a != UA_ACK)
                CHECK_INT(keymap_lookup(&km, k), a);
        }
    CHECK_INT(keymap_lookup(&km, 'a'), UA_ADD);
    CHECK(keymap_has(&km, UA_ACK, 'a'));
    CHECK(!keymap_has(&km, UA_ACK, 'A'));
    char buf[64];
    keys_of(&km, UA_PANE_LEFT, buf, sizeof buf);
    CHECK_STR(buf, "h/Left");
    keys_of(&km, UA_PANE_UP, buf, sizeof buf);
    CHECK_STR(buf, "");
    free(err);
}

static YNode *keys_node(const char *yaml, YNode **doc)
{
    char *err = NULL;
    *doc = ynode_parse_text("mc.yaml", yaml, strlen(yaml), &err);
    CHECK(*doc != NULL);
    free(err);
    return *doc ? (YNode *)ynode_get(*doc, "keys") : NULL;
}

static void overrides(void)
{
    YNode *doc;
    const YNode *k = keys_node("keys:\n  quit: Q\n  refresh: [C-r, F5]\n  zoom: q\n", &doc);
    Keymap km;
    char *err = NULL;
    CHECK(keymap_build(&km, k, &err) == 0);
    CHECK_INT(keymap_lookup(&km, 'Q'), UA_QUIT);
    CHECK_INT(keymap_lookup(&km, 'q'), UA_ZOOM);      /* the user's q wins */
    CHECK_INT(keymap_lookup(&km, 'z'), UA_NONE);      /* zoom's default is replaced */
    CHECK_INT(keymap_lookup(&km, 'R'), UA_NONE);
    CHECK_INT(keymap_lookup(&km, 18), UA_REFRESH);    /* C-r */
    CHECK_INT(keymap_lookup(&km, KEYS_FN | KEY_F(5)), UA_REFRESH);
    ynode_free(doc);

    /* taking a default key away from another action */
    k = keys_node("keys:\n  refresh: r\n", &doc);
    CHECK(keymap_build(&km, k, &err) == 0);
    CHECK_INT(keymap_lookup(&km, 'r'), UA_REFRESH);
    char buf[32];
    keys_of(&km, UA_RESOLVE, buf, sizeof buf);
    CHECK_STR(buf, "");
    ynode_free(doc);

    /* ack moved to A: a is add's alone; or add moved: a is ack's alone */
    k = keys_node("keys:\n  ack: A\n", &doc);
    CHECK(keymap_build(&km, k, &err) == 0);
    CHECK_INT(keymap_lookup(&km, 'A'), UA_ACK);
    CHECK(!keymap_has(&km, UA_ACK, 'a'));
    CHECK_INT(keymap_lookup(&km, 'a'), UA_ADD);
    ynode_free(doc);
    k = keys_node("keys:\n  add: C-p\n", &doc);
    CHECK(keymap_build(&km, k, &err) == 0);
    CHECK_INT(keymap_lookup(&km, 'a'), UA_ACK);
    ynode_free(doc);
    free(err);
}

static void check_error(const char *yaml, const char *where, const char *what)
{
    YNode *doc;
    const YNode *k = keys_node(yaml, &doc);
    Keymap km;
    char *err = NULL;
    CHECK(keymap_build(&km, k, &err) != 0);
    CHECK_CONTAINS(err, where);
    CHECK_CONTAINS(err, what);
    free(err);
    ynode_free(doc);
}

static void errors(void)
{
    check_error("keys:\n  qiut: Q\n", "mc.yaml:2:3", "unknown action 'qiut'");
    check_error("keys:\n  quit: Ctrl-Q\n", "mc.yaml:2:9", "unknown key 'Ctrl-Q'");
    check_error("keys:\n  quit: [Q, C-]\n", "mc.yaml:2:13", "unknown key 'C-'");
    check_error("keys:\n  quit: Q\n  zoom: Q\n", "mc.yaml:3:9", "bound to both quit and zoom");
    check_error("keys: [q]\n", "mc.yaml:1:7", "map of action");
    check_error("keys:\n  quit: [a, b, c, d, e]\n", "mc.yaml:2:9", "at most");
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    RUN(names);
    RUN(defaults);
    RUN(overrides);
    RUN(errors);
    return t_done();
}

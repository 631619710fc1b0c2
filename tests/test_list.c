/* test_list.c — the list helper of the list widgets (widgets/list.c): the
 * movement keys, the selection kept on the item's identity (source + key)
 * across reloads, filters and scrolling, the notice when the item is gone,
 * marks by identity and the scroll position. */
#include <stdlib.h>
#include <string.h>
#include "thelp.h"
#include "ui/widget.h"
#include "util.h"

/* A list read whole: keys in order, all from source "s". */
typedef struct KeyRows {
    const char *keys[16];
    int n;
} KeyRows;

static void row_id(const void *rows, int i, const char **source, const char **key,
                   const char **label)
{
    const KeyRows *r = rows;
    *source = "s";
    *key = r->keys[i];
    *label = r->keys[i];
}

static KeyRows rows_of(const char *csv)
{
    static char buf[8][256];
    static int slot;
    KeyRows r = {{0}, 0};
    char *b = buf[slot++ % 8];
    snprintf(b, 256, "%s", csv);
    for (char *p = b; *p && r.n < 16;) {
        r.keys[r.n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return r;
}

static const char *selected(const ListView *lv, const KeyRows *r)
{
    return lv->n > 0 ? r->keys[lv->sel] : NULL;
}

static void test_moves(void)
{
    ListView lv = {0};
    list_clamp(&lv, 10, 3);
    CHECK_INT(list_move(&lv, ACT_UP, 0), HR_HANDLED);
    CHECK_INT(list_move(&lv, ACT_DOWN, 0), HR_REDRAW);
    CHECK_INT(list_move(&lv, ACT_DOWN, 1), HR_REDRAW);     /* still in the window */
    CHECK_INT(list_move(&lv, ACT_DOWN, 1), HR_RELOAD);     /* scrolled: a paged list re-reads */
    CHECK_INT(lv.sel, 3);
    CHECK_INT(lv.top, 1);
    CHECK_INT(list_move(&lv, ACT_BOTTOM, 0), HR_REDRAW);
    CHECK_INT(lv.sel, 9);
    CHECK_INT(lv.top, 7);
    CHECK_INT(list_move(&lv, ACT_PGUP, 0), HR_REDRAW);
    CHECK_INT(lv.sel, 6);
    CHECK_INT(list_move(&lv, ACT_TOP, 0), HR_REDRAW);
    CHECK_INT(lv.sel, 0);
    CHECK_INT(lv.top, 0);
    CHECK_INT(list_move(&lv, ACT_RESOLVE, 0), HR_IGNORED);
    char pos[32];
    list_position(&lv, pos, sizeof pos);
    CHECK_STR(pos, "1/10");
    lv.more = 1;
    list_position(&lv, pos, sizeof pos);
    CHECK_STR(pos, "1/10+");
    list_clamp(&lv, 0, 3);
    list_position(&lv, pos, sizeof pos);
    CHECK_STR(pos, "");
    list_free(&lv);
}

/* The selection follows its item when rows arrive above it or it moves. */
static void test_identity(void)
{
    ListView lv = {0};
    KeyRows r = rows_of("a,b,c,d");
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "a");
    r = rows_of("z,a,b,c,d");                   /* not picked yet: the newest stays selected */
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "z");
    r = rows_of("a,b,c,d");
    list_sync(&lv, &r, r.n, 10, row_id);
    list_move(&lv, ACT_DOWN, 0);
    list_move(&lv, ACT_DOWN, 0);
    list_repin(&lv, &r, row_id);
    CHECK_STR(selected(&lv, &r), "c");
    r = rows_of("new,a,b,c,d");                 /* a newer item sorts above */
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "c");
    CHECK_INT(lv.sel, 3);
    char note[200];
    list_take_notice(&lv, note, sizeof note);
    CHECK_STR(note, "");
    r = rows_of("d,c,b,a,new");                 /* reordered */
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "c");
    /* what r acts on is the item, by identity */
    Intent in = {0};
    CHECK_INT(list_take(&lv, &in, "s", selected(&lv, &r)), 1);
    CHECK_STR(in.keys[0], "c");
    CHECK_STR(in.sources[0], "s");
    intent_clear(&in);
    list_free(&lv);
}

/* A selected item that vanishes: the nearest row, and a notice that says so. */
static void test_gone(void)
{
    ListView lv = {0};
    KeyRows r = rows_of("a,b,c,d");
    list_sync(&lv, &r, r.n, 10, row_id);
    list_move(&lv, ACT_DOWN, 0);
    list_move(&lv, ACT_DOWN, 0);
    list_repin(&lv, &r, row_id);                /* c */
    r = rows_of("a,b,d");
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "d");          /* where c was */
    char note[200];
    list_take_notice(&lv, note, sizeof note);
    CHECK_CONTAINS(note, "(c) is gone");
    list_take_notice(&lv, note, sizeof note);   /* said once */
    CHECK_STR(note, "");
    r = rows_of("a,b");                         /* the last row goes: the one before it */
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "b");
    list_take_notice(&lv, note, sizeof note);
    CHECK_CONTAINS(note, "(d) is gone");
    /* acting on marked items: the selected one going is still news */
    list_toggle_mark(&lv, "s", "a");
    Intent mk = {0};
    list_take(&lv, &mk, "s", "b");
    CHECK(mk.n == 1 && strcmp(mk.keys[0], "a") == 0);
    intent_clear(&mk);
    r = rows_of("a");
    list_sync(&lv, &r, r.n, 10, row_id);
    list_take_notice(&lv, note, sizeof note);
    CHECK_CONTAINS(note, "(b) is gone");
    r = rows_of("a,b");
    list_sync(&lv, &r, r.n, 10, row_id);
    list_move(&lv, ACT_DOWN, 0);
    list_repin(&lv, &r, row_id);
    /* an item the user resolved leaving is no news */
    Intent in = {0};
    list_take(&lv, &in, "s", "b");
    intent_clear(&in);
    r = rows_of("a");
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "a");
    list_take_notice(&lv, note, sizeof note);
    CHECK_STR(note, "");
    r = rows_of("");
    r.n = 0;
    list_sync(&lv, &r, 0, 10, row_id);          /* empty: nothing selected, no crash */
    CHECK_INT(lv.n, 0);
    CHECK(!lv.source);
    list_free(&lv);
}

/* A filter keeps the item selected when it still matches, else the first row. */
static void test_filter(void)
{
    ListView lv = {0};
    KeyRows r = rows_of("a,b,c,d");
    list_sync(&lv, &r, r.n, 10, row_id);
    list_move(&lv, ACT_BOTTOM, 0);
    list_repin(&lv, &r, row_id);                /* d */
    list_set_filter(&lv, "x");
    CHECK_STR(lv.filter, "x");
    r = rows_of("b,d");
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "d");
    list_set_filter(&lv, "y");
    r = rows_of("a,b");
    list_sync(&lv, &r, r.n, 10, row_id);
    CHECK_STR(selected(&lv, &r), "a");
    char note[200];
    list_take_notice(&lv, note, sizeof note);
    CHECK_STR(note, "");                        /* the user filtered it out: no news */
    list_set_filter(&lv, "");
    CHECK(!lv.filter);
    list_free(&lv);
}

/* Marks are by identity: they survive reordering and new rows. */
static void test_marks(void)
{
    ListView lv = {0};
    list_toggle_mark(&lv, "s", "b");
    list_toggle_mark(&lv, "s", "d");
    list_toggle_mark(&lv, "s", "x");
    list_toggle_mark(&lv, "s", "x");            /* unmarked again */
    CHECK(list_marked(&lv, "s", "b"));
    CHECK(!list_marked(&lv, "s", "x"));
    CHECK(!list_marked(&lv, "t", "b"));         /* another source's b */
    Intent in = {0};
    CHECK_INT(list_take(&lv, &in, "s", "a"), 2); /* the marks, not the selection */
    CHECK(in.n == 2 && ((strcmp(in.keys[0], "b") == 0 && strcmp(in.keys[1], "d") == 0) ||
                        (strcmp(in.keys[0], "d") == 0 && strcmp(in.keys[1], "b") == 0)));
    intent_clear(&in);
    CHECK_INT(lv.nmarks, 0);
    CHECK_INT(list_take(&lv, &in, NULL, NULL), 0);
    intent_clear(&in);
    list_free(&lv);
}

/* A list that reads only the window it shows: it locates the item itself
 * (list_wanted / list_place) and pins what is at the selection. */
static void test_paged(void)
{
    ListView lv = {0};
    const char *s, *k;
    list_place(&lv, -1, 100, 10);
    CHECK(!list_wanted(&lv, &s, &k));
    list_pin(&lv, "s", "k0", "first");
    CHECK(!list_wanted(&lv, &s, &k));           /* not picked: the first row stays selected */
    list_place(&lv, -1, 101, 10);
    CHECK_INT(lv.sel, 0);
    list_move(&lv, ACT_DOWN, 1);
    list_pin(&lv, "s", "k1", "second");
    CHECK(list_wanted(&lv, &s, &k));
    CHECK_STR(k, "k1");
    list_place(&lv, 42, 101, 10);               /* it is row 42 now */
    CHECK_INT(lv.sel, 42);
    CHECK(lv.top <= 42 && lv.top + 10 > 42);
    list_pin(&lv, "s", "k1", "second");
    CHECK_INT(list_move(&lv, ACT_PGDN, 1), HR_RELOAD);
    CHECK(!list_wanted(&lv, &s, &k));           /* moved: the position decides */
    list_place(&lv, -1, 101, 10);
    CHECK_INT(lv.sel, 52);
    char note[200];
    list_take_notice(&lv, note, sizeof note);
    CHECK_STR(note, "");
    list_pin(&lv, "s", "k52", NULL);
    list_place(&lv, -1, 101, 10);               /* gone: the label is the key */
    list_take_notice(&lv, note, sizeof note);
    CHECK_CONTAINS(note, "(k52) is gone");
    list_free(&lv);
}

int main(void)
{
    RUN(test_moves);
    RUN(test_identity);
    RUN(test_gone);
    RUN(test_filter);
    RUN(test_marks);
    RUN(test_paged);
    return t_done();
}

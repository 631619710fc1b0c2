/* test_ynode.c — the YAML tree under the config: positions, scalars quoted
 * or plain, sequences, anchors/aliases and merge keys, the limits that stop
 * alias bombs and deep nesting, parse errors with FILE:LINE:COLUMN, and the
 * typed getters with their messages. */
#include <stdlib.h>
#include <limits.h>

#include "thelp.h"
#include "util.h"
#include "ynode.h"

static YNode *parse(const char *text, char **err)
{
    free(*err);
    *err = NULL;
    return ynode_parse_text("t.yaml", text, strlen(text), err);
}

static void test_positions(void)
{
    char *err = NULL;
    YNode *r = parse("# comment\nowner: Apple\nsources:\n  - id: a\n    kind:   jsonl\n", &err);
    CHECK(r != NULL);
    CHECK_INT(r->type, YN_MAP);
    CHECK_INT(r->n, 2);
    CHECK_STR(r->file, "t.yaml");
    CHECK_INT(r->line, 2);
    CHECK_INT(r->col, 1);
    const YNode *owner = ynode_get(r, "owner");
    CHECK_INT(owner->line, 2);
    CHECK_INT(owner->col, 8);
    CHECK_INT(r->keys[1]->line, 3);
    CHECK_INT(r->keys[1]->col, 1);
    const YNode *seq = ynode_get(r, "sources");
    CHECK_INT(seq->type, YN_SEQ);
    CHECK_INT(seq->line, 4);
    CHECK_INT(seq->col, 3);
    const YNode *src = seq->items[0];
    CHECK_INT(src->line, 4);
    CHECK_INT(src->col, 5);
    const YNode *kind = ynode_get(src, "kind");
    CHECK_STR(kind->scalar, "jsonl");
    CHECK_INT(kind->line, 5);
    CHECK_INT(kind->col, 13);
    CHECK(ynode_get(r, "nope") == NULL);
    CHECK(ynode_get(owner, "x") == NULL);
    /* columns count characters, not bytes */
    ynode_free(r);
    r = parse("{name: \"h\xC3\xA9llo\", b: 2}\n", &err);
    CHECK(r != NULL);
    CHECK_INT(r->col, 1);
    CHECK_STR(ynode_get(r, "name")->scalar, "h\xC3\xA9llo");
    CHECK_INT(ynode_get(r, "b")->col, 20);
    ynode_free(r);
    free(err);
}

static void test_quoted_vs_plain(void)
{
    char *err = NULL;
    YNode *r = parse("a: yes\nb: \"yes\"\nc: 'on'\nd: !!str off\ne: |\n  two\n  lines\nf: >-\n  folded\n  text\n"
                     "g: 'it''s'\nh: \"tab\\there\"\n",
                     &err);
    CHECK(r != NULL);
    CHECK_INT(ynode_get(r, "a")->quoted, 0);
    CHECK_INT(ynode_get(r, "b")->quoted, 1);
    CHECK_INT(ynode_get(r, "c")->quoted, 1);
    CHECK_INT(ynode_get(r, "d")->quoted, 1);
    CHECK_INT(ynode_get(r, "e")->quoted, 1);
    CHECK_STR(ynode_get(r, "e")->scalar, "two\nlines\n");
    CHECK_STR(ynode_get(r, "f")->scalar, "folded text");
    CHECK_STR(ynode_get(r, "g")->scalar, "it's");
    CHECK_STR(ynode_get(r, "h")->scalar, "tab\there");
    int v = -1;
    CHECK_INT(ynode_bool(r, "a", &v, &err), 0);
    CHECK_INT(v, 1);
    CHECK_INT(ynode_bool(r, "b", &v, &err), -1);
    CHECK_STR(err, "t.yaml:2:4: 'b' must be true or false without quotes (got the string 'yes')");
    CHECK_INT(ynode_bool(r, "d", &v, &err), -1);
    char *s = NULL;
    CHECK_INT(ynode_str(r, "b", &s, &err), 0);
    CHECK_STR(s, "yes");
    free(s);
    ynode_free(r);
    free(err);
}

static void test_sequences(void)
{
    char *err = NULL;
    YNode *r = parse("disks: [/, /home]\nlist:\n  - one\n  - [x, y]\n  - {k: v}\n  -\nname: solo\n", &err);
    CHECK(r != NULL);
    const YNode *list = ynode_get(r, "list");
    CHECK_INT(list->type, YN_SEQ);
    CHECK_INT(list->n, 4);
    CHECK_STR(list->items[0]->scalar, "one");
    CHECK_INT(list->items[1]->type, YN_SEQ);
    CHECK_INT(list->items[1]->n, 2);
    CHECK_STR(list->items[1]->items[1]->scalar, "y");
    CHECK_INT(list->items[2]->type, YN_MAP);
    CHECK_STR(list->items[3]->scalar, "");
    char **v = NULL;
    CHECK_INT(ynode_strv(r, "disks", &v, &err), 0);
    CHECK_INT(strv_len(v), 2);
    CHECK_STR(v[0], "/");
    CHECK_STR(v[1], "/home");
    CHECK_INT(ynode_strv(r, "name", &v, &err), 0);   /* frees the old list */
    CHECK_INT(strv_len(v), 1);
    CHECK_STR(v[0], "solo");
    CHECK_INT(ynode_strv(r, "list", &v, &err), -1);
    CHECK_STR(err, "t.yaml:4:5: 'list' must be a list of strings, but this item is a list");
    CHECK_INT(strv_len(v), 1);                       /* untouched on error */
    CHECK_INT(ynode_strv(r, "absent", &v, &err), 0);
    CHECK_STR(v[0], "solo");
    strv_free(v);
    CHECK_INT(strv_len(NULL), 0);
    ynode_free(r);
    free(err);
}

static void test_anchors(void)
{
    char *err = NULL;
    YNode *r = parse("base: &b {every: 10s, timeout: 5s}\n"
                     "one: *b\n"
                     "two:\n  <<: *b\n  every: 1m\n  id: two\n"
                     "three:\n  <<: [{x: 1}, {x: 2, y: 3}]\n"
                     "name: &n hello\nagain: *n\n",
                     &err);
    CHECK(r != NULL);
    const YNode *one = ynode_get(r, "one");
    CHECK_INT(one->type, YN_MAP);
    CHECK_STR(ynode_get(one, "timeout")->scalar, "5s");
    CHECK(one != ynode_get(r, "base"));             /* a copy, not shared */
    const YNode *two = ynode_get(r, "two");
    CHECK_INT(two->n, 3);
    CHECK(ynode_get(two, "<<") == NULL);
    CHECK_STR(ynode_get(two, "every")->scalar, "1m");  /* own key wins over the merge */
    CHECK_STR(ynode_get(two, "timeout")->scalar, "5s");
    const YNode *three = ynode_get(r, "three");
    CHECK_STR(ynode_get(three, "x")->scalar, "1");     /* earlier merge source wins */
    CHECK_STR(ynode_get(three, "y")->scalar, "3");
    CHECK_STR(ynode_get(r, "again")->scalar, "hello");
    ynode_free(r);

    CHECK(parse("a: *nope\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:1:4: unknown alias '*nope' (define it first with '&nope')");
    CHECK(parse("a: &x [1, *x]\n", &err) == NULL);   /* no cycles */
    CHECK_CONTAINS(err, "t.yaml:1:11: unknown alias '*x'");
    CHECK(parse("a: {k: 1}\nb:\n  <<: 5\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:3:7: '<<' merges maps only");
    /* duplicate keys: error at the second one */
    CHECK(parse("a: 1\nb: 2\n  \na: 3\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:4:1: duplicate key 'a' (first at line 1)");
    CHECK(parse("m: {x: 1, x: 2}\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:1:11: duplicate key 'x' (first at line 1)");
    free(err);
}

static void test_alias_bomb(void)
{
    char *err = NULL;
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                       "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                       "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    CHECK(parse(bomb, &err) == NULL);
    CHECK_CONTAINS(err, "t.yaml:");
    CHECK_CONTAINS(err, "expands too far");
    /* a big anchored string repeated: bounded by bytes, not only nodes */
    Buf b = {0};
    buf_puts(&b, "s: &s \"");
    for (int i = 0; i < 1000000; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, "\"\nl: &l [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s]\nm: [");
    for (int i = 0; i < 20; i++)
        buf_puts(&b, "*l, ");
    buf_puts(&b, "*l]\n");
    CHECK(parse(b.s, &err) == NULL);
    CHECK_CONTAINS(err, "expands too far");
    buf_free(&b);
    /* nesting */
    Buf d = {0};
    for (int i = 0; i < 500; i++)
        buf_putc(&d, '[');
    for (int i = 0; i < 500; i++)
        buf_putc(&d, ']');
    CHECK(parse(d.s, &err) == NULL);
    CHECK_CONTAINS(err, "nested more than");
    buf_free(&d);
    free(err);
}

static void test_empty_and_errors(void)
{
    char *err = NULL;
    const char *empties[] = {"", "# only a comment\n", "---\n", "~\n", "\n\n"};
    for (size_t i = 0; i < MC_ARRAY_LEN(empties); i++) {
        YNode *r = parse(empties[i], &err);
        CHECK(r != NULL);
        CHECK_INT(r ? (int)r->type : -1, YN_MAP);
        CHECK_INT(r ? r->n : -1, 0);
        ynode_free(r);
    }
    CHECK(parse("a: 1\n  b: 2\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:2:4: mapping values are not allowed in this context");
    CHECK(parse("a: [1, 2\nb: 3\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:2:2: did not find expected ',' or ']' (while parsing a flow sequence at line 1)");
    CHECK(parse("a:\n  b: 1\n\tc: 2\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:3:1: a tab here: YAML indents with spaces only");
    CHECK(parse("a: 1\n---\nb: 2\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:2:1: only one YAML document per file (remove this '---')");
    CHECK(parse("ok: 1\nbad: \"\\e[31m\"\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:2:6: control characters are not allowed in config text");
    CHECK(parse("a: 1\nb: \xff\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:2:4: invalid leading UTF-8 octet");
    CHECK(parse("? [a, b]\n: 1\n", &err) == NULL);
    CHECK_STR(err, "t.yaml:1:3: map keys must be plain strings");
    /* files */
    const char *p = t_write("f.yaml", "x: 1\ny: [\n");
    YNode *r = ynode_parse_file(p, &err);
    CHECK(r == NULL);
    char want[600];
    snprintf(want, sizeof want, "%s:3:1:", p);
    CHECK(err && strncmp(err, want, strlen(want)) == 0);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/nope.yaml", t_tmpdir());
    CHECK(ynode_parse_file(missing, &err) == NULL);
    CHECK_CONTAINS(err, "nope.yaml");
    p = t_write("g.yaml", "x: 1\n");
    r = ynode_parse_file(p, &err);
    CHECK(r != NULL);
    CHECK_STR(r ? r->file : NULL, p);
    ynode_free(r);
    free(err);
}

static void test_getters(void)
{
    char *err = NULL;
    setenv("YN_TEST_DIR", "/srv/data", 1);
    setenv("HOME", "/home/tester", 1);
    unsetenv("YN_UNSET");
    YNode *r = parse("n: 12\nbig: 40\nneg: -3\nf: 2.5\nbadf: 2.5x\nd: 90s\nbadd: soon\n"
                     "p: ~/x/${YN_TEST_DIR}\ns: \"at ${YN_TEST_DIR}/y $${LITERAL}\"\n"
                     "u: \"${YN_UNSET}/z\"\nup: ${YN_UNSET}\nm: {a: 1}\nempty:\nb: off\nbb: maybe\n",
                     &err);
    CHECK(r != NULL);
    long l = 7;
    CHECK_INT(ynode_long(r, "n", 1, 16, &l, &err), 0);
    CHECK_INT(l, 12);
    CHECK_INT(ynode_long(r, "absent", 1, 16, &l, &err), 0);
    CHECK_INT(l, 12);
    CHECK_INT(ynode_long(r, "empty", 1, 16, &l, &err), 0);   /* `key:` with no value = unset */
    CHECK_INT(l, 12);
    CHECK_INT(ynode_long(r, "big", 1, 16, &l, &err), -1);
    CHECK_STR(err, "t.yaml:2:6: 'big' must be an integer from 1 to 16 (got '40')");
    CHECK_INT(ynode_long(r, "neg", 0, LONG_MAX, &l, &err), -1);
    CHECK_STR(err, "t.yaml:3:6: 'neg' must be an integer of at least 0 (got '-3')");
    CHECK_INT(ynode_long(r, "m", 0, 5, &l, &err), -1);
    CHECK_STR(err, "t.yaml:12:4: 'm' must be an integer from 0 to 5, not a map");
    CHECK_INT(ynode_as_long(ynode_get(r, "f"), 0, 5, &l, &err), -1);
    CHECK_STR(err, "t.yaml:4:4: value must be an integer from 0 to 5 (got '2.5')");
    double dv = 0;
    CHECK_INT(ynode_double(r, "f", &dv, &err), 0);
    CHECK(dv == 2.5);
    CHECK_INT(ynode_double(r, "badf", &dv, &err), -1);
    CHECK_STR(err, "t.yaml:5:7: 'badf' must be a number (got '2.5x')");
    int64_t ms = 0;
    CHECK_INT(ynode_duration(r, "d", &ms, &err), 0);
    CHECK_INT(ms, 90000);
    CHECK_INT(ynode_duration(r, "badd", &ms, &err), -1);
    CHECK_STR(err, "t.yaml:7:7: 'badd' must be a duration like 30s, 5m, 1h (got 'soon')");
    CHECK_INT(ms, 90000);
    char *s = xstrdup("old");
    CHECK_INT(ynode_path(r, "p", &s, &err), 0);
    CHECK_STR(s, "/home/tester/x//srv/data");
    CHECK_INT(ynode_str(r, "s", &s, &err), 0);
    CHECK_STR(s, "at /srv/data/y ${LITERAL}");
    CHECK_INT(ynode_str(r, "u", &s, &err), -1);
    CHECK_STR(err, "t.yaml:10:4: environment variable YN_UNSET is not set");
    CHECK_INT(ynode_path(r, "up", &s, &err), -1);
    CHECK_CONTAINS(err, "t.yaml:11:5: ");
    CHECK_CONTAINS(err, "YN_UNSET");
    CHECK_STR(s, "at /srv/data/y ${LITERAL}");
    CHECK_INT(ynode_str(r, "m", &s, &err), -1);
    CHECK_STR(err, "t.yaml:12:4: 'm' must be a string, not a map");
    CHECK_INT(ynode_req_str(r, "missing", &s, &err), -1);
    CHECK_STR(err, "t.yaml:1:1: missing required key 'missing'");
    CHECK_INT(ynode_req_str(r, "empty", &s, &err), -1);
    CHECK_STR(err, "t.yaml:13:7: 'empty' must not be empty");
    free(s);
    int b = 1;
    CHECK_INT(ynode_bool(r, "b", &b, &err), 0);
    CHECK_INT(b, 0);
    CHECK_INT(ynode_bool(r, "bb", &b, &err), -1);
    CHECK_STR(err, "t.yaml:15:5: 'bb' must be true or false (got 'maybe')");
    CHECK_INT(ynode_as_bool(ynode_get(r, "m"), &b, &err), -1);
    CHECK_STR(err, "t.yaml:12:4: value must be true or false, not a map");
    ynode_free(r);
    free(err);
}

static void test_check_keys(void)
{
    char *err = NULL;
    static const char *const allowed[] = {"id", "kind", "every", "timeout", NULL};
    YNode *r = parse("id: a\nkind: b\nevry: 5s\n", &err);
    CHECK_INT(ynode_check_keys(r, allowed, "source", &err), -1);
    CHECK_STR(err, "t.yaml:3:1: unknown key 'evry' in source, did you mean 'every'? (known: id, kind, every, timeout)");
    ynode_free(r);
    r = parse("id: a\ncolour: red\n", &err);
    CHECK_INT(ynode_check_keys(r, allowed, NULL, &err), -1);
    CHECK_STR(err, "t.yaml:2:1: unknown key 'colour' (known: id, kind, every, timeout)");
    CHECK_INT(ynode_check_keys(ynode_get(r, "id"), allowed, "source", &err), -1);
    CHECK_STR(err, "t.yaml:1:5: source must be a map of key: value settings");
    ynode_free(r);
    r = parse("id: a\nkind: b\n", &err);
    CHECK_INT(ynode_check_keys(r, allowed, "source", &err), 0);
    ynode_free(r);
    CHECK_INT(ynode_error(NULL, &err, "plain %d", 5), -1);
    CHECK_STR(err, "plain 5");
    free(err);
}

int main(void)
{
    RUN(test_positions);
    RUN(test_quoted_vs_plain);
    RUN(test_sequences);
    RUN(test_anchors);
    RUN(test_alias_bomb);
    RUN(test_empty_and_errors);
    RUN(test_getters);
    RUN(test_check_keys);
    return t_done();
}

/* test_markdown_tasks.c — the markdown_tasks source kind: which items are
 * blockers (markers, word edges, bullets, fences, headings), stable keys
 * across edits, CRLF/BOM/non-UTF-8 kept, and resolve flipping exactly one
 * byte — or refusing, file untouched, when the line changed since it was read. */
#include "fixtures/files/harness.h"

static int setup(Harness *h, const char *path, const char *extra)
{
    char *y = xasprintf("owner: Apple\nsources:\n  - id: pending\n    kind: markdown_tasks\n    path: %s\n%s",
                        path, extra ? extra : "");
    int rc = h_setup(h, y);
    free(y);
    return rc;
}

/* The key the contract promises: hash of normalized heading + "\n" + text. */
static char *key_of(const char *norm_heading, const char *norm_text)
{
    char *s = xasprintf("%s\n%s", norm_heading, norm_text);
    char *k = xasprintf("%016llx", (unsigned long long)hash64(s, strlen(s)));
    free(s);
    return k;
}

static char *q_by_key(Harness *h, const char *col, const char *key)
{
    char *sql = xasprintf("SELECT %s FROM blockers WHERE source = 'pending' AND key = '%s'", col, key);
    char *v = h_query(h, sql);
    free(sql);
    return v;
}

/* Number of differing bytes of two equal-length buffers; *at = the last one. */
static int diff_bytes(const char *a, const char *b, size_t n, size_t *at)
{
    int d = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            d++;
            *at = i;
        }
    return d;
}

#define FIX_TEXT "fix vercel token permissions \xE2\x80\x94 blocked: needs apple (403 since mar 23)"

static void test_fixture(void)
{
    Harness h;
    char *path = h_fixture("pending-work.md", "pending.md");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK(h.err == NULL);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers WHERE source = 'pending'"), 7);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers WHERE resolved = 0"), 6);
    char *k = key_of("revenue", FIX_TEXT);
    char *v = q_by_key(&h, "description || '|' || context || '|' || resolved || state", k);
    CHECK_STR(v, "Fix Vercel token permissions \xE2\x80\x94 BLOCKED: needs Apple (403 since Mar 23)"
                 "|project: Revenue \xC2\xB7 needs Apple \xC2\xB7 line 4|0open");
    free(v);
    free(k);
    CHECK_Q(&h, "SELECT context FROM blockers WHERE description LIKE 'Renew Impact%'",
            "project: Revenue \xC2\xB7 needs Apple \xC2\xB7 line 6");
    CHECK_Q(&h, "SELECT resolved || state FROM blockers WHERE description LIKE 'Get Awin%'", "1resolved");
    CHECK_Q(&h, "SELECT context FROM blockers WHERE description LIKE 'Chase unpaid%'",
            "project: Sponsorships \xC2\xB7 line 13");
    CHECK_Q(&h, "SELECT context FROM blockers WHERE description LIKE 'Call the printer%'",
            "project: Sponsorships \xC2\xB7 needs Apple \xC2\xB7 line 14");
    /* "unblocked" is not "blocked"; fenced and malformed items are not items */
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers WHERE description LIKE '%unblocked%'"
                        " OR description LIKE '%code fence%' OR description LIKE '%not an item%'"), 0);
    /* a closed heading and a normalized duplicate */
    k = key_of("ops", "rotate backups \xE2\x80\x94 waiting on max");
    v = q_by_key(&h, "context", k);
    CHECK_STR(v, "project: Ops \xC2\xB7 line 21");
    free(v);
    char *k2 = xasprintf("%s#2", k);
    v = q_by_key(&h, "description", k2);
    CHECK_STR(v, "Rotate   backups \xE2\x80\x94 Waiting on max");
    free(v);
    free(k2);
    free(k);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h.not_modified, 1);
    h_teardown(&h);
    free(path);
}

static void test_keys_survive_edits(void)
{
    Harness h;
    char *path = h_fixture("pending-work.md", "stable.md");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    size_t n = 0;
    char *text = h_slurp(path, &n);
    /* a new line on top, another item edited, the item itself re-spaced and re-cased */
    Buf b = {0};
    buf_puts(&b, "Notes first.\n");
    buf_puts(&b, text);
    char *edited = b.s;
    char *p = strstr(edited, "Draft Q4");
    p[7] = '5';
    p = strstr(edited, "- [ ] Fix Vercel token permissions");
    memcpy(p, "- [ ] fix vercel", 16);
    h_write(path, b.s, b.len);
    CHECK_INT(h_fetch(&h), 0);
    char *k = key_of("revenue", FIX_TEXT);
    char *v = q_by_key(&h, "description", k);
    CHECK_STR(v, "fix vercel token permissions \xE2\x80\x94 BLOCKED: needs Apple (403 since Mar 23)");
    free(v);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers"), 7);
    free(k);
    free(text);
    buf_free(&b);
    h_teardown(&h);
    free(path);
}

static void test_resolve_flips_one_byte(void)
{
    Harness h;
    char *path = h_fixture("pending-work.md", "flip.md");
    chmod(path, 0640);
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    size_t blen = 0, alen = 0, at = 0;
    char *before = h_slurp(path, &blen);
    char *k = key_of("revenue", FIX_TEXT);
    char *msg = NULL;
    CHECK_INT(h_resolve(&h, "resolve", k, "", "i1", &msg), RESOLVE_OK);
    free(msg);
    char *after = h_slurp(path, &alen);
    CHECK_INT(alen, blen);
    CHECK_INT(diff_bytes(before, after, blen, &at), 1);
    CHECK(strncmp(after + at - 3, "- [x] Fix Vercel", 16) == 0);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
    CHECK_INT(h_fetch(&h), 0);
    char *v = q_by_key(&h, "resolved || state", k);
    CHECK_STR(v, "1resolved");
    free(v);
    /* resolving again changes nothing; unresolve restores the original bytes */
    CHECK_INT(h_resolve(&h, "resolve", k, "", "i1", NULL), RESOLVE_OK);
    free(after);
    after = h_slurp(path, &alen);
    CHECK_INT(diff_bytes(before, after, blen, &at), 1);
    CHECK_INT(h_resolve(&h, "unresolve", k, "", "i2", NULL), RESOLVE_OK);
    free(after);
    after = h_slurp(path, &alen);
    CHECK(alen == blen && memcmp(before, after, blen) == 0);
    free(after);
    free(before);
    free(k);
    h_teardown(&h);
    free(path);
}

static void test_crlf_bom_bytes_kept(void)
{
    Harness h;
    const char text[] = "\xEF\xBB\xBF# H\xe9" "ading \x1b[1m\r\n\r\n- [ ] caf\xe9 BLOCKED \x1b]0;t\x07\r\n"
                        "- [ ] other \xF0\x9F\x94\xB4\r\n";
    char *path = xasprintf("%s/crlf.md", t_tmpdir());
    h_write(path, text, sizeof text - 1);
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers"), 2);
    char *k = key_of("h\xe9" "ading \x1b[1m", "caf\xe9 blocked \x1b]0;t\x07");
    char *v = q_by_key(&h, "description || '|' || context", k);
    CHECK_STR(v, "caf\xe9 BLOCKED \x1b]0;t\x07|project: H\xe9" "ading \x1b[1m \xC2\xB7 line 3");
    free(v);
    CHECK_INT(h_resolve(&h, "resolve", k, "", "c1", NULL), RESOLVE_OK);
    size_t alen = 0, at = 0;
    char *after = h_slurp(path, &alen);
    CHECK_INT(alen, sizeof text - 1);
    CHECK_INT(diff_bytes(text, after, alen, &at), 1);
    CHECK(after[at] == 'x' && at == 24);
    free(after);
    free(k);
    h_teardown(&h);
    free(path);
}

static void test_changed_line_refused(void)
{
    Harness h;
    char *path = h_fixture("pending-work.md", "changed.md");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    char *k = key_of("revenue", FIX_TEXT);
    size_t n = 0, n2 = 0;
    char *orig = h_slurp(path, &n);
    /* the text changed: the key no longer matches */
    char *edit = xstrndup(orig, n);
    memcpy(strstr(edit, "403 since"), "404", 3);
    h_write(path, edit, n);
    char *msg = NULL;
    CHECK_INT(h_resolve(&h, "resolve", k, "", "x1", &msg), RESOLVE_FAIL);
    CHECK_CONTAINS(msg, "changed since it was read");
    CHECK_CONTAINS(msg, "403 since Mar 23");
    free(msg);
    char *now = h_slurp(path, &n2);
    CHECK(n2 == n && memcmp(now, edit, n) == 0);
    free(now);
    /* spacing changed: same key, but not the line that was read */
    h_write(path, orig, n);
    CHECK_INT(h_fetch(&h), 0);
    Buf b = {0};
    size_t cut = (size_t)(strstr(orig, "Vercel token") - orig);
    buf_append(&b, orig, cut);
    buf_putc(&b, ' ');                            /* "Fix  Vercel" */
    buf_append(&b, orig + cut, n - cut);
    h_write(path, b.s, b.len);
    msg = NULL;
    CHECK_INT(h_resolve(&h, "resolve", k, "", "x2", &msg), RESOLVE_FAIL);
    CHECK_CONTAINS(msg, "changed.md:4: line changed since it was read");
    CHECK_CONTAINS(msg, "now \"- [ ] Fix  Vercel");
    free(msg);
    now = h_slurp(path, &n2);
    CHECK(n2 == b.len && memcmp(now, b.s, b.len) == 0);
    free(now);
    buf_free(&b);
    /* gone entirely */
    h_write(path, "# Pending Work\n", 15);
    msg = NULL;
    CHECK_INT(h_resolve(&h, "resolve", k, "", "x3", &msg), RESOLVE_FAIL);
    CHECK_CONTAINS(msg, "changed since it was read");
    free(msg);
    CHECK_INT(h_resolve(&h, "snooze", k, "", "x4", NULL), RESOLVE_UNSUPPORTED);
    free(edit);
    free(orig);
    free(k);
    h_teardown(&h);
    free(path);
}

static void test_resolve_in_a_new_process(void)
{
    /* no fetch in this runtime: the key (heading + normalized text) decides */
    Harness h;
    char *path = h_fixture("pending-work.md", "fresh.md");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    char *k = key_of("sponsorships", "chase unpaid invoice #1182 (blocked on close crm export)");
    CHECK_INT(h_resolve(&h, "resolve", k, "", "f1", NULL), RESOLVE_OK);
    char *text = h_slurp(path, NULL);
    CHECK(strstr(text, "1. [x] Chase unpaid invoice") != NULL);
    free(text);
    free(k);
    h_teardown(&h);
    free(path);
}

static void test_hand_edits_and_options(void)
{
    Harness h;
    char *path = h_fixture("pending-work.md", "hand.md");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    size_t n = 0;
    char *text = h_slurp(path, &n);
    char *p = strstr(text, "1. [ ] Chase");
    p[4] = 'X';                                   /* checked by hand */
    char *renew = strstr(text, "- [ ] Renew");
    char *eol = strchr(renew, '\n');
    memmove(renew, eol + 1, strlen(eol + 1) + 1);  /* a blocker line deleted */
    h_write(path, text, strlen(text));
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT resolved FROM blockers WHERE description LIKE 'Chase%'", "1");
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers WHERE description LIKE 'Renew%'"), 0);
    free(text);
    h_teardown(&h);

    /* all_open: every item is a blocker */
    char *path2 = h_fixture("pending-work.md", "all.md");
    if (setup(&h, path2, "    all_open: true\n") == 0) {
        CHECK_INT(h_fetch(&h), 0);
        CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers"), 11);
        CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers WHERE resolved = 1"), 2);
        h_teardown(&h);
    }
    /* configured markers replace the defaults */
    char *path3 = xasprintf("%s/markers.md", t_tmpdir());
    const char *m = "- [ ] deploy STUCK, ping boss\n- [ ] BLOCKED by nothing we track\n";
    h_write(path3, m, strlen(m));
    if (setup(&h, path3, "    blocked_markers: [STUCK]\n    owner_markers: ['ping boss']\n") == 0) {
        CHECK_INT(h_fetch(&h), 0);
        CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers"), 1);
        CHECK_Q(&h, "SELECT context FROM blockers", "needs Apple \xC2\xB7 line 1");
        h_teardown(&h);
    }
    free(path3);
    free(path2);
    free(path);
}

static void test_config_errors(void)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: p\n    kind: markdown_tasks\n    path: /x\n"
                           "    all_open: maybe\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:5:15");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: p\n    kind: markdown_tasks\n    path: /x\n"
                           "    blocked_markers: {a: b}\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:5:22");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: p\n    kind: markdown_tasks\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "missing required key 'path'");
    free(err);
    Harness h;
    char *path = xasprintf("%s/none.md", t_tmpdir());
    if (setup(&h, path, NULL) == 0) {
        CHECK_INT(h_fetch(&h), -1);
        CHECK_CONTAINS(h.err, "none.md");
        CHECK_INT(h_resolve(&h, "resolve", "abc", "", "i", NULL), RESOLVE_FAIL);
        h_teardown(&h);
    }
    free(path);
}

int main(void)
{
    RUN(test_fixture);
    RUN(test_keys_survive_edits);
    RUN(test_resolve_flips_one_byte);
    RUN(test_crlf_bom_bytes_kept);
    RUN(test_changed_line_refused);
    RUN(test_resolve_in_a_new_process);
    RUN(test_hand_edits_and_options);
    RUN(test_config_errors);
    return t_done();
}

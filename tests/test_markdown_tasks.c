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

/* What the outbox hands resolve: the key and the blocker row's read_as, in a
 * runtime that never fetched (delivery opens a fresh one). */
static ResolveResult resolve_read(Harness *h, const char *action, const char *key,
                                  const char *read_as, char **msg)
{
    void *rt = h->sc->cls->open ? h->sc->cls->open(h->sc) : NULL;
    ResolveReq req = {.action = action, .key = key, .note = "", .by = "apple",
                      .idempotency_key = "t", .now_ms = now_ms(), .read_as = read_as};
    ResolveOut out;
    memset(&out, 0, sizeof out);
    ResolveResult r = h->sc->cls->resolve(rt, h->sc, h->cfg, &req, &out);
    if (rt && h->sc->cls->close)
        h->sc->cls->close(rt);
    if (msg)
        *msg = out.message;
    else
        free(out.message);
    return r;
}

/* Writes text, resolves key as read_as says, and checks the outcome: want
 * the result, msg containing `why` (NULL: no check) and the file's bytes
 * afterwards equal to `after` (NULL: unchanged). */
static void resolve_expect(Harness *h, const char *path, const char *text, const char *key,
                           const char *read_as, ResolveResult want, const char *why, const char *after)
{
    h_write(path, text, strlen(text));
    char *msg = NULL;
    CHECK_INT(resolve_read(h, "resolve", key, read_as, &msg), want);
    if (why)
        CHECK_CONTAINS(msg, why);
    free(msg);
    char *now = h_slurp(path, NULL);
    CHECK_STR(now, after ? after : text);
    free(now);
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
    char *was = q_by_key(&h, "read_as", k);
    size_t n = 0, n2 = 0;
    char *orig = h_slurp(path, &n);
    /* the text changed: the key no longer matches */
    char *edit = xstrndup(orig, n);
    memcpy(strstr(edit, "403 since"), "404", 3);
    h_write(path, edit, n);
    char *msg = NULL;
    CHECK_INT(resolve_read(&h, "resolve", k, was, &msg), RESOLVE_FAIL);
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
    CHECK_INT(resolve_read(&h, "resolve", k, was, &msg), RESOLVE_FAIL);
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
    CHECK_INT(resolve_read(&h, "resolve", k, was, &msg), RESOLVE_FAIL);
    CHECK_CONTAINS(msg, "changed since it was read");
    free(msg);
    CHECK_INT(h_resolve(&h, "snooze", k, "", "x4", NULL), RESOLVE_UNSUPPORTED);
    free(edit);
    free(orig);
    free(was);
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

/* ---- who a blocker is for (issue 8 item 2) ----------------------------- */

static const char owner_md[] =
    "# Work\n"
    "- [ ] Sign contract \xE2\x80\x94 needs Apple\n"        /* 2: names the owner */
    "- [ ] Move cron host @apple\n"                         /* 3: names the owner */
    "- [ ] Renew key, WAITING ON APPLE\n"                   /* 4: names the owner */
    "- [ ] Vendor approval BLOCKED\n"                       /* 5: blocked, no owner */
    "- [ ] Rotate backups, waiting on Max\n"                /* 6: blocked, someone else */
    "- [ ] Ping the applesauce team\n"                      /* 7: nothing */
    "- [ ] mail someone@applesauce.io\n"                    /* 8: not "@apple" */
    "- [x] Done thing, needs apple\n"                       /* 9: resolved, for the owner */
    "- [ ] Plain task\n";                                   /* 10: nothing */

static void test_owner_names_make_blockers(void)
{
    Harness h;
    char *path = xasprintf("%s/owner.md", t_tmpdir());
    h_write(path, owner_md, sizeof owner_md - 1);
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    /* a task naming the owner is a blocker for the owner, marker or not */
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers"), 6);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers WHERE for_owner = 1"), 4);
    CHECK_Q(&h, "SELECT group_concat(substr(context, instr(context, 'line ')), ',') FROM (SELECT context"
                " FROM blockers WHERE for_owner = 1 ORDER BY context)", "line 2,line 3,line 4,line 9");
    /* blocked but naming no owner: shown, counted apart */
    CHECK_Q(&h, "SELECT group_concat(description, '|') FROM (SELECT description FROM blockers"
                " WHERE for_owner = 0 ORDER BY context)",
            "Vendor approval BLOCKED|Rotate backups, waiting on Max");
    CHECK_Q(&h, "SELECT context FROM blockers WHERE description LIKE 'Move cron%'",
            "project: Work \xC2\xB7 needs Apple \xC2\xB7 line 3");
    CHECK_Q(&h, "SELECT context FROM blockers WHERE description LIKE 'Vendor%'",
            "project: Work \xC2\xB7 line 5");
    h_teardown(&h);

    /* the owner comes from the config */
    char *y = xasprintf("owner: max\nsources:\n  - id: pending\n    kind: markdown_tasks\n    path: %s\n", path);
    if (h_setup(&h, y) == 0) {
        CHECK_INT(h_fetch(&h), 0);
        CHECK_Q(&h, "SELECT group_concat(for_owner || ':' || description, '|') FROM (SELECT * FROM blockers"
                    " ORDER BY context)",
                "0:Renew key, WAITING ON APPLE|0:Vendor approval BLOCKED|1:Rotate backups, waiting on Max");
        h_teardown(&h);
    }
    free(y);
    free(path);
}

/* ---- resolve checks what was read (issue 8 item 3) --------------------- */

static void test_resolve_checks_line_read(void)
{
    Harness h;
    const char *orig = "# Ops\n- [ ] Fix Vercel token BLOCKED\n- [ ] other BLOCKED\n";
    char *path = xasprintf("%s/read.md", t_tmpdir());
    h_write(path, orig, strlen(orig));
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    char *k = key_of("ops", "fix vercel token blocked");
    char *was = q_by_key(&h, "read_as", k);
    CHECK(was != NULL);
    /* edited in case, in inner spacing, in trailing spacing: same key, not the line read */
    resolve_expect(&h, path, "# Ops\n- [ ] fix vercel token BLOCKED\n- [ ] other BLOCKED\n", k, was,
                   RESOLVE_FAIL, "read.md:2: line changed since it was read", NULL);
    resolve_expect(&h, path, "# Ops\n- [ ] Fix  Vercel token BLOCKED\n- [ ] other BLOCKED\n", k, was,
                   RESOLVE_FAIL, "line changed since it was read: was \"- [ ] Fix Vercel token BLOCKED\"", NULL);
    resolve_expect(&h, path, "# Ops\n- [ ] Fix Vercel token BLOCKED \n- [ ] other BLOCKED\n", k, was,
                   RESOLVE_FAIL, "line changed since it was read", NULL);
    /* moved by a line added above, text the same: still that line */
    resolve_expect(&h, path, "# Ops\nnote\n- [ ] Fix Vercel token BLOCKED\n- [ ] other BLOCKED\n", k, was,
                   RESOLVE_OK, NULL, "# Ops\nnote\n- [x] Fix Vercel token BLOCKED\n- [ ] other BLOCKED\n");
    /* unchanged: flipped; an undo as read flips it back */
    resolve_expect(&h, path, orig, k, was, RESOLVE_OK, NULL,
                   "# Ops\n- [x] Fix Vercel token BLOCKED\n- [ ] other BLOCKED\n");
    char *msg = NULL;
    CHECK_INT(resolve_read(&h, "unresolve", k, was, &msg), RESOLVE_OK);
    free(msg);
    char *now = h_slurp(path, NULL);
    CHECK_STR(now, orig);
    free(now);
    free(was);
    free(k);
    h_teardown(&h);
    free(path);
}

static void test_identical_item_inserted_above(void)
{
    Harness h;
    const char *orig = "# Ops\n- [ ] alpha BLOCKED\n- [ ] beta BLOCKED\n";
    char *path = xasprintf("%s/above.md", t_tmpdir());
    h_write(path, orig, strlen(orig));
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    char *k = key_of("ops", "beta blocked");
    char *was = q_by_key(&h, "read_as", k);
    CHECK(was != NULL);
    /* an identical item above: which one was read cannot be told, so nothing is written */
    resolve_expect(&h, path, "# Ops\n- [ ] beta BLOCKED\n- [ ] alpha BLOCKED\n- [ ] beta BLOCKED\n", k, was,
                   RESOLVE_FAIL, "ambiguous", NULL);
    /* an identical item below: the one read is still where it was */
    resolve_expect(&h, path, "# Ops\n- [ ] alpha BLOCKED\n- [ ] beta BLOCKED\n- [ ] beta BLOCKED\n", k, was,
                   RESOLVE_OK, NULL, "# Ops\n- [ ] alpha BLOCKED\n- [x] beta BLOCKED\n- [ ] beta BLOCKED\n");
    /* the same item spelled differently above: the line read is flipped, not the new one */
    resolve_expect(&h, path, "# Ops\n- [ ] Beta   BLOCKED\n- [ ] alpha BLOCKED\n- [ ] beta BLOCKED\n", k, was,
                   RESOLVE_OK, NULL, "# Ops\n- [ ] Beta   BLOCKED\n- [ ] alpha BLOCKED\n- [x] beta BLOCKED\n");
    free(was);
    free(k);
    h_teardown(&h);
    free(path);
}

static void test_duplicate_keys_ambiguous(void)
{
    Harness h;
    const char *orig = "# Ops\n- [ ] same BLOCKED\n- [ ] same BLOCKED\n";
    char *path = xasprintf("%s/dup.md", t_tmpdir());
    h_write(path, orig, strlen(orig));
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    char *k = key_of("ops", "same blocked");
    char *k2 = xasprintf("%s#2", k);
    char *was2 = q_by_key(&h, "read_as", k2);
    CHECK(was2 != NULL);
    /* nothing says which was read (a shell resolve of a row never cached): ambiguous */
    resolve_expect(&h, path, orig, k, NULL, RESOLVE_FAIL, "ambiguous: 2 items", NULL);
    resolve_expect(&h, path, orig, k2, NULL, RESOLVE_FAIL, "lines 2, 3", NULL);
    /* both moved: the line read is no longer where it was, and both look like it */
    resolve_expect(&h, path, "intro\n# Ops\n- [ ] same BLOCKED\n- [ ] same BLOCKED\n", k2, was2,
                   RESOLVE_FAIL, "ambiguous", NULL);
    /* the first edited, the second moved by it: the one left may not be the one seen */
    char *was1 = q_by_key(&h, "read_as", k);
    resolve_expect(&h, path, "# Ops\n- [ ] Same BLOCKED\n- [ ] same BLOCKED\n", k, was1,
                   RESOLVE_FAIL, "line changed since it was read", NULL);
    resolve_expect(&h, path, "# Ops\n- [ ] same BLOCKED\n", k2, was2, RESOLVE_FAIL,
                   "ambiguous: 2 identical items when line 3 was read", NULL);
    free(was1);
    /* nothing changed: the second one, exactly as read */
    resolve_expect(&h, path, orig, k2, was2, RESOLVE_OK, NULL,
                   "# Ops\n- [ ] same BLOCKED\n- [x] same BLOCKED\n");
    free(was2);
    free(k2);
    free(k);
    h_teardown(&h);
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
    RUN(test_owner_names_make_blockers);
    RUN(test_resolve_checks_line_read);
    RUN(test_identical_item_inserted_above);
    RUN(test_duplicate_keys_ambiguous);
    return t_done();
}

/* test_jsonl.c — the jsonl source kind: drift in the handoffs file (CRLF,
 * blank, invalid and non-object lines, missing fields, duplicates, non-UTF-8
 * and escape bytes), incremental reads of appended bytes only, partial last
 * lines, truncation, rotation and rewrites, overlong lines, and resolve's
 * single-line appends (idempotent, torn tails, concurrent writers). */
#include <cjson/cJSON.h>
#include <sys/file.h>
#include <sys/wait.h>
#include "fixtures/files/harness.h"

static char *yaml_for(const char *path, const char *extra)
{
    return xasprintf("owner: Apple\nsources:\n  - id: handoffs\n    kind: jsonl\n    path: %s\n%s",
                     path, extra ? extra : "");
}

static int setup(Harness *h, const char *path, const char *extra)
{
    char *y = yaml_for(path, extra);
    int rc = h_setup(h, y);
    free(y);
    return rc;
}

static long long count(Harness *h, const char *table)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE source = 'handoffs'", table);
    return h_int(h, sql);
}

static off_t fsize(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void test_drift_fixture(void)
{
    Harness h;
    char *path = h_fixture("handoffs.jsonl", "drift.jsonl");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK(h.err == NULL);
    /* 12 lines: 1 blank, 2 bad, 1 duplicate -> 8 distinct events */
    CHECK_INT(count(&h, "activity"), 8);
    CHECK_INT(count(&h, "blockers"), 4);
    CHECK_Q(&h, "SELECT resolved || ' ' || resolved_by || ' ' || resolved_at || ' ' || note || ' ' || state"
                " FROM blockers WHERE key = 'h-20261121-0007'",
            "1 apple 2026-11-21T11:02:10Z new token in .secrets resolved");
    CHECK_Q(&h, "SELECT from_agent || '|' || description || '|' || context || '|' || created_at"
                " FROM blockers WHERE key = 'h-20261121-0007'",
            "max|Vercel token returns 403|Deploy hooks fail since Mar 23; need a team-scoped token "
            "with deployments:read|2026-11-21T09:14:03Z");
    /* CRLF line, epoch seconds, owner in capitals */
    CHECK_Q(&h, "SELECT resolved || ' ' || state || ' ' || created_at || ' ' || description"
                " FROM blockers WHERE key = 'h-0009'",
            "0 open 2025-11-21T09:20:00Z Impact API key expired");
    /* `to` as a list, no ts */
    CHECK_Q(&h, "SELECT state FROM blockers WHERE key = 'h-0012'", "open");
    CHECK_Q(&h, "SELECT created_at FROM blockers WHERE key = 'h-0012'", NULL);
    /* a blocker addressed to someone else is shown, but not as needing the owner */
    CHECK_INT(h_int(&h, "SELECT count(*) FROM blockers WHERE key = 'h-20261121-0008'"), 0);
    CHECK_Q(&h, "SELECT group_concat(key || '=' || for_owner, ' ') FROM (SELECT key, for_owner"
                " FROM blockers ORDER BY key)",
            "h-0009=1 h-0012=1 h-0013=0 h-20261121-0007=1");
    /* details as an object, status falling back to type */
    CHECK_Q(&h, "SELECT event_type || '|' || agent || '|' || status || '|' || details FROM activity"
                " WHERE key = 'h-20261121-0008'",
            "handoff|dash|handoff|Revenue collector finished \xE2\x80\x94 {\"sources\":4,\"duration_s\":41}");
    /* no id: the key is the hash of the line's bytes */
    const char *l5 = "{\"ts\":\"2026-11-21T10:00:00Z\",\"from\":\"scout\",\"type\":\"note\","
                     "\"summary\":\"no id here\",\"extra\":{\"ignored\":true}}";
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT details FROM activity WHERE key = '%016llx'",
             (unsigned long long)hash64(l5, strlen(l5)));
    CHECK_Q(&h, sql, "no id here");
    /* epoch ms; non-UTF-8 and escape bytes are data, kept exactly */
    CHECK_Q(&h, "SELECT ts FROM activity WHERE key = 'h-0011'", "2025-11-21T10:00:00Z");
    CHECK_Q(&h, "SELECT details FROM activity WHERE key = 'h-0011'",
            "caf\xe9 \xff bytes \xE2\x80\x94 \x1b[31mred\x1b[0m and raw \x1b]0;title\x07");
    /* the resolution line is an event too; its agent is who resolved */
    CHECK_Q(&h, "SELECT agent FROM activity WHERE event_type = 'resolution'", "apple");
    /* bad lines counted, the last one named, the offset at the end */
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state WHERE source = 'handoffs'"), 2);
    char *cur = h_query(&h, "SELECT cursor FROM source_state WHERE source = 'handoffs'");
    CHECK_CONTAINS(cur, "\"bad_line\":7");
    CHECK_CONTAINS(cur, "not a JSON object");
    CHECK_CONTAINS(cur, "\"line\":12");
    free(cur);
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state WHERE source = 'handoffs'"), fsize(path));
    /* nothing new: nothing read */
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h.not_modified, 1);
    h_teardown(&h);
    free(path);
}

static void test_incremental(void)
{
    Harness h;
    char *path = h_fixture("handoffs.jsonl", "incr.jsonl");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    off_t first = fsize(path);
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state"), first);
    /* corrupt bytes already read: a re-read would show them */
    int fd = open(path, O_WRONLY);
    CHECK(pwrite(fd, "XXXXXX", 6, 106) == 6);   /* "Vercel" in line 1's summary */
    close(fd);
    Buf more = {0};
    for (int i = 0; i < 10; i++)
        buf_printf(&more, "{\"id\":\"n-%d\",\"type\":\"note\",\"summary\":\"new %d\"}\n", i, i);
    h_append(path, more.s);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(count(&h, "activity"), 18);
    CHECK_Q(&h, "SELECT description FROM blockers WHERE key = 'h-20261121-0007'", "Vercel token returns 403");
    CHECK_Q(&h, "SELECT details FROM activity WHERE key = 'n-9'", "new 9");
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state"), first + (off_t)more.len);
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 2);
    /* line numbers continue across reads */
    h_append(path, "not json\n");
    CHECK_INT(h_fetch(&h), 0);
    char *cur = h_query(&h, "SELECT cursor FROM source_state");
    CHECK_CONTAINS(cur, "\"bad_line\":23");
    CHECK_CONTAINS(cur, "invalid JSON");
    free(cur);
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 3);
    buf_free(&more);
    h_teardown(&h);
    free(path);
}

static void test_partial_last_line(void)
{
    Harness h;
    char *path = xasprintf("%s/partial.jsonl", t_tmpdir());
    const char *l1 = "{\"id\":\"a\",\"type\":\"note\",\"summary\":\"one\"}\n";
    h_write(path, l1, strlen(l1));
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    h_append(path, "{\"id\":\"p1\",\"type\":\"note\"");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(count(&h, "activity"), 1);
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state"), (long long)strlen(l1));
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 0);
    h_append(path, ",\"summary\":\"done\"}\r\n");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT details FROM activity WHERE key = 'p1'", "done");
    CHECK_INT(count(&h, "activity"), 2);
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 0);
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state"), fsize(path));
    /* no id and CRLF: the key hashes the line without its line ending */
    const char *noid = "{\"type\":\"note\",\"summary\":\"crlf\"}";
    char *crlf = xasprintf("%s\r\n", noid);
    h_append(path, crlf);
    CHECK_INT(h_fetch(&h), 0);
    char sql[120];
    snprintf(sql, sizeof sql, "SELECT details FROM activity WHERE key = '%016llx'",
             (unsigned long long)hash64(noid, strlen(noid)));
    CHECK_Q(&h, sql, "crlf");
    free(crlf);
    h_teardown(&h);
    free(path);
}

static void test_truncation_and_rewrite(void)
{
    Harness h;
    char *path = h_fixture("handoffs.jsonl", "trunc.jsonl");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(count(&h, "activity"), 8);
    /* truncated (copytruncate) and one short line written */
    const char *t1 = "{\"id\":\"t1\",\"type\":\"note\"}\n";
    h_write(path, t1, strlen(t1));
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(count(&h, "activity"), 1);
    CHECK_INT(count(&h, "blockers"), 0);
    CHECK_Q(&h, "SELECT key FROM activity", "t1");
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 0);
    /* rewritten in place (same inode) with more bytes than were read */
    Buf b = {0};
    for (int i = 0; i < 5; i++)
        buf_printf(&b, "{\"id\":\"w-%d\",\"type\":\"note\",\"summary\":\"rewritten line\"}\n", i);
    h_write(path, b.s, b.len);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(count(&h, "activity"), 5);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM activity WHERE key = 't1'"), 0);
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state"), (long long)b.len);
    char *cur = h_query(&h, "SELECT cursor FROM source_state");
    CHECK_CONTAINS(cur, "\"line\":5");
    free(cur);
    buf_free(&b);
    h_teardown(&h);
    free(path);
}

static void test_rotation(void)
{
    Harness h;
    char *path = h_fixture("handoffs.jsonl", "rot.jsonl");
    char *old = xasprintf("%s.1", path);
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(count(&h, "blockers"), 4);
    /* rename-replace, the new file longer than the old offset */
    CHECK(rename(path, old) == 0);
    Buf b = {0};
    for (int i = 0; i < 40; i++)
        buf_printf(&b, "{\"id\":\"r-%d\",\"type\":\"note\",\"summary\":\"after rotation\"}\n", i);
    h_write(path, b.s, b.len);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(count(&h, "activity"), 40);
    CHECK_INT(count(&h, "blockers"), 0);
    struct stat st;
    stat(path, &st);
    CHECK_INT(h_int(&h, "SELECT file_inode FROM source_state"), (long long)st.st_ino);
    buf_free(&b);
    h_teardown(&h);
    free(old);
    free(path);
}

static void test_huge_lines(void)
{
    Harness h;
    char *path = xasprintf("%s/huge.jsonl", t_tmpdir());
    Buf b = {0};
    buf_puts(&b, "{\"id\":\"ok1\",\"type\":\"note\"}\n{\"id\":\"big\",\"summary\":\"");
    for (int i = 0; i < 5 * 1024 * 1024 / 64; i++)      /* 5 MiB: longer than one read */
        buf_puts(&b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    buf_puts(&b, "\"}\n{\"id\":\"ok2\",\"type\":\"note\"}\n");
    h_write(path, b.s, b.len);
    if (setup(&h, path, "    max_line: 4KiB\n") != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(count(&h, "activity"), 2);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM activity WHERE key IN ('ok1', 'ok2')"), 2);
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 1);
    char *cur = h_query(&h, "SELECT cursor FROM source_state");
    CHECK_CONTAINS(cur, "\"bad_line\":2");
    CHECK_CONTAINS(cur, "longer than 4096 bytes");
    free(cur);
    /* an overlong line still being written waits like any partial line */
    off_t before = fsize(path);
    b.len = 0;
    for (int i = 0; i < 200; i++)
        buf_puts(&b, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
    h_append(path, b.s);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state"), before);
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 1);
    h_append(path, "\n{\"id\":\"ok3\",\"type\":\"note\"}\n");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 2);
    CHECK_INT(count(&h, "activity"), 3);
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state"), fsize(path));
    buf_free(&b);
    h_teardown(&h);
    free(path);
}

/* h_fetch with a deadline `ms` from now; *took gets the time the fetch took. */
static int fetch_within(Harness *h, int64_t ms, int64_t *took)
{
    SourceState st;
    char *err = NULL;
    memset(&st, 0, sizeof st);
    if (cache_state_get(h->cache, h->sc->id, &st, &err) != 0) {
        free(err);
        return -2;
    }
    FetchCtx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.cache = h->cache;
    ctx.config = h->cfg;
    ctx.src = h->sc;
    ctx.state = &st;
    ctx.now_ms = now_ms();
    int64_t t0 = mono_ms();
    ctx.deadline_ms = t0 + ms;
    int rc = h->sc->cls->fetch(h->rt, &ctx);
    *took = mono_ms() - t0;
    free(h->err);
    h->err = ctx.err;
    cache_state_clear(&st);
    return rc;
}

/* Skipping an over-long line honours the fetch deadline (issue 13: a 2 GB line
 * took 4.35 s with timeout 1s) and saves how far it got, so fetches go on from
 * there: 1 GB of one sparse line (no disk blocks), deadline 50 ms. */
static void test_overlong_line_deadline(void)
{
    Harness h;
    char *path = xasprintf("%s/sparse.jsonl", t_tmpdir());
    const int64_t big = (int64_t)1 << 30;
    h_write(path, "{\"id\":\"ok1\",\"type\":\"note\"}\n", 28);
    CHECK_INT(truncate(path, big), 0);
    h_append(path, "\n{\"id\":\"ok2\",\"type\":\"note\"}\n");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        unlink(path);
        free(path);
        return;
    }
    int64_t took = 0;
    int rc = fetch_within(&h, 50, &took);
    fprintf(stderr, "  first fetch: rc %d in %lld ms: %s\n", rc, (long long)took, h.err ? h.err : "");
    CHECK_INT(rc, -1);
    CHECK(took < 50 + 400);
    CHECK_CONTAINS(h.err, "timed out after");
    CHECK_CONTAINS(h.err, "skipping an over-long line at byte");
    CHECK_INT(count(&h, "activity"), 1);              /* the line before is kept */
    int64_t off = h_int(&h, "SELECT file_offset FROM source_state");
    CHECK(off > 28 && off < big);
    /* later fetches go on from the saved byte, never back to the line's start */
    int n = 0;
    while (rc != 0 && n++ < 200) {
        rc = fetch_within(&h, 2000, &took);
        int64_t now = h_int(&h, "SELECT file_offset FROM source_state");
        CHECK(now >= off);
        off = now;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(count(&h, "activity"), 2);
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 1);
    CHECK_INT(h_int(&h, "SELECT file_offset FROM source_state"), fsize(path));
    char *cur = h_query(&h, "SELECT cursor FROM source_state");
    CHECK_CONTAINS(cur, "\"bad_line\":2");
    CHECK(cur && !strstr(cur, "skipping"));
    free(cur);
    h_teardown(&h);
    unlink(path);
    free(path);
}

static void test_duplicate_after_resolution(void)
{
    Harness h;
    char *path = xasprintf("%s/dup.jsonl", t_tmpdir());
    const char *blk = "{\"id\":\"b1\",\"from\":\"max\",\"to\":\"apple\",\"action_needed\":true,\"summary\":\"s\"}\n";
    Buf b = {0};
    buf_puts(&b, blk);
    buf_puts(&b, "{\"type\":\"resolution\",\"ref\":\"b1\",\"by\":\"apple\",\"ts\":\"2026-11-21T11:00:00Z\"}\n");
    h_write(path, b.s, b.len);
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT resolved FROM blockers WHERE key = 'b1'", "1");
    h_append(path, blk);                             /* an agent wrote its line twice */
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT resolved || state FROM blockers WHERE key = 'b1'", "1resolved");
    buf_free(&b);
    h_teardown(&h);
    free(path);
}

/* The text after prefix_len in after: exactly one whole line? Returns it parsed. */
static cJSON *one_appended_line(const char *after, size_t after_len, size_t prefix_len)
{
    if (after_len <= prefix_len || after[after_len - 1] != '\n')
        return NULL;
    const char *line = after + prefix_len;
    size_t n = after_len - prefix_len - 1;
    if (memchr(line, '\n', n))
        return NULL;
    char *copy = xstrndup(line, n);
    cJSON *j = cJSON_Parse(copy);
    free(copy);
    return j;
}

static void test_resolve_appends_one_line(void)
{
    Harness h;
    char *path = h_fixture("handoffs.jsonl", "resolve.jsonl");
    char *msg = NULL;
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    size_t blen = 0, alen = 0;
    char *before = h_slurp(path, &blen);
    CHECK_INT(h_resolve(&h, "resolve", "h-0009", "rotated \"key\"", "idem-1", &msg), RESOLVE_OK);
    free(msg);
    char *after = h_slurp(path, &alen);
    CHECK(alen > blen && memcmp(before, after, blen) == 0);
    cJSON *j = one_appended_line(after, alen, blen);
    CHECK(j != NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "type")), "resolution");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "ref")), "h-0009");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "by")), "apple");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "note")), "rotated \"key\"");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "idempotency_key")), "idem-1");
    int64_t ts;
    CHECK(time_parse_iso(cJSON_GetStringValue(cJSON_GetObjectItem(j, "ts")), &ts) == 0);
    cJSON_Delete(j);
    /* a retry with the same idempotency key writes nothing */
    CHECK_INT(h_resolve(&h, "resolve", "h-0009", "again", "idem-1", NULL), RESOLVE_OK);
    CHECK_INT(fsize(path), (long long)alen);
    /* the source reads its own resolution back */
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT resolved || ' ' || resolved_by || ' ' || note FROM blockers WHERE key = 'h-0009'",
            "1 apple rotated \"key\"");
    /* a handoffs file cannot be un-resolved */
    CHECK_INT(h_resolve(&h, "unresolve", "h-0009", "", "idem-2", &msg), RESOLVE_UNSUPPORTED);
    CHECK(msg != NULL);
    free(msg);
    CHECK_INT(fsize(path), (long long)alen);
    free(before);
    free(after);
    h_teardown(&h);
    free(path);
}

static void test_resolve_after_torn_line(void)
{
    Harness h;
    char *path = xasprintf("%s/torn.jsonl", t_tmpdir());
    const char *text = "{\"id\":\"b2\",\"from\":\"max\",\"to\":\"apple\",\"action_needed\":true}\n{\"id\":\"torn";
    h_write(path, text, strlen(text));
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h_resolve(&h, "resolve", "b2", "n", "idem-t", NULL), RESOLVE_OK);
    size_t alen = 0;
    char *after = h_slurp(path, &alen);
    size_t tlen = strlen(text);
    CHECK(alen > tlen && memcmp(after, text, tlen) == 0);   /* their bytes untouched */
    CHECK(after[tlen] == '\n');
    cJSON *j = one_appended_line(after, alen, tlen + 1);
    CHECK(j != NULL);
    cJSON_Delete(j);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT resolved FROM blockers WHERE key = 'b2'", "1");
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 1);   /* the fragment */
    free(after);
    h_teardown(&h);
    free(path);
}

/* Another agent appending whole lines under the lock, as the contract says. */
static void child_appender(const char *path, int n)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    char line[200];
    for (int i = 0; i < n; i++) {
        int len = snprintf(line, sizeof line,
                           "{\"id\":\"c-%d\",\"type\":\"note\",\"from\":\"bot\",\"summary\":\"concurrent append %d\"}\n",
                           i, i);
        flock(fd, LOCK_EX);
        if (write(fd, line, (size_t)len) != len)
            _exit(3);
        flock(fd, LOCK_UN);
    }
    close(fd);
    _exit(0);
}

static void test_concurrent_appends(void)
{
    Harness h;
    char *path = xasprintf("%s/conc.jsonl", t_tmpdir());
    const char *l1 = "{\"id\":\"b3\",\"from\":\"max\",\"to\":\"apple\",\"action_needed\":true}\n";
    h_write(path, l1, strlen(l1));
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    pid_t pid = fork();
    if (pid == 0)
        child_appender(path, 10000);
    char idem[32];
    int ok = 0;
    for (int i = 0; i < 50; i++) {
        snprintf(idem, sizeof idem, "conc-%d", i);
        ok += h_resolve(&h, "resolve", "b3", "", idem, NULL) == RESOLVE_OK;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(ok, 50);
    size_t len = 0;
    char *all = h_slurp(path, &len);
    int lines = 0, parsed = 0, resolutions = 0;
    for (char *p = all, *nl; p < all + len && (nl = memchr(p, '\n', (size_t)(all + len - p))); p = nl + 1) {
        *nl = '\0';
        lines++;
        cJSON *j = cJSON_Parse(p);
        parsed += cJSON_IsObject(j);
        resolutions += cJSON_IsString(cJSON_GetObjectItem(j, "type")) &&
                       strcmp(cJSON_GetObjectItem(j, "type")->valuestring, "resolution") == 0;
        cJSON_Delete(j);
    }
    CHECK_INT(lines, 10051);
    CHECK_INT(parsed, 10051);
    CHECK_INT(resolutions, 50);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h_int(&h, "SELECT bad_lines FROM source_state"), 0);
    CHECK_INT(count(&h, "activity"), 10051);
    CHECK_Q(&h, "SELECT resolved FROM blockers WHERE key = 'b3'", "1");
    free(all);
    h_teardown(&h);
    free(path);
}

static void test_config_errors(void)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: h\n    kind: jsonl\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:2:5");
    CHECK_CONTAINS(err, "path");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: h\n    kind: jsonl\n    path: /x\n    max_line: lots\n",
                           &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:5:15");
    CHECK_CONTAINS(err, "max_line");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: h\n    kind: jsonl\n    path: /x\n    glob: '*'\n",
                           &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:5:5");
    free(err);
    /* a missing file is a fetch error that names it; nothing is written */
    Harness h;
    char *path = xasprintf("%s/absent.jsonl", t_tmpdir());
    if (setup(&h, path, NULL) == 0) {
        CHECK_INT(h_fetch(&h), -1);
        CHECK_CONTAINS(h.err, path);
        char *w = h.sc->cls->watch_path(h.sc);
        CHECK_STR(w, path);
        free(w);
        h_teardown(&h);
    }
    free(path);
}

/* Which handoffs are blockers, and which of them need the owner. */
static void test_blockers_for_the_owner(void)
{
    Harness h;
    const char *lines =
        "{\"id\":\"a1\",\"from\":\"max\",\"to\":\"apple\",\"type\":\"handoff\",\"action_needed\":true,\"summary\":\"s\"}\n"
        "{\"id\":\"a2\",\"from\":\"max\",\"to\":[\"atlas\",\"APPLE\"],\"action_needed\":true,\"summary\":\"s\"}\n"
        "{\"id\":\"a3\",\"from\":\"max\",\"to\":\"Apple\",\"type\":\"blocker\",\"summary\":\"no flag\"}\n"
        "{\"id\":\"b1\",\"from\":\"max\",\"to\":\"bob\",\"type\":\"blocker\",\"action_needed\":true,\"summary\":\"s\"}\n"
        "{\"id\":\"b2\",\"from\":\"max\",\"type\":\"blocker\",\"summary\":\"stuck, nobody named\"}\n"
        "{\"id\":\"n1\",\"from\":\"max\",\"to\":\"bob\",\"type\":\"handoff\",\"action_needed\":true,\"summary\":\"s\"}\n"
        "{\"id\":\"n2\",\"from\":\"max\",\"to\":\"apple\",\"type\":\"handoff\",\"action_needed\":false,\"summary\":\"fyi\"}\n"
        "{\"id\":\"n3\",\"from\":\"max\",\"to\":\"apple\",\"type\":\"note\",\"summary\":\"fyi\"}\n";
    const char *path = t_write("owner.jsonl", lines);
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT group_concat(key || '=' || for_owner, ' ') FROM (SELECT key, for_owner"
                " FROM blockers ORDER BY key)",
            "a1=1 a2=1 a3=1 b1=0 b2=0");
    CHECK_INT(count(&h, "activity"), 8);
    h_teardown(&h);
    /* the owner is configuration: for bob, bob's items need him */
    char *y = xasprintf("owner: Bob\nsources:\n  - id: handoffs\n    kind: jsonl\n    path: %s\n", path);
    if (h_setup(&h, y) == 0) {
        CHECK_INT(h_fetch(&h), 0);
        CHECK_Q(&h, "SELECT group_concat(key || '=' || for_owner, ' ') FROM (SELECT key, for_owner"
                    " FROM blockers ORDER BY key)",
                "a3=0 b1=1 b2=0 n1=1");
        h_teardown(&h);
    }
    free(y);
}

int main(void)
{
    RUN(test_drift_fixture);
    RUN(test_incremental);
    RUN(test_partial_last_line);
    RUN(test_truncation_and_rewrite);
    RUN(test_rotation);
    RUN(test_huge_lines);
    RUN(test_overlong_line_deadline);
    RUN(test_duplicate_after_resolution);
    RUN(test_resolve_appends_one_line);
    RUN(test_resolve_after_torn_line);
    RUN(test_concurrent_appends);
    RUN(test_config_errors);
    RUN(test_blockers_for_the_owner);
    return t_done();
}

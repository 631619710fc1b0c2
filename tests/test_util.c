/* test_util.c — durations, UTC time parsing and formatting, path and
 * ${ENV} expansion, atomic writes (content, mode, no temp left), secret
 * files, JSON string escaping and the checked integer parser. */
#include "thelp.h"

#include <dirent.h>
#include <link.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "../src/util.h"
#include "../src/sha256.h"

static void test_durations(void)
{
    int64_t ms = -1;
    CHECK_INT(duration_parse("500ms", &ms), 0);
    CHECK_INT(ms, 500);
    CHECK_INT(duration_parse("30s", &ms), 0);
    CHECK_INT(ms, 30000);
    CHECK_INT(duration_parse("5m", &ms), 0);
    CHECK_INT(ms, 300000);
    CHECK_INT(duration_parse("1h", &ms), 0);
    CHECK_INT(ms, 3600000);
    CHECK_INT(duration_parse("2d", &ms), 0);
    CHECK_INT(ms, 172800000);
    CHECK_INT(duration_parse("1.5s", &ms), 0);
    CHECK_INT(ms, 1500);
    CHECK_INT(duration_parse("45", &ms), 0);   /* bare number: seconds */
    CHECK_INT(ms, 45000);
    CHECK_INT(duration_parse("0s", &ms), 0);
    CHECK_INT(ms, 0);
    const char *bad[] = {"", "soon", "5 minutes", "-1s", "5x", "m5", "1e400s", "s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(duration_parse(bad[i], &ms), -1);
}

static void test_time(void)
{
    int64_t t = 0;
    CHECK_INT(time_parse_iso("2026-11-21T14:03:00Z", &t), 0);
    CHECK_INT(t, 1795269780000LL);
    CHECK_INT(time_parse_iso("2026-11-21T16:03:00+02:00", &t), 0);
    CHECK_INT(t, 1795269780000LL);
    CHECK_INT(time_parse_iso("2026-11-21 14:03:00.250+00", &t), 0);
    CHECK_INT(t, 1795269780250LL);
    CHECK_INT(time_parse_iso("2026-11-21T09:03:00-0500", &t), 0);
    CHECK_INT(t, 1795269780000LL);
    CHECK_INT(time_parse_iso("2026-11-21", &t), 0);
    CHECK_INT(t, 1795219200000LL);
    CHECK_INT(time_parse_iso("2024-02-29T00:00:00Z", &t), 0);
    CHECK_INT(time_parse_iso("1969-12-31T23:59:59Z", &t), 0);
    CHECK_INT(t, -1000);
    const char *bad[] = {"", "yesterday", "2026-13-01", "2026-11-21T25:00:00Z", "2026-11-21T14:03Zjunk",
                         "2026/11/21", "2026-11-21T14", "1795269780"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(time_parse_iso(bad[i], &t), -1);
    CHECK_INT(time_from_number(1795269780), 1795269780000LL);       /* epoch s */
    CHECK_INT(time_from_number(1795269780123.0), 1795269780123LL);  /* epoch ms */
    char iso[40];
    time_format_iso(1795269780999LL, iso, sizeof iso);
    CHECK_STR(iso, "2026-11-21T14:03:00Z");
    time_format_iso(-1000, iso, sizeof iso);
    CHECK_STR(iso, "1969-12-31T23:59:59Z");
    /* round trip over a range of instants */
    for (int64_t s = 0; s < 4000000000LL; s += 86399 * 37) {
        time_format_iso(s * 1000, iso, sizeof iso);
        CHECK(time_parse_iso(iso, &t) == 0 && t == s * 1000);
    }
    char age[16];
    time_format_age(2000, age, sizeof age);
    CHECK_STR(age, "now");
    time_format_age(42000, age, sizeof age);
    CHECK_STR(age, "42s");
    time_format_age(5 * 60000 + 10, age, sizeof age);
    CHECK_STR(age, "5m");
    time_format_age(3 * 3600000LL, age, sizeof age);
    CHECK_STR(age, "3h");
    time_format_age(2 * 86400000LL, age, sizeof age);
    CHECK_STR(age, "2d");
    time_format_age(35 * 86400000LL, age, sizeof age);
    CHECK_STR(age, "5w");
}

static void test_paths(void)
{
    char *err = NULL;
    setenv("HOME", "/home/apple", 1);
    setenv("MC_T_DIR", "data", 1);
    char *p = path_expand("~/x/${MC_T_DIR}/y.jsonl", &err);
    CHECK_STR(p, "/home/apple/x/data/y.jsonl");
    free(p);
    p = path_expand("/abs/~notme", &err);
    CHECK_STR(p, "/abs/~notme");
    free(p);
    unsetenv("MC_T_UNSET");
    CHECK(path_expand("${MC_T_UNSET}/x", &err) == NULL);
    CHECK_CONTAINS(err, "MC_T_UNSET is not set");
    CHECK(path_expand("${unterminated", &err) == NULL);
    free(err);
    char *x = xdg_path("MC_T_XDG", ".cache", "cache.db");
    CHECK_STR(x, "/home/apple/.cache/mission-control/cache.db");
    free(x);
    setenv("MC_T_XDG", "/xdg", 1);
    x = xdg_path("MC_T_XDG", ".cache", "cache.db");
    CHECK_STR(x, "/xdg/mission-control/cache.db");
    free(x);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_atomic_write(void)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/aw", t_tmpdir());
    CHECK_INT(mkdir_p(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/notes.md", dir);
    char *err = NULL;
    CHECK_INT(file_write_atomic(path, "one\n", 4, 0640, &err), 0);
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 07777, 0640);
    chmod(path, 0604);
    CHECK_INT(file_write_atomic(path, "two\r\n", 5, 0600, &err), 0);   /* keeps the file's mode */
    stat(path, &st);
    CHECK_INT(st.st_mode & 07777, 0604);
    char *data = NULL;
    size_t len = 0;
    CHECK_INT(file_read_all(path, 100, &data, &len, &err), 0);
    CHECK_INT(len, 5);
    CHECK_STR(data, "two\r\n");
    free(data);
    CHECK_INT(count_entries(dir), 1);                                  /* no temp file left */
    CHECK_INT(file_read_all(path, 3, &data, &len, &err), -1);          /* over the cap */
    CHECK_CONTAINS(err, "larger than 3 bytes");
    char missing[700];
    snprintf(missing, sizeof missing, "%s/nope/x", dir);
    CHECK_INT(file_write_atomic(missing, "x", 1, 0600, &err), -1);
    CHECK_CONTAINS(err, "nope");
    free(err);
}

static void test_json_and_numbers(void)
{
    Buf b = {0};
    buf_json_string(&b, "a\"b\\c\n\t\x01\xff ok \xe2\x9c\x93", 1);
    CHECK_STR(b.s, "\"a\\\"b\\\\c\\n\\t\\u0001\\ufffd ok \xe2\x9c\x93\"");
    buf_free(&b);
    buf_printf(&b, "%d-%s", 42, "x");
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "%s", "0123456789");
    CHECK_INT(b.len, 4 + 1000);
    CHECK(strncmp(b.s, "42-x0123", 8) == 0);
    char *st = buf_steal(&b);
    CHECK_INT(strlen(st), 1004);
    free(st);
    long v;
    CHECK_INT(parse_long("42", 0, 100, &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(parse_long("101", 0, 100, &v), -1);
    CHECK_INT(parse_long("4x", 0, 100, &v), -1);
    CHECK_INT(parse_long("", 0, 100, &v), -1);
    CHECK(hash64("abc", 3) == hash64("abc", 3) && hash64("abc", 3) != hash64("abd", 3));
}

/* xgrow: room for element n, new elements zeroed, content kept */
static void test_grow(void)
{
    int cap = 0;
    long *v = xgrow(NULL, 0, &cap, sizeof *v);
    CHECK_INT(cap, 16);
    CHECK(v[15] == 0);
    for (int n = 0; n < 100; n++) {
        v = xgrow(v, n, &cap, sizeof *v);
        CHECK(v[n] == 0);
        v[n] = n + 1;
    }
    CHECK_INT(cap, 128);
    CHECK(v[0] == 1 && v[99] == 100 && v[100] == 0 && v[127] == 0);
    free(v);
}

/* Thread-local storage of the core is small: every thread zeroes all of it
 * when it starts (a 64 KB __thread buffer in sha256_file cost 64 KB of RSS
 * in each of the dashboard's threads; issue 13). This binary links the
 * whole core, so its PT_TLS is the core's. */
static int tls_size(struct dl_phdr_info *info, size_t size, void *data)
{
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_TLS)
            *(size_t *)data = info->dlpi_phdr[i].p_memsz;
    return 1;   /* the first object is the program itself */
}

/* file_read_all reads into a buffer sized from fstat: the cap is exact at
 * both sides of it, an empty file is "", and content comes back whole */
static void test_read_cap(void)
{
    char big[5000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    big[sizeof big - 1] = '\0';
    const char *path = t_write("cap.txt", big);          /* 4999 bytes */
    char *text = NULL, *err = NULL;
    size_t len = 0;
    CHECK_INT(file_read_all(path, 4999, &text, &len, &err), 0);
    CHECK_INT(len, 4999);
    CHECK(text && !strcmp(text, big));
    free(text);
    text = NULL;
    CHECK_INT(file_read_all(path, 4998, &text, &len, &err), -1);
    CHECK_CONTAINS(err, "larger than 4998 bytes");
    free(err);
    err = NULL;
    CHECK_INT(file_read_all(path, 1, &text, &len, &err), -1);   /* cap below the first read */
    free(err);
    err = NULL;
    path = t_write("empty.txt", "");
    CHECK_INT(file_read_all(path, 100, &text, &len, &err), 0);
    CHECK(text && len == 0 && text[0] == '\0');
    free(text);
}

static void test_small_tls(void)
{
    size_t tls = 0;
    dl_iterate_phdr(tls_size, &tls);
    CHECK(tls < 4096);
    char out[65];
    char *err = NULL;
    const char *path = t_write("sha.txt", "abc");
    CHECK_INT(sha256_file(path, out, &err), 0);   /* and the hash still works */
    CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    free(err);
}

int main(void)
{
    RUN(test_durations);
    RUN(test_time);
    RUN(test_paths);
    RUN(test_atomic_write);
    RUN(test_json_and_numbers);
    RUN(test_grow);
    RUN(test_small_tls);
    RUN(test_read_cap);
    return t_done();
}

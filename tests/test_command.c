/* test_command.c — the command source kind: JSON from stdout into the cache,
 * argv without a shell (metacharacters stay literal), shell/env/cwd, the
 * minimal environment (PATH, HOME, LANG, LC_*, TZ and what env: lists), the
 * deadline killing the whole process group (grandchildren included, even
 * ones that ignore SIGTERM), exit codes with the stderr tail, garbage and
 * oversize output, descriptors not leaking into the child. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "thelp.h"
#include "cache.h"
#include "config.h"
#include "source.h"
#include "util.h"

static Cache *cache;
static char fixdir[512];

/* A config whose only source is the given YAML (indented under sources:). */
static Config *load(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *src = xvasprintf(fmt, ap);
    va_end(ap);
    char *text = xasprintf("sources:\n%s", src);
    Config *cfg = NULL;
    char *err = NULL;
    if (config_load_text("t.yaml", text, &cfg, &err) < 0) {
        fprintf(stderr, "config: %s\n%s\n", err, text);
        exit(1);
    }
    free(text);
    free(src);
    return cfg;
}

static char *load_error(const char *text)
{
    return t_config_error(text);
}

/* Runs one fetch of the config's first source; returns rc, *err (caller frees). */
static int run(const Config *cfg, int64_t timeout_ms, int cancel_now, char **err)
{
    TFetch r = t_fetch(cache, cfg, timeout_ms, 0, cancel_now);
    *err = r.err;
    return r.rc;
}

static int64_t count(const char *source)
{
    return cache_count(cache, dataset_find("projects"), source);
}

static int has_key(const char *source, const char *key)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(cache_db(cache), "SELECT 1 FROM projects WHERE source = ?1 AND key = ?2",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    return found;
}

/* A process is gone when /proc has no entry for it or it is a zombie
 * waiting for a reaper that is not us. */
static int process_gone(long pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

static long read_pid(const char *path)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    long pid = -1;
    if (file_read_all(path, 64, &text, &len, &err) == 0) {
        while (len && (text[len - 1] == '\n'))
            text[--len] = 0;
        if (parse_long(text, 1, 1L << 30, &pid) < 0)
            pid = -1;
    }
    free(text);
    free(err);
    return pid;
}

static void test_argv_json(void)
{
    char *flag = xasprintf("%s/pwned", t_tmpdir());
    Config *cfg = load("- id: args\n  kind: command\n  feeds: projects\n"
                       "  argv: [python3, %s/argjson.py, 'a;b', '$(touch %s)', '*', '| cat']\n"
                       "  fields: {key: id, name: n}\n", fixdir, flag);
    char *err = NULL;
    CHECK_INT(run(cfg, 10000, 0, &err), 0);
    CHECK(err == NULL);
    CHECK_INT(count("args"), 4);
    CHECK(has_key("args", "a;b"));
    CHECK(has_key("args", "*"));
    CHECK(has_key("args", "| cat"));
    char *lit = xasprintf("$(touch %s)", flag);
    CHECK(has_key("args", lit));
    CHECK(access(flag, F_OK) != 0);                 /* nothing ran the substitution */
    free(lit);
    free(err);
    config_free(cfg);

    /* a plain command string is split into words, quotes respected, no shell */
    cfg = load("- id: words\n  kind: command\n  feeds: projects\n"
               "  command: \"python3 %s/argjson.py 'x y' \\\"q \\\\\\\" z\\\" w\"\n"
               "  fields: {key: id}\n", fixdir);
    CHECK_INT(run(cfg, 10000, 0, &err), 0);
    CHECK_INT(count("words"), 3);
    CHECK(has_key("words", "x y"));
    CHECK(has_key("words", "q \" z"));
    CHECK(has_key("words", "w"));
    free(err);
    config_free(cfg);
    free(flag);
}

static void test_shell_env_cwd(void)
{
    char *sub = xasprintf("%s/workdir", t_tmpdir());
    mkdir(sub, 0700);
    Config *cfg = load("- id: sh\n  kind: command\n  feeds: projects\n  shell: true\n"
                       "  command: printf '[{\"id\":\"%%s\",\"name\":\"%%s\"}]' \"$MC_T_VAR\" \"${PWD##*/}\"\n"
                       "  env: {MC_T_VAR: from-env}\n  cwd: %s\n  fields: {key: id, name: name}\n", sub);
    char *err = NULL;
    CHECK_INT(run(cfg, 10000, 0, &err), 0);
    CHECK(err == NULL);
    CHECK(has_key("sh", "from-env"));
    sqlite3_stmt *st;
    sqlite3_prepare_v2(cache_db(cache), "SELECT name FROM projects WHERE source = 'sh'", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), "workdir");
    sqlite3_finalize(st);
    free(err);
    config_free(cfg);
    free(sub);

    /* the source's rows are replaced by the next successful run */
    cfg = load("- id: sh\n  kind: command\n  feeds: projects\n  argv: [echo, '[{\"id\": \"only\"}]']\n"
               "  fields: {key: id}\n");
    CHECK_INT(run(cfg, 10000, 0, &err), 0);
    CHECK_INT(count("sh"), 1);
    CHECK(has_key("sh", "only"));
    free(err);
    config_free(cfg);
}

/* The value the child saw for NAME (static buffer), or NULL when not set. */
static const char *env_seen(const char *source, const char *name)
{
    static char buf[256];
    sqlite3_stmt *st;
    const char *v = NULL;
    if (sqlite3_prepare_v2(cache_db(cache), "SELECT name FROM projects WHERE source = ?1 AND key = ?2",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(buf, sizeof buf, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
            v = buf;
        }
        sqlite3_finalize(st);
    }
    return v;
}

/* The child gets PATH, HOME, LANG, LC_*, TZ and what `env:` lists, never the
 * rest of mc's environment (other sources' tokens live there). */
static void test_minimal_env(void)
{
    setenv("MC_T_SECRET", "hunter2-not-for-children", 1);
    setenv("MC_T_PASS", "passed-through", 1);
    setenv("MC_T_PASS2", "passed-too", 1);
    setenv("LC_TIME", "C", 1);
    setenv("TZ", "UTC", 1);
    static const char *const forms[] = {
        "",                                                        /* no env: */
        "  env: [MC_T_PASS, {MC_T_SET: set-here}, MC_T_UNSET_X]\n", /* list of names and NAME: value */
        "  env:\n    MC_T_SET: set-here\n    MC_T_PASS: ~\n    MC_T_PASS2:\n", /* map; null = pass */
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(forms); i++) {
        Config *cfg = load("- id: envt\n  kind: command\n  feeds: projects\n"
                           "  argv: [python3, %s/envjson.py]\n%s  fields: {key: id, name: name}\n",
                           fixdir, forms[i]);
        char *err = NULL;
        CHECK_INT(run(cfg, 10000, 0, &err), 0);
        CHECK(err == NULL);
        CHECK(env_seen("envt", "MC_T_SECRET") == NULL);
        CHECK(env_seen("envt", "PATH") != NULL);
        CHECK_STR(env_seen("envt", "HOME"), getenv("HOME"));
        CHECK_STR(env_seen("envt", "LC_TIME"), "C");
        CHECK_STR(env_seen("envt", "TZ"), "UTC");
        if (i == 0) {
            CHECK(env_seen("envt", "MC_T_PASS") == NULL);
            CHECK(env_seen("envt", "MC_T_SET") == NULL);
        } else {
            CHECK_STR(env_seen("envt", "MC_T_PASS"), "passed-through");
            CHECK_STR(env_seen("envt", "MC_T_SET"), "set-here");
            CHECK(env_seen("envt", "MC_T_UNSET_X") == NULL);
        }
        if (i == 2)
            CHECK_STR(env_seen("envt", "MC_T_PASS2"), "passed-too");
        free(err);
        config_free(cfg);
    }
    unsetenv("MC_T_SECRET");
    unsetenv("MC_T_PASS");
    unsetenv("MC_T_PASS2");
}

static void test_timeout_kills_group(void)
{
    static const char *const variants[] = {
        "sleep 30 & echo $! > %s; wait",
        /* both the shell and the grandchild ignore SIGTERM: SIGKILL follows */
        "trap '' TERM; sleep 30 & echo $! > %s; wait; wait",
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(variants); i++) {
        char *pidfile = xasprintf("%s/grandchild%zu.pid", t_tmpdir(), i);
        char *cmd = xasprintf(variants[i], pidfile);
        Config *cfg = load("- id: slow\n  kind: command\n  feeds: projects\n  shell: true\n"
                           "  command: \"%s\"\n  fields: {key: id}\n", cmd);
        char *err = NULL;
        CHECK_INT(run(cfg, 500, 0, &err), -1);
        CHECK_STR(err, "timed out after 0.5s");
        long pid = read_pid(pidfile);
        CHECK(pid > 0);
        CHECK(pid > 0 && process_gone(pid));
        if (pid > 0 && !process_gone(pid))
            kill((pid_t)pid, SIGKILL);
        free(err);
        free(cmd);
        free(pidfile);
        config_free(cfg);
    }
}

/* Issue 13: a grandchild that calls setsid leaves the process group, so
 * kill(-pgid) misses it; the timeout must still kill every descendant. */
static void test_timeout_kills_setsid_grandchild(void)
{
    char *pidfile = xasprintf("%s/setsid.pid", t_tmpdir());
    char *cmd = xasprintf("setsid sleep 300 & echo $! > %s; sleep 300", pidfile);
    Config *cfg = load("- id: escapee\n  kind: command\n  feeds: projects\n  shell: true\n"
                       "  command: \"%s\"\n  fields: {key: id}\n", cmd);
    char *err = NULL;
    CHECK_INT(run(cfg, 200, 0, &err), -1);
    CHECK_STR(err, "timed out after 0.2s");
    long pid = read_pid(pidfile);
    CHECK(pid > 0);
    int64_t until = mono_ms() + 2000;                 /* poll: no fixed sleep */
    while (pid > 0 && !process_gone(pid) && mono_ms() < until)
        nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
    CHECK(pid > 0 && process_gone(pid));
    if (pid > 0 && !process_gone(pid))
        kill((pid_t)pid, SIGKILL);
    unlink(pidfile);
    free(err);
    free(cmd);
    free(pidfile);
    config_free(cfg);
}

static void test_cancel_and_leftovers(void)
{
    char *err = NULL;
    Config *cfg = load("- id: c\n  kind: command\n  feeds: projects\n  argv: [sleep, '30']\n"
                       "  fields: {key: id}\n");
    CHECK_INT(run(cfg, 10000, 1, &err), -1);
    CHECK_STR(err, "cancelled");
    free(err);
    config_free(cfg);

    /* the command exits but leaves a child holding stdout: the output counts,
     * the leftover is killed and the fetch does not wait for the deadline */
    char *pidfile = xasprintf("%s/leftover.pid", t_tmpdir());
    cfg = load("- id: bg\n  kind: command\n  feeds: projects\n  shell: true\n"
               "  command: \"echo '[{\\\"id\\\": \\\"bg\\\"}]'; sleep 30 & echo $! > %s\"\n"
               "  fields: {key: id}\n", pidfile);
    CHECK_INT(run(cfg, 20000, 0, &err), 0);
    CHECK(err == NULL);
    CHECK(has_key("bg", "bg"));
    long pid = read_pid(pidfile);
    CHECK(pid > 0 && process_gone(pid));
    free(err);
    free(pidfile);
    config_free(cfg);
}

static char *fail_of(const char *source_yaml)
{
    Config *cfg = load("- id: f\n  kind: command\n  feeds: projects\n  fields: {key: id}\n%s", source_yaml);
    char *err = NULL;
    CHECK_INT(run(cfg, 10000, 0, &err), -1);
    config_free(cfg);
    return err;
}

static void test_failures(void)
{
    char *e = fail_of("  shell: true\n  command: \"echo '[]'; echo 'first line' >&2; "
                      "printf 'boom: \\\\033[31mdisk full\\\\n' >&2; exit 3\"\n");
    CHECK_STR(e, "exit 3: first line boom: [31mdisk full");
    free(e);
    e = fail_of("  argv: ['false']\n");
    CHECK_STR(e, "exit 1 (nothing on stderr)");
    free(e);
    e = fail_of("  shell: true\n  command: 'kill -9 $$'\n");
    CHECK_CONTAINS(e, "killed by signal 9");
    free(e);
    e = fail_of("  argv: [echo, 'this is not json']\n");
    CHECK_STR(e, "malformed JSON from 'echo' at byte 0: near 'this is not json'");
    free(e);
    e = fail_of("  argv: [echo, '[{\"id\": 1}] trailing']\n");
    CHECK_CONTAINS(e, "malformed JSON from 'echo' at byte 12");
    free(e);
    e = fail_of("  argv: [cat]\n");                         /* stdin is /dev/null */
    CHECK_STR(e, "no output from 'cat'");
    free(e);
    e = fail_of("  argv: [/nonexistent/prog]\n");
    CHECK_STR(e, "cannot run '/nonexistent/prog': not found or not executable");
    free(e);
    e = fail_of("  argv: [mc-no-such-program-anywhere]\n");
    CHECK_CONTAINS(e, "cannot run 'mc-no-such-program-anywhere'");
    free(e);
    e = fail_of("  argv: [echo, '{\"other\": []}']\n  items: $.items[*]\n");
    CHECK_CONTAINS(e, "output of 'echo': items path '$.items[*]' found nothing");
    free(e);
    /* output past max_bytes stops the command, even one that never ends */
    e = fail_of("  argv: ['yes']\n  max_bytes: 1000\n");
    CHECK_STR(e, "output larger than 1000 bytes");
    free(e);
    /* a long stderr keeps its end */
    e = fail_of("  shell: true\n  command: \"i=0; while [ $i -lt 300 ]; do echo line$i >&2; i=$((i+1)); done; exit 2\"\n");
    CHECK_CONTAINS(e, "exit 2: ...");
    CHECK_CONTAINS(e, "line298 line299");
    CHECK(e && strlen(e) < 330);
    free(e);
}

static void test_no_fd_leak(void)
{
    int fd = open("/dev/null", O_RDONLY);              /* deliberately not close-on-exec */
    int high = fcntl(fd, F_DUPFD, 57);
    close(fd);
    CHECK_INT(high, 57);
    Config *cfg = load("- id: fd\n  kind: command\n  feeds: projects\n  shell: true\n"
                       "  command: \"if [ -e /proc/$$/fd/57 ]; then echo '[{\\\"id\\\":\\\"leak\\\"}]';"
                       " else echo '[{\\\"id\\\":\\\"closed\\\"}]'; fi\"\n  fields: {key: id}\n");
    char *err = NULL;
    CHECK_INT(run(cfg, 10000, 0, &err), 0);
    CHECK(has_key("fd", "closed"));
    CHECK(!has_key("fd", "leak"));
    free(err);
    config_free(cfg);
    close(high);
}

static void test_config_errors(void)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"- id: a\n  kind: command\n  argv: [x]\n", "needs 'feeds:'"},
        {"- id: a\n  kind: command\n  feeds: projects\n", "needs 'command' or 'argv'"},
        {"- id: a\n  kind: command\n  feeds: projects\n  command: x\n  argv: [x]\n", "not both"},
        {"- id: a\n  kind: command\n  feeds: projects\n  shell: true\n  argv: [x]\n", "not 'argv'"},
        {"- id: a\n  kind: command\n  feeds: projects\n  command: 'ls | wc'\n", "t.yaml:5:12: command: '|' needs a shell"},
        {"- id: a\n  kind: command\n  feeds: projects\n  command: \"echo 'x\"\n", "unterminated"},
        {"- id: a\n  kind: command\n  feeds: projects\n  argv: [x]\n  env: {1BAD: x}\n", "not a valid variable name"},
        {"- id: a\n  kind: command\n  feeds: projects\n  argv: [x]\n  env: [OK, 2BAD]\n", "t.yaml:6:13: env: '2BAD' is not a valid variable name"},
        {"- id: a\n  kind: command\n  feeds: projects\n  argv: [x]\n  env: [{A: x, B: y}]\n", "one NAME: value"},
        {"- id: a\n  kind: command\n  feeds: projects\n  argv: [x]\n  env: [[A]]\n", "env:"},
        {"- id: a\n  kind: command\n  feeds: projects\n  argv: [x]\n  env: PATH\n", "env:"},
        {"- id: a\n  kind: command\n  feeds: projects\n  argv: [x]\n  max_bytes: 0\n", "out of range"},
        {"- id: a\n  kind: command\n  feeds: projects\n  argv: [x]\n  timeout_s: 3\n", "unknown key 'timeout_s'"},
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(cases); i++) {
        char *e = load_error(cases[i].yaml);
        CHECK_CONTAINS(e, cases[i].want);
        free(e);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const char *dir = getenv("MC_TESTS_DIR");
    snprintf(fixdir, sizeof fixdir, "%s/fixtures/net", dir ? dir : "tests");
    char *path = xasprintf("%s/cache.db", t_tmpdir()), *err = NULL;
    if (cache_open(path, &cache, NULL, &err) < 0) {
        fprintf(stderr, "cache_open: %s\n", err);
        return 1;
    }
    free(path);
    RUN(test_argv_json);
    RUN(test_shell_env_cwd);
    RUN(test_minimal_env);
    RUN(test_timeout_kills_group);
    RUN(test_timeout_kills_setsid_grandchild);
    RUN(test_cancel_and_leftovers);
    RUN(test_failures);
    RUN(test_no_fd_leak);
    RUN(test_config_errors);
    cache_close(cache);
    return t_done();
}

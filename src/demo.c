/* demo.c — `mc --demo`: a private directory of sample files (demo_files.c)
 * that look like an ops box a few days into a busy week, and a config whose
 * sources read them plus this machine's real health through the `system`
 * kind. The files use the formats of mc.1 "FILE FORMATS", so the demo runs
 * through exactly the same sources, cache and widgets as a real setup;
 * demo_sim.c keeps it alive while you watch. Its layouts (what `S` saves)
 * stay in that directory too, never in the user's layouts_dir. */
#include "demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "demo_data.h"
#include "util.h"

/* A path that can stand inside a double-quoted YAML string of the config
 * as it is: no controls, quotes, backslashes, and no ${ expansion. */
static int yaml_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' || *s == '\\' || *s == '$')
            return 0;
    return 1;
}

/* Creates (or checks) the private demo directory: ours, a real directory, 0700. */
static char *demo_dir(char **err)
{
    const char *base = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (!base || base[0] != '/' || !yaml_safe(base) || stat(base, &st) != 0 || !S_ISDIR(st.st_mode) ||
        access(base, W_OK) != 0)
        base = "/tmp";
    char *dir = xasprintf("%s/mc-demo-%u", base, (unsigned)getuid());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        set_err(err, "demo directory %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
        set_err(err, "demo directory %s is not a directory owned by you; remove it and retry", dir);
        free(dir);
        return NULL;
    }
    if ((st.st_mode & 077) && chmod(dir, 0700) != 0) {
        set_err(err, "demo directory %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

/* The name of a running process for the process probes: this one, then PID 1. */
static void comm_of(const char *pid, const char *fallback, char *out, size_t n)
{
    char path[64], *text = NULL, *e = NULL;
    snprintf(path, sizeof path, "/proc/%s/comm", pid);
    snprintf(out, n, "%s", fallback);
    if (file_read_all(path, 256, &text, NULL, &e) == 0) {
        text[strcspn(text, "\n")] = '\0';
        /* only names that go into a YAML string as they are */
        if (text[0] && strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+:@ ") ==
                           strlen(text))
            snprintf(out, n, "%s", text);
    }
    free(text);
    free(e);
}

static const char demo_config_fmt[] =
    "# mc --demo: sample files in %1$s plus this machine's real health.\n"
    "owner: Apple\n"
    "user: apple\n"
    "cache: \"%1$s/cache.db\"\n"
    "layout: default\n"
    "layouts_dir: \"%1$s/layouts\"\n"
    "retention:\n"
    "  system: {rows: 2000}\n"
    "  activity: {rows: 5000}\n"
    "prices:\n"
    "  opus-4.6: {input: 15.00, output: 75.00, cache_read: 1.50, cache_write: 18.75}\n"
    "  sonnet-4.5: {input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75}\n"
    "  haiku-3.5: {input: 0.25, output: 1.25, cache_read: 0.03, cache_write: 0.30}\n"
    "sources:\n"
    "  - id: handoffs\n"
    "    kind: jsonl\n"
    "    path: \"%1$s/handoffs.jsonl\"\n"
    "    every: 10s\n"
    "  - id: pending\n"
    "    kind: markdown_tasks\n"
    "    path: \"%1$s/pending-work.md\"\n"
    "  - id: projects\n"
    "    kind: json_file\n"
    "    path: \"%1$s/projects.json\"\n"
    "    feeds: projects\n"
    "  - id: agents\n"
    "    kind: json_file\n"
    "    path: \"%1$s/agents/*/state.json\"\n"
    "    feeds: agents\n"
    "    every: 10s\n"
    "    fields: {tokens_today: tokens_today, cost_today_usd: cost_today_usd}\n"
    "  - id: revenue\n"
    "    kind: json_file\n"
    "    path: \"%1$s/revenue.json\"\n"
    "    feeds: revenue\n"
    "  - id: usage\n"
    "    kind: json_file\n"
    "    path: \"%1$s/usage.json\"\n"
    "    feeds: usage\n"
    "    fields:\n"
    "      key: id\n"
    "      agent_id: agent_id\n"
    "      date: date\n"
    "      model: model\n"
    "      input_tokens: input_tokens\n"
    "      output_tokens: output_tokens\n"
    "      cache_read_tokens: cache_read_tokens\n"
    "      cache_write_tokens: cache_write_tokens\n"
    "      total_cost_usd: total_cost\n"
    "      message_count: message_count\n"
    "  - id: crons\n"
    "    kind: cron_logs\n"
    "    path: \"%1$s/cron_logs\"\n"
    "    hung_after: 1h\n"
    "    schedules:\n"
    "%2$s"
    "  - id: host\n"
    "    kind: system\n"
    "    every: 5s\n"
    "    disks: [/]\n"
    "    services:\n"
    "      - {name: mc, process: \"%3$s\"}\n"
    "      - {name: init, process: \"%4$s\"}\n"
    "      - {name: postgres, tcp: \"127.0.0.1:1\"}\n"
    "widgets:\n"
    "  - {type: revenue, goal_usd: 500000}\n"
    "  - {type: blockers}\n"
    "  - {type: agents}\n"
    "  - {type: cron}\n"
    "  - {type: health, warn_pct: 80, crit_pct: 90}\n"
    "  - {type: activity}\n"
    "  - {type: projects}\n"
    "  - {type: stats}\n"
    "  - {type: alerts}\n";

static char *demo_config(const char *dir)
{
    Buf sched = {0};
    demo_cron_schedules(&sched);
    char self[64], init[64];
    comm_of("self", "mc", self, sizeof self);
    comm_of("1", "init", init, sizeof init);
    char *text = xasprintf(demo_config_fmt, dir, sched.s, self, init);
    buf_free(&sched);
    return text;
}

/* The sample files' times are relative to when they were written (demo_sim
 * keeps them moving while the demo runs), so they are written again when one
 * is missing or the stamp is over an hour old, not on every start: a start
 * that finds them fresh has nothing new for its sources to read, and its
 * first frame comes as quickly as a real config's. */
#define DEMO_REFRESH_MS (60LL * 60 * 1000)
#define DEMO_STAMP ".written"

static int demo_files_fresh(const char *dir, int64_t now)
{
    static const char *const leaves[] = {"handoffs.jsonl", "pending-work.md", "projects.json", "cron_logs",
                                         "agents",         "usage.json",      "revenue.json",  DEMO_STAMP};
    struct stat st;
    for (size_t i = 0; i < MC_ARRAY_LEN(leaves); i++) {
        char *path = xasprintf("%s/%s", dir, leaves[i]);
        int rc = stat(path, &st);
        free(path);
        if (rc != 0)
            return 0;
    }
    int64_t written = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000; /* the stamp's */
    return written <= now + 1000 && now - written < DEMO_REFRESH_MS;
}

int demo_prepare(char **dir, char **config_text, char **err)
{
    char *d = demo_dir(err);
    if (!d)
        return -1;
    int64_t now = now_ms();
    char *stamp = xasprintf("%s/%s", d, DEMO_STAMP);
    int rc = 0;
    if (!demo_files_fresh(d, now)) {
        static const char note[] = "mc --demo wrote its sample files\n";
        rc = demo_write_files(d, now, err);
        if (rc == 0)
            rc = file_write_atomic(stamp, note, sizeof note - 1, 0600, err);
    }
    free(stamp);
    if (rc != 0) {
        free(d);
        return -1;
    }
    *config_text = demo_config(d);
    *dir = d;
    return 0;
}

/* test_demo.c — `mc --demo`'s data: demo_prepare writes every sample file in
 * the contract formats with enough rows (open blockers, an escape sequence,
 * CJK text, every project status, ok/failed/hung/running cron runs, working
 * and offline agents, 60 days of revenue, 7 days of usage), its config loads,
 * one engine-free pass of every source fills every dataset, the directory is
 * private, and the simulation thread appends activity and refreshes agents. */
#include "thelp.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../src/net/http.h"
#include "cache.h"
#include "config.h"
#include "demo.h"
#include "ui/widget.h"
#include "source.h"
#include "util.h"

static char *demo_dir_path, *demo_text;

static char *slurp(const char *dir, const char *leaf)
{
    char *path = xasprintf("%s/%s", dir, leaf), *text = NULL, *err = NULL;
    if (file_read_all(path, 1 << 24, &text, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        text = NULL;
    }
    free(err);
    free(path);
    return text;
}

static cJSON *slurp_json(const char *dir, const char *leaf)
{
    char *text = slurp(dir, leaf);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    return j;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; p && *p; p++)
        n += *p == '\n';
    return n;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_prepare(void)
{
    char *err = NULL;
    setenv("XDG_RUNTIME_DIR", t_tmpdir(), 1);
    CHECK_INT(demo_prepare(&demo_dir_path, &demo_text, &err), 0);
    if (!demo_dir_path) {
        fprintf(stderr, "demo_prepare: %s\n", err);
        exit(1);
    }
    char want[600];
    snprintf(want, sizeof want, "%s/mc-demo-%u", t_tmpdir(), (unsigned)getuid());
    CHECK_STR(demo_dir_path, want);
    struct stat st;
    CHECK_INT(lstat(demo_dir_path, &st), 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK_INT(st.st_mode & 0777, 0700);
    CHECK_CONTAINS(demo_text, demo_dir_path);
}

static void test_handoffs(void)
{
    char *text = slurp(demo_dir_path, "handoffs.jsonl");
    CHECK(count_lines(text) >= 40);
    int blockers = 0, resolved = 0, escape = 0, cjk = 0, object_details = 0, no_id = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        cJSON *o = cJSON_Parse(line);
        CHECK(cJSON_IsObject(o));
        const char *to = jstr(o, "to"), *summary = jstr(o, "summary");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "action_needed")) && to && strcasecmp(to, "apple") == 0)
            blockers++;
        if (jstr(o, "type") && strcmp(jstr(o, "type"), "resolution") == 0 && jstr(o, "ref"))
            resolved++;
        if (summary && strchr(summary, 0x1b))
            escape++;
        if (summary && strstr(summary, "\xE5\xAE\x8C"))   /* 完 */
            cjk++;
        if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, "details")))
            object_details++;
        no_id += !cJSON_GetObjectItemCaseSensitive(o, "id");
        cJSON_Delete(o);
        line = nl + 1;
    }
    CHECK(blockers - resolved >= 6);
    CHECK(resolved >= 1);
    CHECK(escape >= 1);
    CHECK(cjk >= 1);
    CHECK(object_details >= 1);
    CHECK(no_id >= 1);
    free(text);
}

static void test_other_files(void)
{
    char *md = slurp(demo_dir_path, "pending-work.md");
    CHECK_CONTAINS(md, "- [ ] Fix Vercel token permissions — BLOCKED: needs Apple");
    CHECK_CONTAINS(md, "waiting on Apple");
    CHECK_CONTAINS(md, "- [x] ");
    free(md);

    cJSON *projects = slurp_json(demo_dir_path, "projects.json");
    CHECK(cJSON_GetArraySize(projects) >= 10);
    static const char *const statuses[] = {"planning", "active", "blocked", "paused", "done"};
    for (int s = 0; s < 5; s++) {
        int n = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, projects)
            n += jstr(p, "status") && strcmp(jstr(p, "status"), statuses[s]) == 0;
        CHECK(n >= 1);
    }
    cJSON_Delete(projects);

    cJSON *rev = slurp_json(demo_dir_path, "revenue.json");
    CHECK(cJSON_GetArraySize(rev) >= 55);
    const cJSON *last = cJSON_GetArrayItem(rev, cJSON_GetArraySize(rev) - 1);
    const cJSON *prev = cJSON_GetArrayItem(rev, cJSON_GetArraySize(rev) - 2);
    double ytd = cJSON_GetObjectItemCaseSensitive(last, "totalYtdUsd")->valuedouble;
    CHECK(ytd > 0);
    CHECK(cJSON_GetObjectItemCaseSensitive(last, "projectedAnnualUsd")->valuedouble >= ytd);
    if (strncmp(jstr(last, "snapshotDate"), "20", 2) == 0 &&
        strncmp(jstr(last, "snapshotDate"), jstr(prev, "snapshotDate"), 4) == 0)   /* same year */
        CHECK(ytd > cJSON_GetObjectItemCaseSensitive(prev, "totalYtdUsd")->valuedouble);
    const cJSON *streams = cJSON_GetObjectItemCaseSensitive(last, "streams"), *s;
    CHECK(cJSON_GetArraySize(streams) >= 4);
    double sum = 0;
    cJSON_ArrayForEach(s, streams)
        sum += cJSON_GetObjectItemCaseSensitive(s, "ytd_usd")->valuedouble;
    CHECK(sum > ytd - 0.05 && sum < ytd + 0.05);
    cJSON_Delete(rev);

    cJSON *usage = slurp_json(demo_dir_path, "usage.json");
    CHECK(cJSON_GetArraySize(usage) >= 7 * 6);
    CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(usage, 0), "total_cost")->valuedouble > 0);
    cJSON_Delete(usage);

    /* agents: some with a fresh heartbeat, some offline by age */
    char *adir = xasprintf("%s/agents", demo_dir_path);
    DIR *d = opendir(adir);
    struct dirent *de;
    int agents = 0, fresh = 0, stale = 0;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *leaf = xasprintf("agents/%s/state.json", de->d_name);
        cJSON *a = slurp_json(demo_dir_path, leaf);
        int64_t hb = 0;
        CHECK(jstr(a, "heartbeat") && time_parse_iso(jstr(a, "heartbeat"), &hb) == 0);
        agents++;
        fresh += now_ms() - hb < 5 * 60000;
        stale += now_ms() - hb > 15 * 60000;
        cJSON_Delete(a);
        free(leaf);
    }
    if (d)
        closedir(d);
    free(adir);
    CHECK(agents >= 6);
    CHECK(fresh >= 3);
    CHECK(stale >= 2);

    /* cron logs: >= 6 jobs, one failed, one hung (open START over an hour old), one running */
    int logs = 0, failed = 0, hung = 0, running = 0;
    char *cdir = xasprintf("%s/cron_logs", demo_dir_path);
    d = opendir(cdir);
    while (d && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".log") != 0)
            continue;
        logs++;
        char *leaf = xasprintf("cron_logs/%s", de->d_name);
        char *text = slurp(demo_dir_path, leaf);
        failed += strstr(text, "status=error") != NULL;
        char *lastl = text + strlen(text) - 1;
        while (lastl > text && lastl[-1] != '\n')
            lastl--;
        if (strstr(lastl, " START ")) {
            int64_t at = 0;
            char ts[32];
            snprintf(ts, sizeof ts, "%.*s", (int)strcspn(lastl, " "), lastl);
            CHECK_INT(time_parse_iso(ts, &at), 0);
            hung += now_ms() - at > 3600 * 1000;
            running += now_ms() - at < 3600 * 1000;
        }
        free(text);
        free(leaf);
    }
    if (d)
        closedir(d);
    free(cdir);
    CHECK(logs >= 6);
    CHECK(failed >= 2);
    CHECK(hung >= 1);
    CHECK(running >= 1);
}

/* Loads the config and runs every source's fetch once, without the engine. */
static void test_config_and_fetch(void)
{
    char *err = NULL;
    Config *cfg = NULL;
    CHECK_INT(config_load_text("<demo>", demo_text, &cfg, &err), 0);
    if (!cfg) {
        fprintf(stderr, "demo config: %s\n", err);
        free(err);
        return;
    }
    CHECK_STR(cfg->owner, "Apple");
    CHECK(cfg->nsources >= 8);
    /* the demo shows every widget kind of the registry, once */
    for (int w = 0; widget_classes[w]; w++) {
        int found = 0;
        for (int i = 0; cfg->widgets && i < cfg->widgets->n; i++) {
            const YNode *t = ynode_get(cfg->widgets->items[i], "type");
            found += t && t->scalar && strcmp(t->scalar, widget_classes[w]->name) == 0;
        }
        if (found != 1)
            fprintf(stderr, "demo config has %d '%s' widgets\n", found, widget_classes[w]->name);
        CHECK(found == 1);
    }
    Cache *cache = NULL;
    CHECK_INT(cache_open(cfg->cache_path, &cache, NULL, &err), 0);
    if (!cache) {
        fprintf(stderr, "cache: %s\n", err);
        config_free(cfg);
        return;
    }
    for (int i = 0; i < cfg->nsources; i++) {
        const SourceConfig *sc = &cfg->sources[i];
        CHECK(sc->cls->fetch != NULL);   /* every demo source fetches: nothing is left unchecked */
        if (!sc->cls->fetch)
            continue;
        SourceState st = {0};
        CHECK_INT(cache_state_get(cache, sc->id, &st, &err), 0);
        void *self = sc->cls->open ? sc->cls->open(sc) : NULL;
        FetchCtx ctx = {.cache = cache, .config = cfg, .src = sc, .state = &st, .now_ms = now_ms(),
                        .deadline_ms = mono_ms() + 20000};
        int rc = sc->cls->fetch(self, &ctx);
        if (rc != 0)
            fprintf(stderr, "source %s: %s\n", sc->id, ctx.err ? ctx.err : "?");
        CHECK_INT(rc, 0);
        free(ctx.err);
        if (sc->cls->close)
            sc->cls->close(self);
        cache_state_clear(&st);
    }
    for (int d = 0; d < DS__COUNT; d++) {
        const Dataset *ds = dataset_get((DatasetId)d);
        int64_t n = cache_count(cache, ds, NULL);
        printf("%-10s %lld rows\n", ds->name, (long long)n);
        if (!dataset_mc_owned(ds))
            CHECK(n > 0);
    }
    /* the blockers pane has at least six open items needing Apple */
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_prepare_v2(cache_db(cache), "SELECT count(*) FROM blockers WHERE resolved = 0",
                                 -1, &q, NULL), SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) >= 6);
    sqlite3_finalize(q);
    /* this machine's health, with one service down and this process up */
    CHECK_INT(sqlite3_prepare_v2(cache_db(cache), "SELECT services FROM system ORDER BY ts DESC LIMIT 1",
                                 -1, &q, NULL), SQLITE_OK);
    {
        if (sqlite3_step(q) == SQLITE_ROW) {
            cJSON *svc = cJSON_Parse((const char *)sqlite3_column_text(q, 0)), *e;
            int up = 0, down = 0;
            cJSON_ArrayForEach(e, svc) {
                if (jstr(e, "name") && strcmp(jstr(e, "name"), "mc") == 0)
                    up += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "up"));
                if (jstr(e, "name") && strcmp(jstr(e, "name"), "postgres") == 0)
                    down += cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e, "up"));
            }
            CHECK_INT(up, 1);
            CHECK_INT(down, 1);
            cJSON_Delete(svc);
        } else {
            CHECK(!"no system row");
        }
        sqlite3_finalize(q);
    }
    cache_close(cache);
    config_free(cfg);
}

static ino_t inode_of(const char *dir, const char *leaf)
{
    char *path = xasprintf("%s/%s", dir, leaf);
    struct stat st;
    ino_t ino = stat(path, &st) == 0 ? st.st_ino : 0;
    free(path);
    return ino;
}

static void prepare_once(void)
{
    char *dir = NULL, *text = NULL, *err = NULL;
    CHECK_INT(demo_prepare(&dir, &text, &err), 0);
    CHECK_STR(dir, demo_dir_path);
    free(dir);
    free(text);
    free(err);
}

/* A second prepare keeps the cache and, while the files are fresh, leaves
 * them as they are (issue 13: rewriting them made the demo's first frame
 * twice a real config's); a missing file or a stamp over an hour old has
 * them written again (atomic rewrites: new inodes). */
static void test_prepare_again(void)
{
    char *db = xasprintf("%s/cache.db", demo_dir_path);
    ino_t db_ino = inode_of(demo_dir_path, "cache.db"), h = inode_of(demo_dir_path, "handoffs.jsonl");
    ino_t rev = inode_of(demo_dir_path, "revenue.json");
    CHECK(db_ino != 0 && h != 0 && rev != 0);
    prepare_once();
    CHECK(inode_of(demo_dir_path, "cache.db") == db_ino);
    CHECK(inode_of(demo_dir_path, "handoffs.jsonl") == h);
    CHECK(inode_of(demo_dir_path, "revenue.json") == rev);

    char *leaf = xasprintf("%s/revenue.json", demo_dir_path);
    CHECK_INT(unlink(leaf), 0);
    prepare_once();
    CHECK(inode_of(demo_dir_path, "revenue.json") != 0);
    CHECK(inode_of(demo_dir_path, "handoffs.jsonl") != h);
    h = inode_of(demo_dir_path, "handoffs.jsonl");

    char *stamp = xasprintf("%s/.written", demo_dir_path);
    struct timespec two_hours_ago[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
    CHECK_INT(utimensat(AT_FDCWD, stamp, two_hours_ago, 0), 0);
    prepare_once();
    CHECK(inode_of(demo_dir_path, "handoffs.jsonl") != h);
    CHECK(inode_of(demo_dir_path, "cache.db") == db_ino);
    free(stamp);
    free(leaf);
    free(db);
}

/* The private directory must be ours: a symlink planted there is refused, loose modes are fixed. */
static void test_dir_safety(void)
{
    char *base = xasprintf("%s/rt2", t_tmpdir()), *target = xasprintf("%s/elsewhere", t_tmpdir());
    char *link = xasprintf("%s/mc-demo-%u", base, (unsigned)getuid());
    CHECK_INT(mkdir(base, 0700), 0);
    CHECK_INT(mkdir(target, 0755), 0);
    CHECK_INT(symlink(target, link), 0);
    setenv("XDG_RUNTIME_DIR", base, 1);
    char *dir = NULL, *text = NULL, *err = NULL;
    CHECK_INT(demo_prepare(&dir, &text, &err), -1);
    CHECK_CONTAINS(err, "is not a directory owned by you");
    free(err), err = NULL;
    CHECK_INT(unlink(link), 0);
    CHECK_INT(mkdir(link, 0755), 0);
    CHECK_INT(demo_prepare(&dir, &text, &err), 0);
    struct stat st;
    CHECK_INT(stat(link, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0700);
    free(dir);
    free(text);
    free(err);
    free(base);
    free(target);
    free(link);
    setenv("XDG_RUNTIME_DIR", t_tmpdir(), 1);
}

static char *agent_heartbeats(void)
{
    Buf b = {0};
    char *adir = xasprintf("%s/agents", demo_dir_path);
    DIR *d = opendir(adir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *leaf = xasprintf("agents/%s/state.json", de->d_name);
        cJSON *a = slurp_json(demo_dir_path, leaf);
        buf_printf(&b, "%s=%s;", de->d_name, jstr(a, "heartbeat") ? jstr(a, "heartbeat") : "?");
        cJSON_Delete(a);
        free(leaf);
    }
    if (d)
        closedir(d);
    free(adir);
    return buf_steal(&b);
}

/* The simulation appends activity and refreshes agents, and stops on request. */
static void test_sim(void)
{
    char *text = slurp(demo_dir_path, "handoffs.jsonl");
    int lines0 = count_lines(text);
    free(text);
    char *hb0 = agent_heartbeats();
    CHECK_INT(demo_sim_start(demo_dir_path), 0);
    CHECK_INT(demo_sim_start(demo_dir_path), -1);   /* one at a time */
    int grew = 0, changed = 0;
    int64_t give_up = mono_ms() + 30000;
    while ((!grew || !changed) && mono_ms() < give_up) {
        text = slurp(demo_dir_path, "handoffs.jsonl");
        grew = count_lines(text) > lines0;
        free(text);
        char *hb = agent_heartbeats();
        changed = strcmp(hb, hb0) != 0;
        free(hb);
        usleep(50 * 1000);
    }
    demo_sim_stop();
    demo_sim_stop();   /* harmless */
    CHECK(grew);
    CHECK(changed);
    /* every appended line is a whole JSON object with who, when and what */
    text = slurp(demo_dir_path, "handoffs.jsonl");
    int n = 0;
    for (char *line = text; line && *line; n++) {
        char *nl = strchr(line, '\n');
        CHECK(nl != NULL);
        if (!nl)
            break;
        *nl = '\0';
        if (n >= lines0) {
            cJSON *o = cJSON_Parse(line);
            CHECK(jstr(o, "from") && jstr(o, "ts") && jstr(o, "type") && jstr(o, "summary"));
            cJSON_Delete(o);
        }
        line = nl + 1;
    }
    free(text);
    free(hb0);
    /* it can start again after a stop */
    CHECK_INT(demo_sim_start(demo_dir_path), 0);
    demo_sim_stop();
}

int main(void)
{
    http_global_init();
    RUN(test_prepare);
    RUN(test_handoffs);
    RUN(test_other_files);
    RUN(test_config_and_fetch);
    RUN(test_prepare_again);
    RUN(test_dir_safety);
    RUN(test_sim);
    free(demo_dir_path);
    free(demo_text);
    return t_done();
}

/* config.c — mc.yaml into a typed Config. The first step of the data path:
 * the engine schedules the sources listed here, the cache applies the
 * retention, the UI reads owner, layout, theme, widgets and keys.
 *
 * Everything is parsed into a fresh Config; on the first mistake it is freed
 * and the caller gets "FILE:LINE:COLUMN: what", so a bad reload never
 * disturbs the running config. config.c knows only the keys every source has
 * (source_common_keys); a kind's own keys go to its SourceClass.configure. */
#include <stddef.h>   /* before the headers: they use size_t */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "presets.h"
#include "source.h"
#include "util.h"

#define MIN_INTERVAL_MS 100    /* every, timeout, backoff_max, breaker_open */
#define MAX_ID_LEN 64

static const char *const top_keys[] = {
    "owner", "user", "cache", "log", "layout", "layouts_dir", "theme", "workers", "snooze",
    "stale_after", "retention", "sources", "widgets", "keys", "prices", "serve", "backup",
    "year_start", "alerts", "brief", NULL,
};
static const char *const themes[] = {"auto", "256", "8", "mono", NULL};
static const char *const price_keys[] = {"input", "output", "cache_read", "cache_write", NULL};
static const char *const retention_keys[] = {"rows", "age", "archive", NULL};
static const char *const backup_keys[] = {"dir", "keep", "at", NULL};
static const char *const serve_keys[] = {"listen", "token_file", "write_token_file",
                                         "cors_origins", "tls", NULL};
static const char *const tls_keys[] = {"cert_file", "key_file", NULL};

/* A `key:` with nothing after it (or ~ / null) counts as not set. */
static int is_blank(const YNode *n)
{
    return n && n->type == YN_SCALAR && !n->quoted &&
           (!n->scalar[0] || strcmp(n->scalar, "~") == 0 || strcasecmp(n->scalar, "null") == 0);
}

static const char *type_name(const YNode *n)
{
    return n->type == YN_MAP ? "a map" : n->type == YN_SEQ ? "a list" : "a single value";
}

/* The value of a top-level key that must be a map or a list (NULL when unset). */
static int get_container(const YNode *doc, const char *key, YNodeType type, const char *hint,
                         const YNode **out, char **err)
{
    const YNode *v = ynode_get(doc, key);
    *out = NULL;
    if (!v || is_blank(v))
        return 0;
    if (v->type != type)
        return ynode_error(v, err, "'%s' must be %s, not %s", key, hint, type_name(v));
    *out = v;
    return 0;
}

static int require_nonempty(const YNode *map, const char *key, const char *val, char **err)
{
    if (val && *val)
        return 0;
    return ynode_error(ynode_get(map, key), err, "'%s' must not be empty", key);
}

/* Duration key with a lower bound (checked only when set). */
static int get_interval(const YNode *map, const char *key, int64_t min_ms, int64_t *ms, char **err)
{
    if (ynode_duration(map, key, ms, err) < 0)
        return -1;
    const YNode *v = ynode_get(map, key);
    if (v && !is_blank(v) && *ms < min_ms)
        return ynode_error(v, err, "'%s' must be at least %lldms", key, (long long)min_ms);
    return 0;
}

static void set_defaults(Config *c)
{
    const char *user = getenv("USER");
    c->owner = xstrdup("Apple");
    c->user = xstrdup(user && *user ? user : "unknown");
    c->cache_path = xdg_path("XDG_CACHE_HOME", ".cache", "cache.db");
    c->log_path = xdg_path("XDG_STATE_HOME", ".local/state", "mc.log");
    c->layout = xstrdup("default");
    c->layouts_dir = xdg_path("XDG_CONFIG_HOME", ".config", "layouts");
    c->theme = xstrdup("auto");
    c->workers = 4;
    c->snooze_ms = 4LL * 3600 * 1000;
    c->stale_ms = 15LL * 60 * 1000;
    c->serve.listen = xstrdup("127.0.0.1:8765");
    c->backup.dir = xdg_path("XDG_STATE_HOME", ".local/state", "backups");
    c->backup.keep = 7;
    c->backup.at_min = -1;
    c->year_start_month = 1;
    c->year_start_day = 1;
    c->retention[DS_ACTIVITY] = (Retention){100000, 90LL * 24 * 3600 * 1000, NULL};
    c->retention[DS_SYSTEM] = (Retention){2000, 7LL * 24 * 3600 * 1000, NULL};
    c->retention[DS_REVENUE] = (Retention){5000, 0, NULL};
    c->retention[DS_AUDIT] = (Retention){100000, 365LL * 24 * 3600 * 1000, NULL};
    c->retention[DS_ALERTS] = (Retention){10000, 90LL * 24 * 3600 * 1000, NULL};  /* by cleared_at */
    alerts_config_defaults(&c->alerts);
    brief_config_defaults(&c->brief);
}

/* serve: {listen, token_file, write_token_file, cors_origins, tls: {cert_file,
 * key_file}} (`mc serve`). */
static int parse_serve(ServeConfig *s, const YNode *m, char **err)
{
    const YNode *tls;
    if (!m)
        return 0;
    if (ynode_check_keys(m, serve_keys, "serve", err) < 0 || ynode_str(m, "listen", &s->listen, err) < 0 ||
        require_nonempty(m, "listen", s->listen, err) < 0 ||
        ynode_path(m, "token_file", &s->token_file, err) < 0 ||
        ynode_path(m, "write_token_file", &s->write_token_file, err) < 0 ||
        ynode_strv(m, "cors_origins", &s->cors_origins, err) < 0 ||
        get_container(m, "tls", YN_MAP, "a map of {cert_file, key_file}", &tls, err) < 0)
        return -1;
    if (tls && (ynode_check_keys(tls, tls_keys, "serve.tls", err) < 0 ||
                ynode_req_path(tls, "cert_file", &s->tls_cert_file, err) < 0 ||
                ynode_req_path(tls, "key_file", &s->tls_key_file, err) < 0))
        return -1;
    return 0;
}

/* backup: {dir, keep, at: "HH:MM"} (`mc backup`, and the daemon's daily one). */
static int parse_backup(BackupConfig *b, const YNode *m, char **err)
{
    if (!m)
        return 0;
    long keep = b->keep;
    char *at = NULL;
    if (ynode_check_keys(m, backup_keys, "backup", err) < 0 || ynode_path(m, "dir", &b->dir, err) < 0 ||
        require_nonempty(m, "dir", b->dir, err) < 0 || ynode_long(m, "keep", 1, 10000, &keep, err) < 0 ||
        ynode_str(m, "at", &at, err) < 0)
        return -1;
    b->keep = (int)keep;
    b->configured = 1;
    if (at) {
        /* H:MM or HH:MM */
        size_t len = strlen(at), c = len == 4 ? 1 : 2;
        int ok = (len == 4 || len == 5) && at[c] == ':';
        for (size_t i = 0; ok && i < len; i++)
            ok = i == c || (at[i] >= '0' && at[i] <= '9');
        int h = ok ? (c == 1 ? at[0] - '0' : (at[0] - '0') * 10 + at[1] - '0') : -1;
        int mi = ok ? (at[c + 1] - '0') * 10 + at[c + 2] - '0' : -1;
        free(at);
        if (!ok || h > 23 || mi > 59)
            return ynode_error(ynode_get(m, "at"), err, "'at' must be a time of day HH:MM (UTC), e.g. \"03:00\"");
        b->at_min = h * 60 + mi;
    }
    return 0;
}

/* year_start: "MM-DD" (default 01-01): where the revenue year begins. */
static int parse_year_start(Config *c, const YNode *doc, char **err)
{
    char *v = NULL;
    if (ynode_str(doc, "year_start", &v, err) < 0)
        return -1;
    if (!v)
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int ok = strlen(v) == 5 && v[2] == '-';
    for (int i = 0; ok && i < 5; i++)
        ok = i == 2 || (v[i] >= '0' && v[i] <= '9');
    int m = ok ? (v[0] - '0') * 10 + v[1] - '0' : 0, d = ok ? (v[3] - '0') * 10 + v[4] - '0' : 0;
    free(v);
    if (!ok || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return ynode_error(ynode_get(doc, "year_start"), err,
                           "'year_start' must be a month and day \"MM-DD\", e.g. \"01-01\" or \"07-01\"");
    c->year_start_month = m;
    c->year_start_day = d;
    return 0;
}

/* The plain settings: owner, user, paths, theme, workers, durations. */
static int parse_settings(Config *c, const YNode *doc, char **err)
{
    long workers = c->workers;
    if (ynode_str(doc, "owner", &c->owner, err) < 0 || require_nonempty(doc, "owner", c->owner, err) < 0 ||
        ynode_str(doc, "user", &c->user, err) < 0 || require_nonempty(doc, "user", c->user, err) < 0 ||
        ynode_path(doc, "cache", &c->cache_path, err) < 0 ||
        require_nonempty(doc, "cache", c->cache_path, err) < 0 ||
        ynode_path(doc, "log", &c->log_path, err) < 0 || require_nonempty(doc, "log", c->log_path, err) < 0 ||
        ynode_str(doc, "layout", &c->layout, err) < 0 || require_nonempty(doc, "layout", c->layout, err) < 0 ||
        ynode_path(doc, "layouts_dir", &c->layouts_dir, err) < 0 ||
        require_nonempty(doc, "layouts_dir", c->layouts_dir, err) < 0 ||
        ynode_str(doc, "theme", &c->theme, err) < 0 ||
        ynode_long(doc, "workers", 1, 16, &workers, err) < 0 ||
        get_interval(doc, "snooze", 1000, &c->snooze_ms, err) < 0 ||
        get_interval(doc, "stale_after", 1000, &c->stale_ms, err) < 0 ||
        parse_year_start(c, doc, err) < 0)
        return -1;
    c->workers = (int)workers;
    for (int i = 0; themes[i]; i++)
        if (strcmp(c->theme, themes[i]) == 0)
            return 0;
    return ynode_error(ynode_get(doc, "theme"), err, "'theme' must be one of auto, 256, 8, mono (got '%.60s')",
                       c->theme);
}

/* retention: {dataset: {rows: N, age: 90d}}; unset fields keep their default. */
static int parse_retention(Config *c, const YNode *ret, char **err)
{
    for (int i = 0; ret && i < ret->n; i++) {
        const char *name = ret->keys[i]->scalar;
        const Dataset *ds = dataset_find(name);
        if (!ds)
            return ynode_error(ret->keys[i], err, "unknown dataset '%.60s' in retention (known: %s)", name,
                               dataset_names());
        Retention *r = &c->retention[ds->id];
        long rows = (long)r->max_rows;
        char *what = xasprintf("retention of '%s'", name);
        int rc = ynode_check_keys(ret->items[i], retention_keys, what, err);
        free(what);
        if (rc < 0 || ynode_long(ret->items[i], "rows", 0, LONG_MAX, &rows, err) < 0 ||
            ynode_duration(ret->items[i], "age", &r->max_age_ms, err) < 0 ||
            ynode_path(ret->items[i], "archive", &r->archive_dir, err) < 0)
            return -1;
        r->max_rows = rows;
    }
    return 0;
}

/* prices: {model: {input: 3.00, output: 15.00, cache_read: .., cache_write: ..}}
 * in US dollars per million tokens. Only checked here; users read the YNode. */
static int check_prices(const YNode *prices, char **err)
{
    for (int i = 0; prices && i < prices->n; i++) {
        const YNode *m = prices->items[i];
        char *what = xasprintf("prices of '%s'", prices->keys[i]->scalar);
        int rc = ynode_check_keys(m, price_keys, what, err);
        free(what);
        if (rc < 0)
            return -1;
        for (int k = 0; price_keys[k]; k++) {
            double d = 0;
            if (ynode_double(m, price_keys[k], &d, err) < 0)
                return -1;
            if (d < 0)
                return ynode_error(ynode_get(m, price_keys[k]), err, "'%s' must not be negative", price_keys[k]);
        }
    }
    return 0;
}

static int check_id(const Config *c, int i, const YNode *m, char **err)
{
    const SourceConfig *sc = &c->sources[i];
    const YNode *idn = ynode_get(m, "id");
    size_t len = strlen(sc->id);
    if (len > MAX_ID_LEN || strspn(sc->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != len)
        return ynode_error(idn, err, "source id '%.60s' may only have letters, digits, '_', '.' and '-' (at most %d)",
                           sc->id, MAX_ID_LEN);
    for (int j = 0; j < i; j++)
        if (strcmp(c->sources[j].id, sc->id) == 0)
            return ynode_error(idn, err, "duplicate source id '%s' (first at line %d)", sc->id,
                               ynode_get(c->sources[j].node, "id")->line);
    return 0;
}

/* The keys every source has: scheduling, breaker, budget, feeds, enabled. */
static int parse_common(SourceConfig *sc, const YNode *m, char **err)
{
    long breaker = 5, per_min = 0, per_hour = 0;
    char *feeds = NULL;
    sc->every_ms = 30000;
    sc->timeout_ms = 20000;
    sc->jitter = 0.1;
    sc->backoff_max_ms = 10 * 60000;
    sc->breaker_open_ms = 5 * 60000;
    sc->enabled = 1;
    sc->auth_blocker_after_ms = 3600 * 1000;
    if (get_interval(m, "auth_blocker_after", 0, &sc->auth_blocker_after_ms, err) < 0 ||
        get_interval(m, "every", MIN_INTERVAL_MS, &sc->every_ms, err) < 0 ||
        get_interval(m, "timeout", MIN_INTERVAL_MS, &sc->timeout_ms, err) < 0 ||
        ynode_double(m, "jitter", &sc->jitter, err) < 0 ||
        get_interval(m, "backoff_max", MIN_INTERVAL_MS, &sc->backoff_max_ms, err) < 0 ||
        ynode_long(m, "breaker_after", 1, 1000, &breaker, err) < 0 ||
        get_interval(m, "breaker_open", MIN_INTERVAL_MS, &sc->breaker_open_ms, err) < 0 ||
        ynode_long(m, "rate_per_min", 0, 1000000, &per_min, err) < 0 ||
        ynode_long(m, "rate_per_hour", 0, 1000000, &per_hour, err) < 0 ||
        ynode_bool(m, "enabled", &sc->enabled, err) < 0 || ynode_str(m, "feeds", &feeds, err) < 0)
        return -1;
    sc->breaker_after = (int)breaker;
    sc->rate_per_min = (int)per_min;
    sc->rate_per_hour = (int)per_hour;
    if (sc->jitter < 0 || sc->jitter > 1) {
        free(feeds);
        return ynode_error(ynode_get(m, "jitter"), err, "'jitter' must be from 0 to 1 (a fraction of 'every')");
    }
    if (feeds) {
        sc->feeds = dataset_find(feeds);
        if (!sc->feeds)
            ynode_error(ynode_get(m, "feeds"), err, "unknown dataset '%.60s' in 'feeds' (known: %s)", feeds,
                        dataset_names());
        else if (dataset_mc_owned(sc->feeds)) {
            ynode_error(ynode_get(m, "feeds"), err, "'feeds: %s': that dataset is written by mc itself",
                        sc->feeds->name);
            sc->feeds = NULL;
        }
        free(feeds);
        if (!sc->feeds)
            return -1;
    }
    return 0;
}

/* One entry of `sources:`. On failure whatever configure left in sc->kcfg is
 * freed by config_free with the class's free_config. */
static int parse_kind(Config *c, int i, const YNode *m, char **err)
{
    SourceConfig *sc = &c->sources[i];
    char *kind = NULL, *kerr = NULL;
    if (m->type != YN_MAP)
        return ynode_error(m, err, "each source must be a map with at least 'id' and 'kind', not %s", type_name(m));
    sc->node = m;
    if (ynode_req_str(m, "id", &sc->id, err) < 0 || check_id(c, i, m, err) < 0 ||
        ynode_req_str(m, "kind", &kind, err) < 0)
        return -1;
    sc->cls = source_class_find(kind);
    if (!sc->cls)
        ynode_error(ynode_get(m, "kind"), err, "unknown source kind '%.60s' (known: %s)", kind, source_kinds());
    free(kind);
    if (!sc->cls || parse_common(sc, m, err) < 0)
        return -1;
    if (!sc->cls->configure)
        return source_check_keys(m, NULL, err);
    if (sc->cls->configure(sc, m, &kerr) == 0) {
        free(kerr);
        return 0;
    }
    if (kerr)
        set_err(err, "%s", kerr);
    else
        ynode_error(m, err, "source '%s': invalid %s settings", sc->id, sc->cls->kind);
    free(kerr);
    return -1;
}

/* A source entry; one with `preset:` is first replaced in the document by
 * its expansion (presets.h), and its errors name the preset. */
static int parse_source(Config *c, int i, YNode *list, char **err)
{
    YNode *m = list->items[i];
    const YNode *pn = m->type == YN_MAP ? ynode_get(m, "preset") : NULL;
    if (!pn)
        return parse_kind(c, i, m, err);
    char ys[11];
    config_year_start(c, now_ms(), ys);
    YNode *x = preset_expand(m, ys, err);
    if (!x)
        return -1;
    c->sources[i].preset = xstrdup(pn->scalar);
    list->items[i] = x;
    ynode_free_node(m);
    if (parse_kind(c, i, x, err) == 0)
        return 0;
    const YNode *idn = ynode_get(x, "id");
    preset_name_error(err, idn && idn->type == YN_SCALAR ? idn->scalar : "", c->sources[i].preset);
    return -1;
}

static int parse_doc(Config *c, char **err)
{
    const YNode *doc = c->doc, *ret, *sources, *serve, *backup;
    if (doc->type != YN_MAP)
        return ynode_error(doc, err, "the config must be a map of settings (owner: ..., sources: ...), not %s",
                           type_name(doc));
    if (ynode_check_keys(doc, top_keys, NULL, err) < 0 || parse_settings(c, doc, err) < 0 ||
        get_container(doc, "retention", YN_MAP, "a map of dataset: {rows, age}", &ret, err) < 0 ||
        parse_retention(c, ret, err) < 0 ||
        get_container(doc, "widgets", YN_SEQ, "a list of widgets (- type: ...)", &c->widgets, err) < 0 ||
        get_container(doc, "keys", YN_MAP, "a map of key bindings", &c->keys, err) < 0 ||
        get_container(doc, "prices", YN_MAP, "a map of model: {input, output}", &c->prices, err) < 0 ||
        get_container(doc, "serve", YN_MAP, "a map of {listen, token_file, ...}", &serve, err) < 0 ||
        parse_serve(&c->serve, serve, err) < 0 ||
        get_container(doc, "backup", YN_MAP, "a map of {dir, keep, at}", &backup, err) < 0 ||
        parse_backup(&c->backup, backup, err) < 0 ||
        check_prices(c->prices, err) < 0 ||
        alerts_config_parse(&c->alerts, ynode_get(doc, "alerts"), err) < 0 ||
        brief_config_parse(&c->brief, ynode_get(doc, "brief"), err) < 0 ||
        get_container(doc, "sources", YN_SEQ, "a list of sources (- id: ...)", &sources, err) < 0)
        return -1;
    if (!sources)
        return 0;
    c->nsources = sources->n;
    c->sources = xcalloc((size_t)sources->n + 1, sizeof *c->sources);
    for (int i = 0; i < sources->n; i++)
        if (parse_source(c, i, (YNode *)sources, err) < 0)
            return -1;
    return 0;
}

/* Takes ownership of doc (freed on failure too). */
static int config_from_doc(const char *path, YNode *doc, Config **out, char **err)
{
    Config *c = xcalloc(1, sizeof *c);
    c->path = xstrdup(path);
    c->doc = doc;
    set_defaults(c);
    if (parse_doc(c, err) < 0) {
        config_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int config_load(const char *path, Config **out, char **err)
{
    if (!path) {
        set_err(err, "no config file given");
        return -1;
    }
    YNode *doc = ynode_parse_file(path, err);
    if (!doc)
        return -1;
    return config_from_doc(path, doc, out, err);
}

int config_load_text(const char *name, const char *text, Config **out, char **err)
{
    if (!name)
        name = "<config>";
    YNode *doc = ynode_parse_text(name, text, text ? strlen(text) : 0, err);
    if (!doc)
        return -1;
    return config_from_doc(name, doc, out, err);
}

void config_free(Config *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nsources; i++) {
        SourceConfig *sc = &c->sources[i];
        if (sc->kcfg && sc->cls && sc->cls->free_config)
            sc->cls->free_config(sc->kcfg);
        free(sc->id);
        free(sc->preset);
    }
    free(c->sources);
    free(c->owner);
    free(c->user);
    free(c->cache_path);
    free(c->log_path);
    free(c->layout);
    free(c->layouts_dir);
    free(c->theme);
    free(c->backup.dir);
    alerts_config_free(&c->alerts);
    brief_config_free(&c->brief);
    for (int i = 0; i < DS__COUNT; i++)
        free(c->retention[i].archive_dir);
    free(c->serve.listen);
    free(c->serve.token_file);
    free(c->serve.write_token_file);
    strv_free(c->serve.cors_origins);
    free(c->serve.tls_cert_file);
    free(c->serve.tls_key_file);
    ynode_free(c->doc);
    free(c->path);
    free(c);
}

char *config_default_path(const char *cli_path)
{
    const char *env = getenv("MC_CONFIG");
    if (cli_path && *cli_path)
        return xstrdup(cli_path);
    if (env && *env)
        return xstrdup(env);
    return xdg_path("XDG_CONFIG_HOME", ".config", "mc.yaml");
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil); month and day may run past their range. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void config_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The start of year y: 02-29 falls back to 02-28 in a common year. */
static int64_t year_start_in(int month, int day, int64_t y)
{
    if (month == 2 && day == 29 && !is_leap(y))
        day = 28;
    return days_from_civil(y, month, day);
}

void config_year_span(const Config *c, int64_t now_ms, int64_t *start_day, int64_t *end_day)
{
    int m = c ? c->year_start_month : 1, d = c ? c->year_start_day : 1;
    if (m < 1 || m > 12 || d < 1)
        m = 1, d = 1;
    int64_t today = now_ms >= 0 ? now_ms / 86400000 : (now_ms - 86399999) / 86400000;
    int y, mm, dd;
    config_civil_from_days(today, &y, &mm, &dd);
    int64_t s = year_start_in(m, d, y);
    if (s > today)
        s = year_start_in(m, d, y - 1), y--;
    *start_day = s;
    if (end_day)
        *end_day = year_start_in(m, d, (int64_t)y + 1);
}

void config_year_start(const Config *c, int64_t now_ms, char out[11])
{
    int64_t s;
    int y, m, d;
    config_year_span(c, now_ms, &s, NULL);
    config_civil_from_days(s, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

const SourceConfig *config_source(const Config *c, const char *id)
{
    for (int i = 0; c && id && i < c->nsources; i++)
        if (c->sources[i].id && strcmp(c->sources[i].id, id) == 0)
            return &c->sources[i];
    return NULL;
}

/* alerts_config.c — `alerts:` and `brief:` of mc.yaml into AlertsConfig and
 * BriefConfig (alerts.h). Called by config.c; every error carries
 * FILE:LINE:COLUMN. A rule is a map of its settings, or `off` (also `false`)
 * to disable it; unset settings keep the defaults of DESIGN "Alerts". */
#include <stddef.h>
#include "alerts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util.h"
#include "../ynode.h"
#include "../net/auth.h"

static const char *const alerts_keys[] = {"rules", "notify", "bell", NULL};
static const char *const rule_names[] = {"stale", "failing", "cron", "disk", "mem", "cpu", "service",
                                         "revenue_pace", "data_quality", "agent_cost", "agent_offline",
                                         "blocker_age", "outbox", NULL};
static const char *const target_keys[] = {"kind", "name", "url", "headers", "auth", "argv", "timeout",
                                          "min", "resolved", "renotify", NULL};
static const char *const brief_keys[] = {"at", "tz", "notify", NULL};
static const char *const thr_keys[] = {"warn", "crit", "for", "margin", NULL};

const char *alert_severity_name(AlertSeverity s)
{
    return s == ALERT_CRIT ? "crit" : s == ALERT_WARN ? "warn" : "info";
}

int alert_severity_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "info") == 0)
        return ALERT_INFO;
    if (strcmp(s, "warn") == 0 || strcmp(s, "warning") == 0)
        return ALERT_WARN;
    if (strcmp(s, "crit") == 0 || strcmp(s, "critical") == 0)
        return ALERT_CRIT;
    return -1;
}

void alerts_config_defaults(AlertsConfig *a)
{
    memset(a, 0, sizeof *a);
    AlertRules *r = &a->rules;
    r->stale.enabled = 1, r->stale.after_x = 3;
    r->failing.enabled = 1, r->failing.after = 3;
    r->cron.enabled = 1;
    r->disk.enabled = 1, r->disk.warn = 85, r->disk.crit = 95, r->disk.for_ms = 5 * 60000, r->disk.margin = 2;
    r->mem.enabled = 1, r->mem.warn = 90, r->mem.crit = 97, r->mem.for_ms = 10 * 60000, r->mem.margin = 2;
    r->cpu.enabled = 1, r->cpu.warn = 95, r->cpu.crit = 0, r->cpu.for_ms = 15 * 60000, r->cpu.margin = 5;
    r->service.enabled = 1, r->service.for_ms = 60000;
    r->revenue_pace.enabled = 1, r->revenue_pace.behind_pct = 10;
    r->data_quality.enabled = 1;
    r->agent_cost.enabled = 1, r->agent_cost.daily_usd = 50;
    r->agent_offline.enabled = 1, r->agent_offline.after_ms = 30 * 60000;
    r->blocker_age.enabled = 1, r->blocker_age.after_ms = 48LL * 3600 * 1000;
    r->outbox.enabled = 1;
}

/* `off` / `false` / `no`: 0; a map or blank: 1 (then *map is the map or NULL);
 * anything else is an error. */
static int rule_switch(const YNode *v, const char *name, const YNode **map, int *enabled, char **err)
{
    *map = NULL;
    *enabled = 1;
    if (!v || ynode_is_null(v))
        return 0;
    if (v->type == YN_MAP) {
        *map = v;
        return 0;
    }
    if (v->type == YN_SCALAR && (strcasecmp(v->scalar, "off") == 0 || strcasecmp(v->scalar, "false") == 0 ||
                                 strcasecmp(v->scalar, "no") == 0)) {
        *enabled = 0;
        return 0;
    }
    if (v->type == YN_SCALAR && (strcasecmp(v->scalar, "on") == 0 || strcasecmp(v->scalar, "true") == 0))
        return 0;
    return ynode_error(v, err, "alerts rule '%s' must be a map of its settings or 'off'", name);
}

static int keys_of(const YNode *m, const char *rule, const char *const *keys, char **err)
{
    if (!m)
        return 0;
    char *what = xasprintf("alerts rule '%s'", rule);
    int rc = ynode_check_keys(m, keys, what, err);
    free(what);
    return rc;
}

static int nonneg(const YNode *m, const char *key, double d, char **err)
{
    if (d < 0)
        return ynode_error(ynode_get(m, key), err, "'%s' must not be negative", key);
    return 0;
}

/* stale.after: "3x" (refresh intervals) or a plain number of them. */
static int parse_stale(AlertRules *r, const YNode *m, char **err)
{
    static const char *const k[] = {"after", NULL};
    const YNode *v = ynode_get(m, "after");
    if (keys_of(m, "stale", k, err) < 0)
        return -1;
    if (!v || ynode_is_null(v))
        return 0;
    if (v->type != YN_SCALAR)
        return ynode_error(v, err, "'after' must be a number of refresh intervals like 3x");
    char *end = NULL;
    double d = strtod(v->scalar, &end);
    if (end == v->scalar || (*end && strcmp(end, "x") != 0) || d < 1 || d > 1000)
        return ynode_error(v, err, "'after' must be a number of refresh intervals from 1x to 1000x, like 3x");
    r->stale.after_x = d;
    return 0;
}

static int parse_threshold(const YNode *m, const char *rule, double *warn, double *crit, int64_t *for_ms,
                           double *margin, char **err)
{
    if (keys_of(m, rule, thr_keys, err) < 0 || ynode_double(m, "warn", warn, err) < 0 ||
        ynode_double(m, "crit", crit, err) < 0 || ynode_duration(m, "for", for_ms, err) < 0 ||
        ynode_double(m, "margin", margin, err) < 0)
        return -1;
    if (*warn < 0 || *warn > 100 || *crit < 0 || *crit > 100)
        return ynode_error(m, err, "alerts rule '%s': 'warn' and 'crit' are percentages from 0 to 100", rule);
    if (*crit > 0 && *warn > *crit)
        return ynode_error(ynode_get(m, "warn"), err, "alerts rule '%s': 'warn' must not be above 'crit'", rule);
    return nonneg(m, "margin", *margin, err);
}

static int parse_rule(AlertRules *r, const char *name, const YNode *m, char **err)
{
    static const char *const none[] = {NULL};
    static const char *const after_k[] = {"after", NULL};
    static const char *const for_k[] = {"for", NULL};
    static const char *const pace_k[] = {"behind_pct", "goal_usd", NULL};
    static const char *const cost_k[] = {"daily_usd", NULL};
    if (strcmp(name, "stale") == 0)
        return parse_stale(r, m, err);
    if (strcmp(name, "failing") == 0) {
        long n = r->failing.after;
        if (keys_of(m, name, after_k, err) < 0 || ynode_long(m, "after", 1, 100000, &n, err) < 0)
            return -1;
        r->failing.after = (int)n;
        return 0;
    }
    if (strcmp(name, "disk") == 0)
        return parse_threshold(m, name, &r->disk.warn, &r->disk.crit, &r->disk.for_ms, &r->disk.margin, err);
    if (strcmp(name, "mem") == 0)
        return parse_threshold(m, name, &r->mem.warn, &r->mem.crit, &r->mem.for_ms, &r->mem.margin, err);
    if (strcmp(name, "cpu") == 0)
        return parse_threshold(m, name, &r->cpu.warn, &r->cpu.crit, &r->cpu.for_ms, &r->cpu.margin, err);
    if (strcmp(name, "service") == 0)
        return keys_of(m, name, for_k, err) < 0 ? -1 : ynode_duration(m, "for", &r->service.for_ms, err);
    if (strcmp(name, "revenue_pace") == 0)
        return keys_of(m, name, pace_k, err) < 0 || ynode_double(m, "behind_pct", &r->revenue_pace.behind_pct, err) < 0 ||
                       nonneg(m, "behind_pct", r->revenue_pace.behind_pct, err) < 0 ||
                       ynode_double(m, "goal_usd", &r->revenue_pace.goal_usd, err) < 0
                   ? -1
                   : nonneg(m, "goal_usd", r->revenue_pace.goal_usd, err);
    if (strcmp(name, "agent_cost") == 0)
        return keys_of(m, name, cost_k, err) < 0 || ynode_double(m, "daily_usd", &r->agent_cost.daily_usd, err) < 0
                   ? -1
                   : nonneg(m, "daily_usd", r->agent_cost.daily_usd, err);
    if (strcmp(name, "agent_offline") == 0)
        return keys_of(m, name, after_k, err) < 0 ? -1 : ynode_duration(m, "after", &r->agent_offline.after_ms, err);
    if (strcmp(name, "blocker_age") == 0)
        return keys_of(m, name, after_k, err) < 0 ? -1 : ynode_duration(m, "after", &r->blocker_age.after_ms, err);
    return keys_of(m, name, none, err);   /* data_quality, outbox: no settings */
}

static int *rule_enabled(AlertRules *r, const char *name)
{
    int *const ptrs[] = {&r->stale.enabled, &r->failing.enabled, &r->cron.enabled, &r->disk.enabled,
                         &r->mem.enabled, &r->cpu.enabled, &r->service.enabled, &r->revenue_pace.enabled,
                         &r->data_quality.enabled, &r->agent_cost.enabled, &r->agent_offline.enabled,
                         &r->blocker_age.enabled, &r->outbox.enabled};
    for (int i = 0; rule_names[i]; i++)
        if (strcmp(rule_names[i], name) == 0)
            return ptrs[i];
    return NULL;
}

static int parse_rules(AlertRules *r, const YNode *rules, char **err)
{
    if (!rules || ynode_is_null(rules))
        return 0;
    if (ynode_check_keys(rules, rule_names, "alerts.rules", err) < 0)
        return -1;
    for (int i = 0; i < rules->n; i++) {
        const char *name = rules->keys[i]->scalar;
        const YNode *m;
        int on;
        if (rule_switch(rules->items[i], name, &m, &on, err) < 0)
            return -1;
        *rule_enabled(r, name) = on;
        if (on && parse_rule(r, name, m, err) < 0)
            return -1;
    }
    return 0;
}

static void target_free(NotifyTarget *t)
{
    free(t->name);
    free(t->url);
    strv_free(t->argv);
}

static int parse_target(NotifyTarget *t, const YNode *m, const char *list, int pos, char **err)
{
    char *kind = NULL, *min = NULL;
    t->timeout_ms = 10000;
    t->min = ALERT_WARN;
    t->renotify_ms = 3600 * 1000;
    if (m->type != YN_MAP)
        return ynode_error(m, err, "each %s target must be a map {kind: webhook|command, ...}", list);
    if (ynode_check_keys(m, target_keys, list, err) < 0 || ynode_req_str(m, "kind", &kind, err) < 0)
        return -1;
    int bad = strcmp(kind, "webhook") != 0 && strcmp(kind, "command") != 0;
    t->kind = strcmp(kind, "command") == 0 ? NOTIFY_COMMAND : NOTIFY_WEBHOOK;
    free(kind);
    if (bad)
        return ynode_error(ynode_get(m, "kind"), err, "%s: 'kind' must be webhook or command", list);
    if (ynode_str(m, "name", &t->name, err) < 0 || ynode_str(m, "min", &min, err) < 0 ||
        ynode_duration(m, "timeout", &t->timeout_ms, err) < 0 ||
        ynode_bool(m, "resolved", &t->resolved, err) < 0 ||
        ynode_duration(m, "renotify", &t->renotify_ms, err) < 0) {
        free(min);
        return -1;
    }
    if (min) {
        int s = alert_severity_parse(min);
        free(min);
        if (s < 0)
            return ynode_error(ynode_get(m, "min"), err, "'min' must be info, warn or crit");
        t->min = (AlertSeverity)s;
    }
    if (t->timeout_ms < 100)
        return ynode_error(ynode_get(m, "timeout"), err, "'timeout' must be at least 100ms");
    if (t->name && !t->name[0]) {
        free(t->name);
        t->name = NULL;
    }
    if (!t->name)
        t->name = xasprintf("%s%d", t->kind == NOTIFY_WEBHOOK ? "webhook" : "command", pos + 1);
    if (t->kind == NOTIFY_WEBHOOK) {
        const YNode *av = ynode_get(m, "argv");
        if (av && !ynode_is_null(av))
            return ynode_error(ynode_get(m, "argv"), err, "'argv' is for kind: command");
        if (ynode_req_str(m, "url", &t->url, err) < 0)
            return -1;
        if (strncmp(t->url, "http://", 7) != 0 && strncmp(t->url, "https://", 8) != 0)
            return ynode_error(ynode_get(m, "url"), err, "'url' must start with http:// or https://");
        t->headers = ynode_get(m, "headers");
        if (t->headers && ynode_is_null(t->headers))
            t->headers = NULL;             /* `headers: ~` is not set */
        if (t->headers && (t->headers->type != YN_MAP))
            return ynode_error(t->headers, err, "'headers' must be a map of name: value");
        t->auth = ynode_get(m, "auth");
        if (t->auth && ynode_is_null(t->auth))
            t->auth = NULL;
        HttpAuth a;
        int rc = http_auth_configure(&a, t->auth, err);
        http_auth_free(&a);
        return rc;
    }
    if (ynode_get(m, "url") && !ynode_is_null(ynode_get(m, "url")))
        return ynode_error(ynode_get(m, "url"), err, "'url' is for kind: webhook");
    if (!ynode_get(m, "argv"))
        return ynode_error(m, err, "missing required key 'argv'");
    if (ynode_strv(m, "argv", &t->argv, err) < 0)
        return -1;
    if (!t->argv || !t->argv[0] || !t->argv[0][0])
        return ynode_error(ynode_get(m, "argv"), err, "'argv' must name a program");
    return 0;
}

static int parse_targets(const YNode *seq, const char *list, NotifyTarget **out, int *n, char **err)
{
    if (!seq || ynode_is_null(seq))
        return 0;
    if (seq->type != YN_SEQ)
        return ynode_error(seq, err, "'%s' must be a list of targets (- kind: webhook ...)", list);
    *out = xcalloc((size_t)seq->n + 1, sizeof **out);
    for (int i = 0; i < seq->n; i++) {
        *n = i + 1;
        if (parse_target(&(*out)[i], seq->items[i], list, i, err) < 0)
            return -1;
        for (int j = 0; j < i; j++)
            if (strcmp((*out)[j].name, (*out)[i].name) == 0)
                return ynode_error(seq->items[i], err, "%s: duplicate target name '%s'", list, (*out)[i].name);
    }
    return 0;
}

int alerts_config_parse(AlertsConfig *a, const YNode *m, char **err)
{
    if (!m || ynode_is_null(m))
        return 0;
    if (m->type != YN_MAP)
        return ynode_error(m, err, "'alerts' must be a map of {rules, notify, bell}");
    a->configured = 1;
    if (ynode_check_keys(m, alerts_keys, "alerts", err) < 0 || ynode_bool(m, "bell", &a->bell, err) < 0)
        return -1;
    const YNode *rules = ynode_get(m, "rules");
    if (rules && !ynode_is_null(rules) && rules->type != YN_MAP)
        return ynode_error(rules, err, "'alerts.rules' must be a map of rule: {settings} or rule: off");
    if (parse_rules(&a->rules, rules, err) < 0)
        return -1;
    return parse_targets(ynode_get(m, "notify"), "alerts.notify", &a->targets, &a->ntargets, err);
}

void alerts_config_free(AlertsConfig *a)
{
    for (int i = 0; a->targets && i < a->ntargets; i++)
        target_free(&a->targets[i]);
    free(a->targets);
    a->targets = NULL;
    a->ntargets = 0;
}

void brief_config_defaults(BriefConfig *b)
{
    memset(b, 0, sizeof *b);
    b->at_min = -1;
}

int brief_config_parse(BriefConfig *b, const YNode *m, char **err)
{
    char *at = NULL;
    if (!m || ynode_is_null(m))
        return 0;
    if (m->type != YN_MAP)
        return ynode_error(m, err, "'brief' must be a map of {at, tz, notify}");
    b->configured = 1;
    if (ynode_check_keys(m, brief_keys, "brief", err) < 0 || ynode_str(m, "tz", &b->tz, err) < 0 ||
        ynode_str(m, "at", &at, err) < 0)
        return -1;
    if (at) {
        size_t len = strlen(at), c = len == 4 ? 1 : 2;
        int ok = (len == 4 || len == 5) && at[c] == ':';
        for (size_t i = 0; ok && i < len; i++)
            ok = i == c || (at[i] >= '0' && at[i] <= '9');
        int h = ok ? (c == 1 ? at[0] - '0' : (at[0] - '0') * 10 + at[1] - '0') : -1;
        int mi = ok ? (at[c + 1] - '0') * 10 + at[c + 2] - '0' : -1;
        free(at);
        if (!ok || h > 23 || mi > 59)
            return ynode_error(ynode_get(m, "at"), err, "'at' must be a time of day HH:MM, e.g. \"07:00\"");
        b->at_min = h * 60 + mi;
    }
    if (b->tz && (!b->tz[0] || strstr(b->tz, "..") || b->tz[0] == '/'))
        return ynode_error(ynode_get(m, "tz"), err, "'tz' must be a zone name like America/Chicago");
    return parse_targets(ynode_get(m, "notify"), "brief.notify", &b->targets, &b->ntargets, err);
}

void brief_config_free(BriefConfig *b)
{
    for (int i = 0; b->targets && i < b->ntargets; i++)
        target_free(&b->targets[i]);
    free(b->targets);
    free(b->tz);
    b->targets = NULL;
    b->tz = NULL;
}

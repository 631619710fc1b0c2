/* brief_out.c — prints a Brief (brief.h) as plain text, markdown or JSON.
 * Plain text is for mail and cron: every line at most 80 columns (data text
 * is sanitized first, then lines are cut with "..."), ASCII decorations only.
 * Markdown is for chat: the same content, with data text sanitized and its
 * markdown characters escaped. JSON is for scripts: the field names are part
 * of the contract (mc.1 "mc brief"); text is escaped, never cut. */
#include "brief.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "textsafe.h"

#define WIDTH 80

typedef struct Out {
    Buf *b;
    BriefFormat f;
    int flags;
    const Brief *br;
} Out;

/* Data text made safe: one line, no controls (markdown: its specials escaped). */
static char *safe(const Out *o, const char *s)
{
    char *c = textsafe_clean(s ? s : "", o->flags);
    if (o->f != BRIEF_MARKDOWN)
        return c;
    Buf m = {0};
    buf_puts(&m, "");
    for (const char *p = c; *p; p++) {
        if (strchr("\\`*_[]<>#|~", *p))
            buf_putc(&m, '\\');
        buf_putc(&m, *p);
    }
    free(c);
    return buf_steal(&m);
}

/* s cut to maxw columns ("..." at the end when cut). s is already safe. */
static void put_fit(Buf *b, const char *s, int maxw)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t len = strlen(s), i = 0, cut = (size_t)-1;
    int w = 0;
    while (i < len) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s + i, len - i, &st);
        if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
            n = 1;
            wc = '?';
            memset(&st, 0, sizeof st);
        }
        int cw = wcwidth(wc);
        if (cw < 0)
            cw = 1;
        if (w + cw > maxw - 3 && cut == (size_t)-1)
            cut = i;
        if (w + cw > maxw) {
            buf_append(b, s, cut);
            buf_puts(b, "...");
            return;
        }
        w += cw;
        i += n;
    }
    buf_append(b, s, len);
}

/* One output line (text: cut to 80 columns). */
static void line(Out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(Out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    if (o->f == BRIEF_TEXT)
        put_fit(o->b, s, WIDTH);
    else
        buf_puts(o->b, s);
    buf_putc(o->b, '\n');
    free(s);
}

/* "$1,234,567" (whole dollars), or "$12.34" below $1,000 when cents. */
static void money(double v, int cents, char *out, size_t n)
{
    if (isnan(v)) {
        snprintf(out, n, "-");
        return;
    }
    const char *sign = v < 0 ? "-" : "";
    double a = fabs(v);
    if (cents && a < 1000) {
        snprintf(out, n, "%s$%.2f", sign, a);
        return;
    }
    char digits[32], grouped[32];
    snprintf(digits, sizeof digits, "%.0f", a < 1e15 ? a : 1e15);
    size_t len = strlen(digits), k = 0;
    for (size_t i = 0; i < len && k + 2 < sizeof grouped; i++) {
        if (i && (len - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    size_t o = 0;
    for (const char *p = sign; *p && o + 1 < n; p++)
        out[o++] = *p;
    for (const char *p = "$"; *p && o + 1 < n; p++)
        out[o++] = *p;
    for (const char *p = grouped; *p && o + 1 < n; p++)
        out[o++] = *p;
    if (n)
        out[o] = '\0';
}

static void age(const Brief *b, int64_t t, char *out, size_t n)
{
    if (t <= 0)
        snprintf(out, n, "-");
    else
        time_format_age(b->now > t ? b->now - t : 0, out, n);
}

/* "the last 24h", "the last 7d" */
static void window(const Brief *b, char *out, size_t n)
{
    char d[16];
    long long ms = (long long)(b->now - b->since);
    if (ms % 86400000 == 0 && ms >= 2 * 86400000LL)
        snprintf(d, sizeof d, "%lldd", ms / 86400000);
    else if (ms % 3600000 == 0)
        snprintf(d, sizeof d, "%lldh", ms / 3600000);
    else
        time_format_age(ms, d, sizeof d);
    snprintf(out, n, "the last %s", d);
}

/* ---- text and markdown ---- */

static void head(Out *o, const char *title)
{
    if (o->f == BRIEF_MARKDOWN)
        line(o, "\n## %s", title);
    else
        line(o, "\n%s", title);
}

/* An item line: "  - text" in text, "- text" in markdown. */
#define ITEM(o) ((o)->f == BRIEF_MARKDOWN ? "- " : "  ")

static void blockers_text(Out *o)
{
    const Brief *b = o->br;
    char t[120], *owner = safe(o, b->owner);
    snprintf(t, sizeof t, "Blockers: %s%d need %s", b->blockers >= BRIEF_COUNT_CAP ? "over " : "",
             b->blockers, owner);
    head(o, t);
    if (b->blockers == 0)
        line(o, "%snothing needs %s", ITEM(o), owner);
    else
        line(o, "%soldest first:", o->f == BRIEF_MARKDOWN ? "" : "  ");
    for (int i = 0; i < b->noldest; i++) {
        const BriefBlocker *x = &b->oldest[i];
        char a[16], *from = safe(o, *x->from ? x->from : "?"), *desc = safe(o, x->desc);
        char *src = safe(o, x->source);
        age(b, x->created, a, sizeof a);
        if (o->f == BRIEF_MARKDOWN)
            line(o, "- **%s** %s asks: %s (%s)", a, from, desc, src);
        else
            line(o, "  %-4s %-10.10s %s (%s)", a, from, desc, src);
        free(from);
        free(desc);
        free(src);
    }
    free(owner);
}

static void revenue_text(Out *o)
{
    const Brief *b = o->br;
    head(o, "Revenue");
    if (!b->have_revenue) {
        line(o, "%sno revenue data", ITEM(o));
        return;
    }
    char ytd[32], goal[32], pace[32], diff[32], chg[32];
    money(b->ytd, 0, ytd, sizeof ytd);
    if (b->goal > 0) {
        money(b->goal, 0, goal, sizeof goal);
        double p = b->goal * b->year_frac, d = b->ytd - p;
        money(p, 0, pace, sizeof pace);
        money(fabs(d), 0, diff, sizeof diff);
        line(o, "%sYTD %s of %s goal (%.1f%%), as of %s", ITEM(o), ytd, goal,
             b->ytd / b->goal * 100, b->revenue_date);
        line(o, "%space %s (%.1f%% of the year gone): %s %s", ITEM(o), pace,
             b->year_frac * 100, diff, d >= 0 ? "ahead" : "behind");
    } else {
        line(o, "%sYTD %s, as of %s (no goal: set goal_usd on the revenue widget)", ITEM(o),
             ytd, b->revenue_date);
    }
    if (b->have_change) {
        money(b->change, 0, chg, sizeof chg);
        line(o, "%s%s%s since the previous day's snapshot", ITEM(o), b->change >= 0 ? "+" : "",
             chg);
    }
}

static void jobs_text(Out *o)
{
    const Brief *b = o->br;
    char w[40], t[120];
    window(b, w, sizeof w);
    snprintf(t, sizeof t, "Jobs: %d failed, hung or missed in %s", b->jobs_bad, w);
    head(o, t);
    if (!b->have_jobs) {
        line(o, "%sno cron data", ITEM(o));
        return;
    }
    if (b->jobs_bad == 0)
        line(o, "%sall %d jobs fine", ITEM(o), b->jobs_total);
    for (int i = 0; i < b->njobs; i++) {
        const BriefJob *j = &b->jobs[i];
        char a[16], when[40], *name = safe(o, j->name), *st;
        if (strcmp(j->state, "missed") == 0) {       /* when it did run last, not its status */
            char last[16];
            age(b, j->last, last, sizeof last);
            st = xasprintf("last ran %s ago", last);
        } else {
            st = safe(o, j->status);
        }
        age(b, j->at, a, sizeof a);
        time_format_iso(j->at, when, sizeof when);
        if (o->f == BRIEF_MARKDOWN)
            line(o, "- **%s** %s at %s (%s ago)%s%s", j->state, name, when, a, *st ? ": " : "",
                 st);
        else
            line(o, "  %-6s %-20.20s %s (%s ago)%s%s", j->state, name, when, a,
                 *st ? " " : "", st);
        free(name);
        free(st);
    }
    if (b->jobs_bad > b->njobs)
        line(o, "%s... and %d more", ITEM(o), b->jobs_bad - b->njobs);
}

static void cost_text(Out *o)
{
    const Brief *b = o->br;
    char c[32], t[80];
    snprintf(t, sizeof t, "Agents: cost on %s (UTC)", b->yesterday);
    head(o, t);
    if (!b->have_cost) {
        line(o, "%sno usage data for that day", ITEM(o));
        return;
    }
    money(b->cost, 1, c, sizeof c);
    line(o, "%s%s in total", ITEM(o), c);
    for (int i = 0; i < b->ntop; i++) {
        char *a = safe(o, b->top[i].agent);
        money(b->top[i].usd, 1, c, sizeof c);
        line(o, "%s%-20s %10s", ITEM(o), a, c);
        free(a);
    }
}

static void pct(double v, char *out, size_t n)
{
    if (isnan(v))
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%.0f%%", v);
}

static void system_text(Out *o)
{
    const Brief *b = o->br;
    head(o, "System");
    if (!b->have_system) {
        line(o, "%sno system data", ITEM(o));
        return;
    }
    char cpu[16], mem[16], disk[16], a[16], *host = safe(o, *b->host ? b->host : "host");
    pct(b->cpu, cpu, sizeof cpu);
    pct(b->mem, mem, sizeof mem);
    pct(b->disk, disk, sizeof disk);
    age(b, b->system_ts, a, sizeof a);
    line(o, "%s%s: cpu %s, mem %s, disk %s (%s ago)", ITEM(o), host, cpu, mem, disk, a);
    if (b->services_down > 0) {
        char *names = safe(o, b->down_names);
        line(o, "%s%d of %d services down: %s", ITEM(o), b->services_down, b->services, names);
        free(names);
    } else if (b->services > 0) {
        line(o, "%sall %d services up", ITEM(o), b->services);
    }
    free(host);
}

static void alerts_text(Out *o)
{
    const Brief *b = o->br;
    char t[80];
    snprintf(t, sizeof t, "Alerts: %d crit, %d warn, %d info open", b->alerts[2], b->alerts[1],
             b->alerts[0]);
    head(o, t);
    if (b->nalist == 0)
        line(o, "%snone open", ITEM(o));
    for (int i = 0; i < b->nalist; i++) {
        const BriefAlert *x = &b->alist[i];
        char a[16], *title = safe(o, x->title), *src = safe(o, x->source), *sev = safe(o, x->severity);
        age(b, x->since, a, sizeof a);
        if (o->f == BRIEF_MARKDOWN)
            line(o, "- **%s** %s (%s%s%s ago)", sev, title, src, *src ? ", " : "", a);
        else
            line(o, "  %-4s %-4s %s%s%s%s", sev, a, title, *src ? " (" : "", src, *src ? ")" : "");
        free(title);
        free(src);
        free(sev);
    }
}

static void activity_text(Out *o)
{
    const Brief *b = o->br;
    char w[40], t[120];
    window(b, w, sizeof w);
    snprintf(t, sizeof t, "Activity: %s%d events, %d failures in %s",
             b->events_total >= BRIEF_COUNT_CAP ? "over " : "", b->events_total, b->events_bad, w);
    head(o, t);
    if (b->nevents == 0)
        line(o, "%snothing happened", ITEM(o));
    for (int i = 0; i < b->nevents; i++) {
        const BriefEvent *e = &b->events[i];
        char when[40], *ag = safe(o, e->agent), *ty = safe(o, e->type), *st = safe(o, e->status);
        char *de = safe(o, e->details);
        time_format_iso(e->ts, when, sizeof when);
        memmove(when, when + 11, 6);            /* "HH:MM" */
        when[5] = '\0';
        if (o->f == BRIEF_MARKDOWN)
            line(o, "- %s%s%s %s %s %s: %s", e->bad ? "**" : "", when, e->bad ? "**" : "", ag, ty,
                 st, de);
        else
            line(o, "  %s %s %-10.10s %-8.8s %-7.7s %s", when, e->bad ? "!" : " ", ag, ty, st, de);
        free(ag);
        free(ty);
        free(st);
        free(de);
    }
}

static void render_text(Out *o)
{
    const Brief *b = o->br;
    char now[40], w[40], *owner = safe(o, b->owner);
    time_format_iso(b->now, now, sizeof now);
    now[16] = '\0';
    now[10] = ' ';
    window(b, w, sizeof w);
    if (o->f == BRIEF_MARKDOWN)
        line(o, "# Brief for %s, %s UTC", owner, now);
    else
        line(o, "Brief for %s, %s UTC (%s)", owner, now, w);
    free(owner);
    blockers_text(o);
    revenue_text(o);
    jobs_text(o);
    cost_text(o);
    system_text(o);
    alerts_text(o);
    activity_text(o);
}

/* ---- JSON ---- */

/* "key": with the comma before it unless it opens an object or follows one. */
static void jkey(Buf *b, const char *key)
{
    char last = b->len ? b->s[b->len - 1] : '{';
    buf_printf(b, "%s\"%s\":", strchr("{[,", last) ? "" : ",", key);
}

static void jstr(Buf *b, const char *key, const char *v)
{
    jkey(b, key);
    buf_json_string(b, v ? v : "", 1);
}

static void jnum(Buf *b, const char *key, double v, int decimals)
{
    jkey(b, key);
    if (isnan(v) || isinf(v))
        buf_puts(b, "null");
    else
        buf_printf(b, "%.*f", decimals, v);
}

static void jtime(Buf *b, const char *key, int64_t t)
{
    char iso[40];
    if (t <= 0) {
        jkey(b, key);
        buf_puts(b, "null");
        return;
    }
    time_format_iso(t, iso, sizeof iso);
    jstr(b, key, iso);
}

static void render_json(const Brief *br, Buf *b)
{
    buf_puts(b, "{");
    jtime(b, "generated_at", br->now);
    jtime(b, "since", br->since);
    jstr(b, "owner", br->owner);
    buf_printf(b, ",\n\"blockers\":{\"open\":%d,\"oldest\":[", br->blockers);
    for (int i = 0; i < br->noldest; i++) {
        const BriefBlocker *x = &br->oldest[i];
        buf_puts(b, i ? ",{" : "{");
        jstr(b, "from", x->from);
        jstr(b, "description", x->desc);
        jstr(b, "source", x->source);
        jtime(b, "created_at", x->created);
        buf_printf(b, ",\"age_s\":%lld}", (long long)(x->created > 0 && br->now > x->created ?
                                                      (br->now - x->created) / 1000 : 0));
    }
    buf_puts(b, "]},\n\"revenue\":");
    if (br->have_revenue) {
        double pace = br->goal > 0 ? br->goal * br->year_frac : NAN;
        buf_putc(b, '{');
        jnum(b, "ytd_usd", br->ytd, 2);
        jnum(b, "goal_usd", br->goal > 0 ? br->goal : NAN, 2);
        jnum(b, "pace_usd", pace, 2);
        jnum(b, "ahead_usd", br->ytd - pace, 2);
        jnum(b, "year_fraction", br->year_frac, 4);
        jnum(b, "change_usd", br->have_change ? br->change : NAN, 2);
        jstr(b, "snapshot_date", br->revenue_date);
        buf_putc(b, '}');
    } else {
        buf_puts(b, "null");
    }
    buf_printf(b, ",\n\"jobs\":{\"total\":%d,\"problems\":%d,\"items\":[", br->jobs_total,
               br->jobs_bad);
    for (int i = 0; i < br->njobs; i++) {
        const BriefJob *j = &br->jobs[i];
        buf_puts(b, i ? ",{" : "{");
        jstr(b, "name", j->name);
        jstr(b, "state", j->state);
        jstr(b, "status", j->status);
        jtime(b, "at", j->at);
        jtime(b, "last_run", j->last);
        buf_putc(b, '}');
    }
    buf_puts(b, "]},\n\"cost\":");
    if (br->have_cost) {
        buf_putc(b, '{');
        jstr(b, "date", br->yesterday);
        jnum(b, "total_usd", br->cost, 2);
        buf_puts(b, ",\"top\":[");
        for (int i = 0; i < br->ntop; i++) {
            buf_puts(b, i ? ",{" : "{");
            jstr(b, "agent_id", br->top[i].agent);
            jnum(b, "usd", br->top[i].usd, 2);
            buf_putc(b, '}');
        }
        buf_puts(b, "]}");
    } else {
        buf_puts(b, "null");
    }
    buf_puts(b, ",\n\"system\":");
    if (br->have_system) {
        buf_putc(b, '{');
        jstr(b, "host", br->host);
        jtime(b, "ts", br->system_ts);
        jnum(b, "cpu_pct", br->cpu, 1);
        jnum(b, "mem_pct", br->mem, 1);
        jnum(b, "disk_pct", br->disk, 1);
        buf_printf(b, ",\"services\":%d,\"services_down\":%d,", br->services, br->services_down);
        jstr(b, "down", br->down_names);
        buf_putc(b, '}');
    } else {
        buf_puts(b, "null");
    }
    buf_printf(b, ",\n\"alerts\":{\"crit\":%d,\"warn\":%d,\"info\":%d,\"items\":[", br->alerts[2],
               br->alerts[1], br->alerts[0]);
    for (int i = 0; i < br->nalist; i++) {
        const BriefAlert *x = &br->alist[i];
        buf_puts(b, i ? ",{" : "{");
        jstr(b, "severity", x->severity);
        jstr(b, "title", x->title);
        jstr(b, "source", x->source);
        jtime(b, "first_seen", x->since);
        buf_putc(b, '}');
    }
    buf_printf(b, "]},\n\"activity\":{\"events\":%d,\"failures\":%d,\"items\":[",
               br->events_total, br->events_bad);
    for (int i = 0; i < br->nevents; i++) {
        const BriefEvent *e = &br->events[i];
        buf_puts(b, i ? ",{" : "{");
        jtime(b, "ts", e->ts);
        jstr(b, "agent", e->agent);
        jstr(b, "event_type", e->type);
        jstr(b, "status", e->status);
        jstr(b, "details", e->details);
        buf_printf(b, ",\"failure\":%s}", e->bad ? "true" : "false");
    }
    buf_puts(b, "]}}\n");
}

void brief_render(const Brief *b, BriefFormat f, int flags, Buf *out)
{
    if (f == BRIEF_JSON) {
        render_json(b, out);
        return;
    }
    Out o = {out, f, flags, b};
    render_text(&o);
}

void brief_subject(const Brief *b, const char *date, char *out, size_t n)
{
    snprintf(out, n, "mc brief %s: %d blocker%s, %d crit, %d warn, %d failed job%s", date,
             b->blockers, b->blockers == 1 ? "" : "s", b->alerts[2], b->alerts[1], b->jobs_bad,
             b->jobs_bad == 1 ? "" : "s");
}

/* markdown_tasks.c — the `markdown_tasks` source kind: a hand-kept markdown
 * task list (contracts/files.md "Pending work").
 *
 * Items are `-`, `*`, `+` or `1.` bullets with `[ ]`, `[x]` or `[X]` at any
 * indent, outside fenced code; an item's project is the nearest heading above.
 * An item carrying a blocked marker (or any item, with all_open) becomes a
 * `blockers` row: open while unchecked, resolved=1 once checked, so a resolved
 * blocker shows as resolved rather than vanishing. The whole set replaces the
 * source's rows on each read (CACHE_REPLACE).
 *
 * A row's key is stable across edits elsewhere in the file: a hash of the
 * normalized heading and item text (trimmed, whitespace collapsed, ASCII
 * lowercased), with "#2", "#3"... on duplicates. Bytes are kept as they are
 * (CRLF, BOM, non-UTF-8); only the screen sanitizes.
 *
 * resolve re-reads the file, finds the item by key, checks that the line is
 * still exactly what the last fetch read (fetch keeps each blocker's raw line
 * in the runtime state), flips the one checkbox byte and replaces the file
 * atomically (file_write_atomic keeps its mode). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "../source.h"
#include "../util.h"
#include "fileutil.h"

#define MD_MAX_BYTES ((int64_t)16 << 20)

typedef struct MdCfg {
    char *path;
    char **blocked;              /* NULL-terminated markers */
    char **owner;                /* NULL: derived from Config.owner at fetch */
    int all_open;
    int64_t max_bytes;
} MdCfg;

/* One task item as found in the text; offsets point into the file bytes. */
typedef struct MdItem {
    size_t line_off, line_len;   /* the line without "\n" (a "\r" stays) */
    size_t box;                  /* offset of the byte between the brackets */
    size_t text_off, text_len;   /* item text after the checkbox, trimmed */
    size_t head_off, head_len;   /* nearest heading text (len 0: none) */
    int line_no, checked;
    uint64_t hash;               /* of normalized heading + "\n" + text */
    int dup;                     /* 1 for the first, 2 for "#2"... */
} MdItem;

/* What fetch read for one blocker, for resolve's "changed since" check. */
typedef struct MdSeen {
    char key[40];
    char *raw;                   /* the line as read */
    size_t raw_len, box_rel;
    int line_no;
} MdSeen;

typedef struct MdSelf {
    pthread_mutex_t mu;
    int loaded;                  /* a fetch has filled `seen` */
    int nseen;
    MdSeen *seen;
} MdSelf;

static const char *const md_keys[] = {
    "path", "blocked_markers", "owner_markers", "all_open", "max_bytes", NULL,
};
static const char *const md_default_blocked[] = {
    "BLOCKED", "blocked", "waiting on", "\xE2\x9B\x94" /* ⛔ */, "\xF0\x9F\x94\xB4" /* 🔴 */, NULL,
};

static void md_free_config(void *p)
{
    MdCfg *k = p;
    if (!k)
        return;
    free(k->path);
    strv_free(k->blocked);
    strv_free(k->owner);
    free(k);
}

static char **strv_dup(const char *const *v)
{
    int n = 0;
    while (v[n])
        n++;
    char **out = xcalloc((size_t)n + 1, sizeof *out);
    for (int i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

static int md_configure(SourceConfig *sc, const YNode *map, char **err)
{
    if (source_check_keys(map, md_keys, err))
        return -1;
    MdCfg *k = xcalloc(1, sizeof *k);
    k->max_bytes = MD_MAX_BYTES;
    if (fu_ynode_req_path(map, "path", &k->path, err) ||
        ynode_strv(map, "blocked_markers", &k->blocked, err) ||
        ynode_strv(map, "owner_markers", &k->owner, err) ||
        ynode_bool(map, "all_open", &k->all_open, err) ||
        fu_ynode_size(map, "max_bytes", 1, (int64_t)256 << 20, &k->max_bytes, err)) {
        md_free_config(k);
        return -1;
    }
    if (!k->blocked)
        k->blocked = strv_dup(md_default_blocked);
    sc->kcfg = k;
    return 0;
}

static char *md_watch_path(const SourceConfig *sc)
{
    const MdCfg *k = sc->kcfg;
    return k ? xstrdup(k->path) : NULL;
}

static void seen_clear(MdSelf *s)
{
    for (int i = 0; i < s->nseen; i++)
        free(s->seen[i].raw);
    free(s->seen);
    s->seen = NULL;
    s->nseen = 0;
}

static void *md_open(const SourceConfig *sc)
{
    MdSelf *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

static void md_close(void *self)
{
    MdSelf *s = self;
    if (!s)
        return;
    seen_clear(s);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- parsing ---------------------------------------------------------- */

static int is_sp(char c)
{
    return c == ' ' || c == '\t';
}

/* Feeds the normalized form of s[0..n) to b: whitespace runs become one
 * space, leading/trailing whitespace dropped, ASCII lowercased. */
static void normalize_into(Buf *b, const char *s, size_t n)
{
    int space = 0, any = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            space = any;
            continue;
        }
        if (space)
            buf_putc(b, ' ');
        space = 0;
        any = 1;
        buf_putc(b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
}

/* Heading text of an ATX heading line ("## Revenue ##" -> "Revenue"), or -1. */
static int parse_heading(const char *l, size_t n, size_t *off, size_t *len)
{
    size_t i = 0, h = 0;
    while (i < n && i < 3 && l[i] == ' ')
        i++;
    while (i < n && l[i] == '#' && h < 7)
        i++, h++;
    if (h == 0 || h > 6 || (i < n && !is_sp(l[i])))
        return -1;
    while (i < n && is_sp(l[i]))
        i++;
    size_t e = n;
    while (e > i && (is_sp(l[e - 1]) || l[e - 1] == '\r'))
        e--;
    size_t t = e;                              /* optional closing #s */
    while (t > i && l[t - 1] == '#')
        t--;
    if (t < e && (t == i || is_sp(l[t - 1])))
        for (e = t; e > i && is_sp(l[e - 1]);)
            e--;
    *off = i;
    *len = e - i;
    return 0;
}

/* A task item line: indent, bullet, space, [ ]/[x]/[X], space or end. */
static int parse_item(const char *l, size_t n, MdItem *it)
{
    size_t i = 0;
    while (i < n && is_sp(l[i]))
        i++;
    if (i < n && (l[i] == '-' || l[i] == '*' || l[i] == '+')) {
        i++;
    } else {
        size_t d = i;
        while (i < n && l[i] >= '0' && l[i] <= '9' && i - d < 9)
            i++;
        if (i == d || i >= n || (l[i] != '.' && l[i] != ')'))
            return -1;
        i++;
    }
    if (i >= n || !is_sp(l[i]))
        return -1;
    while (i < n && is_sp(l[i]))
        i++;
    if (i + 3 > n || l[i] != '[' || l[i + 2] != ']' ||
        (l[i + 1] != ' ' && l[i + 1] != 'x' && l[i + 1] != 'X'))
        return -1;
    if (i + 3 < n && !is_sp(l[i + 3]) && l[i + 3] != '\r')
        return -1;
    it->box = i + 1;
    it->checked = l[i + 1] != ' ';
    i += 3;
    while (i < n && is_sp(l[i]))
        i++;
    size_t e = n;
    while (e > i && (is_sp(l[e - 1]) || l[e - 1] == '\r'))
        e--;
    it->text_off = i;
    it->text_len = e - i;
    return 0;
}

static int fence_line(const char *l, size_t n)
{
    size_t i = 0;
    while (i < n && i < 3 && l[i] == ' ')
        i++;
    return n - i >= 3 && (memcmp(l + i, "```", 3) == 0 || memcmp(l + i, "~~~", 3) == 0);
}

static int cmp_hash(const void *a, const void *b)
{
    const MdItem *x = *(MdItem *const *)a, *y = *(MdItem *const *)b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->line_no - y->line_no;
}

/* Finds every task item. Offsets in items are absolute in text. Returns the
 * count; *out is a new array (caller frees). */
static int md_parse(const char *text, size_t len, MdItem **out)
{
    int n = 0, cap = 0, line_no = 0, fenced = 0;
    MdItem *items = NULL;
    size_t head_off = 0, head_len = 0;
    Buf norm = {0};
    size_t pos = fu_bom_len(text, len);
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t l_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *l = text + pos;
        size_t ho, hl;
        MdItem it;
        line_no++;
        if (fence_line(l, l_len)) {
            fenced = !fenced;
        } else if (!fenced && parse_heading(l, l_len, &ho, &hl) == 0) {
            head_off = pos + ho;
            head_len = hl;
        } else if (!fenced && parse_item(l, l_len, &it) == 0) {
            it.line_off = pos;
            it.line_len = l_len;
            it.box += pos;
            it.text_off += pos;
            it.head_off = head_off;
            it.head_len = head_len;
            it.line_no = line_no;
            norm.len = 0;
            normalize_into(&norm, text + head_off, head_len);
            buf_putc(&norm, '\n');
            normalize_into(&norm, text + it.text_off, it.text_len);
            it.hash = hash64(norm.s, norm.len);
            it.dup = 1;
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                items = xrealloc(items, (size_t)cap * sizeof *items);
            }
            items[n++] = it;
        }
        pos += l_len + (nl ? 1 : 0);
        if (!nl)
            break;
    }
    buf_free(&norm);
    if (n > 1) {                              /* number duplicates in file order */
        MdItem **by = xmalloc((size_t)n * sizeof *by);
        for (int i = 0; i < n; i++)
            by[i] = &items[i];
        qsort(by, (size_t)n, sizeof *by, cmp_hash);
        for (int i = 1; i < n; i++)
            if (by[i]->hash == by[i - 1]->hash)
                by[i]->dup = by[i - 1]->dup + 1;
        free(by);
    }
    *out = items;
    return n;
}

static void item_key(const MdItem *it, char *out, size_t outsz)
{
    char hex[17];
    fu_hex64(it->hash, hex);
    if (it->dup > 1)
        snprintf(out, outsz, "%s#%d", hex, it->dup);
    else
        snprintf(out, outsz, "%s", hex);
}

static int has_marker(const char *s, size_t n, char *const *markers)
{
    for (int i = 0; markers && markers[i]; i++)
        if (markers[i][0] && fu_find_marker(s, n, markers[i]))
            return 1;
    return 0;
}

/* The owner markers: configured, or "needs <Owner>", "@<owner>", "waiting on <Owner>". */
static char **owner_markers(const MdCfg *k, const Config *cfg)
{
    if (k->owner)
        return strv_dup((const char *const *)k->owner);
    const char *o = cfg && cfg->owner ? cfg->owner : "Apple";
    char **v = xcalloc(4, sizeof *v);
    v[0] = xasprintf("needs %s", o);
    v[1] = xasprintf("@%s", o);
    v[2] = xasprintf("waiting on %s", o);
    return v;
}

/* ---- fetch ------------------------------------------------------------ */

/* Appends a blocker row for item it and records its raw line in seen. */
static void add_row(Rows *rows, const MdItem *it, const char *text, int needs_owner,
                    const char *owner, MdSeen *seen)
{
    const Dataset *ds = rows->ds;
    Buf ctxb = {0};
    int r = rows_add(rows);
    item_key(it, seen->key, sizeof seen->key);
    rows_set_text(rows, r, dataset_field(ds, "key"), seen->key);
    rows_set_textn(rows, r, dataset_field(ds, "description"), text + it->text_off, it->text_len);
    if (it->head_len) {
        buf_puts(&ctxb, "project: ");
        buf_append(&ctxb, text + it->head_off, it->head_len);
        buf_puts(&ctxb, " \xC2\xB7 ");
    }
    if (needs_owner)
        buf_printf(&ctxb, "needs %s \xC2\xB7 ", owner);
    buf_printf(&ctxb, "line %d", it->line_no);
    rows_set_text(rows, r, dataset_field(ds, "context"), ctxb.s);
    rows_set_int(rows, r, dataset_field(ds, "resolved"), it->checked);
    rows_set_text(rows, r, dataset_field(ds, "state"), it->checked ? "resolved" : "open");
    buf_free(&ctxb);
    seen->raw = xstrndup(text + it->line_off, it->line_len);
    seen->raw_len = it->line_len;
    seen->box_rel = it->box - it->line_off;
    seen->line_no = it->line_no;
}

static int md_fetch(void *self, FetchCtx *ctx)
{
    MdSelf *s = self;
    const MdCfg *k = ctx->src->kcfg;
    struct stat st;
    char fp[96];
    if (stat(k->path, &st) != 0) {
        set_err(&ctx->err, "%s: cannot read: %s", k->path, strerror(errno));
        return -1;
    }
    fu_fingerprint(&st, fp, sizeof fp);
    int loaded = 0;
    if (s) {
        pthread_mutex_lock(&s->mu);
        loaded = s->loaded;
        pthread_mutex_unlock(&s->mu);
    }
    if (loaded && ctx->state->etag && strcmp(ctx->state->etag, fp) == 0) {
        ctx->not_modified = 1;
        return 0;
    }
    char *text = NULL, *err = NULL;
    size_t len = 0;
    if (file_read_until(k->path, (size_t)k->max_bytes, ctx->deadline_ms, &text, &len, &err) != 0) {
        set_err(&ctx->err, "%s", err);
        free(err);
        return -1;
    }
    MdItem *items = NULL;
    int n = md_parse(text, len, &items);
    char **owners = owner_markers(k, ctx->config);
    const char *owner = ctx->config && ctx->config->owner ? ctx->config->owner : "Apple";
    Rows *rows = rows_new(dataset_get(DS_BLOCKERS));
    MdSeen *seen = xcalloc((size_t)n + 1, sizeof *seen);
    int nseen = 0;
    for (int i = 0; i < n; i++) {
        const char *t = text + items[i].text_off;
        size_t tl = items[i].text_len;
        if (!k->all_open && !has_marker(t, tl, k->blocked))
            continue;
        add_row(rows, &items[i], text, has_marker(t, tl, owners), owner, &seen[nseen++]);
    }
    char *old_etag = ctx->state->etag;
    ctx->state->etag = xstrdup(fp);
    int rc = fetch_commit(ctx, &rows, 1, CACHE_REPLACE);
    if (rc == 0)
        free(old_etag);
    if (rc == 0 && s) {
        pthread_mutex_lock(&s->mu);
        seen_clear(s);
        s->seen = seen;
        s->nseen = nseen;
        s->loaded = 1;
        pthread_mutex_unlock(&s->mu);
    } else {
        if (rc != 0) {
            free(ctx->state->etag);
            ctx->state->etag = old_etag;
        }
        for (int i = 0; i < nseen; i++)
            free(seen[i].raw);
        free(seen);
    }
    rows_free(rows);
    strv_free(owners);
    free(items);
    free(text);
    return rc;
}

/* ---- resolve ---------------------------------------------------------- */

/* Copies what fetch saw for key into *out (raw is a new string); 0 when none. */
static int seen_lookup(MdSelf *s, const char *key, MdSeen *out)
{
    int found = 0;
    if (!s)
        return 0;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->nseen && !found; i++) {
        if (strcmp(s->seen[i].key, key) == 0) {
            *out = s->seen[i];
            out->raw = xstrndup(s->seen[i].raw, s->seen[i].raw_len);
            found = 1;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

/* Same line apart from the checkbox byte? */
static int same_line(const MdSeen *was, const char *now, size_t now_len, size_t box_rel)
{
    if (was->raw_len != now_len || was->box_rel != box_rel)
        return 0;
    return memcmp(was->raw, now, box_rel) == 0 &&
           memcmp(was->raw + box_rel + 1, now + box_rel + 1, now_len - box_rel - 1) == 0;
}

/* One attempt: read, find, check, flip, write. Returns a ResolveResult, or
 * -1 when the file changed under us between reading and writing (try again). */
static int md_try_resolve(const char *path, const MdSeen *was, int have_was, const ResolveReq *req,
                          int want_checked, ResolveOut *out)
{
    struct stat st1, st2;
    char *text = NULL, *err = NULL, fp1[96], fp2[96], snip[100], snip2[100];
    size_t len = 0;
    if (stat(path, &st1) != 0) {
        int e = errno;
        set_err(&out->message, "%s: cannot read: %s", path, strerror(e));
        return e == ENOENT ? RESOLVE_FAIL : RESOLVE_RETRY;
    }
    if (file_read_all(path, (size_t)MD_MAX_BYTES * 16, &text, &len, &err) != 0) {
        set_err(&out->message, "%s", err);
        free(err);
        return RESOLVE_RETRY;
    }
    MdItem *items = NULL, *it = NULL;
    int n = md_parse(text, len, &items), rc = RESOLVE_OK;
    char key[40];
    for (int i = 0; i < n && !it; i++) {
        item_key(&items[i], key, sizeof key);
        if (strcmp(key, req->key) == 0)
            it = &items[i];
    }
    if (!it) {
        if (have_was) {
            fu_snippet(was->raw, was->raw_len, snip, sizeof snip);
            set_err(&out->message, "%s: line changed since it was read: line %d was \"%s\" and is no longer there",
                    path, was->line_no, snip);
        } else {
            set_err(&out->message, "%s: no task with key %s: the line changed or was removed since it was read",
                    path, req->key);
        }
        rc = RESOLVE_FAIL;
    } else if (have_was && !same_line(was, text + it->line_off, it->line_len, it->box - it->line_off)) {
        fu_snippet(was->raw, was->raw_len, snip, sizeof snip);
        fu_snippet(text + it->line_off, it->line_len, snip2, sizeof snip2);
        set_err(&out->message, "%s:%d: line changed since it was read: was \"%s\", now \"%s\"",
                path, it->line_no, snip, snip2);
        rc = RESOLVE_FAIL;
    } else if (it->checked != want_checked) {
        text[it->box] = want_checked ? 'x' : ' ';
        fu_fingerprint(&st1, fp1, sizeof fp1);
        if (stat(path, &st2) == 0 && (fu_fingerprint(&st2, fp2, sizeof fp2), strcmp(fp1, fp2) != 0)) {
            rc = -1;                           /* edited while we looked: start over */
        } else if (file_write_atomic(path, text, len, 0644, &err) != 0) {
            set_err(&out->message, "%s", err);
            free(err);
            rc = RESOLVE_RETRY;
        }
    }
    free(items);
    free(text);
    return rc;
}

static ResolveResult md_resolve(void *self, const SourceConfig *sc, const Config *cfg,
                                const ResolveReq *req, ResolveOut *out)
{
    const MdCfg *k = sc->kcfg;
    int want;
    if (req->action && strcmp(req->action, "resolve") == 0)
        want = 1;
    else if (req->action && strcmp(req->action, "unresolve") == 0)
        want = 0;
    else {
        set_err(&out->message, "%s: unknown action '%s'", sc->id, req->action ? req->action : "?");
        return RESOLVE_UNSUPPORTED;
    }
    if (!req->key || !req->key[0]) {
        set_err(&out->message, "%s: no key to resolve", sc->id);
        return RESOLVE_FAIL;
    }
    /* write through a symlink to its target, as an editor would */
    char *real = realpath(k->path, NULL);
    if (!real) {
        set_err(&out->message, "%s: %s", k->path, strerror(errno));
        return errno == ENOENT ? RESOLVE_FAIL : RESOLVE_RETRY;
    }
    MdSeen was;
    memset(&was, 0, sizeof was);
    int have_was = seen_lookup(self, req->key, &was);
    int rc = -1;
    for (int attempt = 0; attempt < 5 && rc == -1; attempt++)
        rc = md_try_resolve(real, &was, have_was, req, want, out);
    if (rc == -1) {
        set_err(&out->message, "%s: the file keeps changing; try again", k->path);
        rc = RESOLVE_RETRY;
    }
    free(was.raw);
    free(real);
    return (ResolveResult)rc;
}

/* A checkbox can be ticked and cleared. */
static int md_supports(const SourceConfig *sc, const char *action)
{
    return !strcmp(action, "resolve") || !strcmp(action, "unresolve");
}

const SourceClass src_markdown_tasks_class = {
    .kind = "markdown_tasks",
    .summary = "a markdown task list: blocked items are blockers; resolve checks the box",
    .datasets = DS_BIT(DS_BLOCKERS),
    .configure = md_configure,
    .free_config = md_free_config,
    .open = md_open,
    .close = md_close,
    .fetch = md_fetch,
    .resolve = md_resolve,
    .watch_path = md_watch_path,
    .supports = md_supports,
};

/* markdown_tasks.c — the `markdown_tasks` source kind: a hand-kept markdown
 * task list (mc.1 "FILE FORMATS", Pending work).
 *
 * Items are `-`, `*`, `+` or `1.` bullets with `[ ]`, `[x]` or `[X]` at any
 * indent, outside fenced code; an item's project is the nearest heading above.
 * An item that names the owner (owner markers: "needs Apple", "@apple",
 * "waiting on Apple" by default, from the config's owner) is a blocker for the
 * owner (for_owner=1); one that carries a blocked marker but names no owner is
 * a blocker with for_owner=0 (shown, counted apart); with all_open every item
 * is a blocker. A row is open while unchecked, resolved=1 once checked, so a
 * resolved blocker shows as resolved rather than vanishing. The whole set
 * replaces the source's rows on each read (CACHE_REPLACE).
 *
 * A row's key is stable across edits elsewhere in the file: a hash of the
 * normalized heading and item text (trimmed, whitespace collapsed, ASCII
 * lowercased), with "#2", "#3"... on duplicates. Bytes are kept as they are
 * (CRLF, BOM, non-UTF-8); only the screen sanitizes.
 *
 * Each row keeps what was read in read_as ("LINE:HASH:ABOVE:TWINS:TEXT":
 * line number, hash of the line and hash of everything above it, checkbox
 * bytes blanked, how many items had those same bytes, and the line's
 * printable start), which the outbox carries to delivery. resolve re-reads
 * the file and takes the items with the key's text: the one with the same
 * bytes and the same bytes above it is the one read; else, when it had no
 * twin, the only one with the same bytes anywhere (it moved). It
 * refuses when the line changed ("line changed since it was read") or when
 * several items could be it (ambiguous): it never guesses. Then it flips the
 * one checkbox byte and replaces the file atomically (file_write_atomic
 * keeps its mode): markdown_resolve.c. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "../source.h"
#include "../util.h"
#include "fileutil.h"
#include "markdown_tasks.h"

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
int md_parse(const char *text, size_t len, MdItem **out)
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

void md_item_key(const MdItem *it, char *out, size_t outsz)
{
    char hex[17];
    fu_hex64(it->hash, hex);
    if (it->dup > 1)
        snprintf(out, outsz, "%s#%d", hex, it->dup);
    else
        snprintf(out, outsz, "%s", hex);
}

/* Hash of an item's line with the checkbox byte blanked, so the line reads
 * the same ticked or not (an undo checks against the line read before). */
uint64_t md_line_hash(const char *text, const MdItem *it)
{
    Buf b = {0};
    buf_append(&b, text + it->line_off, it->line_len);
    if (b.len)
        b.s[it->box - it->line_off] = ' ';
    uint64_t h = hash64(b.s ? b.s : "", b.len);
    buf_free(&b);
    return h;
}

/* FNV-1a 64 (as hash64), fed in pieces. */
static uint64_t fnv_feed(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* For each item, a hash of every byte above its line with the checkbox
 * bytes of the items above blanked: equal when nothing above it changed but
 * ticks (another resolve does not make a line "moved"). One pass. */
void md_above_hashes(const char *text, const MdItem *items, int n, uint64_t *out)
{
    uint64_t h = 1469598103934665603ULL;
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        h = fnv_feed(h, text + at, items[i].line_off - at);
        out[i] = h;
        h = fnv_feed(h, text + items[i].line_off, items[i].box - items[i].line_off);
        h = fnv_feed(h, " ", 1);
        at = items[i].box + 1;
    }
}

typedef struct Twin {
    uint64_t hash, line;
    int i;
} Twin;

static int cmp_twin(const void *a, const void *b)
{
    const Twin *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->i - y->i;
}

/* out[i]: how many items have items[i]'s key text and the same line bytes
 * (1: it is the only one, so found elsewhere it can only have moved). */
static void count_twins(const char *text, const MdItem *items, int n, int *out)
{
    Twin *t = xmalloc(((size_t)n + 1) * sizeof *t);
    for (int i = 0; i < n; i++)
        t[i] = (Twin){items[i].hash, md_line_hash(text, &items[i]), i};
    qsort(t, (size_t)n, sizeof *t, cmp_twin);
    for (int a = 0, b; a < n; a = b) {
        for (b = a + 1; b < n && t[b].hash == t[a].hash && t[b].line == t[a].line;)
            b++;
        for (int j = a; j < b; j++)
            out[t[j].i] = b - a;
    }
    free(t);
}

/* read_as of an item: "LINE:HASH:ABOVE:TWINS:TEXT". Returns a new string. */
static char *read_as_of(const char *text, const MdItem *it, uint64_t above, int twins)
{
    char hex[17], hex2[17], snip[MD_READ_TEXT];
    fu_hex64(md_line_hash(text, it), hex);
    fu_hex64(above, hex2);
    fu_snippet(text + it->line_off, it->line_len, snip, sizeof snip);
    return xasprintf("%d:%s:%s:%d:%s", it->line_no, hex, hex2, twins, snip);
}

/* 16 hex digits and a ':' at *p into *v, advancing *p. 0 or -1. */
static int hex_field(const char **p, uint64_t *v)
{
    *v = 0;
    for (int i = 0; i < 16; i++) {
        char c = (*p)[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v << 4 | (uint64_t)d;
    }
    if ((*p)[16] != ':')
        return -1;
    *p += 17;
    return 0;
}

/* Parses read_as; 0 when it is well formed. */
int md_read_as_parse(const char *s, MdRead *out)
{
    char *end;
    if (!s)
        return -1;
    errno = 0;
    long line = strtol(s, &end, 10);
    if (end == s || errno || line < 1 || line > INT_MAX || *end != ':')
        return -1;
    const char *p = end + 1;
    if (hex_field(&p, &out->hash) != 0 || hex_field(&p, &out->above) != 0)
        return -1;
    errno = 0;
    long twins = strtol(p, &end, 10);
    if (end == p || errno || twins < 1 || twins > INT_MAX || *end != ':')
        return -1;
    p = end + 1;
    out->twins = (int)twins;
    out->line_no = (int)line;
    snprintf(out->text, sizeof out->text, "%s", p);
    return 0;
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

/* Appends a blocker row for item it, with what was read in read_as. */
static void add_row(Rows *rows, const MdItem *it, const char *text, int needs_owner,
                    const char *owner, uint64_t above, int twins)
{
    const Dataset *ds = rows->ds;
    Buf ctxb = {0};
    char key[40];
    int r = rows_add(rows);
    md_item_key(it, key, sizeof key);
    rows_set_text(rows, r, dataset_field(ds, "key"), key);
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
    rows_set_int(rows, r, dataset_field(ds, "for_owner"), needs_owner);
    char *read_as = read_as_of(text, it, above, twins);
    rows_set_text(rows, r, dataset_field(ds, "read_as"), read_as);
    free(read_as);
    buf_free(&ctxb);
}

static int md_fetch(void *self, FetchCtx *ctx)
{
    const MdCfg *k = ctx->src->kcfg;
    struct stat st;
    char fp[96];
    if (stat(k->path, &st) != 0) {
        set_err(&ctx->err, "%s: cannot read: %s", k->path, strerror(errno));
        return -1;
    }
    fu_fingerprint(&st, fp, sizeof fp);
    if (ctx->state->etag && strcmp(ctx->state->etag, fp) == 0) {
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
    uint64_t *above = xmalloc(((size_t)n + 1) * sizeof *above);
    int *twins = xmalloc(((size_t)n + 1) * sizeof *twins);
    md_above_hashes(text, items, n, above);
    count_twins(text, items, n, twins);
    for (int i = 0; i < n; i++) {
        const char *t = text + items[i].text_off;
        size_t tl = items[i].text_len;
        /* naming the owner makes a blocker for the owner, marker or not */
        int for_owner = has_marker(t, tl, owners);
        if (!k->all_open && !for_owner && !has_marker(t, tl, k->blocked))
            continue;
        add_row(rows, &items[i], text, for_owner, owner, above[i], twins[i]);
    }
    free(above);
    free(twins);
    char *old_etag = ctx->state->etag;
    ctx->state->etag = xstrdup(fp);
    int rc = fetch_commit(ctx, &rows, 1, CACHE_REPLACE);
    if (rc == 0) {
        free(old_etag);
    } else {
        free(ctx->state->etag);
        ctx->state->etag = old_etag;
    }
    rows_free(rows);
    strv_free(owners);
    free(items);
    free(text);
    return rc;
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
    .fetch = md_fetch,
    .resolve = src_markdown_tasks_resolve,
    .watch_path = md_watch_path,
    .supports = md_supports,
};

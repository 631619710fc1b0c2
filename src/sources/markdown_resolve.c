/* markdown_resolve.c — write-back for the `markdown_tasks` source kind:
 * resolve ticks one task's box, unresolve clears it, and nothing else in the
 * file changes (file_write_atomic: temp file, fsync, rename, owner and mode
 * kept).
 *
 * The request carries the blocker row's read_as: what was read when the user
 * saw the item (line number, hash of the line and of the text above it, both
 * with checkbox bytes blanked). Of the items with the key's text, the one
 * with the same line and the same text above is the one seen; else, when no
 * other item had the same line then, the only one with it anywhere (moved). A line that changed since it
 * was read, even in case or spacing, is refused with "line changed since it
 * was read"; several items that could be the one seen (an identical item
 * added above it; duplicates with nothing to tell them apart) are refused
 * as ambiguous. Never a guess: nothing is written and the message says why.
 * Without read_as (a row never cached) the key decides, when one item has
 * its text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../util.h"
#include "fileutil.h"
#include "markdown_tasks.h"

#define MD_MAX_LISTED 8              /* line numbers named in an ambiguity message */

/* The items that could be req_key: those with its text (its key without a
 * "#N" suffix). Returns the count; idx gets their indexes (up to n). */
static int candidates(const MdItem *items, int n, const char *req_key, int *idx)
{
    size_t base = strcspn(req_key, "#");
    int nc = 0;
    for (int i = 0; i < n; i++) {
        char hex[17];
        fu_hex64(items[i].hash, hex);
        if (base == 16 && memcmp(hex, req_key, 16) == 0)
            idx[nc++] = i;
    }
    return nc;
}

/* "2, 3, 7" for the lines of the items in idx (the first MD_MAX_LISTED). */
static void list_lines(const MdItem *items, const int *idx, int nidx, char *out, size_t outsz)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < nidx && i < MD_MAX_LISTED && o < outsz; i++)
        o += (size_t)snprintf(out + o, outsz - o, "%s%d", i ? ", " : "", items[idx[i]].line_no);
    if (nidx > MD_MAX_LISTED && o < outsz)
        snprintf(out + o, outsz - o, ", ...");
}

/* Picks the item to change, or NULL with out->message set. `was` is what
 * the user saw (NULL: unknown). Never guesses: with what was read, the item
 * with the same bytes and the same bytes above it, else the only one with
 * the same bytes anywhere if it had no twin then; without it, the only item
 * with the key's text. */
static const MdItem *pick_item(const char *path, const char *text, const MdItem *items, int n,
                               const char *req_key, const MdRead *was, ResolveOut *out)
{
    int *idx = xmalloc(((size_t)n + 1) * sizeof *idx);
    int *same = xmalloc(((size_t)n + 1) * sizeof *same);
    uint64_t *above = xmalloc(((size_t)n + 1) * sizeof *above);
    int nc = candidates(items, n, req_key, idx), ns = 0;
    const MdItem *it = NULL;
    char lines[96], snip[100];
    md_above_hashes(text, items, n, above);
    for (int i = 0; was && i < nc; i++) {
        if (md_line_hash(text, &items[idx[i]]) != was->hash)
            continue;
        if (above[idx[i]] == was->above)
            it = &items[idx[i]];                  /* where it was, as it was */
        same[ns++] = idx[i];
    }
    if (!it && was && ns == 1 && was->twins == 1)
        it = &items[same[0]];                     /* moved, unchanged, and it had no twin */
    int at_read_line = 0;                         /* an item with the key's text is still on that line */
    for (int i = 0; was && i < nc; i++)
        at_read_line |= items[idx[i]].line_no == was->line_no;
    if (it) {
        /* found: the one seen */
    } else if (nc == 0 && was) {
        set_err(&out->message, "%s: line changed since it was read: line %d was \"%s\" and is no longer there",
                path, was->line_no, was->text);
    } else if (nc == 0) {
        set_err(&out->message, "%s: no task with key %s: the line changed or was removed since it was read",
                path, req_key);
    } else if (was && ns > 1) {
        list_lines(items, same, ns, lines, sizeof lines);
        set_err(&out->message, "%s: ambiguous: %d items look like line %d as it was read (now lines %s)"
                " and the text above it changed; nothing was written: tick the box in the file by hand",
                path, ns, was->line_no, lines);
    } else if (was && ns == 1 && !at_read_line) {
        set_err(&out->message, "%s: ambiguous: %d identical items when line %d was read, one left"
                " (line %d) that may not be the one seen; nothing was written: tick the box in the"
                " file by hand", path, was->twins, was->line_no, items[same[0]].line_no);
    } else if (was) {
        const MdItem *now = &items[idx[0]];       /* the same text, other bytes */
        for (int i = 0; i < nc; i++)
            if (items[idx[i]].line_no == was->line_no)
                now = &items[idx[i]];
        fu_snippet(text + now->line_off, now->line_len, snip, sizeof snip);
        set_err(&out->message, "%s:%d: line changed since it was read: was \"%s\", now \"%s\"",
                path, now->line_no, was->text, snip);
    } else if (nc > 1) {
        list_lines(items, idx, nc, lines, sizeof lines);
        set_err(&out->message, "%s: ambiguous: %d items have the text of %s (lines %s) and nothing says"
                " which was seen; nothing was written: tick the box in the file by hand",
                path, nc, req_key, lines);
    } else {
        char key[40];
        md_item_key(&items[idx[0]], key, sizeof key);
        if (strcmp(key, req_key) == 0)
            it = &items[idx[0]];
        else
            set_err(&out->message, "%s: no task with key %s: the line changed or was removed since it was read",
                    path, req_key);
    }
    free(idx);
    free(same);
    free(above);
    return it;
}

/* One attempt: read, find, check, flip, write. Returns a ResolveResult, or
 * -1 when the file changed under us between reading and writing (try again). */
static int md_try_resolve(const char *path, const MdRead *was, const ResolveReq *req,
                          int want_checked, ResolveOut *out)
{
    struct stat st1, st2;
    char *text = NULL, *err = NULL, fp1[96], fp2[96];
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
    MdItem *items = NULL;
    int n = md_parse(text, len, &items), rc = RESOLVE_OK;
    const MdItem *it = pick_item(path, text, items, n, req->key, was, out);
    if (!it) {
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

ResolveResult src_markdown_tasks_resolve(void *self, const SourceConfig *sc, const Config *cfg,
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
    MdRead was;
    int have_was = md_read_as_parse(req->read_as, &was) == 0;
    int rc = -1;
    for (int attempt = 0; attempt < 5 && rc == -1; attempt++)
        rc = md_try_resolve(real, have_was ? &was : NULL, req, want, out);
    if (rc == -1) {
        set_err(&out->message, "%s: the file keeps changing; try again", k->path);
        rc = RESOLVE_RETRY;
    }
    free(real);
    return (ResolveResult)rc;
}

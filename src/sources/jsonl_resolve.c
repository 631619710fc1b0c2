/* jsonl_resolve.c — write-back for the `jsonl` source kind: resolving a
 * handoff blocker appends one resolution line to the handoffs file
 * ({"type":"resolution","ref":KEY,"by":...,"ts":...,"note":...,
 * "idempotency_key":...}), which the next fetch reads back like any other line.
 *
 * The line goes out as a single write() in O_APPEND mode under flock(LOCK_EX),
 * then fdatasync, so concurrent writers that follow the same contract never
 * interleave. Nobody's bytes are ever changed: when the file does not end in a
 * newline (another writer's torn line), our write starts with "\n" so that our
 * line is whole and the fragment stays a bad line of its own. A resolve whose
 * idempotency key is already in the file (a retry after a crash or timeout)
 * writes nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../util.h"
#include "jsonl.h"

/* Returns 1 when the file already holds `needle`, 0 when not, -1 on error. */
static int file_contains(int fd, const char *needle)
{
    size_t nlen = strlen(needle), cap = 1 << 20;
    char *buf = xmalloc(cap + nlen);
    size_t keep = 0;
    int64_t off = 0;
    int found = -1;
    for (;;) {
        ssize_t n = pread(fd, buf + keep, cap, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (n == 0) {
            found = 0;
            break;
        }
        off += n;
        size_t have = keep + (size_t)n;
        if (memmem(buf, have, needle, nlen)) {
            found = 1;
            break;
        }
        keep = have < nlen - 1 ? have : nlen - 1;
        memmove(buf, buf + have - keep, keep);
    }
    free(buf);
    return found;
}

/* Takes the advisory lock, waiting at most ~5 s. */
static int lock_wait(int fd)
{
    for (int i = 0; i < 500; i++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        usleep(10000);
    }
    errno = EWOULDBLOCK;
    return -1;
}

static char *resolution_line(const ResolveReq *req, const char *by)
{
    char iso[32];
    time_format_iso(req->now_ms ? req->now_ms : now_ms(), iso, sizeof iso);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "type", "resolution");
    cJSON_AddStringToObject(j, "ref", req->key);
    cJSON_AddStringToObject(j, "by", by);
    cJSON_AddStringToObject(j, "ts", iso);
    cJSON_AddStringToObject(j, "note", req->note ? req->note : "");
    if (req->idempotency_key && req->idempotency_key[0])
        cJSON_AddStringToObject(j, "idempotency_key", req->idempotency_key);
    char *p = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    char *line = xasprintf("%s\n", p);
    cJSON_free(p);
    return line;
}

/* Appends the line with one write() (looping only on a short write, still
 * under the lock). When the file does not end in a newline (someone's torn
 * last line), a "\n" goes in front of ours in the same write: the other
 * writer's bytes are left exactly as they are (readers count that fragment as
 * one bad line) and our line is always whole. */
static int append_line(int fd, const char *line, char **why)
{
    struct stat st;
    char last = '\n';
    if (fstat(fd, &st) != 0 || (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)) {
        set_err(why, "cannot read the file's end: %s", strerror(errno));
        return -1;
    }
    char *out = xasprintf("%s%s", last == '\n' ? "" : "\n", line);
    size_t len = strlen(out), off = 0;
    while (off < len) {
        ssize_t n = write(fd, out + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            set_err(why, "write failed: %s", n < 0 ? strerror(errno) : "no progress");
            free(out);
            return -1;
        }
        off += (size_t)n;
    }
    free(out);
    if (fdatasync(fd) != 0) {
        set_err(why, "fsync failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}

ResolveResult src_jsonl_resolve(void *self, const SourceConfig *sc, const Config *cfg,
                                 const ResolveReq *req, ResolveOut *out)
{
    const JsonlCfg *k = sc->kcfg;
    if (!req->action || strcmp(req->action, "resolve") != 0) {
        set_err(&out->message, "%s: a handoffs file can only take resolutions, not '%s'", sc->id,
                req->action ? req->action : "?");
        return RESOLVE_UNSUPPORTED;
    }
    if (!req->key || !req->key[0]) {
        set_err(&out->message, "%s: no key to resolve", sc->id);
        return RESOLVE_FAIL;
    }
    const char *by = req->by && req->by[0] ? req->by : (cfg && cfg->user ? cfg->user : "mc");
    int fd = open(k->path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        set_err(&out->message, "%s: cannot open for append: %s", k->path, strerror(e));
        return (e == ENOENT || e == EACCES || e == EROFS || e == EISDIR) ? RESOLVE_FAIL : RESOLVE_RETRY;
    }
    struct stat fst;
    if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {   /* a FIFO would block the read below */
        set_err(&out->message, "%s: not a regular file", k->path);
        close(fd);
        return RESOLVE_FAIL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (lock_wait(fd) != 0) {
        set_err(&out->message, "%s: cannot lock: %s", k->path, strerror(errno));
        close(fd);
        return RESOLVE_RETRY;
    }
    char *line = resolution_line(req, by);
    ResolveResult rc = RESOLVE_OK;
    if (req->idempotency_key && req->idempotency_key[0]) {
        /* the key exactly as resolution_line printed it */
        cJSON *s = cJSON_CreateString(req->idempotency_key);
        char *q = cJSON_PrintUnformatted(s);
        char *needle = xasprintf("\"idempotency_key\":%s", q);
        cJSON_free(q);
        cJSON_Delete(s);
        int seen = file_contains(fd, needle);
        free(needle);
        if (seen < 0) {
            set_err(&out->message, "%s: read failed: %s", k->path, strerror(errno));
            rc = RESOLVE_RETRY;
        } else if (seen) {
            goto done;                            /* already written by an earlier attempt */
        }
    }
    if (rc == RESOLVE_OK) {
        char *why = NULL;
        if (append_line(fd, line, &why) != 0) {
            set_err(&out->message, "%s: %s", k->path, why);
            rc = RESOLVE_RETRY;
        }
        free(why);
    }
done:
    free(line);
    close(fd);                                    /* releases the lock */
    return rc;
}

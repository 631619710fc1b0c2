/* archive.c — retention's archive (see archive.h): hand-written gzip
 * members (RFC 1952, CRC-32 and ISIZE) around deflate.c's compressed data,
 * the walk through inflate.c that finds where the last whole member ends,
 * and the archive-then-delete loop over a dataset's expired rows. */
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cache_internal.h"
#include "deflate.h"
#include "export.h"

#define ARCHIVE_CHUNK 5000        /* rows per delete transaction */

uint32_t archive_crc32(uint32_t crc, const void *data, size_t n)
{
    static uint32_t table[256];
    static int ready;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;    /* same value from any thread: a benign repeat */
        }
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    const uint8_t *p = data;
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void put_le(Buf *b, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        buf_putc(b, (char)((v >> (8 * i)) & 0xff));
}

void archive_gzip_member(Buf *out, const void *data, size_t n)
{
    static const char header[10] = {0x1f, (char)0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    buf_append(out, header, sizeof header);
    deflate_compress(out, data, n);
    put_le(out, archive_crc32(0, data, n), 4);
    put_le(out, (uint32_t)n, 4);
}

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Walks one member of buf at pos (length size) through the inflater: its
 * end; -2 when it is cut short (the file ends inside it: a crash's
 * leftover); -1 when it is damaged or not ours (a gzip header with flags mc
 * does not write, a bad stream or length). Appends the data to out and
 * checks the CRC when out is non-NULL; the length (ISIZE) is checked either way. */
static int64_t member_end(const uint8_t *buf, int64_t size, int64_t pos, Buf *out)
{
    static const uint8_t want[4] = {0x1f, 0x8b, 8, 0};
    int64_t head = size - pos < 4 ? size - pos : 4;
    if (memcmp(buf + pos, want, (size_t)head) != 0)
        return -1;
    if (size - pos < 10)
        return -2;
    Buf scratch = {0};
    Buf *dst = out ? out : &scratch;
    size_t start = dst->len, used = 0;
    uint64_t total = 0;
    int rc = deflate_inflate(buf + pos + 10, (size_t)(size - pos - 10), dst, out != NULL, &used, &total);
    int64_t p = pos + 10 + (int64_t)used;
    if (rc == 0 && size - p < 8)
        rc = -2;
    if (rc == 0 && get_le32(buf + p + 4) != (uint32_t)total)
        rc = -1;
    if (rc == 0 && out && archive_crc32(0, out->s ? out->s + start : "", out->len - start) != get_le32(buf + p))
        rc = -1;
    buf_free(&scratch);
    return rc == 0 ? p + 8 : rc;
}

/* Reads the whole of fd. */
static int read_fd(int fd, uint8_t **out, int64_t *size, char **err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        set_err(err, "archive: %s", strerror(errno));
        return -1;
    }
    *size = st.st_size;
    *out = xmalloc((size_t)st.st_size + 1);
    for (int64_t got = 0; got < st.st_size;) {
        ssize_t n = pread(fd, *out + got, (size_t)(st.st_size - got), got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            set_err(err, "archive: %s", n < 0 ? strerror(errno) : "file shrank while read");
            free(*out);
            return -1;
        }
        got += n;
    }
    return 0;
}

int64_t archive_valid_length(int fd, char **err)
{
    uint8_t *buf;
    int64_t size, pos = 0, end = 0;
    if (read_fd(fd, &buf, &size, err) != 0)
        return -1;
    while (pos < size && (end = member_end(buf, size, pos, NULL)) > 0)
        pos = end;
    free(buf);
    if (end == -1) {        /* damage is kept as it is: never cut off, never appended to */
        set_err(err, "not an archive mc wrote (not gzip, gzip with options mc does not write), or damaged at byte %lld",
                (long long)pos);
        return -1;
    }
    return pos;
}

int archive_read(const char *path, char **out, size_t *len, char **err)
{
    int fd = file_open_regular(path, NULL, err);
    if (fd < 0)
        return -1;
    uint8_t *buf;
    int64_t size, pos = 0;
    int rc = read_fd(fd, &buf, &size, err);
    close(fd);
    if (rc != 0)
        return -1;
    Buf b = {0};
    buf_puts(&b, "");
    while (pos < size) {
        size_t before = b.len;
        int64_t end = member_end(buf, size, pos, &b);
        if (end < 0) {
            b.len = before;
            b.s[b.len] = '\0';
            /* a whole member with a wrong CRC, or no gzip at all, is damage;
             * a member cut short at the end is a crash's leftover: skipped */
            if (end == -1) {
                set_err(err, "%s: not an archive mc wrote, or damaged at byte %lld", path, (long long)pos);
                free(buf);
                buf_free(&b);
                return -1;
            }
            break;
        }
        pos = end;
    }
    free(buf);
    *len = b.len;
    *out = buf_steal(&b);
    return 0;
}

/* The files one archive run has appended to, and where its last member
 * ended: a file still that long needs no new walk through the inflater
 * (which would make a long run's appends quadratic). */
typedef struct Written {
    char *path[24];
    int64_t end[24];
    int n;
} Written;

static int64_t *written_end(Written *w, const char *path)
{
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->path[i], path) == 0)
            return &w->end[i];
    if (w->n == (int)MC_ARRAY_LEN(w->path))
        return NULL;
    w->path[w->n] = xstrdup(path);
    w->end[w->n] = -1;
    return &w->end[w->n++];
}

/* Appends one member holding data to path (created 0600), first cutting off
 * a member a crash left unfinished; fsynced (and its directory when new). */
static int append_member(const char *dir, const char *path, const Buf *data, Written *w, char **err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        set_err(err, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int64_t *known = written_end(w, path);
    int64_t valid = known && *known == st.st_size ? st.st_size : archive_valid_length(fd, err);
    if (valid < 0) {
        char *why = err ? *err : NULL;
        if (err)
            *err = NULL;
        set_err(err, "%s: %s; not appended to", path, why ? why : "not an archive mc wrote");
        free(why);
        close(fd);
        return -1;
    }
    Buf m = {0};
    archive_gzip_member(&m, data->s, data->len);
    int rc = (valid < st.st_size && ftruncate(fd, valid) != 0) ? -1 : 0;
    for (size_t off = 0; rc == 0 && off < m.len;) {
        ssize_t n = pwrite(fd, m.s + off, m.len - off, valid + (int64_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            rc = -1;
        else
            off += (size_t)n;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    if (rc != 0)
        set_err(err, "%s: %s", path, strerror(errno));
    if (known)
        *known = rc == 0 ? valid + (int64_t)m.len : -1;
    buf_free(&m);
    close(fd);
    if (rc == 0 && st.st_size == 0) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    return rc;
}

/* Rows of one chunk grouped by month ("2026-11", or "undated"). */
typedef struct Month {
    char name[8];
    Buf rows;
} Month;

static Month *month_of(Month *m, int *n, const char *t)
{
    char name[8] = "undated";
    if (t && strlen(t) >= 7 && t[4] == '-') {
        int ok = 1;
        for (int i = 0; i < 7; i++)
            ok &= i == 4 || (t[i] >= '0' && t[i] <= '9');
        if (ok) {
            memcpy(name, t, 7);
            name[7] = '\0';
        }
    }
    for (int i = 0; i < *n; i++)
        if (strcmp(m[i].name, name) == 0)
            return &m[i];
    if (*n == 24)                   /* a chunk spans few months; more go to the next chunk */
        return NULL;
    memcpy(m[*n].name, name, sizeof name);
    m[*n].rows = (Buf){0};
    return &m[(*n)++];
}

/* Deletes the chunk's rows in one short transaction. */
static int delete_rows(Cache *c, const Dataset *ds, const int64_t *ids, int n, char **err)
{
    char *sql = xasprintf("DELETE FROM %s WHERE rowid = ?1", ds->name);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK ? cache_begin(c, err) : -1;
    free(sql);
    for (int i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(st, 1, ids[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = -1;
        sqlite3_reset(st);
    }
    if (rc == 0)
        rc = cache_commit(c, err);
    else {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        cache_rollback(c);
    }
    sqlite3_finalize(st);
    return rc;
}

/* One chunk: select, archive by month, delete. Rows archived, or -1. */
static int archive_chunk(Cache *c, const Dataset *ds, const Retention *r, const char *sql,
                         const char *iso, Written *w, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    if (iso)
        sqlite3_bind_text(st, 1, iso, -1, SQLITE_STATIC);
    Month months[24];
    int nm = 0, n = 0, rc;
    int64_t *ids = xmalloc(ARCHIVE_CHUNK * sizeof *ids);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        Month *m = month_of(months, &nm, (const char *)sqlite3_column_text(st, 1));
        if (!m)
            continue;
        ids[n++] = sqlite3_column_int64(st, 0);
        buf_putc(&m->rows, '{');
        for (int i = 0; i < ds->npublic; i++) {
            buf_printf(&m->rows, "%s\"%s\": ", i ? ", " : "", ds->fields[i].name);
            cache_dump_cell(&m->rows, st, i + 2, ds->fields[i].type);
        }
        buf_puts(&m->rows, "}\n");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        n = -1;
    }
    for (int i = 0; i < nm; i++) {
        char *path = xasprintf("%s/%s-%s.ndjson.gz", r->archive_dir, ds->name, months[i].name);
        if (n > 0 && append_member(r->archive_dir, path, &months[i].rows, w, err) != 0)
            n = -1;              /* nothing deleted: the rows stay for the next run */
        free(path);
        buf_free(&months[i].rows);
    }
    if (n > 0 && delete_rows(c, ds, ids, n, err) != 0)
        n = -1;
    free(ids);
    return n;
}

int64_t archive_expired(Cache *c, const Dataset *ds, const Retention *r, int64_t now, char **err)
{
    if (mkdir_p(r->archive_dir, 0700) != 0) {
        set_err(err, "%s: %s", r->archive_dir, strerror(errno));
        return -1;
    }
    const char *tf = export_time_field(ds);
    Buf cols = {0};
    buf_printf(&cols, "rowid, %s%s%s", tf ? "" : "NULL", tf ? tf : "", "");
    for (int i = 0; i < ds->npublic; i++)
        buf_printf(&cols, ", %s", ds->fields[i].name);
    int64_t total = 0;
    Written w = {0};
    for (int phase = 0; phase < 2; phase++) {
        char iso[40];
        char *sql = NULL;
        if (phase == 0 && r->max_age_ms > 0 && ds->time_field) {
            time_format_iso(now - r->max_age_ms, iso, sizeof iso);
            sql = xasprintf("SELECT %s FROM %s WHERE %s < ?1 ORDER BY rowid LIMIT %d", cols.s, ds->name,
                            ds->time_field, ARCHIVE_CHUNK);
        } else if (phase == 1 && r->max_rows > 0) {
            sql = xasprintf("SELECT %s FROM %s ORDER BY %s LIMIT %d OFFSET %lld", cols.s, ds->name,
                            ds->order_by, ARCHIVE_CHUNK, (long long)r->max_rows);
        }
        for (int guard = 0; sql && guard < 100000; guard++) {
            int n = archive_chunk(c, ds, r, sql, phase == 0 ? iso : NULL, &w, err);
            if (n < 0) {
                total = -1;
                break;
            }
            if (n == 0)
                break;
            total += n;
        }
        free(sql);
        if (total < 0)
            break;
    }
    for (int i = 0; i < w.n; i++)
        free(w.path[i]);
    buf_free(&cols);
    return total;
}

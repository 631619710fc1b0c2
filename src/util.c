/* util.c — allocation, buffers, durations, time, paths and atomic writes:
 * the small pieces every layer of mc shares. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void (*oom_hook)(void);

void util_set_oom_hook(void (*hook)(void))
{
    oom_hook = hook;
}

static void oom(void)
{
    if (oom_hook)
        oom_hook();
    static const char msg[] = "mc: out of memory\n";
    if (write(2, msg, sizeof msg - 1) < 0) {
        /* nothing left to do */
    }
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

void *xgrow(void *p, int n, int *cap, size_t size)
{
    if (p && n < *cap)
        return p;
    int nc = *cap > 0 ? *cap * 2 : 16;
    p = xrealloc(p, (size_t)nc * size);
    int old = *cap > 0 ? *cap : 0;
    memset((char *)p + (size_t)old * size, 0, (size_t)(nc - old) * size);
    *cap = nc;
    return p;
}

char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *p = xmalloc(n + 1);
    memcpy(p, s, n + 1);
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char probe[1];
    int n = vsnprintf(probe, sizeof probe, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void set_err(char **slot, const char *fmt, ...)
{
    if (!slot)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    free(*slot);
    *slot = p;
}

static void buf_grow(Buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

void buf_append_slow(Buf *b, const void *data, size_t n)
{
    buf_grow(b, n);
    if (n)
        memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void buf_puts(Buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    /* format straight into the free space; grow and redo only when short */
    buf_grow(b, 64);
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->s + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->s[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        buf_grow(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

/* Length of a valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static int utf8_seq_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    int n = (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && p[0] < 0xC2) || (n == 4 && p[0] > 0xF4))
        return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0;
    if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0;
    return n;
}

/* The code point of a 2- or 3-byte sequence when a terminal would act on it
 * (a C1 control, a bidi mark, embedding, override or isolate), else 0. */
static uint32_t json_terminal_control(const unsigned char *p, int n)
{
    uint32_t cp = n == 2 ? ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu)
                : n == 3 ? ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu) : 0;
    int bad = (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
              (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
    return bad ? cp : 0;
}

void buf_json_string(Buf *b, const char *s, int quotes)
{
    static const char hex[] = "0123456789abcdef";
    if (quotes)
        buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *run = p;
    while (*p) {
        if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
            p++;
            continue;
        }
        int n = *p >= 0x80 ? utf8_seq_len(p) : 0;
        uint32_t ctl = n > 0 ? json_terminal_control(p, n) : 0;
        if (n > 0 && !ctl) {
            p += n;
            continue;
        }
        buf_append(b, run, (size_t)(p - run));
        if (ctl) {                     /* same string, but safe to print on a terminal */
            buf_printf(b, "\\u%04x", (unsigned)ctl);
            p += n;
            run = p;
            continue;
        }
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            buf_append(b, esc, 2);
        } else if (*p == '\n') {
            buf_puts(b, "\\n");
        } else if (*p == '\t') {
            buf_puts(b, "\\t");
        } else if (*p == '\r') {
            buf_puts(b, "\\r");
        } else if (*p < 0x20 || *p == 0x7f) {
            char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            buf_append(b, esc, 6);
        } else {
            buf_puts(b, "\\ufffd");
        }
        p++;
        run = p;
    }
    buf_append(b, run, (size_t)(p - run));
    if (quotes)
        buf_putc(b, '"');
}

char *buf_steal(Buf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void buf_free(Buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

int duration_parse(const char *s, int64_t *ms)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s) && *s != '.')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    double mult;
    if (*end == '\0' || strcmp(end, "s") == 0 || strcmp(end, "sec") == 0)
        mult = 1000;
    else if (strcmp(end, "ms") == 0)
        mult = 1;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        mult = 60e3;
    else if (strcmp(end, "h") == 0)
        mult = 3600e3;
    else if (strcmp(end, "d") == 0)
        mult = 86400e3;
    else if (strcmp(end, "w") == 0)
        mult = 7 * 86400e3;
    else
        return -1;
    double r = v * mult;
    if (r > 9.0e15)
        return -1;
    *ms = (int64_t)(r + 0.5);
    return 0;
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads exactly n digits into *out. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int time_parse_iso(const char *s, int64_t *epoch_ms)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    int Y, M, D, h = 0, m = 0, sec = 0, msec = 0;
    const char *p = s;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' || digits(&p, 2, &D))
        return -1;
    int64_t off_min = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return -1;
            if (*p == '.' || *p == ',') {
                p++;
                int scale = 100;
                if (!isdigit((unsigned char)*p))
                    return -1;
                while (isdigit((unsigned char)*p)) {
                    msec += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om = 0;
            p++;
            if (digits(&p, 2, &oh))
                return -1;
            if (*p == ':')
                p++;
            if (isdigit((unsigned char)*p) && digits(&p, 2, &om))
                return -1;
            off_min = sign * (oh * 60 + om);
        }
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '\0')
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return -1;
    /* days from civil (Howard Hinnant's algorithm) */
    int y = Y - (M <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    int64_t secs = days * 86400 + h * 3600 + m * 60 + sec - off_min * 60;
    *epoch_ms = secs * 1000 + msec;
    return 0;
}

int64_t time_from_number(double v)
{
    /* NaN and numbers past +-8.64e15 ms (JavaScript's time range, year
     * 275760) are clamped: a cast out of int64's range is undefined, and
     * ages computed from the time must not overflow either */
    if (v != v)
        return 0;
    if (v >= 8.64e15 || v <= -8.64e15)
        return v > 0 ? (int64_t)8.64e15 : -(int64_t)8.64e15;
    if (v >= 1e11 || v <= -1e11)
        return (int64_t)v;
    return (int64_t)(v * 1000.0);
}

void time_format_iso(int64_t epoch_ms, char *out, size_t outsz)
{
    time_t t = (time_t)(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, outsz, "1970-01-01T00:00:00Z");
        return;
    }
    snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void time_format_age(int64_t age_ms, char *out, size_t outsz)
{
    int64_t s = age_ms / 1000;
    if (s < 0)
        s = 0;
    if (s < 5)
        snprintf(out, outsz, "now");
    else if (s < 60)
        snprintf(out, outsz, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(out, outsz, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(out, outsz, "%lldh", (long long)(s / 3600));
    else if (s < 14 * 86400)
        snprintf(out, outsz, "%lldd", (long long)(s / 86400));
    else
        snprintf(out, outsz, "%lldw", (long long)(s / (7 * 86400)));
}

char *path_expand(const char *in, char **err)
{
    if (!in)
        return NULL;
    Buf b = {0};
    const char *p = in;
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            set_err(err, "cannot expand '~': HOME is not set");
            return NULL;
        }
        buf_puts(&b, home);
        p++;
    }
    while (*p) {
        if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (!end) {
                set_err(err, "unterminated '${' in '%s'", in);
                buf_free(&b);
                return NULL;
            }
            char name[128];
            size_t n = (size_t)(end - (p + 2));
            if (n == 0 || n >= sizeof name) {
                set_err(err, "bad variable name in '%s'", in);
                buf_free(&b);
                return NULL;
            }
            memcpy(name, p + 2, n);
            name[n] = '\0';
            const char *v = getenv(name);
            if (!v) {
                set_err(err, "environment variable %s is not set", name);
                buf_free(&b);
                return NULL;
            }
            buf_puts(&b, v);
            p = end + 1;
        } else {
            buf_putc(&b, *p++);
        }
    }
    return buf_steal(&b);
}

/* What a non-regular file is, for messages. */
static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISLNK(m) ? "a symbolic link"
         : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) || S_ISBLK(m) ? "a device" : "not a plain file";
}

int file_open_regular(const char *path, struct stat *st, char **err)
{
    /* O_NONBLOCK: opening a FIFO with no writer must not wait for one */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat tmp;
    if (!st)
        st = &tmp;
    if (fd < 0 || fstat(fd, st) != 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        set_err(err, "%s: not a regular file (%s)", path, file_kind(st->st_mode));
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

/* Reads straight into the result, sized from fstat (+1 to see the end in
 * one read): no bounce buffer on the stack, whose 64 KB stayed touched in
 * every engine thread's stack (issue 13: ~60 KB of RSS per thread). */
int file_read_until(const char *path, size_t max, int64_t deadline_ms, char **out, size_t *len,
                    char **err)
{
    struct stat st;
    int fd = file_open_regular(path, &st, err);
    if (fd < 0)
        return -1;
    Buf b = {0};
    size_t lim = max < SIZE_MAX ? max + 1 : max;   /* one byte past max is enough to know */
    size_t want = st.st_size > 0 && (uint64_t)st.st_size < max ? (size_t)st.st_size + 1 : 4096;
    buf_grow(&b, want < lim ? want : lim);
    b.s[0] = '\0';   /* an empty file is "" */
    for (;;) {
        if (deadline_ms && mono_ms() > deadline_ms) {
            set_err(err, "%s: reading took longer than the source's timeout", path);
            close(fd);
            buf_free(&b);
            return -1;
        }
        if (b.cap - b.len < 2)
            buf_grow(&b, b.cap < (size_t)1 << 20 ? b.cap : (size_t)1 << 20);
        size_t room = b.cap - b.len - 1;
        if (room > lim - b.len)
            room = lim - b.len;
        ssize_t n = read(fd, b.s + b.len, room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            set_err(err, "%s: %s", path, strerror(errno));
            close(fd);
            buf_free(&b);
            return -1;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
        b.s[b.len] = '\0';
        if (b.len > max) {
            set_err(err, "%s: larger than %zu bytes", path, max);
            close(fd);
            buf_free(&b);
            return -1;
        }
    }
    close(fd);
    if (len)
        *len = b.len;
    *out = buf_steal(&b);
    return 0;
}

int file_read_all(const char *path, size_t max, char **out, size_t *len, char **err)
{
    return file_read_until(path, max, 0, out, len, err);
}

/* Creates a new, empty temp file next to path: a random name, exclusive
 * creation that never follows a symlink, mode 0600 until the data is in.
 * Returns the descriptor and *tmp (caller frees), or -1 with *err. */
static int temp_create(const char *path, char **tmp, char **err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dirlen = slash ? (int)(slash - path) + 1 : 0;
    static unsigned counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
            uint64_t mix[3] = {(uint64_t)mono_ms(), (uint64_t)getpid(),
                               (uint64_t)__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED)};
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            mix[0] ^= (uint64_t)ts.tv_nsec << 20;
            r = hash64(mix, sizeof mix);
        }
        *tmp = xasprintf("%.*s.%.200s.mc-%016llx", dirlen, path, base, (unsigned long long)r);
        int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0)
            return fd;
        int e = errno;
        free(*tmp);
        *tmp = NULL;
        if (e != EEXIST) {
            set_err(err, "%s: cannot create a temporary file next to it: %s", path, strerror(e));
            return -1;
        }
    }
    set_err(err, "%s: cannot create a temporary file next to it: every name taken", path);
    return -1;
}

/* Gives the temp file the owner, group and mode it must have: the
 * original's when there is one (fchown first: it clears set-id bits). */
static int temp_finish(int fd, const struct stat *orig, mode_t mode, const char *path, char **err)
{
    struct stat now;
    if (fstat(fd, &now) != 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (orig && (now.st_uid != orig->st_uid || now.st_gid != orig->st_gid) &&
        fchown(fd, orig->st_uid, orig->st_gid) != 0) {
        set_err(err, "%s: cannot keep its owner %ld:%ld (%s); not replaced", path, (long)orig->st_uid,
                (long)orig->st_gid, strerror(errno));
        return -1;
    }
    if (fchmod(fd, orig ? orig->st_mode & 07777 : mode) != 0 || fsync(fd) != 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Whether path is something file_write_atomic may replace: absent or a
 * regular file (lstat: a symlink is not). Sets *exists and *st. */
static int replaceable(const char *path, struct stat *st, int *exists, char **err)
{
    *exists = lstat(path, st) == 0;
    if (!*exists && errno != ENOENT) {
        set_err(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (*exists && S_ISLNK(st->st_mode)) {
        set_err(err, "%s: is a symbolic link; mc replaces only regular files "
                "(point the config at the file it links to)", path);
        return -1;
    }
    if (*exists && !S_ISREG(st->st_mode)) {
        set_err(err, "%s: not a regular file (%s); not replaced", path, file_kind(st->st_mode));
        return -1;
    }
    return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char **err)
{
    struct stat st, again;
    int exists, again_exists;
    char *tmp = NULL;
    if (replaceable(path, &st, &exists, err) != 0)
        return -1;
    int fd = temp_create(path, &tmp, err);
    if (fd < 0)
        return -1;
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            set_err(err, "%s: %s", tmp, strerror(errno));
            goto fail;
        }
        p += n;
        left -= (size_t)n;
    }
    if (temp_finish(fd, exists ? &st : NULL, mode, path, err) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        set_err(err, "%s: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    /* what was there must still be a regular file (or still nothing) */
    if (replaceable(path, &again, &again_exists, err) != 0)
        goto fail;
    if (rename(tmp, path) != 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        goto fail;
    }
    /* make the rename durable */
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
    free(tmp);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}

AtomicFile *file_atomic_open(const char *path, mode_t mode, char **err)
{
    struct stat st;
    int exists;
    char *tmp = NULL;
    if (replaceable(path, &st, &exists, err) != 0)
        return NULL;
    int fd = temp_create(path, &tmp, err);
    if (fd < 0)
        return NULL;
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        set_err(err, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    AtomicFile *af = xcalloc(1, sizeof *af);
    af->path = xstrdup(path);
    af->tmp = tmp;
    af->fp = fp;
    af->mode = mode;
    return af;
}

void file_atomic_abort(AtomicFile *af)
{
    if (!af)
        return;
    if (af->fp)
        fclose(af->fp);
    unlink(af->tmp);
    free(af->tmp);
    free(af->path);
    free(af);
}

int file_atomic_commit(AtomicFile *af, char **err)
{
    struct stat st;
    int exists;
    if (fflush(af->fp) != 0 || ferror(af->fp)) {
        set_err(err, "%s: %s", af->path, strerror(errno ? errno : EIO));
        file_atomic_abort(af);
        return -1;
    }
    if (replaceable(af->path, &st, &exists, err) != 0 ||
        temp_finish(fileno(af->fp), exists ? &st : NULL, af->mode, af->path, err) != 0) {
        file_atomic_abort(af);
        return -1;
    }
    int rc = fclose(af->fp);
    af->fp = NULL;
    if (rc != 0 || rename(af->tmp, af->path) != 0) {
        set_err(err, "%s: %s", af->path, strerror(errno));
        file_atomic_abort(af);
        return -1;
    }
    char *dir = xstrdup(af->path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
    free(af->tmp);
    free(af->path);
    free(af);
    return 0;
}

int file_make_private(const char *path, int create)
{
    /* Never open and close an existing file here: closing any descriptor of
     * a file drops every POSIX lock this process holds on it, and SQLite's
     * locks on the cache are such locks (other threads' connections would
     * lose theirs). Only a file we create ourselves (O_EXCL) is opened. */
    if (create) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        if (errno != EEXIST)
            return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0)
        return create || errno != ENOENT ? -1 : 0;
    if (S_ISREG(st.st_mode) && (st.st_mode & 077) && st.st_uid == geteuid())
        return chmod(path, st.st_mode & 07700);
    return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, mode) != 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    }
    int rc = mkdir(p, mode);
    free(p);
    return (rc == 0 || errno == EEXIST) ? 0 : -1;
}

uint64_t hash64(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

char *xdg_path(const char *xdg_var, const char *fallback, const char *leaf)
{
    const char *base = getenv(xdg_var);
    if (base && base[0] == '/')
        return xasprintf("%s/mission-control/%s", base, leaf);
    const char *home = getenv("HOME");
    if (!home || !*home)
        home = "/tmp";
    return xasprintf("%s/%s/mission-control/%s", home, fallback, leaf);
}

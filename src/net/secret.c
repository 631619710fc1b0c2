/* secret.c — the one secret reader (see secret.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "secret.h"
#include "scrub.h"
#include "../log.h"
#include "../util.h"

#define SECRET_MAX (64 * 1024)

static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;
static Buf warned;            /* "path\n" per path warned about */
static Buf warnings;          /* the messages, one per line */

void secret_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

/* Warns once per path about a secret file others can read. */
static void warn_mode(const char *path, mode_t mode)
{
    char *key = xasprintf("\n%s\n", path);
    pthread_mutex_lock(&warn_lock);
    int seen = warned.s && strstr(warned.s, key);
    if (!seen) {
        buf_puts(&warned, key);
        char *msg = xasprintf("secret file %s is readable or writable by group/others (mode %04o);"
                              " chmod 600 %s", path, (unsigned)(mode & 07777), path);
        buf_puts(&warnings, msg);
        buf_putc(&warnings, '\n');
        log_warn("%s", msg);
        free(msg);
    }
    pthread_mutex_unlock(&warn_lock);
    free(key);
}

char *secret_warnings(void)
{
    pthread_mutex_lock(&warn_lock);
    char *out = warnings.len ? xstrndup(warnings.s, warnings.len) : NULL;
    pthread_mutex_unlock(&warn_lock);
    return out;
}

/* Drops one trailing "\n" or "\r\n" and trailing blanks; 0, or -1 when a
 * line break remains inside. */
static int one_line(char *v)
{
    size_t n = strlen(v);
    if (n && v[n - 1] == '\n')
        v[--n] = 0;
    if (n && v[n - 1] == '\r')
        v[--n] = 0;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        v[--n] = 0;
    return strpbrk(v, "\r\n") ? -1 : 0;
}

static char *read_file(const char *path, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        set_err(err, "cannot read secret file %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        set_err(err, "cannot read secret file %s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if (st.st_mode & 077)
        warn_mode(path, st.st_mode);
    Buf b = {0};
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || b.len + (size_t)n > SECRET_MAX) {
            set_err(err, "cannot read secret file %s: %s", path,
                    n < 0 ? strerror(errno) : "larger than 64 KiB");
            close(fd);
            if (b.s)
                memset(b.s, 0, b.len);
            buf_free(&b);
            return NULL;
        }
        if (n == 0)
            break;
        buf_append(&b, chunk, (size_t)n);
    }
    close(fd);
    memset(chunk, 0, sizeof chunk);
    return b.s ? buf_steal(&b) : xstrdup("");
}

char *secret_read(const char *env, const char *path, int allow_empty, char **err)
{
    char *v;
    if (env) {
        const char *e = getenv(env);
        if (!e || (!*e && !allow_empty)) {
            set_err(err, "environment variable %s is not set", env);
            return NULL;
        }
        v = xstrdup(e);
        if (one_line(v) < 0) {
            secret_free(v);
            set_err(err, "environment variable %s contains a line break", env);
            return NULL;
        }
    } else if (path) {
        if (!(v = read_file(path, err)))
            return NULL;
        if (one_line(v) < 0) {
            secret_free(v);
            set_err(err, "secret file %s has more than one line", path);
            return NULL;
        }
        if (!*v && !allow_empty) {
            secret_free(v);
            set_err(err, "secret file %s is empty", path);
            return NULL;
        }
    } else {
        return xstrdup("");
    }
    scrub_register(v);
    return v;
}

char *secret_read_file(const char *path, char **err)
{
    return secret_read(NULL, path, 0, err);
}

/* log.c — an append-only log file guarded by a mutex; lines are written with
 * one write() so several processes can share the file. */
#include "log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "net/scrub.h"
#include "textsafe.h"
#include "util.h"

static int log_fd = -1;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

int log_open(const char *path)
{
    if (!path)
        return 0;
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir_p(dir, 0700);
    }
    free(dir);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0)
        return -1;
    file_make_private(path, 0);                  /* an older log may be 0644 */
    pthread_mutex_lock(&log_lock);
    if (log_fd >= 0)
        close(log_fd);
    log_fd = fd;
    pthread_mutex_unlock(&log_lock);
    return 0;
}

void log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
    pthread_mutex_unlock(&log_lock);
}

void log_msg(const char *level, const char *fmt, ...)
{
    if (log_fd < 0)
        return;
    char line[2048], ts[40];
    time_format_iso(now_ms(), ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s %s [%d] ", ts, level, (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line - 1)
        n = (int)sizeof line - 2;
    /* one line: newlines inside the message become spaces */
    for (int i = 0; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[n] = '\0';
    /* nothing a terminal acts on (tail -f mc.log): other controls, escape
     * sequences and bidi overrides become ^[ ^G ... as on the screen */
    char *safe = scrub_text(line);      /* no secret is ever logged (net/scrub.h) */
    char *clean = textsafe_clean(safe, TEXTSAFE_CARETS);
    free(safe);
    size_t len = strlen(clean);
    clean = xrealloc(clean, len + 1);
    clean[len++] = '\n';
    pthread_mutex_lock(&log_lock);
    if (log_fd >= 0 && write(log_fd, clean, len) < 0) {
        /* a log that cannot be written is not worth crashing for */
    }
    pthread_mutex_unlock(&log_lock);
    free(clean);
}

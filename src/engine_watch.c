/* engine_watch.c — the file kinds' paths watched with inotify. The parent
 * directory is watched (not the file), so a file replaced by rename or
 * rotated away and created again is still seen; an event makes the source
 * due in 30 ms (a burst of events is one fetch). */
#include "engine_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include "log.h"

/* Adds an inotify watch on the directory holding a source's path. */
void engine_watch_source(Engine *e, int i)
{
    const SourceConfig *sc = e->src[i].sc;
    if (!sc->cls->watch_path || !engine_selected(e, sc))
        return;
    char *path = sc->cls->watch_path(sc);
    if (!path)
        return;
    char *dir = xstrdup(path), *name = NULL;
    if (strpbrk(path, "*?[")) {
        /* a glob: watch the directory before the first wildcard */
        char *w = strpbrk(dir, "*?[");
        *w = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
    } else {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            close(fd); /* a directory: anything inside it */
        } else {
            char *slash = strrchr(dir, '/');
            name = xstrdup(slash ? slash + 1 : dir);
            if (slash && slash != dir)
                *slash = '\0';
            else if (slash)
                slash[1] = '\0';
            else {
                free(dir);
                dir = xstrdup(".");
            }
        }
    }
    int wd = inotify_add_watch(e->inotify_fd, dir,
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE |
                                   IN_MOVED_FROM | IN_ATTRIB);
    if (wd < 0) {
        log_warn("%s: cannot watch %s: %s", sc->id, dir, strerror(errno));
        free(name);
    } else {
        e->watches = xrealloc(e->watches, (size_t)(e->nwatches + 1) * sizeof *e->watches);
        e->watches[e->nwatches++] = (Watch){wd, i, name};
    }
    free(dir);
    free(path);
}

void *engine_watch_main(void *arg)
{
    Engine *e = arg;
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    struct pollfd pf[2] = {{e->inotify_fd, POLLIN, 0}, {e->stop_pipe[0], POLLIN, 0}};
    while (!atomic_load(&e->stop)) {
        if (poll(pf, 2, -1) < 0 && errno != EINTR)
            break;
        if (pf[1].revents)
            break;
        if (!(pf[0].revents & POLLIN))
            continue;
        ssize_t n = read(e->inotify_fd, buf, sizeof buf);
        if (n <= 0)
            continue;
        int hit = 0;
        pthread_mutex_lock(&e->lock);
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            for (int w = 0; w < e->nwatches; w++) {
                Watch *wt = &e->watches[w];
                if (wt->wd != ev->wd)
                    continue;
                if (wt->name && (!ev->len || strcmp(wt->name, ev->name) != 0))
                    continue;
                SrcRun *s = &e->src[wt->src];
                int64_t soon = now_ms() + 30; /* coalesce a burst of events */
                if (s->next_due > soon)
                    s->next_due = soon;
                if (s->running)
                    s->changed = 1; /* record() would push next_due out again */
                hit = 1;
            }
            p += sizeof *ev + ev->len;
        }
        if (hit)
            pthread_cond_signal(&e->sched);
        pthread_mutex_unlock(&e->lock);
    }
    return NULL;
}

/* progress.h — the one progress line long commands show (mc fetch --once,
 * export, backup, restore): "mc CMD: what" on stderr, redrawn in place, at
 * most five times a second, and only when stderr is a terminal; nothing at
 * all otherwise, so logs and pipes never see it. */
#ifndef MC_PROGRESS_H
#define MC_PROGRESS_H

#include <stdint.h>

typedef struct Progress {
    int on;              /* drawing at all (stderr is a terminal, unless the caller says no) */
    int drawn;           /* a line is on screen, not yet ended */
    int64_t shown;       /* mono_ms() of the last redraw */
    const char *cmd;     /* "mc export"; static, not owned */
} Progress;

/* Starts a progress line for cmd (a static string). on: also needs stderr to
 * be a terminal (pass 1 when nothing else forbids it). */
void progress_start(Progress *p, const char *cmd, int on);
/* Redraws "cmd: text" unless one was drawn less than 200 ms ago. */
void progress_show(Progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Redraws "cmd: text" now (a new phase). */
void progress_step(Progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Draws the last text and ends the line; a NULL fmt just ends a drawn line. */
void progress_done(Progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

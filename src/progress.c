/* progress.c — the progress line (progress.h): one helper behind every long
 * command's "mc CMD: ..." on a terminal. The text is made safe for the
 * terminal by the caller's own formatting of names (cli_safe); the line is
 * redrawn with a carriage return and cleared to its end. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "util.h"

void progress_start(Progress *p, const char *cmd, int on)
{
    p->on = on && isatty(2);
    p->drawn = 0;
    p->shown = 0;
    p->cmd = cmd;
}

/* Draws "\rcmd: text", clearing what a longer earlier text left. */
static void draw(Progress *p, const char *fmt, va_list ap)
{
    char text[512];
    vsnprintf(text, sizeof text, fmt, ap);
    fprintf(stderr, "\r%s: %s\033[K", p->cmd, text);
    fflush(stderr);
    p->drawn = 1;
    p->shown = mono_ms();
}

void progress_show(Progress *p, const char *fmt, ...)
{
    if (!p->on || (p->drawn && mono_ms() - p->shown < 200))
        return;
    va_list ap;
    va_start(ap, fmt);
    draw(p, fmt, ap);
    va_end(ap);
}

void progress_step(Progress *p, const char *fmt, ...)
{
    if (!p->on)
        return;
    va_list ap;
    va_start(ap, fmt);
    draw(p, fmt, ap);
    va_end(ap);
}

void progress_done(Progress *p, const char *fmt, ...)
{
    if (!p->on)
        return;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        draw(p, fmt, ap);
        va_end(ap);
    }
    if (p->drawn)
        fputc('\n', stderr);
    p->drawn = 0;
}

/* term.c — taking the terminal and giving it back. newterm with the locale's
 * wide characters, cbreak, no echo, hidden cursor, keys read from a pad (so
 * reading never refreshes anything), ESC after 25 ms. Signals: SIGWINCH and
 * SIGTERM/SIGHUP/SIGINT become bytes on the screen loop's self-pipe; fatal
 * signals, out-of-memory (util_set_oom_hook) and atexit all give the
 * terminal back, so no way out leaves it in the alternate screen. */
#include "ui_internal.h"

#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "../draw/draw.h"

static volatile sig_atomic_t curses_active;
static struct termios saved_tio;
static int have_tio;
static int sig_fd = -1;
static WINDOW *input;           /* a pad: reading keys never refreshes anything */

void term_restore(void)
{
    if (curses_active) {
        curses_active = 0;
        curs_set(1);
        endwin();
    }
}

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char c = (unsigned char)sig;
    if (sig_fd >= 0 && write(sig_fd, &c, 1) < 0) {
        /* the pipe is full: a byte is already waiting */
    }
    errno = saved;
}

/* A crash still gives the terminal back (async-signal-safe calls only). */
static void on_fatal(int sig)
{
    static const char reset[] = "\033[?1049l\033[?25h\033[0m\r\n";
    if (curses_active) {
        if (write(STDOUT_FILENO, reset, sizeof reset - 1) < 0) {
            /* nothing more to do */
        }
        if (have_tio)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int quit_signals[] = {SIGTERM, SIGHUP, SIGINT};
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void signals_install(Ui *ui)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_signal;
    sig_fd = ui->sig[1];
    sigaction(SIGWINCH, &sa, NULL);
    for (size_t i = 0; i < MC_ARRAY_LEN(quit_signals); i++)
        sigaction(quit_signals[i], &sa, NULL);
    for (size_t i = 0; i < MC_ARRAY_LEN(fatal_signals); i++) {
        struct sigaction old;
        /* leave a sanitizer's or debugger's handler alone */
        if (sigaction(fatal_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
            struct sigaction fa = sa;
            fa.sa_handler = on_fatal;
            fa.sa_flags = SA_RESETHAND;
            sigaction(fatal_signals[i], &fa, NULL);
        }
    }
}

void term_signals_restore(void)
{
    signal(SIGWINCH, SIG_DFL);
    for (size_t i = 0; i < MC_ARRAY_LEN(quit_signals); i++)
        signal(quit_signals[i], SIG_DFL);
    sig_fd = -1;
}

int term_start(Ui *ui)
{
    const char *cs = nl_langinfo(CODESET);
    ui->ascii = ui->opts.ascii || !cs || strcmp(cs, "UTF-8") != 0;
    have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
    signals_install(ui);
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        term_signals_restore();
        const char *term = getenv("TERM");
        fprintf(stderr, "mc: cannot use the terminal type '%s'\n", term ? term : "(unset)");
        return 1;
    }
    static int registered;
    if (!registered++)
        atexit(term_restore);
    curses_active = 1;
    util_set_oom_hook(term_restore);
    set_escdelay(25);
    cbreak();
    noecho();
    nonl();
    curs_set(0);
    intrflush(stdscr, FALSE);
    input = newpad(1, 1);
    keypad(input, TRUE);
    nodelay(input, TRUE);
    draw_init(ui->cfg->theme, ui->ascii);
    return 0;
}

WINDOW *term_input(void)
{
    return input;
}

void term_free(void)
{
    util_set_oom_hook(NULL);
    if (input)
        delwin(input);
    input = NULL;
}

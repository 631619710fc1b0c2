/* screen.c — the dashboard's main loop, the only code that runs ncurses.
 * It sleeps in poll() on the terminal, the engine's wake-up pipe, a signal
 * self-pipe and inotify, with a timeout at the next one-second tick. The
 * first frame comes from the cache before the engine starts; after that a
 * pane is reloaded only when its datasets changed (status.c) and redrawn
 * only when it or its border changed; each frame is wnoutrefresh per pane
 * and one doupdate, never a clear. Taking and giving back the terminal
 * (on every way out) is term.c. */
#include "ui_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "../demo.h"
#include "../draw/draw.h"
#include "../textsafe.h"
#include "../log.h"
#include "actions.h"

void ui_set_msg(Ui *ui, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    free(ui->msg);
    ui->msg = m;
    ui->msg_err = err;
    ui->msg_until = err ? 0 : now_ms() + 5000;
}

void ui_clear_msg(Ui *ui)
{
    free(ui->msg);
    ui->msg = NULL;
}

void ui_mark_all(Ui *ui, int load)
{
    for (int i = 0; i < ui->npanes; i++) {
        ui->panes[i]->need_draw = 1;
        if (load)
            ui->panes[i]->need_load = 1;
    }
    free(ui->status_drawn);
    ui->status_drawn = NULL;
}

static void draw_too_small(Ui *ui)
{
    char size[48];
    snprintf(size, sizeof size, "%dx%d, mc needs %dx%d", ui->cols, ui->rows, UI_MIN_COLS, UI_MIN_ROWS);
    const char *lines[] = {"terminal too small", size};
    int y0 = ui->rows / 2 - 1;
    for (int i = 0; i < 2; i++) {
        int w = text_width(lines[i]);
        int x = w < ui->cols ? (ui->cols - w) / 2 : 0;
        draw_text(stdscr, y0 + i < 0 ? 0 : y0 + i, x, ui->cols - x, i ? ROLE_DIM : ROLE_WARN, lines[i]);
    }
    wnoutrefresh(stdscr);
}

void ui_relayout(Ui *ui)
{
    ui->rows = LINES;
    ui->cols = COLS;
    ui->too_small = ui->rows < UI_MIN_ROWS || ui->cols < UI_MIN_COLS;
    if (ui->status)
        delwin(ui->status);
    ui->status = NULL;
    if (ui->overlay)
        delwin(ui->overlay);      /* overlay_draw makes it again at the new size */
    ui->overlay = NULL;
    werase(stdscr);
    wnoutrefresh(stdscr);
    if (ui->too_small) {
        if (ui->mode == MODE_PROMPT) {
            intent_clear(&ui->pending);
            curs_set(0);
        }
        if (ui->mode != MODE_NORMAL)
            overlay_close(ui);
        panes_place(ui);
        draw_too_small(ui);
        return;
    }
    ui->status = newwin(1, ui->cols, ui->rows - 1, 0);
    panes_place(ui);
    ui_mark_all(ui, 0);
}

void ui_engine_start(Ui *ui)
{
    if (ui->engine)
        return;
    EngineOpts eo = {.workers = 0, .wake_fd = ui->wake[1], .watch = 1, .only_source = NULL};
    char *err = NULL;
    Engine *e = engine_new(ui->cfg, &eo, &err);
    if (!e || engine_start(e, &err) != 0) {
        ui_set_msg(ui, 1, "fetch engine: %s (showing cached data)", err ? err : "cannot start");
        log_error("dashboard: fetch engine: %s", err ? err : "cannot start");
        if (e)
            engine_free(e);
        free(err);
        return;
    }
    ui->engine = e;
    ui_actions_set_engine(e);
}

void ui_engine_stop(Ui *ui)
{
    if (!ui->engine)
        return;
    ui_actions_set_engine(NULL);
    engine_stop(ui->engine);
    engine_free(ui->engine);
    ui->engine = NULL;
}

/* $MC_FRAME_LOG (for the benchmarks): one line per frame that drew a pane,
 * "<ms from wake-up to doupdate done> <panes drawn>". */
static FILE *frame_log;

/* Loads and draws what changed, then one doupdate. Returns panes drawn. */
static int render(Ui *ui)
{
    int drawn = 0;
    if (!ui->too_small) {
        int64_t now = now_ms();
        for (int i = 0; i < ui->npanes; i++)
            if (ui->panes[i]->shown && ui->panes[i]->need_load)
                pane_load(ui, ui->panes[i]);
        for (int i = 0; i < ui->npanes; i++)
            if (ui->panes[i]->shown && ui->panes[i]->need_draw) {
                pane_draw(ui, ui->panes[i], now);
                drawn++;
            }
        overlay_draw(ui);
        status_draw(ui, 0);
    }
    doupdate();
    return drawn;
}

static double mono_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void frame_done(double since, int drawn)
{
    if (frame_log && drawn > 0) {
        fprintf(frame_log, "%.3f %d\n", mono_now_ms() - since, drawn);
        fflush(frame_log);
    }
}

static void tick(Ui *ui)
{
    int64_t now = now_ms();
    if (ui->msg && ui->msg_until && now >= ui->msg_until)
        ui_clear_msg(ui);
    ui_check_data(ui, 0);           /* also notices other processes' writes */
    char *wf = cache_write_failure();   /* disk full, read-only: no row says so */
    if (wf && !ui->cache_msg) {
        ui_set_msg(ui, 1, "%s: fetched data is not being saved", wf);
        ui->cache_msg = 1;
    } else if (!wf && ui->cache_msg) {
        if (ui->msg && strstr(ui->msg, "fetched data is not being saved"))
            ui_clear_msg(ui);
        ui->cache_msg = 0;
    }
    free(wf);
    if (now - ui->last_full_ms >= 30000) {
        if (ui->data_version != ui->full_version) {
            uint32_t fed = ui->fed;
            sources_init(ui);       /* re-learns which sources have rows where */
            if (fed != ui->fed && ui->layout->skip_unfed)
                ui_relayout(ui);    /* a pane left out has a source now */
            ui_check_data(ui, 1);
        }
        ui->full_version = ui->data_version;
        ui->last_full_ms = now;
    }
    for (int i = 0; i < ui->npanes; i++)
        if (pane_update_info(ui, ui->panes[i], now))
            ui->panes[i]->need_draw = 1;
    if ((now / 1000) % 10 == 0)     /* snoozes that ran out */
        badge_update(ui, 1);
    if ((now / 1000) % 10 == 0)     /* relative times inside widgets */
        for (int i = 0; i < ui->npanes; i++)
            ui->panes[i]->need_draw = 1;
    ui->next_tick = (now / 1000 + 1) * 1000;
}

static void resize(Ui *ui)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    clearok(curscr, TRUE);
    ui_relayout(ui);
}

static void handle_signals(Ui *ui)
{
    unsigned char buf[64];
    ssize_t n;
    int winch = 0;
    while ((n = read(ui->sig[0], buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == SIGWINCH)
                winch = 1;
            else
                ui->quit = 1;
        }
    if (winch && !ui->quit)
        resize(ui);
}

/* Reads every key waiting; returns how many. */
static int read_keys(Ui *ui)
{
    wint_t wch;
    int rc, count = 0;
    while (!ui->quit && count < 512 && (rc = wget_wch(term_input(), &wch)) != ERR) {
        count++;
        ui_key(ui, keys_from_wch(rc, (unsigned int)wch));
    }
    return count;
}

static void drain(int fd)
{
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
}

static int64_t earliest(int64_t a, int64_t b)
{
    return b > 0 && b < a ? b : a;
}

static void loop(Ui *ui)
{
    int64_t last_check = 0;
    int idle_reads = 0;
    while (!ui->quit) {
        int64_t now = now_ms();
        int64_t due = earliest(earliest(earliest(ui->next_tick, ui->reload_cfg_at),
                                        ui->reload_layout_at), ui->check_at);
        struct pollfd fds[4] = {
            {STDIN_FILENO, POLLIN, 0}, {ui->wake[0], POLLIN, 0},
            {ui->sig[0], POLLIN, 0},   {ui->ino, POLLIN, 0},
        };
        int nfds = ui->ino >= 0 ? 4 : 3;
        int rc = poll(fds, (nfds_t)nfds, due > now ? (int)(due - now) : 0);
        double woke = mono_now_ms();
        if (rc < 0 && errno != EINTR) {
            log_error("dashboard: poll: %s", strerror(errno));
            break;
        }
        if (rc > 0) {
            if (fds[2].revents)
                handle_signals(ui);
            if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
                ui->quit = 1;      /* the terminal went away */
                break;
            }
            if (fds[0].revents & POLLIN) {
                /* input that never becomes a key, over and over: the terminal is gone */
                idle_reads = read_keys(ui) ? 0 : idle_reads + 1;
                if (idle_reads > 1000)
                    ui->quit = 1;
            }
            if (fds[1].revents) {
                drain(ui->wake[0]);
                store_save_poll(ui);   /* a layout save finished (S) */
                now = now_ms();
                if (now - last_check >= 100) {
                    ui_check_data(ui, 0);
                    last_check = now;
                } else if (!ui->check_at) {
                    ui->check_at = last_check + 100;
                }
            }
            if (nfds > 3 && fds[3].revents)
                watch_read(ui);
        }
        if (ui->quit)
            break;
        now = now_ms();
        if (ui->check_at && now >= ui->check_at) {
            ui->check_at = 0;
            ui_check_data(ui, 0);
            last_check = now;
        }
        watch_due(ui);
        if (now >= ui->next_tick)
            tick(ui);
        frame_done(woke, render(ui));
    }
}

/* Picks the starting layout: --layout, else the last saved one (while
 * mc.yaml's layout: is what it was at save time), else mc.yaml's. */
static int choose_layout(Ui *ui, char **err)
{
    char *saved = NULL, *saved_for = NULL, *path = NULL, *text = NULL;
    const char *name = ui->opts.layout;
    int from_state = 0;
    store_read_state(ui->cfg, &saved, &saved_for);
    if (!name && saved && (!saved_for || strcmp(saved_for, ui->cfg->layout) == 0)) {
        name = saved;
        from_state = 1;
    }
    if (!name)
        name = ui->cfg->layout;
    Layout *l = NULL;
    int rc = store_load_layout(ui->cfg, name, &l, &path, &text, err);
    if (rc == 0 && (rc = ui_check_layout(ui->cfg, l, err)) != 0) {
        layout_free(l);
        free(path);
        free(text);
    }
    if (rc != 0 && from_state) {
        ui_set_msg(ui, 1, "saved layout not used: %s", *err);
        free(*err);
        *err = NULL;
        rc = store_load_layout(ui->cfg, ui->cfg->layout, &l, &path, &text, err);
        if (rc == 0 && (rc = ui_check_layout(ui->cfg, l, err)) != 0) {
            layout_free(l);
            free(path);
            free(text);
        }
    }
    if (rc == 0) {
        ui->layout = l;
        ui->layout_path = path;
        ui->layout_text = text;
    }
    free(saved);
    free(saved_for);
    return rc;
}

/* Everything that can fail with a message before the screen is taken. */
static int prepare(Ui *ui)
{
    char *err = NULL, *warn = NULL;
    int rc = 0;
    if (keymap_build(&ui->km, ui->cfg->keys, &err) != 0 || ui_check_widgets(ui->cfg, &err) != 0 ||
        choose_layout(ui, &err) != 0)
        rc = 2;
    else {
        /* the first frame must not wait for quick_check (O(cache size)): the
         * engine's workers run it; and the UI connection never checkpoints
         * (a checkpoint fsyncs) */
        cache_set_quick_check(0);
        if (cache_open(ui->cfg->cache_path, &ui->cache, &warn, &err) != 0)
            rc = 1;
        else
            cache_no_checkpoint(ui->cache);
    }
    if (rc == 0) {
        sources_init(ui);
        if (panes_build(ui, &err) != 0)
            rc = 2;
    }
    if (rc == 0 && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        err = xstrdup("the dashboard needs a terminal (try `mc snapshot`)");
        rc = 1;
    }
    if (rc == 0 && (pipe2(ui->wake, O_NONBLOCK | O_CLOEXEC) != 0 ||
                    pipe2(ui->sig, O_NONBLOCK | O_CLOEXEC) != 0)) {
        err = xasprintf("pipe: %s", strerror(errno));
        rc = 1;
    }
    if (rc) {                   /* made safe: a message may quote a file name */
        char *safe = textsafe_clean(err ? err : "cannot start the dashboard",
                                    textsafe_flags_terminal(ui->opts.ascii));
        fprintf(stderr, "mc: %s\n", safe);
        free(safe);
    }
    if (warn)
        ui_set_msg(ui, 1, "%s", warn);
    free(warn);
    free(err);
    return rc;
}

static void teardown(Ui *ui, int demo_started)
{
    store_save_wait();              /* a layout save still writing (S, then q) */
    term_restore();
    term_signals_restore();
    if (demo_started)
        demo_sim_stop();
    ui_engine_stop(ui);
    watch_close(ui);
    if (ui->mode != MODE_NORMAL && ui->mode != MODE_PROMPT)
        overlay_close(ui);
    intent_clear(&ui->pending);
    ui_actions_reset();
    panes_free(ui);
    term_free();
    if (ui->status)
        delwin(ui->status);
    if (ui->overlay)
        delwin(ui->overlay);
    sources_free(ui);
    layout_free(ui->layout);
    cache_close(ui->cache);
    engine_wait_retired();          /* engines left by config reloads */
    config_free(ui->cfg);
    for (int i = 0; i < 2; i++) {
        if (ui->wake[i] >= 0)
            close(ui->wake[i]);
        if (ui->sig[i] >= 0)
            close(ui->sig[i]);
    }
    free(ui->layout_path);
    free(ui->layout_text);
    free(ui->status_drawn);
    badge_free(ui);
    free(ui->msg);
    free(ui->cfg_error);
    free(ui->cfg_text);
    free(ui);
}

int ui_run(Config *cfg, const UiOpts *opts)
{
    Ui *ui = xcalloc(1, sizeof *ui);
    ui->cfg = cfg;
    ui->opts = *opts;
    ui->ino = -1;
    ui->wake[0] = ui->wake[1] = ui->sig[0] = ui->sig[1] = -1;
    for (int i = 0; i < UI_MAX_WATCHES; i++)
        ui->wd[i] = -1;
    int rc = prepare(ui);
    if (rc == 0)
        rc = term_start(ui);
    if (rc != 0) {
        teardown(ui, 0);
        return rc;
    }
    if (cfg->path && cfg->path[0] != '<') {
        size_t len;
        char *err = NULL;
        if (file_read_all(cfg->path, 8 << 20, &ui->cfg_text, &len, &err) != 0)
            free(err);
    }
    log_info("dashboard: start (layout %s)", ui->layout->name);
    const char *fl = getenv("MC_FRAME_LOG");
    frame_log = fl && *fl ? fopen(fl, "a") : NULL;
    /* the first frame, from the cache, before any fetch */
    double first = mono_now_ms();
    ui_check_data(ui, 1);
    ui_relayout(ui);
    frame_done(first, render(ui));
    int demo_started = ui->opts.demo_dir && demo_sim_start(ui->opts.demo_dir) == 0;
    ui_engine_start(ui);
    watch_setup(ui);
    ui->last_full_ms = now_ms();
    ui->next_tick = (now_ms() / 1000 + 1) * 1000;
    loop(ui);
    log_info("dashboard: quit");
    if (frame_log)
        fclose(frame_log);
    frame_log = NULL;
    teardown(ui, demo_started);
    return 0;
}

/* intent.c — acting on what a widget's key handler asked for. Widgets never
 * write: they return an Intent, and this file turns it into cache actions
 * (resolve, undo, snooze: actions.h queues them, the engine's outbox worker
 * delivers them) or a clipboard copy. The copy is an OSC 52 sequence written
 * straight to the terminal (bypassing curses; it moves nothing on screen),
 * also wrapped for tmux passthrough when running inside tmux. */
#include "ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "actions.h"

#define COPY_MAX 74994      /* bytes: about 100 KB once base64-encoded */

static void base64(const unsigned char *in, size_t n, Buf *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        buf_putc(out, tbl[(v >> 18) & 63]);
        buf_putc(out, tbl[(v >> 12) & 63]);
        buf_putc(out, i + 1 < n ? tbl[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < n ? tbl[v & 63] : '=');
    }
}

static void write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

void ui_copy(Ui *ui, const char *text)
{
    if (!text || !*text) {
        ui_set_msg(ui, 0, "nothing to copy");
        return;
    }
    size_t n = strlen(text);
    if (n > COPY_MAX)
        n = COPY_MAX;
    Buf b64 = {0};
    base64((const unsigned char *)text, n, &b64);
    Buf seq = {0};
    buf_printf(&seq, "\033]52;c;%s\a", b64.s);
    if (getenv("TMUX")) /* to the outer terminal, past tmux */
        buf_printf(&seq, "\033Ptmux;\033\033]52;c;%s\a\033\\", b64.s);
    fflush(stdout);
    write_all(seq.s, seq.len);
    buf_free(&seq);
    buf_free(&b64);
    ui_set_msg(ui, 0, "copied %zu bytes to the clipboard%s", n, n < strlen(text) ? " (cut)" : "");
}

/* Rows of blocker panes change after an action: reload them now. */
static void reload_blockers(Ui *ui)
{
    for (int i = 0; i < ui->npanes; i++)
        if (ui->panes[i]->cls->datasets & (1u << DS_BLOCKERS))
            ui->panes[i]->need_load = 1;
}

static void report(Ui *ui, int failed, int total, char *msg, const char *verb)
{
    if (total == 1 || !msg)
        ui_set_msg(ui, failed > 0, "%s", msg ? msg : verb);
    else
        ui_set_msg(ui, failed > 0, "%s %d of %d (%s)", verb, total - failed, total, msg);
}

void ui_intent(Ui *ui, Intent *in)
{
    char *msg = NULL;
    int failed = 0;
    switch (in->kind) {
    case INTENT_COPY:
        ui_copy(ui, in->text);
        break;
    case INTENT_RESOLVE:
        if (in->want_note && !in->text) {
            intent_clear(&ui->pending);
            ui->pending = *in;             /* the prompt owns it now */
            memset(in, 0, sizeof *in);
            prompt_open(ui, PROMPT_NOTE);
            return;
        }
        for (int i = 0; i < in->n; i++) {
            free(msg);
            msg = NULL;
            if (ui_action_resolve(ui->cache, ui->cfg, in->sources[i], in->keys[i],
                                  in->text ? in->text : "", &msg) != 0)
                failed++;
        }
        report(ui, failed, in->n, msg, "resolved");
        reload_blockers(ui);
        break;
    case INTENT_UNDO:
        failed = ui_action_undo(ui->cache, ui->cfg, &msg) != 0;
        report(ui, failed, 1, msg, "undone");
        reload_blockers(ui);
        break;
    case INTENT_SNOOZE:
        for (int i = 0; i < in->n; i++) {
            free(msg);
            msg = NULL;
            if (ui_action_snooze(ui->cache, ui->cfg, in->sources[i], in->keys[i], &msg) != 0)
                failed++;
        }
        report(ui, failed, in->n, msg, "snoozed");
        reload_blockers(ui);
        break;
    default:
        break;
    }
    free(msg);
    intent_clear(in);
}

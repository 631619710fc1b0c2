/* intent.c — acting on what a widget's key handler asked for. Widgets never
 * write: they return an Intent, and this file turns it into cache actions
 * (resolve, undo, snooze: actions.h queues them, the engine's outbox worker
 * delivers them) or a clipboard copy. The copy is an OSC 52 sequence written
 * straight to the terminal (bypassing curses; it moves nothing on screen),
 * also wrapped for tmux passthrough when running inside tmux. What is copied
 * comes from data, so it is cleaned first (copy_clean): nothing pasted into
 * a terminal or an editor can carry escapes, controls or bidi tricks. */
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

/* Length of an escape sequence at s (s[0] is ESC): CSI "ESC [ ... final",
 * OSC/DCS/APC/PM/SOS up to BEL or ESC \\, else ESC and one character. */
static size_t esc_len(const unsigned char *s)
{
    size_t i = 1;
    if (s[1] == '[') {
        for (i = 2; s[i] && (s[i] < 0x40 || s[i] > 0x7e); i++)
            ;
        return s[i] ? i + 1 : i;
    }
    if (s[1] == ']' || s[1] == 'P' || s[1] == '_' || s[1] == '^' || s[1] == 'X') {
        for (i = 2; s[i] && s[i] != 0x07 && !(s[i] == 0x1b && s[i + 1] == '\\'); i++)
            ;
        return !s[i] ? i : s[i] == 0x07 ? i + 1 : i + 2;
    }
    return s[1] ? 2 : 1;
}

/* A code point that must not reach the clipboard: C1, bidi embeddings,
 * overrides, isolates and marks (LRM, RLM, ALM). */
static int copy_drop(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* Decodes one UTF-8 sequence; 0 when invalid (overlong, surrogate, cut). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
             : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0)
        return 0;
    uint32_t v = n == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> n));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

char *copy_clean(const char *text, int keep_newlines)
{
    Buf b = {0};
    buf_puts(&b, "");
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    int space = 0;                        /* a space is owed (collapsed runs) */
    while (*s) {
        uint32_t cp = 0;
        size_t n;
        if (*s == 0x1b) {
            s += esc_len(s);
            continue;
        }
        if (*s == '\n' && keep_newlines) {
            buf_putc(&b, '\n');
            space = 0;
            s++;
            continue;
        }
        if (*s == '\n' || *s == '\t' || (*s == '\r' && !keep_newlines)) {
            space = b.len > 0;
            s++;
            continue;
        }
        if (*s < 0x20 || *s == 0x7f) {
            s++;
            continue;
        }
        if ((n = utf8_next(s, &cp)) == 0) {
            s++;
            continue;
        }
        if (!copy_drop(cp)) {
            if (space)
                buf_putc(&b, ' ');
            space = 0;
            buf_append(&b, (const char *)s, n);
        }
        s += n;
    }
    return buf_steal(&b);
}

void ui_copy(Ui *ui, const char *raw, int full)
{
    char *text = copy_clean(raw, full);
    if (!*text) {
        ui_set_msg(ui, 0, "nothing to copy");
        free(text);
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
    free(text);
}

/* Rows of the panes reading ds change after an action: reload them now. */
static void reload_panes(Ui *ui, DatasetId ds)
{
    for (int i = 0; i < ui->npanes; i++)
        if (ui->panes[i]->cls->datasets & (1u << ds))
            ui->panes[i]->need_load = 1;
}

static void reload_blockers(Ui *ui)
{
    reload_panes(ui, DS_BLOCKERS);
}

void ui_intent(Ui *ui, Intent *in)
{
    char *msg = NULL;
    int failed = 0;
    switch (in->kind) {
    case INTENT_COPY:
        ui_copy(ui, in->text, 0);
        break;
    case INTENT_RESOLVE:
        if (in->want_note && !in->text) {
            intent_clear(&ui->pending);
            ui->pending = *in;             /* the prompt owns it now */
            memset(in, 0, sizeof *in);
            prompt_open(ui, PROMPT_NOTE);
            return;
        }
        failed = ui_action_resolve_items(ui->cache, ui->cfg, in->n, in->sources, in->keys,
                                         in->text ? in->text : "", &msg);
        ui_set_msg(ui, failed > 0, "%s", msg ? msg : "resolving");
        reload_blockers(ui);
        break;
    case INTENT_UNDO:
        failed = ui_action_undo(ui->cache, ui->cfg, &msg) != 0;
        ui_set_msg(ui, failed, "%s", msg ? msg : "undone");
        reload_blockers(ui);
        break;
    case INTENT_SNOOZE:
        failed = ui_action_snooze_items(ui->cache, ui->cfg, in->n, in->sources, in->keys, &msg);
        ui_set_msg(ui, failed > 0, "%s", msg ? msg : "snoozed");
        reload_blockers(ui);
        break;
    case INTENT_ALERT_ACK:
    case INTENT_ALERT_SNOOZE:
        failed = ui_action_alerts(ui->cache, ui->cfg, in->kind == INTENT_ALERT_ACK, in->n, in->keys,
                                  &msg);
        ui_set_msg(ui, failed > 0, "%s", msg ? msg : "done");
        reload_panes(ui, DS_ALERTS);
        break;
    default:
        break;
    }
    free(msg);
    intent_clear(in);
}

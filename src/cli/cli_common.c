/* cli_common.c — what every command shares: finding and loading the config
 * (or the demo's), opening the log, and making text from data safe to print
 * (cli_safe, cli_safe_stream: the same rule as the screen, textsafe.h). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../demo.h"
#include "../log.h"
#include "../net/scrub.h"
#include "../textsafe.h"
#include "../util.h"

static int safe_flags = TEXTSAFE_ASCII;

void cli_safe_init(int ascii)
{
    safe_flags = textsafe_flags_terminal(ascii);
}

const char *cli_safe(const char *s)
{
    static char *ring[8];
    static unsigned next;
    unsigned i = next++ % 8;
    free(ring[i]);
    char *scrubbed = scrub_text(s);   /* no secret reaches the terminal */
    ring[i] = textsafe_clean(scrubbed, safe_flags);
    free(scrubbed);
    return ring[i];
}

/* cli_safe_stream: a line is held until its newline, then written clean. */
typedef struct SafeStream {
    FILE *dst;
    Buf line;
} SafeStream;

static void safe_flush_line(SafeStream *s)
{
    if (s->line.len) {
        buf_putc(&s->line, '\0');
        fputs(cli_safe(s->line.s), s->dst);
        s->line.len = 0;
    }
}

static ssize_t safe_write(void *cookie, const char *data, size_t n)
{
    SafeStream *s = cookie;
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            safe_flush_line(s);
            fputc('\n', s->dst);
        } else {
            buf_putc(&s->line, data[i]);
        }
    }
    return (ssize_t)n;
}

static int safe_close(void *cookie)
{
    SafeStream *s = cookie;
    safe_flush_line(s);
    fflush(s->dst);
    buf_free(&s->line);
    free(s);
    return 0;
}

FILE *cli_safe_stream(FILE *dst)
{
    SafeStream *s = xcalloc(1, sizeof *s);
    s->dst = dst;
    cookie_io_functions_t io = {.read = NULL, .write = safe_write, .seek = NULL, .close = safe_close};
    FILE *f = fopencookie(s, "w", io);
    if (!f) {
        free(s);
        return NULL;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

Config *cli_load_config(CliGlobal *g)
{
    Config *cfg = NULL;
    char *err = NULL;
    if (g->demo) {
        char *text = NULL;
        free(g->demo_dir);
        g->demo_dir = NULL;
        if (demo_prepare(&g->demo_dir, &text, &err) != 0 ||
            config_load_text("<demo>", text, &cfg, &err) != 0) {
            fprintf(stderr, "mc: demo: %s\n", cli_safe(err ? err : "cannot prepare"));
            free(text);
            free(err);
            return NULL;
        }
        free(text);
    } else {
        char *path = config_default_path(g->config_path);
        if (access(path, F_OK) != 0 && errno == ENOENT) {
            fprintf(stderr, "mc: no config at %s\n"
                            "    copy %s there,\n"
                            "    pass -c FILE, or try: mc --demo\n",
                    cli_safe(path), MC_EXAMPLE_CONFIG);
            free(path);
            return NULL;
        }
        if (config_load(path, &cfg, &err) != 0) {
            fprintf(stderr, "mc: %s\n", cli_safe(err ? err : path));
            free(err);
            free(path);
            return NULL;
        }
        free(path);
    }
    if (g->cache_path) {
        free(cfg->cache_path);
        cfg->cache_path = xstrdup(g->cache_path);
    }
    if (!g->no_log)
        log_open(cfg->log_path);
    return cfg;
}

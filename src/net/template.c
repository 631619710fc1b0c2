/* template.c — placeholder expansion for write-back requests (template.h).
 * The escaping is what keeps a note typed by the user from breaking out of
 * a JSON string, a URL path segment or a header line. */
#include <stdlib.h>
#include <string.h>
#include "template.h"
#include "http.h"
#include "../util.h"

/* Length of a placeholder name at s (after '{', up to '}'), or 0. */
static size_t name_len(const char *s)
{
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_' || (n && s[n] >= '0' && s[n] <= '9'))
        n++;
    return n && s[n] == '}' ? n : 0;
}

static void put_value(Buf *b, const char *v, TmplEscape esc)
{
    if (esc == TMPL_URL) {
        char *e = http_url_escape(v);
        buf_puts(b, e);
        free(e);
    } else if (esc == TMPL_JSON) {
        buf_json_string(b, v, 0);
    } else {
        for (const char *p = v; *p; p++)
            if (*p != '\r' && *p != '\n')
                buf_putc(b, *p);
    }
}

char *tmpl_expand(const char *tmpl, const TmplVar *vars, int nvars, TmplEscape esc)
{
    Buf b = {0};
    for (const char *p = tmpl ? tmpl : ""; *p;) {
        size_t n = *p == '{' ? name_len(p + 1) : 0;
        int found = -1;
        for (int i = 0; n && i < nvars; i++)
            if (strlen(vars[i].name) == n && !strncmp(vars[i].name, p + 1, n))
                found = i;
        if (found >= 0) {
            put_value(&b, vars[found].value ? vars[found].value : "", esc);
            p += n + 2;
        } else {
            buf_putc(&b, *p++);
        }
    }
    return b.s ? buf_steal(&b) : xstrdup("");
}

int tmpl_check(const char *tmpl, const char *const *names, char **unknown)
{
    for (const char *p = tmpl ? tmpl : ""; *p; p++) {
        size_t n = *p == '{' ? name_len(p + 1) : 0;
        if (!n)
            continue;
        int ok = 0;
        for (int i = 0; names[i] && !ok; i++)
            ok = strlen(names[i]) == n && !strncmp(names[i], p + 1, n);
        if (!ok) {
            *unknown = xstrndup(p + 1, n);
            return -1;
        }
    }
    return 0;
}

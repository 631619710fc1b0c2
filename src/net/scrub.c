/* scrub.c — the one scrubber (see scrub.h).
 *
 * Known secret values are kept in one process-wide list, longest first, so
 * a secret that contains another is masked whole. The patterns (URL
 * credentials, scheme tokens, secret-looking names) catch what a server
 * echoes back of a request without mc having read it as a secret, e.g. a
 * token written in the URL of the config. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "scrub.h"
#include "../util.h"

#define MIN_SECRET 4
#define MIN_ENV_SECRET 8
#define MASK "***"

extern char **environ;

static pthread_mutex_t scrub_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static char **secrets;
static int *refs;       /* registrations not forgotten yet, per value */
static int nsecrets;

static void add_locked(const char *s, size_t n)
{
    if (n < MIN_SECRET)
        return;
    for (int i = 0; i < nsecrets; i++)
        if (strlen(secrets[i]) == n && !memcmp(secrets[i], s, n)) {
            if (refs[i] < 1000000)
                refs[i]++;
            return;
        }
    secrets = xrealloc(secrets, sizeof *secrets * (size_t)(nsecrets + 1));
    refs = xrealloc(refs, sizeof *refs * (size_t)(nsecrets + 1));
    int at = nsecrets++;
    while (at > 0 && strlen(secrets[at - 1]) < n) {   /* longest first */
        secrets[at] = secrets[at - 1];
        refs[at] = refs[at - 1];
        at--;
    }
    secrets[at] = xstrndup(s, n);
    refs[at] = 1;
}

static void add(const char *s, size_t n)
{
    pthread_mutex_lock(&scrub_lock);
    add_locked(s, n);
    pthread_mutex_unlock(&scrub_lock);
}

void scrub_register(const char *secret)
{
    if (secret)
        add(secret, strlen(secret));
}

void scrub_forget(const char *secret)
{
    if (!secret)
        return;
    pthread_mutex_lock(&scrub_lock);
    for (int i = 0; i < nsecrets; i++)
        if (!strcmp(secrets[i], secret)) {
            if (--refs[i] > 0)
                break;          /* registered again (another source's same token) */
            free(secrets[i]);
            memmove(secrets + i, secrets + i + 1, sizeof *secrets * (size_t)(nsecrets - i - 1));
            memmove(refs + i, refs + i + 1, sizeof *refs * (size_t)(nsecrets - i - 1));
            nsecrets--;
            break;
        }
    pthread_mutex_unlock(&scrub_lock);
}

int scrub_count(void)
{
    pthread_mutex_lock(&scrub_lock);
    int n = nsecrets;
    pthread_mutex_unlock(&scrub_lock);
    return n;
}

static int has_word(const char *name, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (!strncasecmp(name + i, word, w))
            return 1;
    return 0;
}

static int ends_with(const char *name, size_t n, const char *suffix)
{
    size_t s = strlen(suffix);
    return n >= s && !strncasecmp(name + n - s, suffix, s);
}

/* Environment variables whose names say they hold a secret. */
static int env_name_secret(const char *name, size_t n)
{
    static const char *const not_secret[] = {"_SOCK", "_PID", "_FILE", "_PATH", "_DIR", "_URL",
                                             "XAUTHORITY", NULL};
    for (int i = 0; not_secret[i]; i++)
        if (ends_with(name, n, not_secret[i]))
            return 0;
    static const char *const words[] = {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY",
                                        "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "DEPLOY_KEY",
                                        "CREDENTIAL", NULL};
    for (int i = 0; words[i]; i++)
        if (has_word(name, n, words[i]))
            return 1;
    return ends_with(name, n, "_KEY") || ends_with(name, n, "_AUTH");
}

static void register_env(void)
{
    pthread_mutex_lock(&scrub_lock);
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq && env_name_secret(*e, (size_t)(eq - *e)) && strlen(eq + 1) >= MIN_ENV_SECRET)
            add_locked(eq + 1, strlen(eq + 1));
    }
    pthread_mutex_unlock(&scrub_lock);
}

int scrub_secret_name(const char *name, unsigned long len)
{
    static const char *const exact[] = {
        "token", "key", "apikey", "api_key", "x_api_key", "access_token", "refresh_token",
        "id_token", "auth_token", "x_auth_token", "api_token", "private_token", "client_secret",
        "secret", "password", "passwd", "pwd", "pass", "sig", "signature", "authorization",
        "proxy_authorization", "cookie", "set_cookie", "session", "sessionid", "x_amz_signature",
        "x_amz_security_token", "deploy_key", "credentials", NULL,
    };
    static const char *const suffixes[] = {"_token", "_key", "_secret", "_password", "_sig",
                                           "_apikey", NULL};
    char norm[64];
    if (!name || len == 0 || len >= sizeof norm)
        return 0;
    for (size_t i = 0; i < len; i++)
        norm[i] = name[i] == '-' ? '_' : (char)tolower((unsigned char)name[i]);
    norm[len] = 0;
    for (int i = 0; exact[i]; i++)
        if (!strcmp(norm, exact[i]))
            return 1;
    for (int i = 0; suffixes[i]; i++)
        if (ends_with(norm, len, suffixes[i]))
            return 1;
    return 0;
}

static int name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static int value_end(char c)
{
    return !c || isspace((unsigned char)c) || strchr("&\"',;#<>)]}", c);
}

void scrub_register_url(const char *url)
{
    if (!url)
        return;
    const char *auth = strstr(url, "://");
    if (auth) {
        auth += 3;
        size_t alen = strcspn(auth, "/?#");
        const char *at = memchr(auth, '@', alen), *colon = memchr(auth, ':', alen);
        if (at && colon && colon < at)
            add(colon + 1, (size_t)(at - colon - 1));
        else if (at)                    /* https://TOKEN@host */
            add(auth, (size_t)(at - auth));
    }
    const char *q = strchr(url, '?');
    while (q && *q && *q != '#') {
        const char *name = q + 1;
        size_t nlen = strcspn(name, "=&#");
        if (name[nlen] == '=') {
            const char *v = name + nlen + 1;
            size_t vlen = strcspn(v, "&#");
            if (scrub_secret_name(name, nlen))
                add(v, vlen);
        }
        q = strchr(name, '&');
    }
}

/* ---- the passes ------------------------------------------------------- */

/* Every known secret value. */
static char *mask_known(char *s)
{
    pthread_mutex_lock(&scrub_lock);
    for (int i = 0; i < nsecrets; i++) {
        const char *sec = secrets[i];
        if (!strstr(s, sec))
            continue;
        size_t sl = strlen(sec);
        Buf b = {0};
        const char *p = s, *hit;
        while ((hit = strstr(p, sec))) {
            buf_append(&b, p, (size_t)(hit - p));
            buf_puts(&b, MASK);
            p = hit + sl;
        }
        buf_puts(&b, p);
        free(s);
        s = buf_steal(&b);
    }
    pthread_mutex_unlock(&scrub_lock);
    return s;
}

/* A value starting at v: optional quote, then up to a delimiter (after
 * "name:" a header-style value may hold spaces: "Authorization: Bearer x").
 * Returns its length (the quote excluded); moves *v past an opening quote. */
static size_t value_at(const char **v, int header)
{
    char quote = 0;
    if (**v == '"' || **v == '\'')
        quote = *(*v)++;
    size_t n = 0;
    while ((*v)[n]) {
        char c = (*v)[n];
        if (quote ? c == quote
                  : header ? (c == '\r' || c == '\n' || strchr("&\"',;<>)]}", c)) : value_end(c))
            break;
        n++;
    }
    while (!quote && n && isspace((unsigned char)(*v)[n - 1]))
        n--;
    return n;
}

/* URL user:pass@, scheme tokens and secret-looking names, in one scan. */
static char *mask_patterns(const char *s)
{
    static const char *const schemes[] = {"bearer ", "basic ", "token ", NULL};
    Buf b = {0};
    const char *p = s;
    while (*p) {
        if (!strncmp(p, "://", 3)) {
            size_t alen = strcspn(p + 3, "/?#\"' \t\r\n<>");
            const char *at = NULL, *colon = NULL;
            for (size_t i = 0; i < alen; i++)
                if (p[3 + i] == '@')
                    at = p + 3 + i;
            for (const char *c = p + 3; at && c < at && !colon; c++)
                if (*c == ':')
                    colon = c;
            if (colon) {                /* user:password@ keeps the user */
                buf_append(&b, p, (size_t)(colon + 1 - p));
                buf_puts(&b, MASK);
                p = at;
            } else {
                buf_append(&b, p, 3);
                p += 3;
            }
            continue;
        }
        int word_start = p == s || !name_char(p[-1]);
        if (word_start) {
            int hit = 0;
            for (int i = 0; schemes[i] && !hit; i++) {
                size_t w = strlen(schemes[i]);
                if (strncasecmp(p, schemes[i], w))
                    continue;
                const char *t = p + w;
                size_t tl = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-._~+/=:");
                if (tl >= MIN_SECRET && strncmp(t, MASK, 3)) {
                    buf_append(&b, p, w);
                    buf_puts(&b, MASK);
                    p = t + tl;
                    hit = 1;
                }
            }
            if (hit)
                continue;
        }
        if (word_start && name_char(*p)) {
            size_t nl = 0;
            while (name_char(p[nl]))
                nl++;
            const char *after = p + nl;
            if (*after == '"' || *after == '\'')
                after++;
            int sep = *after == '=' || *after == ':';
            /* "name: value" is a header or a field; not "key:" nor a dotted
             * config path ("resolve.key: ..." explains a config error) */
            if (*after == ':' && ((nl == 3 && !strncasecmp(p, "key", 3)) || (p > s && p[-1] == '.')))
                sep = 0;
            if (sep && scrub_secret_name(p, nl)) {
                const char *v = after + 1;
                if (*after == ':')
                    while (*v == ' ' || *v == '\t')
                        v++;
                size_t vl = value_at(&v, *after == ':');
                if (vl > 0 && !(vl == 3 && !strncmp(v, MASK, 3))) {
                    buf_append(&b, p, (size_t)(v - p));
                    buf_puts(&b, MASK);
                    p = v + vl;
                    continue;
                }
            }
            buf_append(&b, p, nl);
            p += nl;
            continue;
        }
        buf_putc(&b, *p++);
    }
    return b.s ? buf_steal(&b) : xstrdup("");
}

char *scrub_text(const char *s)
{
    if (!s)
        return NULL;
    pthread_once(&env_once, register_env);
    char *known = mask_known(xstrdup(s));
    char *out = mask_patterns(known);
    free(known);
    return out;
}

void scrub_in_place(char **s)
{
    if (!s || !*s)
        return;
    char *clean = scrub_text(*s);
    free(*s);
    *s = clean;
}

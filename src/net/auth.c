/* auth.c — the shared `auth:` config of HTTP source kinds (see auth.h).
 *
 * Configure checks the shape once at load time; http_auth_headers reads the
 * environment variables and secret files on every request and puts the
 * values (through the one secret reader, secret.h, which registers them
 * with the scrubber) only into headers flagged secret, which http.c sends
 * to the configured origin only. Nothing here formats a secret into an error. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "auth.h"
#include "secret.h"
#include "../util.h"

static const char *const auth_keys[] = {
    "bearer_env", "bearer_file", "scheme", "basic", "basic_user", "basic_user_env",
    "basic_user_file", "basic_password_env", "basic_password_file", "header", "oauth2", NULL,
};
static const char *const basic_keys[] = {
    "user", "user_env", "user_file", "password_env", "password_file", NULL,
};
static const char *const header_keys[] = {"name", "value_env", "value_file", "prefix", NULL};
/* Keys people write by habit that would put a secret in the config file. */
static const char *const literal_secret_keys[] = {
    "bearer", "token", "password", "basic_password", "value", "api_key", "apikey", NULL,
};

static int count_set(const char *a, const char *b, const char *c)
{
    return !!a + !!b + !!c;
}

static int reject_literal_secrets(const YNode *map, const char *where, char **err)
{
    for (int i = 0; literal_secret_keys[i]; i++) {
        const YNode *n = ynode_get(map, literal_secret_keys[i]);
        if (n)
            return ynode_error(n, err,
                               "%s: '%s' would put a secret in the config; use %s_env or %s_file",
                               where, literal_secret_keys[i], literal_secret_keys[i],
                               literal_secret_keys[i]);
    }
    return 0;
}

static int parse_basic(HttpAuth *a, const YNode *node, char **err)
{
    const YNode *b = ynode_get(node, "basic");
    if (b) {
        if (reject_literal_secrets(b, "auth.basic", err) < 0
            || ynode_check_keys(b, basic_keys, "auth.basic", err) < 0
            || ynode_str(b, "user", &a->user, err) < 0
            || ynode_str(b, "user_env", &a->user_env, err) < 0
            || ynode_path(b, "user_file", &a->user_file, err) < 0
            || ynode_str(b, "password_env", &a->password_env, err) < 0
            || ynode_path(b, "password_file", &a->password_file, err) < 0)
            return -1;
    }
    if (ynode_str(node, "basic_user", &a->user, err) < 0
        || ynode_str(node, "basic_user_env", &a->user_env, err) < 0
        || ynode_path(node, "basic_user_file", &a->user_file, err) < 0
        || ynode_str(node, "basic_password_env", &a->password_env, err) < 0
        || ynode_path(node, "basic_password_file", &a->password_file, err) < 0)
        return -1;
    a->basic = b || a->user || a->user_env || a->user_file || a->password_env || a->password_file;
    if (!a->basic)
        return 0;
    const YNode *at = b ? b : node;
    if (count_set(a->user, a->user_env, a->user_file) != 1)
        return ynode_error(at, err, "auth: basic needs exactly one of user, user_env, user_file");
    if (a->password_env && a->password_file)
        return ynode_error(at, err, "auth: basic takes password_env or password_file, not both");
    return 0;
}

static int parse_header(HttpAuth *a, const YNode *node, char **err)
{
    const YNode *h = ynode_get(node, "header");
    if (!h)
        return 0;
    if (reject_literal_secrets(h, "auth.header", err) < 0
        || ynode_check_keys(h, header_keys, "auth.header", err) < 0
        || ynode_req_str(h, "name", &a->header_name, err) < 0
        || ynode_str(h, "value_env", &a->header_env, err) < 0
        || ynode_path(h, "value_file", &a->header_file, err) < 0
        || ynode_str(h, "prefix", &a->header_prefix, err) < 0)
        return -1;
    if (!*a->header_name || strpbrk(a->header_name, " :\r\n"))
        return ynode_error(h, err, "auth.header: bad header name '%s'", a->header_name);
    if (count_set(a->header_env, a->header_file, NULL) != 1)
        return ynode_error(h, err, "auth.header needs exactly one of value_env, value_file");
    return 0;
}

int http_auth_configure(HttpAuth *a, const YNode *node, char **err)
{
    memset(a, 0, sizeof *a);
    if (!node)
        return 0;
    if (node->type != YN_MAP)
        return ynode_error(node, err, "auth: expected a map (bearer_env, bearer_file, basic, header)");
    if (reject_literal_secrets(node, "auth", err) < 0
        || ynode_check_keys(node, auth_keys, "auth", err) < 0
        || ynode_str(node, "bearer_env", &a->bearer_env, err) < 0
        || ynode_path(node, "bearer_file", &a->bearer_file, err) < 0
        || ynode_str(node, "scheme", &a->scheme, err) < 0
        || parse_basic(a, node, err) < 0 || parse_header(a, node, err) < 0)
        goto fail;
    const YNode *o2 = ynode_get(node, "oauth2");
    if (o2 && !(a->oauth2 = oauth2_configure(o2, err)))
        goto fail;
    if (a->bearer_env && a->bearer_file) {
        ynode_error(node, err, "auth: bearer_env and bearer_file both given; keep one");
        goto fail;
    }
    int bearer = a->bearer_env || a->bearer_file;
    if (a->oauth2 && (bearer || a->basic)) {
        ynode_error(o2, err, "auth: oauth2 sets the Authorization header (Bearer); drop bearer/basic");
        goto fail;
    }
    bearer |= a->oauth2 != NULL;
    if (bearer && a->basic) {
        ynode_error(node, err, "auth: bearer and basic both set the Authorization header; keep one");
        goto fail;
    }
    if ((bearer || a->basic) && a->header_name && !strcasecmp(a->header_name, "Authorization")) {
        ynode_error(node, err, "auth: header Authorization clashes with bearer/basic");
        goto fail;
    }
    if (a->scheme && (!bearer || !*a->scheme || strpbrk(a->scheme, " \r\n"))) {
        ynode_error(ynode_get(node, "scheme"), err,
                    "auth: scheme is the word before a bearer token (e.g. Token)");
        goto fail;
    }
    return 0;
fail:
    http_auth_free(a);
    return -1;
}

void http_auth_free(HttpAuth *a)
{
    if (!a)
        return;
    char **all[] = {&a->bearer_env, &a->bearer_file, &a->scheme, &a->user, &a->user_env,
                    &a->user_file, &a->password_env, &a->password_file, &a->header_name,
                    &a->header_env, &a->header_file, &a->header_prefix};
    for (size_t i = 0; i < MC_ARRAY_LEN(all); i++) {
        free(*all[i]);
        *all[i] = NULL;
    }
    a->basic = 0;
    oauth2_free(a->oauth2);
    a->oauth2 = NULL;
}

int http_auth_any(const HttpAuth *a)
{
    return a && (a->bearer_env || a->bearer_file || a->basic || a->header_name || a->oauth2);
}

/* One secret through the secret reader, its message prefixed "auth: ". */
static char *read_secret(const char *env, const char *file, int allow_empty, char **err)
{
    char *e = NULL;
    char *v = secret_read(env, file, allow_empty, &e);
    if (!v) {
        set_err(err, "auth: %s", e ? e : "cannot read the secret");
        free(e);
    }
    return v;
}

static int basic_header(const HttpAuth *a, HttpHeaders *h, char **err)
{
    char *user = a->user ? xstrdup(a->user) : read_secret(a->user_env, a->user_file, 0, err);
    if (!user)
        return -1;
    char *pass = read_secret(a->password_env, a->password_file, 1, err);
    if (!pass) {
        secret_free(user);
        return -1;
    }
    char *pair = xasprintf("%s:%s", user, pass);
    char *b64 = http_base64(pair, strlen(pair));
    char *val = xasprintf("Basic %s", b64);
    http_headers_set(h, "Authorization", val, 1);
    secret_free(user), secret_free(pass), secret_free(pair), secret_free(b64), secret_free(val);
    return 0;
}

int http_auth_headers(const HttpAuth *a, HttpHeaders *h, char **err)
{
    return http_auth_headers_until(a, h, 0, NULL, err);
}

int http_auth_headers_until(const HttpAuth *a, HttpHeaders *h, int64_t deadline_ms, atomic_int *cancel,
                            char **err)
{
    if (!a)
        return 0;
    if (a->bearer_env || a->bearer_file) {
        char *tok = read_secret(a->bearer_env, a->bearer_file, 0, err);
        if (!tok)
            return -1;
        char *val = xasprintf("%s %s", a->scheme ? a->scheme : "Bearer", tok);
        http_headers_set(h, "Authorization", val, 1);
        secret_free(tok);
        secret_free(val);
    }
    if (a->basic && basic_header(a, h, err) < 0)
        return -1;
    if (a->oauth2) {
        char *tok = oauth2_token(a->oauth2, deadline_ms, cancel, err);
        if (!tok)
            return -1;
        char *val = xasprintf("%s %s", a->scheme ? a->scheme : "Bearer", tok);
        http_headers_set(h, "Authorization", val, 1);
        secret_free(tok);
        secret_free(val);
    }
    if (a->header_name) {
        char *v = read_secret(a->header_env, a->header_file, 0, err);
        if (!v)
            return -1;
        char *val = xasprintf("%s%s", a->header_prefix ? a->header_prefix : "", v);
        http_headers_set(h, a->header_name, val, 1);
        secret_free(v);
        secret_free(val);
    }
    return 0;
}

int http_auth_retry_401(const HttpAuth *a, const HttpHeaders *h)
{
    if (!a || !a->oauth2)
        return 0;
    const char *sent = h ? http_headers_get(h, "Authorization") : NULL;
    oauth2_invalidate(a->oauth2, sent && !strncmp(sent, "Bearer ", 7) ? sent + 7 : NULL);
    return 1;
}

int http_auth_perform(const HttpAuth *a, const HttpRequest *rq, HttpResponse *resp, char **err)
{
    if (http_perform(rq, resp, err) < 0)
        return -1;
    if (resp->status != 401 || !http_auth_retry_401(a, rq->headers))
        return 0;
    HttpHeaders h = {0};
    for (int i = 0; rq->headers && i < rq->headers->n; i++)
        http_headers_set(&h, rq->headers->v[i].name, rq->headers->v[i].value, rq->headers->v[i].secret);
    int rc = http_auth_headers_until(a, &h, rq->deadline_ms, rq->cancel, err);
    if (rc == 0) {
        HttpRequest again = *rq;
        again.headers = &h;
        http_response_free(resp);
        memset(resp, 0, sizeof *resp);
        rc = http_perform(&again, resp, err);
    }
    http_headers_free(&h);
    return rc;
}

char *http_base64(const void *data, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    char *out = xmalloc((n + 2) / 3 * 4 + 1), *w = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        *w++ = tbl[(v >> 18) & 63];
        *w++ = tbl[(v >> 12) & 63];
        *w++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        *w++ = i + 2 < n ? tbl[v & 63] : '=';
    }
    *w = 0;
    return out;
}

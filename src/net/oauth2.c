/* oauth2.c — OAuth2 client credentials (see oauth2.h): the `oauth2:` map,
 * the token request, and the in-memory token cache shared by one source's
 * fetches and write-backs.
 *
 * The cache lives behind a pointer in the (otherwise const) config, under a
 * mutex held across the token request, so two threads needing a token at
 * once make one request. Nothing here formats a secret or a raw body into a
 * message: errors carry the endpoint's host, the status, and the server's
 * "error"/"error_description" (scrubbed: a server may echo the secret). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "oauth2.h"
#include "auth.h"
#include "http.h"
#include "scrub.h"
#include "secret.h"
#include "../util.h"
#include "../ynode.h"

#define OAUTH2_TIMEOUT_MS 20000
#define OAUTH2_MARGIN_MAX_MS 60000
#define OAUTH2_NO_EXPIRY_MS ((int64_t)3600 * 1000)   /* no expires_in: refresh hourly (and on 401) */

struct OAuth2State {
    pthread_mutex_t lock;
    char *token;                   /* NULL: none yet */
    int64_t refresh_at;            /* mono_ms after which a new one is fetched */
    int64_t requests;
};

static const char *const oauth2_keys[] = {
    "token_url", "client_id", "client_id_file", "client_id_env", "client_secret_file",
    "client_secret_env", "scope", "send_as", NULL,
};

void oauth2_free(OAuth2 *o)
{
    if (!o)
        return;
    free(o->token_url), free(o->client_id), free(o->client_id_file), free(o->client_id_env);
    free(o->client_secret_file), free(o->client_secret_env), free(o->scope);
    if (o->st) {
        pthread_mutex_destroy(&o->st->lock);
        secret_free(o->st->token);
        free(o->st);
    }
    free(o);
}

OAuth2 *oauth2_configure(const YNode *node, char **err)
{
    if (node->type != YN_MAP) {
        ynode_error(node, err, "auth.oauth2: expected a map (token_url, client_id..., client_secret_...)");
        return NULL;
    }
    OAuth2 *o = xcalloc(1, sizeof *o);
    char *send_as = NULL;
    const YNode *lit = ynode_get(node, "client_secret");
    if (lit) {
        ynode_error(lit, err, "auth.oauth2: 'client_secret' would put a secret in the config; "
                              "use client_secret_file or client_secret_env");
        goto fail;
    }
    if (ynode_check_keys(node, oauth2_keys, "auth.oauth2", err) < 0
        || ynode_req_str(node, "token_url", &o->token_url, err) < 0
        || ynode_str(node, "client_id", &o->client_id, err) < 0
        || ynode_path(node, "client_id_file", &o->client_id_file, err) < 0
        || ynode_str(node, "client_id_env", &o->client_id_env, err) < 0
        || ynode_path(node, "client_secret_file", &o->client_secret_file, err) < 0
        || ynode_str(node, "client_secret_env", &o->client_secret_env, err) < 0
        || ynode_str(node, "scope", &o->scope, err) < 0 || ynode_str(node, "send_as", &send_as, err) < 0)
        goto fail;
    char *host = http_url_host(o->token_url);
    free(host);
    if (!host) {
        ynode_error(ynode_get(node, "token_url"), err, "auth.oauth2.token_url: '%.80s' is not an http:// or https:// URL",
                    o->token_url);
        goto fail;
    }
    if (!!o->client_id + !!o->client_id_file + !!o->client_id_env != 1) {
        ynode_error(node, err, "auth.oauth2 needs exactly one of client_id, client_id_file, client_id_env");
        goto fail;
    }
    if (!!o->client_secret_file + !!o->client_secret_env != 1) {
        ynode_error(node, err, "auth.oauth2 needs exactly one of client_secret_file, client_secret_env");
        goto fail;
    }
    if (send_as && strcmp(send_as, "basic") && strcmp(send_as, "form")) {
        ynode_error(ynode_get(node, "send_as"), err, "auth.oauth2.send_as: '%s' is not basic or form", send_as);
        goto fail;
    }
    o->send_form = send_as && !strcmp(send_as, "form");
    free(send_as);
    scrub_register_url(o->token_url);
    o->st = xcalloc(1, sizeof *o->st);
    pthread_mutex_init(&o->st->lock, NULL);
    return o;
fail:
    free(send_as);
    oauth2_free(o);
    return NULL;
}

int64_t oauth2_expires_ms(const cJSON *v)
{
    double s;
    if (cJSON_IsNumber(v)) {
        s = v->valuedouble;
    } else if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
        char *end = NULL;
        s = strtod(v->valuestring, &end);
        while (end && (*end == ' ' || *end == '\t'))
            end++;
        if (!end || *end)
            return -1;
    } else {
        return -1;
    }
    if (!isfinite(s) || s < 0 || s > 1e9)
        return -1;
    return (int64_t)(s * 1000.0);
}

int64_t oauth2_margin_ms(int64_t lifetime_ms)
{
    int64_t m = lifetime_ms / 10;
    return m > OAUTH2_MARGIN_MAX_MS ? OAUTH2_MARGIN_MAX_MS : m;
}

/* application/x-www-form-urlencoded name=value appended to b. */
static void form_add(Buf *b, const char *name, const char *value)
{
    char *v = http_url_escape(value);
    buf_printf(b, "%s%s=%s", b->len ? "&" : "", name, v);
    secret_free(v);
}

static char *read_one(const char *env, const char *file, char **err)
{
    char *e = NULL;
    char *v = secret_read(env, file, 0, &e);
    if (!v) {
        set_err(err, "auth: oauth2: %s", e ? e : "cannot read the secret");
        free(e);
    }
    return v;
}

/* Reads the answer of the token endpoint into st. 0, or -1 with *err. */
static int take_token(OAuth2State *st, const HttpResponse *r, char **err)
{
    if (r->status < 200 || r->status > 299) {
        char *why = NULL;
        cJSON *j = r->body_len ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "error");
        const cJSON *desc = cJSON_GetObjectItemCaseSensitive(j, "error_description");
        if (cJSON_IsString(code) && code->valuestring) {
            char *c = http_sanitize(code->valuestring, strlen(code->valuestring), 60);
            char *d = cJSON_IsString(desc) && desc->valuestring
                          ? http_sanitize(desc->valuestring, strlen(desc->valuestring), 160)
                          : NULL;
            why = d && *d ? xasprintf("%s (%s)", c, d) : xstrdup(c);
            free(c), free(d);
        } else {
            why = http_error_text(r->body, r->body_len, 160);
        }
        scrub_in_place(&why);
        set_err(err, "auth: oauth2 grant at %s answered HTTP %ld%s%s", r->host, r->status,
                why && *why ? ": " : "", why ? why : "");
        free(why);
        cJSON_Delete(j);
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
    if (!cJSON_IsString(tok) || !tok->valuestring || !*tok->valuestring
        || strpbrk(tok->valuestring, " \r\n\t")) {
        set_err(err, "auth: oauth2 grant at %s: %s", r->host,
                j ? "no usable access_token in the answer" : "the answer is not JSON");
        cJSON_Delete(j);
        return -1;
    }
    scrub_register(tok->valuestring);
    int64_t life = oauth2_expires_ms(cJSON_GetObjectItemCaseSensitive(j, "expires_in"));
    if (life < 0)
        life = OAUTH2_NO_EXPIRY_MS;
    scrub_forget(st->token);          /* the replaced token: one entry per source, not per refresh */
    secret_free(st->token);
    st->token = xstrdup(tok->valuestring);
    st->refresh_at = mono_ms() + life - oauth2_margin_ms(life);
    cJSON_Delete(j);
    return 0;
}

/* One token request (lock held). 0, or -1 with *err. */
static int request_token(const OAuth2 *o, int64_t deadline_ms, atomic_int *cancel, char **err)
{
    char *id = o->client_id ? xstrdup(o->client_id) : read_one(o->client_id_env, o->client_id_file, err);
    if (!id)
        return -1;
    char *secret = read_one(o->client_secret_env, o->client_secret_file, err);
    if (!secret) {
        secret_free(id);
        return -1;
    }
    Buf body = {0};
    form_add(&body, "grant_type", "client_credentials");
    if (o->scope && *o->scope)
        form_add(&body, "scope", o->scope);
    HttpHeaders h = {0};
    http_headers_set(&h, "Accept", "application/json", 0);
    if (o->send_form) {
        form_add(&body, "client_id", id);
        form_add(&body, "client_secret", secret);
    } else {
        char *pair = xasprintf("%s:%s", id, secret);
        char *b64 = http_base64(pair, strlen(pair));
        char *val = xasprintf("Basic %s", b64);
        http_headers_set(&h, "Authorization", val, 1);
        secret_free(pair), secret_free(b64), secret_free(val);
    }
    HttpRequest rq = {.method = "POST", .url = o->token_url, .headers = &h, .body = body.s,
                      .body_len = body.len, .content_type = "application/x-www-form-urlencoded",
                      .timeout_ms = OAUTH2_TIMEOUT_MS, .deadline_ms = deadline_ms, .cancel = cancel};
    HttpResponse resp = {0};
    o->st->requests++;
    int rc = -1;
    char *e = NULL;
    if (http_perform(&rq, &resp, &e) < 0) {
        scrub_in_place(&e);
        set_err(err, "auth: oauth2 grant: %s", e ? e : "request failed");
        free(e);
    } else {
        rc = take_token(o->st, &resp, err);
    }
    http_response_free(&resp);
    http_headers_free(&h);
    if (body.s)
        memset(body.s, 0, body.len);
    free(body.s);
    secret_free(id);
    secret_free(secret);
    return rc;
}

char *oauth2_token(const OAuth2 *o, int64_t deadline_ms, atomic_int *cancel, char **err)
{
    OAuth2State *st = o->st;
    pthread_mutex_lock(&st->lock);
    char *out = NULL;
    if ((st->token && mono_ms() < st->refresh_at) || request_token(o, deadline_ms, cancel, err) == 0)
        out = xstrdup(st->token);
    pthread_mutex_unlock(&st->lock);
    return out;
}

void oauth2_invalidate(const OAuth2 *o, const char *used)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->st->lock);
    if (o->st->token && (!used || !strcmp(used, o->st->token))) {
        secret_free(o->st->token);
        o->st->token = NULL;
    }
    pthread_mutex_unlock(&o->st->lock);
}

int64_t oauth2_requests(const OAuth2 *o)
{
    if (!o)
        return 0;
    pthread_mutex_lock(&o->st->lock);
    int64_t n = o->st->requests;
    pthread_mutex_unlock(&o->st->lock);
    return n;
}

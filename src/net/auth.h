/* auth.h — the `auth:` map every HTTP source kind shares, turned into request
 * headers at request time.
 *
 *   auth: {bearer_env: NAME}  or {bearer_file: PATH}     Authorization: Bearer <secret>
 *         (scheme: Token changes the word "Bearer")
 *   auth: {basic: {user: U | user_env | user_file, password_env | password_file}}
 *         (or flat: basic_user, basic_user_env, basic_user_file,
 *          basic_password_env, basic_password_file)      Authorization: Basic ...
 *   auth: {header: {name: X-Api-Key, value_env | value_file, prefix: "..."}}
 *   auth: {oauth2: {token_url, client_id | client_id_file | client_id_env,
 *          client_secret_file | client_secret_env, scope, send_as: basic|form}}
 *         (OAuth2 client credentials, oauth2.h)        Authorization: Bearer <token>
 *
 * Basic with an API key as the user and an empty password: basic: {user_file: KEY};
 * "sid:token": basic: {user: SID (or user_file/user_env), password_file: TOKEN}.
 *
 * A header may be combined with bearer or basic (PostgREST wants both).
 * Secrets are read on every request (a rotated token file is picked up at
 * once) and only ever live in headers marked secret; errors name the
 * variable or the file, never the content. */
#ifndef MC_AUTH_H
#define MC_AUTH_H

#include "../ynode.h"
#include "http.h"
#include "oauth2.h"

typedef struct HttpAuth {
    char *bearer_env, *bearer_file;
    char *scheme;                        /* default "Bearer" */
    int basic;
    char *user, *user_env, *user_file;
    char *password_env, *password_file;  /* neither: empty password */
    char *header_name, *header_env, *header_file, *header_prefix;
    OAuth2 *oauth2;                      /* oauth2: client credentials, or NULL */
} HttpAuth;

/* Parses an `auth:` node (NULL: no auth). Returns 0, or -1 with *err at the
 * offending line. *a is zeroed first; free with http_auth_free. */
int http_auth_configure(HttpAuth *a, const YNode *node, char **err);
void http_auth_free(HttpAuth *a);
/* 1 when any auth is configured. */
int http_auth_any(const HttpAuth *a);
/* Reads the secrets now and sets the headers (marked secret) in h.
 * Returns 0, or -1 with *err ("auth: environment variable X is not set",
 * "auth: cannot read PATH: why"). */
int http_auth_headers(const HttpAuth *a, HttpHeaders *h, char **err);
/* The same, an OAuth2 token request bounded by the mono deadline_ms (0:
 * none but its own 20 s) and the cancel flag (may be NULL). */
int http_auth_headers_until(const HttpAuth *a, HttpHeaders *h, int64_t deadline_ms, atomic_int *cancel,
                            char **err);

/* After a 401 from the resource: when the auth is OAuth2, forgets the token
 * the request carried (in h) and returns 1 — build the headers again and
 * retry once; else 0 (a 401 is final). */
int http_auth_retry_401(const HttpAuth *a, const HttpHeaders *h);

/* http_perform, and after a 401 with OAuth2 auth the same request once
 * more with a new token (rq->headers copied, its Authorization replaced).
 * For kinds that build their headers once per fetch (convex, postgrest). */
int http_auth_perform(const HttpAuth *a, const HttpRequest *rq, HttpResponse *resp, char **err);

/* Standard base64 of n bytes. Returns a new string. */
char *http_base64(const void *data, size_t n);

#endif

/* oauth2.h — OAuth2 client credentials for the `auth:` map (auth.h):
 *
 *   auth: {oauth2: {token_url: URL, client_id: ID | client_id_file | client_id_env,
 *                   client_secret_file | client_secret_env, scope: "...",
 *                   send_as: basic | form}}        (default basic)
 *
 * POST token_url with grant_type=client_credentials (and scope), the client
 * id and secret as HTTP Basic or as form fields. The answer's access_token
 * is kept in memory only (one per configured source, shared by its fetches
 * and write-backs, guarded by a mutex) and sent as "Authorization: Bearer";
 * it is fetched again before `expires_in` (a number or a numeric string)
 * runs out, with a margin of a tenth of the lifetime (at most 60 s), and
 * once more when the resource answers 401 (oauth2_invalidate). The token
 * and the secret are registered with the scrubber; the token endpoint's
 * error bodies are scrubbed and never printed raw. */
#ifndef MC_NET_OAUTH2_H
#define MC_NET_OAUTH2_H

#include <stdatomic.h>
#include <stdint.h>

struct YNode;
typedef struct OAuth2State OAuth2State;

typedef struct OAuth2 {
    char *token_url;
    char *client_id, *client_id_file, *client_id_env;
    char *client_secret_file, *client_secret_env;
    char *scope;
    int send_form;                 /* send_as: form */
    OAuth2State *st;               /* the cached token (mutable through const configs) */
} OAuth2;

/* Parses the `oauth2:` map. Returns a new OAuth2, or NULL with *err at the key. */
OAuth2 *oauth2_configure(const struct YNode *node, char **err);
void oauth2_free(OAuth2 *o);
/* The current access token (fetched when there is none or it is about to
 * expire; the request gives up at the mono deadline_ms (0: 20 s) or when
 * *cancel is set). Returns a new string (secret_free it), or NULL with *err =
 * "auth: oauth2 grant at HOST answered HTTP 401: invalid_client (...)". */
char *oauth2_token(const OAuth2 *o, int64_t deadline_ms, atomic_int *cancel, char **err);
/* Forgets the cached token if it is still `used` (a 401 said it is no good),
 * so the next oauth2_token fetches a new one. */
void oauth2_invalidate(const OAuth2 *o, const char *used);
/* Token requests made so far (for tests and the log). */
int64_t oauth2_requests(const OAuth2 *o);
/* The lifetime in ms of an `expires_in` JSON value (number or numeric
 * string, seconds), or -1 when absent or not a number. Exposed for tests. */
struct cJSON;
int64_t oauth2_expires_ms(const struct cJSON *v);
/* The ms before expiry at which a token of this lifetime is refreshed. */
int64_t oauth2_margin_ms(int64_t lifetime_ms);

#endif

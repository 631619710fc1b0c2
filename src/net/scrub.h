/* scrub.h — the one scrubber: every text that is about to be recorded (a
 * source's last_error in the cache, an outbox reason, a line of mc.log, what
 * `mc check` and the CLI print) goes through scrub_text first.
 *
 * It removes, replacing each with "***":
 *   - every secret value this process has read (secret.h registers them;
 *     config code registers literal header values and URL query secrets),
 *   - values of environment variables whose names look secret (TOKEN,
 *     SECRET, PASSWORD, API_KEY, or ending in _KEY), at least 8 bytes long,
 *   - URL passwords (scheme://user:***@host),
 *   - the token after an auth scheme word (Bearer, Basic, Token),
 *   - the value of a secret-looking parameter or field: token=, api_key=,
 *     access_token=, password=, secret=, sig=, key=, "token": "...",
 *     apikey: ... (names compare case-insensitively; '-' equals '_').
 * Thread-safe; registered values live until the process exits or are forgotten. */
#ifndef MC_NET_SCRUB_H
#define MC_NET_SCRUB_H

/* Remembers a secret value (copied). Values shorter than 4 bytes are too
 * likely to occur by chance and are ignored. */
void scrub_register(const char *secret);
/* Forgets one registration of a value (a replaced OAuth2 token), so a
 * long-running process does not keep one entry per refresh. A value
 * registered more often than forgotten stays masked. Unknown: nothing. */
void scrub_forget(const char *secret);
/* How many values are registered (for tests). */
int scrub_count(void);
/* Registers the password of a URL's user:pass@ and the values of its
 * secret-looking query parameters (a configured URL like ...?token=abc). */
void scrub_register_url(const char *url);
/* 1 when a parameter, field or header name looks like it carries a secret
 * (token, api_key, apikey, x-api-key, password, secret, sig, *_token ...). */
int scrub_secret_name(const char *name, unsigned long len);

/* Returns a new scrubbed copy of s (NULL when s is NULL); caller frees. */
char *scrub_text(const char *s);
/* Scrubs *s in place (frees the old string); NULL is left alone. */
void scrub_in_place(char **s);

#endif

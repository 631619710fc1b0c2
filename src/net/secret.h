/* secret.h — the one secret reader. Every credential mc sends (bearer
 * tokens, API keys, deploy keys, basic-auth passwords, postgres conninfo)
 * is read here, at use time, from an environment variable or a file:
 *
 *   - one trailing line ending is dropped; a line break inside the value is
 *     an error (a second line would otherwise be sent or silently cut);
 *   - a file must be a regular file (a FIFO or device never blocks a worker)
 *     of at most 64 KiB;
 *   - a file readable or writable by group or others is used, but warned
 *     about once per path (like ssh): in mc.log and in secret_warnings(),
 *     which `mc check` prints;
 *   - every value read is registered with the scrubber (scrub.h), so it can
 *     never reach the cache, the log or a message.
 * Errors name the variable or the file, never the content. */
#ifndef MC_NET_SECRET_H
#define MC_NET_SECRET_H

/* The secret in environment variable env (when env is not NULL), else in
 * file path (when not NULL), else "". allow_empty: an empty value is
 * accepted. Returns a new string (caller wipes and frees) or NULL with
 * *err = "environment variable X is not set" / "... contains a line break" /
 * "cannot read secret file PATH: why" / "secret file PATH is empty" /
 * "secret file PATH has more than one line". */
char *secret_read(const char *env, const char *path, int allow_empty, char **err);
/* secret_read(NULL, path, 0, err). */
char *secret_read_file(const char *path, char **err);

/* The warnings given so far, one per line ("secret file PATH is readable
 * by group/others (mode 0644); chmod 600 PATH"), or NULL. New string. */
char *secret_warnings(void);

/* Zeroes and frees a secret copy (NULL is fine). */
void secret_free(char *s);

#endif

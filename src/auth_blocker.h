/* auth_blocker.h — "credentials refused" becomes a blocker for the owner.
 *
 * An HTTP-based source (http_json — and so every preset —, convex,
 * postgrest) answered 401 or 403 on every attempt for `auth_blocker_after`
 * (a common source key, default 1h) gets ONE row in `blockers`: source = its
 * id, key "auth", from_agent "mc", for_owner 1, the description naming the
 * source, the status and since when ("vercel: token lacks permission —
 * HTTP 403 since Mar 23"). Since-when lives in source_state.auth_since. The
 * row leaves when the source succeeds. Resolving it (r, mc resolve, the
 * outbox) means "fixed, try now": delivery marks it resolved and asks the
 * engine to fetch the source at once; the kind's write-back is not called.
 *
 * The row carries no sweep generation the kind knows of and is written on
 * failures only (no fetch_commit runs then), so a kind that feeds blockers
 * itself neither sweeps it on a failed fetch nor has its own rows touched:
 * only (source, "auth", from_agent "mc") is ever written or deleted here. */
#ifndef MC_AUTH_BLOCKER_H
#define MC_AUTH_BLOCKER_H

#include <stdint.h>
#include "cache.h"
#include "config.h"
#include "source.h"

#define AUTH_BLOCKER_KEY "auth"
#define AUTH_BLOCKER_DEFAULT_MS ((int64_t)3600 * 1000)

/* The HTTP status an error message reports ("HTTP 403 from ...", "auth
 * failed (HTTP 401): ..."): the first "HTTP NNN" in it, or 0. */
int auth_blocker_status(const char *err);
/* 1 when sc's kind talks HTTP (the kinds this applies to). */
int auth_blocker_applies(const SourceConfig *sc);
/* After an attempt (the engine's record()): keeps auth_since, and puts or
 * removes the blocker. err: the attempt's error when !ok. Never fails
 * loudly: problems go to the log. */
void auth_blocker_note(Cache *c, const SourceConfig *sc, int ok, const char *err, int64_t now);
/* 1 when (source, key) is this module's blocker row. */
int auth_blocker_is(Cache *c, const char *source, const char *key);
/* Delivery of a resolve/unresolve of that row: "fixed, try now" — the
 * source is due at once (source_state.next_due and the engine's nudge).
 * Always RESOLVE_OK. */
ResolveResult auth_blocker_deliver(Cache *c, const char *source, const char *action, ResolveOut *out);

#endif

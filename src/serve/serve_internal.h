/* serve_internal.h — what the serve_*.c files share and nothing else sees. */
#ifndef MC_SERVE_INTERNAL_H
#define MC_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "../cache.h"
#include "../config.h"
#include "../engine.h"
#include "../util.h"
#include "mhd_dyn.h"
#include "serve.h"

#define SERVE_BODY_MAX (16 * 1024)          /* request body cap */
#define SERVE_SSE_QUEUE_MAX (64 * 1024)     /* unsent event bytes before a client is dropped */
#define SERVE_HEARTBEAT_MS 15000
#define SERVE_RETRY_MS 3000                 /* the SSE retry: hint */
#define SERVE_WRITES_PER_MIN 60             /* per client address */

typedef struct SseClient SseClient;

typedef struct Server {
    const Config *cfg;
    char *read_token, *write_token;         /* NULL: not configured */
    char *read_name, *write_name;           /* the tokens' names (their files' base names) */
    struct MHD_Daemon *daemon;
    int64_t started_ms;
    atomic_int inflight;                    /* requests begun and not completed */
    Engine *engine;                         /* --fetch, else NULL */
    pthread_key_t cache_key;                /* each pool thread's read connection */
    pthread_mutex_t wlock;                  /* the write connection */
    Cache *wcache;
    pthread_mutex_t rate_lock;              /* writes per client address */
    struct { char addr[64]; int64_t window_ms; int count; } rate[64];
} Server;

/* One request (MHD's per-request pointer). */
typedef struct Req {
    int64_t t0;
    Buf body;
    int too_big;
    int status;
    char method[8];
    char route[96];                         /* the path, cut; never the query */
    SseClient *sse;
} Req;

/* serve.c: a JSON or text reply with the common headers. body is taken. */
enum MHD_Result serve_reply(Server *s, struct MHD_Connection *c, Req *r, int status,
                            char *body, const char *ctype);
/* {"error": message} with status. */
enum MHD_Result serve_error(Server *s, struct MHD_Connection *c, Req *r, int status,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The calling thread's read connection (opened on first use), or NULL. */
Cache *serve_cache(Server *s, char **err);
/* Adds Cache-Control, CORS when the origin is listed. */
void serve_common_headers(Server *s, struct MHD_Connection *c, struct MHD_Response *resp);

/* serve_auth.c: the token presented: 1 the write token, 0 the read token,
 * -1 none or a wrong one. */
int serve_presented(Server *s, struct MHD_Connection *c);
/* 1 when this client address made more than SERVE_WRITES_PER_MIN writes in
 * the last minute (this one counted). */
int serve_rate_limited(Server *s, struct MHD_Connection *c);
/* serve_listen.c: ADDR:PORT or [V6]:PORT into a bound, listening socket
 * (its address in shown, port 0 resolved); *loopback says whether it is.
 * -1 with *err; *bad is set when the address itself is wrong (not a busy
 * port). */
int serve_listen_on(const char *spec, int *loopback, char *shown, size_t shownsz, int *bad,
                    char **err);

/* serve_api.c: the JSON routes. */
enum MHD_Result api_health(Server *s, struct MHD_Connection *c, Req *r);
enum MHD_Result api_overview(Server *s, struct MHD_Connection *c, Req *r);
enum MHD_Result api_dataset(Server *s, struct MHD_Connection *c, Req *r, const char *name);
enum MHD_Result api_sources(Server *s, struct MHD_Connection *c, Req *r);
/* GET /api/alerts: the open alerts, as `mc alerts --json` prints them. */
enum MHD_Result api_alerts(Server *s, struct MHD_Connection *c, Req *r);
enum MHD_Result api_resolve(Server *s, struct MHD_Connection *c, Req *r, const char *source,
                            const char *key, const char *token_name);

/* serve_events.c: GET /api/events and the thread that watches the cache. */
int events_start(Server *s, char **err);
/* Closes every event stream (their connections resume and end). */
void events_close_all(void);
void events_stop(void);
enum MHD_Result api_events(Server *s, struct MHD_Connection *c, Req *r);

/* serve_deliver.c: delivers queued resolves now (when there is no --fetch
 * engine to do it). deliver_stop waits for a delivery in progress (the
 * outbox's cancel flag cuts it short). */
int deliver_start(Server *s, char **err);
void deliver_kick(void);
void deliver_stop(void);

#endif

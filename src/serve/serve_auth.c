/* serve_auth.c — who may call `mc serve`: the bearer tokens, read once at
 * start through the one secret reader (serve_token_load in serve_config.c;
 * it also hands them to the scrubber, so they never reach the log),
 * compared in constant time here;
 * and the per-address rate limit on writes. */
#ifdef MC_HAVE_MHD
#include "serve_internal.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Constant time in the length of the presented token. */
static int token_equal(const char *want, const char *got)
{
    size_t wl = strlen(want), gl = strlen(got);
    unsigned diff = (unsigned)(wl ^ gl);
    for (size_t i = 0; i < gl; i++)
        diff |= (unsigned char)got[i] ^ (unsigned char)(wl ? want[i % wl] : 0);
    return wl > 0 && diff == 0;
}

int serve_presented(Server *s, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return -1;
    const char *t = h + 7;
    int w = s->write_token && token_equal(s->write_token, t);
    int rd = s->read_token && token_equal(s->read_token, t);
    return w ? 1 : rd ? 0 : -1;
}

int serve_rate_limited(Server *s, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char addr[64] = "?";
    if (ci && ci->client_addr)
        getnameinfo(ci->client_addr, ci->client_addr->sa_family == AF_INET6 ?
                    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
                    addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
    int64_t now = mono_ms(), oldest = INT64_MAX;
    int slot = 0, over = 0, found = 0;
    pthread_mutex_lock(&s->rate_lock);
    for (int i = 0; i < 64; i++) {
        if (strcmp(s->rate[i].addr, addr) == 0) {
            slot = i;
            found = 1;
            break;
        }
        if (s->rate[i].window_ms < oldest) {
            oldest = s->rate[i].window_ms;
            slot = i;
        }
    }
    if (!found || now - s->rate[slot].window_ms > 60000) {
        snprintf(s->rate[slot].addr, sizeof s->rate[slot].addr, "%s", addr);
        s->rate[slot].window_ms = now;
        s->rate[slot].count = 0;
    }
    over = ++s->rate[slot].count > SERVE_WRITES_PER_MIN;
    pthread_mutex_unlock(&s->rate_lock);
    return over;
}
#endif

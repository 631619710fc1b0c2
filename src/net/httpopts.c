/* httpopts.c — what every HTTP source kind shares besides the request
 * itself (see http.h): the options it configures (timeouts, size cap, TLS,
 * compression, redirects) and the one retry rule (which statuses are worth
 * another attempt, and how long a server may make us wait). */
#include "http.h"
#include "size.h"
#include "../util.h"
#include "../ynode.h"

const char *const http_option_keys[] = {
    "connect_timeout", "max_bytes", "insecure", "compressed", "follow_redirects", NULL,
};

int http_retryable(long status)
{
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

int64_t http_clamp_retry_after(int64_t ms)
{
    if (ms < 0)
        return -1;
    if (ms < HTTP_RETRY_AFTER_MIN_MS)
        return HTTP_RETRY_AFTER_MIN_MS;
    return ms > HTTP_RETRY_AFTER_MAX_MS ? HTTP_RETRY_AFTER_MAX_MS : ms;
}

int64_t http_retry_after(const HttpResponse *r)
{
    if (!r || !http_retryable(r->status) || r->retry_after_ms < 0)
        return -1;
    return http_clamp_retry_after(r->retry_after_ms);
}

int http_options_configure(HttpOptions *o, const YNode *map, char **err)
{
    *o = (HttpOptions){.connect_timeout_ms = HTTP_DEFAULT_CONNECT_MS,
                       .max_bytes = HTTP_DEFAULT_MAX_BYTES, .compressed = 1};
    if (ynode_duration(map, "connect_timeout", &o->connect_timeout_ms, err) < 0
        || size_ynode(map, "max_bytes", 1, (int64_t)1 << 30, &o->max_bytes, err) < 0
        || ynode_bool(map, "insecure", &o->insecure, err) < 0
        || ynode_bool(map, "compressed", &o->compressed, err) < 0
        || ynode_bool(map, "follow_redirects", &o->follow_redirects, err) < 0)
        return -1;
    if (o->connect_timeout_ms < 1)
        return ynode_error(ynode_get(map, "connect_timeout"), err, "connect_timeout must be positive");
    return 0;
}

void http_options_apply(const HttpOptions *o, HttpRequest *rq)
{
    rq->connect_timeout_ms = o->connect_timeout_ms;
    rq->max_bytes = (size_t)o->max_bytes;
    rq->insecure = o->insecure;
    rq->compressed = o->compressed;
    rq->follow_redirects = o->follow_redirects;
}

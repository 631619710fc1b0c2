/* fuzz_httputil.c — HTTP response headers and bodies as mc reads them
 * (src/net/httputil.c): the input is one header value, read as Retry-After,
 * as Link (rel="next", then resolved against a base URL) and as
 * Content-Range (the total after '/', as postgrest_fetch.c reads it), and as
 * an error body (http_error_text, http_sanitize, http_parse_json). */
#include <cjson/cJSON.h>
#include "fuzz.h"
#include "src/net/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = fz_str(data, size);
    int64_t now = 1764547200000LL;
    int64_t ra = http_parse_retry_after(v, now);
    if (ra < -1) {
        fprintf(stderr, "Retry-After '%s' gave %lld\n", v, (long long)ra);
        abort();
    }
    int64_t c = http_clamp_retry_after(ra);
    if (c != -1 && (c < HTTP_RETRY_AFTER_MIN_MS || c > HTTP_RETRY_AFTER_MAX_MS))
        abort();

    char *next = http_link_next(v);
    if (next) {
        char *abs = http_url_resolve("https://api.example.com/v1/items?page=2", next);
        if (abs) {
            free(http_url_host(abs));
            (void)http_same_origin(abs, "https://api.example.com/");
            free(http_url_set_param(abs, "cursor", v));
        }
        free(abs);
        free(next);
    }

    const char *slash = strchr(v, '/');
    long total;
    if (slash && parse_long(slash + 1, 0, 2000000000L, &total) == 0 && (total < 0 || total > 2000000000L))
        abort();

    char *t = http_error_text((const char *)data, size, 200);
    if (strlen(t) > 200 + 3)
        abort();
    free(t);
    char *s = http_sanitize((const char *)data, size, 64);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            abort();
    free(s);
    char *err = NULL;
    cJSON_Delete(http_parse_json((const char *)data, size, "fuzz", &err));
    free(err);
    free(v);
    return 0;
}

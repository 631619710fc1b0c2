/* curl_dyn.h — libcurl, loaded on first use.
 *
 * libcurl drags in the TLS stack (OpenSSL, GnuTLS, Kerberos, ssh...), about
 * 6 MB of resident memory in every process that maps it. Most mc processes
 * (the dashboard on local files, `mc snapshot`) never make a request, so
 * libcurl is opened with dlopen the first time a request is made. Code that
 * includes this header calls the usual curl_* names; they go through the
 * table below. Call curl_dyn() first and give up with curl_dyn_error() when
 * it returns NULL. */
#ifndef MC_CURL_DYN_H
#define MC_CURL_DYN_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

typedef struct CurlApi {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *h);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    void (*free)(void *p);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *u);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
    CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
    time_t (*getdate)(const char *s, const time_t *unused);
} CurlApi;

/* Loads libcurl and runs curl_global_init, once (thread-safe). Returns the
 * table, or NULL when libcurl cannot be loaded. */
const CurlApi *curl_dyn(void);
/* Why curl_dyn() failed ("libcurl.so.4: cannot open shared object file"). */
const char *curl_dyn_error(void);

#ifndef MC_CURL_DYN_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init(f) (curl_dyn()->global_init(f))
#define curl_easy_init() (curl_dyn()->easy_init())
#define curl_easy_setopt(...) (curl_dyn()->easy_setopt(__VA_ARGS__))
#define curl_easy_perform(h) (curl_dyn()->easy_perform(h))
#define curl_easy_getinfo(...) (curl_dyn()->easy_getinfo(__VA_ARGS__))
#define curl_easy_cleanup(h) (curl_dyn()->easy_cleanup(h))
#define curl_easy_strerror(c) (curl_dyn()->easy_strerror(c))
#define curl_slist_append(l, s) (curl_dyn()->slist_append((l), (s)))
#define curl_slist_free_all(l) (curl_dyn()->slist_free_all(l))
#define curl_free(p) (curl_dyn()->free(p))
#define curl_url() (curl_dyn()->url())
#define curl_url_cleanup(u) (curl_dyn()->url_cleanup(u))
#define curl_url_get(u, w, p, f) (curl_dyn()->url_get((u), (w), (p), (f)))
#define curl_url_set(u, w, p, f) (curl_dyn()->url_set((u), (w), (p), (f)))
#define curl_getdate(s, t) (curl_dyn()->getdate((s), (t)))
#endif

#endif

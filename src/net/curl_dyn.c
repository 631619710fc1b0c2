/* curl_dyn.c — dlopen of libcurl on first use (see curl_dyn.h). */
#define MC_CURL_DYN_IMPL 1
#include "curl_dyn.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t curl_dyn_once = PTHREAD_ONCE_INIT;
static CurlApi api;
static int api_ok;
static char api_error[256];

/* Looks one symbol up; records the first one missing. */
static void *sym(void *lib, const char *name, int *ok)
{
    void *p = dlsym(lib, name);
    if (!p && *ok) {
        snprintf(api_error, sizeof api_error, "libcurl lacks %s", name);
        *ok = 0;
    }
    return p;
}

/* Debian's GnuTLS build of libcurl first, then the default (OpenSSL) one:
 * measured in the dashboard with an http_json source (120x40, issue 13),
 * peak RSS 15.3 MB against 15.8 MB. Most of either is the dlopen itself
 * (~6 MB: some 30 libraries) and curl_global_init (~2 MB: it initializes
 * TLS and libssh2 whatever the flags), so deferring TLS does not help. */
static const char *const curl_libs[] = {"libcurl-gnutls.so.4", "libcurl.so.4"};

static void curl_dyn_load(void)
{
    void *lib = NULL;
    for (size_t i = 0; !lib && i < sizeof curl_libs / sizeof curl_libs[0]; i++) {
        lib = dlopen(curl_libs[i], RTLD_NOW | RTLD_LOCAL);
        /* an old GnuTLS build without the URL API: try the next */
        if (lib && !dlsym(lib, "curl_url_set")) {
            dlclose(lib);
            lib = NULL;
        }
    }
    if (!lib) {
        const char *e = dlerror();
        snprintf(api_error, sizeof api_error, "cannot load libcurl: %s", e ? e : "not found");
        return;
    }
    int ok = 1;
    *(void **)&api.global_init = sym(lib, "curl_global_init", &ok);
    *(void **)&api.easy_init = sym(lib, "curl_easy_init", &ok);
    *(void **)&api.easy_setopt = sym(lib, "curl_easy_setopt", &ok);
    *(void **)&api.easy_perform = sym(lib, "curl_easy_perform", &ok);
    *(void **)&api.easy_getinfo = sym(lib, "curl_easy_getinfo", &ok);
    *(void **)&api.easy_cleanup = sym(lib, "curl_easy_cleanup", &ok);
    *(void **)&api.easy_strerror = sym(lib, "curl_easy_strerror", &ok);
    *(void **)&api.slist_append = sym(lib, "curl_slist_append", &ok);
    *(void **)&api.slist_free_all = sym(lib, "curl_slist_free_all", &ok);
    *(void **)&api.free = sym(lib, "curl_free", &ok);
    *(void **)&api.url = sym(lib, "curl_url", &ok);
    *(void **)&api.url_cleanup = sym(lib, "curl_url_cleanup", &ok);
    *(void **)&api.url_get = sym(lib, "curl_url_get", &ok);
    *(void **)&api.url_set = sym(lib, "curl_url_set", &ok);
    *(void **)&api.getdate = sym(lib, "curl_getdate", &ok);
    if (ok && api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(api_error, sizeof api_error, "curl_global_init failed");
        ok = 0;
    }
    api_ok = ok;
}

const CurlApi *curl_dyn(void)
{
    pthread_once(&curl_dyn_once, curl_dyn_load);
    return api_ok ? &api : NULL;
}

const char *curl_dyn_error(void)
{
    return api_error[0] ? api_error : "libcurl not loaded";
}

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

static void curl_dyn_load(void)
{
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
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

/* mhd_dyn.c — dlopen of libmicrohttpd when `mc serve` starts (see mhd_dyn.h). */
#ifdef MC_HAVE_MHD
#define MC_MHD_DYN_IMPL 1
#include "mhd_dyn.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static MhdApi api;
static int api_ok;
static char api_error[256];

static void mhd_load(void)
{
    void *lib = dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(api_error, sizeof api_error, "cannot load libmicrohttpd: %s",
                 e ? e : "not found");
        return;
    }
    int ok = 1;
#define MHD_DYN_LOAD(f)                                                                 \
    if (ok && !(*(void **)&api.p_##f = dlsym(lib, #f))) {                               \
        snprintf(api_error, sizeof api_error, "libmicrohttpd lacks %s", #f);            \
        ok = 0;                                                                         \
    }
    MHD_DYN_FUNCS(MHD_DYN_LOAD)
#undef MHD_DYN_LOAD
    api_ok = ok;
}

const MhdApi *mhd_dyn(void)
{
    pthread_once(&mhd_once, mhd_load);
    return api_ok ? &api : NULL;
}

const char *mhd_dyn_error(void)
{
    return api_error[0] ? api_error : "libmicrohttpd not loaded";
}
#endif

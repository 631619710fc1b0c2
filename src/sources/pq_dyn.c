/* pq_dyn.c — dlopen of libpq on first connection (see pq_dyn.h). */
#ifdef MC_HAVE_PQ
#define MC_PQ_DYN_IMPL 1
#include "pq_dyn.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static PqApi api;
static int api_ok;
static char api_error[256];

static void pq_load(void)
{
    void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(api_error, sizeof api_error, "cannot load libpq: %s", e ? e : "not found");
        return;
    }
    int ok = 1;
#define PQ_DYN_LOAD(f)                                                                  \
    if (ok && !(*(void **)&api.p_##f = dlsym(lib, #f))) {                               \
        snprintf(api_error, sizeof api_error, "libpq lacks %s", #f);                    \
        ok = 0;                                                                         \
    }
    PQ_DYN_FUNCS(PQ_DYN_LOAD)
#undef PQ_DYN_LOAD
    api_ok = ok;
}

const PqApi *pq_dyn(void)
{
    pthread_once(&pq_once, pq_load);
    return api_ok ? &api : NULL;
}

const char *pq_dyn_error(void)
{
    return api_error[0] ? api_error : "libpq not loaded";
}
#endif

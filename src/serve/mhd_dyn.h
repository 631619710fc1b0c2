/* mhd_dyn.h — libmicrohttpd, loaded when `mc serve` starts.
 *
 * libmicrohttpd brings GnuTLS and its dozen libraries with it; the dashboard,
 * `mc fetch` and `mc snapshot` never serve, so like libpq (pq_dyn.h) it is
 * opened with dlopen by the one command that needs it. The serve files
 * include this header and call the usual MHD_* names, which go through the
 * table below; mhd_dyn() must have returned non-NULL first (serve_run
 * checks it). */
#ifndef MC_MHD_DYN_H
#define MC_MHD_DYN_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <microhttpd.h>

#define MHD_DYN_FUNCS(X)                                                                   \
    X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_quiesce_daemon)                           \
    X(MHD_lookup_connection_value) X(MHD_create_response_from_buffer)                      \
    X(MHD_create_response_from_callback) X(MHD_add_response_header) X(MHD_queue_response)  \
    X(MHD_destroy_response) X(MHD_suspend_connection) X(MHD_resume_connection)             \
    X(MHD_get_connection_info) X(MHD_get_daemon_info)

typedef struct MhdApi {
#define MHD_DYN_MEMBER(f) __typeof__(f) *p_##f;
    MHD_DYN_FUNCS(MHD_DYN_MEMBER)
#undef MHD_DYN_MEMBER
} MhdApi;

/* Loads libmicrohttpd once (thread-safe). The table, or NULL when it cannot
 * be loaded (mhd_dyn_error() says why). */
const MhdApi *mhd_dyn(void);
const char *mhd_dyn_error(void);

#ifndef MC_MHD_DYN_IMPL
#define MHD_start_daemon (mhd_dyn()->p_MHD_start_daemon)
#define MHD_stop_daemon (mhd_dyn()->p_MHD_stop_daemon)
#define MHD_quiesce_daemon (mhd_dyn()->p_MHD_quiesce_daemon)
#define MHD_lookup_connection_value (mhd_dyn()->p_MHD_lookup_connection_value)
#define MHD_create_response_from_buffer (mhd_dyn()->p_MHD_create_response_from_buffer)
#define MHD_create_response_from_callback (mhd_dyn()->p_MHD_create_response_from_callback)
#define MHD_add_response_header (mhd_dyn()->p_MHD_add_response_header)
#define MHD_queue_response (mhd_dyn()->p_MHD_queue_response)
#define MHD_destroy_response (mhd_dyn()->p_MHD_destroy_response)
#define MHD_suspend_connection (mhd_dyn()->p_MHD_suspend_connection)
#define MHD_resume_connection (mhd_dyn()->p_MHD_resume_connection)
#define MHD_get_connection_info (mhd_dyn()->p_MHD_get_connection_info)
#define MHD_get_daemon_info (mhd_dyn()->p_MHD_get_daemon_info)
#endif

#endif

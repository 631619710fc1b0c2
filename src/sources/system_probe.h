/* system_probe.h — the service probes of the `system` source kind: a TCP
 * connect, an HTTP GET with an expected status, or a process name found in
 * /proc. Used only by src/sources/system.c (and its tests). */
#ifndef MC_SOURCES_SYSTEM_PROBE_H
#define MC_SOURCES_SYSTEM_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include "../ynode.h"

typedef enum { PROBE_TCP, PROBE_HTTP, PROBE_PROCESS } ProbeKind;

/* One configured service. Strings are owned (probe_service_free). */
typedef struct SysService {
    char *name;
    ProbeKind kind;
    char *target;         /* "host:port", URL, or process name (comm) */
    long expect;          /* HTTP: the status that means up (default 200) */
} SysService;

typedef struct ProbeResult {
    int up;
    char detail[128];     /* "HTTP 503", "connection refused", "timeout", "pid 812" ... */
} ProbeResult;

/* Parses one `services:` item ({name, tcp} | {name, http, expect} |
 * {name, process}). Returns 0, or -1 with *err at the item's line. */
int probe_service_configure(SysService *s, const YNode *item, char **err);
void probe_service_free(SysService *s);

/* Runs one probe, taking at most timeout_ms (name resolution aside).
 * proc_root is where process probes look ("/proc"). Never fails: the
 * outcome is in *out. The detail never contains the URL (it may hold
 * credentials). */
void probe_run(const SysService *s, const char *proc_root, int64_t timeout_ms, ProbeResult *out);

/* "tcp", "http" or "process". */
const char *probe_kind_name(ProbeKind k);

/* Splits "host:port" or "[v6]:port" into host (bounded copy) and port.
 * Returns 0, or -1 when malformed or the port is not 1..65535. */
int probe_split_hostport(const char *s, char *host, size_t hostsz, char *port, size_t portsz);

#endif

/* system_probe.c — service probes for the `system` source kind (see
 * system_probe.h): is something listening on host:port, does a URL answer
 * with the expected status, is a process of that name running. Each probe is
 * bounded by its timeout (a TCP connect is non-blocking + poll; HTTP is a
 * status-only http_perform that stops at the first body byte, goes to no
 * proxy and follows no redirect) and reports a short human detail that the
 * health pane shows. The HTTP probe goes through http.h like every request,
 * so in the dashboard (http_set_out_of_process) it runs in the HTTP helper
 * process and the dashboard never maps libcurl (httphelper.h). */
#include "system_probe.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../net/http.h"
#include "../util.h"

#define COMM_MAX 15   /* the kernel keeps at most 15 bytes of a process name */

const char *probe_kind_name(ProbeKind k)
{
    return k == PROBE_TCP ? "tcp" : k == PROBE_HTTP ? "http" : "process";
}

int probe_split_hostport(const char *s, char *host, size_t hostsz, char *port, size_t portsz)
{
    const char *colon, *h = s;
    size_t hl;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        h = s + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || memchr(s, ':', (size_t)(colon - s)))
            return -1;   /* no port, or a bare IPv6 address without brackets */
        hl = (size_t)(colon - s);
    }
    long p;
    if (hl == 0 || hl >= hostsz || parse_long(colon + 1, 1, 65535, &p) != 0)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, portsz, "%ld", p);
    return 0;
}

void probe_service_free(SysService *s)
{
    free(s->name);
    free(s->target);
    memset(s, 0, sizeof *s);
}

int probe_service_configure(SysService *s, const YNode *item, char **err)
{
    static const char *const keys[] = {"name", "tcp", "http", "expect", "process", NULL};
    static const char *const kinds[] = {"tcp", "http", "process"};
    memset(s, 0, sizeof *s);
    s->expect = 200;
    if (ynode_check_keys(item, keys, "service", err) != 0 || ynode_req_str(item, "name", &s->name, err) != 0)
        goto fail;
    int nkinds = 0;
    for (int k = 0; k < 3; k++) {
        if (!ynode_get(item, kinds[k]))
            continue;
        nkinds++;
        s->kind = (ProbeKind)k;
        if (ynode_req_str(item, kinds[k], &s->target, err) != 0)
            goto fail;
    }
    if (nkinds != 1) {
        ynode_error(item, err, "service '%s' needs exactly one of tcp, http, process", s->name);
        goto fail;
    }
    if (ynode_get(item, "expect") && s->kind != PROBE_HTTP) {
        ynode_error(ynode_get(item, "expect"), err, "'expect' only goes with an http probe");
        goto fail;
    }
    if (ynode_long(item, "expect", 100, 599, &s->expect, err) != 0)
        goto fail;
    char host[256], port[8];
    const YNode *t = ynode_get(item, probe_kind_name(s->kind));
    if (s->kind == PROBE_TCP && probe_split_hostport(s->target, host, sizeof host, port, sizeof port) != 0) {
        ynode_error(t, err, "tcp probe wants \"host:port\" (port 1-65535), got '%.60s'", s->target);
        goto fail;
    }
    if (s->kind == PROBE_HTTP && strncmp(s->target, "http://", 7) != 0 && strncmp(s->target, "https://", 8) != 0) {
        ynode_error(t, err, "http probe wants an http:// or https:// URL");
        goto fail;
    }
    if (s->kind == PROBE_PROCESS && (!s->target[0] || strchr(s->target, '/'))) {
        ynode_error(t, err, "process probe wants a process name (as in /proc/PID/comm)");
        goto fail;
    }
    return 0;
fail:
    probe_service_free(s);
    return -1;
}

/* ---- TCP ---- */

/* One connect attempt to one address; returns 0 connected, else an errno (ETIMEDOUT on timeout). */
static int tcp_try(const struct addrinfo *ai, int64_t deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return errno;
    int e = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        e = errno;
        while (e == EINPROGRESS || e == EINTR) {
            int64_t left = deadline - mono_ms();
            if (left <= 0) {
                e = ETIMEDOUT;
                break;
            }
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int n = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                e = errno;
                break;
            }
            if (n == 0)
                continue;   /* the loop re-checks the deadline */
            socklen_t len = sizeof e;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
                e = errno;
            break;
        }
    }
    close(fd);
    return e;
}

static void probe_tcp(const SysService *s, int64_t timeout_ms, ProbeResult *out)
{
    char host[256], port[8];
    int64_t start = mono_ms(), deadline = start + timeout_ms;
    if (probe_split_hostport(s->target, host, sizeof host, port, sizeof port) != 0) {
        snprintf(out->detail, sizeof out->detail, "bad host:port");
        return;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV}, *res = NULL;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0) {
        snprintf(out->detail, sizeof out->detail, "cannot resolve host: %s", gai_strerror(g));
        return;
    }
    int e = ETIMEDOUT;
    for (struct addrinfo *ai = res; ai && mono_ms() < deadline; ai = ai->ai_next)
        if ((e = tcp_try(ai, deadline)) == 0)
            break;
    freeaddrinfo(res);
    out->up = e == 0;
    if (e == 0)
        snprintf(out->detail, sizeof out->detail, "open (%lld ms)", (long long)(mono_ms() - start));
    else if (e == ECONNREFUSED)
        snprintf(out->detail, sizeof out->detail, "connection refused");
    else if (e == ETIMEDOUT)
        snprintf(out->detail, sizeof out->detail, "timeout");
    else
        snprintf(out->detail, sizeof out->detail, "%s", strerror(e));
}

/* ---- HTTP ---- */

/* The message http_perform gave without its "HOST: " prefix (libcurl's text). */
static const char *without_host(const char *err, const char *host)
{
    size_t n = host ? strlen(host) : 0;
    if (n && !strncmp(err, host, n) && err[n] == ':' && err[n + 1] == ' ')
        return err + n + 2;
    return err;
}

/* A status-only GET through http_perform: in a helper process when this
 * process chose that (the dashboard), so the probe never loads libcurl here. */
static void probe_http(const SysService *s, int64_t timeout_ms, ProbeResult *out)
{
    HttpHeaders h = {0};
    http_headers_set(&h, "User-Agent", "mc/" MC_VERSION " (health probe)", 0);
    http_headers_set(&h, "Accept", "*/*", 0);
    HttpRequest rq = {.method = "GET", .url = s->target, .headers = &h,
                      .connect_timeout_ms = timeout_ms, .timeout_ms = timeout_ms,
                      .status_only = 1,
                      .no_proxy = 1};   /* a health probe checks the service itself */
    HttpResponse r;
    char *err = NULL;
    int rc = http_perform(&rq, &r, &err);
    if (rc == 0 && r.status > 0) {
        out->up = r.status == s->expect;
        snprintf(out->detail, sizeof out->detail, "HTTP %ld", r.status);
    } else if (rc == 0) {
        snprintf(out->detail, sizeof out->detail, "no HTTP status");
    } else if (r.fail_kind == HTTP_FAIL_TIMEOUT) {
        snprintf(out->detail, sizeof out->detail, "timeout");
    } else if (r.fail_kind == HTTP_FAIL_CONNECT && r.os_errno == ECONNREFUSED) {
        snprintf(out->detail, sizeof out->detail, "connection refused");
    } else if (r.fail_kind == HTTP_FAIL_CONNECT && r.os_errno) {
        snprintf(out->detail, sizeof out->detail, "cannot connect: %s", strerror(r.os_errno));
    } else if (r.fail_kind == HTTP_FAIL_RESOLVE) {
        snprintf(out->detail, sizeof out->detail, "cannot resolve host");
    } else {
        snprintf(out->detail, sizeof out->detail, "%s", without_host(err ? err : "request failed", r.host));
    }
    free(err);
    http_response_free(&r);
    http_headers_free(&h);
}

/* ---- process ---- */

/* Reads /proc/PID/comm into out without its newline; returns 0 or -1. */
static int read_comm(const char *proc_root, const char *pid, char *out, size_t outsz)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/comm", proc_root, pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, out, outsz - 1);
    close(fd);
    if (n <= 0)
        return -1;
    out[n] = '\0';
    out[strcspn(out, "\n")] = '\0';
    return 0;
}

static void probe_process(const SysService *s, const char *proc_root, int64_t timeout_ms, ProbeResult *out)
{
    DIR *d = opendir(proc_root);
    if (!d) {
        snprintf(out->detail, sizeof out->detail, "cannot read %.60s: %s", proc_root, strerror(errno));
        return;
    }
    int64_t deadline = mono_ms() + timeout_ms;
    char first[32] = "";
    long count = 0, seen = 0;
    size_t want = strlen(s->target) > COMM_MAX ? COMM_MAX : strlen(s->target);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *p = de->d_name;
        while (isdigit((unsigned char)*p))
            p++;
        char comm[64];
        if (p == de->d_name || *p || read_comm(proc_root, de->d_name, comm, sizeof comm) != 0)
            continue;
        if (strlen(comm) == want && strncmp(comm, s->target, want) == 0 && count++ == 0)
            snprintf(first, sizeof first, "%.20s", de->d_name);
        if ((++seen & 255) == 0 && mono_ms() > deadline)
            break;
    }
    closedir(d);
    out->up = count > 0;
    if (count == 1)
        snprintf(out->detail, sizeof out->detail, "pid %s", first);
    else if (count > 1)
        snprintf(out->detail, sizeof out->detail, "%ld processes (pid %s, ...)", count, first);
    else
        snprintf(out->detail, sizeof out->detail, "not running");
}

void probe_run(const SysService *s, const char *proc_root, int64_t timeout_ms, ProbeResult *out)
{
    out->up = 0;
    out->detail[0] = '\0';
    if (timeout_ms < 1)
        timeout_ms = 1;
    switch (s->kind) {
    case PROBE_TCP:
        probe_tcp(s, timeout_ms, out);
        break;
    case PROBE_HTTP:
        probe_http(s, timeout_ms, out);
        break;
    case PROBE_PROCESS:
        probe_process(s, proc_root, timeout_ms, out);
        break;
    }
}

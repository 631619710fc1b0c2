/* serve_listen.c — the listening socket of `mc serve`: ADDR:PORT (or
 * [V6]:PORT, numeric only) parsed, bound and listening before libmicrohttpd
 * takes it, so port 0 can be reported and a non-loopback address is known
 * (serve_run refuses one without a token). */
#ifdef MC_HAVE_MHD
#include "serve_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return 0;
}

int serve_listen_on(const char *spec, int *loopback, char *shown, size_t shownsz, int *bad,
                     char **err)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    *bad = 1;
    if (!colon || colon == spec || !colon[1] || (size_t)(colon - spec) >= sizeof host) {
        set_err(err, "listen address '%s' must be ADDR:PORT (like 127.0.0.1:8765)", spec);
        return -1;
    }
    snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    long port;
    if (parse_long(colon + 1, 0, 65535, &port) != 0) {
        set_err(err, "listen address '%s': bad port", spec);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_PASSIVE}, *ai = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai) {
        set_err(err, "listen address '%s': '%s' is not a numeric IP address", spec, host);
        return -1;
    }
    *loopback = is_loopback(ai->ai_addr);
    *bad = 0;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 512) != 0) {
        set_err(err, "cannot listen on %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    int bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    snprintf(shown, shownsz, ai->ai_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, bound);
    freeaddrinfo(ai);
    return fd;
}
#endif

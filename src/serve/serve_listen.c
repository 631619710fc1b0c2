/* serve_listen.c — the listening socket of `mc serve`: ADDR:PORT (or
 * [V6]:PORT, numeric only) parsed (serve_addr_parse, serve_config.c), bound
 * and listening before libmicrohttpd takes it, so port 0 can be reported
 * and a non-loopback address is known (serve_run refuses one without a
 * token, serve_exposure_check). */
#ifdef MC_HAVE_MHD
#include "serve_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int serve_listen_on(const char *spec, int *loopback, char *shown, size_t shownsz, int *bad,
                     char **err)
{
    ServeAddr a;
    *bad = 1;
    if (serve_addr_parse(spec, &a, err) != 0)
        return -1;
    *loopback = a.loopback;
    *bad = 0;
    int fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a.sa, a.len) != 0 || listen(fd, 512) != 0) {
        set_err(err, "cannot listen on %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    int bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    snprintf(shown, shownsz, a.family == AF_INET6 ? "[%s]:%d" : "%s:%d", a.host, bound);
    return fd;
}
#endif

/* httphelper.c — the HTTP helper process: `mc __http-helper PPID`, started
 * by httpproc.c (policy and frame format in httphelper.h). It reads one
 * request frame at a time on stdin, performs it with the in-process
 * http_perform (libcurl), and writes the answer frame on stdout. It exits
 * on end of input, after HTTP_HELPER_IDLE_EXIT_MS without a request, on a
 * malformed frame, and (PR_SET_PDEATHSIG) when its parent dies. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "httphelper.h"

/* Reads exactly n bytes; 0, or -1 at end of input or an error. */
static int read_full(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t got = read(fd, c, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        c += got;
        n -= (size_t)got;
    }
    return 0;
}

static int write_full(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t put = send(fd, p, n, MSG_NOSIGNAL);
        if (put < 0 && errno == ENOTSOCK)
            put = write(fd, p, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return -1;
        p += put;
        n -= (size_t)put;
    }
    return 0;
}

/* One request read, performed and answered. 0, or -1 to exit. */
static int serve_one(void)
{
    unsigned char prefix[4];
    if (read_full(0, prefix, 4) < 0)
        return -1;
    size_t n = http_frame_length(prefix);
    if (n > HTTP_FRAME_MAX)
        return -1;
    char *payload = xmalloc(n ? n : 1);
    HttpFrameRequest fr;
    int ok = read_full(0, payload, n) == 0 && http_frame_get_request(payload, n, &fr) == 0;
    free(payload);
    if (!ok)
        return -1;
    if (fr.deadline_left_ms > 0)
        fr.req.deadline_ms = mono_ms() + fr.deadline_left_ms;
    HttpResponse resp;
    char *err = NULL;
    int rc = http_perform(&fr.req, &resp, &err);
    http_frame_request_free(&fr);
    Buf out = {0};
    http_frame_put_response(&out, rc, err, &resp);
    free(err);
    http_response_free(&resp);
    int w = write_full(1, out.s, out.len);
    buf_free(&out);
    return w;
}

int http_helper_main(int argc, char **argv)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    long want = 0;
    if (argc > 2 && parse_long(argv[2], 1, 0x7FFFFFFFL, &want) < 0)
        want = 0;
    /* the parent may have died before the death signal was armed */
    if (getppid() == 1 || (want && getppid() != (pid_t)want))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    close_range(3, ~0U, 0);
    http_force_in_process();
    for (;;) {
        struct pollfd p = {0, POLLIN, 0};
        int r = poll(&p, 1, (int)HTTP_HELPER_IDLE_EXIT_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 0;                   /* idle too long: memory goes back */
        if (serve_one() < 0)
            return 0;
    }
}

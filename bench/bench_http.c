/* bench_http.c — what one HTTP request costs in process and through the
 * helper process (issue 13; src/net/httphelper.h). Usage: bench_http URL N.
 * Prints the median ms of N GET requests each way (after one warm-up that
 * loads libcurl or starts the helper, printed apart). Run by
 * bench/bench_footprint.py against tests/fake_http.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../src/net/http.h"
#include "../src/net/httphelper.h"
#include "../src/util.h"

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One request; its wall time in ms, or -1 on failure. */
static double one(const char *url)
{
    HttpRequest rq = {.url = url, .timeout_ms = 10000};
    HttpResponse r;
    char *err = NULL;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = http_perform(&rq, &r, &err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (rc < 0 || r.status != 200)
        fprintf(stderr, "bench_http: %s\n", err ? err : "not 200");
    free(err);
    http_response_free(&r);
    return rc < 0 ? -1 : (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

static void run(const char *label, const char *url, long n)
{
    double *t = calloc((size_t)n, sizeof *t);
    double first = one(url);
    for (long i = 0; i < n; i++)
        t[i] = one(url);
    qsort(t, (size_t)n, sizeof *t, cmp_d);
    printf("%s %.3f %.3f\n", label, t[n / 2], first);
    free(t);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], HTTP_HELPER_ARG))
        return http_helper_main(argc, argv);
    long n = 0;
    if (argc != 3 || parse_long(argv[2], 1, 100000, &n) < 0) {
        fputs("usage: bench_http URL N\n", stderr);
        return 2;
    }
    http_set_out_of_process(1);        /* first: this process never loads libcurl */
    run("helper", argv[1], n);
    http_set_out_of_process(0);
    run("in_process", argv[1], n);
    return 0;
}

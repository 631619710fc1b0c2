/* bench_alerts.c — times alerts_evaluate on an existing cache (the figure
 * `make bench` prints for issue 10: rule evaluation after a commit).
 * Usage: bench_alerts CONFIG N — runs N evaluations of each kind (what a
 * blockers fetch, a system fetch and the timer evaluate) and prints
 * "KIND median_ms max_ms" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "../src/alerts/alerts.h"
#include "../src/cache.h"
#include "../src/config.h"
#include "../src/util.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    Config *cfg = NULL;
    Cache *c = NULL;
    char *err = NULL;
    long n = 0;
    if (argc != 3 || parse_long(argv[2], 1, 100000, &n) != 0) {
        fprintf(stderr, "usage: bench_alerts CONFIG N\n");
        return 2;
    }
    if (config_load(argv[1], &cfg, &err) != 0 || cache_open(cfg->cache_path, &c, NULL, &err) != 0) {
        fprintf(stderr, "bench_alerts: %s\n", err);
        return 1;
    }
    const struct { const char *name; unsigned what; } kinds[] = {
        {"blockers", (1u << DS_BLOCKERS) | ALERTS_ON_SOURCES},
        {"system", (1u << DS_SYSTEM) | ALERTS_ON_SOURCES},
        {"timer", ALERTS_ON_TIMER},
    };
    double *t = calloc((size_t)n, sizeof *t);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        alerts_evaluate(c, cfg, kinds[k].what, now_ms(), NULL);   /* the first raise, not timed */
        for (long i = 0; i < n; i++) {
            double t0 = now_s();
            if (alerts_evaluate(c, cfg, kinds[k].what, now_ms(), &err) < 0) {
                fprintf(stderr, "bench_alerts: %s\n", err);
                return 1;
            }
            t[i] = (now_s() - t0) * 1000.0;
        }
        qsort(t, (size_t)n, sizeof *t, cmp);
        printf("%s %.3f %.3f\n", kinds[k].name, t[n / 2], t[n - 1]);
    }
    free(t);
    cache_close(c);
    config_free(cfg);
    return 0;
}

/* test_tzfile.c — tz_offset (src/tzfile.c) against the C library reading
 * the same tz database: for zones north and south, half-hour offsets and
 * zones without DST, every ~5 days from 1985 to 2045 and one second either
 * side of each of this process's transitions, our offset equals
 * localtime_r's tm_gmtoff with TZ set (fine here: this test has one
 * thread). Years past a file's last transition exercise the footer's POSIX
 * rule. Also: UTC without a file, bad names refused, a non-TZif file refused. */
#include "thelp.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "../src/tzfile.h"
#include "../src/util.h"

static const char *const zones[] = {
    "America/Chicago", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney",
    "America/Sao_Paulo", "Pacific/Auckland", "Europe/London", "America/St_Johns",
    "Asia/Tehran", "Pacific/Chatham", "Africa/Casablanca", NULL,
};

static int libc_offset(const char *zone, int64_t t)
{
    setenv("TZ", zone, 1);
    tzset();
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return (int)tm.tm_gmtoff;
}

static void test_against_libc(void)
{
    if (access("/usr/share/zoneinfo/America/Chicago", R_OK) != 0) {
        t_skip("no tz database in /usr/share/zoneinfo");
        return;
    }
    int compared = 0;
    for (int z = 0; zones[z]; z++) {
        char path[256];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zones[z]);
        if (access(path, R_OK) != 0)
            continue;
        int prev = libc_offset(zones[z], 473385600);        /* 1985-01-01 */
        int bad = 0;
        for (int64_t t = 473385600; t < 2366841600 && bad < 3; t += 5 * 86400 + 3607) {
            int want = libc_offset(zones[z], t), got = 99999;
            char *err = NULL;
            CHECK(tz_offset(zones[z], t * 1000, &got, &err) == 0);
            free(err);
            if (got != want) {
                fprintf(stderr, "  %s at %lld: %d, libc %d\n", zones[z], (long long)t, got, want);
                bad++;
            }
            CHECK_INT(got, want);
            compared++;
            if (want != prev) {             /* a transition in (t - step, t]: find it, check around */
                int64_t lo = t - 5 * 86400 - 3607, hi = t;
                while (hi - lo > 1) {
                    int64_t mid = lo + (hi - lo) / 2;
                    if (libc_offset(zones[z], mid) == prev)
                        lo = mid;
                    else
                        hi = mid;
                }
                CHECK(tz_offset(zones[z], lo * 1000, &got, NULL) == 0);
                CHECK_INT(got, libc_offset(zones[z], lo));
                CHECK(tz_offset(zones[z], hi * 1000, &got, NULL) == 0);
                CHECK_INT(got, libc_offset(zones[z], hi));
                compared += 2;
            }
            prev = want;
        }
    }
    unsetenv("TZ");
    tzset();
    CHECK(compared > 10000);
}

static void test_names(void)
{
    int off = 5;
    char *err = NULL;
    CHECK(tz_offset(NULL, 0, &off, &err) == 0 && off == 0);
    CHECK(tz_offset("UTC", 0, &off, &err) == 0 && off == 0);
    CHECK(tz_offset("../etc/passwd", 0, &off, &err) != 0);
    CHECK_CONTAINS(err, "not a zone name");
    free(err);
    err = NULL;
    CHECK(tz_offset("Nowhere/Atlantis", 0, &off, &err) != 0);
    CHECK_CONTAINS(err, "Nowhere/Atlantis");
    free(err);
    err = NULL;
    /* a file that is not TZif, through TZDIR */
    char dir[] = "/tmp/mc-tz-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *f = xasprintf("%s/Fake", dir);
    FILE *fp = fopen(f, "w");
    if (fp) {
        fputs("not a zone file at all, but long enough to have a header of 44 bytes\n", fp);
        fclose(fp);
    }
    setenv("TZDIR", dir, 1);
    CHECK(tz_offset("Fake", 0, &off, &err) != 0);
    CHECK_CONTAINS(err, "not a TZif file");
    unsetenv("TZDIR");
    free(err);
    unlink(f);
    free(f);
    rmdir(dir);
}

int main(void)
{
    RUN(test_against_libc);
    RUN(test_names);
    return t_done();
}

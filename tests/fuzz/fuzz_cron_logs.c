/* fuzz_cron_logs.c — cron run logs (src/sources/cron_logs.c): the input is
 * one job's log, read by one fetch of a `cron_logs` source (default START /
 * END / status= / duration_ms= / msg= patterns, a schedule for the job) into
 * an empty cache. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FzSource s;
    if (!s.cfg) {
        char *dir = xasprintf("%s/cron", fz_dir());
        if (mkdir_p(dir, 0700) != 0)
            abort();
        char *file = xasprintf("%s/job.log", dir);
        char *yaml = xasprintf("sources:\n  - id: crons\n    kind: cron_logs\n    path: %s\n"
                               "    schedules:\n      job: '*/5 * * * *'\n", dir);
        fz_source_open(&s, yaml, file);
        free(yaml);
        free(file);
        free(dir);
    }
    fz_source_fetch(&s, data, size);
    return 0;
}

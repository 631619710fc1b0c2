/* cron_logs.c — the `cron_logs` source kind (stub until implemented). */
#include "../source.h"

const SourceClass src_cron_logs_class = {
    .kind = "cron_logs",
    .summary = "(not yet implemented)",
};

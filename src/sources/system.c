/* system.c — the `system` source kind (stub until implemented). */
#include "../source.h"

const SourceClass src_system_class = {
    .kind = "system",
    .summary = "(not yet implemented)",
};

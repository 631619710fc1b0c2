/* command.c — the `command` source kind (stub until implemented). */
#include "../source.h"

const SourceClass src_command_class = {
    .kind = "command",
    .summary = "(not yet implemented)",
};

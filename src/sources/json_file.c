/* json_file.c — the `json_file` source kind (stub until implemented). */
#include "../source.h"

const SourceClass src_json_file_class = {
    .kind = "json_file",
    .summary = "(not yet implemented)",
};

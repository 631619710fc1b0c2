/* http_json.c — the `http_json` source kind (stub until implemented). */
#include "../source.h"

const SourceClass src_http_json_class = {
    .kind = "http_json",
    .summary = "(not yet implemented)",
};

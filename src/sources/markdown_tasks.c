/* markdown_tasks.c — the `markdown_tasks` source kind (stub until implemented). */
#include "../source.h"

const SourceClass src_markdown_tasks_class = {
    .kind = "markdown_tasks",
    .summary = "(not yet implemented)",
};

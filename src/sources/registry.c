/* registry.c — the one table of source kinds. Adding a kind = one new file
 * under src/sources/ + one line here (and in meson.build). */
#include <pthread.h>
#include <string.h>
#include "../source.h"
#include "../util.h"

extern const SourceClass src_system_class, src_jsonl_class, src_markdown_tasks_class,
    src_json_file_class, src_cron_logs_class, src_command_class, src_http_json_class,
    src_revenue_manual_class;
extern const SourceClass src_postgres_class;
extern const SourceClass src_convex_class, src_postgrest_class;

const SourceClass *const source_classes[] = {
    &src_system_class,
    &src_jsonl_class,
    &src_markdown_tasks_class,
    &src_json_file_class,
    &src_cron_logs_class,
    &src_command_class,
    &src_http_json_class,
    &src_revenue_manual_class,
    &src_convex_class,
    &src_postgrest_class,
    &src_postgres_class,
    NULL,
};

/* Keys config.c reads for every source, whatever its kind. */
const char *const source_common_keys[] = {
    "id", "kind", "every", "timeout", "jitter", "backoff_max", "breaker_after",
    "breaker_open", "rate_per_min", "rate_per_hour", "feeds", "enabled", "auth_blocker_after", NULL,
};

int source_supports(const SourceConfig *sc, const char *action)
{
    if (!sc || !sc->cls->resolve || !action)
        return 0;
    if (sc->cls->supports)
        return sc->cls->supports(sc, action);
    return strcmp(action, "resolve") == 0;
}

uint32_t source_datasets(const SourceConfig *sc)
{
    if (!sc || !sc->cls)
        return 0;
    uint32_t m = sc->feeds ? DS_BIT(sc->feeds->id) : sc->cls->datasets;
    const YNode *q = sc->cls->datasets_map ? ynode_get(sc->node, sc->cls->datasets_map) : NULL;
    for (int i = 0; q && q->type == YN_MAP && i < q->n; i++) {
        const Dataset *ds = q->keys[i]->type == YN_SCALAR ? dataset_find(q->keys[i]->scalar) : NULL;
        if (ds)
            m |= DS_BIT(ds->id);
    }
    return m;
}

const SourceClass *source_class_find(const char *kind)
{
    for (int i = 0; kind && source_classes[i]; i++)
        if (strcmp(source_classes[i]->kind, kind) == 0)
            return source_classes[i];
    return NULL;
}

const char *source_kinds(void)
{
    static char list[512];
    if (!list[0]) {
        size_t off = 0;
        for (int i = 0; source_classes[i] && off < sizeof list; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                                    source_classes[i]->kind);
    }
    return list;
}

int source_check_keys(const YNode *map, const char *const *extra, char **err)
{
    const char *allowed[64];
    int n = 0;
    for (int i = 0; source_common_keys[i] && n < 63; i++)
        allowed[n++] = source_common_keys[i];
    for (int i = 0; extra && extra[i] && n < 63; i++)
        allowed[n++] = extra[i];
    allowed[n] = NULL;
    return ynode_check_keys(map, allowed, "source", err);
}

static pthread_mutex_t nudge_lock = PTHREAD_MUTEX_INITIALIZER;
static SourceNudge nudge_fn;
static void *nudge_arg;

void source_set_nudge(SourceNudge fn, void *arg)
{
    pthread_mutex_lock(&nudge_lock);
    nudge_fn = fn;
    nudge_arg = arg;
    pthread_mutex_unlock(&nudge_lock);
}

void source_clear_nudge(void *arg)
{
    pthread_mutex_lock(&nudge_lock);
    if (nudge_arg == arg) {
        nudge_fn = NULL;
        nudge_arg = NULL;
    }
    pthread_mutex_unlock(&nudge_lock);
}

void source_nudge(const char *source_id)
{
    pthread_mutex_lock(&nudge_lock);
    if (nudge_fn)
        nudge_fn(nudge_arg, source_id);
    pthread_mutex_unlock(&nudge_lock);
}

int source_nudge_active(void)
{
    pthread_mutex_lock(&nudge_lock);
    int on = nudge_fn != NULL;
    pthread_mutex_unlock(&nudge_lock);
    return on;
}

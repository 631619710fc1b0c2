/* test_status.c — the screen's age and failure marks come from what each
 * source's class says it writes (SourceClass.datasets / datasets_map, via
 * source_datasets), not from a table kept by the UI: a kind nobody told the
 * UI about, configured without `feeds:`, still marks the panes of the
 * datasets it writes. */
#include "thelp.h"

#include <stdlib.h>
#include <string.h>
#include "../src/source.h"
#include "../src/ui/ui_internal.h"
#include "../src/util.h"

/* A kind the UI has never heard of: writes revenue, takes no `feeds:`. */
static const SourceClass fake_class = {
    .kind = "fake_ledger",
    .summary = "test kind",
    .datasets = DS_BIT(DS_REVENUE),
};

static Pane *pane_of(const char *widget)
{
    Pane *p = calloc(1, sizeof *p);
    p->cls = widget_class_find(widget);
    p->info.data_age_ms = -1;
    return p;
}

static void test_new_kind_gets_marks(void)
{
    SourceConfig sc;
    memset(&sc, 0, sizeof sc);
    sc.id = "ledger";
    sc.cls = &fake_class;
    sc.enabled = 1;
    sc.every_ms = 30000;
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sources = &sc;
    cfg.nsources = 1;
    Ui ui;
    memset(&ui, 0, sizeof ui);
    ui.cfg = &cfg;
    sources_init(&ui);
    CHECK_INT(ui.nsrc, 1);
    CHECK_INT(ui.src[0].datasets, DS_BIT(DS_REVENUE));
    int64_t now = now_ms();
    ui.src[0].st.last_success = now - 5000;
    ui.src[0].st.last_attempt = now - 1000;
    ui.src[0].st.consecutive_failures = 2;
    ui.src[0].st.last_error = strdup("ledger is down");
    Pane *rev = pane_of("revenue"), *blk = pane_of("blockers");
    CHECK(rev->cls && blk->cls);
    pane_update_info(&ui, rev, now);
    CHECK_INT(rev->info.failing, 1);
    CHECK(rev->info.data_age_ms >= 0);
    CHECK_CONTAINS(rev->info.error, "ledger is down");
    pane_update_info(&ui, blk, now);            /* not what it writes */
    CHECK_INT(blk->info.failing, 0);
    CHECK_INT(blk->info.data_age_ms, -1);
    free(rev->info_error);
    free(blk->info_error);
    free(rev);
    free(blk);
    sources_free(&ui);
}

/* `feeds:` wins over the class's datasets; every registered kind that needs
 * no `feeds:` says what it writes. */
static void test_feeds_and_registry(void)
{
    SourceConfig sc;
    memset(&sc, 0, sizeof sc);
    sc.cls = source_class_find("json_file");
    CHECK(sc.cls != NULL);
    CHECK_INT(source_datasets(&sc), DS_BIT(DS_PROJECTS));
    sc.feeds = dataset_get(DS_AGENTS);
    CHECK_INT(source_datasets(&sc), DS_BIT(DS_AGENTS));
    for (int i = 0; source_classes[i]; i++) {
        const SourceClass *c = source_classes[i];
        t_current = c->kind;
        /* a kind says what it writes, or where in its config that is named,
         * or requires feeds: (then a source without it is a config error) */
        if (c->datasets != 0 || c->datasets_map != NULL)
            continue;
        char *src = xasprintf("  - {id: x, kind: %s}\n", c->kind);
        char *err = t_config_error(src);
        CHECK_CONTAINS(err, "feeds");
        free(err);
        free(src);
    }
    t_current = "test_feeds_and_registry";
}

/* Kinds whose datasets are the keys of a config map (postgres queries:). */
static void test_datasets_map(void)
{
    char *err = NULL;
    Config *cfg = NULL;
    const char *yaml = "sources:\n"
                       "  - id: db\n    kind: postgres\n    conninfo: 'host=127.0.0.1 port=1'\n"
                       "    enabled: false\n"
                       "    queries: {blockers: 'select 1 as key', cron: 'select 1 as key'}\n";
    int rc = config_load_text("t.yaml", yaml, &cfg, &err);
    CHECK_INT(rc, 0);
    if (rc == 0)
        CHECK_INT(source_datasets(&cfg->sources[0]), DS_BIT(DS_BLOCKERS) | DS_BIT(DS_CRON));
    else
        fprintf(stderr, "%s\n", err);
    config_free(cfg);
    free(err);
}

int main(void)
{
    RUN(test_new_kind_gets_marks);
    RUN(test_feeds_and_registry);
    RUN(test_datasets_map);
    return t_done();
}

/* registry.c — the one table of widget kinds. The YAML `type:` (in mc.yaml's
 * widgets: and in layouts) is looked up here; adding a widget kind is one new
 * file in widgets/ plus one line in this table and in meson.build. */
#include <stdio.h>
#include <string.h>
#include "../src/ui/widget.h"

extern const WidgetClass revenue_widget, blockers_widget, agents_widget, cron_widget,
    health_widget, activity_widget, projects_widget, stats_widget, alerts_widget;

const WidgetClass *const widget_classes[] = {
    &revenue_widget,
    &blockers_widget,
    &agents_widget,
    &cron_widget,
    &health_widget,
    &activity_widget,
    &projects_widget,
    &stats_widget,
    &alerts_widget,
    NULL,
};

const WidgetClass *widget_class_find(const char *name)
{
    for (int i = 0; name && widget_classes[i]; i++)
        if (strcmp(widget_classes[i]->name, name) == 0)
            return widget_classes[i];
    return NULL;
}

const char *widget_names(void)
{
    static char list[256];
    if (!list[0]) {
        size_t off = 0;
        for (int i = 0; widget_classes[i] && off < sizeof list; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                                    widget_classes[i]->name);
    }
    return list;
}

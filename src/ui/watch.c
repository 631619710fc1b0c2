/* watch.c — live config: inotify on the directories of mc.yaml and of the
 * layout files (editors replace files by rename, so directories, not files,
 * are watched). A change is applied 100 ms later (editors write in bursts).
 * A reload parses into a fresh Config and layout and swaps them in only when
 * everything checked out; otherwise the running config stays and the error
 * (FILE:LINE:COLUMN) sits in the status line. On a swap the engine restarts
 * over the new config, the widgets are recreated from the cache and the
 * focus stays on the same widget. One inotify fd for the whole run; watches
 * are removed and re-added, so reloads leave nothing behind. */
#include "ui_internal.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../draw/draw.h"
#include "../log.h"
#include "actions.h"

#define RELOAD_DELAY_MS 100

static char *dir_of(const char *path)
{
    char *copy = xstrdup(path);
    char *d = xstrdup(dirname(copy));
    free(copy);
    return d;
}

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void add_dir(Ui *ui, char *dir)
{
    for (int i = 0; i < UI_MAX_WATCHES; i++)
        if (ui->wdir[i] && strcmp(ui->wdir[i], dir) == 0) {
            free(dir);
            return;
        }
    for (int i = 0; i < UI_MAX_WATCHES; i++) {
        if (ui->wdir[i])
            continue;
        ui->wd[i] = inotify_add_watch(ui->ino, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
                                                        IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR);
        if (ui->wd[i] < 0) {
            free(dir);
            return;
        }
        ui->wdir[i] = dir;
        return;
    }
    free(dir);
}

static void watches_clear(Ui *ui)
{
    for (int i = 0; i < UI_MAX_WATCHES; i++) {
        if (ui->wdir[i] && ui->ino >= 0)
            inotify_rm_watch(ui->ino, ui->wd[i]);
        free(ui->wdir[i]);
        ui->wdir[i] = NULL;
        ui->wd[i] = -1;
    }
}

void watch_setup(Ui *ui)
{
    if (ui->ino < 0)
        ui->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ui->ino < 0)
        return;
    watches_clear(ui);
    if (ui->cfg->path && ui->cfg->path[0] != '<')
        add_dir(ui, dir_of(ui->cfg->path));
    if (is_dir(ui->cfg->layouts_dir))
        add_dir(ui, xstrdup(ui->cfg->layouts_dir));
    else if (ui->cfg->layouts_dir) {
        /* not there yet: watch where it will appear */
        char *parent = dir_of(ui->cfg->layouts_dir);
        if (is_dir(parent))
            add_dir(ui, parent);
        else
            free(parent);
    }
    if (ui->layout_path)
        add_dir(ui, dir_of(ui->layout_path));
}

void watch_close(Ui *ui)
{
    watches_clear(ui);
    if (ui->ino >= 0)
        close(ui->ino);
    ui->ino = -1;
}

void watch_read(Ui *ui)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    int64_t due = now_ms() + RELOAD_DELAY_MS;
    ssize_t n;
    while ((n = read(ui->ino, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                ui->reload_cfg_at = ui->reload_layout_at = due;
                continue;
            }
            const char *dir = NULL;
            for (int i = 0; i < UI_MAX_WATCHES; i++)
                if (ui->wdir[i] && ui->wd[i] == ev->wd)
                    dir = ui->wdir[i];
            if (!dir || !ev->len)
                continue;
            if (ev->mask & IN_ISDIR) {
                /* the layouts dir appeared (or went): watch it, look again */
                char *full = xasprintf("%s/%s", dir, ev->name);
                if (ui->cfg->layouts_dir && strcmp(full, ui->cfg->layouts_dir) == 0) {
                    watch_setup(ui);
                    ui->reload_layout_at = due;
                }
                free(full);
                continue;
            }
            char *cdir = ui->cfg->path && ui->cfg->path[0] != '<' ? dir_of(ui->cfg->path) : NULL;
            if (cdir && strcmp(cdir, dir) == 0 && strcmp(ev->name, base_of(ui->cfg->path)) == 0)
                ui->reload_cfg_at = due;
            free(cdir);
            /* the current layout's file, or a file that would now win its name */
            char *want = xasprintf("%s.yaml", ui->layout->name);
            if (strcmp(ev->name, want) == 0)
                ui->reload_layout_at = due;
            free(want);
        }
    }
}

/* Swaps in a new layout (taking l, path and text in every case). */
int ui_use_layout(Ui *ui, Layout *l, char *path, char *text)
{
    char *err = NULL;
    if (ui_check_layout(ui->cfg, l, &err) != 0) {
        ui_set_msg(ui, 1, "%s", err);
        free(err);
        layout_free(l);
        free(path);
        free(text);
        return -1;
    }
    Pane *f = ui_focused(ui);
    char *focus_ref = f ? xstrdup(f->ref) : NULL;
    Layout *old = ui->layout;
    ui->layout = l;
    if (panes_build(ui, &err) != 0) {       /* a widget could not be created: keep the old one */
        ui->layout = old;
        ui_set_msg(ui, 1, "%s", err);
        free(err);
        free(focus_ref);
        layout_free(l);
        free(path);
        free(text);
        return -1;
    }
    layout_free(old);
    free(ui->layout_path);
    free(ui->layout_text);
    ui->layout_path = path;
    ui->layout_text = text;
    ui->focus = 0;
    arrange_focus_ref(ui, focus_ref);
    free(focus_ref);
    ui->zoom = 0;
    ui_relayout(ui);
    watch_setup(ui);
    return 0;
}

static void reload_layout(Ui *ui)
{
    Layout *l = NULL;
    char *path = NULL, *text = NULL, *err = NULL;
    if (store_load_layout(ui->cfg, ui->layout->name, &l, &path, &text, &err) != 0) {
        free(ui->cfg_error);
        ui->cfg_error = err;
        ui_set_msg(ui, 1, "%s", err);
        return;
    }
    int same = ui->layout_text && strcmp(text, ui->layout_text) == 0 &&
               ((!path && !ui->layout_path) || (path && ui->layout_path && strcmp(path, ui->layout_path) == 0));
    if (same) {
        layout_free(l);
        free(path);
        free(text);
        return;
    }
    if (ui_use_layout(ui, l, path, text) == 0) {
        free(ui->cfg_error);
        ui->cfg_error = NULL;
        ui_set_msg(ui, 0, "reloaded layout %s", ui->layout->name);
        log_info("dashboard: reloaded layout %s", ui->layout->name);
    }
}

/* Everything a new config needs, checked before anything is swapped. */
static int prepare_config(Ui *ui, Config *nc, Keymap *km, Layout **l, char **path, char **text,
                          char **err)
{
    if (ui->opts.cache_override) {
        free(nc->cache_path);
        nc->cache_path = xstrdup(ui->opts.cache_override);
    }
    if (keymap_build(km, nc->keys, err) != 0 || ui_check_widgets(nc, err) != 0)
        return -1;
    /* a changed `layout:` wins; otherwise the layout shown now is reloaded */
    const char *name = strcmp(nc->layout, ui->cfg->layout) != 0 ? nc->layout : ui->layout->name;
    if (store_load_layout(nc, name, l, path, text, err) != 0)
        return -1;
    if (ui_check_layout(nc, *l, err) != 0) {
        layout_free(*l);
        free(*path);
        free(*text);
        return -1;
    }
    return 0;
}

/* Returns 1 when a new config was swapped in. */
static void config_free_cb(void *c)
{
    config_free(c);
}

static int reload_config(Ui *ui)
{
    char *text = NULL, *err = NULL;
    size_t len;
    if (file_read_all(ui->cfg->path, 8 << 20, &text, &len, &err) != 0) {
        ui_set_msg(ui, 1, "%s", err);
        free(err);
        return 0;
    }
    if (ui->cfg_text && strcmp(text, ui->cfg_text) == 0) {
        free(text);
        if (ui->cfg_error) {            /* an edit was undone: the running config is the file's */
            free(ui->cfg_error);
            ui->cfg_error = NULL;
            ui_set_msg(ui, 0, "%s matches the running config again", ui->cfg->path);
        }
        return 0;
    }
    Config *nc = NULL;
    Keymap km;
    Layout *l = NULL;
    char *lpath = NULL, *ltext = NULL;
    if (config_load(ui->cfg->path, &nc, &err) != 0 ||
        prepare_config(ui, nc, &km, &l, &lpath, &ltext, &err) != 0) {
        config_free(nc);
        free(ui->cfg_error);
        ui->cfg_error = err;
        ui_set_msg(ui, 1, "%s", err);
        log_warn("dashboard: config not reloaded: %s", err);
        free(text);
        return 0;
    }
    Pane *f = ui_focused(ui);
    char *focus_ref = f ? xstrdup(f->ref) : NULL;
    int cache_changed = strcmp(nc->cache_path, ui->cfg->cache_path) != 0;
    /* the old engine stops in the background (an in-flight fetch may take a
     * moment to cancel) and frees the old config when it is done with it */
    Engine *olde = ui->engine;
    ui->engine = NULL;
    ui_actions_set_engine(NULL);
    panes_free(ui);                 /* widgets may point into the old config */
    layout_free(ui->layout);
    Config *old = ui->cfg;
    ui->cfg = nc;
    engine_retire(olde, config_free_cb, old);
    ui->km = km;
    ui->layout = l;
    free(ui->layout_path);
    free(ui->layout_text);
    ui->layout_path = lpath;
    ui->layout_text = ltext;
    free(ui->cfg_text);
    ui->cfg_text = text;
    if (cache_changed) {
        Cache *c = NULL;
        char *cerr = NULL;
        if (cache_open(nc->cache_path, &c, NULL, &cerr) == 0) {
            cache_no_checkpoint(c);
            cache_close(ui->cache);
            ui->cache = c;
        } else {
            ui_set_msg(ui, 1, "%s", cerr);
            free(cerr);
        }
    }
    draw_init(nc->theme, ui->ascii);
    sources_init(ui);
    if (panes_build(ui, &err) != 0) {   /* checked above; only a widget's create can fail here */
        ui_set_msg(ui, 1, "%s", err);
        free(err);
    }
    ui->focus = 0;
    arrange_focus_ref(ui, focus_ref);
    free(focus_ref);
    ui->zoom = 0;
    free(ui->cfg_error);
    ui->cfg_error = NULL;
    ui_check_data(ui, 1);
    ui_relayout(ui);
    ui_engine_start(ui);
    watch_setup(ui);
    ui_set_msg(ui, 0, "reloaded %s", ui->cfg->path);
    log_info("dashboard: reloaded %s", ui->cfg->path);
    return 1;
}

void watch_due(Ui *ui)
{
    int64_t now = now_ms();
    if (ui->reload_cfg_at && now >= ui->reload_cfg_at) {
        ui->reload_cfg_at = 0;
        if (reload_config(ui))
            ui->reload_layout_at = 0;   /* a config reload reloaded the layout too */
    }
    if (ui->reload_layout_at && now >= ui->reload_layout_at) {
        ui->reload_layout_at = 0;
        reload_layout(ui);
    }
}

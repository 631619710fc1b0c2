/* store.c — where layouts come from and where `S` puts them. A name is
 * looked up in the user's layouts_dir first, then $MC_LAYOUTS_DIR, then next
 * to the binary (../layouts in a build tree, ../share/mission-control/layouts
 * when installed), then in the copies compiled into the binary. `S` writes
 * layouts_dir/saved.yaml atomically and a small state file (.last.yaml)
 * naming it, so the next start opens it; mc.yaml is never rewritten. The
 * state only wins while mc.yaml's `layout:` is what it was at save time. */
#include "ui_internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_FILE ".last.yaml"
#define SAVED_NAME "saved"

static int valid_name(const char *s)
{
    if (!s || !*s || *s == '.' || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

/* The directories searched, in order (NULL-terminated; caller frees with strv_free). */
static char **search_dirs(const Config *cfg)
{
    char **v = xcalloc(6, sizeof *v);
    int n = 0;
    if (cfg->layouts_dir)
        v[n++] = xstrdup(cfg->layouts_dir);
    const char *env = getenv("MC_LAYOUTS_DIR");
    if (env && *env)
        v[n++] = xstrdup(env);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *dir = dirname(exe);
        v[n++] = xasprintf("%s/../layouts", dir);
        v[n++] = xasprintf("%s/../share/mission-control/layouts", dir);
    }
    return v;
}

static int parse_file(const char *name, const char *path, Layout **out, char **text, char **err)
{
    char *t = NULL;
    size_t len;
    if (file_read_all(path, 1 << 20, &t, &len, err) != 0)
        return -1;
    if (layout_parse(name, path, t, out, err) != 0) {
        free(t);
        return -1;
    }
    *text = t;
    return 0;
}

int store_load_layout(const Config *cfg, const char *name, Layout **out, char **path,
                      char **text, char **err)
{
    *path = NULL;
    *text = NULL;
    if (strchr(name, '/')) {
        char *p = path_expand(name, err);
        if (!p)
            return -1;
        if (parse_file(name, p, out, text, err) != 0) {
            free(p);
            return -1;
        }
        *path = p;
        return 0;
    }
    if (!valid_name(name)) {
        set_err(err, "layout '%s': a name is letters, digits, '-', '_' and '.'", name);
        return -1;
    }
    char **dirs = search_dirs(cfg);
    Buf looked = {0};
    for (int i = 0; dirs[i]; i++) {
        char *p = xasprintf("%s/%s.yaml", dirs[i], name);
        buf_printf(&looked, "%s, ", dirs[i]);
        if (access(p, F_OK) == 0) {
            /* a file that exists but is broken is an error, not a fallthrough */
            int rc = parse_file(name, p, out, text, err);
            if (rc == 0)
                *path = p;
            else
                free(p);
            strv_free(dirs);
            buf_free(&looked);
            return rc;
        }
        free(p);
    }
    strv_free(dirs);
    for (const LayoutBuiltin *b = layout_builtins; b->name; b++) {
        if (strcmp(b->name, name) != 0)
            continue;
        char *file = xasprintf("<built-in>/%s.yaml", name);
        int rc = layout_parse(name, file, b->text, out, err);
        free(file);
        if (rc == 0)
            *text = xstrdup(b->text);
        buf_free(&looked);
        return rc;
    }
    /* mc.yaml's `layout:` is named at its line; a near miss is suggested */
    Buf known = {0};
    char **names = store_layout_names(cfg);
    for (int i = 0; names[i]; i++)
        buf_printf(&known, "%s%s", i ? ", " : "", names[i]);
    strv_free(names);
    char *hint = ynode_did_you_mean(name, known.s);
    const YNode *at = strcmp(name, cfg->layout) == 0 ? ynode_get(cfg->doc, "layout") : NULL;
    char *where = at ? xasprintf("%s:%d:%d: ", at->file ? at->file : cfg->path, at->line, at->col)
                     : xstrdup("");
    set_err(err, "%slayout '%s' not found%s (looked in %sand the built-in ones; known: %s)", where,
            name, hint, looked.s ? looked.s : "", known.s ? known.s : "");
    free(where);
    free(hint);
    buf_free(&known);
    buf_free(&looked);
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **store_layout_names(const Config *cfg)
{
    char **v = NULL;
    int n = 0, cap = 0;
    char **dirs = search_dirs(cfg);
    for (int i = 0; dirs[i]; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL && n < 200) {
            size_t len = strlen(e->d_name);
            if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
                continue;
            char *name = xstrndup(e->d_name, len - 5);
            if (!valid_name(name)) {
                free(name);
                continue;
            }
            if (n + 2 > cap) {
                cap = cap ? cap * 2 : 16;
                v = xrealloc(v, (size_t)cap * sizeof *v);
            }
            v[n++] = name;
        }
        if (d)
            closedir(d);
    }
    strv_free(dirs);
    for (const LayoutBuiltin *b = layout_builtins; b->name; b++) {
        if (n + 2 > cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, (size_t)cap * sizeof *v);
        }
        v[n++] = xstrdup(b->name);
    }
    qsort(v, (size_t)n, sizeof *v, cmp_str);
    int o = 0;
    for (int i = 0; i < n; i++) {
        if (o > 0 && strcmp(v[o - 1], v[i]) == 0)
            free(v[i]);
        else
            v[o++] = v[i];
    }
    v = xrealloc(v, (size_t)(o + 1) * sizeof *v);
    v[o] = NULL;
    return v;
}

void store_read_state(const Config *cfg, char **layout, char **config_layout)
{
    *layout = *config_layout = NULL;
    char *path = xasprintf("%s/" STATE_FILE, cfg->layouts_dir);
    char *err = NULL;
    YNode *doc = access(path, F_OK) == 0 ? ynode_parse_file(path, &err) : NULL;
    if (doc) {
        ynode_str(doc, "layout", layout, &err);
        ynode_str(doc, "config_layout", config_layout, &err);
        ynode_free(doc);
    }
    free(err);
    free(path);
}

/* The background save: one at a time; its outcome is picked up by
 * store_save_poll on the UI thread (woken through the wake-up pipe). */
typedef struct SaveJob {
    char *path, *yaml, *state_path, *state;
    int wake_fd;
} SaveJob;

static pthread_mutex_t save_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t save_thread;
static int save_running;      /* a thread to join */
static int save_finished;     /* its outcome is waiting in save_result */
static char *save_result;     /* NULL: ok; else the error */
static char *save_path;

static void *save_main(void *arg)
{
    SaveJob *j = arg;
    char *err = NULL;
    int rc = file_write_atomic(j->path, j->yaml, strlen(j->yaml), 0644, &err);
    if (rc == 0)
        rc = file_write_atomic(j->state_path, j->state, strlen(j->state), 0644, &err);
    pthread_mutex_lock(&save_lock);
    free(save_result);
    save_result = rc == 0 ? NULL : (err ? err : xstrdup("write failed"));
    if (rc == 0)
        free(err);
    free(save_path);
    save_path = xstrdup(j->path);
    save_finished = 1;
    pthread_mutex_unlock(&save_lock);
    if (j->wake_fd >= 0 && write(j->wake_fd, "s", 1) < 0) {
        /* the tick picks it up anyway */
    }
    free(j->yaml);
    free(j->state_path);
    free(j->state);
    free(j->path);
    free(j);
    return NULL;
}

void store_save_wait(void)
{
    if (save_running) {
        pthread_join(save_thread, NULL);
        save_running = 0;
    }
}

int store_save_poll(Ui *ui)
{
    pthread_mutex_lock(&save_lock);
    int finished = save_finished;
    char *result = save_result, *path = save_path;
    save_finished = 0;
    save_result = NULL;
    save_path = NULL;
    pthread_mutex_unlock(&save_lock);
    if (!finished)
        return 0;
    store_save_wait();
    if (result)
        ui_set_msg(ui, 1, "save: %s", result);
    else
        ui_set_msg(ui, 0, "saved the arrangement to %s (opened at the next start)", path);
    free(result);
    free(path);
    return 1;
}

static void save_start(Ui *ui, char *path, char *yaml, char *state_path, char *state)
{
    store_save_wait();   /* a previous save (rare: two S in a row) finishes first */
    SaveJob *j = xcalloc(1, sizeof *j);
    *j = (SaveJob){xstrdup(path), xstrdup(yaml), state_path, state, ui->wake[1]};
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    if (pthread_create(&save_thread, NULL, save_main, j) == 0)
        save_running = 1;
    else
        save_main(j);    /* no thread: write here */
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int store_save(Ui *ui, char **path_out, char **err)
{
    const char *dir = ui->cfg->layouts_dir;
    if (mkdir_p(dir, 0755) != 0) {
        set_err(err, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char when[40];
    time_format_iso(now_ms(), when, sizeof when);
    char *header = xasprintf("Saved by mc (key S) at %s from layout '%s'.\n"
                             "Edit freely (the format is described in the shipped default.yaml);\n"
                             "S overwrites this file. Delete it to go back to mc.yaml's layout.",
                             when, ui->layout->name);
    char *yaml = layout_to_yaml(ui->layout, header);
    free(header);
    char *path = xasprintf("%s/" SAVED_NAME ".yaml", dir);
    char *state_path = xasprintf("%s/" STATE_FILE, dir);
    Buf st = {0};
    buf_puts(&st, "# mc's memory of the last saved arrangement (key S); safe to delete.\n");
    buf_printf(&st, "layout: %s\nconfig_layout: \"", SAVED_NAME);
    for (const char *c = ui->cfg->layout; *c; c++) {
        if (*c == '"' || *c == '\\')
            buf_putc(&st, '\\');
        buf_putc(&st, *c);
    }
    buf_puts(&st, "\"\n");
    /* the writes (fsync) happen on a helper thread; the UI goes on */
    save_start(ui, path, yaml, state_path, buf_steal(&st));
    free(ui->layout->name);
    ui->layout->name = xstrdup(SAVED_NAME);
    free(ui->layout->file);
    ui->layout->file = xstrdup(path);
    free(ui->layout_path);
    ui->layout_path = xstrdup(path);
    free(ui->layout_text);
    ui->layout_text = yaml;
    watch_setup(ui);
    *path_out = path;
    return 0;
}

/* command.c — the `command` source kind: rows from the JSON a command prints
 * (an agent gateway CLI like `openclaw sessions --json`).
 *
 * The command runs in its own process group with stdin from /dev/null, every
 * other descriptor closed and default signal handling; `argv:` (or a plain
 * `command:` split into words) is executed directly, `command:` with
 * `shell: true` goes through /bin/sh -c. The worker thread reads stdout (up
 * to max_bytes) and the last 2 KiB of stderr with poll(), and on the fetch
 * deadline or cancel kills the whole group: SIGTERM, then SIGKILL a second
 * later. Descendants that left the group (setsid, setpgid) are found by their
 * parent links in /proc, taken while the leader still lives, and get the same
 * signals by pid (checked against their start time so a recycled pid is never
 * hit). One that was already orphaned before the kill (its parent exited
 * first) has no link left to follow and is not found. The output is mapped like any JSON document (net/mapping.h) and
 * written with one CACHE_REPLACE; with `outputs:` one document feeds several
 * datasets, each with its own mapping, grouping and cost (outputs.h).
 * `command:` is a command line, or a list (the argv, like `argv:`). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../source.h"
#include "../util.h"
#include "../net/http.h"
#include "../net/mapping.h"
#include "outputs.h"

#define STDERR_KEEP 2048
#define DEFAULT_MAX_BYTES ((int64_t)4 << 20)

extern char **environ;

typedef struct CommandCfg {
    char **argv;              /* NULL-terminated; argv[0] is the program */
    char **env;               /* "NAME=value" set by env:, NULL-terminated */
    char **pass;              /* names env: passes from mc's environment */
    char *cwd;
    int shell;
    int64_t max_bytes;
    Mapping map;
    Outputs *outputs;         /* `outputs:` (several datasets), or NULL: `feeds:` + map */
} CommandCfg;

static const char *const command_keys[] = {
    "command", "argv", "shell", "env", "cwd", "max_bytes", "items", "fields", "set", "scale", "outputs", NULL,
};

static void command_free(void *p)
{
    CommandCfg *c = p;
    if (!c)
        return;
    strv_free(c->argv);
    strv_free(c->env);
    strv_free(c->pass);
    free(c->cwd);
    mapping_free(&c->map);
    outputs_free(c->outputs);
    free(c);
}

/* ---- configure -------------------------------------------------------- */

static void strv_push(char ***v, int *n, char *s)
{
    *v = xrealloc(*v, sizeof **v * (size_t)(*n + 2));
    (*v)[(*n)++] = s;
    (*v)[*n] = NULL;
}

/* Splits a command line into words: white space separates, '...' and "..."
 * quote, backslash escapes; nothing is expanded. Shell operators outside
 * quotes are an error (they need shell: true). */
static int split_words(const YNode *n, const char *s, char ***out, char **err)
{
    char **v = NULL;
    int count = 0;
    Buf w = {0};
    int inword = 0;
    for (const char *p = s;; p++) {
        if (!*p || *p == ' ' || *p == '\t' || *p == '\n') {
            if (inword)
                strv_push(&v, &count, w.s ? buf_steal(&w) : xstrdup(""));
            inword = 0;
            if (!*p)
                break;
        } else if (*p == '\'' || *p == '"') {
            char q = *p++;
            inword = 1;
            while (*p && *p != q) {
                if (q == '"' && *p == '\\' && p[1])
                    p++;
                buf_putc(&w, *p++);
            }
            if (!*p) {
                buf_free(&w);
                strv_free(v);
                return ynode_error(n, err, "command: unterminated %c quote", q);
            }
        } else if (*p == '\\' && p[1]) {
            buf_putc(&w, *++p);
            inword = 1;
        } else if (strchr("|&;<>()`$*?", *p)) {
            buf_free(&w);
            strv_free(v);
            return ynode_error(n, err, "command: '%c' needs a shell; add 'shell: true' or quote it", *p);
        } else {
            buf_putc(&w, *p);
            inword = 1;
        }
    }
    if (!count) {
        strv_free(v);
        return ynode_error(n, err, "command: empty command");
    }
    *out = v;
    return 0;
}

static int env_name_ok(const YNode *n, char **err)
{
    const char *k = n->scalar;
    int ok = *k && !(k[0] >= '0' && k[0] <= '9');
    for (const char *p = k; *p && ok; p++)
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    return ok ? 0 : ynode_error(n, err, "env: '%s' is not a valid variable name", k);
}

/* One NAME: value of env: (a null value passes NAME from mc's environment). */
static int env_pair(CommandCfg *c, const YNode *key, const YNode *val, int *nset, int *npass, char **err)
{
    if (env_name_ok(key, err) < 0)
        return -1;
    if (ynode_is_null(val)) {
        strv_push(&c->pass, npass, xstrdup(key->scalar));
        return 0;
    }
    if (val->type != YN_SCALAR)
        return ynode_error(val, err, "env: the value of %s must be a string", key->scalar);
    strv_push(&c->env, nset, xasprintf("%s=%s", key->scalar, val->scalar));
    return 0;
}

/* env: what the child gets besides PATH, HOME, LANG, LC_* and TZ: a map of
 * NAME: value (NAME: ~ passes mc's own NAME), or a list whose items are
 * names to pass from mc's environment or one-pair maps NAME: value. */
static int read_env(CommandCfg *c, const YNode *map, char **err)
{
    const YNode *e = ynode_get(map, "env");
    int nset = 0, npass = 0;
    if (!e || ynode_is_null(e))
        return 0;
    if (e->type == YN_MAP) {
        for (int i = 0; i < e->n; i++)
            if (env_pair(c, e->keys[i], e->items[i], &nset, &npass, err) < 0)
                return -1;
        return 0;
    }
    if (e->type != YN_SEQ)
        return ynode_error(e, err, "env: expected a list of names to pass and NAME: value pairs, "
                           "or a map of NAME: value");
    for (int i = 0; i < e->n; i++) {
        const YNode *it = e->items[i];
        if (it->type == YN_SCALAR) {
            if (env_name_ok(it, err) < 0)
                return -1;
            strv_push(&c->pass, &npass, xstrdup(it->scalar));
        } else if (it->type == YN_MAP && it->n == 1) {
            if (env_pair(c, it->keys[0], it->items[0], &nset, &npass, err) < 0)
                return -1;
        } else {
            return ynode_error(it, err, "env: each item is a variable name or one NAME: value");
        }
    }
    return 0;
}

static int read_program(CommandCfg *c, const YNode *map, char **err)
{
    const YNode *cmd = ynode_get(map, "command"), *argv = ynode_get(map, "argv");
    if (cmd && argv)
        return ynode_error(argv, err, "give either 'command' or 'argv', not both");
    if (!cmd && !argv)
        return ynode_error(map, err, "command source needs 'command' or 'argv'");
    if (argv) {
        if (c->shell)
            return ynode_error(argv, err, "shell: true runs 'command' (a string), not 'argv'");
        if (ynode_strv(map, "argv", &c->argv, err) < 0)
            return -1;
        if (!c->argv || !c->argv[0] || !*c->argv[0])
            return ynode_error(argv, err, "argv: empty");
    } else if (cmd->type == YN_SEQ) {     /* a list: the argv itself */
        if (c->shell)
            return ynode_error(cmd, err, "shell: true runs 'command' as a string, not a list");
        if (ynode_strv(map, "command", &c->argv, err) < 0)
            return -1;
        if (!c->argv || !c->argv[0] || !*c->argv[0])
            return ynode_error(cmd, err, "command: empty");
    } else {
        if (cmd->type != YN_SCALAR || !*cmd->scalar)
            return ynode_error(cmd, err, "command: expected a command line or a list (the argv)");
        if (c->shell) {
            int n = 0;
            strv_push(&c->argv, &n, xstrdup("/bin/sh"));
            strv_push(&c->argv, &n, xstrdup("-c"));
            strv_push(&c->argv, &n, xstrdup(cmd->scalar));
        } else if (split_words(cmd, cmd->scalar, &c->argv, err) < 0) {
            return -1;
        }
    }
    if (c->argv[0][0] == '~') {
        char *perr = NULL, *exp = path_expand(c->argv[0], &perr);
        if (!exp) {
            ynode_error(argv ? argv : cmd, err, "%s", perr);
            free(perr);
            return -1;
        }
        free(c->argv[0]);
        c->argv[0] = exp;
    }
    return 0;
}

static int command_configure(SourceConfig *sc, const YNode *map, char **err)
{
    CommandCfg *c = xcalloc(1, sizeof *c);
    c->max_bytes = DEFAULT_MAX_BYTES;
    if (source_check_keys(map, command_keys, err) < 0 || outputs_configure(map, &c->outputs, err) < 0)
        goto fail;
    if (c->outputs) {
        const char *one[] = {"feeds", "items", "fields", "set", "scale"};
        for (size_t i = 0; i < sizeof one / sizeof *one; i++)
            if (ynode_get(map, one[i])) {
                ynode_error(ynode_get(map, one[i]), err, "'%s' belongs inside an output when 'outputs' is given",
                            one[i]);
                goto fail;
            }
    } else if (!sc->feeds) {
        ynode_error(map, err, "command source '%s' needs 'feeds:' (one of: %s)", sc->id, dataset_names());
        goto fail;
    }
    if (ynode_bool(map, "shell", &c->shell, err) < 0 || read_program(c, map, err) < 0
        || read_env(c, map, err) < 0 || ynode_path(map, "cwd", &c->cwd, err) < 0
        || http_ynode_size(map, "max_bytes", (int64_t)1 << 30, &c->max_bytes, err) < 0
        || (!c->outputs && mapping_configure(&c->map, sc->feeds, map, NULL, err) < 0))
        goto fail;
    sc->kcfg = c;
    return 0;
fail:
    command_free(c);
    return -1;
}

/* ---- running ---------------------------------------------------------- */

/* The value of NAME in the override list, else in the environment. */
static const char *env_value(char **over, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; over && over[i]; i++)
        if (!strncmp(over[i], name, n) && over[i][n] == '=')
            return over[i] + n + 1;
    return getenv(name);
}

/* Finds the program like execvp would, in the parent (the child may only
 * make async-signal-safe calls). Returns a new path or NULL. */
static char *find_program(const char *prog, char **over)
{
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
    const char *path = env_value(over, "PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;;) {
        size_t len = strcspn(p, ":");
        char *cand = len ? xasprintf("%.*s/%s", (int)len, p, prog) : xasprintf("./%s", prog);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
            return cand;
        free(cand);
        if (!p[len])
            return NULL;
        p += len + 1;
    }
}

/* Whether "NAME=value" names one of the variables every child gets. */
static int env_base(const char *entry, size_t nl)
{
    static const char *const base[] = {"PATH", "HOME", "LANG", "TZ", NULL};
    if (nl > 3 && !strncmp(entry, "LC_", 3))
        return 1;
    for (int i = 0; base[i]; i++)
        if (strlen(base[i]) == nl && !strncmp(entry, base[i], nl))
            return 1;
    return 0;
}

/* Whether list (NULL-terminated) has the name entry[0..nl), as "NAME" or
 * as "NAME=value" when `with_value`. */
static int env_listed(char **list, const char *entry, size_t nl, int with_value)
{
    for (int j = 0; list && list[j]; j++)
        if (!strncmp(list[j], entry, nl) && list[j][nl] == (with_value ? '=' : '\0'))
            return 1;
    return 0;
}

/* The child's environment: PATH, HOME, LANG, LC_*, TZ and the names env:
 * passes, from mc's environment, then env:'s NAME=value pairs (which win).
 * Nothing else of mc's environment (other sources' tokens) reaches it.
 * Frees with free() of the array only (strings are borrowed). */
static char **build_envp(const CommandCfg *c)
{
    int n = 0, cap = 16;
    char **envp = xmalloc(sizeof *envp * (size_t)cap);
    for (int pass = 0; pass < 2; pass++) {
        char **src = pass ? c->env : environ;
        for (int i = 0; src && src[i]; i++) {
            if (!pass) {
                size_t nl = strcspn(src[i], "=");
                if (!src[i][nl] || env_listed(c->env, src[i], nl, 1) ||
                    !(env_base(src[i], nl) || env_listed(c->pass, src[i], nl, 0)))
                    continue;
            }
            if (n + 2 > cap)
                envp = xrealloc(envp, sizeof *envp * (size_t)(cap *= 2));
            envp[n++] = src[i];
        }
    }
    envp[n] = NULL;
    return envp;
}

/* A close-on-exec descriptor numbered 3 or above (0-2 are the child's stdio). */
static int fd_high(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return hi;
}

static int pipe_high(int p[2])
{
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    p[0] = fd_high(p[0]);
    p[1] = fd_high(p[1]);
    return p[0] < 0 || p[1] < 0 ? -1 : 0;
}

/* In the child: only async-signal-safe calls until execve. */
static void __attribute__((noreturn))
child_exec(const char *path, char *const *argv, char *const *envp, const char *cwd,
           int in, int out, int errfd, int report)
{
    sigset_t none;
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    setpgid(0, 0);
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            sigaction(s, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0 || dup2(report, 3) < 0)
        goto fail;
    fcntl(3, F_SETFD, FD_CLOEXEC);
    if (close_range(4, ~0U, 0) < 0)
        for (int fd = 4; fd < 65536; fd++)
            close(fd);
    if (cwd && chdir(cwd) < 0)
        goto fail;
    execve(path, argv, envp);
fail:;
    int e = errno;
    ssize_t w = write(3, &e, sizeof e);
    (void)w;
    _exit(127);
}

typedef struct Run {
    pid_t pid;
    int out, err, report;     /* read ends, -1 once closed */
    Buf stdout_buf;
    char tail[STDERR_KEEP];
    size_t tail_len;
    int exec_errno;
    int status, reaped;
} Run;

static void keep_tail(Run *r, const char *data, size_t n)
{
    if (n >= STDERR_KEEP) {
        memcpy(r->tail, data + n - STDERR_KEEP, STDERR_KEEP);
        r->tail_len = STDERR_KEEP;
        return;
    }
    if (r->tail_len + n > STDERR_KEEP) {
        size_t drop = r->tail_len + n - STDERR_KEEP;
        memmove(r->tail, r->tail + drop, r->tail_len - drop);
        r->tail_len -= drop;
    }
    memcpy(r->tail + r->tail_len, data, n);
    r->tail_len += n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reaps the leader without blocking. Returns 1 once it has exited. */
static int try_reap(Run *r)
{
    if (r->reaped)
        return 1;
    pid_t w = waitpid(r->pid, &r->status, WNOHANG);
    if (w == r->pid || (w < 0 && errno == ECHILD)) {
        if (w < 0)
            r->status = 0;
        r->reaped = 1;
    }
    return r->reaped;
}

/* Whether any live (not zombie) process is still in process group pgid.
 * kill(-pgid, 0) alone also counts zombies that wait for a slow reaper. */
static int group_alive(pid_t pgid)
{
    if (kill(-pgid, 0) < 0)
        return errno != ESRCH;
    DIR *d = opendir("/proc");
    if (!d)
        return 1;
    int alive = 0;
    struct dirent *e;
    while (!alive && (e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = 0;
        /* "pid (comm) S ppid pgrp ..." — comm may hold spaces and parens */
        char *rp = strrchr(buf, ')');
        char state;
        long ppid, pgrp;
        if (rp && sscanf(rp + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3)
            alive = pgrp == (long)pgid && state != 'Z' && state != 'X';
    }
    closedir(d);
    return alive;
}

/* One process from /proc/PID/stat: 0, or -1 when it is gone or unreadable. */
static int proc_read(pid_t pid, pid_t *ppid, char *state, unsigned long long *start)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    /* "pid (comm) S ppid pgrp session tty tpgid flags minflt cminflt majflt
     * cmajflt utime stime cutime cstime priority nice threads itreal start" */
    const char *rp = strrchr(buf, ')');
    int p;
    if (!rp || sscanf(rp + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d"
                              " %*d %*d %llu", state, &p, start) != 3)
        return -1;
    *ppid = (pid_t)p;
    return 0;
}

/* The descendants of a command found so far, each with its start time. */
typedef struct Tree {
    struct { pid_t pid; unsigned long long start; } *p;
    int n, cap;
} Tree;

static int tree_has(const Tree *t, pid_t pid)
{
    for (int i = 0; i < t->n; i++)
        if (t->p[i].pid == pid)
            return 1;
    return 0;
}

/* Adds every live process whose parent is `root` (0: none, once the leader
 * is reaped its pid may be reused) or already in the tree, until a pass over
 * /proc finds no more. */
static void tree_collect(Tree *t, pid_t root)
{
    for (int pass = 0, added = 1; added && pass < 16; pass++) {
        added = 0;
        DIR *d = opendir("/proc");
        if (!d)
            return;
        struct dirent *e;
        while ((e = readdir(d))) {
            long v;
            if (e->d_name[0] < '1' || e->d_name[0] > '9' || parse_long(e->d_name, 1, INT32_MAX, &v) < 0)
                continue;
            pid_t pid = (pid_t)v, ppid;
            char state;
            unsigned long long start;
            if (tree_has(t, pid) || proc_read(pid, &ppid, &state, &start) < 0 ||
                state == 'Z' || state == 'X' || !((root && ppid == root) || tree_has(t, ppid)))
                continue;
            if (t->n == t->cap) {
                t->cap = t->cap ? t->cap * 2 : 8;
                t->p = xrealloc(t->p, (size_t)t->cap * sizeof *t->p);
            }
            t->p[t->n].pid = pid;
            t->p[t->n].start = start;
            t->n++;
            added = 1;
        }
        closedir(d);
    }
}

/* Signals the tree's processes that still run (same pid and start time).
 * Returns how many there were. */
static int tree_signal(const Tree *t, int sig)
{
    int live = 0;
    for (int i = 0; i < t->n; i++) {
        pid_t ppid;
        char state;
        unsigned long long start;
        if (proc_read(t->p[i].pid, &ppid, &state, &start) < 0 || start != t->p[i].start ||
            state == 'Z' || state == 'X')
            continue;
        live++;
        if (sig)
            kill(t->p[i].pid, sig);
    }
    return live;
}

/* SIGTERM to the group and every descendant, SIGKILL a second later, then
 * reap the leader and wait briefly for the rest to go. */
static void kill_group(Run *r)
{
    Tree t = {0};
    tree_collect(&t, r->reaped ? 0 : r->pid);
    kill(-r->pid, SIGTERM);
    tree_signal(&t, SIGTERM);
    int64_t until = mono_ms() + 1000;
    while (mono_ms() < until) {
        try_reap(r);
        tree_collect(&t, r->reaped ? 0 : r->pid);
        if (r->reaped && !group_alive(r->pid) && !tree_signal(&t, 0))
            goto out;
        sleep_ms(10);
    }
    tree_collect(&t, r->reaped ? 0 : r->pid);
    kill(-r->pid, SIGKILL);
    tree_signal(&t, SIGKILL);
    if (!r->reaped && waitpid(r->pid, &r->status, 0) == r->pid)
        r->reaped = 1;
    until = mono_ms() + 500;
    while ((group_alive(r->pid) || tree_signal(&t, 0)) && mono_ms() < until)
        sleep_ms(5);
out:
    free(t.p);
}

typedef enum { END_OK, END_TIMEOUT, END_CANCEL, END_TOO_BIG, END_ORPHANS } EndReason;

/* Reads one ready descriptor; closes it on EOF or error. Returns END_TOO_BIG
 * when stdout passes max, else END_OK. */
static EndReason read_ready(Run *r, int *fd, int64_t max)
{
    char buf[16384];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return END_OK;
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return END_OK;
    }
    if (fd == &r->out) {
        if ((int64_t)(r->stdout_buf.len + (size_t)n) > max)
            return END_TOO_BIG;
        buf_append(&r->stdout_buf, buf, (size_t)n);
    } else if (fd == &r->err) {
        keep_tail(r, buf, (size_t)n);
    } else if ((size_t)n >= sizeof r->exec_errno) {
        memcpy(&r->exec_errno, buf, sizeof r->exec_errno);
    }
    return END_OK;
}

/* Moves output until every pipe is closed, the deadline passes, the caller
 * cancels, stdout grows too big, or the leader is gone but others keep the
 * pipes open. */
static EndReason pump(Run *r, const CommandCfg *c, atomic_int *cancel, int64_t deadline)
{
    int64_t leader_gone = 0;
    while (r->out >= 0 || r->err >= 0 || r->report >= 0) {
        int64_t now = mono_ms();
        if (cancel && *cancel)
            return END_CANCEL;
        if (now >= deadline)
            return END_TIMEOUT;
        if (try_reap(r) && !leader_gone)
            leader_gone = now;
        if (leader_gone && now - leader_gone > 500)
            return END_ORPHANS;
        int *fds[3] = {&r->out, &r->err, &r->report};
        struct pollfd p[3];
        int *which[3], np = 0;
        for (int i = 0; i < 3; i++)
            if (*fds[i] >= 0) {
                p[np] = (struct pollfd){.fd = *fds[i], .events = POLLIN};
                which[np++] = fds[i];
            }
        int64_t wait = deadline - now < 100 ? deadline - now : 100;
        int rc = poll(p, (nfds_t)np, (int)wait);
        if (rc < 0 && errno != EINTR)
            return END_TIMEOUT;
        for (int i = 0; rc > 0 && i < np; i++)
            if (p[i].revents && read_ready(r, which[i], c->max_bytes) == END_TOO_BIG)
                return END_TOO_BIG;
    }
    return END_OK;
}

/* Waits for the leader after its pipes closed, until the deadline. */
static EndReason wait_leader(Run *r, atomic_int *cancel, int64_t deadline)
{
    int nap = 1;
    while (!try_reap(r)) {
        if (cancel && *cancel)
            return END_CANCEL;
        if (mono_ms() >= deadline)
            return END_TIMEOUT;
        sleep_ms(nap);
        if (nap < 50)
            nap *= 2;
    }
    return END_OK;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Starts the child. Returns 0, or -1 with *err. */
static int spawn(Run *r, const CommandCfg *c, char **err)
{
    char *path = find_program(c->argv[0], c->env);
    if (!path) {
        set_err(err, "cannot run '%s': not found or not executable", c->argv[0]);
        return -1;
    }
    int out[2] = {-1, -1}, er[2] = {-1, -1}, rep[2] = {-1, -1};
    int devnull = fd_high(open("/dev/null", O_RDONLY | O_CLOEXEC));
    int rc = -1;
    char **envp = build_envp(c);
    if (devnull < 0 || pipe_high(out) < 0 || pipe_high(er) < 0 || pipe_high(rep) < 0) {
        set_err(err, "cannot run '%s': %s", c->argv[0], strerror(errno));
        goto done;
    }
    r->pid = fork();
    if (r->pid < 0) {
        set_err(err, "cannot run '%s': fork: %s", c->argv[0], strerror(errno));
        goto done;
    }
    if (r->pid == 0)
        child_exec(path, c->argv, envp, c->cwd, devnull, out[1], er[1], rep[1]);
    setpgid(r->pid, r->pid);          /* also done in the child; whoever is first */
    r->out = out[0], r->err = er[0], r->report = rep[0];
    out[0] = er[0] = rep[0] = -1;
    rc = 0;
done:
    close_fd(&out[0]), close_fd(&out[1]), close_fd(&er[0]), close_fd(&er[1]);
    close_fd(&rep[0]), close_fd(&rep[1]), close_fd(&devnull);
    free(envp);
    free(path);
    return rc;
}

/* The kept stderr as one line, at most ~300 bytes from its end. */
static char *stderr_line(const Run *r)
{
    char *s = http_sanitize(r->tail, r->tail_len, STDERR_KEEP * 2);
    size_t len = strlen(s);
    if (len <= 300)
        return s;
    const char *p = s + len - 300;
    while ((*p & 0xC0) == 0x80)
        p++;
    char *out = xasprintf("...%s", p);
    free(s);
    return out;
}

static int exit_error(const Run *r, const CommandCfg *c, char **err)
{
    if (r->exec_errno) {
        set_err(err, "cannot run '%s': %s", c->argv[0], strerror(r->exec_errno));
        return -1;
    }
    if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
        return 0;
    char *tail = stderr_line(r);
    char what[64];
    if (WIFSIGNALED(r->status))
        snprintf(what, sizeof what, "killed by signal %d (%s)", WTERMSIG(r->status),
                 strsignal(WTERMSIG(r->status)));
    else
        snprintf(what, sizeof what, "exit %d", WEXITSTATUS(r->status));
    if (*tail)
        set_err(err, "%s: %s", what, tail);
    else
        set_err(err, "%s (nothing on stderr)", what);
    free(tail);
    return -1;
}

/* Maps stdout into rows and commits them. */
static int map_output(Run *r, const CommandCfg *c, FetchCtx *ctx)
{
    char *name = xasprintf("'%s'", c->shell ? "sh -c" : c->argv[0]);
    Buf *b = &r->stdout_buf;
    cJSON *doc = http_parse_json(b->s ? b->s : "", b->len, name, &ctx->err);
    if (!doc) {
        if (ctx->err && !strncmp(ctx->err, "empty response", 14))
            set_err(&ctx->err, "no output from %s", name);
        free(name);
        return -1;
    }
    if (c->outputs) {
        Rows **sets = NULL;
        int *modes = NULL, n = 0;   /* outputs_apply frees them itself on failure */
        char *oerr = NULL;
        int orc = outputs_apply(c->outputs, doc, ctx->config ? ctx->config->prices : NULL, ctx->now_ms, &sets,
                                &modes, &n, &oerr);
        if (orc < 0)
            set_err(&ctx->err, "output of %s: %s", name, oerr);
        else
            orc = fetch_commit_modes(ctx, sets, modes, n, CACHE_REPLACE);
        for (int i = 0; i < n; i++)
            rows_free(sets[i]);
        free(sets);
        free(modes);
        free(oerr);
        free(name);
        cJSON_Delete(doc);
        return orc;
    }
    Rows *rows = rows_new(c->map.ds);
    char *merr = NULL;
    int rc = mapping_apply(&c->map, doc, rows, &merr);
    if (rc < 0)
        set_err(&ctx->err, "output of %s: %s", name, merr);
    else
        rc = fetch_commit(ctx, &rows, 1, CACHE_REPLACE);
    free(merr);
    free(name);
    rows_free(rows);
    cJSON_Delete(doc);
    return rc;
}

static int command_fetch(void *self, FetchCtx *ctx)
{
    const CommandCfg *c = ctx->src->kcfg;
    int64_t start = mono_ms();
    int64_t deadline = ctx->deadline_ms ? ctx->deadline_ms
                                        : start + (ctx->src->timeout_ms > 0 ? ctx->src->timeout_ms : 20000);
    Run r = {.out = -1, .err = -1, .report = -1};
    if (spawn(&r, c, &ctx->err) < 0)
        return -1;
    EndReason end = pump(&r, c, ctx->cancel, deadline);
    if (end == END_OK)
        end = wait_leader(&r, ctx->cancel, deadline);
    if (end != END_OK)
        kill_group(&r);
    close_fd(&r.out), close_fd(&r.err), close_fd(&r.report);
    int rc = -1;
    char secs[32];
    switch (end) {
    case END_TIMEOUT:
        http_format_secs(deadline - start, secs, sizeof secs);
        set_err(&ctx->err, "timed out after %s", secs);
        break;
    case END_CANCEL:
        set_err(&ctx->err, "cancelled");
        break;
    case END_TOO_BIG:
        set_err(&ctx->err, "output larger than %lld bytes", (long long)c->max_bytes);
        break;
    case END_OK:
    case END_ORPHANS:
        rc = exit_error(&r, c, &ctx->err);
        if (rc == 0)
            rc = map_output(&r, c, ctx);
        break;
    }
    buf_free(&r.stdout_buf);
    return rc;
}

const SourceClass src_command_class = {
    .kind = "command",
    .summary = "rows from the JSON a command prints (timeout, kill on overrun)",
    .datasets = 0,                 /* what `feeds:` says, or the keys of `outputs:` */
    .datasets_map = "outputs",
    .configure = command_configure,
    .free_config = command_free,
    .fetch = command_fetch,
};

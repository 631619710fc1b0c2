/* test_atomic.c — the one atomic file replace (file_write_atomic) against a
 * hostile directory: symlinks planted at every temp name the old code used
 * and at the target itself, a FIFO or a directory where the file should be,
 * and the original's owner and mode kept; and file_read_all refusing a FIFO
 * at once instead of blocking (alarm() turns a hang into a failure). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "thelp.h"
#include "../src/util.h"

static int count_all(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static void put(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK_INT(write(fd, text, strlen(text)), (long long)strlen(text));
    CHECK_INT(fchmod(fd, mode), 0);
    close(fd);
}

/* The file's whole text (static buffer). */
static const char *slurp(const char *path)
{
    static char buf[256];
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode : 0;
}

static void fresh_dir(char *dir, size_t n, const char *leaf)
{
    snprintf(dir, n, "%s/%s", t_tmpdir(), leaf);
    CHECK_INT(mkdir_p(dir, 0700), 0);
}

/* Symlinks at every name the old code would use (path.mc-tmp-PID for this
 * and the next pids) and at likely hidden names: nothing is written through
 * them and the victim keeps its text and mode. */
static void test_planted_temp_links(void)
{
    char dir[512], path[600], victim[600], link[700];
    fresh_dir(dir, sizeof dir, "plant");
    snprintf(path, sizeof path, "%s/notes.md", dir);
    snprintf(victim, sizeof victim, "%s/victim", t_tmpdir());
    put(path, "- [ ] one\n", 0640);
    put(victim, "do not touch\n", 0600);
    pid_t me = getpid();
    for (int i = -2; i < 64; i++) {
        snprintf(link, sizeof link, "%s.mc-tmp-%ld", path, (long)me + i);
        CHECK_INT(symlink(victim, link), 0);
    }
    snprintf(link, sizeof link, "%s/.notes.md.mc-tmp", dir);
    CHECK_INT(symlink(victim, link), 0);
    int before = count_all(dir);
    char *err = NULL;
    CHECK_INT(file_write_atomic(path, "- [x] one\n", 10, 0644, &err), 0);
    CHECK_STR(slurp(victim), "do not touch\n");
    CHECK_INT(mode_of(victim) & 07777, 0600);
    CHECK_STR(slurp(path), "- [x] one\n");
    CHECK(S_ISREG(mode_of(path)));
    CHECK_INT(mode_of(path) & 07777, 0640);
    snprintf(link, sizeof link, "%s.mc-tmp-%ld", path, (long)me);
    CHECK(S_ISLNK(mode_of(link)));                 /* the planted links are left alone */
    CHECK_INT(count_all(dir), before);             /* and no temp file is left */
    free(err);
}

/* The target itself a symlink, a FIFO or a directory: refused, unchanged. */
static void test_target_not_regular(void)
{
    char dir[512], path[600], victim[600];
    fresh_dir(dir, sizeof dir, "notreg");
    snprintf(victim, sizeof victim, "%s/victim2", t_tmpdir());
    put(victim, "victim\n", 0600);
    char *err = NULL;

    snprintf(path, sizeof path, "%s/link.md", dir);
    CHECK_INT(symlink(victim, path), 0);
    CHECK_INT(file_write_atomic(path, "x\n", 2, 0644, &err), -1);
    CHECK_CONTAINS(err, "symbolic link");
    CHECK(S_ISLNK(mode_of(path)));
    CHECK_STR(slurp(victim), "victim\n");
    CHECK_INT(mode_of(victim) & 07777, 0600);

    snprintf(path, sizeof path, "%s/fifo.md", dir);
    CHECK_INT(mkfifo(path, 0600), 0);
    CHECK_INT(file_write_atomic(path, "x\n", 2, 0644, &err), -1);
    CHECK_CONTAINS(err, "not a regular file");
    CHECK(S_ISFIFO(mode_of(path)));

    snprintf(path, sizeof path, "%s/sub", dir);
    CHECK_INT(mkdir(path, 0700), 0);
    CHECK_INT(file_write_atomic(path, "x\n", 2, 0644, &err), -1);
    CHECK_CONTAINS(err, "not a regular file");
    CHECK(S_ISDIR(mode_of(path)));
    CHECK_INT(count_all(dir), 3);                  /* no temp file left behind */
    free(err);
}

/* The replacement has the original's owner, group and mode (as root, a file
 * owned by someone else stays theirs); a new file gets `mode` exactly. */
static void test_owner_and_mode(void)
{
    char dir[512], path[600];
    fresh_dir(dir, sizeof dir, "owner");
    snprintf(path, sizeof path, "%s/fresh.md", dir);
    char *err = NULL;
    mode_t old = umask(022);
    CHECK_INT(file_write_atomic(path, "a\n", 2, 0660, &err), 0);
    umask(old);
    CHECK_INT(mode_of(path) & 07777, 0660);
    snprintf(path, sizeof path, "%s/theirs.md", dir);
    put(path, "a\n", 0604);
    if (geteuid() != 0) {
        printf("SKIP test_owner_and_mode: owner part needs root\n");
        free(err);
        return;
    }
    CHECK_INT(chown(path, 4242, 4343), 0);
    CHECK_INT(chmod(path, 0604), 0);
    CHECK_INT(file_write_atomic(path, "b\n", 2, 0644, &err), 0);
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_uid, 4242);
    CHECK_INT(st.st_gid, 4343);
    CHECK_INT(st.st_mode & 07777, 0604);
    CHECK_STR(slurp(path), "b\n");
    free(err);
}

/* A FIFO (no writer) is refused at once, not read forever. */
static void test_read_fifo(void)
{
    char dir[512], path[600];
    fresh_dir(dir, sizeof dir, "readfifo");
    snprintf(path, sizeof path, "%s/data.json", dir);
    CHECK_INT(mkfifo(path, 0600), 0);
    char *out = NULL, *err = NULL;
    size_t len = 0;
    alarm(10);                                      /* a hang fails the test */
    CHECK_INT(file_read_all(path, 1000, &out, &len, &err), -1);
    alarm(0);
    CHECK_CONTAINS(err, "not a regular file");
    free(out);
    out = NULL;
    /* a read past the source's deadline gives up between chunks */
    snprintf(path, sizeof path, "%s/big.json", dir);
    put(path, "[1, 2, 3]\n", 0600);
    CHECK_INT(file_read_until(path, 1000, mono_ms() - 1, &out, &len, &err), -1);
    CHECK_CONTAINS(err, "timeout");
    CHECK_INT(file_read_until(path, 1000, mono_ms() + 60000, &out, &len, &err), 0);
    CHECK_INT(len, 10);
    free(out);
    free(err);
}

int main(void)
{
    RUN(test_planted_temp_links);
    RUN(test_target_not_regular);
    RUN(test_owner_and_mode);
    RUN(test_read_fifo);
    return t_done();
}

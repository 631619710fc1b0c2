/* test_secret.c — the one secret reader (src/net/secret.h): one line only
 * (a trailing line ending is dropped, a line break inside is an error, from
 * a file or the environment alike), empty values, FIFOs refused, a readable
 * secret file warned about once, and every value read is scrubbed. */
#include "thelp.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../src/net/scrub.h"
#include "../src/net/secret.h"

static void test_files(void)
{
    char *err = NULL;
    const char *p = t_write("token", "s3cr3t-value  \n");
    chmod(p, 0600);
    char *s = secret_read_file(p, &err);
    CHECK_STR(s, "s3cr3t-value");
    secret_free(s);
    p = t_write("crlf", "crlf-value-1\r\n");
    chmod(p, 0600);
    s = secret_read(NULL, p, 0, &err);
    CHECK_STR(s, "crlf-value-1");
    secret_free(s);
    p = t_write("two", "first-line\nsecond line\n");
    chmod(p, 0600);
    CHECK(secret_read_file(p, &err) == NULL);
    CHECK_CONTAINS(err, "has more than one line");
    CHECK(!strstr(err, "first-line"));
    p = t_write("empty", "\n");
    chmod(p, 0600);
    CHECK(secret_read_file(p, &err) == NULL);
    CHECK_CONTAINS(err, "is empty");
    s = secret_read(NULL, p, 1, &err);
    CHECK_STR(s, "");
    secret_free(s);
    CHECK(secret_read_file("/nonexistent/mc/token", &err) == NULL);
    CHECK_CONTAINS(err, "cannot read secret file /nonexistent/mc/token");
    char fifo[600];
    snprintf(fifo, sizeof fifo, "%s/fifo", t_tmpdir());
    CHECK_INT(mkfifo(fifo, 0600), 0);
    CHECK(secret_read_file(fifo, &err) == NULL);         /* returns at once */
    CHECK_CONTAINS(err, "not a regular file");
    free(err);
}

static void test_environment(void)
{
    char *err = NULL;
    setenv("MC_T_SECRET_OK", "env-secret-1\n", 1);
    setenv("MC_T_SECRET_TWO", "line1\nline2", 1);
    setenv("MC_T_SECRET_EMPTY", "", 1);
    unsetenv("MC_T_SECRET_UNSET");
    char *s = secret_read("MC_T_SECRET_OK", "/ignored", 0, &err);
    CHECK_STR(s, "env-secret-1");
    secret_free(s);
    CHECK(secret_read("MC_T_SECRET_TWO", NULL, 0, &err) == NULL);
    CHECK_STR(err, "environment variable MC_T_SECRET_TWO contains a line break");
    CHECK(secret_read("MC_T_SECRET_EMPTY", NULL, 0, &err) == NULL);
    CHECK_STR(err, "environment variable MC_T_SECRET_EMPTY is not set");
    CHECK(secret_read("MC_T_SECRET_UNSET", NULL, 1, &err) == NULL);
    CHECK_STR(err, "environment variable MC_T_SECRET_UNSET is not set");
    s = secret_read(NULL, NULL, 1, &err);
    CHECK_STR(s, "");
    secret_free(s);
    free(err);
}

static void test_scrubbed(void)
{
    char *err = NULL;
    const char *p = t_write("scrubme", "file-secret-42\n");
    chmod(p, 0600);
    secret_free(secret_read_file(p, &err));
    setenv("MC_T_PLAIN_NAME", "env-secret-43", 1);
    secret_free(secret_read("MC_T_PLAIN_NAME", NULL, 0, &err));
    char *msg = scrub_text("echo file-secret-42 env-secret-43");
    CHECK_STR(msg, "echo *** ***");
    free(msg);
    free(err);
}

static void test_mode_warning(void)
{
    char *err = NULL;
    char *before = secret_warnings();
    CHECK(before == NULL || !strstr(before, "open-file"));
    free(before);
    const char *p = t_write("open-file", "world-readable-1\n");
    chmod(p, 0644);
    char *s = secret_read_file(p, &err);
    CHECK_STR(s, "world-readable-1");                  /* a warning, not a failure */
    secret_free(s);
    secret_free(secret_read_file(p, &err));
    char *w = secret_warnings();
    CHECK_CONTAINS(w, "open-file is readable or writable by group/others (mode 0644)");
    CHECK_CONTAINS(w, "chmod 600");
    const char *first = w ? strstr(w, "open-file is") : NULL;
    CHECK(first && !strstr(first + 1, "open-file is"));        /* warned once */
    CHECK(w && !strstr(w, "world-readable-1"));
    free(w);
    free(err);
}

int main(void)
{
    RUN(test_files);
    RUN(test_environment);
    RUN(test_scrubbed);
    RUN(test_mode_warning);
    return t_done();
}

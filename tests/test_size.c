/* test_size.c — the one size parser (src/net/size.h): one meaning for every
 * kind (K, M, G count 1024s; kB, MB, GB 1000s), and the config errors. */
#include "thelp.h"

#include <stdlib.h>
#include "../src/config.h"
#include "../src/net/size.h"

static int64_t size_of(const char *s)
{
    int64_t v = -42;
    return size_parse(s, &v) == 0 ? v : -1;
}

static void test_units(void)
{
    CHECK_INT(size_of("1000"), 1000);
    CHECK_INT(size_of("0"), 0);
    CHECK_INT(size_of("12B"), 12);
    CHECK_INT(size_of("2M"), 2097152);
    CHECK_INT(size_of("2m"), 2097152);
    CHECK_INT(size_of("2MiB"), 2097152);
    CHECK_INT(size_of("2 MiB"), 2097152);
    CHECK_INT(size_of("2MB"), 2000000);
    CHECK_INT(size_of("512k"), 524288);
    CHECK_INT(size_of("512KiB"), 524288);
    CHECK_INT(size_of("4kB"), 4000);
    CHECK_INT(size_of("1G"), 1073741824);
    CHECK_INT(size_of("1GB"), 1000000000);
    CHECK_INT(size_of("1.5KiB"), 1536);
    CHECK_INT(size_of("0.5M"), 524288);
    CHECK_INT(size_of("lots"), -1);
    CHECK_INT(size_of(""), -1);
    CHECK_INT(size_of("-1"), -1);
    CHECK_INT(size_of("1e3"), -1);
    CHECK_INT(size_of("0x10"), -1);
    CHECK_INT(size_of("inf"), -1);
    CHECK_INT(size_of("10 parsecs"), -1);
    CHECK_INT(size_of("1."), -1);
    CHECK_INT(size_of("99999999999999999999"), -1);
    CHECK_INT(size_of("99999999999G"), -1);
    CHECK_INT(size_of(NULL), -1);
}

/* http_json and json_file read `2M` the same way now. */
static void test_same_meaning_in_every_kind(void)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK(config_load_text("t.yaml",
                           "sources:\n"
                           "  - id: a\n    kind: json_file\n    path: /x\n    feeds: projects\n"
                           "    max_bytes: 2M\n"
                           "  - id: b\n    kind: http_json\n    url: http://127.0.0.1/\n"
                           "    feeds: projects\n    max_bytes: 2M\n",
                           &c, &err) == 0);
    free(err);
    config_free(c);
    err = t_config_error("  - id: b\n    kind: http_json\n    url: http://x/\n    feeds: projects\n"
                         "    max_bytes: 2X\n");
    CHECK_CONTAINS(err, "t.yaml:6:16: max_bytes: expected a size like 16MiB");
    free(err);
    err = t_config_error("  - id: b\n    kind: json_file\n    path: /x\n    max_bytes: 1GiB\n");
    CHECK_CONTAINS(err, "max_bytes: 1GiB is out of range (2 to 268435456 bytes)");
    free(err);
}

int main(void)
{
    RUN(test_units);
    RUN(test_same_meaning_in_every_kind);
    return t_done();
}

/* test_archive.c — the hand-written gzip of retention's archive: CRC-32
 * check value, members of stored blocks read back (empty, one block, many
 * blocks past 65,535 bytes, several members), a member cut short at the end
 * skipped by the reader and cut off by archive_valid_length, a flipped data
 * byte refused by the CRC, and a file that is not ours refused. */
#include "thelp.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "../src/archive.h"
#include "../src/util.h"

static void test_crc(void)
{
    CHECK_INT(archive_crc32(0, "123456789", 9), 0xCBF43926u);
    CHECK_INT(archive_crc32(0, "", 0), 0);
    uint32_t c = archive_crc32(0, "1234", 4);
    CHECK_INT(archive_crc32(c, "56789", 5), 0xCBF43926u);
}

static char *write_file(const char *name, const Buf *b)
{
    char *p = xasprintf("%s/%s", t_tmpdir(), name);
    CHECK_INT(file_write_atomic(p, b->s ? b->s : "", b->len, 0600, NULL), 0);
    return p;
}

static void test_roundtrip(void)
{
    size_t big = 200000;
    char *data = xmalloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    Buf b = {0};
    archive_gzip_member(&b, "", 0);
    archive_gzip_member(&b, "one\n", 4);
    archive_gzip_member(&b, data, big);
    size_t whole = b.len;
    char *p = write_file("a.ndjson.gz", &b);
    char *out = NULL, *err = NULL;
    size_t len = 0;
    CHECK_INT(archive_read(p, &out, &len, &err), 0);
    CHECK_INT(len, 4 + big);
    CHECK(out && memcmp(out, "one\n", 4) == 0 && memcmp(out + 4, data, big) == 0);
    free(out);
    int fd = open(p, O_RDONLY);
    CHECK_INT(archive_valid_length(fd, &err), (long long)whole);
    close(fd);
    free(p);

    /* a member cut short at the end: skipped by the reader, cut off by the walk */
    Buf torn = {0};
    archive_gzip_member(&torn, "one\n", 4);
    size_t good = torn.len;
    archive_gzip_member(&torn, data, 1000);
    torn.len -= 300;
    p = write_file("torn.ndjson.gz", &torn);
    CHECK_INT(archive_read(p, &out, &len, &err), 0);
    CHECK_INT(len, 4);
    free(out);
    fd = open(p, O_RDONLY);
    CHECK_INT(archive_valid_length(fd, &err), (long long)good);
    close(fd);
    free(p);

    /* a flipped data byte inside a whole member: the CRC refuses it */
    b.s[40] ^= 1;
    p = write_file("flip.ndjson.gz", &b);
    CHECK_INT(archive_read(p, &out, &len, &err), -1);
    CHECK_CONTAINS(err, "damaged");
    free(p);

    /* not gzip at all */
    Buf text = {0};
    buf_puts(&text, "{\"not\": \"gzip\"}\n");
    p = write_file("plain.ndjson.gz", &text);
    CHECK_INT(archive_read(p, &out, &len, &err), -1);
    fd = open(p, O_RDONLY);
    CHECK_INT(archive_valid_length(fd, &err), -1);
    close(fd);
    free(p);
    free(err);
    buf_free(&b);
    buf_free(&torn);
    buf_free(&text);
    free(data);
}

int main(void)
{
    RUN(test_crc);
    RUN(test_roundtrip);
    return t_done();
}

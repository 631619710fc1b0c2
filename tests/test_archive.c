/* test_archive.c — the hand-written gzip of retention's archive: CRC-32
 * check value, compressed members read back (empty, short, 200 KB, several
 * members), a member of stored blocks as older builds wrote still read, a
 * member cut short at the end skipped by the reader and cut off by
 * archive_valid_length, a flipped data byte refused, damage before the end
 * refused by archive_valid_length (never cut off), and a file that is not
 * ours refused. */
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
    torn.len = good + (torn.len - good) / 2;
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

    /* damage in a member before the last: never cut off, not appended to */
    Buf mid = {0};
    archive_gzip_member(&mid, "{\"a\": 1}\n", 9);
    size_t first = mid.len;
    archive_gzip_member(&mid, "{\"b\": 2}\n", 9);
    mid.s[first - 1] ^= 0x40;            /* the first member's ISIZE */
    p = write_file("mid.ndjson.gz", &mid);
    fd = open(p, O_RDONLY);
    CHECK_INT(archive_valid_length(fd, &err), -1);
    CHECK_CONTAINS(err, "damaged");
    close(fd);
    free(p);
    buf_free(&mid);

    /* a member of stored blocks, as builds before the compressor wrote */
    static const unsigned char stored[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 4, 0, 0xfb, 0xff,
                                           'o', 'n', 'e', '\n', 0x9f, 0xa8, 0x17, 0xf8, 4, 0, 0, 0};
    Buf old = {0};
    buf_append(&old, stored, sizeof stored);
    archive_gzip_member(&old, "two\n", 4);
    p = write_file("old.ndjson.gz", &old);
    CHECK_INT(archive_read(p, &out, &len, &err), 0);
    CHECK_INT(len, 8);
    CHECK(out && memcmp(out, "one\ntwo\n", 8) == 0);
    free(out);
    free(p);
    buf_free(&old);

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

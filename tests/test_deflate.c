/* test_deflate.c — the hand-written deflate (src/deflate.c, src/inflate.c):
 * round trips over empty, one byte, repeated, random and 1 MB of
 * NDJSON-like text (which must shrink at least 2x); streams zlib made
 * (tests/fixtures/deflate: a gzip member of dynamic-Huffman blocks, a
 * fixed-Huffman stream, a stored one) decoded; the bytes a stream took
 * reported; cut-short and invalid input refused; keep 0 counts all bytes.
 * The fixtures were made with Python's zlib from 300 NDJSON rows:
 * gzip.compress(data, 9, mtime=0); compressobj(6, DEFLATED, -15, 9,
 * Z_FIXED) for the fixed stream; compressobj(0, ...) of data[:200]. */
#include "thelp.h"

#include <stdlib.h>
#include "../src/archive.h"
#include "../src/deflate.h"
#include "../src/util.h"

static char fixture_dir[512];

/* Compresses data, inflates it back and compares; returns the compressed size. */
static size_t roundtrip(const void *data, size_t n)
{
    Buf z = {0}, back = {0};
    deflate_compress(&z, data, n);
    buf_puts(&z, "TAIL");                    /* bytes after the stream: not taken */
    size_t used = 0;
    uint64_t total = 0;
    CHECK_INT(deflate_inflate((const uint8_t *)z.s, z.len, &back, 1, &used, &total), 0);
    CHECK_INT(used, z.len - 4);
    CHECK_INT(back.len, n);
    CHECK_INT(total, n);
    CHECK(n == 0 || (back.s && memcmp(back.s, data, n) == 0));
    /* the same stream walked with keep 0 */
    Buf walk = {0};
    CHECK_INT(deflate_inflate((const uint8_t *)z.s, z.len, &walk, 0, &used, &total), 0);
    CHECK_INT(total, n);
    CHECK(walk.len <= (1u << 20) + 1);
    /* every cut-short prefix is refused as cut short */
    for (size_t cut = 0; cut + 4 < z.len; cut += 1 + cut / 7) {
        Buf part = {0};
        CHECK_INT(deflate_inflate((const uint8_t *)z.s, cut, &part, 1, &used, &total), -2);
        buf_free(&part);
    }
    size_t size = z.len - 4;
    buf_free(&z);
    buf_free(&back);
    buf_free(&walk);
    return size;
}

static void test_small(void)
{
    roundtrip("", 0);
    roundtrip("x", 1);
    roundtrip("abcabcabcabcabcabc", 18);
    char rep[100000];
    memset(rep, 'z', sizeof rep);
    CHECK(roundtrip(rep, sizeof rep) < 1000);
}

static void test_random(void)
{
    size_t n = 300000;
    uint8_t *data = xmalloc(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 16);
    }
    roundtrip(data, n);
    roundtrip(data, 70000);        /* nothing to match: literals only */
    free(data);
}

/* About 1 MB of rows like the activity dataset's. */
static void test_ndjson(void)
{
    static const char *kinds[] = {"deploy", "alert", "resolve", "comment"};
    Buf rows = {0};
    uint32_t x = 7;
    for (int i = 0; rows.len < (1u << 20); i++) {
        x = x * 1103515245u + 12345u;
        buf_printf(&rows, "{\"id\": \"act-%06d\", \"at\": \"2026-11-%02dT%02d:%02d:%02d.%03uZ\", \"kind\": \"%s\", "
                   "\"agent\": \"agent-%u\", \"text\": \"%s of service-%u by agent-%u\", \"value\": %u}\n",
                   i, 1 + i / 5000, (i / 200) % 24, (i / 4) % 60, i % 60, (x >> 8) % 1000, kinds[(x >> 4) % 4],
                   (x >> 12) % 40, kinds[(x >> 6) % 4], (x >> 14) % 25, (x >> 20) % 40, (x >> 9) % 100000);
    }
    size_t z = roundtrip(rows.s, rows.len);
    fprintf(stderr, "ndjson: %zu -> %zu bytes (%.2fx)\n", rows.len, z, (double)rows.len / (double)z);
    CHECK(z * 2 <= rows.len);
    buf_free(&rows);
}

static char *fixture(const char *name, size_t *len)
{
    char path[600], *data = NULL, *err = NULL;
    snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
    CHECK_INT(file_read_all(path, 1 << 20, &data, len, &err), 0);
    free(err);
    return data;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* What zlib wrote: the same text through dynamic, fixed and stored blocks. */
static void test_zlib_fixtures(void)
{
    size_t glen = 0, flen = 0, slen = 0, used = 0;
    uint64_t total = 0;
    uint8_t *gz = (uint8_t *)fixture("rows.ndjson.gz", &glen);
    uint8_t *fx = (uint8_t *)fixture("rows.fixed.deflate", &flen);
    uint8_t *st = (uint8_t *)fixture("short.stored.deflate", &slen);
    if (!gz || !fx || !st || glen < 18) {
        CHECK(0);
        return;
    }
    CHECK_INT((gz[10] >> 1) & 3, 2);                /* the first block is dynamic */
    Buf a = {0}, b = {0}, c = {0};
    CHECK_INT(deflate_inflate(gz + 10, glen - 10, &a, 1, &used, &total), 0);
    CHECK_INT(used, glen - 18);
    CHECK_INT(le32(gz + glen - 4), a.len);
    CHECK_INT(le32(gz + glen - 8), archive_crc32(0, a.s, a.len));
    CHECK_CONTAINS(a.s, "{\"id\": \"evt-00299\"");
    CHECK_INT(deflate_inflate(fx, flen, &b, 1, &used, &total), 0);
    CHECK_INT(used, flen);
    CHECK(b.len == a.len && memcmp(a.s, b.s, a.len) == 0);
    CHECK_INT(deflate_inflate(st, slen, &c, 1, &used, &total), 0);
    CHECK(c.len == 200 && memcmp(a.s, c.s, 200) == 0);
    /* the dynamic stream cut short, and with a flipped bit in its header */
    Buf d = {0};
    CHECK_INT(deflate_inflate(gz + 10, 40, &d, 1, &used, &total), -2);
    gz[10] |= 6;                                    /* BTYPE 11: reserved */
    d.len = 0;
    CHECK_INT(deflate_inflate(gz + 10, glen - 10, &d, 1, &used, &total), -1);
    buf_free(&a);
    buf_free(&b);
    buf_free(&c);
    buf_free(&d);
    free(gz);
    free(fx);
    free(st);
}

int main(void)
{
    const char *tests = getenv("MC_TESTS_DIR");
    snprintf(fixture_dir, sizeof fixture_dir, "%s/fixtures/deflate", tests ? tests : "tests");
    RUN(test_small);
    RUN(test_random);
    RUN(test_ndjson);
    RUN(test_zlib_fixtures);
    return t_done();
}

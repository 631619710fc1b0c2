/* test_sha256.c — SHA-256 against the FIPS 180-2/180-4 example vectors
 * (empty, "abc", the 448- and 896-bit messages, one million 'a'), digests
 * independent of how the input is split across updates, and sha256_file
 * equal to `sha256sum` of the same bytes. */
#include "thelp.h"

#include <stdlib.h>
#include <unistd.h>
#include "../src/sha256.h"
#include "../src/util.h"

static void hex_of(const void *data, size_t n, char out[65])
{
    Sha256 s;
    uint8_t d[32];
    sha256_init(&s);
    sha256_update(&s, data, n);
    sha256_final(&s, d);
    sha256_hex(d, out);
}

static void test_vectors(void)
{
    char h[65];
    hex_of("", 0, h);
    CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, h);
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), h);
    CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                       "klmnopqrlmnopqrsmnopqrstnopqrstu";
    hex_of(m896, strlen(m896), h);
    CHECK_STR(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    hex_of(a, 1000000, h);
    CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* Lengths around the padding boundary (55, 56, 63, 64, 65) split every way. */
static void test_splits(void)
{
    uint8_t data[200];
    for (int i = 0; i < 200; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    const size_t lens[] = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200};
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t n = lens[li];
        char whole[65];
        hex_of(data, n, whole);
        for (size_t cut = 0; cut <= n; cut += 1 + n / 17) {
            Sha256 s;
            uint8_t d[32];
            char h[65];
            sha256_init(&s);
            sha256_update(&s, data, cut);
            sha256_update(&s, data + cut, n - cut);
            sha256_final(&s, d);
            sha256_hex(d, h);
            CHECK_STR(h, whole);
        }
    }
}

static void test_file(void)
{
    char dir[] = "/tmp/mc-sha-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/f", dir);
    CHECK_INT(file_write_atomic(path, "abc", 3, 0600, NULL), 0);
    char h[65];
    char *err = NULL;
    CHECK_INT(sha256_file(path, h, &err), 0);
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    CHECK_INT(sha256_file(path, h, &err), -1);
    CHECK(err != NULL);
    free(err);
    free(path);
    rmdir(dir);
}

int main(void)
{
    RUN(test_vectors);
    RUN(test_splits);
    RUN(test_file);
    return t_done();
}

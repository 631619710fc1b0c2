/* sha256.h — SHA-256 (FIPS 180-4), for the checksums `mc backup` writes
 * beside each backup (`sha256sum -c` format) and `mc restore` verifies.
 * Small and dependency-free; not constant-time (checksums, not secrets). */
#ifndef MC_SHA256_H
#define MC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct Sha256 {
    uint32_t h[8];
    uint64_t len;          /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;           /* bytes waiting in block */
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t n);
void sha256_final(Sha256 *s, uint8_t out[32]);
/* The digest as 64 lowercase hex digits + NUL. */
void sha256_hex(const uint8_t digest[32], char out[65]);
/* Hashes a whole file into hex. Returns 0, or -1 with *err. */
int sha256_file(const char *path, char out[65], char **err);

#endif

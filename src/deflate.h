/* deflate.h — a small hand-written DEFLATE (RFC 1951) for retention's gzip
 * archives (zlib is not a dependency). The compressor finds repeats with
 * LZ77 over a 32 KiB window (hash chains) and writes one fixed-Huffman
 * block (BTYPE 01); NDJSON rows shrink several times. The inflater reads
 * stored, fixed and dynamic blocks, so it takes any deflate stream: the
 * stored-block archives older builds wrote, gzip's and Python's output. */
#ifndef MC_DEFLATE_H
#define MC_DEFLATE_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

/* RFC 1951's length and distance codes: base value and extra bits of
 * length codes 257..285 and distance codes 0..29 (one table for both ends). */
extern const uint16_t deflate_len_base[29];
extern const uint8_t deflate_len_extra[29];
extern const uint16_t deflate_dist_base[30];
extern const uint8_t deflate_dist_extra[30];

/* Appends to out a raw deflate stream (one final fixed-Huffman block) of data. */
void deflate_compress(Buf *out, const void *data, size_t n);

/* Decodes the raw deflate stream at in (n bytes available), appending the
 * data to out. *used gets the bytes of in the stream took (to its last
 * block's end, rounded up to a byte). 0; -2 when the input ends inside the
 * stream (cut short); -1 when it is invalid (out then holds a partial
 * result the caller drops).
 * With keep 0, out keeps only the last 32 KiB (enough to go on decoding)
 * and *total counts all the bytes decoded: for walking large streams. */
int deflate_inflate(const uint8_t *in, size_t n, Buf *out, int keep, size_t *used, uint64_t *total);

#endif

/* archive.h — retention with `archive: DIR`: rows past a dataset's `rows` or
 * `age` are first appended to DIR/DATASET-YYYY-MM.ndjson.gz (one NDJSON
 * object per row, the fields of `mc snapshot --json`, the month from the
 * row's time field) and only then deleted. gzip is written by hand (zlib is
 * not a dependency): each append is one gzip member compressed by deflate.c
 * (LZ77, fixed Huffman) with its CRC-32, which gzip, zcat and Python read; it is
 * fsynced before the rows it holds are deleted, in chunks whose delete
 * transactions stay short. A member cut short by a crash is cut off the
 * file's end before the next append, so a kill -9 loses no row: each is
 * archived, still in the cache, or (between the two) both. */
#ifndef MC_ARCHIVE_H
#define MC_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include "cache.h"
#include "util.h"

/* CRC-32 (IEEE 802.3, as gzip), continued from crc (0 to start). */
uint32_t archive_crc32(uint32_t crc, const void *data, size_t n);
/* Appends to out one gzip member holding data (compressed, fixed Huffman). */
void archive_gzip_member(Buf *out, const void *data, size_t n);
/* The length of the file's prefix made of whole gzip members without
 * header options (what archive_gzip_member writes now, or stored blocks as
 * older builds wrote); -1 with *err when the file is not such a file at all
 * (another gzip, not gzip). */
int64_t archive_valid_length(int fd, char **err);
/* Reads a file archive_gzip_member wrote back into *out (NUL-terminated,
 * caller frees; a cut-short last member is ignored). 0 or -1 with *err. */
int archive_read(const char *path, char **out, size_t *len, char **err);

/* Archives then deletes the rows of ds past r (r->archive_dir set). Returns
 * the number of rows archived, or -1 with *err (rows not yet archived stay). */
int64_t archive_expired(Cache *c, const Dataset *ds, const Retention *r, int64_t now, char **err);

#endif

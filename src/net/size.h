/* size.h — the one byte-size parser, for every `max_bytes`, `max_line`,
 * `tail_bytes` ... of every source kind.
 *
 * A size is a whole or decimal number with an optional unit, case-
 * insensitive, a space allowed between:
 *   (none), B             bytes
 *   K, KiB, M, MiB, G, GiB    powers of 1024  (2M = 2MiB = 2,097,152)
 *   kB, MB, GB            powers of 1000  (2MB = 2,000,000)
 * The result is rounded down to whole bytes. */
#ifndef MC_NET_SIZE_H
#define MC_NET_SIZE_H

#include <stdint.h>

struct YNode;

/* Parses s. Returns 0 with *out, or -1 (bad number or unit, negative,
 * above 2^62). */
int size_parse(const char *s, int64_t *out);
/* The optional size key of a config map (absent: *out kept), between min
 * and max bytes. Returns 0, or -1 with *err at the node:
 * "KEY: expected a size like 16MiB, 512KiB or 4000" or
 * "KEY: VALUE is out of range (MIN to MAX bytes)". */
int size_ynode(const struct YNode *map, const char *key, int64_t min, int64_t max, int64_t *out,
               char **err);

#endif

/* size.c — the one byte-size parser (see size.h). Numbers are read digit by
 * digit (no strtod: "1e3", "inf" and "0x10" are not sizes). */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "size.h"
#include "../util.h"
#include "../ynode.h"

#define SIZE_MAX_BYTES ((int64_t)1 << 62)

int size_parse(const char *s, int64_t *out)
{
    static const struct { const char *suffix; int64_t mult; } units[] = {
        {"", 1}, {"b", 1}, {"k", 1024}, {"kib", 1024}, {"kb", 1000},
        {"m", 1 << 20}, {"mib", 1 << 20}, {"mb", 1000000},
        {"g", 1 << 30}, {"gib", 1 << 30}, {"gb", 1000000000},
    };
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    int64_t whole = 0, frac = 0, scale = 1;
    for (; isdigit((unsigned char)*s); s++) {
        if (whole > SIZE_MAX_BYTES / 10)
            return -1;
        whole = whole * 10 + (*s - '0');
    }
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s))
            return -1;
        for (; isdigit((unsigned char)*s); s++)
            if (scale < 1000000000) {
                frac = frac * 10 + (*s - '0');
                scale *= 10;
            }
    }
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < MC_ARRAY_LEN(units); i++) {
        if (strlen(units[i].suffix) != n || strncasecmp(s, units[i].suffix, n))
            continue;
        int64_t m = units[i].mult;
        if (whole > SIZE_MAX_BYTES / m)
            return -1;
        /* frac / scale * m, in integers (m <= 2^30, frac < 10^9: fits) */
        int64_t part = (int64_t)((__int128)frac * m / scale);
        *out = whole * m + part;
        return *out > SIZE_MAX_BYTES ? -1 : 0;
    }
    return -1;
}

int size_ynode(const YNode *map, const char *key, int64_t min, int64_t max, int64_t *out,
               char **err)
{
    const YNode *n = ynode_get(map, key);
    int64_t v;
    if (!n)
        return 0;
    if (n->type != YN_SCALAR || size_parse(n->scalar, &v) < 0)
        return ynode_error(n, err,
                           "%s: expected a size like 16MiB, 512KiB or 4000 (K, M, G count 1024s;"
                           " kB, MB, GB count 1000s)", key);
    if (v < min || v > max)
        return ynode_error(n, err, "%s: %s is out of range (%lld to %lld bytes)", key, n->scalar,
                           (long long)min, (long long)max);
    *out = v;
    return 0;
}

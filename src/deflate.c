/* deflate.c — the compressor of deflate.h: LZ77 over a 32 KiB window with
 * hash chains and one step of lazy matching, coded as a single final
 * fixed-Huffman block (RFC 1951 3.2.6). No dynamic trees: on NDJSON rows,
 * where most bytes fall in long repeats of field names and values, fixed
 * codes already give most of the gain. The inflater is in inflate.c. */
#include "deflate.h"

#include <stdlib.h>

#define WSIZE 32768u
#define WMASK (WSIZE - 1)
#define HBITS 15
#define MAX_CHAIN 48
#define MIN_MATCH 3
#define MAX_MATCH 258
#define GOOD_ENOUGH 64   /* a match this long is not re-tried one byte later */

const uint16_t deflate_len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const uint8_t deflate_len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
const uint16_t deflate_dist_base[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,    65,    97,    129,
                                       193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
const uint8_t deflate_dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

typedef struct BitWriter {
    Buf *out;
    uint32_t bits;
    int count;
} BitWriter;

/* Appends the low n bits of v, least significant first (the deflate order). */
static void put_bits(BitWriter *w, uint32_t v, int n)
{
    w->bits |= v << w->count;
    w->count += n;
    while (w->count >= 8) {
        buf_putc(w->out, (char)(w->bits & 0xff));
        w->bits >>= 8;
        w->count -= 8;
    }
}

/* Huffman codes go out most significant bit first: reversed here. */
static void put_code(BitWriter *w, uint32_t code, int len)
{
    uint32_t r = 0;
    for (int i = 0; i < len; i++)
        r |= ((code >> i) & 1) << (len - 1 - i);
    put_bits(w, r, len);
}

/* A literal/length symbol in the fixed code (RFC 1951 3.2.6). */
static void put_symbol(BitWriter *w, unsigned sym)
{
    if (sym < 144)
        put_code(w, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(w, 0x190 + sym - 144, 9);
    else if (sym < 280)
        put_code(w, sym - 256, 7);
    else
        put_code(w, 0xc0 + sym - 280, 8);
}

static void put_match(BitWriter *w, unsigned len, unsigned dist)
{
    int i = 28;
    while (deflate_len_base[i] > len)
        i--;
    put_symbol(w, 257 + (unsigned)i);
    put_bits(w, len - deflate_len_base[i], deflate_len_extra[i]);
    int d = 29;
    while (deflate_dist_base[d] > dist)
        d--;
    put_code(w, (uint32_t)d, 5);
    put_bits(w, dist - deflate_dist_base[d], deflate_dist_extra[d]);
}

typedef struct Matcher {
    const uint8_t *data;
    size_t n;
    size_t *head;   /* per hash: newest position + 1, 0 for none */
    size_t *prev;   /* per window slot: the position before it with that hash, + 1 */
} Matcher;

static uint32_t hash3(const uint8_t *p)
{
    uint32_t v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (v * 2654435761u) >> (32 - HBITS);
}

static void insert(Matcher *m, size_t i)
{
    if (m->n - i < MIN_MATCH)
        return;
    uint32_t h = hash3(m->data + i);
    m->prev[i & WMASK] = m->head[h];
    m->head[h] = i + 1;
}

/* The longest earlier match for position i within the window: its length
 * (0 when under MIN_MATCH) and *dist. */
static unsigned longest(const Matcher *m, size_t i, unsigned *dist)
{
    if (m->n - i < MIN_MATCH)
        return 0;
    const uint8_t *d = m->data;
    size_t max = m->n - i < MAX_MATCH ? m->n - i : MAX_MATCH, best = 0;
    size_t cand = m->head[hash3(d + i)];
    for (int chain = MAX_CHAIN; cand && chain > 0; chain--) {
        size_t c = cand - 1;
        if (i - c > WSIZE)
            break;
        if (d[c + best] == d[i + best]) {
            size_t len = 0;
            while (len < max && d[c + len] == d[i + len])
                len++;
            if (len > best) {
                best = len;
                *dist = (unsigned)(i - c);
                if (len == max)
                    break;
            }
        }
        size_t next = m->prev[c & WMASK];
        if (next >= cand)        /* never walk forward: the slot was reused */
            break;
        cand = next;
    }
    return best >= MIN_MATCH ? (unsigned)best : 0;
}

void deflate_compress(Buf *out, const void *data, size_t n)
{
    BitWriter w = {.out = out};
    Matcher m = {.data = data, .n = n};
    m.head = xcalloc((size_t)1 << HBITS, sizeof *m.head);
    m.prev = xcalloc(WSIZE, sizeof *m.prev);
    put_bits(&w, 1, 1);       /* BFINAL */
    put_bits(&w, 1, 2);       /* BTYPE 01: fixed Huffman */
    const uint8_t *d = data;
    size_t i = 0;
    while (i < n) {
        unsigned dist = 0, len = longest(&m, i, &dist);
        insert(&m, i);
        if (len && len < GOOD_ENOUGH) {
            unsigned dist2 = 0, len2 = longest(&m, i + 1, &dist2);
            if (len2 > len) {         /* a longer match one byte later: take that */
                put_symbol(&w, d[i]);
                i++;
                continue;
            }
        }
        if (len) {
            put_match(&w, len, dist);
            for (size_t k = 1; k < len; k++)
                insert(&m, i + k);
            i += len;
        } else {
            put_symbol(&w, d[i]);
            i++;
        }
    }
    put_symbol(&w, 256);
    if (w.count > 0)
        put_bits(&w, 0, 8 - w.count);
    free(m.head);
    free(m.prev);
}

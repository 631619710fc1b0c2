/* inflate.c — the inflater of deflate.h, after Mark Adler's puff: stored,
 * fixed and dynamic blocks, canonical Huffman codes decoded a bit at a
 * time. Archive reads (mc export --archive) and the crash repair that finds
 * where the last whole gzip member of an archive ends both go through it;
 * any input, cut short or corrupt, ends in -1, never in a read past in. */
#include "deflate.h"

#include <string.h>

#define MAXBITS 15
#define TRIM_AT (1u << 20)   /* keep 0: out is cut back to the window past this */
#define WINDOW 32768u

typedef struct Inflate {
    const uint8_t *in;
    size_t n, pos;
    uint32_t bits;
    int count;
    Buf *out;
    size_t start;       /* where this stream's data begins in out */
    int keep;
    int cut_short;      /* the input ended inside the stream */
    uint64_t total;
} Inflate;

typedef struct Huffman {
    short count[MAXBITS + 1];
    short symbol[288];
} Huffman;

/* The next `need` bits (need <= 16), or -1 past the end of the input. */
static int get_bits(Inflate *s, int need)
{
    uint32_t v = s->bits;
    while (s->count < need) {
        if (s->pos >= s->n) {
            s->cut_short = 1;
            return -1;
        }
        v |= (uint32_t)s->in[s->pos++] << s->count;
        s->count += 8;
    }
    s->bits = v >> need;
    s->count -= need;
    return (int)(v & ((1u << need) - 1));
}

static void put_byte(Inflate *s, uint8_t c)
{
    if (!s->keep && s->out->len >= TRIM_AT) {
        memmove(s->out->s, s->out->s + s->out->len - WINDOW, WINDOW);
        s->out->len = WINDOW;
        s->start = 0;
    }
    buf_putc(s->out, (char)c);
    s->total++;
}

/* Builds a canonical code from lengths; -1 when over-subscribed. */
static int build(Huffman *h, const uint8_t *length, int n)
{
    short offs[MAXBITS + 1];
    memset(h->count, 0, sizeof h->count);
    for (int i = 0; i < n; i++)
        h->count[length[i]]++;
    int left = 1;
    for (int len = 1; len <= MAXBITS; len++) {
        left = (left << 1) - h->count[len];
        if (left < 0)
            return -1;
    }
    offs[1] = 0;
    for (int len = 1; len < MAXBITS; len++)
        offs[len + 1] = (short)(offs[len] + h->count[len]);
    for (int i = 0; i < n; i++)
        if (length[i])
            h->symbol[offs[length[i]]++] = (short)i;
    return 0;
}

/* One symbol, or -1 (end of input, or a code the table does not hold). */
static int decode(Inflate *s, const Huffman *h)
{
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= MAXBITS; len++) {
        int b = get_bits(s, 1);
        if (b < 0)
            return -1;
        code |= b;
        int count = h->count[len];
        if (code - count < first)
            return h->symbol[index + (code - first)];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return -1;
}

static int stored(Inflate *s)
{
    s->bits = 0;          /* to a byte boundary: get_bits only holds a byte's rest */
    s->count = 0;
    if (s->n - s->pos < 4) {
        s->cut_short = 1;
        return -1;
    }
    const uint8_t *p = s->in + s->pos;
    unsigned len = p[0] | (unsigned)p[1] << 8, nlen = p[2] | (unsigned)p[3] << 8;
    if ((len ^ 0xffff) != nlen)
        return -1;
    if (s->n - s->pos - 4 < len) {
        s->cut_short = 1;
        return -1;
    }
    s->pos += 4;
    if (s->keep) {
        buf_append(s->out, s->in + s->pos, len);
        s->total += len;
    } else {
        for (unsigned i = 0; i < len; i++)
            put_byte(s, s->in[s->pos + i]);
    }
    s->pos += len;
    return 0;
}

/* The literals and matches of one Huffman block, to its end-of-block. */
static int codes(Inflate *s, const Huffman *lencode, const Huffman *distcode)
{
    for (;;) {
        int sym = decode(s, lencode);
        if (sym < 0)
            return -1;
        if (sym < 256) {
            put_byte(s, (uint8_t)sym);
            continue;
        }
        if (sym == 256)
            return 0;
        sym -= 257;
        if (sym >= 29)
            return -1;
        int extra = get_bits(s, deflate_len_extra[sym]);
        int dsym = decode(s, distcode);
        if (extra < 0 || dsym < 0 || dsym >= 30)
            return -1;
        int dextra = get_bits(s, deflate_dist_extra[dsym]);
        if (dextra < 0)
            return -1;
        size_t len = deflate_len_base[sym] + (size_t)extra, dist = deflate_dist_base[dsym] + (size_t)dextra;
        if (dist > s->out->len - s->start)
            return -1;            /* reaches before the stream's start */
        while (len--)
            put_byte(s, (uint8_t)s->out->s[s->out->len - dist]);
    }
}

static int fixed(Inflate *s)
{
    Huffman lencode, distcode;
    uint8_t lengths[288];
    memset(lengths, 8, 144);
    memset(lengths + 144, 9, 112);
    memset(lengths + 256, 7, 24);
    memset(lengths + 280, 8, 8);
    build(&lencode, lengths, 288);
    memset(lengths, 5, 30);
    build(&distcode, lengths, 30);
    return codes(s, &lencode, &distcode);
}

static int dynamic(Inflate *s)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    uint8_t lengths[320] = {0};
    Huffman lencode, distcode;
    int nlen = get_bits(s, 5), ndist = get_bits(s, 5), ncode = get_bits(s, 4);
    if (nlen < 0 || ndist < 0 || ncode < 0)
        return -1;
    nlen += 257;
    ndist += 1;
    ncode += 4;
    if (nlen > 286 || ndist > 30)
        return -1;
    for (int i = 0; i < ncode; i++) {
        int b = get_bits(s, 3);
        if (b < 0)
            return -1;
        lengths[order[i]] = (uint8_t)b;
    }
    if (build(&lencode, lengths, 19) != 0)
        return -1;
    memset(lengths, 0, 19);
    for (int i = 0; i < nlen + ndist;) {
        int sym = decode(s, &lencode);
        if (sym < 0)
            return -1;
        if (sym < 16) {
            lengths[i++] = (uint8_t)sym;
            continue;
        }
        int rep, val = 0;
        if (sym == 16) {
            if (i == 0)
                return -1;
            val = lengths[i - 1];
            rep = get_bits(s, 2);
            rep = rep < 0 ? -1 : 3 + rep;
        } else if (sym == 17) {
            rep = get_bits(s, 3);
            rep = rep < 0 ? -1 : 3 + rep;
        } else {
            rep = get_bits(s, 7);
            rep = rep < 0 ? -1 : 11 + rep;
        }
        if (rep < 0 || i + rep > nlen + ndist)
            return -1;
        while (rep--)
            lengths[i++] = (uint8_t)val;
    }
    if (lengths[256] == 0)
        return -1;              /* no end-of-block code */
    if (build(&lencode, lengths, nlen) != 0 || build(&distcode, lengths + nlen, ndist) != 0)
        return -1;
    return codes(s, &lencode, &distcode);
}

int deflate_inflate(const uint8_t *in, size_t n, Buf *out, int keep, size_t *used, uint64_t *total)
{
    Inflate s = {.in = in, .n = n, .out = out, .start = out->len, .keep = keep};
    int last, rc;
    do {
        last = get_bits(&s, 1);
        int type = get_bits(&s, 2);
        if (last < 0 || type < 0)
            return -1 - s.cut_short;
        rc = type == 0 ? stored(&s) : type == 1 ? fixed(&s) : type == 2 ? dynamic(&s) : -1;
        if (rc != 0)
            return -1 - s.cut_short;
    } while (!last);
    if (used)
        *used = s.pos;
    if (total)
        *total = s.total;
    return 0;
}

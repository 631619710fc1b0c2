/* fmt.c — the number formats of the dashboard: short money ("$12.3k") for
 * cards and bars, exact money ("$12,345.67") for detail views, and short
 * counts ("1.2M") for tokens and rows. Pure functions, no curses. */
#include "draw.h"

#include <math.h>
#include <stdio.h>

/* "1.23", "12.3" or "123": three significant digits of v (0 <= v < 1000). */
static void three_digits(double v, const char *suffix, const char *prefix, char *out, size_t n)
{
    if (v >= 99.95)
        snprintf(out, n, "%s%.0f%s", prefix, v, suffix);
    else if (v >= 9.995)
        snprintf(out, n, "%s%.1f%s", prefix, v, suffix);
    else
        snprintf(out, n, "%s%.2f%s", prefix, v, suffix);
}

/* "1.2" or "12": the short form of counts (0 <= v < 1000). */
static void two_digits(double v, const char *suffix, const char *prefix, char *out, size_t n)
{
    if (v >= 9.95)
        snprintf(out, n, "%s%.0f%s", prefix, v, suffix);
    else
        snprintf(out, n, "%s%.1f%s", prefix, v, suffix);
}

typedef void (*DigitsFn)(double, const char *, const char *, char *, size_t);

/* Scales v to k/M/B (digits by fn); below 1000 plain. */
static void short_number(double v, const char *prefix, DigitsFn digits, char *out, size_t n)
{
    const char *sign = v < 0 ? "-" : "";
    char pre[8];
    snprintf(pre, sizeof pre, "%s%s", sign, prefix);
    double a = fabs(v);
    if (a != a) {
        snprintf(out, n, "%s?", prefix);
    } else if (a < 999.5) {
        snprintf(out, n, "%s%.0f", pre, a);
    } else if (a < 999.5e3) {
        digits(a / 1e3, "k", pre, out, n);
    } else if (a < 999.5e6) {
        digits(a / 1e6, "M", pre, out, n);
    } else if (a < 999.5e9) {
        digits(a / 1e9, "B", pre, out, n);
    } else {
        snprintf(out, n, "%s%.0fB", pre, a / 1e9);
    }
}

void fmt_money_short(double usd, char *out, size_t n)
{
    short_number(usd, "$", three_digits, out, n);
}

void fmt_count(double v, char *out, size_t n)
{
    short_number(v, "", two_digits, out, n);
}

void fmt_money(double usd, char *out, size_t n)
{
    if (usd != usd) {
        snprintf(out, n, "$?");
        return;
    }
    const char *sign = usd < 0 ? "-" : "";
    double a = fabs(usd);
    if (a >= 1e15) {
        snprintf(out, n, "%s$%.0f", sign, a);
        return;
    }
    long long cents = llround(a * 100.0);
    long long whole = cents / 100;
    int frac = (int)(cents % 100);
    char digits[32], grouped[48];
    snprintf(digits, sizeof digits, "%lld", whole);
    int len = 0;
    for (int i = 0; digits[i]; i++)
        len++;
    int o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            grouped[o++] = ',';
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    snprintf(out, n, "%s$%s.%02d", sign, grouped, frac);
}

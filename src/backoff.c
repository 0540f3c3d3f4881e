/* backoff.c - seeded PRNG, full-jitter backoff, Retry-After parsing. */
#include "config.h"
#include "backoff.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void ec_rng_seed(ec_rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t ec_rng_entropy(void)
{
    struct timespec ts = {0};
    clock_gettime(CLOCK_REALTIME, &ts);
    ec_rng r;
    ec_rng_seed(&r, (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
                        ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&ts);
    return ec_rng_next(&r);
}

/* splitmix64: a Weyl sequence scrambled by two multiply-xorshift rounds. */
uint64_t ec_rng_next(ec_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

double ec_rng_unit(ec_rng *r)
{
    return (double)(ec_rng_next(r) >> 11) * 0x1.0p-53;
}

double ec_backoff_ceiling(double base, double cap, unsigned attempt)
{
    if (!(base > 0) || !(cap > 0))
        return 0;
    /* Past 2^1023 the product is infinite anyway; stop before ldexp overflows. */
    double c = attempt >= 1023 ? cap : ldexp(base, (int)attempt);
    return c < cap ? c : cap;
}

double ec_backoff_jitter(ec_rng *r, double base, double cap, unsigned attempt)
{
    return ec_rng_unit(r) * ec_backoff_ceiling(base, cap, attempt);
}

double ec_backoff_delay(ec_rng *r, double base, double cap, unsigned attempt, double retry_after)
{
    double j = ec_backoff_jitter(r, base, cap, attempt);
    return retry_after > j ? retry_after : j;
}

double ec_retry_after_clamp(double seconds)
{
    if (!(seconds > 0)) /* also NaN */
        return 0;
    return seconds > EC_RETRY_AFTER_MAX ? EC_RETRY_AFTER_MAX : seconds;
}

/* ---------------------------------------------------------------- HTTP-date */

static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const day_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

/* Read a run of letters into w (NUL-terminated, at most cap-1). Returns its length. */
static size_t read_word(const char **p, char *w, size_t cap)
{
    size_t n = 0;
    while (((**p >= 'A' && **p <= 'Z') || (**p >= 'a' && **p <= 'z')) && n + 1 < cap)
        w[n++] = *(*p)++;
    w[n] = '\0';
    return n;
}

/* Read exactly n digits. */
static int read_digits(const char **p, int n, int *val)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *val = v;
    return 0;
}

/* One or more spaces (recipients should tolerate extra padding). */
static int read_spaces(const char **p)
{
    if (**p != ' ')
        return -1;
    while (**p == ' ')
        (*p)++;
    return 0;
}

static int read_char(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

static int is_weekday(const char *w, size_t len)
{
    for (int i = 0; i < 7; i++)
        if ((len == 3 && strncasecmp(w, day_names[i], 3) == 0) || strcasecmp(w, day_names[i]) == 0)
            return 1;
    return 0;
}

/* Month 1..12 from its three-letter name, or -1. */
static int read_month(const char **p)
{
    char w[8];
    if (read_word(p, w, sizeof w) != 3)
        return -1;
    for (int i = 0; i < 12; i++)
        if (strcasecmp(w, month_names[i]) == 0)
            return i + 1;
    return -1;
}

static int read_clock(const char **p, int *h, int *m, int *s)
{
    if (read_digits(p, 2, h) || read_char(p, ':') || read_digits(p, 2, m) || read_char(p, ':') ||
        read_digits(p, 2, s))
        return -1;
    return *h <= 23 && *m <= 59 && *s <= 60 ? 0 : -1;
}

static int read_gmt(const char **p)
{
    char w[8];
    return read_word(p, w, sizeof w) == 3 && strcmp(w, "GMT") == 0 ? 0 : -1;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years in [1, y]. */
static long leaps_through(long y)
{
    return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to y-m-d (y >= 1, m 1..12). */
static long long days_since_epoch(int y, int m, int d)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    long long days = 365LL * (y - 1970) + leaps_through(y - 1) - leaps_through(1969);
    days += before[m - 1] + (m > 2 && is_leap(y)) + d - 1;
    return days;
}

struct date {
    int y, mon, d, h, min, s;
};

/* After the weekday and ",": IMF-fixdate "06 Nov 1994 08:49:37 GMT" or
 * RFC 850 "06-Nov-94 08:49:37 GMT". */
static int parse_after_comma(const char **p, struct date *t)
{
    if (read_spaces(p) || read_digits(p, 2, &t->d))
        return -1;
    if (**p == '-') { /* RFC 850, two-digit year */
        (*p)++;
        if ((t->mon = read_month(p)) < 0 || read_char(p, '-') || read_digits(p, 2, &t->y))
            return -1;
        t->y += t->y < 70 ? 2000 : 1900;
    } else if (read_spaces(p) || (t->mon = read_month(p)) < 0 || read_spaces(p) ||
               read_digits(p, 4, &t->y)) {
        return -1;
    }
    return read_spaces(p) || read_clock(p, &t->h, &t->min, &t->s) || read_spaces(p) || read_gmt(p)
               ? -1
               : 0;
}

/* After the weekday: asctime " Nov  6 08:49:37 1994". */
static int parse_asctime(const char **p, struct date *t)
{
    if (read_spaces(p) || (t->mon = read_month(p)) < 0 || read_spaces(p))
        return -1;
    if (read_digits(p, 2, &t->d) && read_digits(p, 1, &t->d))
        return -1;
    return read_spaces(p) || read_clock(p, &t->h, &t->min, &t->s) || read_spaces(p) ||
                   read_digits(p, 4, &t->y)
               ? -1
               : 0;
}

int ec_http_date_parse(const char *text, time_t *out)
{
    const char *p = text;
    char w[16];
    struct date t = {0};
    while (*p == ' ' || *p == '\t')
        p++;
    size_t wl = read_word(&p, w, sizeof w);
    if (!is_weekday(w, wl))
        return -1;
    int rc = *p == ',' ? (p++, parse_after_comma(&p, &t)) : parse_asctime(&p, &t);
    if (rc)
        return -1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p || t.y < 1 || t.d < 1 || t.d > 31)
        return -1;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (t.d > mdays[t.mon - 1] || (t.mon == 2 && t.d == 29 && !is_leap(t.y)))
        return -1;
    long long secs =
        days_since_epoch(t.y, t.mon, t.d) * 86400LL + t.h * 3600LL + t.min * 60LL + t.s;
    *out = (time_t)secs;
    return 0;
}

double ec_retry_after_parse(const char *text, time_t now)
{
    if (!text)
        return -1;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p >= '0' && *p <= '9') {
        double v = 0;
        while (*p >= '0' && *p <= '9') {
            if (v <= EC_RETRY_AFTER_MAX) /* saturate: the rest only grows it */
                v = v * 10 + (*p - '0');
            p++;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        return *p ? -1 : ec_retry_after_clamp(v);
    }
    time_t when;
    if (ec_http_date_parse(text, &when))
        return -1;
    return ec_retry_after_clamp(difftime(when, now));
}

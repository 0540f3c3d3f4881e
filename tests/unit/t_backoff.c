/* t_backoff.c - PRNG determinism, full-jitter bounds and growth,
 * Retry-After in both forms (past, future, huge, garbage). */
#include "config.h"
#include "backoff.h"
#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

static void test_rng(void)
{
    ec_rng a, b, c;
    ec_rng_seed(&a, 42);
    ec_rng_seed(&b, 42);
    ec_rng_seed(&c, 43);
    int same = 1, differ = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = ec_rng_next(&a), y = ec_rng_next(&b), z = ec_rng_next(&c);
        same &= x == y;
        differ += x != z;
    }
    ok(same, "same seed gives the same sequence");
    ok(differ > 95, "another seed gives another sequence");
    int in_range = 1;
    for (int i = 0; i < 10000; i++) {
        double u = ec_rng_unit(&a);
        in_range &= u >= 0 && u < 1;
    }
    ok(in_range, "unit doubles lie in [0, 1)");
}

static void test_ceiling(void)
{
    ok(ec_backoff_ceiling(0.5, 60, 0) == 0.5, "ceiling of the first retry is base");
    ok(ec_backoff_ceiling(0.5, 60, 3) == 4, "ceiling doubles per attempt");
    ok(ec_backoff_ceiling(0.5, 60, 7) == 60, "ceiling stops at cap");
    ok(ec_backoff_ceiling(0.5, 60, 100000) == 60, "a huge attempt number stays at cap");
    ok(ec_backoff_ceiling(0, 60, 3) == 0, "no base, no wait");
}

static void test_jitter(void)
{
    ec_rng r;
    ec_rng_seed(&r, 7);
    int bounded = 1;
    double prev_max = 0;
    int grows = 1;
    for (unsigned n = 0; n < 12; n++) {
        double ceil_n = ec_backoff_ceiling(1, 300, n), max = 0, sum = 0;
        for (int i = 0; i < 2000; i++) {
            double j = ec_backoff_jitter(&r, 1, 300, n);
            bounded &= j >= 0 && j < ceil_n;
            max = j > max ? j : max;
            sum += j;
        }
        /* Over 2000 draws the largest lands in the top 1% of its range and the
         * mean near the middle (seeded, so the same every run). */
        if (n > 0 && ceil_n == 2 * ec_backoff_ceiling(1, 300, n - 1))
            grows &= max > prev_max && sum / 2000 > ceil_n * 0.4;
        prev_max = max;
    }
    ok(bounded, "full jitter stays in [0, min(cap, base*2^n))");
    ok(grows, "jitter grows with the attempt number until the cap");

    ec_rng a, b;
    ec_rng_seed(&a, 99);
    ec_rng_seed(&b, 99);
    int det = 1;
    for (unsigned n = 0; n < 50; n++)
        det &= ec_backoff_jitter(&a, 0.25, 60, n) == ec_backoff_jitter(&b, 0.25, 60, n);
    ok(det, "jitter is deterministic with a seed");

    ok(ec_backoff_delay(&a, 1, 4, 1, 30) == 30, "delay honours a longer Retry-After");
    double d = ec_backoff_delay(&a, 1, 4, 3, -1);
    ok(d >= 0 && d < 4, "delay without Retry-After is the jitter");
}

static void test_clamp(void)
{
    ok(ec_retry_after_clamp(-5) == 0, "negative (past date from libcurl 7.88) clamps to 0");
    ok(ec_retry_after_clamp(1e12) == EC_RETRY_AFTER_MAX, "huge clamps to 6 h");
    ok(ec_retry_after_clamp(NAN) == 0, "NaN clamps to 0");
    ok(ec_retry_after_clamp(12.5) == 12.5, "in-range value kept");
}

static void test_dates(void)
{
    time_t t = 0;
    const time_t want = 784111777; /* 1994-11-06 08:49:37 UTC */
    ok(ec_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t) == 0 && t == want, "IMF-fixdate");
    t = 0;
    ok(ec_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t) == 0 && t == want, "RFC 850");
    t = 0;
    ok(ec_http_date_parse("Sun Nov  6 08:49:37 1994", &t) == 0 && t == want, "asctime");
    ok(ec_http_date_parse("Thu, 29 Feb 2024 00:00:00 GMT", &t) == 0 && t == 1709164800, "leap day");
    ok(ec_http_date_parse("Wed, 31 Dec 1969 23:59:59 GMT", &t) == 0 && t == -1, "before the epoch");
    ok(ec_http_date_parse("Thu, 29 Feb 2023 00:00:00 GMT", &t) != 0, "no Feb 29 in 2023");
    ok(ec_http_date_parse("Sun, 06 Nov 1994 08:49:37 PST", &t) != 0, "only GMT");
    ok(ec_http_date_parse("Sun, 06 Nov 1994 24:00:00 GMT", &t) != 0, "hour 24 refused");
    ok(ec_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT x", &t) != 0, "trailing garbage");
    ok(ec_http_date_parse("Xyz, 06 Nov 1994 08:49:37 GMT", &t) != 0, "bad weekday");
    ok(ec_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t) != 0, "bad month");

    /* Round trip against the C library over two centuries. */
    ec_rng r;
    ec_rng_seed(&r, 1);
    int all = 1;
    char s[64];
    for (int i = 0; i < 3000 && all; i++) {
        time_t x = (time_t)(ec_rng_next(&r) % 4102444800u); /* 1970 .. 2100 */
        struct tm tm;
        gmtime_r(&x, &tm);
        strftime(s, sizeof s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        all &= ec_http_date_parse(s, &t) == 0 && t == x;
        strftime(s, sizeof s, "%a %b %e %H:%M:%S %Y", &tm);
        all &= ec_http_date_parse(s, &t) == 0 && t == x;
    }
    ok(all, "IMF-fixdate and asctime round-trip with gmtime (last: %s)", s);
}

static void test_retry_after(void)
{
    const time_t now = 784111777;
    ok(ec_retry_after_parse("120", now) == 120, "delta-seconds");
    ok(ec_retry_after_parse(" 7 ", now) == 7, "blanks around delta-seconds");
    ok(ec_retry_after_parse("0", now) == 0, "zero");
    ok(ec_retry_after_parse("Sun, 06 Nov 1994 08:51:07 GMT", now) == 90,
       "IMF-fixdate in the future: seconds until it");
    ok(ec_retry_after_parse("Sunday, 06-Nov-94 08:51:07 GMT", now) == 90, "RFC 850 date");
    ok(ec_retry_after_parse("Sun Nov  6 08:51:07 1994", now) == 90, "asctime date");
    ok(ec_retry_after_parse("Sun, 06 Nov 1994 08:00:00 GMT", now) == 0, "past date gives 0");
    ok(ec_retry_after_parse("99999999999999999999999", now) == EC_RETRY_AFTER_MAX,
       "huge delta clamped");
    ok(ec_retry_after_parse("Fri, 31 Dec 2100 23:59:59 GMT", now) == EC_RETRY_AFTER_MAX,
       "far date clamped");
    const char *bad[] = {"", "soon", "-5", "1.5", "5s", "Sun, 06 Nov 1994", NULL};
    int absent = ec_retry_after_parse(NULL, now) == -1;
    for (int i = 0; bad[i]; i++)
        absent &= ec_retry_after_parse(bad[i], now) == -1;
    ok(absent, "garbage and NULL are absent (-1)");
}

int main(void)
{
    test_rng();
    test_ceiling();
    test_jitter();
    test_clamp();
    test_dates();
    test_retry_after();
    return tap_done();
}

/* t_ratelimit.c - the token bucket over simulated time. */
#include "config.h"
#include "ratelimit.h"
#include "tap.h"

#include <math.h>

static int near(double a, double b)
{
    return fabs(a - b) < 1e-6;
}

static void test_burst_and_refill(void)
{
    ec_ratelimit rl;
    ec_ratelimit_init(&rl, 10, 5, 100);
    int taken = 0;
    while (taken < 10 && ec_ratelimit_take(&rl, 100))
        taken++;
    is_int(taken, 5, "a full bucket grants its burst at once");
    ok(near(ec_ratelimit_wait(&rl, 100), 0.1), "then the next token is 1/rate away");
    ok(!ec_ratelimit_take(&rl, 100.05), "not granted halfway");
    ok(near(ec_ratelimit_wait(&rl, 100.05), 0.05), "wait shrinks as time passes");
    ok(ec_ratelimit_take(&rl, 100.1), "granted when the token arrives");
    ok(!ec_ratelimit_take(&rl, 100.1), "and only one");
    ok(ec_ratelimit_take(&rl, 1000) && ec_ratelimit_take(&rl, 1000), "idle time refills");
    taken = 2;
    while (taken < 20 && ec_ratelimit_take(&rl, 1000))
        taken++;
    is_int(taken, 5, "but never beyond the burst");
}

/* A greedy client polling every millisecond for a simulated minute. */
static void test_long_run(void)
{
    ec_ratelimit rl;
    ec_ratelimit_init(&rl, 10, 5, 0);
    static int grants[60001];
    int total = 0;
    for (int ms = 0; ms <= 60000; ms++)
        while (ec_ratelimit_take(&rl, ms / 1000.0))
            grants[ms]++, total++;
    ok(total >= 604 && total <= 606, "a minute at 10/s with burst 5 grants ~605 (got %d)", total);
    int worst = 0, window = 0;
    for (int ms = 0; ms <= 60000; ms++) {
        window += grants[ms] - (ms >= 1000 ? grants[ms - 1000] : 0);
        worst = window > worst ? window : worst;
    }
    ok(worst <= 15, "no 1-second window exceeds burst + rate (worst %d)", worst);
}

static void test_wait_is_enough(void)
{
    ec_ratelimit rl;
    ec_ratelimit_init(&rl, 3, 1, 0); /* 1/3 s is not exact in binary */
    double t = 0;
    int all = 1;
    for (int i = 0; i < 3000; i++) {
        t += ec_ratelimit_wait(&rl, t);
        all &= ec_ratelimit_take(&rl, t);
    }
    ok(all, "taking right after waiting wait() seconds always succeeds");
    ok(fabs(t - 2999 / 3.0) < 1e-3, "and the pace is the rate (t=%f)", t);

    ec_ratelimit per_min;
    ec_ratelimit_init(&per_min, 60 / 60.0, 1, 0);
    ok(ec_ratelimit_take(&per_min, 0), "60/min: first request at once");
    ok(near(ec_ratelimit_wait(&per_min, 0), 1.0), "60/min: next one a second later");
}

static void test_unlimited_and_hold(void)
{
    ec_ratelimit rl;
    ec_ratelimit_init(&rl, 0, 1, 0);
    int all = 1;
    for (int i = 0; i < 1000; i++)
        all &= ec_ratelimit_take(&rl, 0);
    ok(all && ec_ratelimit_wait(&rl, 0) == 0, "rate 0 is unlimited");
    ec_ratelimit_hold(&rl, 5);
    ok(!ec_ratelimit_take(&rl, 4.9) && near(ec_ratelimit_wait(&rl, 4), 1), "unlimited still holds");
    ok(ec_ratelimit_take(&rl, 5), "until the hold ends");

    ec_ratelimit_init(&rl, 2, 10, 0);
    ec_ratelimit_hold(&rl, 30);
    ok(!ec_ratelimit_take(&rl, 29.9), "nothing during a hold despite a full bucket");
    ok(near(ec_ratelimit_wait(&rl, 20), 10), "wait reports the hold");
    ec_ratelimit_hold(&rl, 25);
    ok(near(ec_ratelimit_wait(&rl, 20), 10), "a shorter hold does not shorten it");
    ok(ec_ratelimit_take(&rl, 30), "first request at the hold's end");
    ok(!ec_ratelimit_take(&rl, 30), "a single probe, not a burst");
    ok(near(ec_ratelimit_wait(&rl, 30), 0.5), "then paced at the rate");

    ec_ratelimit_init(&rl, 1, 1, 10);
    ok(ec_ratelimit_take(&rl, 10), "token at t=10");
    ok(!ec_ratelimit_take(&rl, 5), "a clock going backwards grants nothing");
    ok(ec_ratelimit_take(&rl, 11), "and does not disturb later refills");
}

static void test_parse(void)
{
    double r = 0;
    ec_buf err = {0};
    ok(ec_rate_parse("10/s", &r, &err) == 0 && r == 10, "10/s");
    ok(ec_rate_parse("120/min", &r, &err) == 0 && r == 2, "120/min");
    ok(ec_rate_parse("0.5/sec", &r, &err) == 0 && r == 0.5, "0.5/sec");
    ok(ec_rate_parse("30/minute", &r, &err) == 0 && r == 0.5, "30/minute");
    const char *bad[] = {"10",     "0/s",   "-1/s",    "10/h", "abc/s",
                         "10/s x", "nan/s", "inf/min", "",     NULL};
    int refused = 1;
    for (int i = 0; bad[i]; i++) {
        ec_buf_clear(&err);
        refused &= ec_rate_parse(bad[i], &r, &err) == -1 && err.len > 0;
    }
    ok(refused, "bad rates refused with a message");
    ec_buf_free(&err);
}

int main(void)
{
    test_burst_and_refill();
    test_long_run();
    test_wait_is_enough();
    test_unlimited_and_hold();
    test_parse();
    return tap_done();
}

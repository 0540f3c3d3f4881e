/* ratelimit.c - token bucket. */
#include "config.h"
#include "ratelimit.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Tokens are fractional; forgive rounding so that waiting exactly
 * ec_ratelimit_wait() seconds always makes the next take succeed. */
#define TOKEN_EPSILON 1e-9

double ec_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ec_ratelimit_init(ec_ratelimit *rl, double per_second, double burst, double now)
{
    rl->rate = per_second > 0 ? per_second : 0;
    rl->burst = burst >= 1 ? burst : 1;
    rl->tokens = rl->burst;
    rl->stamp = now;
    rl->hold_until = now;
}

/* Bring tokens up to date at now (a clock going backwards adds nothing). */
static void refill(ec_ratelimit *rl, double now)
{
    if (now <= rl->stamp)
        return;
    if (rl->rate > 0) {
        rl->tokens += (now - rl->stamp) * rl->rate;
        if (rl->tokens > rl->burst)
            rl->tokens = rl->burst;
    }
    rl->stamp = now;
}

int ec_ratelimit_take(ec_ratelimit *rl, double now)
{
    if (now < rl->hold_until)
        return 0;
    if (rl->rate <= 0)
        return 1;
    refill(rl, now);
    if (rl->tokens < 1 - TOKEN_EPSILON)
        return 0;
    rl->tokens -= 1;
    if (rl->tokens < 0)
        rl->tokens = 0;
    return 1;
}

double ec_ratelimit_wait(ec_ratelimit *rl, double now)
{
    double held = rl->hold_until > now ? rl->hold_until - now : 0;
    if (rl->rate <= 0)
        return held;
    refill(rl, now);
    double need = rl->tokens >= 1 - TOKEN_EPSILON ? 0 : (1 - rl->tokens) / rl->rate;
    if (rl->stamp > now) /* tokens is what the bucket holds at a later stamp */
        need += rl->stamp - now;
    return need > held ? need : held;
}

void ec_ratelimit_hold(ec_ratelimit *rl, double until)
{
    if (until <= rl->hold_until)
        return;
    rl->hold_until = until;
    if (rl->tokens > 1)
        rl->tokens = 1;
    /* Restart accrual at the hold's end with one token: refills before then
     * are no-ops (now <= stamp), so no burst builds up during the pause. */
    if (rl->rate > 0 && until > rl->stamp) {
        rl->tokens = 1;
        rl->stamp = until;
    }
}

int ec_rate_parse(const char *text, double *per_second, ec_buf *err)
{
    char *end = NULL;
    errno = 0;
    double n = text ? strtod(text, &end) : 0;
    if (!text || end == text || errno || !isfinite(n) || n <= 0 || *end != '/') {
        ec_buf_printf(err, "bad rate '%s': expected N/s or N/min with N > 0", text ? text : "");
        return -1;
    }
    const char *unit = end + 1;
    static const char *const secs[] = {"s", "sec", "second", NULL};
    static const char *const mins[] = {"m", "min", "minute", NULL};
    for (int i = 0; secs[i]; i++) {
        if (strcmp(unit, secs[i]) == 0) {
            *per_second = n;
            return 0;
        }
        if (strcmp(unit, mins[i]) == 0) {
            *per_second = n / 60.0;
            return 0;
        }
    }
    ec_buf_printf(err, "bad rate '%s': unit must be /s or /min", text);
    return -1;
}

/* ratelimit.h - a token bucket for request rates. The clock is passed in
 * (seconds, any origin, never going backwards: ec_clock_now in real use), so
 * tests drive it with simulated time. */
#ifndef EC_RATELIMIT_H
#define EC_RATELIMIT_H

#include "buf.h"

typedef struct ec_ratelimit {
    double rate;       /* tokens per second; <= 0 means unlimited */
    double burst;      /* bucket size (>= 1) */
    double tokens;     /* tokens available at time stamp */
    double stamp;      /* time tokens was last brought up to date */
    double hold_until; /* nothing is granted before this time (a server's Retry-After) */
} ec_ratelimit;

/* Monotonic seconds (CLOCK_MONOTONIC), the clock to pass in real use. */
double ec_clock_now(void);

/* Set up a bucket granting per_second tokens a second (<= 0: unlimited),
 * holding at most burst (values below 1 become 1), full at time now. */
void ec_ratelimit_init(ec_ratelimit *rl, double per_second, double burst, double now);

/* Take one token if one is available at now: returns 1 (taken) or 0. */
int ec_ratelimit_take(ec_ratelimit *rl, double now);

/* Seconds from now until ec_ratelimit_take can succeed (0 when it can now).
 * Round up when converting to a poll timeout. */
double ec_ratelimit_wait(ec_ratelimit *rl, double now);

/* Grant nothing before time until (e.g. now + Retry-After after a 429), and
 * keep at most one token then, so the first request after the pause is a
 * probe rather than a whole burst. Holds only ever extend. */
void ec_ratelimit_hold(ec_ratelimit *rl, double until);

/* Parse a --rate value "N/s" or "N/min" (also "N/sec", "N/second",
 * "N/m", "N/minute"; N a positive decimal) into tokens per second. Returns 0,
 * or -1 with a message in err. */
int ec_rate_parse(const char *text, double *per_second, ec_buf *err);

#endif

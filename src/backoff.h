/* backoff.h - retry timing: a seeded PRNG, exponential backoff with full
 * jitter, and Retry-After (delta-seconds or HTTP-date) parsing and clamping.
 * Pure functions of their inputs (the clock is passed in), so tests are
 * deterministic. */
#ifndef EC_BACKOFF_H
#define EC_BACKOFF_H

#include <stdint.h>
#include <time.h>

/* Longest Retry-After we honour, in seconds (6 h, as curl >= 8.12 clamps). */
#define EC_RETRY_AFTER_MAX 21600.0

/* A small PRNG (splitmix64). Not for secrets; the same seed gives the same
 * sequence, so tests can pin it. Zero-initialised state is a valid seed 0. */
typedef struct ec_rng {
    uint64_t state;
} ec_rng;

/* Seed the generator. */
void ec_rng_seed(ec_rng *r, uint64_t seed);
/* A seed that differs between runs (clock, pid, address), for real use. */
uint64_t ec_rng_entropy(void);
/* Next 64 random bits. */
uint64_t ec_rng_next(ec_rng *r);
/* Uniform double in [0, 1). */
double ec_rng_unit(ec_rng *r);

/* The backoff ceiling for retry number attempt (0 = first retry):
 * min(cap, base * 2^attempt), in the units of base and cap. */
double ec_backoff_ceiling(double base, double cap, unsigned attempt);
/* Full jitter (AWS): uniform in [0, ec_backoff_ceiling(base, cap, attempt)). */
double ec_backoff_jitter(ec_rng *r, double base, double cap, unsigned attempt);
/* The wait before a retry: max(retry_after, full jitter); retry_after < 0
 * means the server sent none. */
double ec_backoff_delay(ec_rng *r, double base, double cap, unsigned attempt, double retry_after);

/* Clamp a Retry-After number of seconds (e.g. CURLINFO_RETRY_AFTER, which
 * Debian's libcurl 7.88 returns negative for past dates and uncapped) to
 * [0, EC_RETRY_AFTER_MAX]. NaN gives 0. */
double ec_retry_after_clamp(double seconds);

/* Parse an HTTP-date in any of the three forms RFC 9110 accepts
 * (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
 * "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994"),
 * surrounding blanks allowed. Returns 0 and sets *out (UTC), or -1. */
int ec_http_date_parse(const char *text, time_t *out);

/* Parse a Retry-After header value (delta-seconds, or an HTTP-date taken
 * relative to now) into seconds clamped to [0, EC_RETRY_AFTER_MAX]: a past
 * date gives 0, a huge number the maximum. Returns -1 for NULL or garbage
 * (treat as absent). */
double ec_retry_after_parse(const char *text, time_t now);

#endif

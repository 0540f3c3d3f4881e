/* t_window.c - rows leave in input order whatever order they finish in;
 * packed rows and value lists reused from the pool never share memory. */
#include "config.h"
#include "window.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define NO_POOL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define NO_POOL 1
#endif
#endif

static ec_row *mkrow(uint64_t seq)
{
    ec_row *r = ec_xcalloc(1, sizeof *r);
    r->seq = seq;
    return r;
}

/* A packed row whose bytes and values all say n. */
static ec_row *packed(unsigned n)
{
    size_t len = 20 + n % 700; /* sizes across many pool classes */
    ec_row *r = ec_row_new_packed(1 + n % 5, len);
    r->seq = n;
    r->ncells = 1 + n % 5;
    memset(r->mem, (int)(n % 251), len);
    char a[32], b[32];
    snprintf(a, sizeof a, "e%u@x.test", n);
    snprintf(b, sizeof b, "+1-555-%u", n);
    ec_str items[2] = {{a, strlen(a)}, {b, strlen(b)}};
    ec_values_set_packed(&r->out.emails, items, 1 + n % 2);
    ec_values_set_packed(&r->out.phones, items + 1, 1);
    return r;
}

static int intact(const ec_row *r)
{
    unsigned n = (unsigned)r->seq;
    size_t len = 20 + n % 700;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)r->mem[i] != n % 251)
            return 0;
    char a[32], b[32];
    snprintf(a, sizeof a, "e%u@x.test", n);
    snprintf(b, sizeof b, "+1-555-%u", n);
    return r->out.emails.n == 1 + n % 2 && strcmp(r->out.emails.v[0], a) == 0 &&
           (n % 2 == 0 || strcmp(r->out.emails.v[1], b) == 0) && r->out.phones.n == 1 &&
           strcmp(r->out.phones.v[0], b) == 0;
}

/* Freed packed rows and lists go to a pool and come back: a row and its
 * lists stay intact while others are freed and allocated around them. */
static void test_pool(void)
{
    enum { N = 3000 };
    static ec_row *live[N];
    for (unsigned i = 0; i < N; i++)
        live[i] = packed(i);
    for (unsigned i = 0; i < N; i += 2) { /* free half, then fill those places again */
        ec_row_free(live[i]);
        live[i] = NULL;
    }
    for (unsigned i = 0; i < N; i += 2)
        live[i] = packed(N + i);
    int good = 1;
    for (unsigned i = 0; i < N; i++)
        good &= intact(live[i]);
    ok(good, "%d rows with value lists intact after half were freed and reallocated", N);
    ec_values_add(&live[1]->out.emails, "grown@x.test", 12); /* a packed list made to grow */
    ok(live[1]->out.emails.n == 3 && strcmp(live[1]->out.emails.v[2], "grown@x.test") == 0 &&
           strcmp(live[1]->out.emails.v[0], "e1@x.test") == 0,
       "a pooled list that grows keeps its values");
    ec_row *r = live[7];
    ec_row_free(r);
    live[7] = packed(7); /* the same size: the block just freed */
#ifdef NO_POOL
    ok(1, "# SKIP sanitizer build: no pool");
#else
    ok(live[7] == r, "a freed row's block is handed out again for a row of its size");
#endif
    good = 1;
    for (unsigned i = 0; i < N; i++) {
        good &= intact(live[i]) || i == 1;
        ec_row_free(live[i]);
    }
    ok(good, "all still intact when freed");
    ec_row_pool_drain();
}

int main(void)
{
    test_pool();
    ec_window *w = ec_window_new(4);
    for (uint64_t s = 0; s < 4; s++)
        ok(ec_window_add(w, mkrow(s)) == 0, "add row %llu", (unsigned long long)s);
    ok(!ec_window_has_room(w), "window of 4 is full after 4 rows");
    ec_row *extra = mkrow(4);
    ok(ec_window_add(w, extra) == -1, "a fifth row is refused while full");
    ok(ec_window_pop(w) == NULL, "nothing leaves before the oldest is done");

    ec_window_done(w, 2);
    ec_window_done(w, 1);
    ok(ec_window_pop(w) == NULL, "rows 1 and 2 done but row 0 holds the window");
    ec_window_done(w, 0);
    ec_row *r;
    uint64_t expect = 0;
    int in_order = 1;
    while ((r = ec_window_pop(w)) != NULL) {
        in_order &= r->seq == expect++;
        ec_row_free(r);
    }
    ok(in_order && expect == 3, "rows 0,1,2 leave in order, row 3 stays");
    is_int(ec_window_count(w), 1, "one row still held");
    ok(ec_window_add(w, extra) == 0, "room again: row 4 accepted");
    ec_row *bad = mkrow(9);
    ok(ec_window_add(w, bad) == -1, "an out-of-order seq is refused");
    ec_row_free(bad);
    ok(ec_window_done(w, 2) == -1, "marking a row that already left fails");
    ok(ec_window_get(w, 4) == extra, "get borrows a held row");

    /* a long run with random completion order keeps order and bounds */
    ec_window *big = ec_window_new(16);
    uint64_t next_in = 0, next_out = 0;
    srand(7);
    int ordered = 1, bounded = 1;
    while (next_out < 10000) {
        while (next_in < 10000 && ec_window_has_room(big))
            ec_window_add(big, mkrow(next_in++));
        bounded &= ec_window_count(big) <= 16;
        uint64_t pick = ec_window_oldest_seq(big) + (uint64_t)rand() % ec_window_count(big);
        ec_window_done(big, pick);
        while ((r = ec_window_pop(big)) != NULL) {
            ordered &= r->seq == next_out++;
            ec_row_free(r);
        }
    }
    ok(ordered, "10,000 rows finishing in random order leave in input order");
    ok(bounded, "the window never holds more than its capacity");
    ec_window_free(big);
    ec_window_free(w);
    return tap_done();
}

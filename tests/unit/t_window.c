/* t_window.c - rows leave in input order whatever order they finish in. */
#include "config.h"
#include "window.h"
#include "tap.h"

#include <stdlib.h>

static ec_row *mkrow(uint64_t seq)
{
    ec_row *r = ec_xcalloc(1, sizeof *r);
    r->seq = seq;
    return r;
}

int main(void)
{
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

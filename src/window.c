/* window.c - a ring of rows indexed by seq modulo capacity. */
#include "config.h"
#include "window.h"

#include <stdlib.h>

struct ec_window {
    ec_row **slot;
    unsigned char *done;
    size_t cap;
    size_t count;
    uint64_t head; /* seq of the oldest row held */
};

ec_window *ec_window_new(size_t capacity)
{
    ec_window *w = ec_xcalloc(1, sizeof *w);
    w->cap = capacity ? capacity : 1;
    w->slot = ec_xcalloc(w->cap, sizeof *w->slot);
    w->done = ec_xcalloc(w->cap, 1);
    return w;
}

void ec_window_free(ec_window *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->cap; i++)
        ec_row_free(w->slot[i]);
    free(w->slot);
    free(w->done);
    free(w);
}

size_t ec_window_count(const ec_window *w)
{
    return w->count;
}

int ec_window_has_room(const ec_window *w)
{
    return w->count < w->cap;
}

int ec_window_add(ec_window *w, ec_row *row)
{
    if (w->count >= w->cap || row->seq != w->head + w->count)
        return -1;
    size_t i = (size_t)(row->seq % w->cap);
    w->slot[i] = row;
    w->done[i] = 0;
    w->count++;
    return 0;
}

static int held(const ec_window *w, uint64_t seq)
{
    return seq >= w->head && seq < w->head + w->count;
}

int ec_window_done(ec_window *w, uint64_t seq)
{
    if (!held(w, seq))
        return -1;
    w->done[seq % w->cap] = 1;
    return 0;
}

ec_row *ec_window_pop(ec_window *w)
{
    if (w->count == 0)
        return NULL;
    size_t i = (size_t)(w->head % w->cap);
    if (!w->done[i])
        return NULL;
    ec_row *r = w->slot[i];
    w->slot[i] = NULL;
    w->done[i] = 0;
    w->head++;
    w->count--;
    return r;
}

ec_row *ec_window_get(const ec_window *w, uint64_t seq)
{
    return held(w, seq) ? w->slot[seq % w->cap] : NULL;
}

uint64_t ec_window_oldest_seq(const ec_window *w)
{
    return w->head;
}

/* window.h - the reorder window: rows enter in input order, finish in any
 * order, and leave in input order. Its capacity bounds memory: when the
 * oldest unfinished row holds the window full, the caller stops reading. */
#ifndef EC_WINDOW_H
#define EC_WINDOW_H

#include <stddef.h>
#include <stdint.h>
#include "row.h"

typedef struct ec_window ec_window;

/* New window holding at most capacity rows (>= 1). */
ec_window *ec_window_new(size_t capacity);
/* Free the window and every row still in it. NULL-safe. */
void ec_window_free(ec_window *w);
/* Rows currently held. */
size_t ec_window_count(const ec_window *w);
/* 1 when another row can be added. */
int ec_window_has_room(const ec_window *w);
/* Take ownership of row; its seq must be the next one in order (0, 1, ...).
 * Returns 0, or -1 when full or out of order (row not taken). */
int ec_window_add(ec_window *w, ec_row *row);
/* Mark the row with this seq finished (its outcome is final). Returns 0, or
 * -1 when no such row is held. */
int ec_window_done(ec_window *w, uint64_t seq);
/* The oldest row if it is finished, handing ownership to the caller; else NULL. */
ec_row *ec_window_pop(ec_window *w);
/* Borrow the row with this seq, or NULL. */
ec_row *ec_window_get(const ec_window *w, uint64_t seq);
/* Seq of the oldest row held (or of the next row to add when empty). */
uint64_t ec_window_oldest_seq(const ec_window *w);

#endif

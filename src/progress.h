/* progress.h - the live progress line on standard error: rows read and
 * written, requests in flight, rows answered from the journal, found,
 * failed, credits spent, rate and ETA. Drawn in place (CR, erase to end of
 * line), redrawn at most twice a second, erased before any other message
 * and at the end, so a finished run leaves no trace of it. */
#ifndef EC_PROGRESS_H
#define EC_PROGRESS_H

#include "buf.h"
#include "engine.h"

/* Whether the line is shown: mode 1 (--progress) yes, 0 (--no-progress) no;
 * -1 (default) when err_fd is a terminal, -q was not given, and out_fd is
 * not that same terminal (rows written there would mix with the line). */
int ec_progress_wanted(int mode, int quiet, int err_fd, int out_fd);

/* Start the display on fd (borrowed; one display per process). Nothing is
 * drawn before half a second of run time, so short runs never flash it. */
void ec_progress_start(int fd);

/* The engine's on_tick hook (ctx unused): redraw from st when half a second
 * of st->elapsed has passed since the last draw; final erases the line. */
void ec_progress_tick(void *ctx, const ec_engine_stats *st, int final);

/* Erase the line if it is on screen (msg.h's before-print hook); the next
 * tick draws it again. */
void ec_progress_clear(void);

/* 1 while the line is on screen (async-signal-safe read). */
int ec_progress_on_screen(void);

/* Erase the line and stop drawing. */
void ec_progress_stop(void);

/* Seconds left, estimated from st (bytes read of a regular input file give
 * the total row count) and rows_per_s; -1 when unknown. */
double ec_progress_eta(const ec_engine_stats *st, double rows_per_s);

/* Format the line's text for st into out (appended, no CR or escapes):
 * fields of least importance are dropped until it fits in width bytes
 * (0: no limit). rows_per_s < 0 leaves the rate out. */
void ec_progress_format(ec_buf *out, const ec_engine_stats *st, double rows_per_s, size_t width);

#endif

/* msg.h - every diagnostic goes through here: the "enrichcsv: " prefix,
 * quiet/verbose levels, and redaction of secrets (API keys) from any text
 * before it reaches stderr. */
#ifndef EC_MSG_H
#define EC_MSG_H

#include <stdarg.h>

/* Set verbosity (quiet: only errors; verbose >= 1: HTTP exchange lines). */
void ec_msg_init(int quiet, int verbose);
/* Register a secret that must never be printed (copied). */
void ec_msg_add_secret(const char *secret);
/* Replace every registered secret in s (in place) by "***"-padded text. */
void ec_msg_redact(char *s);
/* Error: always printed. */
void ec_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warning: printed unless quiet. */
void ec_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line (summary): printed unless quiet. */
void ec_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Verbose line: printed with -v. */
void ec_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 1 when -v was given. */
int ec_msg_verbose(void);
/* Hook called before any line is printed (the progress line clears itself). */
void ec_msg_set_before_print(void (*fn)(void));
/* Free the registered secrets. */
void ec_msg_cleanup(void);

#endif

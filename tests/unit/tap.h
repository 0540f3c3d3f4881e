/* tap.h - a tiny TAP producer for unit tests (header-only). */
#ifndef EC_TAP_H
#define EC_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...)                                                                     \
    tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                                     \
    tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5), unused)) static int tap_ok(int pass, const char *file, int line,
                                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", pass ? "ok" : "not ok", ++tap_n);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!pass) {
        tap_failed++;
        printf("#   failed at %s:%d\n", file, line);
    }
    return pass;
}

__attribute__((format(printf, 5, 6), unused)) static int tap_is_str(const char *got, const char *want,
                                                            const char *file, int line,
                                                            const char *fmt, ...)
{
    int pass = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", pass ? "ok" : "not ok", ++tap_n);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!pass) {
        tap_failed++;
        printf("#   failed at %s:%d\n#   got:  '%s'\n#   want: '%s'\n", file, line,
               got ? got : "(null)", want ? want : "(null)");
    }
    return pass;
}

__attribute__((format(printf, 5, 6), unused)) static int tap_is_int(long long got, long long want,
                                                            const char *file, int line,
                                                            const char *fmt, ...)
{
    int pass = got == want;
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", pass ? "ok" : "not ok", ++tap_n);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!pass) {
        tap_failed++;
        printf("#   failed at %s:%d\n#   got:  %lld\n#   want: %lld\n", file, line, got, want);
    }
    return pass;
}

/* Print the plan and return the exit status. */
__attribute__((unused)) static int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif

/* msg.c - the one module that prints diagnostics. */
#include "config.h"
#include "msg.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int quiet_level, verbose_level;
static char **secrets;
static size_t nsecrets;
static void (*before_print)(void);

void ec_msg_init(int quiet, int verbose)
{
    quiet_level = quiet;
    verbose_level = verbose;
}

void ec_msg_add_secret(const char *secret)
{
    if (!secret || strlen(secret) < 4)
        return; /* too short to redact without mangling ordinary text */
    secrets = ec_xrealloc(secrets, (nsecrets + 1) * sizeof *secrets);
    secrets[nsecrets++] = ec_xstrdup(secret);
}

void ec_msg_redact(char *s)
{
    for (size_t i = 0; i < nsecrets; i++) {
        size_t n = strlen(secrets[i]);
        char *p = s;
        while ((p = strstr(p, secrets[i])) != NULL) {
            memset(p, '*', n);
            p += n;
        }
    }
}

void ec_msg_set_before_print(void (*fn)(void))
{
    before_print = fn;
}

static void emit(const char *fmt, va_list ap)
{
    ec_buf b = {0};
    ec_buf_puts(&b, "enrichcsv: ");
    ec_buf_vprintf(&b, fmt, ap);
    if (b.len == 0 || b.p[b.len - 1] != '\n')
        ec_buf_putc(&b, '\n');
    ec_msg_redact(b.p);
    if (before_print)
        before_print();
    fwrite(b.p, 1, b.len, stderr);
    fflush(stderr);
    ec_buf_free(&b);
}

void ec_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(fmt, ap);
    va_end(ap);
}

void ec_warn(const char *fmt, ...)
{
    if (quiet_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(fmt, ap);
    va_end(ap);
}

void ec_info(const char *fmt, ...)
{
    if (quiet_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(fmt, ap);
    va_end(ap);
}

void ec_verbose(const char *fmt, ...)
{
    if (!verbose_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(fmt, ap);
    va_end(ap);
}

int ec_msg_verbose(void)
{
    return verbose_level;
}

void ec_msg_cleanup(void)
{
    for (size_t i = 0; i < nsecrets; i++) {
        memset(secrets[i], 0, strlen(secrets[i]));
        free(secrets[i]);
    }
    free(secrets);
    secrets = NULL;
    nsecrets = 0;
}

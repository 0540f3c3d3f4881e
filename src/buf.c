/* buf.c - growable byte buffers. */
#include "config.h"
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Out of memory: exit 1 with the reason (SPEC: internal errors exit 1).
 * _exit, not exit: no atexit handler or stdio flush that could allocate;
 * the journal is readable as it stands (each frame is written whole). */
static void oom(void)
{
    static const char msg[] = "enrichcsv: out of memory\n";
    if (write(2, msg, sizeof msg - 1) < 0) {
        /* nothing more to do */
    }
    _exit(1);
}

void *ec_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *ec_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *ec_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

char *ec_xstrdup(const char *s)
{
    return ec_xstrndup(s, strlen(s));
}

char *ec_xstrndup(const char *s, size_t n)
{
    char *p = ec_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void ec_buf_reserve(ec_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->p = ec_xrealloc(b->p, cap);
    b->cap = cap;
    b->p[b->len] = '\0'; /* a fresh buffer is a valid empty string at once */
}

void ec_buf_put(ec_buf *b, const void *data, size_t len)
{
    ec_buf_reserve(b, len);
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
}

void ec_buf_puts(ec_buf *b, const char *s)
{
    ec_buf_put(b, s, strlen(s));
}

void ec_buf_putc(ec_buf *b, char c)
{
    ec_buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void ec_buf_vprintf(ec_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    ec_buf_reserve(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ec_buf_printf(ec_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ec_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void ec_buf_clear(ec_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void ec_buf_free(ec_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *ec_buf_take(ec_buf *b)
{
    char *p = b->p ? b->p : ec_xstrdup("");
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

int ec_str_eq(ec_str a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && (n == 0 || memcmp(a.ptr, lit, n) == 0);
}

ec_str ec_str_c(const char *s)
{
    ec_str r = {s, s ? strlen(s) : 0};
    return r;
}

int ec_pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO; /* the file ends first */
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

int ec_pwrite_full(int fd, const void *buf, size_t n, uint64_t off)
{
    for (size_t done = 0; done < n;) {
        ssize_t w = pwrite(fd, (const char *)buf + done, n - done, (off_t)(off + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

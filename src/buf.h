/* buf.h - growable byte buffers and borrowed byte strings.
 * Used everywhere: readers, writers, JSON building, HTTP bodies. */
#ifndef EC_BUF_H
#define EC_BUF_H

#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

/* A borrowed run of bytes; not NUL-terminated unless said so. */
typedef struct ec_str {
    const char *ptr;
    size_t len;
} ec_str;

/* An owned, growable buffer. p is always NUL-terminated when cap > 0.
 * Zero-initialise ({0}) to get an empty buffer; free with ec_buf_free. */
typedef struct ec_buf {
    char *p;
    size_t len;
    size_t cap;
} ec_buf;

/* Make room for at least extra more bytes (plus the NUL). Aborts on OOM. */
void ec_buf_reserve(ec_buf *b, size_t extra);
/* Append len bytes. */
void ec_buf_put(ec_buf *b, const void *data, size_t len);
/* Append a NUL-terminated string. */
void ec_buf_puts(ec_buf *b, const char *s);
/* Append one byte. */
void ec_buf_putc(ec_buf *b, char c);
/* Append printf-formatted text. */
void ec_buf_printf(ec_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ec_buf_vprintf(ec_buf *b, const char *fmt, va_list ap);
/* Empty the buffer, keeping its storage. */
void ec_buf_clear(ec_buf *b);
/* Release storage and zero the struct. */
void ec_buf_free(ec_buf *b);
/* Give the bytes to the caller (malloc'd, NUL-terminated, never NULL); the buffer is left empty. */
char *ec_buf_take(ec_buf *b);

/* Allocation wrappers: abort with a message on OOM (a lookup tool cannot
 * do anything useful without memory; callers need not check). */
void *ec_xmalloc(size_t n);
void *ec_xcalloc(size_t n, size_t size);
void *ec_xrealloc(void *p, size_t n);
char *ec_xstrdup(const char *s);
char *ec_xstrndup(const char *s, size_t n);

/* True when the strings are equal. */
int ec_str_eq(ec_str a, const char *lit);
/* Make an ec_str from a NUL-terminated string. */
ec_str ec_str_c(const char *s);

/* Read exactly n bytes of fd at off (pread, EINTR retried): 0, or -1 with
 * errno (EIO when the file ends first). */
int ec_pread_full(int fd, void *buf, size_t n, uint64_t off);
/* Write n bytes to fd at off (pwrite, EINTR retried): 0, or -1 with errno. */
int ec_pwrite_full(int fd, const void *buf, size_t n, uint64_t off);

#endif

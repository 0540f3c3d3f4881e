/* libcsv_copy.c - the practical limit for a CSV filter on this machine: read
 * CSV from stdin with libcsv and write every record back to stdout (a field
 * quoted, by csv_fwrite, only when it holds a comma, quote or line end, as
 * enrichcsv does), nothing else. bench/replay times
 * enrichcsv's journal replay against it. Built by bench/replay with cc.
 *
 * usage: libcsv_copy < in.csv > out.csv */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct copy {
    FILE *out;
    int first; /* no field written yet in this record */
} copy;

static void on_field(void *s, size_t len, void *ctx)
{
    copy *c = ctx;
    if (!c->first)
        putc(',', c->out);
    c->first = 0;
    if (memchr(s, ',', len) || memchr(s, '"', len) || memchr(s, '\n', len) || memchr(s, '\r', len))
        csv_fwrite(c->out, s, len);
    else
        fwrite(s, 1, len, c->out);
}

static void on_record(int end, void *ctx)
{
    copy *c = ctx;
    (void)end;
    putc('\n', c->out);
    c->first = 1;
}

int main(void)
{
    struct csv_parser p;
    static char buf[1 << 16];
    static char obuf[1 << 16];
    copy c = {stdout, 1};
    size_t n;
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    if (csv_init(&p, CSV_APPEND_NULL) != 0)
        return 1;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        if (csv_parse(&p, buf, n, on_field, on_record, &c) != n) {
            fprintf(stderr, "libcsv_copy: %s\n", csv_strerror(csv_error(&p)));
            return 1;
        }
    }
    csv_fini(&p, on_field, on_record, &c);
    csv_free(&p);
    return fflush(stdout) == 0 ? 0 : 1;
}

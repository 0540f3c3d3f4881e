/* t_harden_regress.c - regression tests for what the fuzz targets (fuzz/)
 * found, each fixed, each naming the file and function it was in. (A bug
 * still open would be a TAP TODO test; see tests/README.) */
#include "config.h"
#include "json.h"
#include "provider.h"
#include "reader.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Feed in pieces (sizes in steps, the last one repeated), finish, count rows. */
static int read_pieces(const ec_reader_opts *o, const char *in, size_t len, const size_t *steps,
                       size_t nsteps, size_t *rows, ec_row **first, ec_buf *err)
{
    ec_reader *r = ec_reader_new(o);
    size_t pos = 0, k = 0;
    int rc = 0;
    do {
        size_t n = steps[k < nsteps ? k : nsteps - 1];
        k++;
        if (n > len - pos)
            n = len - pos;
        rc = ec_reader_feed(r, in + pos, n, err);
        pos += n;
    } while (rc == 0 && pos < len);
    if (rc == 0)
        rc = ec_reader_finish(r, err);
    ec_row *row;
    *rows = 0;
    while ((row = ec_reader_next(r)) != NULL) {
        if (++*rows == 1 && first)
            *first = row;
        else
            ec_row_free(row);
    }
    ec_reader_free(r);
    return rc;
}

/* src/reader.c strip_bom(): with nothing fed yet (an empty first feed) it
 * marks the BOM as checked, so a BOM in the next feed stays in the data.
 * Fix: return 0 ("need more input") when r->pre.len == 0 and !eof. */
static void bom_after_empty_feed(void)
{
    static const char in[] = "\xef\xbb\xbf{\"a\":1}\n";
    ec_reader_opts o = {EC_FMT_NDJSON, 0, 0};
    const size_t steps[] = {0, sizeof in - 1};
    size_t rows;
    ec_row *row = NULL;
    int rc = read_pieces(&o, in, sizeof in - 1, steps, 2, &rows, &row, NULL);
    ok(rc == 0 && rows == 1, "an empty feed, then a BOM and one object: one row");
    ok(row && !row->bad_input, "the BOM is still dropped after an empty first feed");
    ec_row_free(row);
}

/* src/reader.c find_header_line(): while no header line has started
 * (scan_in_line == 0), line_start is still 0, so blank lines fed in pieces
 * count towards the header line's max_record limit ("header line longer
 * than"), though fed at once they are skipped. Fix: when !r->scan_in_line,
 * drop the blank bytes already scanned from r->pre (and reset scan_pos) or
 * test the limit only when r->scan_in_line. */
static void blank_lines_before_header(void)
{
    ec_buf in = {0};
    for (int i = 0; i < 100; i++)
        ec_buf_putc(&in, '\n');
    ec_buf_puts(&in, "a,b\n1,2\n");
    ec_reader_opts o = {EC_FMT_CSV, 0, 4}; /* max_record = 16 * 4 = 64 */
    size_t rows, whole = in.len, one = 1;
    int rc = read_pieces(&o, in.p, in.len, &whole, 1, &rows, NULL, NULL);
    ok(rc == 0 && rows == 1, "100 blank lines then a header, fed at once: read");
    ec_buf err = {0};
    rc = read_pieces(&o, in.p, in.len, &one, 1, &rows, NULL, &err);
    ok(rc == 0 && rows == 1, "the same fed byte by byte");
    ec_buf_free(&err);
    ec_buf_free(&in);
}

/* src/reader.c find_header_line(): a header line longer than the limit was
 * refused when it arrived over several feeds but accepted when its end came
 * in the same feed as its start. Now refused either way. */
static void long_header_line_any_feed(void)
{
    ec_buf in = {0};
    ec_buf_puts(&in, "\"a");
    for (int i = 0; i < 80; i++)
        ec_buf_putc(&in, 'x');
    ec_buf_puts(&in, "\",b\n1,2\n");
    ec_reader_opts o = {EC_FMT_CSV, 0, 4}; /* max_record = 64 */
    size_t rows, whole = in.len, one = 1;
    int rc1 = read_pieces(&o, in.p, in.len, &whole, 1, &rows, NULL, NULL);
    int rc2 = read_pieces(&o, in.p, in.len, &one, 1, &rows, NULL, NULL);
    ok(rc1 < 0 && rc2 < 0, "an 86-byte header line, limit 64: refused fed at once (%d) and byte by byte (%d)",
       rc1, rc2);
    ec_buf_free(&in);
}

/* src/reader.c sniff_format(): with -i auto, blank lines longer than the
 * record limit before a '{' made a reading fed in pieces settle on CSV,
 * while one fed at once found the '{' (NDJSON). Now blank bytes are
 * bounded on their own (EC_READER_MAX_BLANK), as before a CSV header. */
static void auto_format_after_blank_lines(void)
{
    ec_buf in = {0};
    for (int i = 0; i < 100; i++)
        ec_buf_puts(&in, "\r\n");
    ec_buf_puts(&in, "{\"a\":1}\n");
    ec_reader_opts o = {EC_FMT_AUTO, 0, 4}; /* max_record = 64 */
    size_t whole = in.len, one = 1, rows1, rows2;
    /* as NDJSON: one row; as CSV the object would be the header, no row */
    read_pieces(&o, in.p, in.len, &whole, 1, &rows1, NULL, NULL);
    read_pieces(&o, in.p, in.len, &one, 1, &rows2, NULL, NULL);
    ok(rows1 == 1 && rows2 == 1,
       "200 blank bytes, then an object, -i auto: NDJSON fed at once and byte by byte");
    ec_buf_free(&in);
}

/* src/ndjson_in.c: a blank line longer than the line limit came out as a
 * bad row ("line longer than"); it is a blank line like any other. */
static void overlong_blank_ndjson_line(void)
{
    ec_buf in = {0};
    for (int i = 0; i < 100; i++)
        ec_buf_puts(&in, " \t\r");
    ec_buf_puts(&in, "\n{\"a\":1}\n");
    for (int i = 0; i < 100; i++)
        ec_buf_puts(&in, "x");
    ec_buf_puts(&in, "\n");
    ec_reader_opts o = {EC_FMT_NDJSON, 0, 4}; /* max_record = 64 */
    size_t whole = in.len, one = 1, rows1, rows2;
    ec_row *first = NULL;
    read_pieces(&o, in.p, in.len, &whole, 1, &rows1, &first, NULL);
    ok(rows1 == 2 && first && !first->bad_input && first->line == 2,
       "a 300-byte blank line, an object, a 100-byte text line: the object (line 2) and one bad row");
    ec_row_free(first);
    read_pieces(&o, in.p, in.len, &one, 1, &rows2, NULL, NULL);
    is_int(rows2, 2, "the same fed byte by byte");
    ec_buf_free(&in);
}

/* src/csv_in.c trim(): the bytes of an over-long field that trim() drops
 * are not scanned for line ends, so when the field spans feeds the physical
 * line count falls behind and later rows get wrong "line N" numbers. Fix:
 * in trim(), before cutting, add count_line_ends() of the dropped bytes
 * (entry_buf[keep - 1 .. entry_pos - 2]) to c->line when the field is
 * quoted (c->p.quoted), minding a CR at the cut followed by LF. */
/* The line of the one-field record, the input fed in two pieces at split. */
static unsigned long bad_line_split(const ec_buf *in, size_t split)
{
    ec_reader_opts o = {EC_FMT_CSV, ',', 4};
    ec_reader *r = ec_reader_new(&o);
    ec_reader_feed(r, in->p, split, NULL);
    ec_reader_feed(r, in->p + split, in->len - split, NULL);
    ec_reader_finish(r, NULL);
    ec_row *row;
    unsigned long line_bad = 0;
    while ((row = ec_reader_next(r)) != NULL) {
        if (row->ncells == 1)
            line_bad = row->line;
        ec_row_free(row);
    }
    ec_reader_free(r);
    return line_bad;
}

static void line_numbers_after_cut_field(void)
{
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    for (int e = 0; e < 3; e++) {
        ec_buf in = {0};
        ec_buf_puts(&in, "h,i");
        ec_buf_puts(&in, ends[e]);
        ec_buf_puts(&in, "\"");
        for (int i = 0; i < 10; i++) {
            ec_buf_puts(&in, "xy");
            ec_buf_puts(&in, ends[e]);
        }
        ec_buf_puts(&in, "\",1");
        ec_buf_puts(&in, ends[e]);
        ec_buf_puts(&in, "row,2");
        ec_buf_puts(&in, ends[e]);
        ec_buf_puts(&in, "bad");
        ec_buf_puts(&in, ends[e]);
        ec_reader_opts o = {EC_FMT_CSV, ',', 4};
        size_t whole = in.len, one = 1, rows, rows1;
        ec_row *first = NULL;
        read_pieces(&o, in.p, in.len, &whole, 1, &rows, &first, NULL);
        ec_row_free(first);
        first = NULL;
        read_pieces(&o, in.p, in.len, &one, 1, &rows1, &first, NULL);
        ec_row_free(first);
        ok(rows == 3 && rows1 == 3, "line ends %d: three records around an over-long quoted field", e);
        /* the third record "bad" (one field) is on line 14, wherever the
         * input is cut in two */
        size_t wrong = 0, at = 0;
        for (size_t split = 0; split <= in.len; split++)
            if (bad_line_split(&in, split) != 14 && wrong++ == 0)
                at = split;
        ok(wrong == 0, "line ends %d: line numbers right after a field cut, at every split (%zu wrong, first at %zu)",
           e, wrong, at);
        ec_buf_free(&in);
    }
}

/* An empty input with -i auto: start_csv() used to do NULL + 0 (UBSan with
 * clang); fixed in src/reader.c. */
static void empty_auto_input(void)
{
    ec_reader_opts o = {EC_FMT_AUTO, 0, 0};
    ec_reader *r = ec_reader_new(&o);
    ok(ec_reader_finish(r, NULL) == 0 && ec_reader_format(r) == EC_FMT_CSV,
       "empty input, -i auto: CSV, no error");
    ec_reader_free(r);
}

/* src/prov_openfunnel.c put_id(): a people id made of digits was written as
 * a bare JSON number, so "051" (jsmn accepts [051] in an answer) made the
 * enrichment POST body invalid JSON; now it goes out as a string. */
extern const ec_provider ec_prov_openfunnel;
static void openfunnel_leading_zero_id(void)
{
    const ec_provider *p = &ec_prov_openfunnel;
    ec_pctx ctx = {.base_url = "http://127.0.0.1:9", .fields = EC_WANT_EMAIL};
    ec_auth auth = {"k", "u@example.com"};
    ec_lookup L = {0};
    L.key = "k1";
    L.id[EC_F_ACCOUNT_ID] = "1";
    ec_lookup *items[1] = {&L};
    ec_batch b = {0};
    b.items = items;
    b.n = 1;
    b.fields = EC_WANT_EMAIL;
    b.idem_key = "i";
    ec_reqs q = {0}, more = {0};
    ec_buf msg = {0};
    p->start(&ctx, &auth, &b, &q, &msg);
    static const char sub[] = "{\"job_id\":\"j1\",\"status\":\"pending\"}";
    static const char done[] = "{\"job_id\":\"j1\",\"status\":\"completed\",\"people_ids\":[051]}";
    ec_response r1 = {200, sub, sizeof sub - 1, NULL, -1};
    p->handle(&ctx, &b, &q.v[0], &r1, &more, &msg);
    ec_reqs poll = more;
    memset(&more, 0, sizeof more);
    ec_response r2 = {200, done, sizeof done - 1, NULL, -1};
    if (poll.n)
        p->handle(&ctx, &b, &poll.v[0], &r2, &more, &msg);
    const char *body = NULL;
    for (size_t i = 0; i < more.n; i++)
        if (more.v[i].body && strstr(more.v[i].body, "people_ids"))
            body = more.v[i].body;
    ok(body != NULL, "a completed discovery leads to the enrichment POST");
    ok(body && ec_json_check(body, strlen(body), NULL, NULL) == 0,
       "its body is valid JSON although the answer said 051");
    ec_reqs_free(&q);
    ec_reqs_free(&poll);
    ec_reqs_free(&more);
    ec_buf_free(&msg);
    p->free_state(&b);
    ec_outcome_clear(&L.out);
}

/* src/prov_openfunnel_state.c resume_account(): a checkpoint naming an
 * account twice (only a hand-edited journal does) overwrote, and leaked, the
 * first entry's job. Now the first entry counts (and LeakSanitizer, in the
 * sanitizer build, sees no leak). */
static void openfunnel_account_named_twice(void)
{
    const ec_provider *p = &ec_prov_openfunnel;
    ec_pctx ctx = {.base_url = "http://127.0.0.1:9", .fields = EC_WANT_EMAIL};
    ec_lookup L = {0};
    L.key = "k1";
    L.id[EC_F_ACCOUNT_ID] = "1";
    ec_lookup *items[1] = {&L};
    ec_batch b = {0};
    b.items = items;
    b.n = 1;
    b.fields = EC_WANT_EMAIL;
    b.idem_key = "i";
    static const char cp[] = "{\"accounts\":[{\"key\":\"k1\",\"stage\":\"polling\",\"job\":\"first\"},"
                             "{\"key\":\"k1\",\"stage\":\"polling\",\"job\":\"second\"}]}";
    ec_reqs q = {0};
    ec_buf msg = {0};
    int rc = p->resume(&ctx, &b, cp, &q, &msg);
    ok(rc == 0 && q.n == 1 && strstr(q.v[0].url, "first") && !strstr(q.v[0].url, "second"),
       "an account named twice in a checkpoint: the first entry's job is polled");
    ec_reqs_free(&q);
    ec_buf_free(&msg);
    p->free_state(&b);
    ec_outcome_clear(&L.out);
}

int main(void)
{
    bom_after_empty_feed();
    blank_lines_before_header();
    long_header_line_any_feed();
    auto_format_after_blank_lines();
    overlong_blank_ndjson_line();
    line_numbers_after_cut_field();
    empty_auto_input();
    openfunnel_leading_zero_id();
    openfunnel_account_named_twice();
    return tap_done();
}

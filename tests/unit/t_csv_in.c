/* t_csv_in.c - the CSV reader: BOM, line ends, sniffing, quoting, line
 * numbers, bad input, limits, and that chunk boundaries never matter. */
#include "config.h"
#include "io_test.h"
#include "linescan.h"
#include "tap.h"

#include <stdio.h>

/* A printable account of everything the reader produced. */
static char *describe(ec_reader *r, const rowlist *rl, int rc)
{
    ec_buf b = {0};
    const ec_header *h = ec_reader_header(r);
    ec_buf_printf(&b, "rc=%d fmt=%d delim=%d crlf=%d hdr=", rc, ec_reader_format(r),
                  ec_reader_delimiter(r), ec_reader_crlf(r));
    for (size_t i = 0; i < h->n; i++)
        ec_buf_printf(&b, "[%s]", h->names[i]);
    for (size_t i = 0; i < rl->n; i++) {
        const ec_row *row = rl->v[i];
        ec_buf_printf(&b, "\n#%llu L%lu %s:", (unsigned long long)row->seq, row->line,
                      row->bad_input ? row->bad_input : "ok");
        for (size_t c = 0; c < row->ncells; c++) {
            ec_buf_putc(&b, '[');
            ec_buf_put(&b, row->cells[c].value.ptr, row->cells[c].value.len);
            ec_buf_putc(&b, ']');
        }
    }
    return ec_buf_take(&b);
}

/* Read in whole, byte by byte and in random chunks; all three must agree.
 * Returns the whole-input reading in *r_out/rl (caller frees). */
static ec_reader *read3(const char *in, size_t len, const ec_reader_opts *o, rowlist *rl, int *rc,
                        const char *what)
{
    ec_buf err = {0};
    ec_reader *r = read_chunks(in, len, o, 0, rl, &err, rc);
    char *want = describe(r, rl, *rc);
    size_t chunks[2] = {1, (size_t)-1};
    int same = 1;
    for (int k = 0; k < 2; k++) {
        rowlist other = {0};
        int rc2;
        ec_buf err2 = {0};
        ec_reader *r2 = read_chunks(in, len, o, chunks[k], &other, &err2, &rc2);
        char *got = describe(r2, &other, rc2);
        if (strcmp(got, want) != 0) {
            same = 0;
            printf("# chunked %d:\n# %s\n# whole:\n# %s\n", k, got, want);
        }
        free(got);
        ec_buf_free(&err2);
        rows_free(&other);
        ec_reader_free(r2);
    }
    ok(same, "%s: same rows whole, byte by byte and in random chunks", what);
    free(want);
    ec_buf_free(&err);
    return r;
}

static ec_reader *read_str(const char *in, const ec_reader_opts *o, rowlist *rl, const char *what)
{
    int rc;
    ec_reader *r = read3(in, strlen(in), o, rl, &rc, what);
    is_int(rc, 0, "%s: read without fatal error", what);
    return r;
}

static int bad_has(const ec_row *row, const char *needle)
{
    return row && row->bad_input && strstr(row->bad_input, needle);
}

static void basics(void)
{
    rowlist rl = {0};
    ec_reader *r = read_str("a,b,c\n1,2,3\n4,5,6\n", NULL, &rl, "LF file");
    const ec_header *h = ec_reader_header(r);
    ok(ec_reader_has_header(r) && h->n == 3 && !strcmp(h->names[2], "c"), "header a,b,c");
    is_int(ec_reader_format(r), EC_FMT_CSV, "format sniffed as CSV");
    is_int(ec_reader_crlf(r), 0, "LF header: crlf 0");
    is_int(rl.n, 2, "two rows");
    ok(rl.n == 2 && rl.v[0]->seq == 0 && rl.v[1]->seq == 1, "seq 0 and 1");
    ok(rl.n == 2 && rl.v[0]->line == 2 && rl.v[1]->line == 3, "lines 2 and 3");
    is_str(cellv(rl.v[1], 2), "6", "cell value");
    ok(rl.n == 2 && rl.v[0]->cells[1].col == 1 &&
           rl.v[0]->cells[1].raw.ptr == rl.v[0]->cells[1].value.ptr,
       "col index and raw == value");
    ok(!rl.v[0]->bad_input, "good row has no bad_input");
    is_int(ec_reader_bytes(r), 18, "bytes counted");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("a,b\r\n1,2\r\n", NULL, &rl, "CRLF file");
    is_int(ec_reader_crlf(r), 1, "CRLF header: crlf 1");
    ok(rl.n == 1 && !strcmp(cellv(rl.v[0], 1), "2"), "CR not part of the last field");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("\xEF\xBB\xBFname,x\n1,2\n", NULL, &rl, "BOM");
    is_str(ec_reader_header(r)->names[0], "name", "BOM stripped from the first name");
    is_int(ec_reader_bytes(r), 14, "bytes include the BOM");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("a,b\n1,2", NULL, &rl, "no final newline");
    ok(rl.n == 1 && !strcmp(cellv(rl.v[0], 1), "2") && !rl.v[0]->bad_input,
       "final line without newline read");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("a,b\r1,2\r3,4", NULL, &rl, "CR line ends");
    ok(rl.n == 2 && rl.v[1]->line == 3 && !strcmp(cellv(rl.v[1], 0), "3"), "lone CR ends lines");
    rows_free(&rl);
    ec_reader_free(r);

    r = ec_reader_new(NULL);
    is_int(ec_reader_format(r), EC_FMT_AUTO, "format AUTO before any input");
    ok(ec_reader_finish(r, NULL) == 0 && !ec_reader_has_header(r) && !ec_reader_next(r),
       "empty input: no header, no rows, no error");
    ec_reader_free(r);

    r = read_str("a,b\n", NULL, &rl, "header only");
    ok(ec_reader_has_header(r) && rl.n == 0, "header only: header, no rows");
    rows_free(&rl);
    ec_reader_free(r);
    ec_reader_opts bad = {EC_FMT_CSV, '"', 0};
    ok(ec_reader_new(&bad) == NULL, "a quote cannot be the delimiter");
}

static void sniffing(void)
{
    struct {
        const char *in;
        char want;
        const char *what;
    } cases[] = {
        {"a;b;c\n1;2;3\n", ';', "semicolon"},
        {"a\tb\tc\n1\t2\t3\n", '\t', "tab"},
        {"a|b|c\n1|2|3\n", '|', "pipe"},
        {"a,b,c\n1,2,3\n", ',', "comma"},
        {"a,b;c\n", ',', "tie goes to comma"},
        {"abc\n", ',', "no candidate: comma"},
        {"\"x;y;z\",b\n1,2\n", ',', "quoted semicolons not counted"},
        {"\n\r\na;b\n", ';', "sniffed from the first non-empty line"},
        {"\"multi\nline;;;\";b;c,d\n", ';', "quoted newline in the header line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rowlist rl = {0};
        ec_reader *r = read_str(cases[i].in, NULL, &rl, cases[i].what);
        is_int(ec_reader_delimiter(r), cases[i].want, "sniff: %s", cases[i].what);
        rows_free(&rl);
        ec_reader_free(r);
    }
    ec_reader_opts o = {EC_FMT_CSV, ';', 0};
    rowlist rl = {0};
    ec_reader *r = read_str("a,b;c\n1,2;3\n", &o, &rl, "-d ;");
    ok(ec_reader_delimiter(r) == ';' && ec_reader_header(r)->n == 2 &&
           !strcmp(ec_reader_header(r)->names[0], "a,b"),
       "-d overrides sniffing");
    rows_free(&rl);
    ec_reader_free(r);
    o.delimiter = '\t';
    r = read_str("a,b\tc\n1,2\t3\n", &o, &rl, "-d TAB");
    ok(rl.n == 1 && !strcmp(cellv(rl.v[0], 0), "1,2"), "-d TAB: comma is data");
    rows_free(&rl);
    ec_reader_free(r);
}

static void quoting(void)
{
    rowlist rl = {0};
    ec_reader *r = read_str("h1,h2\n\"x,y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",  z \n"
                            "\"\",\"\"\n a , \" q\" \n",
                            NULL, &rl, "quoting");
    is_int(rl.n, 4, "four records");
    is_str(cellv(rl.v[0], 0), "x,y", "quoted delimiter");
    is_str(cellv(rl.v[0], 1), "he said \"hi\"", "doubled quotes");
    is_str(cellv(rl.v[1], 0), "multi\nline", "newline in a quoted field");
    is_str(cellv(rl.v[1], 1), "  z ", "leading and trailing spaces kept");
    ok(rl.v[2]->ncells == 2 && rl.v[2]->cells[0].value.len == 0, "empty quoted fields");
    is_str(cellv(rl.v[3], 0), " a ", "spaces around an unquoted field kept");
    is_str(cellv(rl.v[3], 1), " \" q\" ", "quote after a space is data");
    ok(!rl.v[3]->bad_input, "that is not bad input");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("a,b\n5'10\",x\n", NULL, &rl, "stray quote");
    ok(rl.n == 1 && !strcmp(cellv(rl.v[0], 0), "5'10\"") && !rl.v[0]->bad_input,
       "quote inside an unquoted field is data");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("a,b\n\"x\"y,2\n3,4\n", NULL, &rl, "text after closing quote");
    ok(rl.n == 2, "no record lost after malformed quoting");
    is_str(cellv(rl.v[0], 0), "xy", "closing quote dropped, text kept");
    ok(bad_has(rl.v[0], "line 2: field 1: text after a closing quote"), "flagged: %s",
       rl.v[0]->bad_input ? rl.v[0]->bad_input : "(none)");
    ok(rl.n == 2 && !rl.v[1]->bad_input && !strcmp(cellv(rl.v[1], 1), "4"), "next row intact");
    rows_free(&rl);
    ec_reader_free(r);
}

static void line_numbers(void)
{
    rowlist rl = {0};
    ec_reader *r =
        read_str("a,b,c\n1,\"two\nlines\",3\n4,5\n6,7,8,9\n10,11,12\n", NULL, &rl, "ragged");
    is_int(rl.n, 4, "four rows");
    ok(!rl.v[0]->bad_input && rl.v[0]->line == 2, "multi-line record at line 2 is fine");
    ok(rl.v[1]->line == 4, "next record starts at physical line 4");
    is_str(rl.v[1]->bad_input, "line 4: 2 fields, header has 3", "short row message");
    is_int(rl.v[1]->ncells, 2, "short row keeps its fields");
    is_str(rl.v[2]->bad_input, "line 5: 4 fields, header has 3", "long row message");
    ok(rl.v[2]->ncells == 4 && !strcmp(cellv(rl.v[2], 3), "9"), "extra field kept");
    ok(!rl.v[3]->bad_input && rl.v[3]->line == 6, "good row after ragged ones");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("a\r\n\"x\r\ny\"\r\nz\r\n", NULL, &rl, "CRLF inside quotes");
    ok(rl.n == 2 && rl.v[0]->line == 2 && rl.v[1]->line == 4, "CRLF in a field counts once");
    is_str(cellv(rl.v[0], 0), "x\r\ny", "CRLF kept in the field");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("\n\na,b\n\n1,2\n\r\n\n3,4\n\n", NULL, &rl, "blank lines");
    ok(ec_reader_header(r)->n == 2, "blank lines before the header skipped");
    is_int(rl.n, 2, "blank lines are not rows");
    ok(rl.n == 2 && rl.v[0]->line == 5 && rl.v[1]->line == 8, "blank lines still count: 5, 8");
    rows_free(&rl);
    ec_reader_free(r);

    /* quoted line ends far from any quote (the parser sees 64 KiB at a time) */
    ec_buf big = {0};
    ec_buf_puts(&big, "a,b\n\"");
    for (int i = 0; i < 30000; i++)
        ec_buf_puts(&big, "line\n");
    ec_buf_puts(&big, "\",1\nz,2\n\"x\ny\"");
    for (int i = 0; i < 70000; i++)
        ec_buf_putc(&big, 'z');
    ec_buf_puts(&big, ",2\n3,4\n");
    r = read_str(big.p, NULL, &rl, "long multi-line fields");
    ok(rl.n == 4 && rl.v[1]->line == 30003 && rl.v[2]->line == 30004 && rl.v[3]->line == 30006,
       "line numbers after 150 KB of quoted lines and a quoted start with a long tail");
    ok(rl.n == 4 && bad_has(rl.v[2], "line 30004: field 1: text after a closing quote"),
       "text after the closing quote flagged");
    rows_free(&rl);
    ec_reader_free(r);
    ec_buf_free(&big);

    r = read_str("a\n \n", NULL, &rl, "space-only line");
    ok(rl.n == 1 && !strcmp(cellv(rl.v[0], 0), " "), "a line with a space is a record");
    rows_free(&rl);
    ec_reader_free(r);
}

static void bad_input(void)
{
    rowlist rl = {0};
    ec_reader *r = read_str("a,b\n1,\xff\n2,ok\n", NULL, &rl, "invalid UTF-8");
    is_str(rl.v[0]->bad_input, "line 2: field 2 (b) is not valid UTF-8", "invalid UTF-8 flagged");
    ok(rl.v[0]->cells[1].value.len == 1 && rl.v[0]->cells[1].value.ptr[0] == '\xff',
       "bytes kept as they are");
    ok(!rl.v[1]->bad_input, "next row fine");
    rows_free(&rl);
    ec_reader_free(r);

    r = read_str("a,b\n1,2\n3,\"open\n4,5\n", NULL, &rl, "unterminated quote");
    is_int(rl.n, 2, "the open record is still a row");
    is_str(rl.v[1]->bad_input, "line 3: quoted field not closed at end of input",
           "unterminated quote flagged with its line");
    is_str(cellv(rl.v[1], 1), "open\n4,5\n", "it holds the rest of the input");
    rows_free(&rl);
    ec_reader_free(r);
}

static void limits(void)
{
    rowlist rl = {0};
    ec_reader *r;
    ec_reader_opts o = {EC_FMT_AUTO, 0, 16};
    r = read_str("a,b\n1,\"0123456789abcdefXYZ\"\n2,0123456789abcdef\n3,0123456789abcdefg\n", &o,
                 &rl, "oversize field");
    is_int(rl.n, 3, "three rows");
    ok(bad_has(rl.v[0], "line 2: field 2 longer than 16 bytes"), "oversize flagged: %s",
       rl.v[0]->bad_input ? rl.v[0]->bad_input : "(none)");
    is_str(cellv(rl.v[0], 1), "0123456789abcdef", "cut to max_field");
    ok(!rl.v[1]->bad_input, "exactly max_field is fine");
    ok(bad_has(rl.v[2], "line 4: field 2 longer"), "one byte over is flagged");
    rows_free(&rl);
    ec_reader_free(r);

    /* a field far bigger than one parser slice, with the limit in between */
    size_t big = 300000;
    char *in = malloc(big + 64);
    strcpy(in, "a,b\n1,\"");
    memset(in + 7, 'x', big);
    strcpy(in + 7 + big, "\"\n2,3\n");
    o.max_field = 100000;
    int rc;
    r = read3(in, strlen(in), &o, &rl, &rc, "huge field");
    ok(rl.n == 2 && rl.v[0]->cells[1].value.len == 100000 && bad_has(rl.v[0], "longer than"),
       "huge field cut to 100000 bytes and flagged");
    ok(rl.n == 2 && !rl.v[1]->bad_input && !strcmp(cellv(rl.v[1], 1), "3"), "next row intact");
    rows_free(&rl);
    ec_reader_free(r);
    free(in);

    o.max_field = 10; /* records up to 160 bytes */
    r = read_str("a\n123456789,123456789,123456789,123456789,123456789,123456789,123456789,"
                 "123456789,123456789,123456789,123456789,123456789,123456789,123456789,"
                 "123456789,123456789,123456789\nz\n",
                 &o, &rl, "record too long");
    ok(rl.n == 2 && bad_has(rl.v[0], "record longer than 160 bytes"), "long record flagged");
    ok(rl.n == 2 && rl.v[0]->ncells == 16, "fields up to the limit kept (%zu)",
       rl.n ? rl.v[0]->ncells : 0);
    rows_free(&rl);
    ec_reader_free(r);

    size_t nf = 70000;
    in = malloc(nf + 16);
    strcpy(in, "a\n");
    memset(in + 2, ',', nf);
    strcpy(in + 2 + nf, "\n");
    r = read_chunks(in, strlen(in), NULL, 0, &rl, NULL, &rc);
    ok(rl.n == 1 && rl.v[0]->ncells == 65536 && bad_has(rl.v[0], "more than 65536 fields"),
       "field count limited");
    rows_free(&rl);
    ec_reader_free(r);
    free(in);
}

static void fatal_header(void)
{
    struct {
        const char *in;
        const char *msg;
    } cases[] = {
        {"a,\xff\n1,2\n", "bad header: line 1: field 2 is not valid UTF-8"},
        {"a,\"b\n1,2\n", "bad header: line 1: quoted field not closed at end of input"},
        {"\"a\"x,b\n1,2\n", "bad header: line 1: field 1: text after a closing quote"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rowlist rl = {0};
        ec_buf err = {0};
        int rc;
        ec_reader *r = read_chunks(cases[i].in, strlen(cases[i].in), NULL, 0, &rl, &err, &rc);
        is_int(rc, -1, "fatal header %zu", i);
        is_str(err.p, cases[i].msg, "fatal header message %zu", i);
        ok(ec_reader_feed(r, "x", 1, NULL) == -1, "reader stays failed");
        rows_free(&rl);
        ec_buf_free(&err);
        ec_reader_free(r);
    }
}

static void formats(void)
{
    rowlist rl = {0};
    ec_reader *r = read_str(" \r\n\t{\"a\":1}\n", NULL, &rl, "auto NDJSON");
    is_int(ec_reader_format(r), EC_FMT_NDJSON, "first non-blank '{' means NDJSON");
    rows_free(&rl);
    ec_reader_free(r);
    r = read_str("\xEF\xBB\xBF{\"a\":1}\n", NULL, &rl, "BOM then NDJSON");
    ok(ec_reader_format(r) == EC_FMT_NDJSON && rl.n == 1 && !rl.v[0]->bad_input,
       "BOM before NDJSON");
    rows_free(&rl);
    ec_reader_free(r);
    ec_reader_opts o = {EC_FMT_CSV, 0, 0};
    r = read_str("{a,b}\n1,2\n", &o, &rl, "-i csv");
    ok(ec_reader_format(r) == EC_FMT_CSV && ec_reader_header(r)->n == 2, "-i csv forces CSV");
    rows_free(&rl);
    ec_reader_free(r);
    ok(ec_reader_feed(r = ec_reader_new(NULL), "a\n", 2, NULL) == 0 &&
           ec_reader_finish(r, NULL) == 0 && ec_reader_feed(r, "b", 1, NULL) == -1,
       "feeding after finish fails");
    ec_reader_free(r);
}

/* What ec_line_scan must say of s[0..n), worked out the plainest way. */
static unsigned scan_ref(const char *s, size_t n, char delim, ec_line_pos *lp)
{
    const char *cr = memchr(s, '\r', n);
    size_t upto = cr ? (size_t)(cr - s) : n;
    unsigned fl = cr ? EC_LS_CR : 0;
    lp->nd = lp->nq = 0;
    for (size_t i = 0; i < upto; i++) {
        if (s[i] == delim && lp->nd++ < lp->dmax)
            lp->d[lp->nd - 1] = (uint32_t)i;
        if (s[i] == '"' && lp->nq++ < lp->qmax)
            lp->q[lp->nq - 1] = (uint32_t)i;
        fl |= (unsigned char)s[i] >= 0x80 ? EC_LS_HIGH : 0;
        fl |= s[i] == '"' ? EC_LS_QUOTE : 0;
    }
    return fl;
}

/* The three line scanners against the reference on lines of every length
 * up to 70 (steps of 16 and 8 and their tails), over an alphabet of
 * delimiters, quotes, CRs, high bytes and plain text, with room for fewer
 * places than there are; and the reader on the lines they pass. */
static void line_scan(void)
{
    static const char alpha[] = {'a', ',', ';', '"', '\r', '\x80', '\xc3', '\xa9', 'z', '\t', ' '};
    typedef unsigned scan_fn(const char *, size_t, char, ec_line_pos *);
    scan_fn *fns[3] = {ec_line_scan, ec_line_scan_words, ec_line_scan_bytes};
    const char *names[3] = {"ec_line_scan", "ec_line_scan_words", "ec_line_scan_bytes"};
    unsigned seed = 12345;
    size_t bad[3] = {0, 0, 0}, cases = 0, seen[8] = {0};
    char line[80];
    for (size_t n = 0; n <= 70; n++)
        for (int round = 0; round < 300; round++) {
            int rare = round % 3; /* 0: all symbols, 1: no CR, 2: a CR only late */
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                char ch = alpha[(seed >> 16) % sizeof alpha];
                if (ch == '\r' && (rare == 1 || (rare == 2 && i + 3 < n)))
                    ch = 'a';
                line[i] = ch;
            }
            char delim = round % 2 ? ',' : ';';
            size_t max = (size_t)round % 5 == 0 ? 1 : 64;
            uint32_t wd[64], wq[64], gd[64], gq[64];
            ec_line_pos want = {wd, wq, max, max, 0, 0};
            unsigned wf = scan_ref(line, n, delim, &want);
            seen[wf & (EC_LS_CR | EC_LS_HIGH | EC_LS_QUOTE)]++;
            cases++;
            for (int k = 0; k < 3; k++) {
                memset(gd, 0xff, sizeof gd);
                memset(gq, 0xff, sizeof gq);
                ec_line_pos got = {gd, gq, max, max, 99, 99};
                unsigned gf = fns[k](line, n, delim, &got);
                size_t sd = want.nd < max ? want.nd : max, sq = want.nq < max ? want.nq : max;
                bad[k] += gf != wf || got.nd != want.nd || got.nq != want.nq ||
                          memcmp(gd, wd, sd * sizeof *gd) != 0 ||
                          memcmp(gq, wq, sq * sizeof *gq) != 0;
            }
        }
    for (int k = 0; k < 3; k++)
        ok(bad[k] == 0, "%s agrees with the reference on %zu lines (%zu differ)", names[k], cases,
           bad[k]);
    ok(seen[0] && seen[EC_LS_QUOTE] && seen[EC_LS_CR] && seen[EC_LS_HIGH] &&
           seen[EC_LS_CR | EC_LS_QUOTE | EC_LS_HIGH],
       "the lines had quotes, CRs, high bytes, all three, and none");
    ec_line_pos none = {NULL, NULL, 0, 0, 7, 7};
    ok(ec_line_scan("a,b,c,\"d\",e,f,g,h,i,j,k,l,m,n,o,p,q,r", 37, ',', &none) == EC_LS_QUOTE &&
           none.nd == 17 && none.nq == 2,
       "no room for places: they are still counted");

    /* the reader splits such lines (plain rows) as libcsv would */
    const char *in = "a,b,c\n1,,3\n,\xc3\xa9,\n" /* UTF-8 in a plain row */
                     "x,\xff,z\n"               /* invalid: not a plain row */
                     "1,2\n"                    /* too few fields */
                     "1,2,3,4\n"                /* too many */
                     "p,q,r\r\n";
    rowlist rl = {0};
    int rc;
    ec_reader *r = read_chunks(in, strlen(in), NULL, 0, &rl, NULL, &rc);
    ok(rl.n == 6, "six rows");
    ok(rl.n == 6 && rl.v[0]->plain == ',' && strcmp(rl.v[0]->cells[1].value.ptr, "") == 0 &&
           strcmp(rl.v[0]->cells[2].value.ptr, "3") == 0 && rl.v[0]->cells[2].value.len == 1,
       "a plain row's cells are NUL-terminated fields");
    ok(rl.n == 6 && rl.v[1]->plain == ',' && strcmp(rl.v[1]->cells[1].value.ptr, "\xc3\xa9") == 0,
       "valid UTF-8 stays in a plain row");
    ok(rl.n == 6 && rl.v[2]->bad_input && rl.v[3]->bad_input && rl.v[4]->bad_input &&
           !rl.v[5]->bad_input && rl.v[5]->plain == ',' &&
           strcmp(rl.v[5]->cells[2].value.ptr, "r") == 0,
       "bad UTF-8 and wrong field counts are reported, a CRLF line is read plain");
    rows_free(&rl);
    ec_reader_free(r);

    /* lines with quotes, regular or not, read whole (the fast path) and a
     * byte at a time (libcsv): the same rows, fields and problems */
    static const char *const bits[] = {"a", "bc", ",", ",", "\"", "\"\"", "\"x,y\"", "\"q\"\"r\"",
                                       " ", "\xc3\xa9", "\xff", "\"\"\"\"", "\"a\"b"};
    size_t differ = 0, lines = 0, quoted = 0;
    for (int round = 0; round < 3000; round++) {
        ec_buf text = {0};
        ec_buf_puts(&text, "h1,h2,h3\n");
        for (int l = 0; l < 4; l++) {
            int parts = 1 + (int)(io_rand() % 9);
            for (int k = 0; k < parts; k++)
                ec_buf_puts(&text, bits[io_rand() % (sizeof bits / sizeof bits[0])]);
            ec_buf_puts(&text, io_rand() % 5 ? "\n" : "\r\n");
            lines++;
        }
        quoted += memchr(text.p + 9, '"', text.len - 9) != NULL;
        rowlist fast = {0}, slow = {0};
        int rc1, rc2;
        ec_reader *r1 = read_chunks(text.p, text.len, NULL, 0, &fast, NULL, &rc1);
        ec_reader *r2 = read_chunks(text.p, text.len, NULL, 1, &slow, NULL, &rc2);
        int same = rc1 == rc2 && fast.n == slow.n;
        for (size_t i = 0; same && i < fast.n; i++) {
            const ec_row *x = fast.v[i], *y = slow.v[i];
            same = x->ncells == y->ncells && x->line == y->line &&
                   !x->bad_input == !y->bad_input &&
                   (!x->bad_input || strcmp(x->bad_input, y->bad_input) == 0);
            for (size_t k = 0; same && k < x->ncells; k++)
                same = x->cells[k].value.len == y->cells[k].value.len &&
                       memcmp(x->cells[k].value.ptr, y->cells[k].value.ptr,
                              x->cells[k].value.len) == 0;
        }
        if (!same && differ++ < 3)
            printf("# differs: %s", text.p);
        rows_free(&fast);
        rows_free(&slow);
        ec_reader_free(r1);
        ec_reader_free(r2);
        ec_buf_free(&text);
    }
    ok(differ == 0 && quoted > 2000,
       "%zu lines (%zu inputs with quotes) read whole and a byte at a time: same rows (%zu "
       "inputs differ)",
       lines, quoted, differ);
}

int main(void)
{
    basics();
    sniffing();
    quoting();
    line_numbers();
    bad_input();
    limits();
    fatal_header();
    formats();
    line_scan();
    return tap_done();
}

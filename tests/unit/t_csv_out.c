/* t_csv_out.c - the CSV writer: byte identity, minimal quoting, reused
 * columns, several values, --excel, ragged rows, people fan-out. */
#include "config.h"
#include "io_test.h"
#include "tap.h"

#include <stdio.h>

/* Read in (CSV), give every row status st unless already set, write with o. */
static char *convert(const char *in, const ec_writer_opts *o, enum ec_status st,
                     void (*fill)(rowlist *))
{
    rowlist rl = {0};
    int rc;
    ec_reader *r = read_chunks(in, strlen(in), NULL, 0, &rl, NULL, &rc);
    for (size_t i = 0; i < rl.n; i++)
        if (!rl.v[i]->bad_input)
            rl.v[i]->out.status = st;
    if (fill)
        fill(&rl);
    char *out = write_all(o, r, &rl);
    rows_free(&rl);
    ec_reader_free(r);
    return out;
}

static void put_field_cases(void)
{
    struct {
        const char *in;
        char delim;
        int excel;
        const char *want;
    } cases[] = {
        {"plain", ',', 0, "plain"},
        {"", ',', 0, ""},
        {"a,b", ',', 0, "\"a,b\""},
        {"a,b", ';', 0, "a,b"},
        {"a;b", ';', 0, "\"a;b\""},
        {"say \"hi\"", ',', 0, "\"say \"\"hi\"\"\""},
        {"two\nlines", ',', 0, "\"two\nlines\""},
        {"cr\rhere", ',', 0, "\"cr\rhere\""},
        {" spaced ", ',', 0, " spaced "},
        {"=1+2", ',', 0, "=1+2"},
        {"=1+2", ',', 1, "'=1+2"},
        {"+1", ',', 1, "'+1"},
        {"-1", ',', 1, "'-1"},
        {"@SUM(A1)", ',', 1, "'@SUM(A1)"},
        {"\tx", ',', 1, "'\tx"},
        {"\rx", ',', 1, "\"'\rx\""},
        {"=a,b", ',', 1, "\"'=a,b\""},
        {"a=b", ',', 1, "a=b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ec_buf b = {0};
        ec_buf_puts(&b, "");
        ec_csv_put_field(&b, cases[i].in, strlen(cases[i].in), cases[i].delim, cases[i].excel);
        is_str(b.p, cases[i].want, "field %zu quoted minimally%s", i,
               cases[i].excel ? " (excel)" : "");
        ec_buf_free(&b);
    }
}

static void round_trip(void)
{
    const char *in = "name,note,company\n"
                     "Ann,\"said \"\"hi\"\"\",Acme\n"
                     "\"Smith, Bob\",\"two\nlines\",\n"
                     ",,\n"
                     "Zo\xc3\xab, spaced ,\"a\rb\"\n"
                     "=x,-y,@z\n";
    const char *want = "name,note,company,email,phone,enrich_status\n"
                       "Ann,\"said \"\"hi\"\"\",Acme,,,not_found\n"
                       "\"Smith, Bob\",\"two\nlines\",,,,not_found\n"
                       ",,,,,not_found\n"
                       "Zo\xc3\xab, spaced ,\"a\rb\",,,not_found\n"
                       "=x,-y,@z,,,not_found\n";
    ec_writer_opts o = wopts(EC_FMT_CSV);
    char *out = convert(in, &o, EC_ST_NOT_FOUND, NULL);
    is_str(out, want, "canonical CSV comes back byte for byte, added columns after");
    free(out);

    const char *in_crlf = "a;b\r\n\"x;y\";2\r\n";
    o.delimiter = ';';
    o.crlf = 1;
    out = convert(in_crlf, &o, EC_ST_SKIPPED_NO_ID, NULL);
    is_str(out, "a;b;email;phone;enrich_status\r\n\"x;y\";2;;;skipped:no_identifier\r\n",
           "CRLF and ; kept");
    free(out);

    o = wopts(EC_FMT_CSV);
    out = convert("a,b\n\"x\",\"y\"\n", &o, EC_ST_NOT_FOUND, NULL);
    is_str(out, "a,b,email,phone,enrich_status\nx,y,,,not_found\n",
           "needless quotes are dropped (minimal quoting)");
    free(out);

    out = convert("a,b\n", &o, EC_ST_NOT_FOUND, NULL);
    is_str(out, "a,b,email,phone,enrich_status\n", "header only: header written at the end");
    free(out);
}

static void fill_reuse(rowlist *rl)
{
    set_found(rl->v[0], "found0@example.com", "+1 555 0100");
    set_found(rl->v[1], "found1@example.com", NULL);
    rl->v[2]->out.status = EC_ST_NOT_FOUND;
}

static void reuse(void)
{
    const char *in = "Name,E-mail,enrich_status\n"
                     "A,,old\n"
                     "B,b@corp.example,old\n"
                     "C,c@corp.example,\n";
    ec_writer_opts o = wopts(EC_FMT_CSV);
    char *out = convert(in, &o, EC_ST_NOT_FOUND, fill_reuse);
    is_str(out,
           "Name,E-mail,enrich_status,phone\n"
           "A,found0@example.com,enriched,+1 555 0100\n"
           "B,b@corp.example,enriched,\n"
           "C,c@corp.example,not_found,\n",
           "E-mail and status reused in place; existing email kept; status always ours");
    free(out);
    o.overwrite = 1;
    out = convert(in, &o, EC_ST_NOT_FOUND, fill_reuse);
    is_str(out,
           "Name,E-mail,enrich_status,phone\n"
           "A,found0@example.com,enriched,+1 555 0100\n"
           "B,found1@example.com,enriched,\n"
           "C,c@corp.example,not_found,\n",
           "--overwrite replaces, but never blanks a value when nothing was found");
    free(out);

    o = wopts(EC_FMT_CSV);
    o.email_col = "Work Email";
    o.phone_col = "mobile";
    o.status_col = "st";
    out = convert("work_email,x\n,1\n", &o, EC_ST_NOT_FOUND, NULL);
    is_str(out, "work_email,x,mobile,st\n,1,,not_found\n",
           "custom names: work_email reused for \"Work Email\", others appended");
    free(out);
}

static void fill_many(rowlist *rl)
{
    set_found(rl->v[0], "a@example.com", "555-0101");
    ec_values_add(&rl->v[0]->out.emails, "b@example.com", 13);
    ec_values_add(&rl->v[0]->out.phones, "555-0102", 8);
}

static void all_values(void)
{
    ec_writer_opts o = wopts(EC_FMT_CSV);
    char *out = convert("n\nx\n", &o, EC_ST_NOT_FOUND, fill_many);
    is_str(out, "n,email,phone,enrich_status\nx,a@example.com,555-0101,enriched\n",
           "first value only by default");
    free(out);
    o.all_values = 1;
    out = convert("n\nx\n", &o, EC_ST_NOT_FOUND, fill_many);
    is_str(out,
           "n,email,phone,enrich_status\nx,a@example.com; b@example.com,555-0101; 555-0102,"
           "enriched\n",
           "--all-values joins with \"; \"");
    free(out);
}

static void fill_evil(rowlist *rl)
{
    set_found(rl->v[0], "=HYPERLINK(\"x\")", "+1 555 0100");
}

static void excel(void)
{
    const char *in = "=h,b\n=1+2,@x\n-3,\tt\n";
    ec_writer_opts o = wopts(EC_FMT_CSV);
    o.excel = 1;
    char *out = convert(in, &o, EC_ST_NOT_FOUND, fill_evil);
    is_str(out,
           "\xEF\xBB\xBF'=h,b,email,phone,enrich_status\r\n"
           "'=1+2,'@x,\"'=HYPERLINK(\"\"x\"\")\",'+1 555 0100,enriched\r\n"
           "'-3,'\tt,,,not_found\r\n",
           "--excel: BOM once, CRLF, ' before = + - @ TAB in input and added values");
    free(out);
    o.excel = 0;
    out = convert(in, &o, EC_ST_NOT_FOUND, fill_evil);
    is_str(out,
           "=h,b,email,phone,enrich_status\n"
           "=1+2,@x,\"=HYPERLINK(\"\"x\"\")\",+1 555 0100,enriched\n"
           "-3,\tt,,,not_found\n",
           "without --excel bytes pass unchanged");
    free(out);
    o.excel = 1;
    out = convert("a\n\"\rx\"\n", &o, EC_ST_NOT_FOUND, NULL);
    is_str(out,
           "\xEF\xBB\xBF"
           "a,email,phone,enrich_status\r\n\"'\rx\",,,not_found\r\n",
           "--excel: CR-led cell guarded and quoted");
    free(out);
}

static void ragged(void)
{
    ec_writer_opts o = wopts(EC_FMT_CSV);
    char *out = convert("a,b,c\n1\n1,2,3,4\n", &o, EC_ST_PENDING, NULL);
    is_str(out,
           "a,b,c,email,phone,enrich_status\n"
           "1,,,,,failed:bad_input\n"
           "1,2,3,4,,,failed:bad_input\n",
           "ragged rows: missing fields empty, extra kept, failed:bad_input");
    free(out);
    out = convert("a,email\n1\n", &o, EC_ST_PENDING, fill_evil);
    is_str(out, "a,email,phone,enrich_status\n1,\"=HYPERLINK(\"\"x\"\")\",+1 555 0100,enriched\n",
           "a reused column missing from a short row is filled");
    free(out);
}

static void add_person(ec_outcome *o, const char *id, const char *name, const char *email,
                       const char *phone)
{
    o->people = ec_xrealloc(o->people, (o->npeople + 1) * sizeof *o->people);
    ec_person *p = &o->people[o->npeople++];
    memset(p, 0, sizeof *p);
    p->id = ec_xstrdup(id);
    p->name = name ? ec_xstrdup(name) : NULL;
    p->title = ec_xstrdup("CTO");
    p->linkedin_url = ec_xstrdup("https://www.linkedin.com/in/x");
    if (email)
        ec_values_add(&p->emails, email, strlen(email));
    if (phone)
        ec_values_add(&p->phones, phone, strlen(phone));
}

static void fill_people(rowlist *rl)
{
    ec_outcome *o = &rl->v[0]->out;
    o->status = EC_ST_ENRICHED;
    o->has_people = 1;
    add_person(o, "p1", "Ann", "ann@example.com", NULL);
    add_person(o, "p2", "Bo, Jr", NULL, NULL);
    rl->v[1]->out.status = EC_ST_NOT_FOUND;
    rl->v[1]->out.has_people = 1;
    rl->v[2]->out.status = EC_ST_SKIPPED_NO_ID;
}

static void people(void)
{
    ec_writer_opts o = wopts(EC_FMT_CSV);
    o.people = 1;
    char *out = convert("account_id\nacc1\nacc2\nacc3\n", &o, EC_ST_NOT_FOUND, fill_people);
    is_str(out,
           "account_id,person_id,person_name,person_title,person_linkedin_url,email,phone,"
           "enrich_status\n"
           "acc1,p1,Ann,CTO,https://www.linkedin.com/in/x,ann@example.com,,enriched\n"
           "acc1,p2,\"Bo, Jr\",CTO,https://www.linkedin.com/in/x,,,not_found\n"
           "acc2,,,,,,,not_found\n"
           "acc3,,,,,,,skipped:no_identifier\n",
           "people: a line per person, none gives one line with empty person columns");
    free(out);
}

/* Every field length up to 40 with each kind of byte at each place, in
 * lines written with each delimiter, with and without --excel: the writer
 * checks and copies fields many bytes at a time, and must write exactly
 * what ec_csv_put_field (one byte at a time) does. */
/* Each field case written to b as ec_csv_put_field does with delim and
 * excel, each followed by rest; returns how many. */
static size_t odd_fields(ec_buf *b, char delim, int excel, const char *rest)
{
    static const char odd[] = {'\n', '\r', '"', ',', ';', '\t', '|', '=', '+', '\x01', '\x7f'};
    size_t n = 0;
    for (size_t len = 0; len <= 40; len++)
        for (size_t at = 0; at < (len ? len : 1); at++)
            for (size_t k = 0; k < sizeof odd; k++, n++) {
                char v[48];
                for (size_t i = 0; i < len; i++)
                    v[i] = (char)('a' + i % 26);
                if (len)
                    v[at] = odd[k];
                ec_csv_put_field(b, v, len, delim, excel);
                ec_buf_puts(b, rest);
            }
    return n;
}

static void field_bytes(void)
{
    static const char delims[] = {',', ';', '\t', '|'};
    ec_buf in = {0};
    ec_buf_puts(&in, "h,y\n");
    size_t rows = odd_fields(&in, ',', 0, ",z\n");
    for (size_t di = 0; di < sizeof delims; di++)
        for (int ex = 0; ex < 2; ex++) {
            ec_writer_opts o = wopts(EC_FMT_CSV);
            o.delimiter = delims[di];
            o.excel = ex;
            const char *eol = ex ? "\r\n" : "\n";
            char d = delims[di], rest[32];
            ec_buf want = {0};
            if (ex)
                ec_buf_puts(&want, "\xEF\xBB\xBF");
            ec_buf_printf(&want, "h%cy%cemail%cphone%cenrich_status%s", d, d, d, d, eol);
            snprintf(rest, sizeof rest, "%cz%c%c%cnot_found%s", d, d, d, d, eol);
            odd_fields(&want, d, ex, rest);
            char *out = convert(in.p, &o, EC_ST_NOT_FOUND, NULL);
            size_t same = 0;
            while (out[same] && out[same] == want.p[same])
                same++;
            ok(strcmp(out, want.p) == 0,
               "%zu lines, delimiter 0x%02x%s: each field as ec_csv_put_field writes it%s", rows,
               (unsigned)d, ex ? ", --excel" : "", out[same] || want.p[same] ? " (differs)" : "");
            if (strcmp(out, want.p) != 0)
                printf("# first difference at byte %zu: got \"%.30s\", want \"%.30s\"\n", same,
                       out + same, want.p + same);
            free(out);
            ec_buf_free(&want);
        }
    ec_buf_free(&in);
}

/* Rows read whole from a line without quotes are written by one copy of
 * their bytes (row->plain); the same rows field by field must come out the
 * same under every option that could tell them apart. */
static void found_some(rowlist *rl)
{
    for (size_t i = 0; i < rl->n; i += 2)
        set_found(rl->v[i], "new@example.com", i % 4 ? NULL : "+1 555 0100");
}

static void not_plain(rowlist *rl)
{
    found_some(rl);
    for (size_t i = 0; i < rl->n; i++)
        rl->v[i]->plain = 0;
}

static void plain_rows(void)
{
    const char *ins[] = {"id,name,co\n1,Ann,Acme\n2,\"Smith, Bob\",x\n3,=cmd,\n4,a\tb,c;d\n5,,\n",
                         "email,name\nold@example.com,Ann\n,Bob\nx;y,\"q\"\n",
                         "a;b\r\n1;2,3\r\n\"4\";5\r\n"};
    rowlist rl = {0};
    int rc;
    ec_reader *r = read_chunks(ins[0], strlen(ins[0]), NULL, 0, &rl, NULL, &rc);
    ok(rl.n == 5 && rl.v[0]->plain == ',' && rl.v[1]->plain == 0 && rl.v[2]->plain == ',' &&
           rl.v[4]->plain == ',',
       "a line without quotes is read as a plain row, one with quotes is not");
    rows_free(&rl);
    ec_reader_free(r);
    for (size_t i = 0; i < sizeof ins / sizeof ins[0]; i++)
        for (int v = 0; v < 5; v++) {
            ec_writer_opts o = wopts(EC_FMT_CSV);
            if (i == 2)
                o.delimiter = ';';
            if (v == 1)
                o.delimiter = o.delimiter == ';' ? ',' : ';';
            if (v == 2)
                o.delimiter = '\t';
            if (v == 3)
                o.excel = 1;
            if (v == 4)
                o.crlf = 1;
            char *fast = convert(ins[i], &o, EC_ST_NOT_FOUND, found_some);
            char *slow = convert(ins[i], &o, EC_ST_NOT_FOUND, not_plain);
            is_str(fast, slow, "input %zu, variant %d: plain rows as written field by field", i, v);
            free(fast);
            free(slow);
        }
    ec_writer_opts o = wopts(EC_FMT_CSV);
    o.delimiter = ';';
    char *out = convert(ins[0], &o, EC_ST_NOT_FOUND, NULL);
    is_str(out,
           "id;name;co;email;phone;enrich_status\n1;Ann;Acme;;;not_found\n2;Smith, Bob;x;;;not_found\n"
           "3;=cmd;;;;not_found\n4;a\tb;\"c;d\";;;not_found\n5;;;;;not_found\n",
           "another output delimiter: a plain row's fields are checked for it");
    free(out);
}

int main(void)
{
    put_field_cases();
    round_trip();
    reuse();
    all_values();
    excel();
    ragged();
    people();
    field_bytes();
    plain_rows();
    return tap_done();
}

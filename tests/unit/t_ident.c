/* t_ident.c - identifier normalizers, row extraction and pinned lookup keys. */
#include "config.h"
#include "ident.h"
#include "tap.h"

#include <stdlib.h>

typedef int (*norm_fn)(const char *, size_t, ec_buf *);

/* Run a normalizer on s; returns its output (static) or NULL on -1. Also
 * checks the contract that a refusal appends nothing. */
static const char *run(norm_fn fn, const char *s)
{
    static char result[1024];
    ec_buf b = {0};
    ec_buf_puts(&b, "#");
    int rc = fn(s, strlen(s), &b);
    const char *r = NULL;
    if (rc == 0 && b.len > 1 && b.len < sizeof result) {
        memcpy(result, b.p + 1, b.len);
        r = result;
    } else if (rc == 0) {
        r = "(empty or huge success)";
    } else if (b.len != 1) {
        r = "(refused but appended)";
    }
    ec_buf_free(&b);
    return r;
}

/* The input as printable ASCII for a test description. */
static const char *show(const char *s)
{
    static char shown[1024];
    size_t k = 0;
    for (; *s && k + 5 < sizeof shown; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '#')
            k += (size_t)snprintf(shown + k, sizeof shown - k, "\\x%02x", c);
        else
            shown[k++] = (char)c;
    }
    shown[k] = '\0';
    return shown;
}

#define NORM(fn, in, want) is_str(run(fn, in), want, "%s(\"%s\")", #fn, show(in))

static void test_linkedin(void)
{
    const char *c = "linkedin.com/in/john-doe";
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john-doe", c);
    NORM(ec_norm_linkedin, "http://linkedin.com/in/john-doe/", c);
    NORM(ec_norm_linkedin, "HTTPS://WWW.LINKEDIN.COM/IN/John-Doe", c);
    NORM(ec_norm_linkedin, "www.linkedin.com/in/john-doe?trk=public_profile_browsemap", c);
    NORM(ec_norm_linkedin, "linkedin.com/in/john-doe#experience", c);
    NORM(ec_norm_linkedin, "https://uk.linkedin.com/in/john-doe", c);
    NORM(ec_norm_linkedin, "https://m.linkedin.com/in/john-doe/", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john-doe/details/experience/", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john-doe/en", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com:443/in/john-doe", c);
    NORM(ec_norm_linkedin, "in/john-doe", c);
    NORM(ec_norm_linkedin, "/in/john-doe/", c);
    NORM(ec_norm_linkedin, " \t\xc2\xa0https://www.linkedin.com/in/john-doe/\xc2\xa0\r\n", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/jos%C3%A9-garc%c3%ada",
         "linkedin.com/in/jos\xc3\xa9-garc\xc3\xad"
         "a");
    NORM(ec_norm_linkedin,
         "linkedin.com/in/jos\xc3\xa9-garc\xc3\xad"
         "a",
         "linkedin.com/in/jos\xc3\xa9-garc\xc3\xad"
         "a");
    NORM(ec_norm_linkedin, "linkedin.com/in/John%2DDoe", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/ACoAAABCdEfGh123/",
         "linkedin.com/in/ACoAAABCdEfGh123");
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/ACwAAAxYz", "linkedin.com/in/ACwAAAxYz");
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/acoaab-smith",
         "linkedin.com/in/acoaab-smith");

    /* the common spellings take a fast path: the same answers at its edges */
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john_doe-2", "linkedin.com/in/john_doe-2");
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john-doe\t", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john-doe \xc2\xa0", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john-doe/x y", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john-Doe", c);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john-doe%20", NULL);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/john.doe", "linkedin.com/in/john.doe");
    NORM(ec_norm_linkedin, "http://www.linkedin.com/in/", NULL);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/in/ACoAA", "linkedin.com/in/ACoAA");

    NORM(ec_norm_linkedin, "https://www.linkedin.com/company/acme", NULL);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/sales/lead/ACwAAA1,NAME_SEARCH,x", NULL);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/pub/john-doe/1/2/3", NULL);
    NORM(ec_norm_linkedin, "https://www.linkedin.com/", NULL);
    NORM(ec_norm_linkedin, "https://example.com/in/john-doe", NULL);
    NORM(ec_norm_linkedin, "https://notlinkedin.com/in/john-doe", NULL);
    NORM(ec_norm_linkedin, "https://linkedin.com.evil.example/in/john-doe", NULL);
    NORM(ec_norm_linkedin, "https://user@linkedin.com/in/john-doe", NULL);
    NORM(ec_norm_linkedin, "https://linkedin.com:x/in/john-doe", NULL);
    NORM(ec_norm_linkedin, "https://in/john-doe", NULL);
    NORM(ec_norm_linkedin, "ftp://linkedin.com/in/john-doe", NULL);
    NORM(ec_norm_linkedin, "linkedin.com/in/", NULL);
    NORM(ec_norm_linkedin, "linkedin.com/in//x", NULL);
    NORM(ec_norm_linkedin, "linkedin.com/in/a%2Fb", NULL);
    NORM(ec_norm_linkedin, "linkedin.com/in/a%2", NULL);
    NORM(ec_norm_linkedin, "linkedin.com/in/a%zz", NULL);
    NORM(ec_norm_linkedin, "linkedin.com/in/a%20b", NULL);
    NORM(ec_norm_linkedin, "linkedin.com/in/%ff", NULL);
    NORM(ec_norm_linkedin, "john-doe", NULL);
    NORM(ec_norm_linkedin, "", NULL);
    NORM(ec_norm_linkedin, "   ", NULL);

    char *u = ec_linkedin_url("linkedin.com/in/jos\xc3\xa9-x");
    is_str(u, "https://www.linkedin.com/in/jos%C3%A9-x", "full URL percent-encodes non-ASCII");
    free(u);
    u = ec_linkedin_url("linkedin.com/in/ACoAAAb");
    is_str(u, "https://www.linkedin.com/in/ACoAAAb", "full URL keeps case");
    free(u);
}

static void test_email(void)
{
    NORM(ec_norm_email, " Ann.Lee@Acme.COM ", "ann.lee@acme.com");
    NORM(ec_norm_email, "mailto:ANN@acme.com", "ann@acme.com");
    NORM(ec_norm_email, "Ann Lee <Ann@Acme.com>", "ann@acme.com");
    NORM(ec_norm_email, "ann@acme.com; bob@acme.com", "ann@acme.com");
    NORM(ec_norm_email, "ann@acme.com, bob@acme.com", "ann@acme.com");
    NORM(ec_norm_email, "ann@acme.com.", "ann@acme.com");
    NORM(ec_norm_email, "ann+leads@sub.acme.co.uk", "ann+leads@sub.acme.co.uk");
    NORM(ec_norm_email, "a.n.n@acme.com", "a.n.n@acme.com");
    NORM(ec_norm_email,
         "ann@b\xc3\xbc"
         "cher.de",
         "ann@b\xc3\xbc"
         "cher.de");
    NORM(ec_norm_email,
         "\xc2\xa0"
         "ann@acme.com\t",
         "ann@acme.com");

    NORM(ec_norm_email, "ann", NULL);
    NORM(ec_norm_email, "@acme.com", NULL);
    NORM(ec_norm_email, "ann@", NULL);
    NORM(ec_norm_email, "ann@acme", NULL);
    NORM(ec_norm_email, "ann@acme.c", NULL);
    NORM(ec_norm_email, "ann@@acme.com", NULL);
    NORM(ec_norm_email, "a@b@acme.com", NULL);
    NORM(ec_norm_email, "ann@acme..com", NULL);
    NORM(ec_norm_email, "ann@.acme.com", NULL);
    NORM(ec_norm_email, "ann@acme_x.com", NULL);
    NORM(ec_norm_email, "Ann Lee ann@acme.com", NULL);
    NORM(ec_norm_email, "\"ann\"@acme.com", NULL);
    NORM(ec_norm_email, "ann@b\xffx.de", NULL);
    NORM(ec_norm_email, "N/A", NULL);
    NORM(ec_norm_email, "", NULL);
}

static void test_domain(void)
{
    NORM(ec_norm_domain, "https://www.Acme.com/about?x=1#top", "acme.com");
    NORM(ec_norm_domain, "acme.com:8080", "acme.com");
    NORM(ec_norm_domain, "http://acme.com:8080/", "acme.com");
    NORM(ec_norm_domain, "ACME.COM.", "acme.com");
    NORM(ec_norm_domain, "http://sub.acme.co.uk/", "sub.acme.co.uk");
    NORM(ec_norm_domain, "//acme.com", "acme.com");
    NORM(ec_norm_domain, "ann@acme.com", "acme.com");
    NORM(ec_norm_domain, "https://user:pw@www.acme.com/", "acme.com");
    NORM(ec_norm_domain, " www.acme-corp.io ", "acme-corp.io");
    NORM(ec_norm_domain, "www.com", "www.com");
    NORM(ec_norm_domain,
         "b\xc3\xbc"
         "cher.de",
         "b\xc3\xbc"
         "cher.de");
    NORM(ec_norm_domain, "linkedin.com", "linkedin.com");
    NORM(ec_norm_domain, "https://github.com/", "github.com");

    NORM(ec_norm_domain, "https://www.linkedin.com/company/acme", NULL);
    NORM(ec_norm_domain, "twitter.com/acme", NULL);
    NORM(ec_norm_domain, "https://www.facebook.com/acme", NULL);
    NORM(ec_norm_domain, "acme", NULL);
    NORM(ec_norm_domain, "N/A", NULL);
    NORM(ec_norm_domain, "n.a.", NULL);
    NORM(ec_norm_domain, "acme .com", NULL);
    NORM(ec_norm_domain, "10.0.0.1", NULL);
    NORM(ec_norm_domain, "acme.com:http", NULL);
    NORM(ec_norm_domain, "acme..com", NULL);
    NORM(ec_norm_domain, "", NULL);
}

static void test_text(void)
{
    NORM(ec_norm_text, "  Ann   Lee \t", "Ann Lee");
    NORM(ec_norm_text, "Ann\xc2\xa0Lee", "Ann Lee");
    NORM(ec_norm_text, "Ann\r\nLee", "Ann Lee");
    NORM(ec_norm_text, "ACME Inc.", "ACME Inc.");
    /* the copied-as-is path ends where one of these starts */
    NORM(ec_norm_text, "Ann  Lee", "Ann Lee");
    NORM(ec_norm_text, "Ann Lee ", "Ann Lee");
    NORM(ec_norm_text, " Ann Lee", "Ann Lee");
    NORM(ec_norm_text, "Ann\tLee", "Ann Lee");
    NORM(ec_norm_text, "Ann\x7fLee", "Ann Lee");
    NORM(ec_norm_text, "Ann Lee\x01", "Ann Lee");
    NORM(ec_norm_text, "A", "A");
    NORM(ec_norm_text, "\xe3\x80\x80M\xc3\xbcller\xe2\x80\x8b", "M\xc3\xbcller");
    NORM(ec_norm_text, "M\xfcller", "M\xef\xbf\xbdller");
    NORM(ec_norm_text, "  \t ", NULL);
    NORM(ec_norm_text, "", NULL);

    ec_buf b = {0};
    const char *in = "ACME \xc3\x9cN\xc3\x8f \xc3\x80\xc3\x89\xc3\x97 \xc5\x81\xc3\x93\x44\xc5\xb9 "
                     "\xce\x91\xce\x92\xce\x93 \xd0\x94\xd0\x96\xd0\xaf \xd0\x81\xd0\x82 "
                     "\xc5\xb8 \xc3\x9f \xc4\xb0 \xff";
    ec_casefold(in, strlen(in), &b);
    is_str(b.p,
           "acme \xc3\xbcn\xc3\xaf \xc3\xa0\xc3\xa9\xc3\x97 \xc5\x82\xc3\xb3\x64\xc5\xba "
           "\xce\xb1\xce\xb2\xce\xb3 \xd0\xb4\xd0\xb6\xd1\x8f \xd1\x91\xd1\x92 "
           "\xc3\xbf \xc3\x9f \xc4\xb0 \xff",
           "casefold: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic; others kept");
    ec_buf_free(&b);
}

static void test_handles(void)
{
    NORM(ec_norm_x_handle, "@JohnDoe", "johndoe");
    NORM(ec_norm_x_handle, "https://twitter.com/JohnDoe", "johndoe");
    NORM(ec_norm_x_handle, "https://x.com/john_doe?s=20", "john_doe");
    NORM(ec_norm_x_handle, "www.twitter.com/johndoe/", "johndoe");
    NORM(ec_norm_x_handle, "https://mobile.twitter.com/johndoe/status/1", "johndoe");
    NORM(ec_norm_x_handle, "x.com/@johndoe", "johndoe");
    NORM(ec_norm_x_handle, " johndoe ", "johndoe");
    NORM(ec_norm_x_handle, "https://github.com/johndoe", NULL);
    NORM(ec_norm_x_handle, "https://example.com/johndoe", NULL);
    NORM(ec_norm_x_handle, "john doe", NULL);
    NORM(ec_norm_x_handle, "john.doe", NULL);
    NORM(ec_norm_x_handle, "john-doe", NULL);
    NORM(ec_norm_x_handle, "sixteencharacter", NULL);
    NORM(ec_norm_x_handle, "www.johndoe", NULL);
    NORM(ec_norm_x_handle, "@", NULL);

    NORM(ec_norm_github, "https://github.com/Octo-Cat", "octo-cat");
    NORM(ec_norm_github, "github.com/octocat/repo", "octocat");
    NORM(ec_norm_github, "@OctoCat", "octocat");
    NORM(ec_norm_github, "https://twitter.com/octocat", NULL);
    NORM(ec_norm_github, "a-name-that-is-far-too-long-for-github-x", NULL);

    NORM(ec_norm_handle, "https://x.com/JohnDoe", "johndoe");
    NORM(ec_norm_handle, "https://github.com/Octo-Cat", "octo-cat");
    NORM(ec_norm_handle, "https://example.com/x", NULL);
}

static void test_ids(void)
{
    const char *u = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    NORM(ec_norm_uuid, "3F2504E0-4F89-11D3-9A0C-0305E82C3301", u);
    NORM(ec_norm_uuid, " {3f2504e0-4f89-11d3-9a0c-0305e82c3301} ", u);
    NORM(ec_norm_uuid, "3f2504e04f8911d39a0c0305e82c3301", u);
    NORM(ec_norm_uuid, "urn:uuid:3F2504E0-4F89-11D3-9A0C-0305E82C3301", u);
    NORM(ec_norm_uuid, "00000000-0000-0000-0000-000000000000", NULL);
    NORM(ec_norm_uuid, "3f2504e0-4f8911d3-9a0c-0305e82c3301-", NULL);
    NORM(ec_norm_uuid, "3f2504e0-4f89-11d3-9a0c-0305e82c330g", NULL);
    NORM(ec_norm_uuid, "3f2504e0-4f89-11d3-9a0c-0305e82c330", NULL);
    NORM(ec_norm_uuid, "", NULL);

    NORM(ec_norm_id, " 0SVOUN5zYlkzJ5fMrBxUdiQ_0000 ", "0SVOUN5zYlkzJ5fMrBxUdiQ_0000");
    NORM(ec_norm_id, "a b", NULL);
    NORM(ec_norm_id,
         "a\xc2\xa0"
         "b",
         NULL);
    NORM(ec_norm_id, "a\xff", NULL);
    NORM(ec_norm_id, "", NULL);

    NORM(ec_norm_account_id, "123", "123");
    NORM(ec_norm_account_id, " 00123 ", "123");
    NORM(ec_norm_account_id, "123.0", "123");
    NORM(ec_norm_account_id, "123.", "123");
    NORM(ec_norm_account_id, "123456789012345678", "123456789012345678");
    NORM(ec_norm_account_id, "1234567890123456789", NULL);
    NORM(ec_norm_account_id, "123.5", NULL);
    NORM(ec_norm_account_id, "1.23E+5", NULL);
    NORM(ec_norm_account_id, "1,234", NULL);
    NORM(ec_norm_account_id, "0", NULL);
    NORM(ec_norm_account_id, "-5", NULL);
    NORM(ec_norm_account_id, "abc", NULL);
    NORM(ec_norm_account_id, "", NULL);
}

/* A CSV-like row over values (NULL = no cell). */
static ec_row make_row(const char *const *v, size_t n, ec_cell *cells)
{
    ec_row r;
    memset(&r, 0, sizeof r);
    r.cells = cells;
    for (size_t i = 0; i < n; i++) {
        if (!v[i])
            continue;
        cells[r.ncells].col = (int)i;
        cells[r.ncells].value = ec_str_c(v[i]);
        cells[r.ncells].raw = cells[r.ncells].value;
        r.ncells++;
    }
    return r;
}

static void test_extract(void)
{
    char *names[] = {"First Name", "Last Name", "Company", "Person Linkedin Url",
                     "Email",      "Website",   "Title"};
    ec_header h = {names, 7};
    ec_colmap m;
    ec_buf err = {0};
    ok(ec_colmap_build(&m, &h, NULL, 0, &err) == 0, "extract: map builds");

    const char *v1[] = {" Ann ",
                        "Lee",
                        " ACME  Inc ",
                        "https://www.linkedin.com/in/Ann-Lee/",
                        "ANN@ACME.COM",
                        "https://www.acme.com/",
                        "  "};
    ec_cell cells[7];
    ec_row r = make_row(v1, 7, cells);
    char *vals[EC_F_COUNT];
    ec_ident_extract(&m, &r, vals);
    is_str(vals[EC_F_NAME], "Ann Lee", "name composed from first + last");
    is_str(vals[EC_F_FIRST_NAME], "Ann", "first name trimmed");
    is_str(vals[EC_F_COMPANY_NAME], "ACME Inc", "company text normalized, case kept");
    is_str(vals[EC_F_LINKEDIN_URL], "linkedin.com/in/ann-lee", "linkedin normalized");
    is_str(vals[EC_F_EMAIL], "ann@acme.com", "email normalized");
    is_str(vals[EC_F_COMPANY_DOMAIN], "acme.com", "domain normalized");
    ok(vals[EC_F_TITLE] == NULL, "blank title is absent");
    ok(vals[EC_F_UID] == NULL, "unmapped field is absent");

    const char *chosen[EC_F_COUNT] = {0};
    for (int f = 0; f < EC_F_COUNT; f++)
        chosen[f] = vals[f];
    chosen[EC_F_FIRST_NAME] = chosen[EC_F_LAST_NAME] = NULL;
    char *key = ec_ident_key("amplemarket", "sandbox", EC_WANT_EMAIL | EC_WANT_PHONE, chosen);
    is_str(key, "amplemarket|sandbox|ep|linkedin_url=linkedin.com/in/ann-lee|email=ann@acme.com",
           "golden key from a raw row: the strong identifiers only");
    free(key);
    ec_ident_free_vals(vals);
    ok(vals[EC_F_NAME] == NULL && vals[EC_F_EMAIL] == NULL, "free_vals clears the array");

    const char *v2[] = {"Ann",          NULL,   "Acme", "https://example.com/ann",
                        "not an email", "acme", NULL};
    r = make_row(v2, 7, cells);
    ec_ident_extract(&m, &r, vals);
    ok(vals[EC_F_NAME] == NULL, "no name from a first name alone");
    ok(vals[EC_F_LINKEDIN_URL] == NULL && vals[EC_F_EMAIL] == NULL &&
           vals[EC_F_COMPANY_DOMAIN] == NULL,
       "unusable values are absent");
    is_str(vals[EC_F_COMPANY_NAME], "Acme", "usable fields still extracted");
    ec_ident_free_vals(vals);

    char *names2[] = {"Full Name", "First Name", "Last Name"};
    ec_header h2 = {names2, 3};
    ok(ec_colmap_build(&m, &h2, NULL, 0, &err) == 0, "extract: second map builds");
    const char *v3[] = {"Ann B. Lee", "Ann", "Lee"};
    r = make_row(v3, 3, cells);
    ec_ident_extract(&m, &r, vals);
    is_str(vals[EC_F_NAME], "Ann B. Lee", "a name column wins over first + last");
    ec_ident_free_vals(vals);
    const char *v4[] = {" ", "Ann", "Lee"};
    r = make_row(v4, 3, cells);
    ec_ident_extract(&m, &r, vals);
    is_str(vals[EC_F_NAME], "Ann Lee", "blank name falls back to first + last");
    ec_ident_free_vals(vals);

    ec_buf store = {0};
    const char *some[EC_F_COUNT];
    r = make_row(v4, 3, cells);
    ec_ident_extract_some(&m, &r, 1u << EC_F_FIRST_NAME, &store, some);
    ok(some[EC_F_NAME] == NULL && some[EC_F_LAST_NAME] == NULL && some[EC_F_FIRST_NAME] &&
           strcmp(some[EC_F_FIRST_NAME], "Ann") == 0,
       "extract_some: only the fields asked for");
    ec_ident_extract_some(&m, &r, 1u << EC_F_NAME | 1u << EC_F_FIRST_NAME | 1u << EC_F_LAST_NAME,
                          &store, some);
    ok(some[EC_F_NAME] && strcmp(some[EC_F_NAME], "Ann Lee") == 0,
       "extract_some: a name from first + last when name is asked for");
    ec_buf_free(&store);
    ec_buf_free(&err);
}

static void test_keys(void)
{
    const char *c[EC_F_COUNT] = {0};
    c[EC_F_EMAIL] = "a@b.com";
    c[EC_F_LINKEDIN_URL] = "linkedin.com/in/x";
    char *k = ec_ident_key("amplemarket", "sandbox", EC_WANT_EMAIL | EC_WANT_PHONE, c);
    is_str(k, "amplemarket|sandbox|ep|linkedin_url=linkedin.com/in/x|email=a@b.com",
           "golden key: fields in enum order");
    free(k);
    k = ec_ident_key("thehog", "https://developer.thehog.ai", EC_WANT_PHONE, c);
    is_str(k, "thehog|https://developer.thehog.ai|p|linkedin_url=linkedin.com/in/x|email=a@b.com",
           "golden key: base URL endpoint, phone only");
    free(k);

    const char *t[EC_F_COUNT] = {0};
    t[EC_F_NAME] = "J\xc3\x9cRGEN M\xc3\x9cLLER";
    t[EC_F_TITLE] = "CTO";
    t[EC_F_COMPANY_NAME] = "A|B\\C";
    k = ec_ident_key("p|x", "e\\", 0, t);
    is_str(k, "p\\|x|e\\\\|-|name=j\xc3\xbcrgen m\xc3\xbcller|company_name=a\\|b\\\\c",
           "golden key: text case-folded, separators escaped, no fields '-', title left out");
    free(k);
    t[EC_F_UID] = "AbC|d";
    k = ec_ident_key("p|x", "e\\", 0, t);
    is_str(k, "p\\|x|e\\\\|-|uid=AbC\\|d",
           "golden key: an id is kept as written and escaped, the text beside it left out");
    free(k);
    {
        const char *r1[EC_F_COUNT] = {0}, *r2[EC_F_COUNT] = {0};
        r1[EC_F_EMAIL] = r2[EC_F_EMAIL] = "sven@acme.test";
        r1[EC_F_NAME] = "Sven Kowalski";
        r2[EC_F_NAME] = "S. Kowalski";
        r1[EC_F_TITLE] = "Founder & CEO";
        r2[EC_F_TITLE] = "Marketing Manager";
        char *k1 = ec_ident_key("amplemarket", "sandbox", EC_WANT_EMAIL, r1);
        char *k2 = ec_ident_key("amplemarket", "sandbox", EC_WANT_EMAIL, r2);
        is_str(k1, k2, "one email with two titles and two name spellings is one lookup");
        free(k1);
        free(k2);
    }

    const char *a[EC_F_COUNT] = {0}, *b[EC_F_COUNT] = {0};
    a[EC_F_COMPANY_NAME] = "ACME";
    b[EC_F_COMPANY_NAME] = "Acme";
    char *ka = ec_ident_key("amplemarket", "sandbox", EC_WANT_EMAIL, a);
    char *kb = ec_ident_key("amplemarket", "sandbox", EC_WANT_EMAIL, b);
    is_str(ka, kb, "ACME and Acme are one lookup");
    free(kb);
    kb = ec_ident_key("amplemarket", "sandbox", EC_WANT_EMAIL | EC_WANT_PHONE, a);
    ok(strcmp(ka, kb) != 0, "requested fields change the key");
    free(ka);
    free(kb);

    /* "a|b" as one value must not collide with two values */
    const char *x[EC_F_COUNT] = {0}, *y[EC_F_COUNT] = {0};
    x[EC_F_NAME] = "a|title=b";
    y[EC_F_NAME] = "a";
    y[EC_F_TITLE] = "b";
    ka = ec_ident_key("p", "e", 1, x);
    kb = ec_ident_key("p", "e", 1, y);
    ok(strcmp(ka, kb) != 0, "escaping keeps keys unambiguous");
    free(ka);
    free(kb);
}

/* Valid UTF-8 (the journal stores keys as JSON strings). */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t k = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        if (*p >= 0x80 && (*p < 0xc2 || *p > 0xf4))
            return 0;
        for (size_t i = 1; i < k; i++)
            if ((p[i] & 0xc0) != 0x80)
                return 0;
        p += k;
    }
    return 1;
}

/* Random values built from fragments that reach every branch; every
 * normalizer must keep its contract and be idempotent (a key computed from
 * a normalized value never changes when normalized again). */
static void test_properties(void)
{
    static const char *const frags[] = {"https://", "http://", "www.",     "linkedin.com",
                                        "/in/",     "in/",     "x.com/",   "github.com/",
                                        "@",        ".",       "/",        "?",
                                        "#",        "%",       "%C3%A9",   "%2F",
                                        "%zz",      "ACoAA",   "Ann",      "acme",
                                        "com",      "-",       "_",        ":",
                                        "443",      " ",       "\t",       "\xc2\xa0",
                                        "\xc3\x89", "\xff",    "\xe2\x80", "<",
                                        ">",        ",",       ";",        "mailto:",
                                        "{",        "}",       "0",        "3f2504e0",
                                        "4f89",     "9",       ".0",       "|",
                                        "\\"};
    static const norm_fn fns[] = {ec_norm_linkedin, ec_norm_email,     ec_norm_domain, ec_norm_text,
                                  ec_norm_handle,   ec_norm_x_handle,  ec_norm_github, ec_norm_uuid,
                                  ec_norm_id,       ec_norm_account_id};
    const size_t nfrags = sizeof frags / sizeof frags[0];
    unsigned long seed = 12345;
    int bad_contract = 0, bad_utf8 = 0, not_idempotent = 0, accepted = 0;
    char in[256];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        for (int k = (int)(seed >> 59) + 1; k > 0; k--) {
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            const char *f = frags[(seed >> 33) % nfrags];
            if (len + strlen(f) + 1 < sizeof in) {
                memcpy(in + len, f, strlen(f));
                len += strlen(f);
            }
        }
        in[len] = '\0';
        for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
            const char *r = run(fns[i], in);
            if (r && r[0] == '(') {
                bad_contract++;
                continue;
            }
            if (!r)
                continue;
            accepted++;
            char once[1024];
            snprintf(once, sizeof once, "%s", r);
            bad_utf8 += !valid_utf8(once);
            const char *again = run(fns[i], once);
            not_idempotent += !again || strcmp(again, once) != 0;
            if ((!again || strcmp(again, once) != 0) && not_idempotent < 5) {
                printf("# not idempotent: fn %zu, \"%s\"", i, show(in));
                printf(" -> \"%s\"", show(once));
                printf(" -> \"%s\"\n", again ? show(again) : "(refused)");
            }
        }
    }
    ok(accepted > 2000, "random values: many accepted (%d)", accepted);
    is_int(bad_contract, 0, "random values: a refusal appends nothing");
    is_int(bad_utf8, 0, "random values: output is valid UTF-8");
    is_int(not_idempotent, 0, "random values: normalizing twice changes nothing");

    ec_buf a = {0}, b = {0};
    const char *t = "\xc3\x89"
                    "COLE \xd0\x96 \xc5\xb8 \xce\xa9 \xff";
    ec_casefold(t, strlen(t), &a);
    ec_casefold(a.p, a.len, &b);
    is_str(b.p, a.p, "casefold is idempotent");
    ec_buf_free(&a);
    ec_buf_free(&b);
}

static unsigned long lcg(unsigned long *seed)
{
    *seed = *seed * 6364136223846793005ul + 1442695040888963407ul;
    return *seed >> 33;
}

/* Append a random fragment of frags (n of them) to in (room for cap bytes). */
static void add_frag(char *in, size_t *len, size_t cap, const char *const *frags, size_t n,
                     unsigned long *seed)
{
    const char *f = frags[lcg(seed) % n];
    size_t k = strlen(f);
    if (*len + k <= cap) {
        memcpy(in + *len, f, k);
        *len += k;
    }
}

/* ec_norm_linkedin on (s, n) and on " " + (s, n) agree byte for byte. The
 * fast path never takes a leading space, and trimming it leaves what the
 * general path sees of s itself: so this compares the two paths. */
static int linkedin_paths_agree(const char *s, size_t n, int *accepted)
{
    char spaced[600];
    ec_buf a = {0}, b = {0};
    ec_buf_puts(&a, "#");
    ec_buf_puts(&b, "#");
    spaced[0] = ' ';
    memcpy(spaced + 1, s, n);
    int ra = ec_norm_linkedin(s, n, &a), rb = ec_norm_linkedin(spaced, n + 1, &b);
    int same = ra == rb && a.len == b.len && memcmp(a.p, b.p, a.len + 1) == 0;
    *accepted = ra == 0;
    ec_buf_free(&a);
    ec_buf_free(&b);
    return same;
}

/* The LinkedIn fast path against the general one on generated URLs: the
 * spellings it takes and their near misses (case, escapes, other hosts,
 * trailing spaces, non-ASCII, separators, member ids), plus random bytes. */
static void test_linkedin_fast(void)
{
    static const char *const heads[] = {"https://www.linkedin.com/in/",
                                        "http://www.linkedin.com/in/",
                                        "https://linkedin.com/in/",
                                        "http://linkedin.com/in/",
                                        "www.linkedin.com/in/",
                                        "linkedin.com/in/",
                                        "HTTPS://www.linkedin.com/in/",
                                        "https://WWW.linkedin.com/in/",
                                        "https://www.LinkedIn.com/in/",
                                        "https://www.linkedin.com/IN/",
                                        "https://www.linkedin.com:443/in/",
                                        "https://uk.linkedin.com/in/",
                                        "https://www.www.linkedin.com/in/",
                                        "https://www.linkedin.com/in",
                                        "https://www.linkedin.com/in//",
                                        "https://www.linkedin.com/company/",
                                        "https://www.linkedin.com.evil.test/in/",
                                        "https://www.",
                                        "https:/www.linkedin.com/in/",
                                        "http://",
                                        "in/",
                                        "/in/",
                                        "",
                                        " ",
                                        "\t",
                                        "\xc2\xa0"};
    static const char *const slugs[] = {
        "john", "doe", "-",    "_",    "0",    "9",        "a",           "z",        "A",
        "Z",    "`",   "{",    "@",    "[",    ".",        "ACoAA",       "ACwAA",    "AbC",
        "%20",  "%2F", "%2d",  "%2D",  "%41",  "%",        "%C3%A9",      "%c3%89",   "%zz",
        "%e2",  "~",   "+",    "'",    ":",    "|",        "\\",          "\xc3\xa9", "\xc3\x89",
        "\xff", " ",   "\x7f", "\x01", "\x80", "\xce\xa9", "\xe2\x80\x8b"};
    static const char *const tails[] = {
        "",   "",   "/",      "?",      "#",  "?trk=a b", "/details/x",   "//",
        " ",  "\t", "\r\n",   "\x7f",   "\"", "\xc2\xa0", "\xe2\x80\x8b", "|",
        "\\", ".",  "/x|y\\", "?a=%zz", "%",  "/\xff",    "\xe3\x80\x80", "~"};
    const size_t nheads = sizeof heads / sizeof heads[0], nslugs = sizeof slugs / sizeof slugs[0];
    unsigned long seed = 777;
    int differ = 0, fast = 0, accepted;
    char in[300];
    for (int iter = 0; iter < 200000; iter++) {
        size_t len = 0, head = lcg(&seed) % nheads;
        memcpy(in, heads[head], strlen(heads[head]));
        len = strlen(heads[head]);
        /* half the slugs from its bytes only ("john", "doe", '-', '_', digits, 'a', 'z') */
        size_t pick = lcg(&seed) % 2 ? 8 : nslugs;
        unsigned long k = lcg(&seed) % 5;
        for (unsigned long j = k; j > 0; j--)
            add_frag(in, &len, sizeof in, slugs, pick, &seed);
        for (unsigned long j = lcg(&seed) % 3; j > 0; j--)
            add_frag(in, &len, sizeof in, tails, sizeof tails / sizeof tails[0], &seed);
        /* near misses: one byte dropped, or made a separator, a capital,
         * NUL, non-ASCII or any byte at all */
        unsigned long how = lcg(&seed) % 16, at = len ? lcg(&seed) % len : 0;
        int mangled = how < 3 && len;
        if (mangled && how == 0)
            memmove(in + at, in + at + 1, --len - at);
        else if (mangled && how == 1)
            in[at] = "./:%?#|\\ Wx\0\x80\xff"[lcg(&seed) % 14];
        else if (mangled)
            in[at] = (char)(lcg(&seed) & 0xff);
        if (!linkedin_paths_agree(in, len, &accepted) && ++differ <= 5)
            printf("# linkedin paths differ: \"%s\"\n", show(in));
        /* one of the six spellings it takes, a plain slug: most go the fast way */
        fast += head < 6 && pick == 8 && k > 0 && !mangled && accepted;
    }
    ok(fast > 10000, "linkedin fast path: many inputs of its shape (%d)", fast);
    is_int(differ, 0, "linkedin fast path: the general path's answer for every input");
    /* the fast path's edges: last byte, empty slug, each prefix */
    static const char *const edges[] = {"https://www.linkedin.com/in/a",
                                        "https://www.linkedin.com/in/a!",
                                        "https://www.linkedin.com/in/a~",
                                        "https://www.linkedin.com/in/a\x7f",
                                        "https://www.linkedin.com/in/a ",
                                        "https://www.linkedin.com/in/a/ ",
                                        "https://www.linkedin.com/in/",
                                        "https://www.linkedin.com/in/?",
                                        "https://www.linkedin.com/in/-",
                                        "http://linkedin.com/in/a-b_c9",
                                        "http://www.linkedin.com/in/a",
                                        "www.linkedin.com/in/a#x",
                                        "linkedin.com/in/a?b",
                                        "linkedin.com/in/",
                                        "https://",
                                        "h",
                                        ""};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        ok(linkedin_paths_agree(edges[i], strlen(edges[i]), &accepted),
           "linkedin fast path edge \"%s\"", show(edges[i]));
}

/* The lookup key's identifier part as its comment in ident.h says, the
 * plain way: compared with ec_ident_key on random values. */
static void reference_key_ids(ec_buf *k, const char *const chosen[EC_F_COUNT])
{
    static const int strong[] = {EC_F_LINKEDIN_URL,    EC_F_EMAIL, EC_F_X_HANDLE,
                                 EC_F_GITHUB_USERNAME, EC_F_UID,   EC_F_PERSON_ID,
                                 EC_F_ACCOUNT_ID};
    int any_strong = 0;
    for (size_t i = 0; i < sizeof strong / sizeof strong[0]; i++)
        any_strong |= chosen[strong[i]] != NULL;
    for (int f = 0; f < EC_F_COUNT; f++) {
        int is_strong = 0;
        for (size_t i = 0; i < sizeof strong / sizeof strong[0]; i++)
            is_strong |= strong[i] == f;
        if (!chosen[f] || f == EC_F_TITLE || (any_strong && !is_strong))
            continue;
        ec_buf v = {0};
        if (f == EC_F_NAME || f == EC_F_FIRST_NAME || f == EC_F_LAST_NAME || f == EC_F_COMPANY_NAME)
            ec_casefold(chosen[f], strlen(chosen[f]), &v);
        else
            ec_buf_puts(&v, chosen[f]);
        ec_buf_printf(k, "|%s=", ec_field_name((enum ec_field)f));
        for (size_t i = 0; i < v.len; i++) {
            if (v.p[i] == '|' || v.p[i] == '\\')
                ec_buf_putc(k, '\\');
            ec_buf_putc(k, v.p[i]);
        }
        ec_buf_free(&v);
    }
}

static void test_key_reference(void)
{
    static const char *const frags[] = {"linkedin.com/in/x",
                                        "a@b.com",
                                        "Ann",
                                        "\xc3\x89LISE",
                                        "|",
                                        "\\",
                                        "||",
                                        "\\|",
                                        "x",
                                        " ",
                                        "",
                                        "ACoAA",
                                        "\xd0\x96",
                                        "\xff",
                                        "=",
                                        "%7C"};
    unsigned long seed = 4242;
    int differ = 0;
    ec_buf k = {0}, want = {0};
    char vals[EC_F_COUNT][64];
    for (int iter = 0; iter < 20000; iter++) {
        const char *chosen[EC_F_COUNT] = {0};
        for (int f = 0; f < EC_F_COUNT; f++) {
            if (lcg(&seed) % 4)
                continue; /* mostly absent, as in real rows */
            size_t len = 0;
            for (unsigned long n = lcg(&seed) % 4; n > 0; n--)
                add_frag(vals[f], &len, sizeof vals[f] - 1, frags, sizeof frags / sizeof frags[0],
                         &seed);
            vals[f][len] = '\0';
            chosen[f] = vals[f];
        }
        /* the key buffer is reused row after row, as the engine does */
        ec_ident_key_buf(&k, "p|x", "e\\", EC_WANT_PHONE, chosen);
        ec_buf_clear(&want);
        ec_buf_puts(&want, "p\\|x|e\\\\|p");
        reference_key_ids(&want, chosen);
        if (strcmp(k.p, want.p) != 0 && ++differ <= 5)
            printf("# key differs: \"%s\" vs \"%s\"\n", show(k.p), show(want.p));
    }
    is_int(differ, 0, "keys: the plain construction's bytes for random values");
    ec_buf_free(&k);
    ec_buf_free(&want);
}

/* ec_ident_extract_some against ec_norm_field column by column, for random
 * rows and random sets of wanted fields (the store reused between rows). */
static void test_extract_reference(void)
{
    static const char *const frags[] = {"https://www.linkedin.com/in/ann",
                                        "ANN@ACME.COM",
                                        " Ann ",
                                        "Lee",
                                        "acme.com",
                                        "@ann",
                                        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                                        "12.0",
                                        "x",
                                        " ",
                                        "\xc3\x89",
                                        "|",
                                        "\\",
                                        "https://",
                                        "ACoAA"};
    unsigned long seed = 99;
    int differ = 0;
    ec_colmap m;
    ec_cell cells[EC_F_COUNT];
    char vals[EC_F_COUNT][128];
    const char *v[EC_F_COUNT];
    ec_buf store = {0}, one = {0};
    for (int iter = 0; iter < 20000; iter++) {
        for (int f = 0; f < EC_F_COUNT; f++) {
            m.col[f] = lcg(&seed) % 5 ? EC_F_COUNT - 1 - f : -1; /* columns in reverse */
            size_t len = 0;
            for (unsigned long n = lcg(&seed) % 3; n > 0; n--)
                add_frag(vals[f], &len, sizeof vals[f] - 1, frags, sizeof frags / sizeof frags[0],
                         &seed);
            vals[f][len] = '\0';
            v[f] = lcg(&seed) % 6 ? vals[f] : NULL;
        }
        unsigned want = (unsigned)lcg(&seed) | (lcg(&seed) % 2 ? 0u : ~0u << EC_F_COUNT);
        ec_row r = make_row(v, EC_F_COUNT, cells);
        const char *got[EC_F_COUNT];
        ec_ident_extract_some(&m, &r, want, &store, got);
        for (int f = 0; f < EC_F_COUNT; f++) {
            const char *cell = m.col[f] >= 0 ? v[m.col[f]] : NULL;
            const char *w = NULL;
            ec_buf_clear(&one);
            if ((want & 1u << f) && cell &&
                ec_norm_field((enum ec_field)f, cell, strlen(cell), &one) == 0)
                w = one.p ? one.p : "";
            char composed[300];
            if (f == EC_F_NAME && (want & 1u << f) && !w && got[EC_F_FIRST_NAME] &&
                got[EC_F_LAST_NAME]) {
                snprintf(composed, sizeof composed, "%s %s", got[EC_F_FIRST_NAME],
                         got[EC_F_LAST_NAME]);
                w = composed;
            }
            if ((w == NULL) != (got[f] == NULL) || (w && strcmp(w, got[f]) != 0)) {
                if (++differ <= 5)
                    printf("# extract differs: field %d\n", f);
            }
        }
    }
    is_int(differ, 0, "extract_some: each field as ec_norm_field gives it");
    ec_buf_free(&store);
    ec_buf_free(&one);
}

int main(void)
{
    test_linkedin();
    test_email();
    test_domain();
    test_text();
    test_handles();
    test_ids();
    test_extract();
    test_keys();
    test_properties();
    test_linkedin_fast();
    test_key_reference();
    test_extract_reference();
    return tap_done();
}

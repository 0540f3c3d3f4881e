/* t_colmap.c - synonyms on realistic headers, --map, --show-map text and
 * the no-identifier usage error. */
#include "config.h"
#include "colmap.h"
#include "tap.h"

#include <stdlib.h>

#define BIT(f) (1u << (f))

/* Providers as the engine sees them; only name and accepts matter here. */
static const ec_provider amplemarket = {
    .name = "amplemarket",
    .accepts = BIT(EC_F_EMAIL) | BIT(EC_F_LINKEDIN_URL) | BIT(EC_F_NAME) | BIT(EC_F_TITLE) |
               BIT(EC_F_COMPANY_NAME) | BIT(EC_F_COMPANY_DOMAIN),
};
static const ec_provider thehog = {
    .name = "thehog",
    .accepts =
        BIT(EC_F_LINKEDIN_URL) | BIT(EC_F_EMAIL) | BIT(EC_F_X_HANDLE) | BIT(EC_F_GITHUB_USERNAME),
};
static const ec_provider openfunnel = {.name = "openfunnel", .accepts = BIT(EC_F_ACCOUNT_ID)};
static const ec_provider woodpecker = {.name = "woodpecker", .accepts = BIT(EC_F_UID)};
static const ec_provider lance = {.name = "lance", .accepts = BIT(EC_F_PERSON_ID)};

/* Build a map over names (n of them) with maps; returns build's result. */
static int build(ec_colmap *m, char **names, size_t n, const char *const *maps, size_t nmaps,
                 ec_buf *err)
{
    ec_header h = {names, n};
    ec_buf_clear(err);
    return ec_colmap_build(m, &h, maps, nmaps, err);
}

static void test_synonym_table(void)
{
    static const struct {
        const char *column;
        int field;
    } cases[] = {
        {"LinkedIn URL", EC_F_LINKEDIN_URL},
        {"linkedin", EC_F_LINKEDIN_URL},
        {"LinkedIn Profile", EC_F_LINKEDIN_URL},
        {"Profile URL", EC_F_LINKEDIN_URL},
        {"Person Linkedin Url", EC_F_LINKEDIN_URL},
        {"li_url", EC_F_LINKEDIN_URL},
        {"linkedInProfileUrl", EC_F_LINKEDIN_URL},
        {"E-mail", EC_F_EMAIL},
        {"Email", EC_F_EMAIL},
        {"Email Address", EC_F_EMAIL},
        {"Work Email", EC_F_EMAIL},
        {"Business Email", EC_F_EMAIL},
        {"Work E-mail Address:", EC_F_EMAIL},
        {"Full Name", EC_F_NAME},
        {"Name", EC_F_NAME},
        {"Contact Name", EC_F_NAME},
        {"fullName", EC_F_NAME},
        {"First Name", EC_F_FIRST_NAME},
        {"firstname", EC_F_FIRST_NAME},
        {"Given Name", EC_F_FIRST_NAME},
        {"Last Name", EC_F_LAST_NAME},
        {"Surname", EC_F_LAST_NAME},
        {"Family Name", EC_F_LAST_NAME},
        {"Title", EC_F_TITLE},
        {"Job Title", EC_F_TITLE},
        {"Position", EC_F_TITLE},
        {"Role", EC_F_TITLE},
        {"Company", EC_F_COMPANY_NAME},
        {"Company Name", EC_F_COMPANY_NAME},
        {"Organization", EC_F_COMPANY_NAME},
        {"Account Name", EC_F_COMPANY_NAME},
        {"Company Website", EC_F_COMPANY_DOMAIN},
        {"Website", EC_F_COMPANY_DOMAIN},
        {"Domain", EC_F_COMPANY_DOMAIN},
        {"Company Domain", EC_F_COMPANY_DOMAIN},
        {"Company URL", EC_F_COMPANY_DOMAIN},
        {"company_website", EC_F_COMPANY_DOMAIN},
        {"Twitter", EC_F_X_HANDLE},
        {"X", EC_F_X_HANDLE},
        {"X Handle", EC_F_X_HANDLE},
        {"Twitter Handle", EC_F_X_HANDLE},
        {"X (Twitter)", EC_F_X_HANDLE},
        {"GitHub", EC_F_GITHUB_USERNAME},
        {"GitHub Username", EC_F_GITHUB_USERNAME},
        {"uid", EC_F_UID},
        {"Lead UID", EC_F_UID},
        {"Lead Finder UID", EC_F_UID},
        {"person_id", EC_F_PERSON_ID},
        {"Person ID", EC_F_PERSON_ID},
        {"Lance ID", EC_F_PERSON_ID},
        {"Lance Person ID", EC_F_PERSON_ID},
        {"account_id", EC_F_ACCOUNT_ID},
        {"Account ID", EC_F_ACCOUNT_ID},
        {"OpenFunnel Account ID", EC_F_ACCOUNT_ID},
        {"  JOB_TITLE  ", EC_F_TITLE},
        {"Personal Email", -1},
        {"Company Linkedin Url", -1},
        {"Email Status", -1},
        {"Phone", -1},
        {"ID", -1},
        {"Notes", -1},
        {"", -1},
        {"---", -1},
    };
    ec_colmap m;
    ec_buf err = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *names[1] = {(char *)cases[i].column};
        build(&m, names, 1, NULL, 0, &err);
        int got = -1;
        for (int f = 0; f < EC_F_COUNT; f++)
            if (m.col[f] == 0)
                got = f;
        is_int(got, cases[i].field, "column \"%s\" -> %s", cases[i].column,
               cases[i].field < 0 ? "nothing" : ec_field_name((enum ec_field)cases[i].field));
    }
    ec_buf_free(&err);

    ec_buf f = {0};
    const char *name = "E-mail Address: (Work) \xc3\x89";
    ec_colmap_match_form(name, strlen(name), &f);
    is_str(f.p, "emailaddresswork\xc3\x89", "match form keeps letters, digits, non-ASCII");
    ec_buf_free(&f);
}

static void test_real_headers(void)
{
    ec_colmap m;
    ec_buf err = {0};

    char *apollo[] = {"First Name",
                      "Last Name",
                      "Title",
                      "Company",
                      "Company Name for Emails",
                      "Email",
                      "Email Status",
                      "Person Linkedin Url",
                      "Website",
                      "Company Linkedin Url",
                      "Twitter Url",
                      "City"};
    ok(build(&m, apollo, 12, NULL, 0, &err) == 0, "Apollo export maps");
    is_int(m.col[EC_F_FIRST_NAME], 0, "apollo first_name");
    is_int(m.col[EC_F_LAST_NAME], 1, "apollo last_name");
    is_int(m.col[EC_F_TITLE], 2, "apollo title");
    is_int(m.col[EC_F_COMPANY_NAME], 3, "apollo company_name");
    is_int(m.col[EC_F_EMAIL], 5, "apollo email");
    is_int(m.col[EC_F_LINKEDIN_URL], 7, "apollo person (not company) LinkedIn URL");
    is_int(m.col[EC_F_COMPANY_DOMAIN], 8, "apollo website");
    is_int(m.col[EC_F_X_HANDLE], 10, "apollo twitter url");
    is_int(m.col[EC_F_NAME], -1, "apollo has no full name");
    is_int(m.user, 0, "no --map bits");
    ok(ec_colmap_usable(&m, &amplemarket), "usable for amplemarket");
    ok(ec_colmap_usable(&m, &thehog), "usable for thehog");
    ok(!ec_colmap_usable(&m, &woodpecker), "not usable for woodpecker");

    char *salesnav[] = {"profileUrl",  "fullName", "firstName",  "lastName",
                        "companyName", "title",    "companyUrl", "linkedInProfileUrl"};
    ok(build(&m, salesnav, 8, NULL, 0, &err) == 0, "Sales Navigator scrape maps");
    is_int(m.col[EC_F_LINKEDIN_URL], 7, "specific linkedInProfileUrl beats generic profileUrl");
    is_int(m.col[EC_F_NAME], 1, "fullName");
    is_int(m.col[EC_F_COMPANY_DOMAIN], 6, "companyUrl (generic) is the only domain column");

    char *messy[] = {" E-mail Address: ", "LINKEDIN",        "full_name",
                     "Job-Title",         "X (Twitter)",     "GitHub",
                     "Lead Finder UID",   "Lance Person ID", "OpenFunnel Account ID"};
    ok(build(&m, messy, 9, NULL, 0, &err) == 0, "messy header maps");
    static const int want[EC_F_COUNT] = {1, 0, 2, -1, -1, 3, -1, -1, 4, 5, 6, 7, 8};
    for (int f = 0; f < EC_F_COUNT; f++)
        is_int(m.col[f], want[f], "messy: %s", ec_field_name((enum ec_field)f));
    ok(ec_colmap_usable(&m, &openfunnel) && ec_colmap_usable(&m, &lance) &&
           ec_colmap_usable(&m, &woodpecker),
       "usable for id providers");

    char *dup[] = {"Email",     "Work Email", "Website",      "Company Website",  "Name",
                   "Full Name", "Company",    "Company Name", "Organization Name"};
    ok(build(&m, dup, 9, NULL, 0, &err) == 0, "duplicate matches map");
    is_int(m.col[EC_F_EMAIL], 0, "two specific email columns: leftmost wins");
    is_int(m.col[EC_F_COMPANY_DOMAIN], 3, "Company Website beats Website");
    is_int(m.col[EC_F_NAME], 5, "Full Name beats Name");
    is_int(m.col[EC_F_COMPANY_NAME], 7, "Company Name beats Company; leftmost specific wins");

    char *gen[] = {"Website", "Domain"};
    ok(build(&m, gen, 2, NULL, 0, &err) == 0 && m.col[EC_F_COMPANY_DOMAIN] == 0,
       "two generic matches: leftmost wins");
    ec_buf_free(&err);
}

static void test_map_option(void)
{
    ec_colmap m;
    ec_buf err = {0};

    char *h1[] = {"Contact", "Link", "Email", "Work_Email"};
    const char *m1[] = {"linkedin_url=Link", "name=Contact"};
    ok(build(&m, h1, 4, m1, 2, &err) == 0, "--map exact names");
    is_int(m.col[EC_F_LINKEDIN_URL], 1, "linkedin_url=Link");
    is_int(m.col[EC_F_NAME], 0, "name=Contact");
    is_int(m.col[EC_F_EMAIL], 2, "email still from a synonym");
    is_int(m.user, BIT(EC_F_LINKEDIN_URL) | BIT(EC_F_NAME), "user bits for mapped fields");

    const char *m2[] = {"email=work email"};
    ok(build(&m, h1, 4, m2, 1, &err) == 0, "--map by normalized name");
    is_int(m.col[EC_F_EMAIL], 3, "email=work email -> Work_Email, over the Email synonym");

    char *h3[] = {"E mail", "E-mail"};
    const char *m3[] = {"email=E-mail"};
    ok(build(&m, h3, 2, m3, 1, &err) == 0 && m.col[EC_F_EMAIL] == 1, "exact name beats normalized");
    const char *m4[] = {"email=EMAIL"};
    ok(build(&m, h3, 2, m4, 1, &err) == -1, "ambiguous normalized name is an error");
    is_str(err.p, "--map email=EMAIL: several columns match (E mail, E-mail); give the exact name",
           "ambiguity message");

    char *h5[] = {"A", "B", "C"};
    const char *m5[] = {"mail=A"};
    ok(build(&m, h5, 3, m5, 1, &err) == -1, "unknown field is an error");
    is_str(err.p,
           "--map mail=A: unknown field; fields are linkedin_url, email, name, first_name, "
           "last_name, title, company_name, company_domain, x_handle, github_username, uid, "
           "person_id, account_id",
           "unknown field message lists the fields");
    const char *m5b[] = {"Email=A"};
    ok(build(&m, h5, 3, m5b, 1, &err) == -1, "field names are exact (case matters)");
    const char *m6[] = {"email=Foo"};
    ok(build(&m, h5, 3, m6, 1, &err) == -1, "unknown column is an error");
    is_str(err.p, "--map email=Foo: no such column; columns seen: A, B, C",
           "unknown column message lists the columns");
    const char *m7[] = {"email"};
    ok(build(&m, h5, 3, m7, 1, &err) == -1, "missing '=' is an error");
    is_str(err.p, "--map email: expected FIELD=COLUMN", "missing '=' message");
    const char *m8[] = {"email=A", "email=B"};
    ok(build(&m, h5, 3, m8, 2, &err) == -1, "a field mapped twice is an error");
    is_str(err.p, "--map email=B: field email is mapped twice", "twice message");
    char *h9[] = {"Notes, misc", "say \"hi\"", ""};
    const char *m9[] = {"email=x"};
    ok(build(&m, h9, 3, m9, 1, &err) == -1, "odd column names");
    is_str(err.p,
           "--map email=x: no such column; columns seen: \"Notes, misc\", \"say \\\"hi\\\"\", \"\"",
           "odd column names are quoted");
    const char *m10[] = {"email=a=b"};
    char *h10[] = {"a=b"};
    ok(build(&m, h10, 1, m10, 1, &err) == 0 && m.col[EC_F_EMAIL] == 0,
       "COLUMN may contain '=' (split at the first)");

    char *h11[] = {"Name", "Website"};
    const char *m11[] = {"name=", "linkedin_url=Website"};
    ok(build(&m, h11, 2, m11, 2, &err) == 0, "FIELD= and a claimed column");
    is_int(m.col[EC_F_NAME], -1, "name= turns the Name synonym off");
    ok(m.user & BIT(EC_F_NAME), "name= sets the user bit");
    is_int(m.col[EC_F_LINKEDIN_URL], 1, "linkedin_url=Website");
    is_int(m.col[EC_F_COMPANY_DOMAIN], -1, "a --map'ed column feeds no synonym");

    const char *m11b[] = {"name=Name", "company_name=Name"};
    ok(build(&m, h11, 2, m11b, 2, &err) == 0 && m.col[EC_F_NAME] == 0 &&
           m.col[EC_F_COMPANY_NAME] == 0,
       "one column may feed two fields when --map says so");

    char *h13[] = {"_", "-"};
    const char *m13[] = {"email=--"};
    ok(build(&m, h13, 2, m13, 1, &err) == -1, "names that normalize to nothing: ambiguous");
    is_str(err.p, "--map email=--: several columns match (_, -); give the exact name",
           "empty normalized names are compared safely");

    char *h12[] = {"X", "X"};
    const char *m12[] = {"x_handle=X"};
    ok(build(&m, h12, 2, m12, 1, &err) == 0 && m.col[EC_F_X_HANDLE] == 0,
       "duplicate exact names: the first");
    ec_buf_free(&err);
}

static void test_describe(void)
{
    ec_colmap m;
    ec_buf err = {0}, out = {0};

    char *h1[] = {"Full Name", "LinkedIn URL", "Work Email", "Company Website", "Notes"};
    ec_header hd1 = {h1, 5};
    const char *m1[] = {"email=Work Email"};
    ok(ec_colmap_build(&m, &hd1, m1, 1, &err) == 0, "describe: map builds");
    ec_colmap_describe(&m, &hd1, &thehog, &out);
    is_str(out.p,
           "fields thehog takes:\n"
           "  linkedin_url     LinkedIn URL  (synonym)\n"
           "  email            Work Email  (--map)\n"
           "  x_handle         (unmapped)\n"
           "  github_username  (unmapped)\n"
           "columns not used:\n"
           "  Full Name  (name, not taken by thehog)\n"
           "  Company Website  (company_domain, not taken by thehog)\n"
           "  Notes\n",
           "show-map for thehog");

    char *h2[] = {"First Name", "Last Name", "Company", "Email Status"};
    ec_header hd2 = {h2, 4};
    const char *m2[] = {"title="};
    ok(ec_colmap_build(&m, &hd2, m2, 1, &err) == 0, "describe: second map builds");
    ec_buf_clear(&out);
    ec_colmap_describe(&m, &hd2, &amplemarket, &out);
    is_str(out.p,
           "fields amplemarket takes:\n"
           "  linkedin_url     (unmapped)\n"
           "  email            (unmapped)\n"
           "  name             First Name + Last Name  (first_name + last_name)\n"
           "  title            (unmapped by --map title=)\n"
           "  company_name     Company  (synonym)\n"
           "  company_domain   (unmapped)\n"
           "columns not used:\n"
           "  Email Status\n",
           "show-map for amplemarket with a composed name");
    ok(ec_colmap_usable(&m, &amplemarket), "first + last + company is usable for amplemarket");
    ok(!ec_colmap_usable(&m, &thehog), "but not for thehog");

    char *h3[] = {"uid"};
    ec_header hd3 = {h3, 1};
    ok(ec_colmap_build(&m, &hd3, NULL, 0, &err) == 0, "describe: third map builds");
    ec_buf_clear(&out);
    ec_colmap_describe(&m, &hd3, &woodpecker, &out);
    is_str(out.p,
           "fields woodpecker takes:\n  uid              uid  (synonym)\ncolumns not used:\n  "
           "(none)\n",
           "show-map with every column used");

    char *h4[] = {"First Name", "Company"};
    ec_header hd4 = {h4, 2};
    ok(ec_colmap_build(&m, &hd4, NULL, 0, &err) == 0, "fourth map builds");
    ok(!ec_colmap_usable(&m, &amplemarket), "a first name alone + company is not usable");
    char *h5[] = {"Name", "Title"};
    ec_header hd5 = {h5, 2};
    ok(ec_colmap_build(&m, &hd5, NULL, 0, &err) == 0, "fifth map builds");
    ok(!ec_colmap_usable(&m, &amplemarket), "name without a company is not usable");
    ec_buf_free(&err);
    ec_buf_free(&out);
}

static void check_message(char **names, size_t n, const ec_provider *p, const char *want,
                          const char *what)
{
    ec_colmap m;
    ec_buf err = {0}, out = {0};
    ec_header h = {names, n};
    ok(ec_colmap_build(&m, &h, NULL, 0, &err) == 0 && !ec_colmap_usable(&m, p), "%s: not usable",
       what);
    ec_colmap_no_identifier_message(&m, &h, p, &out);
    is_str(out.p, want, "%s", what);
    ec_buf_free(&err);
    ec_buf_free(&out);
}

static void test_no_identifier(void)
{
    char *h1[] = {"A", "B", "C"};
    check_message(h1, 3, &thehog,
                  "no column for thehog's identifiers (linkedin_url, email, x_handle, "
                  "github_username)\n"
                  "  columns seen: A, B, C\n"
                  "  map one with e.g. --map linkedin_url=A\n",
                  "thehog, nothing hinted");
    char *h2[] = {"Name", "Company", "LI profile page", "Notes"};
    check_message(h2, 4, &thehog,
                  "no column for thehog's identifiers (linkedin_url, email, x_handle, "
                  "github_username)\n"
                  "  columns seen: Name, Company, LI profile page, Notes\n"
                  "  map one with e.g. --map 'linkedin_url=LI profile page'\n",
                  "thehog, a hinted column is suggested and shell-quoted");
    char *h3[] = {"Company", "Contact's Mail"};
    check_message(h3, 2, &amplemarket,
                  "no column for amplemarket's identifiers (linkedin_url, email, "
                  "name + company_name or company_domain)\n"
                  "  columns seen: Company, Contact's Mail\n"
                  "  map one with e.g. --map 'email=Contact'\\''s Mail'\n",
                  "amplemarket lists name + company; quote inside a quoted word");
    check_message(NULL, 0, &woodpecker,
                  "no column for woodpecker's identifiers (uid)\n"
                  "  columns seen: (none)\n"
                  "  map one with e.g. --map uid=COLUMN\n",
                  "no columns at all");
    char *h5[] = {"Email", "Website", "Org #"};
    check_message(h5, 3, &openfunnel,
                  "no column for openfunnel's identifiers (account_id)\n"
                  "  columns seen: Email, Website, Org #\n"
                  "  map one with e.g. --map 'account_id=Org #'\n",
                  "openfunnel suggests the first column no synonym took");
    char *h6[] = {"Email", "Lance UUID"};
    check_message(h6, 2, &lance,
                  "no column for lance's identifiers (person_id)\n"
                  "  columns seen: Email, Lance UUID\n"
                  "  map one with e.g. --map 'person_id=Lance UUID'\n",
                  "lance suggests a uuid-looking column");
}

int main(void)
{
    test_synonym_table();
    test_real_headers();
    test_map_option();
    test_describe();
    test_no_identifier();
    return tap_done();
}

/* colmap.c - header -> identifier field mapping, --show-map and the
 * "no identifier column" usage error. */
#include "config.h"
#include "colmap.h"

#include <stdlib.h>
#include <string.h>

/* A synonym in match form. generic = 1: a vaguer name that loses to a
 * specific one elsewhere in the header ("Website" vs "Company Website"). */
typedef struct synonym {
    const char *form;
    unsigned char field;
    unsigned char generic;
} synonym;

static const synonym synonyms[] = {
    {"linkedinurl", EC_F_LINKEDIN_URL, 0},
    {"linkedin", EC_F_LINKEDIN_URL, 0},
    {"linkedinprofile", EC_F_LINKEDIN_URL, 0},
    {"linkedinprofileurl", EC_F_LINKEDIN_URL, 0},
    {"linkedinprofilelink", EC_F_LINKEDIN_URL, 0},
    {"linkedinlink", EC_F_LINKEDIN_URL, 0},
    {"linkedinpublicurl", EC_F_LINKEDIN_URL, 0},
    {"personlinkedinurl", EC_F_LINKEDIN_URL, 0},
    {"contactlinkedinurl", EC_F_LINKEDIN_URL, 0},
    {"leadlinkedinurl", EC_F_LINKEDIN_URL, 0},
    {"publicprofileurl", EC_F_LINKEDIN_URL, 0},
    {"liurl", EC_F_LINKEDIN_URL, 0},
    {"profileurl", EC_F_LINKEDIN_URL, 1},
    {"profilelink", EC_F_LINKEDIN_URL, 1},
    {"profile", EC_F_LINKEDIN_URL, 1},
    {"defaultprofileurl", EC_F_LINKEDIN_URL, 1},

    /* "Personal Email" is left out on purpose: B2B providers match work
     * addresses, and a private address goes to a vendor only when the user
     * asks for it with --map email="Personal Email". */
    {"email", EC_F_EMAIL, 0},
    {"emailaddress", EC_F_EMAIL, 0},
    {"workemail", EC_F_EMAIL, 0},
    {"workemailaddress", EC_F_EMAIL, 0},
    {"businessemail", EC_F_EMAIL, 0},
    {"businessemailaddress", EC_F_EMAIL, 0},
    {"professionalemail", EC_F_EMAIL, 0},
    {"companyemail", EC_F_EMAIL, 0},
    {"contactemail", EC_F_EMAIL, 0},
    {"primaryemail", EC_F_EMAIL, 0},
    {"emails", EC_F_EMAIL, 1},
    {"mail", EC_F_EMAIL, 1},

    {"fullname", EC_F_NAME, 0},
    {"contactname", EC_F_NAME, 0},
    {"personname", EC_F_NAME, 0},
    {"leadname", EC_F_NAME, 0},
    {"prospectname", EC_F_NAME, 0},
    {"name", EC_F_NAME, 1},

    {"firstname", EC_F_FIRST_NAME, 0},
    {"givenname", EC_F_FIRST_NAME, 0},
    {"forename", EC_F_FIRST_NAME, 0},
    {"fname", EC_F_FIRST_NAME, 0},
    {"first", EC_F_FIRST_NAME, 1},

    {"lastname", EC_F_LAST_NAME, 0},
    {"surname", EC_F_LAST_NAME, 0},
    {"familyname", EC_F_LAST_NAME, 0},
    {"lname", EC_F_LAST_NAME, 0},
    {"last", EC_F_LAST_NAME, 1},

    {"jobtitle", EC_F_TITLE, 0},
    {"currenttitle", EC_F_TITLE, 0},
    {"currentjobtitle", EC_F_TITLE, 0},
    {"title", EC_F_TITLE, 1},
    {"position", EC_F_TITLE, 1},
    {"role", EC_F_TITLE, 1},
    {"jobrole", EC_F_TITLE, 1},

    {"companyname", EC_F_COMPANY_NAME, 0},
    {"organizationname", EC_F_COMPANY_NAME, 0},
    {"organisationname", EC_F_COMPANY_NAME, 0},
    {"accountname", EC_F_COMPANY_NAME, 0},
    {"currentcompany", EC_F_COMPANY_NAME, 0},
    {"currentcompanyname", EC_F_COMPANY_NAME, 0},
    {"associatedcompany", EC_F_COMPANY_NAME, 0},
    {"employer", EC_F_COMPANY_NAME, 0},
    {"company", EC_F_COMPANY_NAME, 1},
    {"organization", EC_F_COMPANY_NAME, 1},
    {"organisation", EC_F_COMPANY_NAME, 1},

    {"companydomain", EC_F_COMPANY_DOMAIN, 0},
    {"companydomainname", EC_F_COMPANY_DOMAIN, 0},
    {"companywebsite", EC_F_COMPANY_DOMAIN, 0},
    {"companywebsiteurl", EC_F_COMPANY_DOMAIN, 0},
    {"organizationdomain", EC_F_COMPANY_DOMAIN, 0},
    {"organizationwebsite", EC_F_COMPANY_DOMAIN, 0},
    {"accountdomain", EC_F_COMPANY_DOMAIN, 0},
    {"accountwebsite", EC_F_COMPANY_DOMAIN, 0},
    {"website", EC_F_COMPANY_DOMAIN, 1},
    {"websiteurl", EC_F_COMPANY_DOMAIN, 1},
    {"domain", EC_F_COMPANY_DOMAIN, 1},
    {"companyurl", EC_F_COMPANY_DOMAIN, 1},
    {"webaddress", EC_F_COMPANY_DOMAIN, 1},
    {"homepage", EC_F_COMPANY_DOMAIN, 1},

    {"xhandle", EC_F_X_HANDLE, 0},
    {"twitterhandle", EC_F_X_HANDLE, 0},
    {"xusername", EC_F_X_HANDLE, 0},
    {"twitterusername", EC_F_X_HANDLE, 0},
    {"twitter", EC_F_X_HANDLE, 1},
    {"x", EC_F_X_HANDLE, 1},
    {"xtwitter", EC_F_X_HANDLE, 1},
    {"twitterx", EC_F_X_HANDLE, 1},
    {"twitterurl", EC_F_X_HANDLE, 1},
    {"xurl", EC_F_X_HANDLE, 1},
    {"twitterprofile", EC_F_X_HANDLE, 1},

    {"githubusername", EC_F_GITHUB_USERNAME, 0},
    {"githubhandle", EC_F_GITHUB_USERNAME, 0},
    {"githublogin", EC_F_GITHUB_USERNAME, 0},
    {"github", EC_F_GITHUB_USERNAME, 1},
    {"githuburl", EC_F_GITHUB_USERNAME, 1},
    {"githubprofile", EC_F_GITHUB_USERNAME, 1},

    {"uid", EC_F_UID, 0},
    {"leaduid", EC_F_UID, 0},
    {"leadfinderuid", EC_F_UID, 0},
    {"woodpeckeruid", EC_F_UID, 0},

    {"personid", EC_F_PERSON_ID, 0},
    {"lanceid", EC_F_PERSON_ID, 0},
    {"lancepersonid", EC_F_PERSON_ID, 0},
    {"personuuid", EC_F_PERSON_ID, 0},

    {"accountid", EC_F_ACCOUNT_ID, 0},
    {"openfunnelaccountid", EC_F_ACCOUNT_ID, 0},
    {"openfunnelid", EC_F_ACCOUNT_ID, 0},
};

/* Fields that identify a person or account on their own. */
static const unsigned strong_ids = 1u << EC_F_LINKEDIN_URL | 1u << EC_F_EMAIL |
                                   1u << EC_F_X_HANDLE | 1u << EC_F_GITHUB_USERNAME |
                                   1u << EC_F_UID | 1u << EC_F_PERSON_ID | 1u << EC_F_ACCOUNT_ID;

static const unsigned company_fields = 1u << EC_F_COMPANY_NAME | 1u << EC_F_COMPANY_DOMAIN;

void ec_colmap_match_form(const char *name, size_t len, ec_buf *out)
{
    ec_buf_reserve(out, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 'A' && c <= 'Z')
            ec_buf_putc(out, (char)(c - 'A' + 'a'));
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            ec_buf_putc(out, (char)c);
    }
}

static const synonym *synonym_find(const char *form)
{
    for (size_t i = 0; i < sizeof synonyms / sizeof synonyms[0]; i++)
        if (strcmp(synonyms[i].form, form) == 0)
            return &synonyms[i];
    return NULL;
}

/* A column name as shown in messages: plain when unambiguous, else in
 * double quotes with '"' and '\' escaped; control bytes as \xNN. */
static void put_name(ec_buf *out, const char *name)
{
    size_t len = strlen(name);
    int quote = len == 0 || name[0] == ' ' || name[len - 1] == ' ';
    for (size_t i = 0; i < len && !quote; i++) {
        unsigned char c = (unsigned char)name[i];
        quote = c == ',' || c == '"' || c == '\\' || c < 0x20 || c == 0x7f;
    }
    if (quote)
        ec_buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f)
            ec_buf_printf(out, "\\x%02x", c);
        else if (quote && (c == '"' || c == '\\'))
            ec_buf_printf(out, "\\%c", c);
        else
            ec_buf_putc(out, (char)c);
    }
    if (quote)
        ec_buf_putc(out, '"');
}

static void put_columns(ec_buf *out, const ec_header *h)
{
    if (h->n == 0) {
        ec_buf_puts(out, "(none)");
        return;
    }
    for (size_t i = 0; i < h->n; i++) {
        if (i)
            ec_buf_puts(out, ", ");
        put_name(out, h->names[i]);
    }
}

static void put_field_list(ec_buf *out)
{
    for (int f = 0; f < EC_F_COUNT; f++)
        ec_buf_printf(out, "%s%s", f ? ", " : "", ec_field_name((enum ec_field)f));
}

/* Column names a and b are equal after ec_header_norm. */
static int norm_equal(const char *a, const char *b)
{
    ec_buf x = {0}, y = {0};
    ec_header_norm(a, strlen(a), &x);
    ec_header_norm(b, strlen(b), &y);
    ec_buf_putc(&x, '\0'); /* never compare NULL buffers */
    ec_buf_putc(&y, '\0');
    int eq = x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
    ec_buf_free(&x);
    ec_buf_free(&y);
    return eq;
}

/* Find COLUMN for --map: exact name first, then by ec_header_norm. Returns
 * the index, -1 (none) or -2 (several normalized matches). */
static int find_column(const ec_header *h, const char *col)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->names[i], col) == 0)
            return (int)i;
    int found = -1;
    for (size_t i = 0; i < h->n && found != -2; i++)
        if (norm_equal(h->names[i], col))
            found = found == -1 ? (int)i : -2;
    return found;
}

static void put_matches(ec_buf *out, const ec_header *h, const char *col)
{
    const char *sep = "";
    for (size_t i = 0; i < h->n; i++) {
        if (norm_equal(h->names[i], col)) {
            ec_buf_puts(out, sep);
            put_name(out, h->names[i]);
            sep = ", ";
        }
    }
}

/* Apply one --map string. claimed[c] is set for columns named by --map. */
static int apply_map(ec_colmap *m, const ec_header *h, const char *arg, unsigned char *claimed,
                     ec_buf *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        ec_buf_puts(err, "--map ");
        put_name(err, arg);
        ec_buf_puts(err, ": expected FIELD=COLUMN");
        return -1;
    }
    char *field = ec_xstrndup(arg, (size_t)(eq - arg));
    int f = ec_field_from_name(field);
    free(field);
    if (f < 0 || (m->user & 1u << f)) {
        ec_buf_puts(err, "--map ");
        put_name(err, arg);
        if (f < 0) {
            ec_buf_puts(err, ": unknown field; fields are ");
            put_field_list(err);
        } else {
            ec_buf_printf(err, ": field %s is mapped twice", ec_field_name((enum ec_field)f));
        }
        return -1;
    }
    m->user |= 1u << f;
    if (eq[1] == '\0')
        return 0; /* "FIELD=": keep the field unmapped */
    int c = find_column(h, eq + 1);
    if (c < 0) {
        ec_buf_puts(err, "--map ");
        put_name(err, arg);
        if (c == -1) {
            ec_buf_puts(err, ": no such column; columns seen: ");
            put_columns(err, h);
        } else {
            ec_buf_puts(err, ": several columns match (");
            put_matches(err, h, eq + 1);
            ec_buf_puts(err, "); give the exact name");
        }
        return -1;
    }
    m->col[f] = c;
    claimed[c] = 1;
    return 0;
}

/* Synonym matching for the fields --map left alone. */
static void auto_match(ec_colmap *m, const ec_header *h, const unsigned char *claimed)
{
    int generic[EC_F_COUNT] = {0};
    ec_buf form = {0};
    for (size_t c = 0; c < h->n; c++) {
        if (claimed[c])
            continue;
        ec_buf_clear(&form);
        ec_colmap_match_form(h->names[c], strlen(h->names[c]), &form);
        if (form.len == 0)
            continue;
        const synonym *s = synonym_find(form.p);
        if (!s || (m->user & 1u << s->field))
            continue;
        if (m->col[s->field] < 0 || (generic[s->field] && !s->generic)) {
            m->col[s->field] = (int)c;
            generic[s->field] = s->generic;
        }
    }
    ec_buf_free(&form);
}

int ec_colmap_build(ec_colmap *m, const ec_header *h, const char *const *maps, size_t nmaps,
                    ec_buf *err)
{
    for (int f = 0; f < EC_F_COUNT; f++)
        m->col[f] = -1;
    m->user = 0;
    unsigned char *claimed = ec_xcalloc(h->n + 1, 1);
    for (size_t i = 0; i < nmaps; i++) {
        if (apply_map(m, h, maps[i], claimed, err) < 0) {
            free(claimed);
            return -1;
        }
    }
    auto_match(m, h, claimed);
    free(claimed);
    return 0;
}

static int mapped(const ec_colmap *m, int f)
{
    return m->col[f] >= 0;
}

/* Name is built from first + last: p takes name, no name column, both parts mapped. */
static int name_composed(const ec_colmap *m, const ec_provider *p)
{
    return (p->accepts & 1u << EC_F_NAME) && !mapped(m, EC_F_NAME) && mapped(m, EC_F_FIRST_NAME) &&
           mapped(m, EC_F_LAST_NAME);
}

/* p identifies by name + company when it takes name and a company field. */
static unsigned name_companies(const ec_provider *p)
{
    return (p->accepts & 1u << EC_F_NAME) ? p->accepts & company_fields : 0;
}

int ec_colmap_usable(const ec_colmap *m, const ec_provider *p)
{
    for (int f = 0; f < EC_F_COUNT; f++)
        if ((p->accepts & strong_ids & 1u << f) && mapped(m, f))
            return 1;
    unsigned companies = name_companies(p);
    if (!companies || !(mapped(m, EC_F_NAME) || name_composed(m, p)))
        return 0;
    for (int f = 0; f < EC_F_COUNT; f++)
        if ((companies & 1u << f) && mapped(m, f))
            return 1;
    return 0;
}

static const char *source_of(const ec_colmap *m, int f)
{
    return (m->user & 1u << f) ? "--map" : "synonym";
}

static void describe_field(const ec_colmap *m, const ec_header *h, const ec_provider *p, int f,
                           ec_buf *out)
{
    ec_buf_printf(out, "  %-16s ", ec_field_name((enum ec_field)f));
    if (mapped(m, f)) {
        put_name(out, h->names[m->col[f]]);
        ec_buf_printf(out, "  (%s)\n", source_of(m, f));
    } else if (f == EC_F_NAME && name_composed(m, p)) {
        put_name(out, h->names[m->col[EC_F_FIRST_NAME]]);
        ec_buf_puts(out, " + ");
        put_name(out, h->names[m->col[EC_F_LAST_NAME]]);
        ec_buf_puts(out, "  (first_name + last_name)\n");
    } else if (m->user & 1u << f) {
        ec_buf_printf(out, "(unmapped by --map %s=)\n", ec_field_name((enum ec_field)f));
    } else {
        ec_buf_puts(out, "(unmapped)\n");
    }
}

/* Field fed by column c for provider p, or -1; *taken says whether p uses it. */
static int column_field(const ec_colmap *m, const ec_provider *p, int c, int *taken)
{
    int composed = name_composed(m, p);
    for (int f = 0; f < EC_F_COUNT; f++) {
        if (m->col[f] != c)
            continue;
        *taken =
            (p->accepts & 1u << f) || (composed && (f == EC_F_FIRST_NAME || f == EC_F_LAST_NAME));
        if (*taken)
            return f;
    }
    for (int f = 0; f < EC_F_COUNT; f++)
        if (m->col[f] == c)
            return f;
    return -1;
}

/* Format:
 *   fields <provider> takes:
 *     <field, padded to 16> <column>  (synonym|--map)
 *     name             <first column> + <last column>  (first_name + last_name)
 *     <field>          (unmapped)  |  (unmapped by --map FIELD=)
 *   columns not used:
 *     <column>  |  <column>  (<field>, not taken by <provider>)  |  (none)
 */
void ec_colmap_describe(const ec_colmap *m, const ec_header *h, const ec_provider *p, ec_buf *out)
{
    ec_buf_printf(out, "fields %s takes:\n", p->name);
    for (int f = 0; f < EC_F_COUNT; f++)
        if (p->accepts & 1u << f)
            describe_field(m, h, p, f, out);
    ec_buf_puts(out, "columns not used:\n");
    int unused = 0;
    for (size_t c = 0; c < h->n; c++) {
        int taken = 0;
        int f = column_field(m, p, (int)c, &taken);
        if (taken)
            continue;
        unused++;
        ec_buf_puts(out, "  ");
        put_name(out, h->names[c]);
        if (f >= 0)
            ec_buf_printf(out, "  (%s, not taken by %s)", ec_field_name((enum ec_field)f), p->name);
        ec_buf_putc(out, '\n');
    }
    if (!unused)
        ec_buf_puts(out, "  (none)\n");
}

/* Substrings of a column's match form that suggest a field in the error. */
static const struct {
    unsigned char field;
    const char *hint;
} hints[] = {
    {EC_F_LINKEDIN_URL, "linkedin"}, {EC_F_LINKEDIN_URL, "profile"},   {EC_F_EMAIL, "mail"},
    {EC_F_X_HANDLE, "twitter"},      {EC_F_GITHUB_USERNAME, "github"}, {EC_F_UID, "uid"},
    {EC_F_PERSON_ID, "uuid"},        {EC_F_PERSON_ID, "person"},       {EC_F_PERSON_ID, "lance"},
    {EC_F_ACCOUNT_ID, "account"},    {EC_F_ACCOUNT_ID, "openfunnel"},  {EC_F_UID, "id"},
    {EC_F_PERSON_ID, "id"},          {EC_F_ACCOUNT_ID, "id"},
};

static int column_is_mapped(const ec_colmap *m, int c)
{
    for (int f = 0; f < EC_F_COUNT; f++)
        if (m->col[f] == c)
            return 1;
    return 0;
}

/* Pick a field and column to suggest: a hinted pair, else p's first
 * identifier with the first free column (c = -1: no column at all). */
static void suggest(const ec_colmap *m, const ec_header *h, const ec_provider *p, int *field,
                    int *col)
{
    ec_buf form = {0};
    *field = -1;
    *col = -1;
    for (size_t k = 0; k < sizeof hints / sizeof hints[0] && *col < 0; k++) {
        if (!(p->accepts & strong_ids & 1u << hints[k].field))
            continue;
        for (size_t c = 0; c < h->n && *col < 0; c++) {
            if (column_is_mapped(m, (int)c))
                continue;
            ec_buf_clear(&form);
            ec_colmap_match_form(h->names[c], strlen(h->names[c]), &form);
            if (form.len && strstr(form.p, hints[k].hint)) {
                *field = hints[k].field;
                *col = (int)c;
            }
        }
    }
    ec_buf_free(&form);
    if (*col >= 0)
        return;
    for (int f = EC_F_COUNT - 1; f >= 0; f--)
        if (p->accepts & strong_ids & 1u << f)
            *field = f;
    if (*field < 0)
        *field = EC_F_NAME;
    for (size_t c = 0; c < h->n && *col < 0; c++)
        if (!column_is_mapped(m, (int)c))
            *col = (int)c;
    if (*col < 0 && h->n > 0)
        *col = 0;
}

/* Append "FIELD=COLUMN" as one shell word. */
static void put_map_arg(ec_buf *out, int f, const char *col)
{
    ec_buf arg = {0};
    int plain = 1;
    ec_buf_printf(&arg, "%s=%s", ec_field_name((enum ec_field)f), col);
    for (const char *s = col; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:/@%+=-", *s))
            plain = 0;
    if (plain) {
        ec_buf_puts(out, arg.p);
    } else {
        ec_buf_putc(out, '\'');
        for (const char *s = arg.p; *s; s++)
            if (*s == '\'')
                ec_buf_puts(out, "'\\''");
            else
                ec_buf_putc(out, *s);
        ec_buf_putc(out, '\'');
    }
    ec_buf_free(&arg);
}

void ec_colmap_no_identifier_message(const ec_colmap *m, const ec_header *h, const ec_provider *p,
                                     ec_buf *out)
{
    const char *sep = "";
    ec_buf_printf(out, "no column for %s's identifiers (", p->name);
    for (int f = 0; f < EC_F_COUNT; f++) {
        if (p->accepts & strong_ids & 1u << f) {
            ec_buf_printf(out, "%s%s", sep, ec_field_name((enum ec_field)f));
            sep = ", ";
        }
    }
    unsigned companies = name_companies(p);
    if (companies) {
        ec_buf_printf(out, "%sname + ", sep);
        sep = "";
        for (int f = 0; f < EC_F_COUNT; f++) {
            if (companies & 1u << f) {
                ec_buf_printf(out, "%s%s", sep, ec_field_name((enum ec_field)f));
                sep = " or ";
            }
        }
    }
    ec_buf_puts(out, ")\n  columns seen: ");
    put_columns(out, h);
    int field, col;
    suggest(m, h, p, &field, &col);
    ec_buf_puts(out, "\n  map one with e.g. --map ");
    put_map_arg(out, field, col >= 0 ? h->names[col] : "COLUMN");
    ec_buf_putc(out, '\n');
}

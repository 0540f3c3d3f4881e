/* ident.h - identifier normalization and lookup (journal) keys.
 *
 * Every normalizer reads n bytes of s (not NUL-terminated, may hold any
 * bytes), appends the canonical form to out and returns 0; or returns -1
 * when the value is empty or unusable, and then appends nothing. Their
 * output is always valid UTF-8 and feeds the journal keys, so the rules
 * below must never change once released (t_ident pins golden keys).
 * "Whitespace" is ASCII controls, space, DEL, U+00A0, U+2000-U+200B,
 * U+202F, U+205F, U+3000 and U+FEFF; "trim" removes it at both ends. No
 * Unicode normalization (NFC/NFD) is applied. */
#ifndef EC_IDENT_H
#define EC_IDENT_H

#include <stddef.h>
#include "buf.h"
#include "colmap.h"
#include "row.h"

/* LinkedIn profile URL -> "linkedin.com/in/<slug>". Accepts an optional
 * http(s) scheme, any *.linkedin.com host (www., m., uk. ...) in any case,
 * a port, bare "linkedin.com/in/x", "in/x" and "/in/x"; drops query,
 * fragment, trailing slash and anything after the slug ("/details/...").
 * The slug is percent-decoded (must decode to valid UTF-8 without '/', '?',
 * '#', '%', '\', spaces or controls) and case-folded (ec_casefold),
 * except member-id slugs ("ACoAA...", "ACwAA...") which are case-sensitive
 * and kept. -1 for other hosts and for non-/in/ pages (company, Sales
 * Navigator "/sales/...", old "/pub/" URLs). */
int ec_norm_linkedin(const char *s, size_t n, ec_buf *out);

/* Email: trim, drop "mailto:" and a "Name <addr>" wrapper, keep the first
 * address of a list separated by ',', ';' or spaces, case-fold everything
 * (ec_casefold: ASCII and common non-ASCII capitals).
 * Exactly one '@', non-empty local part, domain with a dot and no empty
 * label (a trailing dot is dropped); no quotes, brackets, backslashes or
 * controls. Plus-tags and dots are kept (providers treat them as distinct). */
int ec_norm_email(const char *s, size_t n, ec_buf *out);

/* Company domain: trim; drop scheme, user info (an email gives its domain),
 * path, query, fragment, port, a trailing dot and a leading "www." (when
 * a domain remains); case-fold. Labels of [a-z0-9-] or non-ASCII UTF-8
 * (IDNs are kept as Unicode, not punycode), at least two, the last of 2+
 * bytes and not all digits (IP addresses are refused). -1 for a URL with
 * a path on a social site (linkedin.com/company/x, twitter.com/x, x.com,
 * facebook.com, instagram.com, github.com, youtube.com, crunchbase.com):
 * it names no company website. */
int ec_norm_domain(const char *s, size_t n, ec_buf *out);

/* Names, titles, companies: trim, runs of whitespace/controls become one
 * space, invalid UTF-8 bytes become U+FFFD; case is kept (values are sent
 * as written). Keys use ec_casefold of this form. */
int ec_norm_text(const char *s, size_t n, ec_buf *out);

/* Append the case-folded form of UTF-8 text: ASCII, Latin-1, Latin
 * Extended-A, Greek and Cyrillic capitals to small letters; every other
 * byte unchanged. Used for keys of text fields. */
void ec_casefold(const char *s, size_t n, ec_buf *out);

/* Social handle, any site: trim, strip a leading '@' and URL forms
 * (twitter.com/NAME, x.com/NAME, github.com/NAME, with or without scheme,
 * www. or mobile.), lowercase. 1-39 characters of [a-z0-9_-]. */
int ec_norm_handle(const char *s, size_t n, ec_buf *out);
/* X/Twitter handle: as ec_norm_handle but only x.com/twitter.com URLs and
 * 1-15 characters of [a-z0-9_]. */
int ec_norm_x_handle(const char *s, size_t n, ec_buf *out);
/* GitHub username: as ec_norm_handle but only github.com URLs and 1-39
 * characters of [a-z0-9_-]. */
int ec_norm_github(const char *s, size_t n, ec_buf *out);

/* UUID (Lance person id): 8-4-4-4-12 hex digits in any case, optionally in
 * braces or as 32 bare hex digits -> lowercase 8-4-4-4-12. The nil UUID is
 * refused. */
int ec_norm_uuid(const char *s, size_t n, ec_buf *out);

/* Opaque id (Woodpecker uid): trim; 1-256 bytes with no whitespace or
 * controls; case kept (uids are case-sensitive). */
int ec_norm_id(const char *s, size_t n, ec_buf *out);

/* Numeric id (OpenFunnel account_id): trim; digits, optionally followed by
 * ".0..." (a spreadsheet float); leading zeros dropped; 1-18 digits, not 0. */
int ec_norm_account_id(const char *s, size_t n, ec_buf *out);

/* Normalize a value of field f with that field's normalizer: linkedin_url,
 * email, company_domain, x_handle, github_username, person_id (uuid), uid
 * (id), account_id as named; name, first_name, last_name, title and
 * company_name as text. Returns 0 or -1 like the normalizers. */
int ec_norm_field(enum ec_field f, const char *s, size_t n, ec_buf *out);

/* Extract and normalize every mapped field of row (borrowed) into vals[f],
 * malloc'd, NULL when unmapped, absent, empty or unusable. When the row has
 * no usable name but both first and last names, vals[EC_F_NAME] is
 * "first last". Free with ec_ident_free_vals. */
void ec_ident_extract(const ec_colmap *m, const ec_row *row, char *vals[EC_F_COUNT]);
/* ec_ident_extract without allocations: the values are written to store
 * (emptied first) and vals[f] point into it (borrowed until store changes). */
void ec_ident_extract_buf(const ec_colmap *m, const ec_row *row, ec_buf *store,
                          const char *vals[EC_F_COUNT]);
/* ec_ident_extract_buf for the fields in the bit set want (1u << f) only:
 * the others are NULL, never normalized. */
void ec_ident_extract_some(const ec_colmap *m, const ec_row *row, unsigned want, ec_buf *store,
                           const char *vals[EC_F_COUNT]);
/* Free the values ec_ident_extract made and set them to NULL. */
void ec_ident_free_vals(char *vals[EC_F_COUNT]);

/* The lookup (journal) key, malloc'd:
 *   PROVIDER|ENDPOINT|FIELDS|field=value|field=value...
 * FIELDS is "e" (email), "p" (phone), "ep" or "-"; fields follow in enum
 * ec_field order, absent ones omitted; name, first_name, last_name, title
 * and company_name are case-folded (ec_casefold). '\' and '|' inside any
 * part are escaped with '\'. chosen[] holds normalized values (borrowed).
 * Only the strongest identifiers make the key: when any of linkedin_url,
 * email, x_handle, github_username, uid, person_id, account_id is chosen,
 * the names and companies beside it are left out; title never counts (two
 * rows with one email and two titles are one lookup). */
char *ec_ident_key(const char *provider, const char *endpoint, unsigned fields,
                   const char *const chosen[EC_F_COUNT]);

/* ec_ident_key written into k (emptied first; k->p is the key). */
void ec_ident_key_buf(ec_buf *k, const char *provider, const char *endpoint, unsigned fields,
                      const char *const chosen[EC_F_COUNT]);
/* The two halves of ec_ident_key_buf, appended to k: the part every row of
 * a run shares (PROVIDER|ENDPOINT|FIELDS), then the row's identifiers. */
void ec_ident_key_prefix(ec_buf *k, const char *provider, const char *endpoint, unsigned fields);
void ec_ident_key_ids(ec_buf *k, const char *const chosen[EC_F_COUNT]);

/* Full URL to send for a canonical LinkedIn value ("linkedin.com/in/x"):
 * "https://www.linkedin.com/in/x", non-ASCII slug bytes percent-encoded.
 * malloc'd. */
char *ec_linkedin_url(const char *canonical);

/* The parts of a key made by ec_ident_key (escapes undone; text fields
 * come back case-folded, as they were keyed). */
typedef struct ec_ident_key_parts {
    char *provider;
    char *endpoint;
    unsigned fields;        /* EC_WANT_* */
    char *vals[EC_F_COUNT]; /* NULL where absent */
} ec_ident_key_parts;

/* Split key back into its parts (all malloc'd; free with
 * ec_ident_key_parts_free). Returns 0, or -1 when key is not of that form. */
int ec_ident_parse_key(const char *key, ec_ident_key_parts *parts);
void ec_ident_key_parts_free(ec_ident_key_parts *parts);

#endif

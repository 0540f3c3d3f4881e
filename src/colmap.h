/* colmap.h - which input column feeds which identifier field.
 *
 * Automatic matching compares a column name's "match form" (ASCII letters
 * lowercased; digits and non-ASCII bytes kept; spaces, punctuation and
 * symbols dropped: "E-mail Address:" -> "emailaddress") with a synonym
 * table. Each synonym is specific ("Work Email", "Company Website") or
 * generic ("Website", "Profile URL", "Name"); a specific match beats a
 * generic one, and among equals the leftmost column wins. A column named
 * by --map never feeds another field through a synonym. */
#ifndef EC_COLMAP_H
#define EC_COLMAP_H

#include <stddef.h>
#include "buf.h"
#include "provider.h"
#include "row.h"

typedef struct ec_colmap {
    int col[EC_F_COUNT]; /* column index into the header, or -1 */
    unsigned user;       /* bit f (1u << f): set by --map (col -1: "FIELD=" unmapped it) */
} ec_colmap;

/* Build the map from the header (borrowed) and --map "FIELD=COLUMN" strings.
 * FIELD is exactly one of the SPEC's field names; COLUMN matches a column
 * name exactly, else by ec_header_norm (an error when that is ambiguous);
 * an empty COLUMN turns the field off. A field given twice is an error.
 * Returns 0, or -1 with a one-line message appended to err (no "enrichcsv:"
 * prefix, no newline). */
int ec_colmap_build(ec_colmap *m, const ec_header *h, const char *const *maps, size_t nmaps,
                    ec_buf *err);

/* Append the --show-map report for provider p to out (format in colmap.c
 * and the man page): one line per field p takes, then the unused columns. */
void ec_colmap_describe(const ec_colmap *m, const ec_header *h, const ec_provider *p, ec_buf *out);

/* 1 when an identifier of p is mapped: a field that identifies on its own
 * (linkedin_url, email, x_handle, github_username, uid, person_id,
 * account_id) that p takes, or, when p takes name and a company field, a
 * name (or first and last name) together with that company field. */
int ec_colmap_usable(const ec_colmap *m, const ec_provider *p);

/* Append the usage error for a provider with no usable identifier column:
 * three lines, each ending in '\n', without the "enrichcsv: " prefix (the
 * printer adds it to the first): p's identifiers, the columns seen and a
 * --map to try, e.g.
 *   no column for thehog's identifiers (linkedin_url, email, x_handle, github_username)
 *     columns seen: A, B, C
 *     map one with e.g. --map linkedin_url=A */
void ec_colmap_no_identifier_message(const ec_colmap *m, const ec_header *h, const ec_provider *p,
                                     ec_buf *out);

/* Append the match form of a column name (see above) to out. */
void ec_colmap_match_form(const char *name, size_t len, ec_buf *out);

#endif

/* prov_util.h - small helpers shared by the prov_<name>.c files: reading
 * vendor JSON defensively, comparing echoed identifiers, turning URLs found
 * in answers into request URLs, and finishing lookups. Pure functions, no
 * I/O; nothing here knows a vendor. Stable API: other provider files use it. */
#ifndef EC_PROV_UTIL_H
#define EC_PROV_UTIL_H

#include <stddef.h>
#include "buf.h"
#include "json.h"
#include "provider.h"
#include "row.h"

/* Longest reason text put into a failed:<reason> status, in bytes. */
#define EC_PU_REASON_MAX 160

/* Append the canonical form of identifier value s (len bytes) of field f to
 * out, for comparing what a provider echoes with what was sent. All forms
 * trim and ASCII-lowercase; linkedin_url drops scheme, subdomain ("www.",
 * "uk."), query, fragment and trailing '/', and decodes %XX escapes
 * ("linkedin.com/in/ann");
 * company_domain drops scheme, "www." and any path; x_handle drops a
 * leading '@'; name-like fields collapse inner white space. */
void ec_pu_canon(enum ec_field f, const char *s, size_t len, ec_buf *out);
/* Same for a NUL-terminated s; returns a malloc'd string (never NULL). */
char *ec_pu_canon_dup(enum ec_field f, const char *s);

/* Add to out (unique, in order) every contact in token t: a string array
 * element is taken as is; an object element gives its first non-empty
 * string member among keys (NULL-terminated, e.g. {"value","email",NULL});
 * t itself may also be a single string or object. Empty strings, nulls and
 * other types are skipped. Returns how many values were added. */
size_t ec_pu_harvest(const ec_json *j, int t, const char *const *keys, ec_values *out);

/* Decoded string member key of object t, malloc'd, or NULL when missing,
 * not a string, or empty after trimming. */
char *ec_pu_get_str(const ec_json *j, int t, const char *key);

/* Request URL (provider.h: a path joined to the base URL) for an href or
 * pollUrl of len bytes taken from an answer: an absolute http(s) URL is
 * reduced to its path and query, so requests (and keys) only ever go to the
 * configured base URL; a relative one gets a leading '/'. Returns malloc'd
 * text, or NULL when empty or holding spaces or control characters. */
char *ec_pu_request_url(const char *href, size_t len);

/* Append s percent-encoded as one URL path segment (RFC 3986 unreserved
 * characters kept). */
void ec_pu_put_segment(ec_buf *b, const char *s);

/* Append the provider's error message found in an error body j to msg, for
 * the usual envelopes: _errors[0].{detail,title,code}; message (+ ": " and
 * errors[0].{property message}); error (string, or object with message or
 * code); error_message; detail; error_code. Returns 1 when one was found. */
int ec_pu_error_message(const ec_json *j, ec_buf *msg);

/* Append s (len bytes) to msg as a reason: control characters become
 * spaces, surrounding space is trimmed, cut at EC_PU_REASON_MAX bytes on a
 * UTF-8 boundary. */
void ec_pu_put_reason(ec_buf *msg, const char *s, size_t len);

/* Fill msg for an answer that is not a success: the provider's message from
 * the body when it has one, else the transport reason ("timeout"), else
 * "http_<status>". Returns ec_verdict_for_status(resp->status). */
enum ec_verdict ec_pu_error_verdict(const ec_response *resp, ec_buf *msg);

/* Seconds to wait before the next poll: ctx->poll_interval when set, else
 * dflt; raised to resp->retry_after when the answer carried Retry-After
 * (resp may be NULL), and capped at EC_PU_POLL_MAX. */
#define EC_PU_POLL_MAX 300.0
double ec_pu_poll_delay(const ec_pctx *ctx, double dflt, const ec_response *resp);

/* Finish a lookup: replace its outcome with status and, for
 * EC_ST_FAILED, reason (copied; NULL gives "error"); set done. */
void ec_pu_finish(ec_lookup *lk, enum ec_status status, const char *reason);
/* Finish a lookup with contacts: takes over emails and phones (left empty);
 * status is enriched when either holds a value, else not_found. */
void ec_pu_finish_contacts(ec_lookup *lk, ec_values *emails, ec_values *phones);
/* Fail every lookup of b not yet done with reason (copied). */
void ec_pu_fail_rest(ec_batch *b, const char *reason);
/* For providers that skip lookups for credits inside a batch: EC_V_CREDITS
 * once, when short_of_credits is set and every lookup of b is settled (msg
 * is then what, and *reported set: the engine stops submitting, exit 4);
 * else EC_V_OK. */
enum ec_verdict ec_pu_credits_verdict(const ec_batch *b, int short_of_credits, int *reported,
                                      const char *what, ec_buf *msg);

/* Add "name: value" to headers unless value is NULL or empty or holds a
 * control character (which would let a key inject headers). Returns 1 when
 * added. */
int ec_pu_add_header(ec_values *headers, const char *name, const char *value);

/* Append ,"key":"value" (without the comma when *first is set, which it
 * then clears) to a JSON object being built in b. */
void ec_pu_put_member(ec_buf *b, int *first, const char *key, const char *value);

#endif

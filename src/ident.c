/* ident.c - identifier normalization and lookup keys. The output of every
 * function here is part of the journal format: change nothing without
 * accepting that old journals stop matching (t_ident pins golden keys). */
#include "config.h"
#include "ident.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- bytes */

/* Room for extra more bytes and the NUL in b; the write position. Calls
 * out only to grow: the per-row buffers are long since big enough. */
static char *room(ec_buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap)
        ec_buf_reserve(b, extra);
    return b->p + b->len;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
    return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}

static int hex_val(int c)
{
    return is_digit(c) ? c - '0' : lower(c) - 'a' + 10;
}

/* Case-insensitive ASCII prefix test. */
static int has_prefix(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (lower((unsigned char)s[i]) != lit[i])
            return 0;
    return 1;
}

/* Length of the valid UTF-8 sequence at p (1-4) with its code point, or 0. */
static size_t utf8_decode(const unsigned char *p, size_t n, unsigned *cp)
{
    if (n == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || len > n || p[0] > 0xf4)
        return 0;
    unsigned v = p[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3f);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

static int utf8_valid(const char *s, size_t n)
{
    unsigned cp;
    for (size_t i = 0, k; i < n; i += k) {
        if ((unsigned char)s[i] < 0x80) { /* ASCII: the common case */
            k = 1;
            continue;
        }
        if ((k = utf8_decode((const unsigned char *)s + i, n - i, &cp)) == 0)
            return 0;
    }
    return 1;
}

/* Byte length of a whitespace or control character at s, else 0: ASCII
 * controls, space, DEL, and U+00A0, U+2000-U+200B, U+202F, U+205F,
 * U+3000, U+FEFF. */
static size_t space_len(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned char c0 = (unsigned char)s[0];
    if (c0 < 0x80) /* ASCII without decoding */
        return c0 <= 0x20 || c0 == 0x7f;
    if (c0 != 0xc2 && c0 != 0xe2 && c0 != 0xe3 && c0 != 0xef)
        return 0; /* no listed space starts with another byte */
    unsigned cp;
    size_t k = utf8_decode((const unsigned char *)s, n, &cp);
    if (k == 0)
        return 0;
    if (cp <= 0x20 || cp == 0x7f || cp == 0xa0 || (cp >= 0x2000 && cp <= 0x200b) || cp == 0x202f ||
        cp == 0x205f || cp == 0x3000 || cp == 0xfeff)
        return k;
    return 0;
}

/* 1 when s holds a whitespace or control character anywhere. */
static int has_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c > 0x20 && c < 0x7f)
            continue; /* printable ASCII */
        if (space_len(s + i, n - i))
            return 1;
    }
    return 0;
}

/* Trim whitespace at both ends; a trailing multi-byte space is found by
 * trying the 1-3 byte suffixes. */
static void trim(const char **s, size_t *n)
{
    size_t k;
    while (*n && (k = space_len(*s, *n)) > 0) {
        *s += k;
        *n -= k;
    }
    for (int again = 1; again && *n;) {
        again = 0;
        for (size_t t = 1; t <= 3 && t <= *n; t++) {
            if (space_len(*s + *n - t, t) == t) {
                *n -= t;
                again = 1;
                break;
            }
        }
    }
}

/* Skip "http://" or "https://" (any case). Returns 1 when one was there. */
static int skip_http(const char **s, size_t *n)
{
    size_t k = has_prefix(*s, *n, "https://") ? 8 : has_prefix(*s, *n, "http://") ? 7 : 0;
    *s += k;
    *n -= k;
    return k > 0;
}

/* Length of the run before the first byte of stop (or n). */
static size_t span_to(const char *s, size_t n, const char *stop)
{
    unsigned char hit[256] = {0};
    for (const char *q = stop; *q; q++)
        hit[(unsigned char)*q] = 1;
    for (size_t i = 0; i < n; i++)
        if (hit[(unsigned char)s[i]])
            return i;
    return n;
}

/* Host a (length n, lowercase) is base or a subdomain of it. */
static int host_is(const char *a, size_t n, const char *base)
{
    size_t k = strlen(base);
    if (n == k)
        return memcmp(a, base, k) == 0;
    return n > k + 1 && a[n - k - 1] == '.' && memcmp(a + n - k, base, k) == 0;
}

static unsigned fold_cp(unsigned c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7))
        return c + 0x20;
    if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
        return c | 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
        return (c & 1) ? c + 1 : c;
    if (c == 0x178)
        return 0xff;
    if ((c >= 0x391 && c <= 0x3a9 && c != 0x3a2) || (c >= 0x410 && c <= 0x42f))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40f)
        return c + 0x50;
    return c;
}

/* Case-fold n bytes of UTF-8 in place. Every folding keeps the length of
 * its character (ASCII to ASCII, two-byte capitals to two-byte smalls). */
static void fold_in_place(char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z')
                s[i] = (char)(c + 0x20);
            i++;
            continue;
        }
        unsigned cp;
        size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        unsigned f = fold_cp(cp);
        if (f != cp && k == 2) {
            s[i] = (char)(0xc0 | f >> 6);
            s[i + 1] = (char)(0x80 | (f & 0x3f));
        }
        i += k;
    }
}

/* ---------------------------------------------------------------- LinkedIn */

/* Host part (s, n) names LinkedIn: [labels.]linkedin.com[:port], any case. */
static int linkedin_host(const char *s, size_t n)
{
    size_t hn = span_to(s, n, ":");
    if (hn < n) { /* a port: digits only */
        for (size_t i = hn + 1; i < n; i++)
            if (!is_digit(s[i]))
                return 0;
    }
    char host[256];
    if (hn == 0 || hn >= sizeof host)
        return 0;
    for (size_t i = 0; i < hn; i++) {
        int c = lower((unsigned char)s[i]);
        if (!(c == '.' || c == '-' || is_digit(c) || (c >= 'a' && c <= 'z')))
            return 0;
        if (c == '.' && (i == 0 || host[i - 1] == '.'))
            return 0;
        host[i] = (char)c;
    }
    return host_is(host, hn, "linkedin.com");
}

/* Percent-decode a slug into out (room for n more bytes reserved); -1 on a
 * bad escape or a byte no slug has. */
static int decode_slug(const char *s, size_t n, ec_buf *out)
{
    char *w = out->p + out->len;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return -1;
            c = hex_val(s[i + 1]) << 4 | hex_val(s[i + 2]);
            i += 2;
        }
        if (c <= 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#' || c == '%' || c == '\\')
            return -1;
        *w++ = (char)c;
    }
    out->len = (size_t)(w - out->p);
    out->p[out->len] = '\0';
    return 0;
}

/* Move s past the host (or the bare "in" form) to "/in/...". -1: not LinkedIn. */
static int linkedin_path(const char **s, size_t *n)
{
    int scheme = skip_http(s, n);
    if (!scheme && has_prefix(*s, *n, "in/"))
        return 0; /* bare "in/slug" */
    if (!scheme && *n && (*s)[0] == '/')
        return has_prefix(*s, *n, "/in/") ? 0 : -1;
    size_t hn = span_to(*s, *n, "/?#");
    if (!linkedin_host(*s, hn))
        return -1;
    *s += hn;
    *n -= hn;
    return has_prefix(*s, *n, "/in/") ? 0 : -1;
}

/* Slug bytes that need no decoding, folding or checks: [a-z0-9_-]. */
#define SLUG1(c)                                                                                   \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') || (c) == '-' || (c) == '_')
#define SLUG4(c) SLUG1(c), SLUG1((c) + 1), SLUG1((c) + 2), SLUG1((c) + 3)
#define SLUG16(c) SLUG4(c), SLUG4((c) + 4), SLUG4((c) + 8), SLUG4((c) + 12)
#define SLUG64(c) SLUG16(c), SLUG16((c) + 16), SLUG16((c) + 32), SLUG16((c) + 48)
static const unsigned char plain_slug[256] = {SLUG64(0), SLUG64(64), SLUG64(128), SLUG64(192)};

/* Length of a lowercase "[http[s]://][www.]linkedin.com/in/" at s with
 * something after it, else 0. memcmp of a constant size compiles to a few
 * loads, cheaper than one call per spelling. */
static size_t linkedin_fast_prefix(const char *s, size_t n)
{
    size_t p = n > 8 && memcmp(s, "https://", 8) == 0  ? 8
               : n > 7 && memcmp(s, "http://", 7) == 0 ? 7
                                                       : 0;
    if (n - p > 4 && memcmp(s + p, "www.", 4) == 0)
        p += 4;
    return n - p > 16 && memcmp(s + p, "linkedin.com/in/", 16) == 0 ? p + 16 : 0;
}

/* The common spellings, already canonical but for the prefix: a known
 * lowercase prefix, then a slug of [a-z0-9_-] up to the end, '/', '?' or
 * '#' (nothing to trim, decode or fold). 1 when done, 0: take the long way.
 * Never taken for a leading space, so t_ident checks it against the long
 * way by prefixing one. */
static int linkedin_fast(const char *s, size_t n, ec_buf *out)
{
    size_t pn = linkedin_fast_prefix(s, n), i = pn;
    if (pn == 0 || (unsigned char)s[n - 1] <= 0x20 || (unsigned char)s[n - 1] >= 0x7f)
        return 0; /* not a known prefix, or a trailing space to trim */
    const unsigned char *u = (const unsigned char *)s;
    /* four bytes a step: slugs are mostly 10 to 40 bytes */
    while (i + 4 <= n &&
           plain_slug[u[i]] & plain_slug[u[i + 1]] & plain_slug[u[i + 2]] & plain_slug[u[i + 3]])
        i += 4;
    while (i < n && plain_slug[u[i]])
        i++;
    if (i == pn || (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#'))
        return 0;
    char *w = room(out, 16 + i - pn);
    memcpy(w, "linkedin.com/in/", 16);
    memcpy(w + 16, s + pn, i - pn);
    out->len += 16 + i - pn;
    out->p[out->len] = '\0';
    return 1;
}

int ec_norm_linkedin(const char *s, size_t n, ec_buf *out)
{
    if (linkedin_fast(s, n, out))
        return 0;
    trim(&s, &n);
    if (linkedin_path(&s, &n) < 0)
        return -1;
    size_t skip = s[0] == '/' ? 4 : 3; /* "/in/" or "in/" */
    s += skip;
    n -= skip;
    size_t sn = span_to(s, n, "/?#");
    size_t start = out->len;
    /* decoded in place after the prefix, then checked and folded there */
    ec_buf_reserve(out, 16 + sn);
    memcpy(out->p + out->len, "linkedin.com/in/", 16);
    out->len += 16;
    char *slug = out->p + out->len;
    if (sn == 0 || decode_slug(s, sn, out) < 0 || !utf8_valid(slug, out->len - start - 16) ||
        has_space(slug, out->len - start - 16)) {
        out->len = start;
        out->p[start] = '\0';
        return -1;
    }
    size_t len = out->len - start - 16;
    /* member-id slugs are case-sensitive; public slugs are not */
    int member_id = len >= 5 && (memcmp(slug, "ACoAA", 5) == 0 || memcmp(slug, "ACwAA", 5) == 0);
    if (!member_id)
        fold_in_place(slug, len);
    return 0;
}

char *ec_linkedin_url(const char *canonical)
{
    if (strncmp(canonical, "linkedin.com/", 13) != 0)
        return ec_xstrdup(canonical);
    ec_buf b = {0};
    ec_buf_puts(&b, "https://www.");
    for (const unsigned char *p = (const unsigned char *)canonical; *p; p++) {
        int c = *p;
        if (is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || strchr("-._~/", c))
            ec_buf_putc(&b, (char)c);
        else
            ec_buf_printf(&b, "%%%02X", c);
    }
    return ec_buf_take(&b);
}

/* ---------------------------------------------------------------- email, domain */

/* A domain label byte: [a-z0-9-] after lowercasing, or part of non-ASCII UTF-8. */
static int domain_byte(int c)
{
    c = lower(c);
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c >= 0x80;
}

/* Check a domain (lowercase not required): labels of domain bytes separated
 * by single dots, at least two, the last with a letter and 2+ bytes, valid
 * UTF-8. */
static int domain_ok(const char *d, size_t n)
{
    size_t label = 0, labels = 0, letters = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '.') {
            if (label == 0)
                return 0;
            labels++;
            label = letters = 0;
        } else if (domain_byte((unsigned char)d[i])) {
            label++;
            letters += !is_digit(d[i]) && d[i] != '-';
        } else {
            return 0;
        }
    }
    return labels >= 1 && label >= 2 && letters > 0 && utf8_valid(d, n) && !has_space(d, n);
}

static void put_lower(ec_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ec_buf_putc(out, (char)lower((unsigned char)s[i]));
}

/* Narrow (s, n) to the address in "Name <addr>", then to the first of a list. */
static void email_unwrap(const char **s, size_t *n)
{
    if (has_prefix(*s, *n, "mailto:")) {
        *s += 7;
        *n -= 7;
    }
    if (*n && (*s)[*n - 1] == '>') {
        const char *lt = NULL;
        for (size_t i = 0; i < *n; i++)
            if ((*s)[i] == '<')
                lt = *s + i;
        if (lt) {
            *n = (size_t)(*s + *n - 1 - (lt + 1));
            *s = lt + 1;
        }
    }
    trim(s, n);
    size_t k = 0;
    while (k < *n && !strchr(",; \t\r\n", (*s)[k]))
        k++;
    *n = k;
}

int ec_norm_email(const char *s, size_t n, ec_buf *out)
{
    trim(&s, &n);
    email_unwrap(&s, &n);
    size_t at = n, ats = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || strchr("\"()<>[]\\,;:", c))
            return -1;
        if (c == '@') {
            at = i;
            ats++;
        }
    }
    if (ats != 1 || at == 0)
        return -1;
    size_t dn = n - at - 1;
    if (dn && s[n - 1] == '.')
        dn--;
    if (!domain_ok(s + at + 1, dn) || !utf8_valid(s, at) || has_space(s, at))
        return -1;
    ec_casefold(s, at + 1 + dn, out);
    return 0;
}

/* Sites whose URLs with a path are profiles, not a company's website. */
static const char *const social_hosts[] = {
    "linkedin.com", "twitter.com", "x.com",          "facebook.com", "instagram.com",
    "github.com",   "youtube.com", "crunchbase.com", NULL,
};

/* Length of a leading "letters://" or "//", else 0. */
static size_t scheme_len(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && lower((unsigned char)s[k]) >= 'a' && lower((unsigned char)s[k]) <= 'z')
        k++;
    if (k + 3 <= n && memcmp(s + k, "://", 3) == 0)
        return k + 3;
    return has_prefix(s, n, "//") ? 2 : 0;
}

int ec_norm_domain(const char *s, size_t n, ec_buf *out)
{
    trim(&s, &n);
    size_t skip = scheme_len(s, n);
    s += skip;
    n -= skip;
    size_t hn = span_to(s, n, "/?#");
    size_t rest = hn < n && !(n - hn == 1 && s[hn] == '/') ? n - hn : 0;
    for (size_t i = hn; i-- > 0;) {
        if (s[i] == '@') { /* user info, or an email in a domain column */
            hn -= i + 1;
            s += i + 1;
            break;
        }
    }
    size_t colon = span_to(s, hn, ":");
    for (size_t i = colon + 1; i < hn; i++)
        if (!is_digit(s[i]))
            return -1;
    hn = colon;
    if (hn && s[hn - 1] == '.')
        hn--;
    if (has_prefix(s, hn, "www.") && domain_ok(s + 4, hn - 4)) {
        s += 4;
        hn -= 4;
    }
    if (!domain_ok(s, hn))
        return -1;
    size_t start = out->len;
    ec_casefold(s, hn, out);
    for (size_t i = 0; rest && social_hosts[i]; i++) {
        if (host_is(out->p + start, out->len - start, social_hosts[i])) {
            out->len = start;
            out->p[start] = '\0';
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- text */

/* The usual value: printable ASCII words separated by single spaces, with
 * none at either end. ec_norm_text leaves it as it is. */
static int plain_text(const char *s, size_t n)
{
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c > 0x20 && c < 0x7f)
            continue;
        if (c != ' ' || s[i + 1] == ' ') /* s[n - 1] is not a space */
            return 0;
    }
    return 1;
}

int ec_norm_text(const char *s, size_t n, ec_buf *out)
{
    if (plain_text(s, n)) {
        ec_buf_put(out, s, n);
        return 0;
    }
    trim(&s, &n);
    if (n == 0)
        return -1;
    ec_buf_reserve(out, 3 * n); /* at worst every byte becomes U+FFFD */
    char *w = out->p + out->len;
    int gap = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c > 0x20 && c < 0x7f) { /* printable ASCII: copied */
            if (gap)
                *w++ = ' ';
            gap = 0;
            *w++ = (char)c;
            i++;
            continue;
        }
        size_t k = space_len(s + i, n - i);
        if (k) {
            gap = 1;
            i += k;
            continue;
        }
        if (gap)
            *w++ = ' ';
        gap = 0;
        unsigned cp;
        k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0) {
            memcpy(w, "\xef\xbf\xbd", 3); /* U+FFFD for an invalid byte */
            w += 3;
            i++;
        } else {
            memcpy(w, s + i, k);
            w += k;
            i += k;
        }
    }
    out->len = (size_t)(w - out->p);
    out->p[out->len] = '\0';
    return 0;
}

void ec_casefold(const char *s, size_t n, ec_buf *out)
{
    ec_buf_reserve(out, n);
    memcpy(out->p + out->len, s, n);
    fold_in_place(out->p + out->len, n);
    out->len += n;
    out->p[out->len] = '\0';
}

/* ---------------------------------------------------------------- handles */

enum { SITE_X = 1, SITE_GITHUB = 2 };

/* Strip a profile URL on one of sites, or a leading '@'. -1: a URL elsewhere. */
static int handle_strip(const char **s, size_t *n, unsigned sites)
{
    static const struct {
        const char *host;
        unsigned site;
    } hosts[] = {{"twitter.com/", SITE_X}, {"x.com/", SITE_X}, {"github.com/", SITE_GITHUB}};
    int url = skip_http(s, n);
    const char *h = *s;
    size_t hn = *n;
    if (has_prefix(h, hn, "www.")) {
        h += 4;
        hn -= 4;
    } else if (has_prefix(h, hn, "mobile.")) {
        h += 7;
        hn -= 7;
    }
    int matched = 0;
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0] && !matched; i++) {
        size_t k = strlen(hosts[i].host);
        if (!has_prefix(h, hn, hosts[i].host))
            continue;
        if (!(sites & hosts[i].site))
            return -1;
        *s = h + k;
        *n = span_to(h + k, hn - k, "/?#");
        matched = 1;
    }
    if (url && !matched)
        return -1; /* http(s):// to another site */
    if (*n && (*s)[0] == '@') {
        *s += 1;
        *n -= 1;
    }
    return 0;
}

static int norm_handle(const char *s, size_t n, ec_buf *out, unsigned sites, const char *extra,
                       size_t max)
{
    trim(&s, &n);
    if (handle_strip(&s, &n, sites) < 0 || n == 0 || n > max)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int c = lower((unsigned char)s[i]);
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || (c && strchr(extra, c))))
            return -1;
    }
    put_lower(out, s, n);
    return 0;
}

int ec_norm_handle(const char *s, size_t n, ec_buf *out)
{
    return norm_handle(s, n, out, SITE_X | SITE_GITHUB, "_-", 39);
}

int ec_norm_x_handle(const char *s, size_t n, ec_buf *out)
{
    return norm_handle(s, n, out, SITE_X, "_", 15);
}

int ec_norm_github(const char *s, size_t n, ec_buf *out)
{
    return norm_handle(s, n, out, SITE_GITHUB, "_-", 39);
}

/* ---------------------------------------------------------------- ids */

int ec_norm_uuid(const char *s, size_t n, ec_buf *out)
{
    trim(&s, &n);
    if (has_prefix(s, n, "urn:uuid:")) {
        s += 9;
        n -= 9;
    }
    if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
        s += 1;
        n -= 2;
    }
    if (n != 36 && n != 32)
        return -1;
    char hex[32];
    size_t h = 0, nonzero = 0;
    for (size_t i = 0; i < n; i++) {
        if (n == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (s[i] != '-')
                return -1;
            continue;
        }
        if (!is_hex((unsigned char)s[i]))
            return -1;
        hex[h] = (char)lower((unsigned char)s[i]);
        nonzero += hex[h++] != '0';
    }
    if (!nonzero)
        return -1;
    ec_buf_printf(out, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    return 0;
}

int ec_norm_id(const char *s, size_t n, ec_buf *out)
{
    trim(&s, &n);
    if (n == 0 || n > 256 || !utf8_valid(s, n))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (space_len(s + i, n - i))
            return -1;
    ec_buf_put(out, s, n);
    return 0;
}

int ec_norm_account_id(const char *s, size_t n, ec_buf *out)
{
    trim(&s, &n);
    size_t d = 0;
    while (d < n && is_digit(s[d]))
        d++;
    if (d < n && s[d] == '.') { /* "123.0" from a spreadsheet */
        for (size_t i = d + 1; i < n; i++)
            if (s[i] != '0')
                return -1;
    } else if (d < n) {
        return -1;
    }
    while (d > 0 && s[0] == '0') {
        s++;
        d--;
    }
    if (d == 0 || d > 18)
        return -1;
    ec_buf_put(out, s, d);
    return 0;
}

int ec_norm_field(enum ec_field f, const char *s, size_t n, ec_buf *out)
{
    switch (f) {
    case EC_F_LINKEDIN_URL:
        return ec_norm_linkedin(s, n, out);
    case EC_F_EMAIL:
        return ec_norm_email(s, n, out);
    case EC_F_COMPANY_DOMAIN:
        return ec_norm_domain(s, n, out);
    case EC_F_X_HANDLE:
        return ec_norm_x_handle(s, n, out);
    case EC_F_GITHUB_USERNAME:
        return ec_norm_github(s, n, out);
    case EC_F_UID:
        return ec_norm_id(s, n, out);
    case EC_F_PERSON_ID:
        return ec_norm_uuid(s, n, out);
    case EC_F_ACCOUNT_ID:
        return ec_norm_account_id(s, n, out);
    case EC_F_NAME:
    case EC_F_FIRST_NAME:
    case EC_F_LAST_NAME:
    case EC_F_TITLE:
    case EC_F_COMPANY_NAME:
        return ec_norm_text(s, n, out);
    case EC_F_COUNT:
    default:
        return -1;
    }
}

/* ---------------------------------------------------------------- rows and keys */

/* ec_buf_putc(b, '\0') without the call. */
static void put_nul(ec_buf *b)
{
    *room(b, 1) = '\0';
    b->p[++b->len] = '\0';
}

void ec_ident_extract_some(const ec_colmap *m, const ec_row *row, unsigned want, ec_buf *store,
                           const char *vals[EC_F_COUNT])
{
    size_t at[EC_F_COUNT];
    unsigned got = 0; /* fields with a value at store->p + at[f] */
    ec_buf_clear(store);
    /* only the fields asked for, in enum order: a run reads a few of them */
    for (unsigned todo = want & ((1u << EC_F_COUNT) - 1); todo; todo &= todo - 1) {
        int f = __builtin_ctz(todo);
        const ec_str *v = m->col[f] >= 0 ? ec_row_value(row, m->col[f]) : NULL;
        if (!v)
            continue;
        size_t start = store->len;
        if (ec_norm_field((enum ec_field)f, v->ptr, v->len, store) == 0) {
            at[f] = start;
            got |= 1u << f;
            put_nul(store);
        }
    }
    const unsigned first_last = 1u << EC_F_FIRST_NAME | 1u << EC_F_LAST_NAME;
    if ((want & 1u << EC_F_NAME) && !(got & 1u << EC_F_NAME) && (got & first_last) == first_last) {
        size_t fl = strlen(store->p + at[EC_F_FIRST_NAME]);
        size_t ll = strlen(store->p + at[EC_F_LAST_NAME]);
        ec_buf_reserve(store, fl + ll + 2);
        at[EC_F_NAME] = store->len;
        got |= 1u << EC_F_NAME;
        ec_buf_put(store, store->p + at[EC_F_FIRST_NAME], fl);
        ec_buf_putc(store, ' ');
        ec_buf_put(store, store->p + at[EC_F_LAST_NAME], ll);
        ec_buf_putc(store, '\0');
    }
    /* pointers only now: store->p may have moved while it grew */
    for (int f = 0; f < EC_F_COUNT; f++)
        vals[f] = NULL;
    for (; got; got &= got - 1) {
        int f = __builtin_ctz(got);
        vals[f] = store->p + at[f];
    }
}

void ec_ident_extract_buf(const ec_colmap *m, const ec_row *row, ec_buf *store,
                          const char *vals[EC_F_COUNT])
{
    ec_ident_extract_some(m, row, ~0u, store, vals);
}

void ec_ident_extract(const ec_colmap *m, const ec_row *row, char *vals[EC_F_COUNT])
{
    ec_buf b = {0};
    const char *v[EC_F_COUNT];
    ec_ident_extract_buf(m, row, &b, v);
    for (int f = 0; f < EC_F_COUNT; f++)
        vals[f] = v[f] ? ec_xstrdup(v[f]) : NULL;
    ec_buf_free(&b);
}

void ec_ident_free_vals(char *vals[EC_F_COUNT])
{
    for (int f = 0; f < EC_F_COUNT; f++) {
        free(vals[f]);
        vals[f] = NULL;
    }
}

static void put_escaped(ec_buf *k, const char *s, size_t n)
{
    if (!memchr(s, '|', n) && !memchr(s, '\\', n)) {
        ec_buf_put(k, s, n);
        return;
    }
    ec_buf_reserve(k, 2 * n);
    char *w = k->p + k->len;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] == '|')
            *w++ = '\\';
        *w++ = s[i];
    }
    k->len = (size_t)(w - k->p);
    k->p[k->len] = '\0';
}

/* Append "|NAME=" and the escaped value v (NUL-terminated). One strcspn
 * gives the usual value's length and shows it has nothing to escape; the
 * run from the first '|' or '\\' on, if any, goes through put_escaped. */
static void put_id(ec_buf *k, const char *name, const char *v)
{
    size_t nn = strlen(name), plain = strcspn(v, "|\\");
    char *w = room(k, nn + 2 + plain);
    *w++ = '|';
    memcpy(w, name, nn);
    w[nn] = '=';
    memcpy(w + nn + 1, v, plain);
    k->len += nn + 2 + plain;
    k->p[k->len] = '\0';
    if (v[plain])
        put_escaped(k, v + plain, strlen(v + plain));
}

static int is_text_field(int f)
{
    return f == EC_F_NAME || f == EC_F_FIRST_NAME || f == EC_F_LAST_NAME || f == EC_F_TITLE ||
           f == EC_F_COMPANY_NAME;
}

/* Identifiers that name one person (or account) on their own. */
static const unsigned strong_fields = 1u << EC_F_LINKEDIN_URL | 1u << EC_F_EMAIL |
                                      1u << EC_F_X_HANDLE | 1u << EC_F_GITHUB_USERNAME |
                                      1u << EC_F_UID | 1u << EC_F_PERSON_ID | 1u << EC_F_ACCOUNT_ID;

char *ec_ident_key(const char *provider, const char *endpoint, unsigned fields,
                   const char *const chosen[EC_F_COUNT])
{
    ec_buf k = {0};
    ec_ident_key_buf(&k, provider, endpoint, fields, chosen);
    return ec_buf_take(&k);
}

void ec_ident_key_buf(ec_buf *k, const char *provider, const char *endpoint, unsigned fields,
                      const char *const chosen[EC_F_COUNT])
{
    ec_buf_clear(k);
    ec_ident_key_prefix(k, provider, endpoint, fields);
    ec_ident_key_ids(k, chosen);
}

void ec_ident_key_prefix(ec_buf *k, const char *provider, const char *endpoint, unsigned fields)
{
    put_escaped(k, provider, strlen(provider));
    ec_buf_putc(k, '|');
    put_escaped(k, endpoint, strlen(endpoint));
    ec_buf_putc(k, '|');
    if (fields & EC_WANT_EMAIL)
        ec_buf_putc(k, 'e');
    if (fields & EC_WANT_PHONE)
        ec_buf_putc(k, 'p');
    if (!(fields & (EC_WANT_EMAIL | EC_WANT_PHONE)))
        ec_buf_putc(k, '-');
}

void ec_ident_key_ids(ec_buf *k, const char *const chosen[EC_F_COUNT])
{
    unsigned have = 0;
#pragma GCC unroll 16 /* thirteen tests without a loop: this runs for every row */
    for (int f = 0; f < EC_F_COUNT; f++)
        have |= (unsigned)(chosen[f] != NULL) << f;
    /* a person is who their strongest identifiers say: names and companies
     * beside a LinkedIn URL or an email, and titles always, are hints sent
     * along, not part of the lookup */
    have &= ~(1u << EC_F_TITLE);
    if (have & strong_fields)
        have &= strong_fields;
    ec_buf folded = {0};
    for (; have; have &= have - 1) {
        int f = __builtin_ctz(have);
        const char *v = chosen[f];
        if (is_text_field(f)) {
            ec_buf_clear(&folded);
            ec_casefold(v, strlen(v), &folded);
            v = folded.p; /* never NULL: ec_casefold reserves room */
        }
        put_id(k, ec_field_name((enum ec_field)f), v);
    }
    if (folded.p) /* only text fields use it: no call for the rest */
        ec_buf_free(&folded);
}

/* Read one '|'-separated part of a key, undoing the escapes; returns the
 * position after it (at '|' or the end). */
static const char *key_part(const char *p, ec_buf *out)
{
    while (*p && *p != '|') {
        if (*p == '\\' && p[1])
            p++;
        ec_buf_putc(out, *p++);
    }
    return p;
}

int ec_ident_parse_key(const char *key, ec_ident_key_parts *parts)
{
    memset(parts, 0, sizeof *parts);
    ec_buf b = {0};
    const char *p = key_part(key, &b);
    parts->provider = ec_buf_take(&b);
    if (*p != '|')
        goto bad;
    p = key_part(p + 1, &b);
    parts->endpoint = ec_buf_take(&b);
    if (*p != '|')
        goto bad;
    p = key_part(p + 1, &b);
    for (size_t i = 0; i < b.len; i++)
        parts->fields |= b.p[i] == 'e' ? EC_WANT_EMAIL : b.p[i] == 'p' ? EC_WANT_PHONE : 0u;
    ec_buf_free(&b);
    while (*p == '|') {
        p = key_part(p + 1, &b);
        char *eq = b.p ? strchr(b.p, '=') : NULL;
        if (!eq)
            goto bad;
        *eq = '\0';
        int f = ec_field_from_name(b.p);
        if (f < 0 || parts->vals[f])
            goto bad;
        parts->vals[f] = ec_xstrdup(eq + 1);
        ec_buf_clear(&b);
    }
    ec_buf_free(&b);
    if (*p)
        goto bad;
    return 0;
bad:
    ec_buf_free(&b);
    ec_ident_key_parts_free(parts);
    return -1;
}

void ec_ident_key_parts_free(ec_ident_key_parts *parts)
{
    free(parts->provider);
    free(parts->endpoint);
    ec_ident_free_vals(parts->vals);
    memset(parts, 0, sizeof *parts);
}

/* sb_data.c - the sandbox's shared services: hashing and normalizing
 * identifiers, deterministic fictional people, the credit ledger, jobs.
 * Called under the global mutex of sb_core.c, so nothing here locks. */
#include "config.h"
#include "sb_core.h"
#include "../hmap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ hashing */

static unsigned long long mix64(unsigned long long z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

unsigned long long sb_hash(const char *s, size_t n)
{
    unsigned long long h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h ^ mix64((unsigned long long)sb_cfg.seed));
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ------------------------------------------------------------ LinkedIn */

static int hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Case-insensitive ASCII prefix of (s, n). */
static int starts_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* Small letter of a capital: ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic (the letters a lead list's names use); others unchanged. */
static unsigned fold_letter(unsigned c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return c + 32;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
            return c; /* dotted I, dotless i, kra, 'n, long s: no simple pair */
        if (c == 0x178)
            return 0xFF;
        /* capitals are even up to U+0137 and from U+014A to U+0177, odd
         * from U+0139 to U+0148 and from U+0179 to U+017E */
        int odd_caps = (c >= 0x139 && c <= 0x148) || c >= 0x179;
        return (c % 2 == 1) == odd_caps ? c + 1 : c;
    }
    if ((c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

/* One UTF-8 character of s (n bytes left): its length (0: invalid) and *cp. */
static size_t utf8_char(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || len > n || s[0] > 0xF4)
        return 0;
    unsigned v = len == 1 ? s[0] : s[0] & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    static const unsigned least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Append code point c as UTF-8. */
static void put_utf8(ec_buf *b, unsigned c)
{
    unsigned char u[4];
    size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    static const unsigned char lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t i = n; i-- > 1; c >>= 6)
        u[i] = (unsigned char)(0x80 | (c & 0x3F));
    u[0] = (unsigned char)(n == 1 ? c : (lead[n] | c));
    ec_buf_put(b, (const char *)u, n);
}

/* Percent-decode a slug; -1 on a bad escape or a byte no slug holds. */
static int decode_slug(const char *s, size_t n, ec_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = hi >= 0 ? hexval((unsigned char)s[i + 2]) : -1;
            if (lo < 0)
                return -1;
            c = hi << 4 | lo;
            i += 2;
        }
        if (c <= 0x20 || c == 0x7F || strchr("/?#%\\", c))
            return -1;
        ec_buf_putc(out, (char)c);
    }
    return 0;
}

/* s (n bytes) past the host of a LinkedIn URL ([scheme][sub.]linkedin.com
 * [:port]) or at a bare "in/" or "/in/": the length skipped, or -1. */
static long linkedin_host_len(const char *s, size_t n)
{
    size_t k = starts_ci(s, n, "https://") ? 8 : starts_ci(s, n, "http://") ? 7 : 0;
    if (!k && starts_ci(s, n, "in/"))
        return 0;
    if (!k && starts_ci(s, n, "/in/"))
        return 0;
    size_t h = k, port = 0;
    while (h < n && !strchr("/?#", s[h])) {
        if (s[h] == ':' && !port)
            port = h;
        h++;
    }
    size_t end = port ? port : h;
    static const char base[] = "linkedin.com";
    size_t bl = sizeof base - 1, hl = end - k;
    if (hl < bl || strncasecmp(s + end - bl, base, bl) != 0 || (hl > bl && s[end - bl - 1] != '.'))
        return -1;
    return (long)h;
}

/* The canonical "linkedin.com/in/<slug>" of a profile URL, the slug
 * percent-decoded to UTF-8 and case-folded (but for member ids "ACoAA...",
 * "ACwAA...", which are case-sensitive); so /in/J%C3%A9r%C3%B4me,
 * /in/Jérôme and /in/j%c3%a9r%c3%b4me/ are one person. -1 when s is not
 * such a URL. */
static int linkedin_canon(const char *s, size_t n, ec_buf *out)
{
    long h = linkedin_host_len(s, n);
    if (h < 0)
        return -1;
    s += h;
    n -= (size_t)h;
    size_t skip = starts_ci(s, n, "/in/") ? 4 : starts_ci(s, n, "in/") ? 3 : 0;
    if (!skip)
        return -1;
    s += skip;
    n -= skip;
    size_t sn = strcspn(s, "/?#");
    if (sn > n)
        sn = n;
    ec_buf slug = {0};
    int rc = sn > 0 && decode_slug(s, sn, &slug) == 0 ? 0 : -1;
    int member = rc == 0 && (starts(slug.p, "ACoAA") || starts(slug.p, "ACwAA"));
    ec_buf_puts(out, "linkedin.com/in/");
    for (size_t i = 0, k; rc == 0 && i < slug.len; i += k) {
        unsigned cp;
        if ((k = utf8_char((const unsigned char *)slug.p + i, slug.len - i, &cp)) == 0)
            rc = -1;
        else
            put_utf8(out, member ? cp : fold_letter(cp));
    }
    ec_buf_free(&slug);
    return rc;
}

void sb_normalize(const char *in, char *out, size_t outsz)
{
    if (outsz == 0)
        return;
    while (*in && isspace((unsigned char)*in))
        in++;
    size_t n = strlen(in);
    while (n > 0 && isspace((unsigned char)in[n - 1]))
        n--;
    ec_buf li = {0};
    if (linkedin_canon(in, n, &li) == 0) {
        snprintf(out, outsz, "%s", li.p);
        ec_buf_free(&li);
        return;
    }
    ec_buf_free(&li);
    char *low = ec_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)in[i]);
    low[n] = '\0';
    const char *p = low;
    int url = 0;
    if (starts(p, "https://") || starts(p, "http://")) {
        p = strstr(p, "://") + 3;
        url = 1;
    }
    if (starts(p, "www.")) {
        p += 4;
        url = 1;
    }
    if (strchr(p, '/') && !strchr(p, '@'))
        url = 1;
    size_t len = strlen(p);
    if (url) {
        len = strcspn(p, "?#");
        while (len > 0 && p[len - 1] == '/')
            len--;
    }
    if (len >= outsz)
        len = outsz - 1;
    memcpy(out, p, len);
    out[len] = '\0';
    free(low);
}

/* ------------------------------------------------------------ people */

static const char *const first_names[] = {
    "Alex",   "Blair", "Casey", "Dana", "Eli",    "Frankie", "Gray",   "Harper",
    "Indigo", "Jules", "Kai",   "Lee",  "Morgan", "Noor",    "Oakley", "Parker",
};
static const char *const last_names[] = {
    "Example", "Sample",  "Testwood", "Mockridge", "Fakeham", "Placeholder", "Dummett", "Stubbs",
    "Fixture", "Sandbox", "Loopback", "Nullman",   "Demoe",   "Trialson",    "Proto",   "Specimen",
};
static const char *const titles[] = {
    "VP Engineering",    "Head of Sales",   "CTO", "Marketing Manager", "Data Analyst", "Founder",
    "Account Executive", "Operations Lead",
};
static const char *const companies[][2] = {
    {"Acme Sandbox Inc", "acme-sandbox.example"},
    {"Example Widgets", "example-widgets.example"},
    {"Sample Logistics", "sample-logistics.example"},
    {"Testbed Systems", "testbed.example"},
    {"Mock Data Co", "mock-data.example"},
    {"Fixture Foods", "fixture-foods.example"},
    {"Placeholder Labs", "placeholder-labs.example"},
    {"Null Industries", "null-industries.example"},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Take a value below n from the draw r (consuming it). */
static unsigned pick(unsigned long long *r, size_t n)
{
    unsigned v = (unsigned)(*r % n);
    *r /= n;
    return v;
}

static void lower_into(char *out, size_t outsz, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < outsz; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

static void fill_person(sb_person *p, unsigned long long h)
{
    unsigned long long r = mix64(h);
    const char *first = first_names[pick(&r, COUNT(first_names))];
    const char *last = last_names[pick(&r, COUNT(last_names))];
    unsigned c = pick(&r, COUNT(companies));
    char lf[32], ll[32];
    snprintf(p->first, sizeof p->first, "%s", first);
    snprintf(p->last, sizeof p->last, "%s", last);
    snprintf(p->name, sizeof p->name, "%s %s", first, last);
    snprintf(p->title, sizeof p->title, "%s", titles[pick(&r, COUNT(titles))]);
    snprintf(p->company, sizeof p->company, "%s", companies[c][0]);
    snprintf(p->domain, sizeof p->domain, "%s", companies[c][1]);
    lower_into(lf, sizeof lf, first);
    lower_into(ll, sizeof ll, last);
    snprintf(p->linkedin_url, sizeof p->linkedin_url,
             "https://www.linkedin.com/in/sandbox-%s-%s-%04x", lf, ll, (unsigned)(h >> 48));
    const char *dom = pick(&r, 2) ? "example.org" : "example.com";
    snprintf(p->email, sizeof p->email, "%s.%s@%s", lf, ll, dom);
    if (pick(&r, 4) == 0)
        snprintf(p->email2, sizeof p->email2, "%c%s@%s", lf[0], ll,
                 dom[8] == 'o' ? "example.com" : "example.org");
    if (pick(&r, 3) != 0) {
        snprintf(p->phone, sizeof p->phone, "+1-555-01%02u", pick(&r, 100));
        if (pick(&r, 4) == 0)
            snprintf(p->phone2, sizeof p->phone2, "+1-555-01%02u", pick(&r, 100));
    }
}

void sb_person_for(const char *id, sb_person *p)
{
    char norm[512];
    memset(p, 0, sizeof *p);
    sb_normalize(id ? id : "", norm, sizeof norm);
    if (!norm[0])
        return;
    unsigned long long h = sb_hash(norm, strlen(norm));
    p->found = h % 3 != 0;
    if (p->found)
        fill_person(p, h);
}

/* ------------------------------------------------------------ ledger */

typedef struct ledger_entry {
    double last_paid; /* -1: never paid a non-zero amount */
    long events;
} ledger_entry;

static ec_hmap *ledger;
static double spent;
static ledger_entry **entries; /* ownership list for reset */
static size_t nentries, capentries;

static void ledger_key(char *out, size_t outsz, const char *provider, const char *person,
                       const char *field)
{
    snprintf(out, outsz, "%s\x1f%s\x1f%s", provider, person, field);
}

static ledger_entry *ledger_find(const char *key)
{
    return ledger ? ec_hmap_get(ledger, key) : NULL;
}

double sb_credits_left(void)
{
    if (sb_cfg.credits < 0)
        return -1;
    double left = sb_cfg.credits - spent;
    return left > 0 ? left : 0;
}

int sb_charge(const char *provider, const char *person_key, const char *field, double amount)
{
    char key[1024];
    if (amount > 0 && sb_cfg.credits >= 0 && sb_credits_left() + 1e-9 < amount)
        return -1;
    ledger_key(key, sizeof key, provider, person_key, field);
    ledger_entry *e = ledger_find(key);
    int repeated = e != NULL;
    if (!e) {
        if (!ledger)
            ledger = ec_hmap_new();
        e = ec_xcalloc(1, sizeof *e);
        e->last_paid = -1;
        ec_hmap_put(ledger, key, e);
        if (nentries == capentries) {
            capentries = capentries ? capentries * 2 : 256;
            entries = ec_xrealloc(entries, capentries * sizeof *entries);
        }
        entries[nentries++] = e;
    }
    e->events++;
    double now = sb_now();
    if (amount > 0) {
        spent += amount;
        e->last_paid = now;
    }
    sb_stats_charge(provider, person_key, field, amount, repeated, now);
    return 0;
}

double sb_charge_last_paid(const char *provider, const char *person_key, const char *field)
{
    char key[1024];
    ledger_key(key, sizeof key, provider, person_key, field);
    ledger_entry *e = ledger_find(key);
    return e ? e->last_paid : -1;
}

void sb_ledger_reset(void)
{
    for (size_t i = 0; i < nentries; i++)
        free(entries[i]);
    free(entries);
    entries = NULL;
    nentries = capentries = 0;
    ec_hmap_free(ledger, NULL);
    ledger = NULL;
    spent = 0;
}

/* ------------------------------------------------------------ jobs */

static ec_hmap *jobs;     /* "provider\x1fid" -> sb_job */
static sb_job *job_list;  /* every job, newest first (owns them) */
static ec_hmap *counters; /* provider -> next number (stored as a pointer-sized int) */

sb_job *sb_job_new(const char *provider, const char *prefix, double now)
{
    char key[256];
    if (!jobs)
        jobs = ec_hmap_new();
    if (!counters)
        counters = ec_hmap_new();
    /* ids count from 1 per provider; store n+1 so the value is never NULL */
    unsigned long n = (unsigned long)(size_t)ec_hmap_get(counters, provider);
    n = n ? n : 1;
    ec_hmap_put(counters, provider, (void *)(size_t)(n + 1));
    sb_job *j = ec_xcalloc(1, sizeof *j);
    snprintf(j->id, sizeof j->id, "%s%lu", prefix ? prefix : "", n);
    j->provider = provider;
    j->started = now;
    j->duration = (double)sb_cfg.job_ms / 1000.0;
    j->next = job_list;
    job_list = j;
    snprintf(key, sizeof key, "%s\x1f%s", provider, j->id);
    ec_hmap_put(jobs, key, j);
    return j;
}

sb_job *sb_job_find(const char *provider, const char *id)
{
    char key[256];
    if (!jobs || strlen(id) >= sizeof key / 2)
        return NULL;
    snprintf(key, sizeof key, "%s\x1f%s", provider, id);
    return ec_hmap_get(jobs, key);
}

int sb_job_phase(const sb_job *j, double now)
{
    double elapsed = now - j->started;
    if (j->duration <= 0 || elapsed >= j->duration)
        return 2;
    return elapsed < j->duration / 3 ? 0 : 1;
}

void sb_data_free(void)
{
    sb_ledger_reset();
    /* jobs and their payloads stay reachable until exit: a payload's
     * layout belongs to its provider, so the core cannot free it */
    ec_hmap_free(counters, NULL);
    counters = NULL;
}

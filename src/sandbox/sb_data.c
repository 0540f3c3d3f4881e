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

void sb_normalize(const char *in, char *out, size_t outsz)
{
    if (outsz == 0)
        return;
    while (*in && isspace((unsigned char)*in))
        in++;
    size_t n = strlen(in);
    while (n > 0 && isspace((unsigned char)in[n - 1]))
        n--;
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

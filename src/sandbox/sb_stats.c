/* sb_stats.c - the counters behind GET /_sandbox/stats, and the
 * per-provider rate-limit buckets. Called under the global mutex. */
#include "config.h"
#include "sb_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const sb_provider_names[SB_NPROV + 1] = {
    "amplemarket", "thehog", "openfunnel", "woodpecker", "lance", "unknown",
};

int sb_provider_index(const char *name)
{
    for (int i = 0; i < SB_NPROV; i++)
        if (name && strcmp(name, sb_provider_names[i]) == 0)
            return i;
    return SB_NPROV;
}

typedef struct named_count {
    char *name;
    long n;
} named_count;

typedef struct charge_event {
    const char *provider; /* one of sb_provider_names */
    char *person, *field;
    double amount, t;
    int repeated;
} charge_event;

#define MAX_CHARGE_EVENTS 100000

static long requests_total;
static long prov_requests[SB_NPROV + 1], prov_jobs[SB_NPROV + 1], prov_double[SB_NPROV + 1];
static double prov_charged[SB_NPROV + 1];
static long fault_counts[SB_FAULT_COUNT];
static long status_counts[600];
static named_count *endpoints;
static size_t nendpoints, capendpoints;
static charge_event *events;
static size_t nevents, capevents;
static long events_dropped;

void sb_stats_request(int provider, int status, enum sb_fault fault)
{
    requests_total++;
    if (provider >= 0 && provider <= SB_NPROV)
        prov_requests[provider]++;
    if (status >= 100 && status < 600)
        status_counts[status]++;
    if (fault > SB_FAULT_NONE && fault < SB_FAULT_COUNT)
        fault_counts[fault]++;
}

void sb_count(const char *endpoint)
{
    for (size_t i = 0; i < nendpoints; i++)
        if (strcmp(endpoints[i].name, endpoint) == 0) {
            endpoints[i].n++;
            return;
        }
    if (nendpoints == capendpoints) {
        capendpoints = capendpoints ? capendpoints * 2 : 32;
        endpoints = ec_xrealloc(endpoints, capendpoints * sizeof *endpoints);
    }
    endpoints[nendpoints].name = ec_xstrdup(endpoint);
    endpoints[nendpoints++].n = 1;
}

void sb_count_job(const char *provider)
{
    prov_jobs[sb_provider_index(provider)]++;
}

void sb_stats_charge(const char *provider, const char *person, const char *field, double amount,
                     int repeated, double now)
{
    int p = sb_provider_index(provider);
    prov_charged[p] += amount;
    if (repeated)
        prov_double[p]++;
    if (nevents == MAX_CHARGE_EVENTS) {
        events_dropped++;
        return;
    }
    if (nevents == capevents) {
        capevents = capevents ? capevents * 2 : 256;
        events = ec_xrealloc(events, capevents * sizeof *events);
    }
    charge_event *e = &events[nevents++];
    e->provider = sb_provider_names[p];
    e->person = ec_xstrdup(person);
    e->field = ec_xstrdup(field);
    e->amount = amount;
    e->t = now;
    e->repeated = repeated;
}

/* Numbers such as credits print without exponent or trailing zeros. */
static void put_num(ec_buf *b, double x)
{
    if (x == floor(x) && fabs(x) < 1e15)
        ec_buf_printf(b, "%.0f", x);
    else
        ec_buf_printf(b, "%.6g", x);
}

static void put_providers(ec_buf *b)
{
    ec_buf_puts(b, "\"providers\":{");
    for (int i = 0; i <= SB_NPROV; i++) {
        ec_buf_printf(b,
                      "%s\"%s\":{\"requests\":%ld,\"jobs\":%ld,\"credits_charged\":", i ? "," : "",
                      sb_provider_names[i], prov_requests[i], prov_jobs[i]);
        put_num(b, prov_charged[i]);
        ec_buf_printf(b, ",\"double_charged\":%ld}", prov_double[i]);
    }
    ec_buf_puts(b, "},\"jobs\":{");
    for (int i = 0; i <= SB_NPROV; i++)
        ec_buf_printf(b, "%s\"%s\":%ld", i ? "," : "", sb_provider_names[i], prov_jobs[i]);
    ec_buf_puts(b, "}");
}

static void put_counts(ec_buf *b)
{
    static const char *const fault_names[SB_FAULT_COUNT] = {
        "none", "rate_limited", "fail_5xx", "dropped", "dropped_after", "malformed", "fail_429",
    };
    ec_buf_puts(b, "\"endpoints\":{");
    for (size_t i = 0; i < nendpoints; i++) {
        if (i)
            ec_buf_putc(b, ',');
        ec_json_put_cstr(b, endpoints[i].name);
        ec_buf_printf(b, ":%ld", endpoints[i].n);
    }
    ec_buf_puts(b, "},\"statuses\":{");
    int first = 1;
    for (int s = 100; s < 600; s++)
        if (status_counts[s]) {
            ec_buf_printf(b, "%s\"%d\":%ld", first ? "" : ",", s, status_counts[s]);
            first = 0;
        }
    ec_buf_puts(b, "},\"faults\":{");
    for (int f = 1; f < SB_FAULT_COUNT; f++)
        ec_buf_printf(b, "%s\"%s\":%ld", f > 1 ? "," : "", fault_names[f], fault_counts[f]);
    ec_buf_puts(b, "}");
}

static void put_charges(ec_buf *b)
{
    ec_buf_puts(b, ",\"charges\":[");
    for (size_t i = 0; i < nevents; i++) {
        charge_event *e = &events[i];
        ec_buf_printf(b, "%s{\"provider\":\"%s\",\"person\":", i ? "," : "", e->provider);
        ec_json_put_cstr(b, e->person);
        ec_buf_puts(b, ",\"field\":");
        ec_json_put_cstr(b, e->field);
        ec_buf_puts(b, ",\"amount\":");
        put_num(b, e->amount);
        ec_buf_printf(b, ",\"double\":%s,\"t\":%.3f}", e->repeated ? "true" : "false", e->t);
    }
    ec_buf_printf(b, "],\"charges_truncated\":%s", events_dropped ? "true" : "false");
}

void sb_stats_json(ec_buf *b, int with_charges)
{
    double charged = 0;
    long dbl = 0;
    for (int i = 0; i <= SB_NPROV; i++) {
        charged += prov_charged[i];
        dbl += prov_double[i];
    }
    ec_buf_printf(b, "{\"requests\":%ld,", requests_total);
    put_counts(b);
    ec_buf_putc(b, ',');
    put_providers(b);
    ec_buf_puts(b, ",\"credits_charged\":");
    put_num(b, charged);
    ec_buf_puts(b, ",\"credits_left\":");
    put_num(b, sb_credits_left());
    ec_buf_printf(b, ",\"double_charged\":%ld", dbl);
    if (with_charges)
        put_charges(b);
    ec_buf_puts(b, "}\n");
}

static void free_events(void)
{
    for (size_t i = 0; i < nevents; i++) {
        free(events[i].person);
        free(events[i].field);
    }
    free(events);
    events = NULL;
    nevents = capevents = 0;
    events_dropped = 0;
}

void sb_stats_reset(void)
{
    requests_total = 0;
    memset(prov_requests, 0, sizeof prov_requests);
    memset(prov_jobs, 0, sizeof prov_jobs);
    memset(prov_double, 0, sizeof prov_double);
    memset(prov_charged, 0, sizeof prov_charged);
    memset(fault_counts, 0, sizeof fault_counts);
    memset(status_counts, 0, sizeof status_counts);
    for (size_t i = 0; i < nendpoints; i++)
        endpoints[i].n = 0;
    free_events();
}

void sb_stats_free(void)
{
    for (size_t i = 0; i < nendpoints; i++)
        free(endpoints[i].name);
    free(endpoints);
    endpoints = NULL;
    nendpoints = capendpoints = 0;
    free_events();
}

/* ------------------------------------------------------------ rate limit */

static double tokens[SB_NPROV], last_fill[SB_NPROV];
static int bucket_ready[SB_NPROV];

long sb_rate_take(int provider, double now)
{
    double per_min = sb_cfg.rate_limit_per_min;
    if (per_min <= 0 || provider < 0 || provider >= SB_NPROV)
        return 0;
    double per_s = per_min / 60.0, cap = sb_cfg.rate_limit_burst < 1 ? 1 : sb_cfg.rate_limit_burst;
    if (!bucket_ready[provider]) {
        bucket_ready[provider] = 1;
        tokens[provider] = cap;
        last_fill[provider] = now;
    }
    tokens[provider] += (now - last_fill[provider]) * per_s;
    if (tokens[provider] > cap)
        tokens[provider] = cap;
    last_fill[provider] = now;
    if (tokens[provider] >= 1) {
        tokens[provider] -= 1;
        return 0;
    }
    long wait = (long)ceil((1 - tokens[provider]) / per_s);
    return wait < 1 ? 1 : wait;
}

void sb_rate_reset(void)
{
    memset(bucket_ready, 0, sizeof bucket_ready);
}

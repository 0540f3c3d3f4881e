/* sb.h - enrichcsv-sandbox internals: the request/response types every
 * provider simulator sees and the shared services (deterministic people,
 * credits, jobs, knobs, counters). It is the oracle the client is tested
 * against, so it shares no provider knowledge with src/: each sb_<name>.c is
 * written from ../shared/providers.md and the seeds on its own.
 *
 * Threading: libmicrohttpd runs a thread per connection; sb_core serialises
 * every handler call under one mutex, so handlers need no locking. */
#ifndef SB_H
#define SB_H

#include <stddef.h>
#include "../buf.h"
#include "../json.h"

/* Knobs (enrichcsv-sandbox options). */
typedef struct sb_config {
    unsigned long seed;        /* --seed: changes the deterministic draw */
    const char *key;           /* --key: accept only this key (NULL: any non-empty) */
    long latency_ms;           /* --latency-ms */
    long job_ms;               /* --job-ms: how long an async job takes */
    double rate_limit_per_min; /* --rate-limit N/min (0 = off) */
    double rate_limit_burst;   /* tokens the bucket holds: N of --rate-limit N/min or N/s */
    int retry_after_date;      /* --retry-after-date: Retry-After as an HTTP-date */
    int no_retry_after;        /* --no-retry-after: 429s without Retry-After */
    long retry_after_s;        /* --retry-after S: the wait an injected 429 asks for */
    double fail_429;           /* --fail-429 P */
    double fail_5xx;           /* --fail-5xx P */
    double drop;               /* --drop P */
    double malformed;          /* --malformed P */
    double credits;            /* --credits N (< 0 = unlimited) */
    int max_batch_override;    /* --max-batch N: lower every provider's batch limit (0 = off) */
    /* where providers.md marks a shape unknown, the alternative answers */
    int thehog_items_toplevel; /* --thehog-items=toplevel|result|array */
    int thehog_items_array;
    int thehog_objects;        /* --thehog-contact-objects: emails/phones as objects */
    int thehog_relative_poll;  /* --thehog-poll-url=relative */
    int openfunnel_result_key; /* --openfunnel-ids=result|objects: people ids under "result" */
    int openfunnel_id_objects; /* --openfunnel-ids=objects: ... as {"person_id":N} objects */
    int woodpecker_wrapped;    /* --woodpecker-wrapped: poll body under "lead_enrichment" */
    int woodpecker_key_400;    /* --woodpecker-key-400: a refused key is 400 E_SESSION */
    double drop_after;         /* --drop-after P: handle (and charge), then close unanswered */
} sb_config;

extern sb_config sb_cfg;

/* One HTTP request, as a handler sees it. */
typedef struct sb_req {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path without the query */
    const char *body;   /* NUL-terminated; "" when none */
    size_t body_len;
    void *conn;   /* the MHD connection (for sb_header/sb_query) */
    double now;   /* seconds since the sandbox started */
    int inflight; /* requests to this provider being served now, this one included */
} sb_req;

typedef struct sb_resp {
    int status; /* 0 = not set */
    ec_buf body;
    const char *content_type; /* default "application/json" */
    char retry_after[64];     /* Retry-After header value, "" for none */
    char location[256];       /* Location header, "" for none */
    int batch;                /* items in the request's batch, for the log; -1 (preset) = none */
} sb_resp;

/* Header value (case-insensitive name) or NULL. */
const char *sb_header(const sb_req *r, const char *name);
/* Query argument or NULL (decoded). */
const char *sb_query(const sb_req *r, const char *name);

/* Set status and a literal body. */
void sb_reply(sb_resp *resp, int status, const char *body);
/* Set status and a printf body. */
void sb_replyf(sb_resp *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Is this key acceptable (non-empty; equal to --key when set)? */
int sb_key_ok(const char *key);

/* A deterministic, obviously fictional person derived from a normalized
 * identifier (and --seed). About a third are not found. */
typedef struct sb_person {
    int found;
    char first[32], last[32], name[64];
    char title[64];
    char company[64], domain[64];
    char linkedin_url[128];
    char email[128];  /* at example.com or example.org; "" when none */
    char email2[128]; /* a second address, "" when none */
    char phone[32];   /* +1-555-01xx form; "" when none */
    char phone2[32];
} sb_person;

/* Normalize an identifier the sandbox's own way (lowercase, trim, strip
 * scheme/www/trailing slash for URLs) into out. A LinkedIn profile URL
 * becomes "linkedin.com/in/<slug>", the slug percent-decoded and
 * case-folded (member ids "ACoAA..." kept), so encoded and raw forms of
 * one slug are one person. */
void sb_normalize(const char *in, char *out, size_t outsz);
/* Fill p for identifier text id (normalized inside). */
void sb_person_for(const char *id, sb_person *p);
/* Stable 64-bit hash of bytes with the seed mixed in. */
unsigned long long sb_hash(const char *s, size_t n);

/* Charge credits to provider for (person, field). Returns 0 when charged,
 * -1 when the balance cannot cover it (nothing charged). A second charge
 * for the same provider+person+field is counted in double_charged. */
int sb_charge(const char *provider, const char *person_key, const char *field, double amount);
/* Credits left (< 0 = unlimited). */
double sb_credits_left(void);
/* When (sb_now() time) provider last paid a non-zero charge for (person,
 * field), or -1 when never: for once-per-period price rules. */
double sb_charge_last_paid(const char *provider, const char *person_key, const char *field);

/* Seconds since the sandbox started (the clock behind sb_req.now). */
double sb_now(void);
/* Wall-clock (Unix) seconds of sandbox time t. */
double sb_wall(double t);
/* Append sandbox time t as a quoted ISO 8601 UTC time with milliseconds,
 * "2026-11-23T05:30:00.123Z". */
void sb_put_time(ec_buf *b, double t);
/* "http://127.0.0.1:PORT": the origin clients reach, for absolute URLs. */
const char *sb_origin(void);

/* Jobs: an id and a start time; state follows from elapsed time. */
typedef struct sb_job {
    char id[64];
    const char *provider;
    double started;  /* sb_req.now at creation */
    double duration; /* seconds (sb_cfg.job_ms / 1000 by default) */
    void *data;      /* the provider's job payload (owned by the provider) */
    struct sb_job *next;
} sb_job;

/* New job with a fresh id made from prefix and a counter ("op_12"). */
sb_job *sb_job_new(const char *provider, const char *prefix, double now);
sb_job *sb_job_find(const char *provider, const char *id);
/* 0 = queued (just made), 1 = running, 2 = finished, from the elapsed time. */
int sb_job_phase(const sb_job *j, double now);

/* Count a request against an endpoint name for /_sandbox/stats. Name it
 * "METHOD /documented/path/{param}", e.g. "GET /api/operations/{id}". */
void sb_count(const char *endpoint);
/* Count a job created. */
void sb_count_job(const char *provider);

/* Each provider simulator: return 1 when the path is its own (the response
 * is filled), 0 to let others try. */
int sb_amplemarket(const sb_req *req, sb_resp *resp);
int sb_thehog(const sb_req *req, sb_resp *resp);
int sb_openfunnel(const sb_req *req, sb_resp *resp);
int sb_woodpecker(const sb_req *req, sb_resp *resp);
int sb_lance(const sb_req *req, sb_resp *resp);

#endif

/* provider.h - the table of operations that makes a vendor's API usable by
 * the engine. Each prov_<name>.c is the only file that knows its vendor's
 * paths and JSON; it builds requests and parses answers as data and never
 * does I/O. The engine knows no vendor: it sends the requests a provider
 * asks for (honouring delay, rate limits, concurrency and retry rules),
 * journals what must be journaled, and hands every answer back.
 *
 * Flow for one batch:
 *   engine fills ec_batch (unique lookups, fields wanted, idempotency key)
 *   ops->start(batch, out)            -> first request(s), usually a paid POST
 *   for each answer: ops->handle(batch, req, resp, out, msg) -> verdict and
 *     maybe further requests (polls with a delay, result pages, follow-up reads)
 *   the batch is complete when no request of it is outstanding; every lookup
 *   must then have done = 1 (the engine fails any that do not, "incomplete").
 *
 * Write-ahead: before a request with paid = 1 leaves, the engine journals an
 * intent (batch keys, idempotency key) and syncs it. After handle() returns
 * for the answer to a paid request, the engine calls ops->checkpoint() and
 * journals its text (job ids, poll URLs, stage) with a sync. After a crash the
 * engine rebuilds the batch from the journal and calls ops->resume() with that
 * text, which must return the requests that continue the job (polls), never
 * a new paid submit unless the provider makes it free (idempotency key or
 * server-side reuse: say so in can_resubmit_free).
 */
#ifndef EC_PROVIDER_H
#define EC_PROVIDER_H

#include <stddef.h>
#include "buf.h"
#include "row.h"

/* One unique lookup: the identifiers of one or more input rows. */
typedef struct ec_lookup {
    const char *key;            /* normalized identifier key (unique within the run) */
    const char *id[EC_F_COUNT]; /* normalized values the provider chose (NULL: absent) */
    const char *payload;        /* JSON object text of the whole row (string values), for
                                   providers with wants_row_payload; else NULL */
    ec_outcome out;             /* the provider fills this */
    int done;                   /* the provider sets 1 when out is final */
} ec_lookup;

typedef struct ec_batch {
    unsigned long long seq; /* engine's batch number within the run */
    ec_lookup **items;      /* borrowed from the engine */
    size_t n;
    unsigned fields;      /* EC_WANT_EMAIL | EC_WANT_PHONE */
    const char *idem_key; /* stable per batch (same on retry and resume) */
    void *state;          /* provider's private state; freed by ops->free_state */
    double credits;       /* provider adds what the API reports as spent */
} ec_batch;

/* A request the provider wants sent. All strings are owned by the request
 * (the engine frees them with ec_request_free). */
typedef struct ec_request {
    const char *method; /* static string: "GET", "POST", "PATCH" */
    char *url;          /* path starting with '/' (joined to the base URL) or an
                           absolute http(s) URL (e.g. a pollUrl) */
    char *body;         /* JSON text, or NULL for no body */
    int paid;           /* 1 when sending it may spend credits; 2 when it may,
                           but sending it again charges nothing new (the
                           engine may then re-send it after a lost answer) */
    int tag;            /* the provider's own step number */
    long aux;           /* the provider's own extra (chunk index, item index) */
    double delay;       /* seconds to wait before sending (poll interval) */
    int attempt;        /* set by the engine: 0 on first send, then retries */
} ec_request;

/* A list of requests a callback adds to. */
typedef struct ec_reqs {
    ec_request *v;
    size_t n;
} ec_reqs;

/* An answer. body is NUL-terminated (len excludes the NUL). status 0 means
 * no HTTP answer (connect failure, reset, timeout): transport says which. */
typedef struct ec_response {
    long status;
    const char *body;
    size_t len;
    const char *transport; /* NULL, or "timeout", "connection reset", ... */
    double retry_after;    /* seconds from Retry-After, clamped >= 0; -1 when absent */
} ec_response;

/* What handle() concluded about an answer. */
enum ec_verdict {
    EC_V_OK = 0,       /* used; any new requests are in out */
    EC_V_RETRY,        /* transient (429, 503, 5xx, transport): send the same request again
                          after backoff, if the engine's safety rules allow it for paid ones */
    EC_V_BAD_RESPONSE, /* unparseable or unexpected body: retried once, then the batch's
                          unfinished lookups end failed:bad_response */
    EC_V_FAIL,         /* the batch's unfinished lookups end failed:<msg> (e.g. a 400) */
    EC_V_AUTH,         /* key rejected: the run stops, exit 5 */
    EC_V_CREDITS       /* out of credits: stop submitting; unfinished lookups of this batch
                          end skipped:credits; exit 4 */
};

/* Settings every operation sees. */
typedef struct ec_pctx {
    const char *base_url; /* scheme://host[:port], no trailing slash */
    unsigned fields;      /* EC_WANT_* */
    /* OpenFunnel options (NULL/0 when not given) */
    const char *seniority; /* comma-separated enum values */
    const char *department;
    const char *audience;
    long max_credit_limit; /* 0 = not given */
    double poll_interval;  /* seconds; 0 = provider default */
    double job_timeout;    /* seconds (--job-timeout); 0 = provider default */
} ec_pctx;

/* Authentication material, from the environment, config or key file. */
typedef struct ec_auth {
    const char *key;  /* the main key or token */
    const char *key2; /* second part where a provider has one (The Hog secret
                         key with access key; OpenFunnel user id) */
} ec_auth;

typedef struct ec_provider {
    const char *name;            /* "amplemarket" ... as on the command line */
    const char *const *key_vars; /* environment variables, NULL-terminated; first = main */
    const char *default_base_url;
    /* identifier fields the provider takes (EC_F_* bit set: 1u << field) */
    unsigned accepts;
    unsigned supports;          /* EC_WANT_* it can reveal (Woodpecker: email only) */
    int max_batch;              /* documented hard limit per submit (0 = none) */
    int default_batch;          /* what we send by default */
    double rate_per_min;        /* documented request rate limit (0 = none documented) */
    int max_in_flight;          /* 0 = engine's --concurrency; Woodpecker: 1 */
    double default_poll;        /* seconds between polls */
    double default_job_timeout; /* seconds */
    int idempotent_submit;      /* 1: a paid submit may be re-sent with the same
                                   idempotency key at no cost (The Hog) */
    int can_resubmit_free;      /* 1: re-sending a submit whose outcome is unknown
                                   reuses the pending work (Lance, Woodpecker) */
    int wants_row_payload;      /* 1: fill ec_lookup.payload (Woodpecker) */
    int fans_out;               /* 1: outcomes carry people rows (OpenFunnel) */
    double cost_email;          /* worst-case credits per lookup for an email */
    double cost_phone;          /* worst-case credits per lookup for a phone */
    double cost_found;          /* worst-case credits per lookup just for a match */

    /* Pick the identifiers this provider sends from the row's normalized
     * fields (vals[f] NULL when absent). Fill chosen[] (borrowed pointers into
     * vals) and return 1, or return 0 when none is usable
     * (skipped:no_identifier). May be NULL: then every accepted field present is used.
     * It reads no field outside accepts (and first_name/last_name when
     * name is accepted): the engine normalizes only those
     * (ec_provider_reads; t_prov_util checks every provider). */
    int (*choose)(const char *const vals[EC_F_COUNT], const char *chosen[EC_F_COUNT]);

    /* Build the first request(s) of a batch. Return 0, or -1 with msg. */
    int (*start)(const ec_pctx *ctx, const ec_auth *auth, ec_batch *b, ec_reqs *out, ec_buf *msg);

    /* Handle the answer to one of the batch's requests (req is the request
     * that was sent). Fill outcomes, set done, add further requests. For
     * a verdict other than EC_V_OK, put a short human reason in msg (the
     * provider's own error message where it sent one). */
    enum ec_verdict (*handle)(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                              const ec_response *resp, ec_reqs *out, ec_buf *msg);

    /* Text to journal after a paid request was answered (job ids, poll URLs,
     * stage), malloc'd; NULL when nothing worth keeping. */
    char *(*checkpoint)(const ec_batch *b);

    /* Continue a batch from checkpoint text after a restart: add the
     * requests that pick the job up again. Return 0, or -1 with msg (the
     * engine then treats the batch's outcome as unknown). */
    int (*resume)(const ec_pctx *ctx, ec_batch *b, const char *checkpoint, ec_reqs *out,
                  ec_buf *msg);

    /* Seconds an error answer's body asks the client to wait before trying
     * again (for a provider that says so there instead of in Retry-After),
     * or -1 when it says nothing. Asked only for a RETRY verdict on an
     * answer without Retry-After. May be NULL. */
    double (*retry_hint)(const ec_response *resp);

    /* Add the authentication headers ("Name: value" lines) for a request. */
    void (*auth_headers)(const ec_auth *auth, const ec_request *req, ec_values *headers);

    /* Free b->state (may be NULL). */
    void (*free_state)(ec_batch *b);
} ec_provider;

/* All providers, NULL-terminated, and lookup by name. */
extern const ec_provider *const ec_providers[];
const ec_provider *ec_provider_find(const char *name);

/* The fields whose normalized values choosing identifiers for p reads: its
 * accepted fields, and first_name and last_name when it accepts name (a
 * name may be made of them). */
unsigned ec_provider_reads(const ec_provider *p);
/* p's choice of identifiers from vals (p->choose, or every accepted field
 * present): fills chosen[], returns 1, or 0 when none is usable. */
int ec_provider_choose(const ec_provider *p, const char *const vals[EC_F_COUNT],
                       const char *chosen[EC_F_COUNT]);

/* Add a request to a list; url and body are taken over (owned). Returns it. */
ec_request *ec_reqs_add(ec_reqs *out, const char *method, char *url, char *body, int paid, int tag);
void ec_request_free(ec_request *r);
void ec_reqs_free(ec_reqs *rs);

/* The usual reading of an HTTP status, for answers a provider does not
 * treat specially: 2xx OK; 0 (transport), 429, 500-599 RETRY; 401 and 403
 * AUTH; 402 CREDITS; other 4xx FAIL. */
enum ec_verdict ec_verdict_for_status(long status);

#endif

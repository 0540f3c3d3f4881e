/* engine.h - the streaming pipeline: rows in, lookups batched and sent
 * through the provider's operations, rows out in input order. The engine
 * knows no vendor; main wires it. */
#ifndef EC_ENGINE_H
#define EC_ENGINE_H

#include "opts.h"
#include "provider.h"

struct ec_ledger;
struct ec_engine_stats;

/* Exit statuses (SPEC section 7). */
enum ec_exit {
    EC_EXIT_OK = 0,
    EC_EXIT_RUNTIME = 1,
    EC_EXIT_USAGE = 2,
    EC_EXIT_FAILED_ROWS = 3,
    EC_EXIT_CREDITS = 4,
    EC_EXIT_AUTH = 5,
    EC_EXIT_SIGINT = 130,
    EC_EXIT_SIGTERM = 143
};

typedef struct ec_engine_cfg {
    const ec_opts *opts;
    const ec_provider *prov;
    ec_pctx pctx;
    ec_auth auth;
    const char *endpoint;       /* journal key part: "sandbox" or the base URL */
    const char *key_hint;       /* the variable(s) to set, for the 401/403 message */
    int in_fd;                  /* input, read when poll() says it is readable */
    int out_fd;                 /* rows go here */
    unsigned long long in_size; /* size of a regular input file (for ETA), 0 if unknown */
    struct ec_ledger *ledger;   /* NULL with --no-journal (borrowed) */
    /* Called about every 0.25 s while the run goes on, and once with final = 1
     * at the end (progress display); may be NULL. */
    void (*on_tick)(void *ctx, const struct ec_engine_stats *st, int final);
    void *tick_ctx;
} ec_engine_cfg;

typedef struct ec_engine_stats {
    unsigned long long rows_read, rows_written, out_lines;
    unsigned long long enriched, not_found, skipped_no_id, skipped_credits, failed, bad_input;
    unsigned long long from_journal, lookups, batches, requests, retries;
    unsigned long long with_identifier, to_submit, planned_batches;
    double credits_reported;     /* what providers said they charged */
    double credits_estimated;    /* our estimate where a provider says nothing */
    double credits_worst;        /* dry run: worst case of the lookups to submit */
    int credits_provider_figure; /* 1 when credits_reported comes from the provider */
    double elapsed;
    /* live figures for progress */
    unsigned long long in_flight;       /* requests in flight */
    unsigned long long lookups_pending; /* lookups waiting for a batch or an answer */
    unsigned long long bytes_read;      /* input bytes consumed */
    unsigned long long bytes_total;     /* size of a regular input file, else 0 */
} ec_engine_stats;

/* Run the whole job; returns an exit status (enum ec_exit). Prints its
 * diagnostics through msg.h. */
int ec_engine_run(const ec_engine_cfg *cfg, ec_engine_stats *st);

/* Record a termination signal (async-signal-safe): the next loop turn stops
 * submitting, journals what is known, flushes finished rows and returns
 * 130 or 143. */
void ec_engine_signal(int sig);

#endif

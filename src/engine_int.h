/* engine_int.h - state shared by engine.c (input, rows, output, loop) and
 * dispatch.c (batches, requests, answers, resume). Not for other modules. */
#ifndef EC_ENGINE_INT_H
#define EC_ENGINE_INT_H

#include <stdint.h>
#include "backoff.h"
#include "colmap.h"
#include "engine.h"
#include "hmap.h"
#include "http.h"
#include "ledger.h"
#include "ratelimit.h"
#include "reader.h"
#include "window.h"
#include "writer.h"

enum lk_state { LK_QUEUED = 0, LK_BATCHED, LK_DONE };

/* One unique lookup of this run, and the rows waiting for it. */
typedef struct lk {
    ec_lookup L; /* L.key, L.id[], L.payload point at the owned copies below */
    char *key;
    char *vals[EC_F_COUNT];
    char *payload;
    uint64_t *waiters; /* seqs of rows in the window waiting for this lookup */
    size_t nwait, capwait;
    enum lk_state state;
    struct bt *batch;
    struct lk *next; /* pending queue link */
} lk;

/* One batch: a set of lookups going through the provider's flow. */
typedef struct bt {
    ec_batch b;
    char id[64];        /* journal batch id */
    char idem[128];     /* idempotency key */
    size_t outstanding; /* requests queued or in flight */
    double started, deadline;
    double worst_cost;
    int failed; /* ended early: answers still in flight are ignored */
    int intent_written;
    int resumed;
    struct bt *next;
} bt;

/* One request waiting to go, or in flight. */
typedef struct rq {
    bt *batch;
    ec_request req;
    double not_before;
    int retries;
    int bad_retries;
    int in_flight;
    int sent; /* some attempt may have reached the provider */
    struct engine *e;
    struct rq *next;
} rq;

typedef struct engine {
    const ec_engine_cfg *cfg;
    const ec_opts *o;
    const ec_provider *prov;
    ec_engine_stats *st;
    double t0;
    /* input */
    ec_reader *reader;
    int in_eof;
    int header_ready;
    ec_colmap map;
    /* output */
    ec_writer *writer;
    ec_buf out;
    int out_closed; /* EPIPE: stop quietly */
    /* rows */
    ec_window *win;
    uint64_t next_seq;
    /* lookups */
    ec_buf ids;             /* a row's normalized identifiers (reused) */
    ec_buf key;             /* a row's lookup key (reused) */
    size_t key_prefix;      /* bytes of key every row shares (0: not made yet) */
    ec_hmap *table;         /* key -> lk (queued, batched, or done this run) */
    struct ec_ledger *priv; /* --no-journal: finished outcomes, for duplicates */
    lk *pend_head, *pend_tail;
    size_t npending;
    double oldest_pending_at;
    /* batches and requests */
    bt *batches;
    size_t nbatches;
    unsigned long long batch_seq;
    rq *queue; /* waiting and in-flight requests */
    size_t in_flight;
    char run_id[32];
    ec_http *http;
    const char *secrets[3];
    ec_ratelimit rate;
    ec_rng rng;
    long batch_size;
    long concurrency;
    size_t max_open; /* batches open at once (jobs at the provider) */
    int max_in_flight;
    double job_timeout;
    double flush_delay;
    double backoff_base; /* first retry waits up to this (s), doubling to 60 s */
    /* budget */
    double committed; /* worst case of batches in flight + actual of finished ones */
    int credits_stop; /* no more submitting: skipped:credits */
    /* stop */
    int fatal;    /* exit status of a fatal stop, 0 if none */
    int stopping; /* signal: no new batches */
    int unsynced; /* results appended but not synced */
    double last_sync;
    double last_tick;
    int strict_failed;
    int dry_run;
} engine;

/* engine.c */
double ec_now(void);
/* Give a finished lookup's outcome to every row waiting for it. */
void ec_engine_lookup_done(engine *e, lk *l);
/* Free a lookup (after it is done and has no waiters left). */
void ec_engine_lookup_free(lk *l);

/* dispatch.c */
/* Form batches from the pending queue when one is full, old enough, or the input is over. */
void ec_dispatch_form_batches(engine *e, double now);
/* Send the requests whose time has come, within concurrency and rate. */
void ec_dispatch_send(engine *e, double now);
/* Milliseconds until the next timer (request due, batch flush), capped. */
long ec_dispatch_next_timeout(engine *e, double now);
/* Paid requests sent and not yet answered. */
size_t ec_dispatch_paid_in_flight(const engine *e);
/* Fail every batch still open with a reason (stop, fatal). */
void ec_dispatch_abandon(engine *e);
/* Free the requests left in flight after ec_http_free (which drops them
 * without answers), and the ended batches they kept alive. */
void ec_dispatch_free(engine *e);
/* Check job deadlines. */
void ec_dispatch_check_deadlines(engine *e, double now);
/* Worst-case credits for n lookups. */
double ec_dispatch_worst_cost(const engine *e, size_t n);
/* Make a lookup's outcome final outside a batch (journal it if it should be). */
void ec_dispatch_journal_result(engine *e, lk *l);

/* dispatch.c, for resume.c */
/* A new, empty batch, linked into the engine (items are the caller's to add). */
bt *ec_dispatch_new_batch(engine *e, double now);
/* Set B's journal id and its idempotency key (a hash of its keys). */
void ec_dispatch_make_ids(engine *e, bt *B);
/* Ask the provider for B's first requests and queue them (or end B). */
void ec_dispatch_start_batch(engine *e, bt *B, double now);
/* Queue the requests of rs for B; rs is emptied (the requests are taken). */
void ec_dispatch_add_requests(engine *e, bt *B, ec_reqs *rs, double now);
/* Journal batch id as done (nothing more to do for it). */
void ec_dispatch_journal_done(engine *e, const char *id);
/* End B: its unsettled lookups failed:<reason>, results journaled, done. */
void ec_dispatch_fail_final(engine *e, bt *B, const char *reason);
/* Unlink and free B, whose lookups were handed elsewhere (B->b.n = 0). */
void ec_dispatch_discard(engine *e, bt *B);

/* resume.c */
/* Resume open batches from the journal. Returns 0, or -1 (fatal set). */
int ec_dispatch_resume(engine *e);

#endif

/* dispatch.c - batches through the provider's flow: form them, send their
 * requests within concurrency and rate, read the provider's verdict on each
 * answer, retry only when that cannot charge twice, and journal what must
 * survive a crash (intent before a paid request, checkpoint after it,
 * results and done at the end). */
#include "config.h"
#include "engine_int.h"
#include "msg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ec_engine_enqueue(engine *e, lk *l);
int ec_engine_input_drained(const engine *e);

enum { RETRY_BUDGET = 5 };

/* How a batch that ends early is journaled. */
enum end_mode {
    END_FINAL, /* outcomes are final: journal results and done */
    END_CLOSE, /* nothing was charged: journal done only, rows may be looked up again */
    END_OPEN   /* a job may still be running at the provider: journal nothing, resume later */
};

double ec_dispatch_worst_cost(const engine *e, size_t n)
{
    const ec_provider *p = e->prov;
    unsigned f = e->o->fields & p->supports;
    double per = p->cost_found + ((f & EC_WANT_EMAIL) ? p->cost_email : 0) +
                 ((f & EC_WANT_PHONE) ? p->cost_phone : 0);
    return per * (double)n;
}

/* Our estimate of what a finished lookup cost, where the provider says nothing. */
static double estimate_cost(const engine *e, const ec_outcome *o)
{
    const ec_provider *p = e->prov;
    if (o->status != EC_ST_ENRICHED)
        return 0;
    double c = p->cost_found;
    if (o->emails.n)
        c += p->cost_email;
    if (o->phones.n)
        c += p->cost_phone;
    for (size_t i = 0; i < o->npeople; i++)
        c += (o->people[i].emails.n ? p->cost_email : 0) +
             (o->people[i].phones.n ? p->cost_phone : 0);
    return c;
}

static int journal_fail(engine *e, const char *what, ec_buf *err)
{
    ec_error("journal: %s: %s", what, err->p ? err->p : "write failed");
    e->fatal = EC_EXIT_RUNTIME;
    e->stopping = 1;
    return -1;
}

static int journalable(const ec_outcome *o)
{
    return o->status == EC_ST_ENRICHED || o->status == EC_ST_NOT_FOUND || o->status == EC_ST_FAILED;
}

void ec_dispatch_journal_result(engine *e, lk *l)
{
    if (!e->cfg->ledger || !journalable(&l->L.out))
        return;
    ec_buf err = {0};
    if (ec_ledger_result(e->cfg->ledger, l->key, &l->L.out, &err) < 0)
        journal_fail(e, "result", &err);
    else
        e->unsynced = 1;
    ec_buf_free(&err);
}

/* ------------------------------------------------------------------ batches */

static void remove_requests(engine *e, bt *B)
{
    rq **pp = &e->queue;
    while (*pp) {
        rq *r = *pp;
        if (r->batch == B && !r->in_flight) {
            *pp = r->next;
            ec_request_free(&r->req);
            free(r);
            B->outstanding--;
        } else {
            pp = &r->next;
        }
    }
}

static void unlink_batch(engine *e, bt *B)
{
    for (bt **pp = &e->batches; *pp; pp = &(*pp)->next) {
        if (*pp == B) {
            *pp = B->next;
            e->nbatches--;
            return;
        }
    }
}

static void free_batch(engine *e, bt *B)
{
    if (e->prov->free_state)
        e->prov->free_state(&B->b);
    free(B->b.items);
    free(B);
}

/* Finish a batch: every lookup gets a final outcome (reason for those the
 * provider left open), results and done are journaled per mode, rows are
 * released. */
static void end_batch(engine *e, bt *B, enum end_mode mode, enum ec_status st, const char *reason)
{
    double actual = 0;
    for (size_t i = 0; i < B->b.n; i++) {
        ec_lookup *L = B->b.items[i];
        /* what the provider settled is journaled unless the job stays open;
         * what we settle here only when the outcome is final */
        int settled = L->done;
        if (!L->done) {
            ec_outcome_clear(&L->out);
            L->out.status = st;
            if (st == EC_ST_FAILED)
                L->out.reason = ec_xstrdup(reason ? reason : "incomplete");
            L->done = 1;
        }
        actual += estimate_cost(e, &L->out);
        lk *l = (lk *)L; /* L is the first member of lk */
        if (mode == END_FINAL || (mode == END_CLOSE && settled))
            ec_dispatch_journal_result(e, l);
    }
    if (e->cfg->ledger && mode != END_OPEN && B->intent_written) {
        ec_buf err = {0};
        if (ec_ledger_done(e->cfg->ledger, B->id, &err) < 0)
            journal_fail(e, "done", &err);
        e->unsynced = 1;
        ec_buf_free(&err);
    }
    if (B->b.credits > 0) {
        e->st->credits_reported += B->b.credits;
        e->st->credits_provider_figure = 1;
        actual = B->b.credits;
    }
    e->st->credits_estimated += actual;
    e->committed += actual - B->worst_cost;
    for (size_t i = 0; i < B->b.n; i++)
        ec_engine_lookup_done(e, (lk *)B->b.items[i]);
    B->failed = 1;
    remove_requests(e, B);
    unlink_batch(e, B);
    if (B->outstanding == 0)
        free_batch(e, B);
    /* else: freed when its last in-flight answer comes back */
}

static void fail_batch(engine *e, bt *B, enum end_mode mode, const char *reason)
{
    end_batch(e, B, mode, EC_ST_FAILED, reason);
}

void ec_dispatch_add_requests(engine *e, bt *B, ec_reqs *rs, double now)
{
    for (size_t i = 0; i < rs->n; i++) {
        rq *r = ec_xcalloc(1, sizeof *r);
        r->batch = B;
        r->e = e;
        r->req = rs->v[i];
        r->not_before = now + (r->req.delay > 0 ? r->req.delay : 0);
        /* append to keep FIFO order */
        rq **pp = &e->queue;
        while (*pp)
            pp = &(*pp)->next;
        *pp = r;
        B->outstanding++;
    }
    free(rs->v);
    rs->v = NULL;
    rs->n = 0;
}

void ec_dispatch_make_ids(engine *e, bt *B)
{
    snprintf(B->id, sizeof B->id, "%s-%llu", e->run_id, B->b.seq);
    /* idempotency key: the batch id (so a later, deliberate submission of the
     * same lookups, e.g. --retry-failed or --max-age, is new work, not a
     * replay of the old answer) and a hash of its keys; it is the same on
     * every retry, and a resumed batch re-sends the one in its intent */
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < B->b.n; i++) {
        const char *k = B->b.items[i]->key;
        h ^= ec_hash64(k, strlen(k)) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    snprintf(B->idem, sizeof B->idem, "enrichcsv-%s-%016llx-%zu", B->id, (unsigned long long)h,
             B->b.n);
    B->b.idem_key = B->idem;
}

bt *ec_dispatch_new_batch(engine *e, double now)
{
    bt *B = ec_xcalloc(1, sizeof *B);
    B->b.seq = ++e->batch_seq;
    B->b.fields = e->o->fields & e->prov->supports;
    if (!B->b.fields)
        B->b.fields = e->o->fields;
    B->started = now;
    B->deadline = now + e->job_timeout;
    B->next = e->batches;
    e->batches = B;
    e->nbatches++;
    e->st->batches++;
    return B;
}

void ec_dispatch_start_batch(engine *e, bt *B, double now)
{
    ec_reqs rs = {0};
    ec_buf msg = {0};
    if (e->prov->start(&e->cfg->pctx, &e->cfg->auth, &B->b, &rs, &msg) < 0) {
        ec_reqs_free(&rs);
        fail_batch(e, B, END_CLOSE, msg.p ? msg.p : "cannot_build_request");
    } else if (rs.n == 0) {
        end_batch(e, B, END_FINAL, EC_ST_FAILED, "no_request");
    } else {
        ec_dispatch_add_requests(e, B, &rs, now);
    }
    ec_buf_free(&msg);
}

static lk *pop_pending(engine *e)
{
    lk *l = e->pend_head;
    if (!l)
        return NULL;
    e->pend_head = l->next;
    if (!e->pend_head)
        e->pend_tail = NULL;
    l->next = NULL;
    e->npending--;
    if (e->npending)
        e->oldest_pending_at = ec_now();
    return l;
}

/* Every pending lookup ends skipped:credits. */
static void drain_for_credits(engine *e)
{
    lk *l;
    while ((l = pop_pending(e)) != NULL) {
        ec_outcome_clear(&l->L.out);
        l->L.out.status = EC_ST_SKIPPED_CREDITS;
        l->L.done = 1;
        ec_engine_lookup_done(e, l);
    }
}

/* How many lookups the budget allows in the next batch. */
static size_t budget_fit(engine *e, size_t n)
{
    if (e->o->max_credits < 0)
        return n;
    double per = ec_dispatch_worst_cost(e, 1);
    if (per <= 0)
        return n;
    double room = e->o->max_credits - e->committed;
    size_t fit = room <= 0 ? 0 : (size_t)floor(room / per + 1e-9);
    return fit < n ? fit : n;
}

/* Send a batch that is not full? When no more lookups will come; when the
 * window is full and no open batch will free it; or when the oldest pending
 * lookup has waited flush_delay for a slow trickle on stdin. A window held
 * full by open batches waits for them: flushing then would only spend a
 * request (and the rate limit) on a partial batch. */
static int flush_due(const engine *e, double now)
{
    if (ec_engine_input_drained(e))
        return 1;
    if (!ec_window_has_room(e->win))
        return e->nbatches == 0;
    return now - e->oldest_pending_at >= e->flush_delay;
}

void ec_dispatch_form_batches(engine *e, double now)
{
    while (e->npending > 0 && !e->stopping && !e->fatal) {
        if (e->credits_stop) {
            drain_for_credits(e);
            return;
        }
        if (e->npending < (size_t)e->batch_size && !flush_due(e, now))
            return;
        if (e->nbatches >= e->max_open)
            return;
        size_t n = e->npending < (size_t)e->batch_size ? e->npending : (size_t)e->batch_size;
        size_t fit = budget_fit(e, n);
        if (fit == 0) {
            if (e->nbatches > 0)
                return; /* wait: finished batches may free budget they did not use */
            ec_warn("--max-credits %g reached: remaining rows are skipped:credits",
                    e->o->max_credits);
            e->credits_stop = 1;
            continue;
        }
        bt *B = ec_dispatch_new_batch(e, now);
        B->b.items = ec_xcalloc(fit, sizeof *B->b.items);
        for (size_t i = 0; i < fit; i++) {
            lk *l = pop_pending(e);
            l->state = LK_BATCHED;
            l->batch = B;
            B->b.items[B->b.n++] = &l->L;
        }
        ec_dispatch_make_ids(e, B);
        B->worst_cost = ec_dispatch_worst_cost(e, B->b.n);
        e->committed += B->worst_cost;
        ec_dispatch_start_batch(e, B, now);
    }
}

/* ------------------------------------------------------------------ sending */

static char *full_url(const engine *e, const char *url)
{
    if (url[0] != '/')
        return ec_xstrdup(url);
    ec_buf b = {0};
    ec_buf_puts(&b, e->cfg->pctx.base_url);
    ec_buf_puts(&b, url);
    return ec_buf_take(&b);
}

/* Journal the provider's checkpoint for B (job ids, and which paid requests
 * are being sent), synced. */
static int write_checkpoint(engine *e, bt *B)
{
    if (!e->cfg->ledger || !e->prov->checkpoint)
        return 0;
    char *cp = e->prov->checkpoint(&B->b);
    if (!cp)
        return 0;
    ec_buf err = {0};
    int r = ec_ledger_job(e->cfg->ledger, B->id, cp, &err);
    if (r < 0)
        journal_fail(e, "job", &err);
    ec_buf_free(&err);
    free(cp);
    return r;
}

/* The batch's intent (its keys) and the provider's checkpoint, in one
 * frame and one sync: a crash between the two would leave a batch that a
 * rerun resumes without the values its checkpoint carries (Woodpecker's
 * Lead Finder fields, which it searches and re-sends by). */
static int write_intent(engine *e, bt *B)
{
    if (!e->cfg->ledger)
        return 0;
    const char **keys = ec_xcalloc(B->b.n, sizeof *keys);
    for (size_t i = 0; i < B->b.n; i++)
        keys[i] = B->b.items[i]->key;
    char *cp = e->prov->checkpoint ? e->prov->checkpoint(&B->b) : NULL;
    ec_buf err = {0};
    int r = ec_ledger_intent_cp(e->cfg->ledger, B->id, keys, B->b.n,
                                e->prov->idempotent_submit ? B->idem : NULL, cp, &err);
    free(keys);
    free(cp);
    if (r < 0)
        journal_fail(e, "intent", &err);
    else
        B->intent_written = 1;
    ec_buf_free(&err);
    return r;
}

static void on_answer(void *ud, ec_http_result *res);

/* 1 when sending req again cannot charge twice: it is free, or the provider
 * dedupes it (Idempotency-Key, reused pending work), or the provider marked
 * it paid = 2, "paid, but a repeat charges nothing new" (OpenFunnel's
 * discovery, billed per person not stored yet). */
static int resend_free(const engine *e, const ec_request *req)
{
    return !req->paid || req->paid == 2 || e->prov->idempotent_submit || e->prov->can_resubmit_free;
}

static int send_one(engine *e, rq *r)
{
    bt *B = r->batch;
    /* write-ahead: the batch's intent (its keys) once, then before each
     * further paid request the provider's checkpoint, which says what is
     * being sent; both synced */
    if (r->req.paid && r->retries == 0 && r->bad_retries == 0 &&
        (B->intent_written ? write_checkpoint(e, B) : write_intent(e, B)) < 0)
        return -1;
    ec_values hdr = {0};
    if (e->prov->auth_headers)
        e->prov->auth_headers(&e->cfg->auth, &r->req, &hdr);
    if (r->req.paid && e->prov->idempotent_submit) {
        char line[160];
        snprintf(line, sizeof line, "Idempotency-Key: %s", B->idem);
        ec_values_add(&hdr, line, strlen(line));
    }
    char *url = full_url(e, r->req.url);
    /* libcurl silently re-sends a request that dies on a reused connection:
     * one whose repeat could charge twice gets a connection of its own */
    int fresh = !resend_free(e, &r->req);
    size_t blen = r->req.body ? strlen(r->req.body) : 0;
    int rc = ec_http_start(e->http, r->req.method, url, (const char *const *)hdr.v, hdr.n,
                           r->req.body, blen, fresh, on_answer, r);
    free(url);
    ec_values_free(&hdr);
    if (rc < 0) {
        ec_error("cannot start an HTTP request");
        e->fatal = EC_EXIT_RUNTIME;
        return -1;
    }
    r->in_flight = 1;
    r->req.attempt = r->retries + r->bad_retries;
    e->in_flight++;
    e->st->requests++;
    return 0;
}

static int capacity(const engine *e)
{
    if (e->in_flight >= (size_t)e->concurrency)
        return 0;
    if (e->max_in_flight > 0 && e->in_flight >= (size_t)e->max_in_flight)
        return 0;
    return 1;
}

size_t ec_dispatch_paid_in_flight(const engine *e)
{
    size_t n = 0;
    for (const rq *r = e->queue; r; r = r->next)
        n += r->in_flight && r->req.paid;
    return n;
}

void ec_dispatch_send(engine *e, double now)
{
    for (rq *r = e->queue; r && !e->fatal; r = r->next) {
        if (r->in_flight || r->not_before > now)
            continue;
        if (!capacity(e))
            return;
        if (!ec_ratelimit_take(&e->rate, now))
            return;
        if (send_one(e, r) < 0)
            return;
    }
}

long ec_dispatch_next_timeout(engine *e, double now)
{
    double next = now + 1.0;
    for (rq *r = e->queue; r; r = r->next) {
        if (r->in_flight)
            continue;
        double t = r->not_before;
        if (capacity(e)) {
            double w = ec_ratelimit_wait(&e->rate, now);
            if (now + w > t)
                t = now + w;
        }
        if (t < next)
            next = t;
    }
    if (e->npending > 0 && ec_window_has_room(e->win) &&
        e->oldest_pending_at + e->flush_delay < next)
        next = e->oldest_pending_at + e->flush_delay;
    long ms = (long)ceil((next - now) * 1000);
    return ms < 0 ? 0 : ms > 1000 ? 1000 : ms;
}

/* ------------------------------------------------------------------ answers */

static void unlink_request(engine *e, rq *r)
{
    for (rq **pp = &e->queue; *pp; pp = &(*pp)->next) {
        if (*pp == r) {
            *pp = r->next;
            return;
        }
    }
}

static void requeue(engine *e, rq *r, double delay)
{
    r->not_before = ec_now() + delay;
    r->in_flight = 0;
    (void)e;
}

static const char *transport_reason(const ec_http_result *res)
{
    if (res->timed_out)
        return "timeout";
    if (res->status)
        return NULL;
    return res->reason ? res->reason : "connection";
}

/* The failed:<reason> of a transient failure that outlived its retries:
 * the transport's tag, else the exact HTTP status (http_502), else what the
 * provider said. */
static void reason_for(const ec_http_result *res, const char *msg, char *out, size_t n)
{
    const char *t = transport_reason(res);
    if (t)
        snprintf(out, n, "%s", t);
    else if (res->status >= 300 || !msg || !*msg)
        snprintf(out, n, "http_%ld", res->status);
    else
        snprintf(out, n, "%s", msg);
}

/* A RETRY verdict: back off and resend when safe, else end the batch. */
static int handle_retry(engine *e, rq *r, const ec_http_result *res, const char *msg)
{
    bt *B = r->batch;
    int limited = res->status == 429 || res->status == 503;
    char reason[160];
    reason_for(res, msg, reason, sizeof reason);
    if (!resend_free(e, &r->req) && !limited && res->request_sent) {
        ec_warn("batch %s: %s after the request was sent; its outcome is unknown "
                "(rows end failed:uncertain; --retry-failed submits them again)",
                B->id, reason);
        fail_batch(e, B, END_FINAL, "uncertain");
        return 1;
    }
    double now = ec_now();
    if ((!limited && r->retries >= RETRY_BUDGET) || now >= B->deadline) {
        /* a paid request that never reached the provider charged nothing:
         * close the batch; else the job may exist: leave it to a rerun */
        enum end_mode m = r->req.paid && !r->sent ? END_CLOSE : END_OPEN;
        fail_batch(e, B, m, now >= B->deadline ? "job_timeout" : reason);
        return 1;
    }
    r->retries++;
    e->st->retries++;
    double wait = ec_backoff_delay(&e->rng, e->backoff_base, 60.0, (unsigned)(r->retries - 1),
                                   res->retry_after);
    if (limited) /* the whole account is limited: pause every request, not just this one */
        ec_ratelimit_hold(&e->rate, now + wait);
    if (now + wait > B->deadline)
        wait = B->deadline - now;
    ec_verbose("retrying %s %s in %.1f s (%s)", r->req.method, r->req.url, wait, reason);
    requeue(e, r, wait);
    return 0;
}

static void after_ok(engine *e, rq *r, ec_reqs *more)
{
    bt *B = r->batch;
    if (r->req.paid)
        write_checkpoint(e, B);
    ec_dispatch_add_requests(e, B, more, ec_now());
}

static void finish_request(engine *e, rq *r)
{
    unlink_request(e, r);
    ec_request_free(&r->req);
    free(r);
}

void ec_dispatch_journal_done(engine *e, const char *id)
{
    if (!e->cfg->ledger)
        return;
    ec_buf err = {0};
    if (ec_ledger_done(e->cfg->ledger, id, &err) < 0)
        journal_fail(e, "done", &err);
    e->unsynced = 1;
    ec_buf_free(&err);
}

/* Journal a batch whose paid request was refused before doing anything as
 * closed; its rows stay unfinished (the run is stopping). */
static void close_refused(engine *e, bt *B)
{
    if (B->intent_written)
        ec_dispatch_journal_done(e, B->id);
    B->intent_written = 0;
}

/* 1 when the provider settled every lookup of B. */
static int batch_settled(const bt *B)
{
    for (size_t i = 0; i < B->b.n; i++)
        if (!B->b.items[i]->done)
            return 0;
    return 1;
}

/* Apply the provider's verdict. Returns 1 when r is finished (to free). */
static int apply_verdict(engine *e, rq *r, enum ec_verdict v, const ec_http_result *res,
                         ec_reqs *more, const char *msg)
{
    bt *B = r->batch;
    int free_again = resend_free(e, &r->req);
    switch (v) {
    case EC_V_OK:
        after_ok(e, r, more);
        return 1;
    case EC_V_RETRY:
        return handle_retry(e, r, res, msg);
    case EC_V_BAD_RESPONSE:
        if (r->bad_retries == 0 && free_again) {
            r->bad_retries++;
            ec_warn("batch %s: malformed answer to %s %s; trying once more", B->id, r->req.method,
                    r->req.url);
            requeue(e, r, e->backoff_base);
            return 0;
        }
        ec_warn("batch %s: malformed answer to %s %s%s; its rows end failed:bad_response", B->id,
                r->req.method, r->req.url,
                free_again ? " again" : ", which is not re-sent (it may have been charged)");
        fail_batch(e, B, END_FINAL, "bad_response");
        return 1;
    case EC_V_FAIL:
        ec_warn("batch %s: %s", B->id, msg && *msg ? msg : "request refused");
        fail_batch(e, B, END_FINAL, msg && *msg ? msg : "refused");
        return 1;
    case EC_V_AUTH:
        ec_error("the provider rejected the key (HTTP %ld%s%s); check %s", res->status,
                 msg && *msg ? ": " : "", msg ? msg : "", e->cfg->key_hint);
        e->fatal = EC_EXIT_AUTH;
        e->stopping = 1;
        /* a first submit refused outright charged nothing: close it, so a
         * rerun with the right key does not take it for an uncertain one;
         * anything else stays open for a rerun to resume */
        if (r->req.paid && r->retries == 0 && r->bad_retries == 0)
            close_refused(e, B);
        return 1;
    case EC_V_CREDITS:
        if (!e->credits_stop)
            ec_warn("out of credits (%s): finishing jobs in flight, remaining rows are "
                    "skipped:credits",
                    msg && *msg ? msg : "provider said so");
        e->credits_stop = 1;
        end_batch(e, B, END_CLOSE, EC_ST_SKIPPED_CREDITS, NULL);
        return 1;
    }
    return 1;
}

static void on_answer(void *ud, ec_http_result *res)
{
    rq *r = ud;
    engine *e = r->e;
    bt *B = r->batch;
    /* r->in_flight stays 1 while its answer is handled, so a batch ending
     * under it (remove_requests) leaves r to us; requeue() clears it */
    e->in_flight--;
    r->sent |= res->request_sent;
    if (B->failed) { /* the batch ended while this was in flight */
        finish_request(e, r);
        if (--B->outstanding == 0)
            free_batch(e, B);
        return;
    }
    ec_response resp = {res->status, res->body.p ? res->body.p : "", res->body.len, res->reason,
                        res->retry_after};
    ec_reqs more = {0};
    ec_buf msg = {0};
    enum ec_verdict v = e->prov->handle(&e->cfg->pctx, &B->b, &r->req, &resp, &more, &msg);
    if (v == EC_V_RETRY && res->retry_after < 0 && e->prov->retry_hint)
        res->retry_after = e->prov->retry_hint(&resp);
    int finished = apply_verdict(e, r, v, res, &more, msg.p);
    ec_reqs_free(&more);
    ec_buf_free(&msg);
    if (!finished)
        return;
    finish_request(e, r);
    if (B->failed) {
        if (--B->outstanding == 0)
            free_batch(e, B);
        return;
    }
    if (--B->outstanding > 0)
        return;
    /* stopping (signal, key refused, journal failure): a batch the provider
     * left unfinished stays open for ec_dispatch_abandon, and a rerun */
    if (e->stopping && !batch_settled(B))
        return;
    end_batch(e, B, END_FINAL, EC_ST_FAILED, "incomplete");
}

void ec_dispatch_check_deadlines(engine *e, double now)
{
    for (bt *B = e->batches, *next; B; B = next) {
        next = B->next;
        if (!B->failed && now >= B->deadline) {
            ec_warn("batch %s: no answer within --job-timeout %.0f s; rerun to pick the job up",
                    B->id, e->job_timeout);
            fail_batch(e, B, END_OPEN, "job_timeout");
        }
    }
}

void ec_dispatch_abandon(engine *e)
{
    while (e->batches)
        fail_batch(e, e->batches, END_OPEN, "interrupted");
}

void ec_dispatch_free(engine *e)
{
    while (e->queue) {
        rq *r = e->queue;
        bt *B = r->batch;
        e->queue = r->next;
        ec_request_free(&r->req);
        free(r);
        if (--B->outstanding == 0 && B->failed)
            free_batch(e, B);
    }
}

void ec_dispatch_fail_final(engine *e, bt *B, const char *reason)
{
    fail_batch(e, B, END_FINAL, reason);
}

void ec_dispatch_discard(engine *e, bt *B)
{
    remove_requests(e, B);
    unlink_batch(e, B);
    free_batch(e, B);
}

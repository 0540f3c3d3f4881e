/* prov_harness.h - drives a provider's operations (provider.h) with canned
 * answers for the t_prov_*.c unit tests: a batch of n lookups keyed
 * "key-0".."key-N", the requests the provider asked for kept in a queue,
 * each answered by hand (h_answer) so that its follow-ups join the queue.
 * No network. Include after tap.h. */
#ifndef EC_PROV_HARNESS_H
#define EC_PROV_HARNESS_H

#include "provider.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct harness {
    const ec_provider *p;
    ec_pctx ctx;
    ec_auth auth;
    ec_batch b;
    ec_reqs q; /* requests the provider asked for, not answered yet */
    ec_buf msg;
} harness;

static inline void h_init(harness *h, const ec_provider *p, size_t n, unsigned fields)
{
    memset(h, 0, sizeof *h);
    h->p = p;
    h->ctx.base_url = "http://127.0.0.1:9";
    h->ctx.fields = fields;
    h->auth.key = "of_KEY";
    h->auth.key2 = "me@example.com";
    h->b.items = ec_xcalloc(n + 1, sizeof *h->b.items);
    h->b.n = n;
    h->b.fields = fields;
    h->b.idem_key = "idem";
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "key-%zu", i);
        h->b.items[i] = ec_xcalloc(1, sizeof **h->b.items);
        h->b.items[i]->key = ec_xstrdup(key);
    }
}

static inline void h_take(harness *h, ec_reqs *out)
{
    for (size_t k = 0; k < out->n; k++) {
        h->q.v = ec_xrealloc(h->q.v, (h->q.n + 1) * sizeof *h->q.v);
        h->q.v[h->q.n++] = out->v[k];
    }
    free(out->v);
    out->v = NULL;
    out->n = 0;
}

static inline void h_clear_queue(harness *h)
{
    ec_reqs_free(&h->q);
}

static inline void h_free(harness *h)
{
    h->p->free_state(&h->b);
    for (size_t i = 0; i < h->b.n; i++) {
        ec_outcome_clear(&h->b.items[i]->out);
        free((char *)h->b.items[i]->key);
        free(h->b.items[i]);
    }
    free(h->b.items);
    h_clear_queue(h);
    ec_buf_free(&h->msg);
}

static inline int h_start(harness *h)
{
    ec_reqs out = {0};
    int r = h->p->start(&h->ctx, &h->auth, &h->b, &out, &h->msg);
    h_take(h, &out);
    return r;
}

static inline int h_resume(harness *h, const char *cp)
{
    ec_reqs out = {0};
    h_clear_queue(h);
    h->p->free_state(&h->b);
    for (size_t i = 0; i < h->b.n; i++) {
        ec_outcome_clear(&h->b.items[i]->out);
        h->b.items[i]->done = 0;
    }
    int r = h->p->resume(&h->ctx, &h->b, cp, &out, &h->msg);
    h_take(h, &out);
    return r;
}

/* Index of the first queued request with this method and URL prefix. */
static inline long h_find(const harness *h, const char *method, const char *url)
{
    for (size_t k = 0; k < h->q.n; k++)
        if (strcmp(h->q.v[k].method, method) == 0 && strncmp(h->q.v[k].url, url, strlen(url)) == 0)
            return (long)k;
    return -1;
}

static inline long h_count(const harness *h, const char *method, const char *url)
{
    long n = 0;
    for (size_t k = 0; k < h->q.n; k++)
        n += strcmp(h->q.v[k].method, method) == 0 && strncmp(h->q.v[k].url, url, strlen(url)) == 0;
    return n;
}

/* Answer queued request k (removing it); its follow-ups join the queue. */
static inline enum ec_verdict h_answer(harness *h, long k, long status, const char *body)
{
    if (k < 0 || (size_t)k >= h->q.n) {
        ok(0, "no such request to answer");
        return EC_V_FAIL;
    }
    ec_request req = h->q.v[k];
    memmove(&h->q.v[k], &h->q.v[k + 1], (h->q.n - (size_t)k - 1) * sizeof *h->q.v);
    h->q.n--;
    ec_response resp = {status, body, body ? strlen(body) : 0, status ? NULL : "connection reset",
                        -1};
    ec_reqs out = {0};
    ec_buf_clear(&h->msg);
    enum ec_verdict v = h->p->handle(&h->ctx, &h->b, &req, &resp, &out, &h->msg);
    ec_request_free(&req);
    h_take(h, &out);
    return v;
}

static inline const char *st(const harness *h, size_t i)
{
    static ec_buf b;
    ec_buf_clear(&b);
    ec_status_text(&h->b.items[i]->out, &b);
    return b.p;
}


/* ------------------------------------------------ single-request stepping
 * For providers whose batch is one request at a time (Amplemarket, The
 * Hog): define PROV_HARNESS_STEP and `static const ec_provider *P` (the
 * provider under test) before including this file. */
#ifdef PROV_HARNESS_STEP
static inline void batch_init(ec_batch *b, ec_lookup **items, size_t n, unsigned fields)
{
    memset(b, 0, sizeof *b);
    b->items = items;
    b->n = n;
    b->fields = fields;
    b->idem_key = "idem-1";
}

static inline void batch_done(ec_batch *b)
{
    P->free_state(b);
    for (size_t i = 0; i < b->n; i++) {
        ec_outcome_clear(&b->items[i]->out);
        free(b->items[i]);
    }
}

static inline ec_response answer(long status, const char *body)
{
    ec_response r = {status, body, body ? strlen(body) : 0, NULL, -1};
    return r;
}

/* Hand an answer to handle(); *req is replaced by the single follow-up
 * request (or zeroed when there is none); returns the verdict. */
static inline enum ec_verdict step(const ec_pctx *ctx, ec_batch *b, ec_request *req, ec_response resp,
                            size_t *nmore, ec_buf *msg)
{
    ec_reqs out = {0};
    ec_buf_clear(msg);
    enum ec_verdict v = P->handle(ctx, b, req, &resp, &out, msg);
    ec_request_free(req);
    memset(req, 0, sizeof *req);
    *nmore = out.n;
    if (out.n) {
        *req = out.v[0];
        out.v[0].url = out.v[0].body = NULL;
    }
    ec_reqs_free(&out);
    return v;
}

static inline const char *status_of(const ec_lookup *lk, ec_buf *tmp)
{
    ec_buf_clear(tmp);
    ec_status_text(&lk->out, tmp);
    return tmp->p;
}
#endif

#endif

/* resume.c - pick up the batches a journal left open: each open batch of
 * this provider and endpoint is rebuilt from its keys and continued from its
 * checkpoint (polls), re-sent where that is free (same Idempotency-Key, or a
 * provider that reuses pending work), or else reported failed:uncertain
 * (submitted again only under --retry-failed). */
#include "config.h"
#include "engine_int.h"
#include "ident.h"
#include "msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ec_engine_enqueue(engine *e, lk *l);

/* A lookup rebuilt from a journaled key, registered so input rows with the
 * same key wait for it instead of paying again. NULL when the key is not this
 * run's (another provider or endpoint), or already answered or known. */
static lk *lookup_from_key(engine *e, const char *key, unsigned *fields)
{
    if (ec_hmap_get(e->table, key))
        return NULL;
    ec_outcome o;
    memset(&o, 0, sizeof o);
    if (ec_ledger_find(e->cfg->ledger, key, 0, &o, NULL) == 1) {
        ec_outcome_clear(&o);
        return NULL;
    }
    ec_ident_key_parts parts;
    if (ec_ident_parse_key(key, &parts) < 0)
        return NULL;
    lk *l = NULL;
    if (strcmp(parts.provider, e->prov->name) == 0 &&
        strcmp(parts.endpoint, e->cfg->endpoint) == 0) {
        l = ec_xcalloc(1, sizeof *l);
        l->key = ec_xstrdup(key);
        l->L.key = l->key;
        for (int f = 0; f < EC_F_COUNT; f++) {
            l->vals[f] = parts.vals[f];
            parts.vals[f] = NULL;
            l->L.id[f] = l->vals[f];
        }
        *fields = parts.fields;
        ec_hmap_put(e->table, l->key, l);
        e->st->lookups++;
    }
    ec_ident_key_parts_free(&parts);
    return l;
}

static void resume_uncertain(engine *e, bt *B)
{
    if (e->o->retry_failed) {
        /* the user accepts the risk: submit them again in a new batch */
        ec_dispatch_journal_done(e, B->id);
        for (size_t i = 0; i < B->b.n; i++)
            ec_engine_enqueue(e, (lk *)B->b.items[i]);
        B->b.n = 0;
        e->committed -= B->worst_cost;
        ec_dispatch_discard(e, B);
        return;
    }
    ec_warn("batch %s: a paid request was sent before the last run stopped and its answer "
            "was lost; its %zu rows end failed:uncertain (--retry-failed submits them again)",
            B->id, B->b.n);
    ec_dispatch_fail_final(e, B, "uncertain");
}

/* 1 when the open batch's keys are this run's provider and endpoint. */
static int batch_is_ours(const engine *e, const ec_open_batch *ob)
{
    if (!ob->nkeys)
        return 0;
    size_t pn = strlen(e->prov->name), en = strlen(e->cfg->endpoint);
    const char *k = ob->keys[0];
    return strncmp(k, e->prov->name, pn) == 0 && k[pn] == '|' &&
           strncmp(k + pn + 1, e->cfg->endpoint, en) == 0 && k[pn + 1 + en] == '|';
}

static int resume_one(void *ctx, const ec_open_batch *ob)
{
    engine *e = ctx;
    if (e->fatal)
        return 1;
    /* A --sandbox simulator is new on every run: an earlier one's jobs are
     * gone with it and its credits are fictional, so its open batches are
     * closed and their lookups simply submitted again. */
    if (strcmp(e->cfg->endpoint, "sandbox") == 0 && batch_is_ours(e, ob)) {
        ec_verbose("batch %s: jobs of an earlier --sandbox run are gone; submitting again", ob->id);
        ec_dispatch_journal_done(e, ob->id);
        return 0;
    }
    double now = ec_now();
    bt *B = NULL;
    unsigned fields = 0;
    for (size_t i = 0; i < ob->nkeys; i++) {
        lk *l = lookup_from_key(e, ob->keys[i], &fields);
        if (!l)
            continue;
        if (!B) {
            B = ec_dispatch_new_batch(e, now);
            B->b.items = ec_xcalloc(ob->nkeys, sizeof *B->b.items);
        }
        l->state = LK_BATCHED;
        l->batch = B;
        B->b.items[B->b.n++] = &l->L;
    }
    if (!B) { /* every key answered or not ours: nothing to resume */
        const char *bar = ob->nkeys ? strchr(ob->keys[0], '|') : NULL;
        int ours = bar && (size_t)(bar - ob->keys[0]) == strlen(e->prov->name) &&
                   strncmp(ob->keys[0], e->prov->name, strlen(e->prov->name)) == 0;
        if (ours || !ob->nkeys)
            ec_dispatch_journal_done(e, ob->id);
        return 0;
    }
    snprintf(B->id, sizeof B->id, "%s", ob->id);
    if (ob->idem)
        snprintf(B->idem, sizeof B->idem, "%s", ob->idem);
    else
        ec_dispatch_make_ids(e, B), snprintf(B->id, sizeof B->id, "%s", ob->id);
    B->b.idem_key = B->idem;
    B->b.fields = fields ? fields : B->b.fields;
    B->intent_written = 1;
    B->resumed = 1;
    B->worst_cost = ec_dispatch_worst_cost(e, B->b.n);
    e->committed += B->worst_cost;
    ec_reqs rs = {0};
    ec_buf msg = {0};
    if (e->prov->resume && e->prov->resume(&e->cfg->pctx, &B->b, ob->checkpoint, &rs, &msg) == 0 &&
        rs.n) {
        ec_verbose("batch %s: resuming its job (%zu lookups)", B->id, B->b.n);
        ec_dispatch_add_requests(e, B, &rs, now);
    } else if ((e->prov->idempotent_submit && ob->idem) || e->prov->can_resubmit_free) {
        ec_reqs_free(&rs);
        ec_verbose("batch %s: re-sending its submit, which %s", B->id,
                   e->prov->idempotent_submit ? "carries the same idempotency key"
                                              : "the provider answers from pending work");
        ec_dispatch_start_batch(e, B, now);
    } else {
        ec_reqs_free(&rs);
        resume_uncertain(e, B);
    }
    ec_buf_free(&msg);
    return 0;
}

int ec_dispatch_resume(engine *e)
{
    if (!e->cfg->ledger)
        return 0;
    size_t n = ec_ledger_open_batches(e->cfg->ledger, resume_one, e);
    if (n)
        ec_verbose("%zu batch(es) were open in the journal", n);
    return e->fatal ? -1 : 0;
}

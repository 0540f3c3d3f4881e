/* prov_woodpecker_int.h - private to prov_woodpecker.c (the job: requests
 * and answers) and prov_woodpecker_state.c (the lead payload, the batch
 * state, checkpoint/resume). Nothing else includes it. */
#ifndef EC_PROV_WOODPECKER_INT_H
#define EC_PROV_WOODPECKER_INT_H

#include <stddef.h>
#include "buf.h"
#include "json.h"
#include "provider.h"

#define WP_SUBMIT_PATH "/rest/v2/lead_finder/leads/enrichments"
#define WP_PROSPECTS_PATH "/rest/v1/prospects"
#define WP_MAX 50
#define WP_POLL 10.0         /* the docs: poll at >= 10 s; jobs take 1-4 min [S] */
#define WP_JOB_TIMEOUT 600.0 /* 10 min per enrichment batch */
#define WP_LIST_DAYS 2       /* list window: batches created since this many days */
#define WP_COST 1.5          /* credits per lead whose enrichment found an email [V] */
#define WP_NKEYS 16          /* Lead Finder keys passed through */
#define WP_RESENDS 5         /* queue calls with no readable answer before a lead fails */

enum { T_SUBMIT = 1, T_POLL, T_LIST, T_PROSPECT };
enum wp_queue { Q_NONE = 0, Q_ENQUEUED, Q_PARTIAL, Q_NOT, Q_CREDITS, Q_OTHER };
enum { L_NO = 0, L_WANTED, L_ASKED }; /* a lead's place in the list step */
/* indexes of the Lead Finder keys the read-back uses */
enum { K_UID = 0, K_FULL, K_FIRST, K_LAST, K_LINKEDIN = 5, K_COMPANY, K_WEBSITE, K_LEVELS = 11 };

typedef struct wp_lead {
    char *uid;
    char *val[WP_NKEYS]; /* Lead Finder values from the row, by key index */
    enum wp_queue queue; /* what the POST that carried it answered */
    int expect;          /* job it was queued in (-1: none) */
    int job;             /* job it was seen in (-1: not yet) */
    int list;            /* L_NO, L_WANTED, L_ASKED */
    int listed;          /* the list step has run for it */
    int presubmit;       /* resume: not found in the list -> submit it */
    int submit;          /* number of the queue call that carries it (0: none out) */
    int settled;         /* its result was taken (a read-back may still be out) */
    int step;            /* prospect search: 0 LinkedIn URL, 1 name */
    int lost;            /* queue calls that carried it and got no readable answer */
} wp_lead;

typedef struct wp_job {
    char *uuid;
    double waited;
    int polling;
} wp_job;

typedef struct wp_state {
    wp_lead *lead; /* one per lookup, same index */
    size_t n;
    wp_job *job;
    size_t njob;
    int listing;       /* a list request is out */
    int nsubmit;       /* queue calls made */
    int credits_short; /* some leads ended skipped:credits */
    int credits_reported;
} wp_state;

/* ------------------------------------------------- prov_woodpecker_state.c */

/* Replace b->state with the leads of b (uid and the row's Lead Finder
 * columns); returns it (owned by b, freed by ec_wp_free_state). */
wp_state *ec_wp_state_new(ec_batch *b);
/* Free b->state (the ops table's free_state). */
void ec_wp_free_state(ec_batch *b);
/* Append lead l as a Lead Finder lead object (uid + the columns it has). */
void ec_wp_put_lead(ec_buf *o, const wp_lead *l);
/* Index of the batch with this uuid, added when new. */
int ec_wp_job_find_or_add(wp_state *s, const char *uuid);
/* The queue status string token t names (Q_OTHER when none). */
enum wp_queue ec_wp_queue_of(const ec_json *j, int t);

/* The checkpoint and resume ops (provider.h). */
char *ec_wp_checkpoint(const ec_batch *b);
int ec_wp_resume(const ec_pctx *ctx, ec_batch *b, const char *cp, ec_reqs *out, ec_buf *msg);

/* ------------------------------------------------------- prov_woodpecker.c */

/* Queue a poll of batch k (unless one is out) after the poll delay. */
void ec_wp_poll_job(const ec_pctx *ctx, ec_batch *b, int k, const ec_response *resp, ec_reqs *out);
/* Ask for the recent batches once for every lead that wants it. */
void ec_wp_list_wanted(ec_batch *b, ec_reqs *out);

#endif

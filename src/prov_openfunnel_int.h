/* prov_openfunnel_int.h - private to prov_openfunnel.c (the job: requests
 * and answers) and prov_openfunnel_state.c (filters, the batch state, and
 * checkpoint/resume). Nothing else includes it. */
#ifndef EC_PROV_OPENFUNNEL_INT_H
#define EC_PROV_OPENFUNNEL_INT_H

#include <stddef.h>
#include "buf.h"
#include "json.h"
#include "provider.h"
#include "row.h"

#define OF_FAST_PATH "/api/v1/enrich/fast-people-enrichment"
#define OF_PEOPLE_PATH "/api/v1/enrich/people"
#define OF_CHUNK_MAX 500
#define OF_POLL 3.0           /* seconds: the docs say 2-3 s (fast) and 3-5 s (people) */
#define OF_FAST_TIMEOUT 900.0 /* a discovery job: up to 10 min [S], plus margin */
#define OF_ENRICH_BASE 300.0  /* an enrich job: this + OF_ENRICH_PER s per person */
#define OF_ENRICH_PER 2.0     /* about 2 s per person [V] */

enum { T_FAST = 1, T_FAST_POLL, T_ENRICH, T_ENRICH_POLL };
enum of_stage { ST_SENT = 0, ST_POLLING, ST_PEOPLE, ST_DONE };
enum of_cstate { CH_SENT = 0, CH_POLLING, CH_DONE, CH_FAILED, CH_SPLIT };

typedef struct of_acct {
    enum of_stage stage;
    char *job;
    ec_values people; /* people ids as text, discovery order, unique */
    double waited;    /* poll delays scheduled so far */
    double credits;   /* discovery credits reported */
} of_acct;

typedef struct of_pers {
    ec_person p;  /* p.id is the person id */
    int failed;   /* 1: no result because the job or request failed */
    int contacts; /* emails + phones found (credits attributed) */
} of_pers;

typedef struct of_chunk {
    size_t *pix; /* indexes into the person table */
    size_t n;
    char *job;
    enum of_cstate state;
    char *reason; /* CH_FAILED: why */
    double waited;
} of_chunk;

typedef struct of_state {
    of_acct *acct; /* one per lookup, same index */
    size_t nacct;
    of_pers *pers;
    size_t npers;
    of_chunk *chunk;
    size_t nchunk;
    int enrich_started;
    int credits_short;    /* something ended skipped:credits */
    int credits_reported; /* and the engine was told */
} of_state;

/* Iterate the elements e of array token arr (none when arr is no array). */
#define OF_JSON_EACH(j, arr, k, e)                                                                 \
    for (int k = 0, e = (arr) + 1;                                                                 \
         ec_json_type(j, arr) == EC_JSON_ARRAY && k < ec_json_size(j, arr);                        \
         k++, e = ec_json_skip(j, e))

/* ------------------------------------------------ prov_openfunnel_state.c */

/* Append the JSON array of a --seniority (department 0) or --department
 * list's values (every value when list is NULL or empty), in list order
 * without repeats. Returns 0, or -1 with a message in err. */
int ec_of_put_enum_list(ec_buf *b, const char *list, int department, ec_buf *err);

/* Replace b->state with a fresh state of b->n accounts; returns it (owned
 * by b, freed by ec_of_free_state). */
of_state *ec_of_state_new(ec_batch *b);
/* Free b->state (the ops table's free_state). */
void ec_of_free_state(ec_batch *b);

/* Free *dst and store val (taken) there. */
void ec_of_set_str(char **dst, char *val);
/* Index of person id in the person table, or -1. */
long ec_of_pers_find(const of_state *s, const char *id);
/* Fill the person table: every settled account's people, first appearance first. */
void ec_of_build_people(of_state *s);
/* Add a chunk of the n persons at pix (copied); returns its index. */
size_t ec_of_chunk_new(of_state *s, const size_t *pix, size_t n);
/* Chunk c ends CH_FAILED with reason (copied; "credits" marks its people
 * skipped:credits), and so does every person in it. */
void ec_of_chunk_fail(of_state *s, size_t c, const char *reason);
/* Account i ends failed:<reason> (copied; NULL or "" gives "error"). */
void ec_of_acct_fail(ec_batch *b, size_t i, const char *reason);

/* The checkpoint and resume ops (provider.h). */
char *ec_of_checkpoint(const ec_batch *b);
int ec_of_resume(const ec_pctx *ctx, ec_batch *b, const char *cp, ec_reqs *out, ec_buf *msg);

/* ------------------------------------------------------ prov_openfunnel.c */

/* Queue a poll (tag T_FAST_POLL or T_ENRICH_POLL) of job for account or
 * chunk i after the poll delay, adding that delay to *waited. */
void ec_of_add_poll(const ec_pctx *ctx, ec_reqs *out, int tag, size_t i, const char *job,
                    double *waited, const ec_response *resp);
/* Move the batch on: enrichment once every account is settled, outcomes
 * once every chunk is. */
void ec_of_advance(const ec_pctx *ctx, ec_batch *b, ec_reqs *out);

#endif

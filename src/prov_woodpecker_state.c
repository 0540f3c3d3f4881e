/* prov_woodpecker_state.c - Woodpecker Lead Finder (providers.md section 3),
 * the state half: the Lead Finder lead a row carries (its uid and the
 * columns passed through), the batch state, and the checkpoint that lets a
 * rerun find its batches again. The requests and answers are in
 * prov_woodpecker.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "prov_util.h"
#include "prov_woodpecker_int.h"
#include "provider.h"

static const char *const queue_names[] = {
    "", "ENQUEUED", "PARTIALLY_ENQUEUED", "NOT_ENQUEUED", "CREDITS_EXHAUSTED", "OTHER"};

/* The Lead Finder lead keys of the queue call's body schema [V]. */
static const char *const lf_keys[] = {"uid",
                                      "full_name",
                                      "first_name",
                                      "last_name",
                                      "gender",
                                      "linkedin_url",
                                      "company_name",
                                      "company_website",
                                      "industry",
                                      "job_title",
                                      "job_title_role",
                                      "job_title_levels",
                                      "location_name",
                                      "city",
                                      "state",
                                      "country",
                                      NULL};

/* ------------------------------------------------------------------ state */

static void state_free(wp_state *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->lead[i].uid);
        for (int k = 0; k < WP_NKEYS; k++)
            free(s->lead[i].val[k]);
    }
    for (size_t k = 0; k < s->njob; k++)
        free(s->job[k].uuid);
    free(s->lead);
    free(s->job);
    free(s);
}

void ec_wp_free_state(ec_batch *b)
{
    state_free(b->state);
    b->state = NULL;
}

static int lf_index(const char *key, size_t len)
{
    ec_buf norm = {0}, want = {0};
    ec_header_norm(key, len, &norm);
    int found = -1;
    for (int k = 0; lf_keys[k] && found < 0; k++) {
        ec_buf_clear(&want);
        ec_header_norm(lf_keys[k], strlen(lf_keys[k]), &want);
        if (norm.len == want.len && memcmp(norm.p, want.p, norm.len) == 0)
            found = k;
    }
    ec_buf_free(&norm);
    ec_buf_free(&want);
    return found;
}

/* Read the row payload's Lead Finder columns (matched by normalized name,
 * first non-empty one wins) into the lead. */
static void read_payload(wp_lead *l, const char *payload)
{
    ec_json j = {0};
    if (!payload || ec_json_parse(&j, payload, strlen(payload), NULL) < 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT) {
        ec_json_free(&j);
        return;
    }
    for (int m = 0; m < ec_json_size(&j, 0); m++) {
        int key = ec_json_at(&j, 0, m);
        ec_str name = ec_json_raw(&j, key);
        int k = lf_index(name.ptr, name.len);
        if (k <= K_UID || l->val[k])
            continue;
        char *v = ec_json_scalar_dup(&j, key + 1);
        if (v && v[strspn(v, " \t\r\n")])
            l->val[k] = v;
        else
            free(v);
    }
    ec_json_free(&j);
}

wp_state *ec_wp_state_new(ec_batch *b)
{
    ec_wp_free_state(b);
    wp_state *s = ec_xcalloc(1, sizeof *s);
    s->n = b->n;
    s->lead = ec_xcalloc(b->n ? b->n : 1, sizeof *s->lead);
    for (size_t i = 0; i < b->n; i++) {
        wp_lead *l = &s->lead[i];
        l->expect = l->job = -1;
        if (b->items[i]->id[EC_F_UID])
            l->uid = ec_xstrdup(b->items[i]->id[EC_F_UID]);
        read_payload(l, b->items[i]->payload);
    }
    b->state = s;
    return s;
}

/* Index of the batch with this uuid, added when new. */
int ec_wp_job_find_or_add(wp_state *s, const char *uuid)
{
    for (size_t k = 0; k < s->njob; k++)
        if (strcmp(s->job[k].uuid, uuid) == 0)
            return (int)k;
    s->job = ec_xrealloc(s->job, (s->njob + 1) * sizeof *s->job);
    memset(&s->job[s->njob], 0, sizeof *s->job);
    s->job[s->njob].uuid = ec_xstrdup(uuid);
    return (int)s->njob++;
}

enum wp_queue ec_wp_queue_of(const ec_json *j, int t)
{
    for (int q = Q_ENQUEUED; q <= Q_CREDITS; q++)
        if (ec_json_str_eq(j, t, queue_names[q]))
            return (enum wp_queue)q;
    return Q_OTHER;
}

/* -------------------------------------------------------------- the lead */

/* job_title_levels is an array: a JSON array cell passes, other text is
 * split on ',', ';' or '|'. */
static void put_levels(ec_buf *o, const char *v)
{
    ec_json j = {0};
    int n = 0;
    ec_buf_putc(o, '[');
    if (v[0] == '[' && ec_json_parse(&j, v, strlen(v), NULL) == 0 &&
        ec_json_type(&j, 0) == EC_JSON_ARRAY) {
        for (int k = 0, e = 1; k < ec_json_size(&j, 0); k++, e = ec_json_skip(&j, e)) {
            char *s = ec_json_scalar_dup(&j, e);
            if (s && *s) {
                ec_buf_puts(o, n++ ? "," : "");
                ec_json_put_cstr(o, s);
            }
            free(s);
        }
        ec_json_free(&j);
        ec_buf_putc(o, ']');
        return;
    }
    ec_json_free(&j);
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ",;|");
        const char *s = p;
        p += len + (p[len] ? 1 : 0);
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len) {
            ec_buf_puts(o, n++ ? "," : "");
            ec_json_put_str(o, s, len);
        }
    }
    ec_buf_putc(o, ']');
}

void ec_wp_put_lead(ec_buf *o, const wp_lead *l)
{
    ec_buf_puts(o, "{\"uid\":");
    ec_json_put_cstr(o, l->uid);
    for (int k = K_UID + 1; lf_keys[k]; k++) {
        if (!l->val[k])
            continue;
        ec_buf_printf(o, ",\"%s\":", lf_keys[k]);
        if (k == K_LEVELS)
            put_levels(o, l->val[k]);
        else
            ec_json_put_cstr(o, l->val[k]);
    }
    ec_buf_putc(o, '}');
}

/* ------------------------------------------------------ checkpoint/resume */

/* Append ,"lf":{...}: the lead's Lead Finder values. A rerun rebuilds the
 * batch from the journal's keys, before any input row is read, so the
 * values the read-back searches by (and a re-submit sends) come from here. */
static void put_values(ec_buf *o, const wp_lead *l)
{
    int n = 0;
    for (int k = K_UID + 1; lf_keys[k]; k++) {
        if (!l->val[k])
            continue;
        ec_buf_printf(o, "%s\"%s\":", n++ ? "," : ",\"lf\":{", lf_keys[k]);
        ec_json_put_cstr(o, l->val[k]);
    }
    if (n)
        ec_buf_putc(o, '}');
}

/* {"v":1,"jobs":[uuid...],
 *  "leads":[{"uid","queue","job","expect","lf":{"full_name":...}}]} */
char *ec_wp_checkpoint(const ec_batch *b)
{
    const wp_state *s = b->state;
    if (!s)
        return NULL;
    ec_buf o = {0};
    ec_buf_puts(&o, "{\"v\":1,\"jobs\":[");
    for (size_t k = 0; k < s->njob; k++) {
        if (k)
            ec_buf_putc(&o, ',');
        ec_json_put_cstr(&o, s->job[k].uuid);
    }
    ec_buf_puts(&o, "],\"leads\":[");
    int first = 1;
    for (size_t i = 0; i < s->n; i++) {
        const wp_lead *l = &s->lead[i];
        if (!l->uid)
            continue;
        ec_buf_puts(&o, first ? "{\"uid\":" : ",{\"uid\":");
        first = 0;
        ec_json_put_cstr(&o, l->uid);
        ec_buf_printf(&o, ",\"queue\":\"%s\",\"job\":%d,\"expect\":%d", queue_names[l->queue],
                      l->job, l->expect < 0 ? -1 : l->expect);
        put_values(&o, l);
        ec_buf_putc(&o, '}');
    }
    ec_buf_puts(&o, "]}");
    return ec_buf_take(&o);
}

static void resume_lead(ec_batch *b, const ec_json *j, int e)
{
    wp_state *s = b->state;
    for (size_t i = 0; i < s->n; i++) {
        wp_lead *l = &s->lead[i];
        if (!l->uid || !ec_json_str_eq(j, ec_json_get(j, e, "uid"), l->uid))
            continue;
        long long job = -1, expect = -1;
        ec_json_int(j, ec_json_get(j, e, "job"), &job);
        ec_json_int(j, ec_json_get(j, e, "expect"), &expect);
        int q = ec_json_get(j, e, "queue"); /* "": no answer seen yet */
        l->queue = ec_json_str_eq(j, q, "") ? Q_NONE : ec_wp_queue_of(j, q);
        l->job = job >= 0 && (size_t)job < s->njob ? (int)job : -1;
        l->expect = expect >= 0 && (size_t)expect < s->njob ? (int)expect : -1;
        int lf = ec_json_get(j, e, "lf");
        for (int m = 0; ec_json_type(j, lf) == EC_JSON_OBJECT && m < ec_json_size(j, lf); m++) {
            int key = ec_json_at(j, lf, m);
            for (int k = K_UID + 1; lf_keys[k]; k++) {
                if (l->val[k] || !ec_json_str_eq(j, key, lf_keys[k]))
                    continue;
                char *v = ec_json_strdup(j, key + 1, NULL);
                if (v && *v)
                    l->val[k] = v;
                else
                    free(v);
            }
        }
        return;
    }
}

/* Continue from a checkpoint (NULL or "" too: a POST was sent but its answer
 * never seen). Known batches are polled again; a lead no known batch holds
 * is looked for in the list of recent batches first, and submitted again
 * only when it is in none: a lead still pending is not queued twice
 * (NOT_ENQUEUED), so the re-send is free, and one already processed is
 * found in the list instead of being paid again. */
int ec_wp_resume(const ec_pctx *ctx, ec_batch *b, const char *cp, ec_reqs *out, ec_buf *msg)
{
    (void)msg;
    wp_state *s = ec_wp_state_new(b);
    ec_json j = {0};
    if (cp && *cp && ec_json_parse(&j, cp, strlen(cp), NULL) == 0) {
        int jobs = ec_json_get(&j, 0, "jobs");
        for (int k = 0, e = jobs + 1;
             ec_json_type(&j, jobs) == EC_JSON_ARRAY && k < ec_json_size(&j, jobs);
             k++, e = ec_json_skip(&j, e)) {
            char *u = ec_json_strdup(&j, e, NULL);
            ec_wp_job_find_or_add(s, u && *u ? u : "-");
            free(u);
        }
        int leads = ec_json_get(&j, 0, "leads");
        for (int k = 0, e = leads + 1;
             ec_json_type(&j, leads) == EC_JSON_ARRAY && k < ec_json_size(&j, leads);
             k++, e = ec_json_skip(&j, e))
            resume_lead(b, &j, e);
    }
    ec_json_free(&j);
    unsigned f = b->fields ? b->fields : ctx->fields;
    for (size_t i = 0; i < s->n; i++) {
        wp_lead *l = &s->lead[i];
        if (!l->uid) {
            ec_pu_finish(b->items[i], EC_ST_SKIPPED_NO_ID, NULL);
        } else if (f && !(f & EC_WANT_EMAIL)) {
            ec_pu_finish(b->items[i], EC_ST_FAILED, "phone_unsupported");
        } else if (l->job >= 0 || l->expect >= 0) {
            ec_wp_poll_job(ctx, b, l->job >= 0 ? l->job : l->expect, NULL, out);
        } else if (l->queue == Q_NONE) {
            l->presubmit = 1;
            l->list = L_WANTED;
        } else {
            l->list = L_WANTED; /* answered without a batch: look for it */
        }
    }
    ec_wp_list_wanted(b, out);
    return 0;
}

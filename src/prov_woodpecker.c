/* prov_woodpecker.c - Woodpecker Lead Finder (providers.md section 3). Leads
 * are Lead Finder search results keyed by uid; the row's Lead Finder columns
 * pass through. The enrichment answers carry no contacts: a lead whose
 * enrichment found an email becomes a prospect (CONVERTED_TO_PROSPECT), and
 * the email is read back from the v1 prospects API, matched on LinkedIn URL
 * or on name and company. Email only; phone is unsupported.
 *
 * A lead's path: submitted in a POST (-> a batch uuid, or none when it was
 * already pending) -> seen in a polled batch -> terminal (PROCESSED, or a
 * processing_result) -> not_found, or a prospect read-back. A lead the POST
 * did not put in the polled batch is looked for in the list of recent
 * batches; not there, it ends skipped:credits after PARTIALLY_ENQUEUED and
 * failed:not_enqueued otherwise. The lead payload, the batch state and
 * checkpoint/resume are in prov_woodpecker_state.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "prov_util.h"
#include "prov_woodpecker_int.h"
#include "provider.h"

/* ---------------------------------------------------------------- helpers */

/* OK, or, once every lead is settled after some ended skipped:credits, the
 * out-of-credits verdict (nothing is left for the engine to skip; it stops
 * submitting and the run exits 4). */
static enum ec_verdict settle_verdict(ec_batch *b, ec_buf *msg)
{
    wp_state *s = b->state;
    return ec_pu_credits_verdict(b, s->credits_short, &s->credits_reported,
                                 "Woodpecker credits exhausted", msg);
}

static void skip_credits(ec_batch *b, size_t i)
{
    wp_state *s = b->state;
    s->credits_short = 1;
    ec_pu_finish(b->items[i], EC_ST_SKIPPED_CREDITS, NULL);
}

/* ---------------------------------------------------------------- requests */

/* One queue call for the leads in idx (at most WP_MAX); aux is its number,
 * which the leads it carries remember. */
static void add_submit(ec_batch *b, const size_t *idx, size_t n, ec_reqs *out)
{
    wp_state *s = b->state;
    ec_buf body = {0};
    int no = ++s->nsubmit;
    ec_buf_puts(&body, "{\"leads\":[");
    for (size_t k = 0; k < n; k++) {
        wp_lead *l = &s->lead[idx[k]];
        if (k)
            ec_buf_putc(&body, ',');
        ec_wp_put_lead(&body, l);
        l->presubmit = 0;
        l->queue = Q_NONE;
        l->submit = no;
    }
    ec_buf_puts(&body, "],\"target_campaign_ids\":[]}");
    ec_request *r =
        ec_reqs_add(out, "POST", ec_xstrdup(WP_SUBMIT_PATH), ec_buf_take(&body), 1, T_SUBMIT);
    r->aux = no;
}

/* Submit every unsettled lead with presubmit set (or all, when all is 1). */
static void submit_leads(ec_batch *b, int all, ec_reqs *out)
{
    wp_state *s = b->state;
    size_t *idx = ec_xmalloc((s->n ? s->n : 1) * sizeof *idx), n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (b->items[i]->done || !(all || s->lead[i].presubmit))
            continue;
        idx[n++] = i;
        if (n == WP_MAX) {
            add_submit(b, idx, n, out);
            n = 0;
        }
    }
    if (n)
        add_submit(b, idx, n, out);
    free(idx);
}

void ec_wp_poll_job(const ec_pctx *ctx, ec_batch *b, int k, const ec_response *resp, ec_reqs *out)
{
    wp_state *s = b->state;
    wp_job *jb = &s->job[k];
    if (jb->polling)
        return;
    ec_buf u = {0};
    ec_buf_puts(&u, WP_SUBMIT_PATH "/");
    ec_pu_put_segment(&u, jb->uuid);
    ec_request *r = ec_reqs_add(out, "GET", ec_buf_take(&u), NULL, 0, T_POLL);
    r->aux = k;
    r->delay = ec_pu_poll_delay(ctx, WP_POLL, resp);
    jb->waited += r->delay;
    jb->polling = 1;
}

/* Civil date (UTC) some days before now, "YYYY-MM-DD". */
static void put_date_before(ec_buf *b, int days)
{
    time_t t = time(NULL) - (time_t)days * 86400;
    struct tm tm;
    char d[16];
    if (!gmtime_r(&t, &tm) || !strftime(d, sizeof d, "%Y-%m-%d", &tm))
        strcpy(d, "1970-01-01");
    ec_buf_puts(b, d);
}

/* Ask for the recent batches once for every lead that wants it. */
void ec_wp_list_wanted(ec_batch *b, ec_reqs *out)
{
    wp_state *s = b->state;
    int any = 0;
    if (s->listing)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->lead[i].list == L_WANTED && !b->items[i]->done) {
            s->lead[i].list = L_ASKED;
            any = 1;
        }
    }
    if (!any)
        return;
    ec_buf u = {0};
    ec_buf_puts(&u, WP_SUBMIT_PATH "?created_after=");
    put_date_before(&u, WP_LIST_DAYS);
    ec_reqs_add(out, "GET", ec_buf_take(&u), NULL, 0, T_LIST);
    s->listing = 1;
}

/* The v1 search expression for a lead, or NULL when step has no key:
 * step 0 "linkedin_url=<url as exported>", step 1
 * "first_name=<first>,last_name=<last>" (a full name is split at its first
 * space; values holding ',' cannot be expressed and are left out). */
static char *search_expr(const wp_lead *l, int step)
{
    ec_buf e = {0};
    if (step == 0) {
        if (!l->val[K_LINKEDIN])
            return NULL;
        ec_buf_puts(&e, "linkedin_url=");
        ec_buf_puts(&e, l->val[K_LINKEDIN]);
        return ec_buf_take(&e);
    }
    char *first = l->val[K_FIRST] ? ec_xstrdup(l->val[K_FIRST]) : NULL;
    char *last = l->val[K_LAST] ? ec_xstrdup(l->val[K_LAST]) : NULL;
    if ((!first || !last) && l->val[K_FULL]) {
        const char *full = l->val[K_FULL] + strspn(l->val[K_FULL], " ");
        size_t sp = strcspn(full, " ");
        if (!first)
            first = ec_xstrndup(full, sp);
        if (!last && full[sp])
            last = ec_xstrdup(full + sp + strspn(full + sp, " "));
    }
    if (first && *first && !strchr(first, ','))
        ec_buf_printf(&e, "first_name=%s", first);
    if (last && *last && !strchr(last, ','))
        ec_buf_printf(&e, "%slast_name=%s", e.len ? "," : "", last);
    free(first);
    free(last);
    if (!e.len) {
        ec_buf_free(&e);
        return NULL;
    }
    return ec_buf_take(&e);
}

/* Read the email of lead i back from the prospects, from step on; a lead
 * with no way left to search ends failed:prospect_not_found. */
static void read_back(ec_batch *b, size_t i, int step, ec_reqs *out)
{
    wp_state *s = b->state;
    char *expr = NULL;
    for (; step < 2 && !expr; step++)
        expr = search_expr(&s->lead[i], step);
    if (!expr) {
        ec_pu_finish(b->items[i], EC_ST_FAILED, "prospect_not_found");
        return;
    }
    s->lead[i].step = step - 1;
    ec_buf u = {0};
    ec_buf_puts(&u, WP_PROSPECTS_PATH "?search=");
    ec_pu_put_segment(&u, expr);
    free(expr);
    ec_request *r = ec_reqs_add(out, "GET", ec_buf_take(&u), NULL, 0, T_PROSPECT);
    r->aux = (long)i;
}

/* ------------------------------------------------------- answers: common */

static int is_2xx(const ec_response *resp)
{
    return resp->status >= 200 && resp->status < 300;
}

/* The error code of an error body: v1 status.code, else a top-level
 * "code", else error.code (the v2 envelope is [U]). */
static int error_code(const ec_json *j, char *code, size_t size)
{
    int where[3] = {ec_json_get(j, 0, "status"), 0, ec_json_get(j, 0, "error")};
    code[0] = '\0';
    for (int w = 0; w < 3 && !code[0]; w++) {
        char *c =
            ec_json_type(j, where[w]) == EC_JSON_OBJECT ? ec_pu_get_str(j, where[w], "code") : NULL;
        if (c && strlen(c) < size)
            strcpy(code, c);
        free(c);
    }
    return code[0] != '\0';
}

/* An error answer: the message (v2 [U]; v1 {"status":{"code","msg"}}) in
 * msg, and the verdict. The code decides where it has a meaning whatever
 * the HTTP status: v1 answers a bad key with 400 E_SESSION (the key is
 * refused: exit 5) and a busy key with E_TOO_MANY_REQUESTS (wait); a
 * CREDITS_EXHAUSTED status is out of credits. */
static enum ec_verdict wp_error(const ec_response *resp, ec_buf *msg)
{
    ec_json j = {0};
    int credits = 0, found = 0;
    char code[48] = "";
    ec_buf_clear(msg);
    if (resp->body && resp->len && ec_json_parse(&j, resp->body, resp->len, NULL) == 0) {
        int st = ec_json_get(&j, 0, "status");
        credits = ec_json_str_eq(&j, st, "CREDITS_EXHAUSTED");
        error_code(&j, code, sizeof code);
        char *m = NULL;
        if (ec_json_type(&j, st) == EC_JSON_OBJECT &&
            ((m = ec_pu_get_str(&j, st, "msg")) || (m = ec_pu_get_str(&j, st, "code")))) {
            ec_pu_put_reason(msg, m, strlen(m));
            found = 1;
        }
        free(m);
    }
    ec_json_free(&j);
    enum ec_verdict v = ec_verdict_for_status(resp->status);
    if (!found)
        v = ec_pu_error_verdict(resp, msg);
    if (credits || strcmp(code, "CREDITS_EXHAUSTED") == 0)
        return EC_V_CREDITS;
    if (strcmp(code, "E_SESSION") == 0)
        return EC_V_AUTH;
    if (strcmp(code, "E_TOO_MANY_REQUESTS") == 0)
        return EC_V_RETRY;
    return v;
}

/* Take a terminal lead's processing_result. */
static void settle(ec_batch *b, size_t i, const ec_json *j, int item, ec_reqs *out)
{
    wp_state *s = b->state;
    int pr = ec_json_get(j, item, "processing_result");
    s->lead[i].settled = 1;
    if (ec_json_str_eq(j, pr, "CONVERTED_TO_PROSPECT")) {
        b->credits += WP_COST;
        read_back(b, i, 0, out);
        return;
    }
    if (ec_json_type(j, pr) != EC_JSON_STRING || ec_json_raw(j, pr).len == 0 ||
        ec_json_str_eq(j, pr, "NOT_CONVERTED_TO_PROSPECT")) {
        ec_pu_finish(b->items[i], EC_ST_NOT_FOUND, NULL);
        return;
    }
    ec_buf why = {0};
    char *v = ec_json_strdup(j, pr, NULL);
    for (const char *c = v ? v : "unknown"; *c; c++)
        ec_buf_putc(&why, (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c);
    ec_pu_finish(b->items[i], EC_ST_FAILED, why.p);
    free(v);
    ec_buf_free(&why);
}

/* A lead is terminal when PROCESSED or when it has a processing_result;
 * unknown statuses wait (until the job timeout). */
static int terminal(const ec_json *j, int item)
{
    int pr = ec_json_get(j, item, "processing_result");
    return ec_json_str_eq(j, ec_json_get(j, item, "status"), "PROCESSED") ||
           (ec_json_type(j, pr) == EC_JSON_STRING && ec_json_raw(j, pr).len > 0);
}

static long lead_by_uid(const ec_batch *b, const ec_json *j, int item)
{
    const wp_state *s = b->state;
    int u = ec_json_get(j, item, "uid");
    if (ec_json_type(j, u) != EC_JSON_STRING)
        return -1;
    for (size_t i = 0; i < s->n; i++)
        if (s->lead[i].uid && !b->items[i]->done && !s->lead[i].settled &&
            ec_json_str_eq(j, u, s->lead[i].uid))
            return (long)i;
    return -1;
}

/* A lead no batch holds: look it up in the list once, then give up. */
static void missing(ec_batch *b, size_t i)
{
    wp_state *s = b->state;
    wp_lead *l = &s->lead[i];
    if (!l->listed) {
        l->list = L_WANTED;
        return;
    }
    if (l->presubmit)
        return; /* resume: it gets submitted */
    if (l->queue == Q_PARTIAL || l->queue == Q_CREDITS)
        skip_credits(b, i);
    else
        ec_pu_finish(b->items[i], EC_ST_FAILED, "not_enqueued");
}

/* ------------------------------------------------------------ the submit */

/* A queue call whose answer was lost (connection dropped, timeout, 5xx,
 * unreadable body) may have queued its leads, and a lead queued again once
 * processed is paid again [V]. So rather than re-sending it blindly, look
 * for its leads in the list of recent batches after a poll interval, and
 * queue again only those in none (a lead still pending would come back
 * NOT_ENQUEUED anyway). After WP_RESENDS such calls a lead fails. */
static enum ec_verdict on_lost_submit(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                      const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    wp_state *s = b->state;
    for (size_t i = 0; i < s->n; i++) {
        wp_lead *l = &s->lead[i];
        if (l->submit != req->aux || b->items[i]->done)
            continue;
        l->submit = 0;
        l->queue = Q_NONE;
        if (++l->lost >= WP_RESENDS) {
            ec_pu_finish(b->items[i], EC_ST_FAILED, msg->len ? msg->p : "bad_response");
            continue;
        }
        l->presubmit = 1;
        l->listed = 0;
        l->list = L_WANTED;
    }
    ec_buf_clear(msg);
    size_t before = out->n;
    ec_wp_list_wanted(b, out);
    if (out->n > before)
        out->v[out->n - 1].delay = ec_pu_poll_delay(ctx, WP_POLL, resp);
    return settle_verdict(b, msg);
}

/* Was the answer to a queue call lost (so its outcome is unknown)? 429 and
 * 503 are refusals before any work: those the engine retries. */
static int lost_answer(const ec_response *resp)
{
    return resp->status == 0 || (resp->status >= 500 && resp->status != 503);
}

static enum ec_verdict on_submit(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                 const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    wp_state *s = b->state;
    enum wp_queue q = Q_OTHER;
    int k = -1;
    if (!is_2xx(resp)) {
        enum ec_verdict v = wp_error(resp, msg);
        if (v == EC_V_CREDITS)
            q = Q_CREDITS;
        else if (v == EC_V_RETRY && lost_answer(resp))
            return on_lost_submit(ctx, b, req, resp, out, msg);
        else if (v != EC_V_FAIL)
            return v;
    } else {
        ec_json j = {0};
        if (!resp->body || ec_json_parse(&j, resp->body, resp->len, NULL) < 0 ||
            ec_json_type(&j, 0) != EC_JSON_OBJECT) {
            ec_json_free(&j);
            ec_buf_clear(msg);
            ec_buf_puts(msg, "bad_response");
            return on_lost_submit(ctx, b, req, resp, out, msg);
        }
        q = ec_wp_queue_of(&j, ec_json_get(&j, 0, "status"));
        char *uuid = ec_pu_get_str(&j, 0, "uuid");
        if (uuid && q != Q_CREDITS)
            k = ec_wp_job_find_or_add(s, uuid);
        free(uuid);
        ec_json_free(&j);
    }
    for (size_t i = 0; i < s->n; i++) {
        wp_lead *l = &s->lead[i];
        if (l->submit != req->aux || b->items[i]->done)
            continue;
        l->submit = 0;
        l->queue = q;
        l->expect = k;
        if (q == Q_CREDITS)
            skip_credits(b, i);
        else if (!is_2xx(resp))
            ec_pu_finish(b->items[i], EC_ST_FAILED, msg->p);
        else if (k < 0)
            missing(b, i); /* no batch to poll (NOT_ENQUEUED: already pending elsewhere) */
    }
    ec_buf_clear(msg);
    if (k >= 0)
        ec_wp_poll_job(ctx, b, k, NULL, out);
    ec_wp_list_wanted(b, out);
    return settle_verdict(b, msg);
}

/* -------------------------------------------------------------- the poll */

static enum ec_verdict on_poll(const ec_pctx *ctx, ec_batch *b, int k, const ec_response *resp,
                               ec_reqs *out, ec_buf *msg)
{
    wp_state *s = b->state;
    s->job[k].polling = 0;
    if (!is_2xx(resp)) {
        enum ec_verdict v = wp_error(resp, msg);
        if (v != EC_V_FAIL && v != EC_V_CREDITS)
            return v;
        for (size_t i = 0; i < s->n; i++) {
            wp_lead *l = &s->lead[i];
            if ((l->job == k || l->expect == k) && !b->items[i]->done && !l->settled)
                ec_pu_finish(b->items[i], EC_ST_FAILED,
                             resp->status == 404 ? "job_not_found" : msg->p);
        }
        ec_buf_clear(msg);
        return settle_verdict(b, msg);
    }
    ec_json j = {0};
    int root = 0;
    if (!resp->body || ec_json_parse(&j, resp->body, resp->len, NULL) < 0)
        root = -1;
    else if (ec_json_type(&j, ec_json_get(&j, 0, "lead_enrichment")) == EC_JSON_OBJECT)
        root = ec_json_get(&j, 0, "lead_enrichment");
    else if (ec_json_get(&j, 0, "leads") < 0) /* list-shaped: {"lead_enrichments":[{...}]} */
        root = ec_json_at(&j, ec_json_get(&j, 0, "lead_enrichments"), 0);
    int leads = ec_json_get(&j, root, "leads");
    if (root < 0 || ec_json_type(&j, leads) != EC_JSON_ARRAY) {
        ec_json_free(&j);
        ec_buf_clear(msg);
        ec_buf_puts(msg, "bad_response");
        return EC_V_BAD_RESPONSE;
    }
    /* an empty lead list is a batch not filled yet, not one without our leads */
    int waiting = ec_json_size(&j, leads) == 0;
    for (int m = 0, e = leads + 1; m < ec_json_size(&j, leads); m++, e = ec_json_skip(&j, e)) {
        long i = lead_by_uid(b, &j, e);
        if (i < 0 || (s->lead[i].job != k && s->lead[i].expect != k))
            continue;
        s->lead[i].job = k;
        if (terminal(&j, e))
            settle(b, (size_t)i, &j, e, out);
        else
            waiting = 1;
    }
    ec_json_free(&j);
    int timeout = s->job[k].waited >= WP_JOB_TIMEOUT;
    for (size_t i = 0; i < s->n; i++) {
        wp_lead *l = &s->lead[i];
        if (b->items[i]->done || l->settled || (l->job != k && l->expect != k))
            continue;
        if (timeout)
            ec_pu_finish(b->items[i], EC_ST_FAILED, "timeout");
        else if (l->job != k && !waiting)
            missing(b, i); /* the batch is settled and this lead is not in it */
        else
            waiting = 1;
    }
    if (waiting && !timeout)
        ec_wp_poll_job(ctx, b, k, resp, out);
    ec_wp_list_wanted(b, out);
    return settle_verdict(b, msg);
}

/* -------------------------------------------------------------- the list */

/* In the list, the most recent batch (by "created") holding lead i's uid:
 * sets *item to the lead element and returns the batch token, or -1. */
static int find_in_list(const ec_batch *b, size_t i, const ec_json *j, int arr, int *item)
{
    const wp_state *s = b->state;
    int best = -1;
    ec_str best_created = {"", 0};
    for (int m = 0, e = arr + 1; m < ec_json_size(j, arr); m++, e = ec_json_skip(j, e)) {
        int leads = ec_json_get(j, e, "leads");
        for (int n = 0, l = leads + 1;
             ec_json_type(j, leads) == EC_JSON_ARRAY && n < ec_json_size(j, leads);
             n++, l = ec_json_skip(j, l)) {
            if (!ec_json_str_eq(j, ec_json_get(j, l, "uid"), s->lead[i].uid))
                continue;
            ec_str created = ec_json_raw(j, ec_json_get(j, e, "created"));
            size_t min = created.len < best_created.len ? created.len : best_created.len;
            int cmp = memcmp(created.ptr, best_created.ptr, min);
            if (best < 0 || cmp > 0 || (cmp == 0 && created.len >= best_created.len)) {
                best = e;
                best_created = created;
                *item = l;
            }
        }
    }
    return best;
}

static enum ec_verdict on_list(const ec_pctx *ctx, ec_batch *b, const ec_response *resp,
                               ec_reqs *out, ec_buf *msg)
{
    wp_state *s = b->state;
    s->listing = 0;
    ec_json j = {0};
    int arr = -1;
    if (!is_2xx(resp)) {
        enum ec_verdict v = wp_error(resp, msg);
        if (v != EC_V_FAIL && v != EC_V_CREDITS)
            return v;
    } else if (resp->len && resp->body && ec_json_parse(&j, resp->body, resp->len, NULL) == 0) {
        arr = ec_json_type(&j, 0) == EC_JSON_ARRAY ? 0 : ec_json_get(&j, 0, "lead_enrichments");
        if (ec_json_type(&j, arr) != EC_JSON_ARRAY)
            arr = -1;
    }
    if (is_2xx(resp) && resp->len && arr < 0) {
        ec_json_free(&j);
        ec_buf_clear(msg);
        ec_buf_puts(msg, "bad_response");
        return EC_V_BAD_RESPONSE;
    }
    for (size_t i = 0; i < s->n; i++) {
        wp_lead *l = &s->lead[i];
        if (l->list != L_ASKED || b->items[i]->done || l->settled)
            continue;
        l->list = L_NO;
        l->listed = 1;
        int item = -1;
        int e = arr >= 0 ? find_in_list(b, i, &j, arr, &item) : -1;
        char *uuid = e >= 0 ? ec_pu_get_str(&j, e, "uuid") : NULL;
        if (!uuid) {
            missing(b, i);
            continue;
        }
        int k = ec_wp_job_find_or_add(s, uuid);
        free(uuid);
        l->job = k;
        l->presubmit = 0;
        if (terminal(&j, item))
            settle(b, i, &j, item, out);
        else
            ec_wp_poll_job(ctx, b, k, NULL, out);
    }
    ec_json_free(&j);
    ec_buf_clear(msg);
    submit_leads(b, 0, out); /* resume: leads no batch knows */
    ec_wp_list_wanted(b, out);
    return settle_verdict(b, msg);
}

/* ---------------------------------------------------- prospect read-back */

/* How well prospect p matches lead l: 2 same LinkedIn URL, 1 same first and
 * last name (and company or website, where both sides have one), 0 not. A
 * prospect with a different LinkedIn URL never matches. */
static int match(const ec_json *j, int p, const wp_lead *l)
{
    int score = 0;
    char *a = ec_pu_get_str(j, p, "linkedin_url");
    if (!a)
        a = ec_pu_get_str(j, p, "linkedin");
    if (a && l->val[K_LINKEDIN]) {
        char *x = ec_pu_canon_dup(EC_F_LINKEDIN_URL, a);
        char *y = ec_pu_canon_dup(EC_F_LINKEDIN_URL, l->val[K_LINKEDIN]);
        score = strcmp(x, y) == 0 ? 2 : -1;
        free(x);
        free(y);
    }
    free(a);
    if (score)
        return score > 0 ? score : 0;
    char *expr = search_expr(l, 1); /* "first_name=A,last_name=B": the names we know */
    ec_buf names = {0};
    char *f = ec_pu_get_str(j, p, "first_name"), *n = ec_pu_get_str(j, p, "last_name");
    ec_buf_printf(&names, "first_name=%s,last_name=%s", f ? f : "", n ? n : "");
    free(f);
    free(n);
    char *x = expr ? ec_pu_canon_dup(EC_F_NAME, expr) : NULL;
    char *y = ec_pu_canon_dup(EC_F_NAME, names.p);
    int same = x && strcmp(x, y) == 0;
    free(expr);
    free(x);
    free(y);
    ec_buf_free(&names);
    if (!same)
        return 0;
    static const struct {
        int key;
        const char *field;
        enum ec_field canon;
    } orgs[] = {{K_COMPANY, "company", EC_F_COMPANY_NAME},
                {K_WEBSITE, "website", EC_F_COMPANY_DOMAIN}};
    for (size_t k = 0; k < 2; k++) {
        char *theirs = ec_pu_get_str(j, p, orgs[k].field);
        if (theirs && l->val[orgs[k].key]) {
            char *cx = ec_pu_canon_dup(orgs[k].canon, theirs);
            char *cy = ec_pu_canon_dup(orgs[k].canon, l->val[orgs[k].key]);
            same = strcmp(cx, cy) == 0;
            free(cx);
            free(cy);
            free(theirs);
            return same;
        }
        free(theirs);
    }
    return 1;
}

/* The prospects of a search answer: a bare array, or under "prospects",
 * "data", "content" or "results". */
static int prospect_array(const ec_json *j)
{
    static const char *const keys[] = {"prospects", "data", "content", "results", NULL};
    if (ec_json_type(j, 0) == EC_JSON_ARRAY)
        return 0;
    for (int k = 0; keys[k]; k++)
        if (ec_json_type(j, ec_json_get(j, 0, keys[k])) == EC_JSON_ARRAY)
            return ec_json_get(j, 0, keys[k]);
    return -1;
}

static enum ec_verdict on_prospect(ec_batch *b, size_t i, const ec_response *resp, ec_reqs *out,
                                   ec_buf *msg)
{
    wp_state *s = b->state;
    wp_lead *l = &s->lead[i];
    if (!is_2xx(resp) && resp->status != 404) {
        enum ec_verdict v = wp_error(resp, msg);
        if (v != EC_V_FAIL)
            return v;
        if (l->step == 0) /* the LinkedIn search may be refused: try the name */
            read_back(b, i, 1, out);
        else
            ec_pu_finish(b->items[i], EC_ST_FAILED, msg->p);
        ec_buf_clear(msg);
        return settle_verdict(b, msg);
    }
    ec_json j = {0};
    int arr = -1, best_score = 0;
    char *email = NULL;
    if (is_2xx(resp) && resp->body && resp->len) { /* 204 / 404: nobody */
        if (ec_json_parse(&j, resp->body, resp->len, NULL) < 0 || (arr = prospect_array(&j)) < 0) {
            ec_json_free(&j);
            ec_buf_clear(msg);
            ec_buf_puts(msg, "bad_response");
            return EC_V_BAD_RESPONSE;
        }
        for (int m = 0, p = arr + 1; m < ec_json_size(&j, arr); m++, p = ec_json_skip(&j, p)) {
            char *e = ec_pu_get_str(&j, p, "email");
            int sc = e ? match(&j, p, l) : 0;
            if (sc > best_score) {
                best_score = sc;
                free(email);
                email = e;
            } else {
                free(e);
            }
        }
        ec_json_free(&j);
    }
    if (email) {
        ec_values emails = {0}, phones = {0};
        ec_values_add(&emails, email, strlen(email));
        ec_pu_finish_contacts(b->items[i], &emails, &phones);
        b->items[i]->out.credits = WP_COST;
        free(email);
    } else if (l->step == 0) {
        read_back(b, i, 1, out);
    } else {
        ec_pu_finish(b->items[i], EC_ST_FAILED, "prospect_not_found");
    }
    return settle_verdict(b, msg);
}

/* ------------------------------------------------------------------- ops */

static int wp_start(const ec_pctx *ctx, const ec_auth *auth, ec_batch *b, ec_reqs *out, ec_buf *msg)
{
    (void)auth;
    unsigned f = b->fields ? b->fields : ctx->fields;
    wp_state *s = ec_wp_state_new(b);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->lead[i].uid)
            ec_pu_finish(b->items[i], EC_ST_SKIPPED_NO_ID, NULL);
        else if (f && !(f & EC_WANT_EMAIL)) /* phone only: nothing Woodpecker can give */
            ec_pu_finish(b->items[i], EC_ST_FAILED, "phone_unsupported");
    }
    submit_leads(b, 1, out);
    return 0;
}

static enum ec_verdict wp_handle(const ec_pctx *ctx, ec_batch *b, const ec_request *req,
                                 const ec_response *resp, ec_reqs *out, ec_buf *msg)
{
    wp_state *s = b->state;
    if (!s) {
        ec_buf_puts(msg, "internal: answer without state");
        return EC_V_FAIL;
    }
    switch (req->tag) {
    case T_SUBMIT:
        return on_submit(ctx, b, req, resp, out, msg);
    case T_POLL:
        if (req->aux < 0 || (size_t)req->aux >= s->njob)
            return EC_V_OK;
        return on_poll(ctx, b, (int)req->aux, resp, out, msg);
    case T_LIST:
        return on_list(ctx, b, resp, out, msg);
    case T_PROSPECT:
        if (req->aux < 0 || (size_t)req->aux >= s->n || b->items[req->aux]->done)
            return EC_V_OK;
        return on_prospect(b, (size_t)req->aux, resp, out, msg);
    default:
        ec_buf_puts(msg, "internal: unknown request");
        return EC_V_FAIL;
    }
}

static void wp_auth_headers(const ec_auth *auth, const ec_request *req, ec_values *headers)
{
    ec_pu_add_header(headers, "x-api-key", auth->key);
    if (req->body)
        ec_pu_add_header(headers, "Content-Type", "application/json");
}

static const char *const wp_key_vars[] = {"WOODPECKER_API_KEY", NULL};

const ec_provider ec_prov_woodpecker = {
    .name = "woodpecker",
    .key_vars = wp_key_vars,
    .default_base_url = "https://api.woodpecker.co",
    .accepts = 1u << EC_F_UID,
    .supports = EC_WANT_EMAIL,
    .max_batch = WP_MAX,
    .default_batch = WP_MAX,
    .rate_per_min = 0,
    .max_in_flight = 1, /* the API processes one request at a time per key */
    .default_poll = WP_POLL,
    .default_job_timeout = WP_JOB_TIMEOUT,
    .idempotent_submit = 0,
    .can_resubmit_free = 1, /* a lead still pending is not queued again (NOT_ENQUEUED) */
    .wants_row_payload = 1,
    .fans_out = 0,
    .cost_email = WP_COST,
    .cost_phone = 0,
    .cost_found = 0,
    .choose = NULL,
    .start = wp_start,
    .handle = wp_handle,
    .checkpoint = ec_wp_checkpoint,
    .resume = ec_wp_resume,
    .auth_headers = wp_auth_headers,
    .free_state = ec_wp_free_state,
};

/* sb_openfunnel.c - OpenFunnel simulator (providers.md section 1): account ->
 * people discovery job (fast-people-enrichment), then the people contact
 * enrichment job (enrich/people).
 *
 * Choices where providers.md marks a fact unknown [U] (for the man page):
 * - Auth: X-API-Key must pass the sandbox key check; X-User-ID may be left
 *   out, but when sent it must be non-empty. Either failure: 401
 *   UNAUTHORIZED.
 * - Every error uses one envelope:
 *     {"error_code":"CODE","message":"text","details":{...}}
 *   Codes: UNAUTHORIZED 401, INVALID_REQUEST 400 (also for bad JSON, wrong
 *   types and missing fields, where a FastAPI service might say 422),
 *   ACCOUNT_NOT_FOUND 404, PERSON_NOT_FOUND 404, CREDITS_EXCEEDED 400,
 *   JOB_NOT_FOUND 404, NOT_FOUND 404 (unknown path), METHOD_NOT_ALLOWED 405.
 * - Accounts: account_id must be a JSON integer; ids 1..10^15 exist unless
 *   their hash says otherwise (about 1 in 10: 404 ACCOUNT_NOT_FOUND). An
 *   account has 0..8 people; person k (1..8) has id account_id*10+k and one
 *   seniority and one department drawn from the seed's enums. A person
 *   matches when both are in the filters (unknown enum value: 400).
 * - Fast job: a person already stored by an earlier job is returned again
 *   free; each new one costs 1 credit until max_credit_limit or the balance
 *   stops it (fewer people returned). 400 CREDITS_EXCEEDED only when new
 *   people would be stored and the balance is below 1 credit.
 *   progress.total_found = matching people, total_stored = people returned,
 *   credits_used = new people paid for. People ids appear (under
 *   "people_ids", or "result" with --openfunnel-ids=result) only once the
 *   job is completed; before that the key is absent.
 * - Enrich people: an id is known only when a fast job of this sandbox run
 *   stored it; any other id fails the whole request with 404
 *   PERSON_NOT_FOUND, whose message does not name the id (clients bisect).
 *   enrich_emails/enrich_phones default to false when missing. Repeated
 *   ids count once. The balance must cover the whole job's new charges,
 *   else 400 CREDITS_EXCEEDED and nothing is charged.
 * - Each person+field (email, phone) is charged once ever: a person whose
 *   found fields were all paid before comes back "already_enriched" with
 *   its values, free. "credits_used" and "result" are null until completed;
 *   result[] is in a shuffled order (match on person_id).
 * - Job states pending -> running -> completed over --job-ms; jobs never
 *   fail. Unknown job ids: 404 JOB_NOT_FOUND. State is global, not per key.
 * - Not simulated (404 NOT_FOUND in the envelope above): /api/v1/people/...
 *   (person details), /api/v1/agent/... (sign-up), /api/v1/enrich/accounts. */
#include "config.h"
#include "sb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OF_PREFIX "/api/v1/enrich"
#define OF_MAX_PEOPLE 500
#define OF_MAX_ACCOUNT 1000000000000000LL
#define OF_BUCKETS 4096

static const char *const of_seniorities[] = {"FOUNDER", "CXO",      "PARTNER", "VP",
                                             "HEAD",    "DIRECTOR", "MANAGER", "SENIOR",
                                             "ENTRY",   "INTERN",   NULL};
static const char *const of_departments[] = {
    "ENGINEERING",      "PRODUCT",  "DATA", "SALES", "MARKETING",
    "OPERATIONS",       "FINANCE",  "HR",   "LEGAL", "EXECUTIVE",
    "CUSTOMER_SUCCESS", "SECURITY", "IT",   "OTHER", NULL};

/* What the sandbox remembers about an account: bit k-1 is person k. */
typedef struct of_account {
    long long id;
    unsigned stored, email_paid, phone_paid;
    struct of_account *next;
} of_account;

enum { OF_ST_ENRICHED, OF_ST_NOT_FOUND, OF_ST_ALREADY };

typedef struct of_item {
    long long id;
    unsigned char status, email, phone; /* email/phone: value is returned */
} of_item;

enum { OF_FAST, OF_PEOPLE };

/* A job payload; reachable from of_jobs for the life of the process. */
typedef struct of_job {
    int kind;
    sb_job *job;
    long long account_id;
    char audience_url[192];
    int total_found, credits, emails_paid, phones_paid, enrich_emails, enrich_phones;
    int n;
    struct of_job *next;
    of_item items[];
} of_job;

static of_account *of_accounts[OF_BUCKETS];
static of_job *of_jobs;

static int of_error(sb_resp *resp, int status, const char *code, const char *msg,
                    const char *details)
{
    ec_buf_clear(&resp->body);
    ec_buf_printf(&resp->body, "{\"error_code\":\"%s\",\"message\":", code);
    ec_json_put_cstr(&resp->body, msg);
    ec_buf_printf(&resp->body, ",\"details\":%s}", details ? details : "{}");
    resp->status = status;
    return 1;
}

static int of_invalid(sb_resp *resp, const char *msg, const char *field)
{
    char details[96];
    snprintf(details, sizeof details, "{\"field\":\"%s\"}", field);
    return of_error(resp, 400, "INVALID_REQUEST", msg, details);
}

/* Hash of a name prefix followed by a number. */
static unsigned long long of_hashf(const char *prefix, long long v)
{
    char key[96];
    int n = snprintf(key, sizeof key, "%s%lld", prefix, v);
    return sb_hash(key, (size_t)n);
}

/* Number of people (0..8) of an existing account, or -1 when it does not exist. */
static int of_account_people(long long account)
{
    if (account < 1 || account > OF_MAX_ACCOUNT)
        return -1;
    unsigned long long h = of_hashf("openfunnel-account:", account);
    if (h % 10 == 0)
        return -1;
    return (int)((h >> 16) % 9);
}

static of_account *of_account_get(long long id, int create)
{
    of_account **slot = &of_accounts[(unsigned long long)id % OF_BUCKETS];
    for (of_account *a = *slot; a; a = a->next)
        if (a->id == id)
            return a;
    if (!create)
        return NULL;
    of_account *a = ec_xcalloc(1, sizeof *a);
    a->id = id;
    a->next = *slot;
    *slot = a;
    return a;
}

/* Deterministic person for an OpenFunnel person id; name fields are always
 * filled (borrowed from a found draw when this one has none). */
static void of_person(long long id, sb_person *p)
{
    char key[64];
    snprintf(key, sizeof key, "openfunnel-person-%lld", id);
    sb_person_for(key, p);
    if (p->found && p->name[0])
        return;
    sb_person named;
    for (int i = 1; i <= 16; i++) {
        snprintf(key, sizeof key, "openfunnel-person-%lld-name-%d", id, i);
        sb_person_for(key, &named);
        if (named.found && named.name[0])
            break;
    }
    if (!named.found || !named.name[0]) {
        snprintf(named.name, sizeof named.name, "Pat Example");
        snprintf(named.linkedin_url, sizeof named.linkedin_url,
                 "https://www.linkedin.com/in/pat-example-%lld", id);
    }
    memcpy(p->name, named.name, sizeof p->name);
    memcpy(p->linkedin_url, named.linkedin_url, sizeof p->linkedin_url);
}

/* Is person id one that a fast job stored? */
static int of_person_known(long long id)
{
    if (id < 11)
        return 0;
    long long account = id / 10;
    int k = (int)(id % 10);
    of_account *a = of_account_get(account, 0);
    return a && k >= 1 && k <= 8 && (a->stored & (1u << (k - 1)));
}

static int of_limit(int documented)
{
    if (sb_cfg.max_batch_override > 0 && sb_cfg.max_batch_override < documented)
        return sb_cfg.max_batch_override;
    return documented;
}

/* Bit mask of the enum values listed in array t, or -1 (bad) / 0 (empty). */
static long of_enum_mask(const ec_json *j, int t, const char *const *names)
{
    if (ec_json_type(j, t) != EC_JSON_ARRAY)
        return -1;
    long mask = 0;
    int n = ec_json_size(j, t);
    for (int i = 0, e = t + 1; i < n; i++, e = ec_json_skip(j, e)) {
        int found = -1;
        for (int v = 0; names[v]; v++)
            if (ec_json_str_eq(j, e, names[v]))
                found = v;
        if (found < 0)
            return -1;
        mask |= 1L << found;
    }
    return mask;
}

static int of_auth(const sb_req *req, sb_resp *resp)
{
    const char *key = sb_header(req, "X-API-Key");
    const char *user = sb_header(req, "X-User-ID");
    if (!key || !sb_key_ok(key))
        return of_error(resp, 401, "UNAUTHORIZED", "Invalid or missing API key", NULL);
    if (user && !user[0])
        return of_error(resp, 401, "UNAUTHORIZED", "X-User-ID must not be empty", NULL);
    return 0;
}

static of_job *of_job_alloc(int kind, int n)
{
    of_job *oj = ec_xcalloc(1, sizeof *oj + (size_t)n * sizeof(of_item));
    oj->kind = kind;
    oj->n = n;
    return oj;
}

/* Give a planned payload its job and keep it for the life of the process. */
static void of_job_attach(of_job *oj, const char *prefix, double now)
{
    oj->job = sb_job_new("openfunnel", prefix, now);
    oj->job->data = oj;
    oj->next = of_jobs;
    of_jobs = oj;
    sb_count_job("openfunnel");
}

/* Matching people of an account into ids (in id order); *fresh = how many
 * of them are not stored yet. Returns the count. */
static int of_match(long long account, long sen, long dep, long long *ids, int *fresh)
{
    int n = of_account_people(account), m = 0;
    of_account *a = of_account_get(account, 0);
    *fresh = 0;
    for (int k = 1; k <= n; k++) {
        long long id = account * 10 + k;
        int s = (int)(of_hashf("openfunnel-seniority:", id) % 10);
        int d = (int)(of_hashf("openfunnel-department:", id) % 14);
        if (!(sen & (1L << s)) || !(dep & (1L << d)))
            continue;
        ids[m++] = id;
        *fresh += !a || !(a->stored & (1u << (k - 1)));
    }
    return m;
}

/* Store the matching people into oj, charging new ones up to cap. */
static void of_store_people(of_job *oj, const long long *ids, int m, long long cap)
{
    of_account *a = of_account_get(oj->account_id, 1);
    oj->total_found = m;
    oj->n = 0;
    for (int i = 0; i < m; i++) {
        unsigned bit = 1u << (ids[i] % 10 - 1);
        if (!(a->stored & bit)) {
            char pk[48];
            snprintf(pk, sizeof pk, "person:%lld", ids[i]);
            if (oj->credits >= cap || sb_charge("openfunnel", pk, "stored", 1.0) < 0)
                continue;
            a->stored |= bit;
            oj->credits++;
        }
        oj->items[oj->n++].id = ids[i];
    }
}

static int of_fast_submit(const sb_req *req, sb_resp *resp, const ec_json *j)
{
    long long account, cap = -1;
    int t = ec_json_get(j, 0, "account_id");
    if (ec_json_int(j, t, &account) < 0)
        return of_invalid(resp, "account_id must be an integer", "account_id");
    long sen = of_enum_mask(j, ec_json_get(j, 0, "seniority_filters"), of_seniorities);
    if (sen <= 0)
        return of_invalid(resp, "seniority_filters needs at least one valid seniority",
                          "seniority_filters");
    long dep = of_enum_mask(j, ec_json_get(j, 0, "department_filters"), of_departments);
    if (dep <= 0)
        return of_invalid(resp, "department_filters needs at least one valid department",
                          "department_filters");
    int aud = ec_json_get(j, 0, "audience_name");
    enum ec_json_type at = ec_json_type(j, aud);
    if (at != EC_JSON_NONE && at != EC_JSON_NULL && at != EC_JSON_STRING)
        return of_invalid(resp, "audience_name must be a string or null", "audience_name");
    t = ec_json_get(j, 0, "max_credit_limit");
    if (ec_json_type(j, t) != EC_JSON_NONE && ec_json_type(j, t) != EC_JSON_NULL &&
        (ec_json_int(j, t, &cap) < 0 || cap < 1))
        return of_invalid(resp, "max_credit_limit must be an integer >= 1", "max_credit_limit");
    if (of_account_people(account) < 0)
        return of_error(resp, 404, "ACCOUNT_NOT_FOUND", "Account not found", NULL);
    long long ids[8];
    int fresh, m = of_match(account, sen, dep, ids, &fresh);
    double left = sb_credits_left();
    if (fresh > 0 && left >= 0 && left < 1)
        return of_error(resp, 400, "CREDITS_EXCEEDED", "Monthly credit limit exceeded", NULL);
    of_job *oj = of_job_alloc(OF_FAST, 8);
    oj->account_id = account;
    of_store_people(oj, ids, m, cap < 0 ? 1000000 : cap);
    of_job_attach(oj, "fpe-", req->now);
    resp->batch = 1;
    if (at == EC_JSON_STRING)
        snprintf(oj->audience_url, sizeof oj->audience_url,
                 "https://app.openfunnel.example.com/audiences/aud_%llx",
                 sb_hash(oj->job->id, strlen(oj->job->id)) & 0xffffffffULL);
    ec_buf_clear(&resp->body);
    ec_buf_printf(&resp->body, "{\"job_id\":");
    ec_json_put_cstr(&resp->body, oj->job->id);
    ec_buf_printf(&resp->body,
                  ",\"message\":\"People discovery job started\",\"account_id\":%lld,"
                  "\"status\":\"pending\",\"audience_url\":",
                  account);
    if (oj->audience_url[0])
        ec_json_put_cstr(&resp->body, oj->audience_url);
    else
        ec_buf_puts(&resp->body, "null");
    ec_buf_putc(&resp->body, '}');
    resp->status = 200;
    return 1;
}

static const char *of_state(int phase)
{
    return phase == 0 ? "pending" : phase == 1 ? "running" : "completed";
}

/* How many of total are done at this point of the job. */
static int of_done(const of_job *oj, int phase, double now, int total)
{
    if (phase == 0)
        return 0;
    if (phase == 2 || oj->job->duration <= 0)
        return total;
    double f = (now - oj->job->started) / oj->job->duration;
    int d = (int)(f * total);
    return d < 0 ? 0 : d > total ? total : d;
}

static of_job *of_find(const char *id, int kind)
{
    sb_job *j = sb_job_find("openfunnel", id);
    of_job *oj = j ? j->data : NULL;
    if (!oj || oj->kind != kind || strchr(id, '/'))
        return NULL;
    return oj;
}

static int of_fast_poll(const sb_req *req, sb_resp *resp, const char *id)
{
    of_job *oj = of_find(id, OF_FAST);
    if (!oj)
        return of_error(resp, 404, "JOB_NOT_FOUND", "Job not found", NULL);
    int phase = sb_job_phase(oj->job, req->now);
    ec_buf *b = &resp->body;
    ec_buf_clear(b);
    ec_buf_puts(b, "{\"job_id\":");
    ec_json_put_cstr(b, oj->job->id);
    ec_buf_printf(b,
                  ",\"status\":\"%s\",\"progress\":{\"total_found\":%d,\"total_stored\":%d,"
                  "\"credits_used\":%d},\"account_id\":%lld",
                  of_state(phase), of_done(oj, phase, req->now, oj->total_found),
                  of_done(oj, phase, req->now, oj->n), of_done(oj, phase, req->now, oj->credits),
                  oj->account_id);
    if (phase == 2) {
        ec_buf_printf(b, ",\"%s\":[", sb_cfg.openfunnel_result_key ? "result" : "people_ids");
        for (int i = 0; i < oj->n; i++)
            ec_buf_printf(b, sb_cfg.openfunnel_id_objects ? "%s{\"person_id\":%lld}" : "%s%lld",
                          i ? "," : "", oj->items[i].id);
        ec_buf_putc(b, ']');
    }
    ec_buf_puts(b, ",\"audience_url\":");
    if (oj->audience_url[0])
        ec_json_put_cstr(b, oj->audience_url);
    else
        ec_buf_puts(b, "null");
    ec_buf_puts(b, ",\"error_message\":null}");
    resp->status = 200;
    return 1;
}

/* Read the people_ids array into ids (unique, in order); returns the count,
 * or -1 after answering the error. */
static int of_read_ids(const ec_json *j, sb_resp *resp, long long *ids)
{
    int t = ec_json_get(j, 0, "people_ids");
    if (ec_json_type(j, t) != EC_JSON_ARRAY)
        return of_invalid(resp, "people_ids must be an array of integers", "people_ids"), -1;
    int n = ec_json_size(j, t), m = 0, limit = of_limit(OF_MAX_PEOPLE);
    if (n < 1 || n > limit) {
        char msg[96];
        snprintf(msg, sizeof msg, "people_ids must hold between 1 and %d ids", limit);
        return of_invalid(resp, msg, "people_ids"), -1;
    }
    for (int i = 0, e = t + 1; i < n; i++, e = ec_json_skip(j, e)) {
        long long v;
        if (ec_json_int(j, e, &v) < 0)
            return of_invalid(resp, "people_ids must be integers", "people_ids"), -1;
        int dup = 0;
        for (int k = 0; k < m && !dup; k++)
            dup = ids[k] == v;
        if (!dup)
            ids[m++] = v;
    }
    return m;
}

/* Optional boolean member: 0/1, or -1 when present and not a boolean. */
static int of_flag(const ec_json *j, const char *key)
{
    enum ec_json_type t = ec_json_type(j, ec_json_get(j, 0, key));
    if (t == EC_JSON_NONE || t == EC_JSON_FALSE)
        return 0;
    return t == EC_JSON_TRUE ? 1 : -1;
}

/* Decide what each person yields and what it costs (nothing charged). */
static int of_plan(of_job *oj, const long long *ids, int n)
{
    int cost = 0;
    for (int i = 0; i < n; i++) {
        sb_person p;
        of_item *it = &oj->items[i];
        of_person(ids[i], &p);
        of_account *a = of_account_get(ids[i] / 10, 0);
        unsigned bit = 1u << (ids[i] % 10 - 1);
        it->id = ids[i];
        it->email = oj->enrich_emails && p.found && p.email[0];
        it->phone = oj->enrich_phones && p.found && p.phone[0];
        cost += (it->email && !(a->email_paid & bit)) + (it->phone && !(a->phone_paid & bit));
    }
    return cost;
}

/* Charge the planned items, set their statuses, and shuffle them. */
static void of_charge_items(of_job *oj)
{
    for (int i = 0; i < oj->n; i++) {
        of_item *it = &oj->items[i];
        of_account *a = of_account_get(it->id / 10, 0);
        unsigned bit = 1u << (it->id % 10 - 1);
        char pk[48];
        int fresh = 0;
        snprintf(pk, sizeof pk, "person:%lld", it->id);
        if (it->email && !(a->email_paid & bit) && sb_charge("openfunnel", pk, "email", 1.0) == 0) {
            a->email_paid |= bit;
            oj->emails_paid++;
            fresh = 1;
        }
        if (it->phone && !(a->phone_paid & bit) && sb_charge("openfunnel", pk, "phone", 1.0) == 0) {
            a->phone_paid |= bit;
            oj->phones_paid++;
            fresh = 1;
        }
        it->status = !it->email && !it->phone ? OF_ST_NOT_FOUND
                     : fresh                  ? OF_ST_ENRICHED
                                              : OF_ST_ALREADY;
    }
    for (int i = oj->n - 1; i > 0; i--) {
        int k = (int)(of_hashf("openfunnel-shuffle:", oj->items[i].id * 1000 + i) %
                      (unsigned long long)(i + 1));
        of_item tmp = oj->items[i];
        oj->items[i] = oj->items[k];
        oj->items[k] = tmp;
    }
}

static int of_people_submit(const sb_req *req, sb_resp *resp, const ec_json *j)
{
    long long *ids = ec_xmalloc((size_t)OF_MAX_PEOPLE * sizeof *ids);
    int n = of_read_ids(j, resp, ids);
    int fe = of_flag(j, "enrich_emails"), fp = of_flag(j, "enrich_phones");
    if (n < 0)
        goto out;
    if (fe < 0 || fp < 0 || (!fe && !fp)) {
        of_invalid(resp, "enrich_emails and enrich_phones are booleans; one must be true",
                   fp < 0 ? "enrich_phones" : "enrich_emails");
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (!of_person_known(ids[i])) {
            of_error(resp, 404, "PERSON_NOT_FOUND",
                     "One or more people were not found for this user", NULL);
            goto out;
        }
    of_job *oj = of_job_alloc(OF_PEOPLE, n);
    oj->enrich_emails = fe;
    oj->enrich_phones = fp;
    int cost = of_plan(oj, ids, n);
    double left = sb_credits_left();
    if (left >= 0 && left < cost) {
        free(oj);
        of_error(resp, 400, "CREDITS_EXCEEDED", "Monthly credit limit exceeded", NULL);
        goto out;
    }
    of_charge_items(oj);
    of_job_attach(oj, "pe-", req->now);
    resp->batch = n;
    ec_buf_clear(&resp->body);
    ec_buf_puts(&resp->body, "{\"job_id\":");
    ec_json_put_cstr(&resp->body, oj->job->id);
    ec_buf_printf(&resp->body,
                  ",\"message\":\"People enrichment job started\",\"total_people\":%d,"
                  "\"status\":\"pending\"}",
                  n);
    resp->status = 200;
out:
    free(ids);
    return 1;
}

static const char *const of_item_states[] = {"enriched", "not_found", "already_enriched"};

static void of_put_result(ec_buf *b, const of_job *oj)
{
    ec_buf_printf(b, ",\"credits_used\":{\"emails\":%d,\"phones\":%d,\"total\":%d},\"result\":[",
                  oj->emails_paid, oj->phones_paid, oj->emails_paid + oj->phones_paid);
    for (int i = 0; i < oj->n; i++) {
        const of_item *it = &oj->items[i];
        sb_person p;
        of_person(it->id, &p);
        ec_buf_printf(b, "%s{\"person_id\":%lld,\"status\":\"%s\",\"person_name\":", i ? "," : "",
                      it->id, of_item_states[it->status]);
        ec_json_put_cstr(b, p.name);
        ec_buf_puts(b, ",\"linkedin_url\":");
        ec_json_put_cstr(b, p.linkedin_url);
        ec_buf_puts(b, ",\"email\":");
        if (it->email)
            ec_json_put_cstr(b, p.email);
        else
            ec_buf_puts(b, "null");
        ec_buf_puts(b, ",\"phone_number\":");
        if (it->phone)
            ec_json_put_cstr(b, p.phone);
        else
            ec_buf_puts(b, "null");
        ec_buf_putc(b, '}');
    }
    ec_buf_putc(b, ']');
}

static int of_people_poll(const sb_req *req, sb_resp *resp, const char *id)
{
    of_job *oj = of_find(id, OF_PEOPLE);
    if (!oj)
        return of_error(resp, 404, "JOB_NOT_FOUND", "Job not found", NULL);
    int phase = sb_job_phase(oj->job, req->now);
    int done = of_done(oj, phase, req->now, oj->n), emails = 0, phones = 0;
    for (int i = 0; i < done; i++) {
        emails += oj->items[i].email;
        phones += oj->items[i].phone;
    }
    ec_buf *b = &resp->body;
    ec_buf_clear(b);
    ec_buf_puts(b, "{\"job_id\":");
    ec_json_put_cstr(b, oj->job->id);
    ec_buf_printf(b,
                  ",\"status\":\"%s\",\"progress\":{\"total\":%d,\"completed\":%d,"
                  "\"emails_found\":%d,\"phones_found\":%d}",
                  of_state(phase), oj->n, done, emails, phones);
    if (phase == 2)
        of_put_result(b, oj);
    else
        ec_buf_puts(b, ",\"credits_used\":null,\"result\":null");
    ec_buf_puts(b, ",\"error_message\":null}");
    resp->status = 200;
    return 1;
}

/* POST bodies: parse a JSON object or answer 400. */
static int of_post(const sb_req *req, sb_resp *resp,
                   int (*fn)(const sb_req *, sb_resp *, const ec_json *))
{
    ec_json j;
    int rc;
    if (ec_json_parse(&j, req->body, req->body_len, NULL) < 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT)
        rc = of_invalid(resp, "Request body must be a JSON object", "body");
    else
        rc = fn(req, resp, &j);
    ec_json_free(&j);
    return rc;
}

static int of_route(const sb_req *req, sb_resp *resp, const char *rest, int post)
{
    static const char fast[] = "/fast-people-enrichment", people[] = "/people";
    const char *id = NULL;
    int is_fast = 0;
    if (strncmp(rest, fast, sizeof fast - 1) == 0 &&
        (rest[sizeof fast - 1] == '\0' || rest[sizeof fast - 1] == '/')) {
        is_fast = 1;
        id = rest[sizeof fast - 1] ? rest + sizeof fast : NULL;
    } else if (strncmp(rest, people, sizeof people - 1) == 0 &&
               (rest[sizeof people - 1] == '\0' || rest[sizeof people - 1] == '/')) {
        id = rest[sizeof people - 1] ? rest + sizeof people : NULL;
    } else {
        return of_error(resp, 404, "NOT_FOUND", "Not found", NULL);
    }
    if (id ? post : !post)
        return of_error(resp, 405, "METHOD_NOT_ALLOWED", "Method not allowed", NULL);
    sb_count(is_fast ? (id ? "GET /api/v1/enrich/fast-people-enrichment/{job_id}"
                           : "POST /api/v1/enrich/fast-people-enrichment")
                     : (id ? "GET /api/v1/enrich/people/{job_id}" : "POST /api/v1/enrich/people"));
    if (!id)
        return of_post(req, resp, is_fast ? of_fast_submit : of_people_submit);
    if (!id[0])
        return of_error(resp, 404, "JOB_NOT_FOUND", "Job not found", NULL);
    return is_fast ? of_fast_poll(req, resp, id) : of_people_poll(req, resp, id);
}

int sb_openfunnel(const sb_req *req, sb_resp *resp)
{
    size_t n = sizeof OF_PREFIX - 1;
    if (strncmp(req->path, "/api/v1/people/", 15) == 0 ||
        strncmp(req->path, "/api/v1/agent/", 14) == 0)
        return of_error(resp, 404, "NOT_FOUND", "Not simulated by enrichcsv-sandbox", NULL);
    if (strncmp(req->path, OF_PREFIX, n) != 0 || (req->path[n] != '/' && req->path[n] != '\0'))
        return 0;
    if (of_auth(req, resp))
        return 1;
    int post = strcmp(req->method, "POST") == 0;
    if (!post && strcmp(req->method, "GET") != 0)
        return of_error(resp, 405, "METHOD_NOT_ALLOWED", "Method not allowed", NULL);
    return of_route(req, resp, req->path + n, post);
}

/* prov_openfunnel_state.c - OpenFunnel (providers.md section 1), the state
 * half: the seniority and department filters of the discovery job, the
 * batch state (accounts, the person table, chunks of people ids), and the
 * checkpoint that lets a rerun pick the jobs up again. The requests and
 * answers are in prov_openfunnel.c. */
#include "config.h"
#include "prov_openfunnel.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "prov_openfunnel_int.h"
#include "prov_util.h"
#include "provider.h"

static const char *const stage_names[] = {"sent", "polling", "people", "done"};
static const char *const cstate_names[] = {"sent", "polling", "done", "failed", "split"};

/* ------------------------------------------------------------------ enums */

static const char *const seniorities[] = {"FOUNDER", "CXO",      "PARTNER", "VP",
                                          "HEAD",    "DIRECTOR", "MANAGER", "SENIOR",
                                          "ENTRY",   "INTERN",   NULL};
static const char *const departments[] = {
    "ENGINEERING",      "PRODUCT",  "DATA", "SALES", "MARKETING",
    "OPERATIONS",       "FINANCE",  "HR",   "LEGAL", "EXECUTIVE",
    "CUSTOMER_SUCCESS", "SECURITY", "IT",   "OTHER", NULL};

const char *ec_openfunnel_enum_values(int department)
{
    return department ? "ENGINEERING,PRODUCT,DATA,SALES,MARKETING,OPERATIONS,FINANCE,HR,LEGAL,"
                        "EXECUTIVE,CUSTOMER_SUCCESS,SECURITY,IT,OTHER"
                      : "FOUNDER,CXO,PARTNER,VP,HEAD,DIRECTOR,MANAGER,SENIOR,ENTRY,INTERN";
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Index of item (len bytes, trimmed) in vals, or -1. */
static int enum_index(const char *const *vals, const char *s, size_t len)
{
    for (int i = 0; vals[i]; i++) {
        size_t k = 0;
        for (; k < len && vals[i][k]; k++) {
            char c = s[k];
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            if (c == ' ' || c == '-')
                c = '_';
            if (c != vals[i][k])
                break;
        }
        if (k == len && vals[i][k] == '\0')
            return i;
    }
    return -1;
}

/* Append the JSON array of the list's values (every value when list is NULL
 * or empty), in list order without repeats. Returns 0 or -1 with err. */
int ec_of_put_enum_list(ec_buf *b, const char *list, int department, ec_buf *err)
{
    const char *const *vals = department ? departments : seniorities;
    unsigned seen = 0;
    int count = 0;
    ec_buf_putc(b, '[');
    for (const char *p = list ? list : ""; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        p += len + (end ? 1 : 0);
        while (len && is_blank(*s))
            s++, len--;
        while (len && is_blank(s[len - 1]))
            len--;
        if (!len)
            continue;
        int i = enum_index(vals, s, len);
        if (i < 0) {
            ec_buf_printf(err, "unknown %s value '%.*s' (valid: %s)",
                          department ? "department" : "seniority", (int)len, s,
                          ec_openfunnel_enum_values(department));
            return -1;
        }
        if (seen & (1u << i))
            continue;
        seen |= 1u << i;
        ec_buf_printf(b, "%s\"%s\"", count++ ? "," : "", vals[i]);
    }
    if (list && *list && !count) {
        ec_buf_printf(err, "empty %s list", department ? "department" : "seniority");
        return -1;
    }
    for (int i = 0; !count && vals[i]; i++) /* not given: every value */
        ec_buf_printf(b, "%s\"%s\"", i ? "," : "", vals[i]);
    ec_buf_putc(b, ']');
    return 0;
}

int ec_openfunnel_check_enum(const char *list, int department, ec_buf *err)
{
    ec_buf scratch = {0};
    int r = ec_of_put_enum_list(&scratch, list, department, err);
    ec_buf_free(&scratch);
    return r;
}

/* ------------------------------------------------------------------ state */

static void state_free(of_state *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nacct; i++) {
        free(s->acct[i].job);
        ec_values_free(&s->acct[i].people);
    }
    for (size_t i = 0; i < s->npers; i++)
        ec_person_clear(&s->pers[i].p);
    for (size_t i = 0; i < s->nchunk; i++) {
        free(s->chunk[i].pix);
        free(s->chunk[i].job);
        free(s->chunk[i].reason);
    }
    free(s->acct);
    free(s->pers);
    free(s->chunk);
    free(s);
}

void ec_of_free_state(ec_batch *b)
{
    state_free(b->state);
    b->state = NULL;
}

of_state *ec_of_state_new(ec_batch *b)
{
    ec_of_free_state(b);
    of_state *s = ec_xcalloc(1, sizeof *s);
    s->nacct = b->n;
    s->acct = ec_xcalloc(b->n ? b->n : 1, sizeof *s->acct);
    b->state = s;
    return s;
}

/* ------------------------------------------------------------ the people */

long ec_of_pers_find(const of_state *s, const char *id)
{
    for (size_t i = 0; i < s->npers; i++)
        if (strcmp(s->pers[i].p.id, id) == 0)
            return (long)i;
    return -1;
}

/* The person table: every account's people, first appearance first. */
void ec_of_build_people(of_state *s)
{
    for (size_t a = 0; a < s->nacct; a++) {
        if (s->acct[a].stage != ST_PEOPLE)
            continue;
        for (size_t k = 0; k < s->acct[a].people.n; k++) {
            const char *id = s->acct[a].people.v[k];
            if (ec_of_pers_find(s, id) >= 0)
                continue;
            s->pers = ec_xrealloc(s->pers, (s->npers + 1) * sizeof *s->pers);
            memset(&s->pers[s->npers], 0, sizeof *s->pers);
            s->pers[s->npers++].p.id = ec_xstrdup(id);
        }
    }
}

void ec_of_set_str(char **dst, char *val)
{
    free(*dst);
    *dst = val;
}

static void pers_fail(of_pers *p, const char *reason)
{
    ec_buf st = {0};
    if (strcmp(reason, "credits") == 0)
        ec_buf_puts(&st, "skipped:credits");
    else
        ec_buf_printf(&st, "failed:%s", reason);
    ec_of_set_str(&p->p.status, ec_buf_take(&st));
    p->failed = 1;
}

void ec_of_chunk_fail(of_state *s, size_t c, const char *reason)
{
    if (!reason || !*reason)
        reason = "error";
    s->chunk[c].state = CH_FAILED;
    ec_of_set_str(&s->chunk[c].reason, ec_xstrdup(reason));
    for (size_t k = 0; k < s->chunk[c].n; k++)
        pers_fail(&s->pers[s->chunk[c].pix[k]], reason);
}

size_t ec_of_chunk_new(of_state *s, const size_t *pix, size_t n)
{
    s->chunk = ec_xrealloc(s->chunk, (s->nchunk + 1) * sizeof *s->chunk);
    of_chunk *ch = &s->chunk[s->nchunk];
    memset(ch, 0, sizeof *ch);
    ch->pix = ec_xmalloc((n ? n : 1) * sizeof *ch->pix);
    memcpy(ch->pix, pix, n * sizeof *pix);
    ch->n = n;
    return s->nchunk++;
}

void ec_of_acct_fail(ec_batch *b, size_t i, const char *reason)
{
    of_state *s = b->state;
    s->acct[i].stage = ST_DONE;
    ec_pu_finish(b->items[i], EC_ST_FAILED, reason && *reason ? reason : "error");
}

/* ------------------------------------------------------ checkpoint/resume */

static void put_values(ec_buf *b, const ec_values *v)
{
    ec_buf_putc(b, '[');
    for (size_t k = 0; k < v->n; k++) {
        if (k)
            ec_buf_putc(b, ',');
        ec_json_put_cstr(b, v->v[k]);
    }
    ec_buf_putc(b, ']');
}

/* {"v":1,"enrich":0|1,
 *  "accounts":[{"key","stage","job","people":[ids],"credits","reason"}],
 *  "chunks":[{"ids":[ids],"job","state"}]} */
char *ec_of_checkpoint(const ec_batch *b)
{
    const of_state *s = b->state;
    if (!s)
        return NULL;
    ec_buf o = {0};
    ec_buf_printf(&o, "{\"v\":1,\"enrich\":%d,\"accounts\":[", s->enrich_started);
    for (size_t i = 0; i < s->nacct; i++) {
        const of_acct *a = &s->acct[i];
        ec_buf_puts(&o, i ? ",{\"key\":" : "{\"key\":");
        ec_json_put_cstr(&o, b->items[i]->key ? b->items[i]->key : "");
        ec_buf_printf(&o, ",\"stage\":\"%s\"", stage_names[a->stage]);
        if (a->job) {
            ec_buf_puts(&o, ",\"job\":");
            ec_json_put_cstr(&o, a->job);
        }
        ec_buf_puts(&o, ",\"people\":");
        put_values(&o, &a->people);
        ec_buf_printf(&o, ",\"credits\":%g", a->credits);
        const ec_outcome *oc = &b->items[i]->out;
        if (a->stage == ST_DONE && (oc->reason || oc->status == EC_ST_SKIPPED_CREDITS)) {
            ec_buf_puts(&o, ",\"reason\":");
            ec_json_put_cstr(&o, oc->status == EC_ST_SKIPPED_CREDITS ? "credits" : oc->reason);
        }
        ec_buf_putc(&o, '}');
    }
    ec_buf_puts(&o, "],\"chunks\":[");
    for (size_t c = 0; c < s->nchunk; c++) {
        const of_chunk *ch = &s->chunk[c];
        ec_buf_puts(&o, c ? ",{\"ids\":[" : "{\"ids\":[");
        for (size_t k = 0; k < ch->n; k++) {
            if (k)
                ec_buf_putc(&o, ',');
            ec_json_put_cstr(&o, s->pers[ch->pix[k]].p.id);
        }
        ec_buf_printf(&o, "],\"state\":\"%s\"", cstate_names[ch->state]);
        if (ch->job) {
            ec_buf_puts(&o, ",\"job\":");
            ec_json_put_cstr(&o, ch->job);
        }
        if (ch->reason) {
            ec_buf_puts(&o, ",\"reason\":");
            ec_json_put_cstr(&o, ch->reason);
        }
        ec_buf_putc(&o, '}');
    }
    ec_buf_puts(&o, "]}");
    return ec_buf_take(&o);
}

static int name_index(const char *const *names, int count, const ec_json *j, int t)
{
    for (int k = 0; k < count; k++)
        if (ec_json_str_eq(j, t, names[k]))
            return k;
    return -1;
}

/* Restore one account entry; returns the lookup index or -1. */
static long resume_account(ec_batch *b, const ec_json *j, int e, const char *seen)
{
    of_state *s = b->state;
    char *key = ec_json_strdup(j, ec_json_get(j, e, "key"), NULL);
    long i = -1;
    for (size_t k = 0; key && k < b->n && i < 0; k++)
        if (b->items[k]->key && strcmp(b->items[k]->key, key) == 0)
            i = (long)k;
    free(key);
    if (i < 0 || seen[i])
        return -1; /* unknown, or named twice (only a hand-edited journal): the first counts */
    of_acct *a = &s->acct[i];
    int stage = name_index(stage_names, 4, j, ec_json_get(j, e, "stage"));
    a->stage = stage < 0 ? ST_SENT : (enum of_stage)stage;
    a->job = ec_pu_get_str(j, e, "job");
    ec_json_double(j, ec_json_get(j, e, "credits"), &a->credits);
    int p = ec_json_get(j, e, "people");
    int el = p + 1;
    for (int k = 0; ec_json_type(j, p) == EC_JSON_ARRAY && k < ec_json_size(j, p); k++) {
        char *id = ec_json_scalar_dup(j, el);
        if (id && *id)
            ec_values_add_unique(&a->people, id, strlen(id));
        free(id);
        el = ec_json_skip(j, el);
    }
    if (a->stage == ST_POLLING && !a->job)
        a->stage = ST_SENT;
    if (a->stage == ST_DONE) {
        char *why = ec_pu_get_str(j, e, "reason");
        if (why && strcmp(why, "credits") == 0) {
            s->credits_short = 1;
            ec_pu_finish(b->items[i], EC_ST_SKIPPED_CREDITS, NULL);
        } else {
            ec_of_acct_fail(b, (size_t)i, why ? why : "error");
        }
        free(why);
    }
    return i;
}

static void resume_chunk(of_state *s, const ec_json *j, int e)
{
    int ids = ec_json_get(j, e, "ids");
    int n = ec_json_type(j, ids) == EC_JSON_ARRAY ? ec_json_size(j, ids) : 0;
    size_t *pix = ec_xmalloc((n ? (size_t)n : 1) * sizeof *pix);
    size_t m = 0;
    int el = ids + 1;
    for (int k = 0; k < n; k++, el = ec_json_skip(j, el)) {
        char *id = ec_json_scalar_dup(j, el);
        long p = id ? ec_of_pers_find(s, id) : -1;
        if (p >= 0)
            pix[m++] = (size_t)p;
        free(id);
    }
    size_t c = ec_of_chunk_new(s, pix, m);
    free(pix);
    int st = name_index(cstate_names, 5, j, ec_json_get(j, e, "state"));
    s->chunk[c].job = ec_pu_get_str(j, e, "job");
    if (st == CH_SPLIT) {
        s->chunk[c].state = CH_SPLIT;
    } else if (st == CH_FAILED) {
        char *why = ec_pu_get_str(j, e, "reason");
        ec_of_chunk_fail(s, c, why);
        s->credits_short |= why && strcmp(why, "credits") == 0;
        free(why);
    } else if (!s->chunk[c].job) {
        /* sent, answer never seen: it may be paid, so it is never re-sent */
        ec_of_chunk_fail(s, c, "uncertain");
    } else {
        s->chunk[c].state = CH_POLLING; /* done ones too: their results are read again */
    }
}

/* Continue from checkpoint text: poll every discovery and enrichment job
 * that has a job id (a done one is simply read again, for free). A POST
 * whose answer was never seen is not re-sent: OpenFunnel has no idempotency,
 * so its account or people end failed:uncertain. */
int ec_of_resume(const ec_pctx *ctx, ec_batch *b, const char *cp, ec_reqs *out, ec_buf *msg)
{
    ec_json j = {0};
    if (!cp || ec_json_parse(&j, cp, strlen(cp), NULL) < 0 ||
        ec_json_type(&j, 0) != EC_JSON_OBJECT) {
        ec_json_free(&j);
        ec_buf_puts(msg, "unreadable openfunnel checkpoint");
        return -1;
    }
    of_state *s = ec_of_state_new(b);
    char *seen = ec_xcalloc(b->n ? b->n : 1, 1);
    int arr = ec_json_get(&j, 0, "accounts");
    int e = arr + 1;
    for (int k = 0; ec_json_type(&j, arr) == EC_JSON_ARRAY && k < ec_json_size(&j, arr); k++) {
        long i = ec_json_type(&j, e) == EC_JSON_OBJECT ? resume_account(b, &j, e, seen) : -1;
        if (i >= 0)
            seen[i] = 1;
        e = ec_json_skip(&j, e);
    }
    for (size_t i = 0; i < b->n; i++) {
        if (!seen[i] || s->acct[i].stage == ST_SENT)
            ec_of_acct_fail(b, i, "uncertain");
        else if (s->acct[i].stage == ST_POLLING)
            ec_of_add_poll(ctx, out, T_FAST_POLL, i, s->acct[i].job, &s->acct[i].waited, NULL);
    }
    free(seen);
    long long enrich = 0;
    ec_json_int(&j, ec_json_get(&j, 0, "enrich"), &enrich);
    if (enrich) {
        s->enrich_started = 1;
        ec_of_build_people(s);
        int ch = ec_json_get(&j, 0, "chunks");
        e = ch + 1;
        for (int k = 0; ec_json_type(&j, ch) == EC_JSON_ARRAY && k < ec_json_size(&j, ch); k++) {
            if (ec_json_type(&j, e) == EC_JSON_OBJECT)
                resume_chunk(s, &j, e);
            e = ec_json_skip(&j, e);
        }
        for (size_t c = 0; c < s->nchunk; c++)
            if (s->chunk[c].state == CH_POLLING)
                ec_of_add_poll(ctx, out, T_ENRICH_POLL, c, s->chunk[c].job, &s->chunk[c].waited,
                               NULL);
    }
    ec_json_free(&j);
    ec_of_advance(ctx, b, out);
    return 0;
}

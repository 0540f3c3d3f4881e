/* row.c - rows, outcomes and value lists. */
#include "config.h"
#include "row.h"

#include <stdlib.h>
#include <string.h>

static const char *const field_names[EC_F_COUNT] = {
    "linkedin_url", "email",        "name",           "first_name", "last_name",
    "title",        "company_name", "company_domain", "x_handle",   "github_username",
    "uid",          "person_id",    "account_id",
};

const char *ec_field_name(enum ec_field f)
{
    if ((int)f < 0 || f >= EC_F_COUNT)
        return NULL;
    return field_names[f];
}

int ec_field_from_name(const char *name)
{
    for (int i = 0; i < EC_F_COUNT; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}

void ec_header_norm(const char *name, size_t len, ec_buf *out)
{
    ec_buf_reserve(out, len);
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == ' ' || c == '_' || c == '-' || c == '\t')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        ec_buf_putc(out, c);
    }
}

ec_str ec_status_fixed(enum ec_status st)
{
    static const ec_str text[] = {
        [EC_ST_PENDING] = {"pending", 7},
        [EC_ST_ENRICHED] = {"enriched", 8},
        [EC_ST_NOT_FOUND] = {"not_found", 9},
        [EC_ST_SKIPPED_NO_ID] = {"skipped:no_identifier", 21},
        [EC_ST_SKIPPED_CREDITS] = {"skipped:credits", 15},
    };
    ec_str none = {NULL, 0};
    return (unsigned)st < sizeof text / sizeof text[0] && st != EC_ST_FAILED ? text[st] : none;
}

void ec_status_text(const ec_outcome *o, ec_buf *b)
{
    ec_str t = ec_status_fixed(o->status);
    if (t.ptr) {
        ec_buf_put(b, t.ptr, t.len);
    } else if (o->status == EC_ST_FAILED) {
        ec_buf_puts(b, "failed:");
        ec_buf_puts(b, o->reason ? o->reason : "error");
    } else {
        ec_buf_puts(b, "pending");
    }
}

/* ---- a pool of freed packed blocks -------------------------------------
 * A replay allocates a row and up to two value lists per input row and
 * frees them a few hundred at a time (a read's worth of rows goes through
 * the window at once), which overflows malloc's small per-size caches: a
 * third of the allocator's work. Freed packed rows and lists are kept
 * instead, by size in steps of POOL_STEP, up to POOL_BYTES in all, and
 * handed out again LIFO. Single-threaded use only (as the tool is).
 * Sanitizer builds go without it, so that a use after free is still seen. */
#if defined(__SANITIZE_ADDRESS__)
#define EC_NO_POOL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define EC_NO_POOL 1
#endif
#endif

#define POOL_STEP 64
#define POOL_CLASSES 64 /* blocks up to 4 KiB */
#define POOL_BYTES (1u << 20)

typedef struct pooled {
    struct pooled *next;
} pooled;

static pooled *pool[POOL_CLASSES];
static size_t pool_bytes;

/* A block of at least n bytes; *cap is its size, for pool_put. */
static void *pool_get(size_t n, size_t *cap)
{
    size_t c = (n + POOL_STEP - 1) / POOL_STEP;
    if (c == 0 || c >= POOL_CLASSES) {
        *cap = 0; /* not pooled */
        return ec_xmalloc(n ? n : 1);
    }
    *cap = c * POOL_STEP;
#ifndef EC_NO_POOL
    pooled *p = pool[c];
    if (p) {
        pool[c] = p->next;
        pool_bytes -= *cap;
        return p;
    }
#endif
    return ec_xmalloc(*cap);
}

static void pool_put(void *p, size_t cap)
{
    size_t c = cap / POOL_STEP;
#ifndef EC_NO_POOL
    if (p && c > 0 && c < POOL_CLASSES && pool_bytes + cap <= POOL_BYTES) {
        pooled *b = p;
        b->next = pool[c];
        pool[c] = b;
        pool_bytes += cap;
        return;
    }
#endif
    (void)c;
    free(p);
}

void ec_row_pool_drain(void)
{
    for (size_t c = 0; c < POOL_CLASSES; c++)
        while (pool[c]) {
            pooled *p = pool[c];
            pool[c] = p->next;
            free(p);
        }
    pool_bytes = 0;
}

void ec_values_set_packed(ec_values *vs, const ec_str *items, size_t n)
{
    size_t bytes = n * sizeof(char *);
    for (size_t i = 0; i < n; i++)
        bytes += items[i].len + 1;
    vs->v = pool_get(bytes, &vs->alloc);
    char *w = (char *)(vs->v + n);
    for (size_t i = 0; i < n; i++) {
        vs->v[i] = w;
        memcpy(w, items[i].ptr, items[i].len);
        w[items[i].len] = '\0';
        w += items[i].len + 1;
    }
    vs->n = n;
    vs->packed = 1;
}

/* A packed list as separately allocated strings, so that it can grow. */
static void unpack(ec_values *vs)
{
    char **v = ec_xmalloc((vs->n ? vs->n : 1) * sizeof *v);
    for (size_t i = 0; i < vs->n; i++)
        v[i] = ec_xstrdup(vs->v[i]);
    pool_put(vs->v, vs->alloc);
    vs->v = v;
    vs->packed = 0;
    vs->alloc = 0;
}

void ec_values_add(ec_values *vs, const char *s, size_t len)
{
    if (vs->packed)
        unpack(vs);
    vs->v = ec_xrealloc(vs->v, (vs->n + 1) * sizeof *vs->v);
    vs->v[vs->n++] = ec_xstrndup(s, len);
}

void ec_values_add_unique(ec_values *vs, const char *s, size_t len)
{
    for (size_t i = 0; i < vs->n; i++)
        if (strlen(vs->v[i]) == len && memcmp(vs->v[i], s, len) == 0)
            return;
    ec_values_add(vs, s, len);
}

void ec_values_free(ec_values *vs)
{
    if (!vs->v) /* empty: nothing to free (a third of a replay's rows) */
        return;
    for (size_t i = 0; i < vs->n && !vs->packed; i++)
        free(vs->v[i]);
    if (vs->packed)
        pool_put(vs->v, vs->alloc);
    else
        free(vs->v);
    vs->v = NULL;
    vs->n = 0;
    vs->packed = 0;
    vs->alloc = 0;
}

void ec_values_copy(ec_values *dst, const ec_values *src)
{
    memset(dst, 0, sizeof *dst);
    for (size_t i = 0; i < src->n; i++)
        ec_values_add(dst, src->v[i], strlen(src->v[i]));
}

void ec_person_clear(ec_person *p)
{
    free(p->id);
    free(p->name);
    free(p->title);
    free(p->linkedin_url);
    free(p->status);
    ec_values_free(&p->emails);
    ec_values_free(&p->phones);
}

static char *dup_or_null(const char *s)
{
    return s ? ec_xstrdup(s) : NULL;
}

void ec_outcome_clear(ec_outcome *o)
{
    if (o->reason)
        free(o->reason);
    ec_values_free(&o->emails);
    ec_values_free(&o->phones);
    if (o->people) {
        for (size_t i = 0; i < o->npeople; i++)
            ec_person_clear(&o->people[i]);
        free(o->people);
    }
    /* field by field (the lists cleared themselves): once per row of a
     * replay, where a memset of the whole struct costs more */
    o->status = (enum ec_status)0;
    o->reason = NULL;
    o->people = NULL;
    o->npeople = 0;
    o->has_people = 0;
    o->credits = 0;
}

void ec_outcome_copy(ec_outcome *dst, const ec_outcome *src)
{
    memset(dst, 0, sizeof *dst);
    dst->status = src->status;
    dst->reason = dup_or_null(src->reason);
    dst->has_people = src->has_people;
    dst->credits = src->credits;
    ec_values_copy(&dst->emails, &src->emails);
    ec_values_copy(&dst->phones, &src->phones);
    if (src->npeople) {
        dst->people = ec_xcalloc(src->npeople, sizeof *dst->people);
        dst->npeople = src->npeople;
        for (size_t i = 0; i < src->npeople; i++) {
            const ec_person *s = &src->people[i];
            ec_person *d = &dst->people[i];
            d->id = dup_or_null(s->id);
            d->name = dup_or_null(s->name);
            d->title = dup_or_null(s->title);
            d->linkedin_url = dup_or_null(s->linkedin_url);
            d->status = dup_or_null(s->status);
            ec_values_copy(&d->emails, &s->emails);
            ec_values_copy(&d->phones, &s->phones);
        }
    }
}

void ec_outcome_fail(ec_outcome *o, const char *reason)
{
    o->status = EC_ST_FAILED;
    free(o->reason);
    o->reason = ec_xstrdup(reason ? reason : "error");
}

const ec_str *ec_row_value(const ec_row *r, int col)
{
    if (col < 0)
        return NULL;
    /* CSV rows have cell i at column i: try the direct slot first */
    if ((size_t)col < r->ncells && r->cells[col].col == col)
        return r->cells[col].value.ptr ? &r->cells[col].value : NULL;
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i].col == col)
            return r->cells[i].value.ptr ? &r->cells[i].value : NULL;
    return NULL;
}

ec_row *ec_row_new_packed(size_t ncells, size_t memlen)
{
    size_t head = sizeof(ec_row) + ncells * sizeof(ec_cell), alloc;
    ec_row *r = pool_get(head + (memlen ? memlen : 1), &alloc);
    memset(r, 0, sizeof *r);
    r->cells = (ec_cell *)(void *)(r + 1);
    r->mem = (char *)r + head;
    r->packed = 1;
    r->alloc = alloc;
    return r;
}

void ec_row_free(ec_row *r)
{
    if (!r)
        return;
    if (!r->packed) {
        free(r->cells);
        free(r->mem);
    }
    free(r->bad_input);
    ec_outcome_clear(&r->out);
    if (r->packed)
        pool_put(r, r->alloc);
    else
        free(r);
}

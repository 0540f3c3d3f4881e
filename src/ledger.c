/* ledger.c - record semantics on top of the journal: replay into a compact
 * index, find the latest outcome of a key, track unfinished batches, and
 * write intents, checkpoints, results and batch ends. */
#include "config.h"
#include "ledger_int.h"

#include <errno.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

static void seterr(ec_buf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seterr(ec_buf *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    ec_buf_clear(err);
    ec_buf_vprintf(err, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ reading */

static size_t src_of(const ec_ledger *l, uint64_t loc)
{
    size_t i = l->nsrc - 1;
    while (i > 0 && l->src[i].base > loc)
        i--;
    return i;
}

static uint64_t batch_hash(const ec_ledger *l, size_t src, const char *esc, size_t n)
{
    return ec_ledger_hash(esc, n) ^ ((uint64_t)src * 0x9e3779b97f4a7c15ull);
}

int ec_ledger_read(ec_ledger *l, uint64_t loc, const char **rec, size_t *len)
{
    const ec_lsrc *s = &l->src[src_of(l, loc)];
    l->reads++;
    return ec_journal_read(s->j, loc - s->base, rec, len, &l->error);
}

/* The least recently used slot of the intent cache. */
static ec_lintent *intent_victim(ec_ledger *l)
{
    ec_lintent *v = &l->intents[0];
    for (int i = 1; i < EC_L_INTENTS; i++)
        if (l->intents[i].use < v->use)
            v = &l->intents[i];
    return v;
}

/* Parse the intent record rec (at loc) into cache slot v; its parts into
 * *iv (pointing into v->text). v, or NULL when it has no keys or they
 * cannot be read (v is then empty); *ivrc is the view's 0 or -1. */
static ec_lintent *intent_parse(ec_ledger *l, ec_lintent *v, uint64_t loc, const char *rec,
                                size_t len, ec_lintent_view *iv, int *ivrc)
{
    const char *raw;
    size_t rawlen, pos = 0;
    v->loc = 0;
    v->hashed = 0;
    ec_buf_clear(&v->text);
    ec_buf_put(&v->text, rec, len);
    *ivrc = ec_ledger_intent_keys(v->text.p, v->text.len, iv, v);
    if (*ivrc < 0 || !iv->has_keys)
        return NULL;
    if (!iv->keys_found) { /* not our own layout: each key checked on its own */
        int r;
        v->n = 0;
        while ((r = ec_ledger_next_key(iv->keys, iv->keyslen, &pos, &raw, &rawlen)) > 0)
            ec_ledger_intent_add(v, (size_t)(raw - v->text.p), rawlen);
        if (r < 0)
            return NULL;
    }
    v->loc = loc;
    v->use = ++l->tick;
    return v;
}

static ec_lintent *intent_fill(ec_ledger *l, ec_lintent *v, uint64_t loc, const char *rec,
                               size_t len)
{
    ec_lintent_view iv;
    int rc;
    return intent_parse(l, v, loc, rec, len, &iv, &rc);
}

/* The parsed intent at loc, through a small LRU cache. */
static ec_lintent *intent_at(ec_ledger *l, uint64_t loc)
{
    if (l->last_slot && l->last_slot->loc == loc) { /* the one asked for last */
        l->last_slot->use = ++l->tick;
        return l->last_slot;
    }
    for (int i = 0; i < EC_L_INTENTS; i++) {
        if (l->intents[i].loc == loc) {
            l->intents[i].use = ++l->tick;
            return l->last_slot = &l->intents[i];
        }
    }
    const char *rec;
    size_t len;
    if (ec_ledger_read(l, loc, &rec, &len) < 0)
        return NULL;
    return l->last_slot = intent_fill(l, intent_victim(l), loc, rec, len);
}

/* The canonical escaped text of key pos of intent in. */
static const char *intent_key(ec_ledger *l, const ec_lintent *in, size_t pos, size_t *n)
{
    return ec_ledger_canon(in->text.p + in->off[pos], in->len[pos], &l->tmp, n);
}

/* The hash of key pos of intent in (all of its keys hashed on first use). */
static uint64_t intent_hash(ec_ledger *l, ec_lintent *in, size_t pos)
{
    if (!in->hashed) {
        for (size_t i = 0; i < in->n; i++) {
            size_t n;
            const char *k = intent_key(l, in, i, &n);
            in->hash[i] = ec_ledger_hash(k, n);
        }
        in->hashed = 1;
    }
    return in->hash[pos];
}

/* Is key pos of intent in the canonical escaped text key? A key written
 * canonically (as we write them) is compared where it lies. */
static int intent_key_is(ec_ledger *l, const ec_lintent *in, size_t pos, const char *key,
                         size_t keylen)
{
    const char *raw = in->text.p + in->off[pos];
    size_t n = in->len[pos];
    if (n == keylen && memcmp(raw, key, n) == 0)
        return 1; /* equal to a canonical text, so canonical itself */
    if (!memchr(raw, '\\', n))
        return 0; /* then it is its own canonical text */
    const char *canon = intent_key(l, in, pos, &n);
    return n == keylen && memcmp(canon, key, n) == 0;
}

/* The intent a res naming its batch (escaped id) and position refers to
 * (parsed, from the cache), or NULL when it cannot be resolved. */
static ec_lintent *batch_intent(ec_ledger *l, const char *id, size_t idlen, unsigned long pos,
                                uint64_t loc, int last)
{
    size_t n;
    uint64_t intent;
    size_t src = src_of(l, loc);
    /* results come in runs of one batch: remember the last id resolved
     * (last: the caller found id is that one) */
    if (l->last_intent && l->last_src == src &&
        (last || (l->last_id.len == idlen && memcmp(l->last_id.p, id, idlen) == 0))) {
        intent = l->last_intent;
    } else {
        const char *canon = ec_ledger_canon(id, idlen, &l->tmp, &n);
        if (!ec_lmap_get(&l->batches, batch_hash(l, src, canon, n), &intent) ||
            intent == EC_L_AMBIGUOUS)
            return NULL;
        ec_buf_clear(&l->last_id);
        ec_buf_put(&l->last_id, id, idlen);
        l->last_intent = intent;
        l->last_src = src;
    }
    if (intent >= loc)
        return NULL;
    ec_lintent *in = intent_at(l, intent);
    return in && pos < in->n ? in : NULL;
}

/* A res record in our own layout naming its batch: 1 with the intent
 * (cached) and position of its key, -1 when they cannot be resolved; 0 for
 * any other record (ec_ledger_res_key then finds its key). */
static int res_ref(ec_ledger *l, const char *rec, size_t len, uint64_t loc, ec_lintent **in,
                   unsigned long *pos, size_t *body)
{
    const char *s = rec + sizeof EC_L_RES_B - 1;
    size_t n = l->last_id.len;
    /* results come in runs of one batch: the id resolved last is likely */
    int last = l->last_intent && len > sizeof EC_L_RES_B + n &&
               memcmp(rec, EC_L_RES_B, sizeof EC_L_RES_B - 1) == 0 &&
               memcmp(s, l->last_id.p, n) == 0 && s[n] == '"';
    if (!last && ec_ledger_str_after(rec, len, EC_L_RES_B, &s, &n) < 0)
        return 0;
    const char *p = ec_ledger_res_pos(s + n, rec + len, pos);
    if (!p)
        return 0;
    *body = (size_t)(p - rec);
    *in = batch_intent(l, s, n, *pos, loc, last);
    return *in ? 1 : -1;
}

/* Key of a res naming its batch (escaped id) and position. */
static int batch_key(ec_ledger *l, const char *id, size_t idlen, unsigned long pos, uint64_t loc,
                     const char **key, size_t *keylen)
{
    ec_lintent *in = batch_intent(l, id, idlen, pos, loc, 0);
    if (!in)
        return -1;
    *key = intent_key(l, in, pos, keylen);
    return 0;
}

static int res_key_slow(ec_ledger *l, const char *rec, size_t len, uint64_t loc, const char **key,
                        size_t *keylen)
{
    ec_json d;
    int rc = -1;
    ec_buf_clear(&l->rec);
    ec_buf_put(&l->rec, rec, len);
    if (ec_json_parse(&d, l->rec.p, l->rec.len, NULL) == 0) {
        int k = ec_json_get(&d, 0, "k"), b = ec_json_get(&d, 0, "b");
        long long pos = -1;
        if (ec_json_type(&d, k) == EC_JSON_STRING) {
            ec_str raw = ec_json_raw(&d, k);
            *key = ec_ledger_canon(raw.ptr, raw.len, &l->tmp, keylen);
            rc = 0;
        } else if (ec_json_type(&d, b) == EC_JSON_STRING &&
                   ec_json_int(&d, ec_json_get(&d, 0, "i"), &pos) == 0 && pos >= 0) {
            ec_str raw = ec_json_raw(&d, b);
            rc = batch_key(l, raw.ptr, raw.len, (unsigned long)pos, loc, key, keylen);
        }
    }
    ec_json_free(&d);
    return rc;
}

/* The key of a res record res_ref() does not take: one naming its key, or
 * another layout. 0, or -1 when it has none or it cannot be resolved. */
static int other_key(ec_ledger *l, const char *rec, size_t len, uint64_t loc, const char **key,
                     size_t *keylen)
{
    const char *s;
    size_t n;
    if (ec_ledger_str_after(rec, len, EC_L_RES_K, &s, &n) < 0)
        return res_key_slow(l, rec, len, loc, key, keylen);
    *key = ec_ledger_canon(s, n, &l->tmp, keylen);
    return 0;
}

int ec_ledger_res_key(ec_ledger *l, const char *rec, size_t len, uint64_t loc, const char **key,
                      size_t *keylen)
{
    ec_lintent *in;
    unsigned long pos;
    size_t body;
    int r = res_ref(l, rec, len, loc, &in, &pos, &body);
    if (r > 0)
        *key = intent_key(l, in, pos, keylen);
    return r > 0 ? 0 : r < 0 ? -1 : other_key(l, rec, len, loc, key, keylen);
}

/* Is the res record rec (at loc) one of key? 1 or 0; l->hitbody says
 * where its body starts when its layout is ours. */
static int res_is(ec_ledger *l, const char *rec, size_t len, uint64_t loc, const char *key,
                  size_t keylen)
{
    ec_lintent *in;
    unsigned long pos;
    int r = res_ref(l, rec, len, loc, &in, &pos, &l->hitbody);
    if (r <= 0)
        l->hitbody = SIZE_MAX;
    if (r != 0)
        return r > 0 && intent_key_is(l, in, pos, key, keylen);
    const char *k;
    size_t kl;
    return other_key(l, rec, len, loc, &k, &kl) == 0 && kl == keylen && memcmp(k, key, kl) == 0;
}

/* Candidates of hash h, newest first; *out is buf, or malloc'd when they did
 * not fit in it. SIZE_MAX when the index could not be read (l->error). */
static size_t candidates(ec_ledger *l, uint64_t h, uint64_t *buf, size_t max, uint64_t **out)
{
    size_t n = ec_lindex_find(&l->idx, h, buf, max);
    *out = buf;
    if (n == SIZE_MAX) {
        seterr(&l->error, "cannot read the journal's index: %s", strerror(errno));
        return 0;
    }
    if (n > max) {
        *out = ec_xmalloc(n * sizeof **out);
        ec_lindex_find(&l->idx, h, *out, n);
    }
    for (size_t i = 1; i < n; i++) /* insertion sort, descending: n is tiny */
        for (size_t k = i; k > 0 && (*out)[k - 1] < (*out)[k]; k--) {
            uint64_t t = (*out)[k];
            (*out)[k] = (*out)[k - 1];
            (*out)[k - 1] = t;
        }
    return n;
}

/* Is rec (len bytes), the record at loc just read, a res of key? 1 (then
 * l->hit and l->hitlen give the record, in a journal frame until the next
 * read of the journal, or in l->rec), 0 or -1. */
static int rec_of_key(ec_ledger *l, uint64_t loc, const char *rec, size_t len, const char *key,
                      size_t keylen)
{
    const char *k;
    size_t kl;
    if (len > sizeof EC_L_RES_B && (memcmp(rec, EC_L_RES_B, sizeof EC_L_RES_B - 1) == 0 ||
                                    memcmp(rec, EC_L_RES_K, sizeof EC_L_RES_K - 1) == 0)) {
        /* our own layout: its key needs no jsmn, nor the record a copy */
        uint64_t reads = l->reads;
        int m = res_is(l, rec, len, loc, key, keylen);
        if (m && l->reads != reads && ec_ledger_read(l, loc, &rec, &len) < 0)
            return -1; /* the intent was read: the frame may have moved */
        l->hit = rec;
        l->hitlen = len;
        return m;
    }
    ec_buf_clear(&l->rec);
    ec_buf_put(&l->rec, rec, len);
    ec_buf copy = l->rec; /* res_key_slow reuses l->rec: keep ours aside */
    l->rec = (ec_buf){0};
    int match = ec_ledger_res_key(l, copy.p, copy.len, loc, &k, &kl) == 0 && kl == keylen &&
                memcmp(k, key, kl) == 0;
    ec_buf_free(&l->rec);
    l->rec = copy;
    l->hit = l->rec.p;
    l->hitlen = l->rec.len;
    l->hitbody = SIZE_MAX;
    return match;
}

/* The same for the record at loc. */
static int res_of_key(ec_ledger *l, uint64_t loc, const char *key, size_t keylen)
{
    const char *rec;
    size_t len;
    if (ec_ledger_read(l, loc, &rec, &len) < 0)
        return -1;
    return rec_of_key(l, loc, rec, len, key, keylen);
}

/* Sequential replay: the input comes in the order the journal was written,
 * so the res record after the last one found usually holds the next key.
 * When it does and the index has no other entry that could be that key's,
 * it is the answer, found without probing the index (which for a large
 * journal is a read of the disk tables). 1 with *loc, else 0. */
static int next_in_order(ec_ledger *l, uint64_t h, const char *key, size_t keylen, uint64_t *loc)
{
    if (!l->cursor || l->nsrc != 1 || !ec_lindex_unique(&l->idx, h))
        return 0;
    ec_jloc at = l->cursor;
    for (int hop = 0; hop < 4; hop++) { /* past intent, job and done records */
        const char *rec;
        size_t len;
        if (ec_journal_next(l->src[0].j, at, &at, NULL) != 0 ||
            ec_journal_read(l->src[0].j, at, &rec, &len, NULL) < 0)
            return 0;
        if (len > 11 && memcmp(rec, "{\"t\":\"res\",", 11) == 0) {
            *loc = at;
            return rec_of_key(l, at, rec, len, key, keylen) == 1;
        }
    }
    return 0;
}

/* How many leading bytes of s are printable ASCII other than '"' and '\\'
 * (text that is its own JSON-escaped form). SSE2: sixteen a step, a byte
 * below 0x20 or above 0x7f being one below 0x20 as a signed char. Else
 * eight a step: a word has none of the others when no byte is below 0x20,
 * has its top bit set, or equals 0x7f, '"' or '\\' (each an exact any-byte
 * test). */
static size_t plain_len(const char *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i sp16 = _mm_set1_epi8(0x20), del16 = _mm_set1_epi8(0x7f),
                  quote16 = _mm_set1_epi8('"'), bs16 = _mm_set1_epi8('\\');
    for (unsigned keep = 0xffff; n >= 16; i += 16) {
        if (n - i < 16) { /* the last 16 bytes, those seen already masked off */
            if (i == n)
                return n;
            keep = 0xffffu << (16 - (n - i)) & 0xffff;
            i = n - 16;
        }
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i bad =
            _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, sp16), _mm_cmpeq_epi8(x, del16)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, quote16), _mm_cmpeq_epi8(x, bs16)));
        unsigned m = (unsigned)_mm_movemask_epi8(bad) & keep;
        if (m)
            return i + (size_t)__builtin_ctz(m);
        if (keep != 0xffff)
            return n;
    }
#endif
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    for (uint64_t w; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        uint64_t del = w ^ (ones * 0x7f), quote = w ^ (ones * '"'), bs = w ^ (ones * '\\');
        uint64_t bad = ((w - ones * 0x20) & ~w) | w | ((del - ones) & ~del) |
                       ((quote - ones) & ~quote) | ((bs - ones) & ~bs);
        if (bad & highs)
            break;
    }
    while (i < n && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

/* The escaped text of key (n bytes, NUL-terminated) and its length: key
 * itself when it needs no escapes (the usual case), else l->esc; NULL when
 * key is not valid UTF-8. */
static const char *escape_key(ec_ledger *l, const char *key, size_t n, size_t *len)
{
    if (plain_len(key, n) == n) {
        *len = n;
        return key;
    }
    if (!ec_ledger_utf8_ok(key, n))
        return NULL;
    ec_ledger_escape(&l->esc, key);
    *len = l->esc.len;
    return l->esc.p;
}

int ec_ledger_find(ec_ledger *l, const char *key, double max_age_days, ec_outcome *out, double *ts)
{
    memset(out, 0, sizeof *out);
    ec_buf_clear(&l->error);
    size_t kl;
    const char *k = escape_key(l, key, strlen(key), &kl);
    if (!k)
        return 0;
    uint64_t buf[16], *cand = buf, h = ec_ledger_hash(k, kl);
    int in_order = next_in_order(l, h, k, kl, buf); /* then l->hit is the record */
    size_t n = in_order ? 1 : candidates(l, h, buf, 16, &cand);
    int rc = l->error.len ? -1 : 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        int m = in_order ? 1 : res_of_key(l, cand[i], k, kl);
        if (m == 0)
            continue;
        double t = 0;
        if (m < 0 || ec_ledger_parse_res_body(l->hit, l->hitlen, l->hitbody, out, &t) < 0) {
            if (m > 0)
                seterr(&l->error, "journal record for key %s is unreadable", key);
            rc = -1;
            break;
        }
        rc = 1;
        l->cursor = cand[i];
        if (max_age_days > 0 && (double)time(NULL) - t > max_age_days * 86400.0) {
            ec_outcome_clear(out);
            rc = 0;
            break;
        }
        if (ts)
            *ts = t;
        break; /* newest match is the answer; older ones are superseded */
    }
    if (cand != buf)
        free(cand);
    return rc;
}

int ec_ledger_is_latest(ec_ledger *l, uint64_t loc, uint64_t h, const char *key, size_t keylen,
                        int by_ts, double ts)
{
    uint64_t buf[16], *cand;
    ec_buf_clear(&l->error);
    size_t n = candidates(l, h, buf, 16, &cand);
    int rc = l->error.len ? -1 : 1;
    for (size_t i = 0; i < n && rc == 1; i++) {
        if (cand[i] == loc || (!by_ts && cand[i] < loc))
            continue;
        int m = res_of_key(l, cand[i], key, keylen);
        if (m < 0)
            rc = -1;
        else if (m && !by_ts)
            rc = 0;
        else if (m) {
            ec_outcome o;
            double t = 0;
            if (ec_ledger_parse_res(l->hit, l->hitlen, &o, &t) == 0 &&
                (t > ts || (t == ts && cand[i] > loc)))
                rc = 0;
            ec_outcome_clear(&o);
        }
    }
    if (cand != buf)
        free(cand);
    return rc;
}

/* ------------------------------------------------------------------ batches */

static ec_lbatch *find_open(ec_ledger *l, const char *id)
{
    for (size_t i = l->nopen; i-- > 0;)
        if (strcmp(l->open[i].id, id) == 0)
            return &l->open[i];
    return NULL;
}

ec_lbatch *ec_ledger_add_open(ec_ledger *l, const char *id)
{
    if (l->nopen == l->capopen) {
        l->capopen = l->capopen ? 2 * l->capopen : 8;
        l->open = ec_xrealloc(l->open, l->capopen * sizeof *l->open);
    }
    ec_lbatch *b = &l->open[l->nopen++];
    memset(b, 0, sizeof *b);
    b->id = ec_xstrdup(id);
    return b;
}

static void free_batch(ec_lbatch *b)
{
    for (size_t i = 0; i < b->nkeys; i++)
        free(b->keys[i]);
    free(b->keys);
    free(b->id);
    free(b->idem);
    free(b->cp);
}

static void drop_open(ec_ledger *l, ec_lbatch *b)
{
    size_t i = (size_t)(b - l->open);
    free_batch(b);
    memmove(b, b + 1, (l->nopen - i - 1) * sizeof *b);
    l->nopen--;
    l->openkeys_stale = 1;
}

static void openkeys_add(ec_ledger *l, size_t bi)
{
    const ec_lbatch *b = &l->open[bi];
    for (size_t p = 0; p < b->nkeys && p < EC_L_POS_MAX; p++) {
        ec_ledger_escape(&l->tmp, b->keys[p]);
        ec_lmap_put(&l->openkeys, ec_ledger_hash(l->tmp.p, l->tmp.len), (uint64_t)bi << 20 | p);
    }
}

size_t ec_ledger_open_batches(ec_ledger *l, ec_ledger_batch_fn fn, void *ctx)
{
    size_t n = l->nopen;
    if (!fn || n == 0)
        return n;
    /* fn may end the batch it is given (or others), which reorders l->open:
     * walk a snapshot of the ids and look each one up again. */
    char **ids = ec_xcalloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = ec_xstrdup(l->open[i].id);
    int stop = 0;
    for (size_t i = 0; i < n; i++) {
        const ec_lbatch *b = stop ? NULL : find_open(l, ids[i]);
        if (b) {
            ec_open_batch ob = {b->id, (const char *const *)b->keys, b->nkeys, b->idem, b->cp,
                                b->ts};
            stop = fn(ctx, &ob) != 0;
        }
        free(ids[i]);
    }
    free(ids);
    return n;
}

/* ------------------------------------------------------------------ replay */

typedef struct replay {
    ec_ledger *l;
    size_t src;
    uint64_t base;
    int fatal;
} replay;

/* The hash of the key of the res record rec (at loc): 0, or -1 when it has
 * none or it cannot be resolved. */
static int res_hash(ec_ledger *l, const char *rec, size_t len, uint64_t loc, uint64_t *h)
{
    ec_lintent *in;
    unsigned long pos;
    size_t body;
    int r = res_ref(l, rec, len, loc, &in, &pos, &body);
    if (r > 0)
        *h = intent_hash(l, in, pos);
    if (r != 0)
        return r > 0 ? 0 : -1;
    const char *key;
    size_t kl;
    if (other_key(l, rec, len, loc, &key, &kl) < 0)
        return -1;
    *h = ec_ledger_hash(key, kl);
    return 0;
}

static void index_res(ec_ledger *l, const char *rec, size_t len, uint64_t loc)
{
    uint64_t h;
    l->count[EC_LT_RES]++;
    if (!loc || res_hash(l, rec, len, loc, &h) < 0 || ec_lindex_add(&l->idx, h, loc) < 0)
        l->orphans++;
}

/* Keys of an open batch come from its intent record when first needed. */
static int load_keys(ec_ledger *l, ec_lbatch *b)
{
    if (b->keys)
        return 0;
    ec_lintent *in = b->intent ? intent_at(l, b->intent) : NULL;
    b->keys = ec_xcalloc((in ? in->n : 0) + 1, sizeof *b->keys);
    for (b->nkeys = 0; in && b->nkeys < in->n; b->nkeys++)
        b->keys[b->nkeys] = ec_ledger_decode(in->text.p + in->off[b->nkeys], in->len[b->nkeys]);
    return in ? 0 : -1;
}

static void replay_intent(ec_ledger *l, const char *rec, size_t len, size_t src, uint64_t loc)
{
    ec_lintent_view v;
    int rc;
    if (loc) /* its results follow: parse the keys now, not from the file again */
        intent_parse(l, intent_victim(l), loc, rec, len, &v, &rc);
    else
        rc = ec_ledger_intent_view(rec, len, &v);
    if (rc < 0) {
        l->unparsed++;
        return;
    }
    char *id = ec_ledger_decode(v.id, v.idlen);
    ec_lbatch *ob = find_open(l, id);
    char *idem = v.idem ? ec_ledger_decode(v.idem, v.idemlen) : NULL;
    if (!v.has_keys) { /* a repeated intent: new idempotency key */
        if (ob) {
            free(ob->idem);
            ob->idem = idem;
            idem = NULL;
        }
        free(id);
        free(idem);
        return;
    }
    size_t n;
    const char *canon = ec_ledger_canon(v.id, v.idlen, &l->tmp, &n);
    uint64_t h = batch_hash(l, src, canon, n), prev;
    /* a batch id used twice: positions could point into either intent */
    ec_lmap_put(&l->batches, h, ec_lmap_get(&l->batches, h, &prev) ? EC_L_AMBIGUOUS : loc);
    l->last_intent = 0; /* the map changed */
    if (ob)
        drop_open(l, ob);
    ob = ec_ledger_add_open(l, id);
    ob->idem = idem;
    ob->intent = loc;
    ob->ts = v.ts;
    free(id);
}

static void replay_batch_rec(ec_ledger *l, const ec_json *d, int is_done)
{
    char *id = ec_json_strdup(d, ec_json_get(d, 0, "b"), NULL);
    ec_lbatch *ob = id ? find_open(l, id) : NULL;
    if (ob && is_done) {
        drop_open(l, ob);
    } else if (ob) {
        char *cp = ec_json_strdup(d, ec_json_get(d, 0, "cp"), NULL);
        if (cp) {
            free(ob->cp);
            ob->cp = cp;
        }
    }
    free(id);
}

static int replay_rec(void *ctx, const char *rec, size_t len, ec_jloc jloc)
{
    replay *r = ctx;
    ec_ledger *l = r->l;
    uint64_t loc = jloc == EC_JLOC_NONE ? 0 : r->base + jloc;
    if (len > 11 && memcmp(rec, "{\"t\":\"res\",", 11) == 0) {
        index_res(l, rec, len, loc);
        return 0;
    }
    if (len > 14 && memcmp(rec, "{\"t\":\"intent\",", 14) == 0) {
        l->count[EC_LT_INTENT]++;
        replay_intent(l, rec, len, r->src, loc);
        return 0;
    }
    ec_json d;
    if (ec_json_parse(&d, rec, len, NULL) < 0 || ec_json_type(&d, 0) != EC_JSON_OBJECT) {
        l->unparsed++;
        ec_json_free(&d);
        return 0;
    }
    int t = ec_json_get(&d, 0, "t");
    long long v = 0;
    if (ec_json_str_eq(&d, t, "res")) {
        index_res(l, rec, len, loc);
    } else if (ec_json_str_eq(&d, t, "hdr")) {
        l->count[EC_LT_HDR]++;
        if (ec_json_int(&d, ec_json_get(&d, 0, "v"), &v) == 0 && v > EC_JOURNAL_VERSION) {
            seterr(&l->error,
                   "journal %s: a header of format version %lld (this enrichcsv reads %d)",
                   ec_journal_path(l->src[r->src].j), v, EC_JOURNAL_VERSION);
            r->fatal = 1;
        }
    } else if (ec_json_str_eq(&d, t, "intent")) {
        l->count[EC_LT_INTENT]++;
        replay_intent(l, rec, len, r->src, loc);
    } else if (ec_json_str_eq(&d, t, "job") || ec_json_str_eq(&d, t, "done")) {
        l->count[ec_json_str_eq(&d, t, "job") ? EC_LT_JOB : EC_LT_DONE]++;
        replay_batch_rec(l, &d, ec_json_str_eq(&d, t, "done"));
    } else {
        l->count[EC_LT_OTHER]++;
    }
    ec_json_free(&d);
    return r->fatal;
}

/* ------------------------------------------------------------------ open/close */

static void ledger_free(ec_ledger *l)
{
    ec_lsnap_free(l->snap);
    for (size_t i = 0; i < l->nsrc; i++)
        ec_journal_close(l->src[i].j, NULL);
    free(l->src);
    ec_lindex_free(&l->idx);
    ec_lmap_free(&l->batches);
    ec_lmap_free(&l->openkeys);
    for (size_t i = 0; i < l->nopen; i++)
        free_batch(&l->open[i]);
    free(l->open);
    for (int i = 0; i < EC_L_INTENTS; i++) {
        ec_buf_free(&l->intents[i].text);
        free(l->intents[i].off);
        free(l->intents[i].len);
        free(l->intents[i].hash);
    }
    ec_buf_free(&l->esc);
    ec_buf_free(&l->last_id);
    ec_buf_free(&l->tmp);
    ec_buf_free(&l->rec);
    ec_buf_free(&l->out);
    ec_buf_free(&l->error);
    free(l);
}

/* After every source was replayed: report, load open batches' keys, seal. */
static int replay_done(ec_ledger *l, ec_buf *notes, ec_buf *err)
{
    if (l->orphans && notes)
        ec_buf_printf(notes,
                      "journal: %llu results name a batch whose intent is missing or "
                      "ambiguous; they are ignored\n",
                      (unsigned long long)l->orphans);
    if (l->unparsed && notes)
        ec_buf_printf(notes, "journal: %llu records are not JSON objects; ignored\n",
                      (unsigned long long)l->unparsed);
    for (size_t i = 0; i < l->nopen; i++)
        if (load_keys(l, &l->open[i]) < 0 && notes)
            ec_buf_printf(notes, "journal: the intent of open batch %s is unreadable\n",
                          l->open[i].id);
    l->openkeys_stale = 1;
    if (ec_lindex_seal(&l->idx) < 0) {
        seterr(err, "cannot build the journal's index: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* About how many records files of these sizes hold (ours compress to 10-20
 * bytes a record; 8 is taken): sizes the index before the replay. A journal
 * that holds more still goes to disk once ec_lindex_spill_min() entries are
 * in memory. */
/* The records a journal of bytes bytes may hold, to size an index by. */
static uint64_t records_in(uint64_t bytes)
{
    return bytes / 8;
}

static uint64_t expect_records(const char *const *paths, size_t n)
{
    uint64_t bytes = 0;
    struct stat st;
    for (size_t i = 0; i < n; i++)
        if (stat(paths[i], &st) == 0 && st.st_size > 0)
            bytes += (uint64_t)st.st_size;
    return records_in(bytes);
}

/* A journal's snapshot is used while what was appended after it is small
 * (an eighth of what it covers, 2 MiB at most): the index entries of those
 * records are kept in memory. Does a snapshot covering covered bytes of a
 * journal of size bytes leave more than that? */
#define SNAP_TAIL_MAX (2u << 20)
static int snap_tail_too_long(uint64_t size, uint64_t covered)
{
    return size >= covered && (size - covered > SNAP_TAIL_MAX || size - covered > covered / 8);
}

static int snap_decide(void *ctx, ec_journal *j)
{
    ec_ledger *l = ctx;
    if (!ec_lsnap_matches(l->snap, j))
        return 0;
    ec_lsnap_apply(l->snap, l);
    l->snap_used = ec_lsnap_covered(l->snap);
    return 1;
}

/* The snapshot of a journal this run writes, when it is large (its index
 * went to disk) and has one that may fit. */
static ec_lsnap *snap_for(const char *path, int flags)
{
    struct stat st;
    if ((flags & (EC_J_READONLY | EC_J_SALVAGE | EC_L_NO_SNAPSHOT)) || stat(path, &st) < 0)
        return NULL;
    ec_lsnap *s = ec_lsnap_read(path);
    uint64_t covered = s ? ec_lsnap_covered(s) : 0, size = (uint64_t)st.st_size;
    if (s && snap_tail_too_long(size, covered)) {
        ec_lsnap_free(s); /* too much after it: replay all, and snapshot that */
        s = NULL;
    }
    return s;
}

/* Open each journal and replay it into the index in the same pass that
 * checks its frames (each frame is decompressed once). A journal written
 * by this run may start with a prefix a snapshot covers (ledger_snap.c):
 * only the rest is replayed; one that did not gets a snapshot when large. */
ec_ledger *ec_ledger_open_many(const char *const *paths, size_t n, int flags, ec_buf *notes,
                               ec_buf *err)
{
    ec_ledger *l = ec_xcalloc(1, sizeof *l);
    l->flags = flags;
    l->src = ec_xcalloc(n ? n : 1, sizeof *l->src);
    ec_lindex_init(&l->idx, expect_records(paths, n), n ? paths[0] : NULL);
    l->snap = n == 1 ? snap_for(paths[0], flags) : NULL;
    ec_journal_trust trust = {0, 0, 0, snap_decide, l};
    if (l->snap)
        ec_lsnap_trust(l->snap, &trust);
    uint64_t base = 0;
    for (size_t i = 0; i < n; i++) {
        replay r = {l, i, base, 0};
        int fnrc = 0;
        /* the replay may read earlier records (intents) through src[i].j */
        l->src[l->nsrc++] = (ec_lsrc){NULL, base};
        ec_journal *j = ec_journal_open_trusting(
            paths[i], (n > 1 ? flags | EC_J_READONLY : flags) & ~EC_L_NO_SNAPSHOT,
            l->snap ? &trust : NULL, replay_rec, &r, &fnrc, &l->src[i].j, notes, err);
        if (!j || r.fatal) {
            int e = j ? EIO : errno; /* EWOULDBLOCK: locked by another process */
            if (j && r.fatal)
                seterr(err, "%s", l->error.p);
            ledger_free(l);
            errno = e;
            return NULL;
        }
        ec_journal_info info;
        ec_journal_stat(j, &info);
        base += EC_JLOC(info.size, 0);
    }
    if (n == 1 && !(flags & EC_J_READONLY))
        l->w = l->src[0].j;
    if (replay_done(l, notes, err) < 0) {
        ledger_free(l);
        errno = EIO;
        return NULL;
    }
    ec_lsnap_free(l->snap);
    l->snap = NULL;
    if (l->w && !l->snap_used && !(flags & (EC_J_SALVAGE | EC_L_NO_SNAPSHOT))) {
        ec_journal_info info;
        ec_journal_stat(l->w, &info);
        if (ec_lsnap_write(l, l->w, paths[0], info.size, info.frames, info.records) == 0)
            l->snap_written = info.size;
    }
    return l;
}

ec_ledger *ec_ledger_open(const char *path, int flags, ec_buf *notes, ec_buf *err)
{
    return ec_ledger_open_many(&path, 1, flags, notes, err);
}

ec_ledger *ec_ledger_open_private(ec_buf *err)
{
    const char *dir = getenv("TMPDIR");
    ec_buf path = {0};
    ec_buf_printf(&path, "%s/enrichcsv-run.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path.p);
    if (fd < 0) {
        seterr(err, "cannot create a temporary file in %s: %s", dir && *dir ? dir : "/tmp",
               strerror(errno));
        ec_buf_free(&path);
        return NULL;
    }
    close(fd);
    ec_ledger *l = ec_ledger_open(path.p, EC_L_NO_SNAPSHOT, NULL, err);
    unlink(path.p); /* the open descriptor keeps it until the ledger is closed */
    ec_buf_free(&path);
    return l;
}

/* Would the next open of l's journal (written by this run) index all of
 * it again: it is large enough for a snapshot and its snapshot, if any,
 * covers too little of it (see snap_for())? */
static int snapshot_stale(ec_ledger *l)
{
    if (!l->w || (l->flags & (EC_J_SALVAGE | EC_L_NO_SNAPSHOT)))
        return 0;
    ec_journal_info info;
    ec_journal_stat(l->w, &info);
    uint64_t covered = l->snap_used > l->snap_written ? l->snap_used : l->snap_written;
    return records_in(info.size) >= ec_lindex_spill_min() && snap_tail_too_long(info.size, covered);
}

int ec_ledger_close(ec_ledger *l, ec_buf *err)
{
    if (!l)
        return 0;
    int rc = l->w ? ec_journal_sync(l->w, err) : 0;
    ledger_free(l);
    return rc;
}

int ec_ledger_finish(ec_ledger *l, ec_buf *err)
{
    /* the journal is opened once more, which indexes it and writes the
     * snapshot as the next run's open would have (quietly: a failure only
     * leaves that to the next run) */
    char *again = l && l->w && snapshot_stale(l) ? ec_xstrdup(ec_journal_path(l->w)) : NULL;
    int flags = l ? l->flags : 0, rc = ec_ledger_close(l, err);
    if (again && rc == 0) {
        ec_ledger *fresh = ec_ledger_open(again, flags, NULL, NULL);
        if (fresh)
            ledger_free(fresh);
    }
    free(again);
    return rc;
}
const char *ec_ledger_error(const ec_ledger *l)
{
    return l->error.p ? l->error.p : "";
}

ec_journal *ec_ledger_journal(ec_ledger *l)
{
    return l->src[0].j;
}

/* ------------------------------------------------------------------ writing */

static int append_out(ec_ledger *l, ec_jloc *loc, ec_buf *err)
{
    if (!l->w) {
        seterr(err, "journal %s is open read-only", ec_journal_path(l->src[0].j));
        return -1;
    }
    if (ec_journal_append(l->w, l->out.p, l->out.len, loc) < 0) {
        const char *why = ec_journal_failure(l->w);
        seterr(err, "%s", why ? why : "cannot append to the journal");
        return -1;
    }
    if (loc && (*loc == EC_JLOC_NONE || *loc >> EC_LX_LOC_BITS)) {
        seterr(err, "journal %s is too large to index; compact it", ec_journal_path(l->w));
        return -1;
    }
    return 0;
}

static double now(void)
{
    return (double)time(NULL);
}

static int same_keys(const ec_lbatch *b, const char *const *keys, size_t n)
{
    if (n != b->nkeys)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!keys[i] || strcmp(keys[i], b->keys[i]) != 0)
            return 0;
    return 1;
}

static int check_new_batch(ec_ledger *l, const char *batch, const char *const *keys, size_t n,
                           ec_buf *err)
{
    if (!keys || n == 0 || n >= EC_L_POS_MAX || !ec_ledger_utf8_ok(batch, strlen(batch))) {
        seterr(err, "intent for batch %s: bad batch id or key list", batch);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!keys[i] || !ec_ledger_utf8_ok(keys[i], strlen(keys[i]))) {
            seterr(err, "intent for batch %s: key %zu is not valid UTF-8", batch, i);
            return -1;
        }
    uint64_t prev;
    ec_ledger_escape(&l->tmp, batch);
    if (ec_lmap_get(&l->batches, batch_hash(l, 0, l->tmp.p, l->tmp.len), &prev)) {
        seterr(err, "batch id %s was used before in this journal", batch);
        return -1;
    }
    return 0;
}

/* Append the job record of open batch ob (the checkpoint), unsynced. */
static int put_job(ec_ledger *l, ec_lbatch *ob, const char *checkpoint, ec_buf *err)
{
    ec_buf_clear(&l->out);
    ec_buf_puts(&l->out, "{\"t\":\"job\",\"b\":");
    ec_json_put_cstr(&l->out, ob->id);
    ec_buf_puts(&l->out, ",\"cp\":");
    ec_json_put_cstr(&l->out, checkpoint);
    ec_buf_printf(&l->out, ",\"ts\":%lld}", (long long)now());
    if (append_out(l, NULL, err) < 0)
        return -1;
    free(ob->cp);
    ob->cp = ec_xstrdup(checkpoint);
    l->count[EC_LT_JOB]++;
    return 0;
}

/* Append the intent record of batch (a new one, or again with a new
 * idempotency key); the open batch, or NULL with err. */
static ec_lbatch *put_intent(ec_ledger *l, const char *batch, const char *const *keys, size_t n,
                             const char *idem, ec_buf *err)
{
    ec_lbatch *ob = find_open(l, batch);
    ec_jloc loc;
    if (ob && keys && !same_keys(ob, keys, n)) {
        seterr(err, "batch %s is open with other keys", batch);
        return NULL;
    }
    if (!ob && check_new_batch(l, batch, keys, n, err) < 0)
        return NULL;
    if (!ob) {
        ob = ec_ledger_add_open(l, batch);
        ob->keys = ec_xcalloc(n + 1, sizeof *ob->keys);
        for (ob->nkeys = 0; ob->nkeys < n; ob->nkeys++)
            ob->keys[ob->nkeys] = ec_xstrdup(keys[ob->nkeys]);
        ob->ts = now();
        ob->idem = idem ? ec_xstrdup(idem) : NULL;
        ec_buf_clear(&l->out);
        ec_ledger_put_intent(&l->out, ob, 1);
        if (append_out(l, &loc, err) < 0) {
            drop_open(l, ob);
            return NULL;
        }
        ob->intent = loc;
        ec_ledger_escape(&l->tmp, batch);
        ec_lmap_put(&l->batches, batch_hash(l, 0, l->tmp.p, l->tmp.len), loc);
        l->last_intent = 0; /* the map changed */
        if (!l->openkeys_stale)
            openkeys_add(l, (size_t)(ob - l->open));
    } else {
        ec_lbatch again = *ob;
        free(ob->idem);
        ob->idem = idem ? ec_xstrdup(idem) : NULL;
        again.idem = ob->idem;
        again.ts = now();
        ec_buf_clear(&l->out);
        ec_ledger_put_intent(&l->out, &again, 0);
        if (append_out(l, NULL, err) < 0)
            return NULL;
    }
    l->count[EC_LT_INTENT]++;
    return ob;
}

int ec_ledger_intent_cp(ec_ledger *l, const char *batch, const char *const *keys, size_t n,
                        const char *idem, const char *checkpoint, ec_buf *err)
{
    if (checkpoint && l->w && ec_journal_flush(l->w, err) < 0)
        return -1;
    if (checkpoint && l->w)
        ec_journal_hold(l->w, 1);
    ec_lbatch *ob = put_intent(l, batch, keys, n, idem, err);
    int rc = ob && (!checkpoint || put_job(l, ob, checkpoint, err) == 0) ? 0 : -1;
    if (l->w)
        ec_journal_hold(l->w, 0);
    return rc < 0 ? -1 : ec_journal_sync(l->w, err);
}

int ec_ledger_intent(ec_ledger *l, const char *batch, const char *const *keys, size_t n,
                     const char *idem, ec_buf *err)
{
    return ec_ledger_intent_cp(l, batch, keys, n, idem, NULL, err);
}

int ec_ledger_job(ec_ledger *l, const char *batch, const char *checkpoint, ec_buf *err)
{
    ec_lbatch *ob = find_open(l, batch);
    if (!ob) {
        seterr(err, "checkpoint for batch %s, which has no open intent", batch);
        return -1;
    }
    if (put_job(l, ob, checkpoint, err) < 0)
        return -1;
    return ec_journal_sync(l->w, err);
}

/* The open batch and position holding key, when its intent can be referenced. */
static const char *open_position(ec_ledger *l, const char *key, uint64_t h, size_t *pos)
{
    uint64_t v, intent;
    if (l->openkeys_stale) {
        ec_lmap_free(&l->openkeys);
        for (size_t i = 0; i < l->nopen; i++)
            openkeys_add(l, i);
        l->openkeys_stale = 0;
    }
    if (!ec_lmap_get(&l->openkeys, h, &v))
        return NULL;
    size_t bi = (size_t)(v >> 20), p = (size_t)(v & (EC_L_POS_MAX - 1));
    if (bi >= l->nopen || p >= l->open[bi].nkeys || strcmp(l->open[bi].keys[p], key) != 0)
        return NULL;
    ec_ledger_escape(&l->tmp, l->open[bi].id);
    if (!ec_lmap_get(&l->batches, batch_hash(l, 0, l->tmp.p, l->tmp.len), &intent) ||
        intent != l->open[bi].intent || intent == 0)
        return NULL;
    *pos = p;
    return l->open[bi].id;
}

int ec_ledger_result(ec_ledger *l, const char *key, const ec_outcome *o, ec_buf *err)
{
    if (!ec_ledger_utf8_ok(key, strlen(key))) {
        seterr(err, "result key is not valid UTF-8");
        return -1;
    }
    ec_ledger_escape(&l->esc, key);
    uint64_t h = ec_ledger_hash(l->esc.p, l->esc.len);
    size_t pos = 0;
    const char *batch = l->w ? open_position(l, key, h, &pos) : NULL;
    ec_jloc loc;
    ec_buf_clear(&l->out);
    ec_ledger_put_res(&l->out, l->esc.p, l->esc.len, batch, pos, o, now());
    if (append_out(l, &loc, err) < 0)
        return -1;
    ec_lindex_add(&l->idx, h, loc);
    l->count[EC_LT_RES]++;
    return 0;
}

int ec_ledger_done(ec_ledger *l, const char *batch, ec_buf *err)
{
    ec_lbatch *ob = find_open(l, batch);
    if (!ob) {
        seterr(err, "end of batch %s, which has no open intent", batch);
        return -1;
    }
    ec_buf_clear(&l->out);
    ec_buf_puts(&l->out, "{\"t\":\"done\",\"b\":");
    ec_json_put_cstr(&l->out, batch);
    ec_buf_putc(&l->out, '}');
    if (append_out(l, NULL, err) < 0)
        return -1;
    drop_open(l, ob);
    l->count[EC_LT_DONE]++;
    return 0;
}

int ec_ledger_sync(ec_ledger *l, ec_buf *err)
{
    if (!l->w) {
        seterr(err, "journal %s is open read-only", ec_journal_path(l->src[0].j));
        return -1;
    }
    return ec_journal_sync(l->w, err);
}

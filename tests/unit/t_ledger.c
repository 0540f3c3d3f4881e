/* t_ledger.c - journal semantics: latest result wins, max age, open
 * batches and their checkpoints, results naming their batch position,
 * compaction and merge (atomic, latest per key), stats.
 *
 * Also a measuring tool (not run by make check):
 *   t_ledger bench N FILE [batch]  write N answered rows the way a run does
 *   t_ledger replay FILE N [shuffle]  reopen and look every row up; prints
 *                                     time, bytes per row and peak RSS */
#include "config.h"
#include "ledger.h"
#include "ledger_int.h"
#include "tap.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zstd.h>
#include <unistd.h>

static char dir[256];

static char *path_in(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static ec_outcome mk(enum ec_status st, const char *email, const char *phone)
{
    ec_outcome o;
    memset(&o, 0, sizeof o);
    o.status = st;
    if (email)
        ec_values_add(&o.emails, email, strlen(email));
    if (phone)
        ec_values_add(&o.phones, phone, strlen(phone));
    return o;
}

static int result(ec_ledger *l, const char *key, enum ec_status st, const char *email)
{
    ec_outcome o = mk(st, email, NULL);
    if (st == EC_ST_FAILED)
        o.reason = ec_xstrdup("http_500");
    int rc = ec_ledger_result(l, key, &o, NULL);
    ec_outcome_clear(&o);
    return rc;
}

/* The first email of key's latest outcome, "" when it has none, NULL when unknown. */
static const char *email_of(ec_ledger *l, const char *key)
{
    static char buf[256];
    ec_outcome o;
    if (ec_ledger_find(l, key, 0, &o, NULL) != 1)
        return NULL;
    snprintf(buf, sizeof buf, "%s", o.emails.n ? o.emails.v[0] : "");
    ec_outcome_clear(&o);
    return buf;
}

/* Write raw records through the file layer (for chosen timestamps). */
static void raw_journal(const char *path, const char *const *recs)
{
    ec_journal *j = ec_journal_open(path, 0, NULL, NULL);
    for (; *recs; recs++)
        ec_journal_append(j, *recs, strlen(*recs), NULL);
    ec_journal_close(j, NULL);
}

static void test_find(void)
{
    ec_buf err = {0}, notes = {0};
    const char *p = path_in("find.zst");
    ec_ledger *l = ec_ledger_open(p, 0, &notes, &err);
    ok(l != NULL, "open creates: %s", err.p ? err.p : "");
    result(l, "k1", EC_ST_ENRICHED, "a@x.test");
    result(l, "k1", EC_ST_NOT_FOUND, NULL);
    result(l, "k2", EC_ST_FAILED, NULL);
    const char *odd = "quo\"te back\\slash\ttab \xc3\xbc"
                      "n\xc3\xaf"
                      "c\xf0\x9f\x98\x80 /";
    result(l, odd, EC_ST_ENRICHED, "odd@x.test");
    is_str(email_of(l, "k1"), "", "the latest result wins (before sync)");
    ok(ec_ledger_result(l, "bad\xff", &(ec_outcome){0}, &err) < 0,
       "an invalid UTF-8 key is refused");
    ec_outcome pp = mk(EC_ST_ENRICHED, NULL, NULL);
    pp.has_people = 1;
    pp.npeople = 2;
    pp.credits = 2.5;
    pp.people = ec_xcalloc(2, sizeof *pp.people);
    pp.people[0].id = ec_xstrdup("p1");
    pp.people[0].name = ec_xstrdup("Ana \"A\" Lee");
    pp.people[0].linkedin_url = ec_xstrdup("https://linkedin.com/in/ana");
    ec_values_add(&pp.people[0].emails, "ana@x.test", 10);
    ec_values_add(&pp.people[0].phones, "+1-555-0100", 11);
    pp.people[1].title = ec_xstrdup("CTO");
    pp.people[1].status = ec_xstrdup("revealed");
    ok(ec_ledger_result(l, "acct-9", &pp, &err) == 0, "people outcome appended");
    ok(ec_ledger_close(l, &err) == 0, "close");

    l = ec_ledger_open(p, 0, &notes, &err);
    is_str(email_of(l, "k1"), "", "latest wins after reopen");
    ec_outcome o;
    ok(ec_ledger_find(l, "k2", 0, &o, NULL) == 1 && o.status == EC_ST_FAILED && o.reason &&
           strcmp(o.reason, "http_500") == 0,
       "failure reason kept");
    ec_outcome_clear(&o);
    is_str(email_of(l, odd), "odd@x.test", "keys with quotes, escapes and UTF-8 round-trip");
    ok(email_of(l, "k3") == NULL && email_of(l, "k") == NULL, "unknown keys are not found");
    ok(ec_ledger_find(l, "acct-9", 0, &o, NULL) == 1 && o.has_people && o.npeople == 2 &&
           o.credits == 2.5 && strcmp(o.people[0].name, "Ana \"A\" Lee") == 0 &&
           o.people[0].emails.n == 1 && strcmp(o.people[0].phones.v[0], "+1-555-0100") == 0 &&
           strcmp(o.people[1].title, "CTO") == 0 && strcmp(o.people[1].status, "revealed") == 0,
       "people, their contacts and credits round-trip");
    ec_outcome_clear(&o);
    ec_outcome_clear(&pp);
    ec_ledger_close(l, NULL);
    ec_buf_free(&err);
    ec_buf_free(&notes);
}

/* Keys with one byte that needs escaping (or is not ASCII) at each position
 * of a 19-byte key: ec_ledger_find tells plain keys from the others eight
 * bytes at a time, so every position of a word and of the tail is tried. */
static void test_key_bytes(void)
{
    static const char *const odd[] = {"\"", "\\", "\t", "\x7f", "\x01", "\xc3\xa9"};
    ec_buf err = {0};
    const char *p = path_in("keybytes.zst");
    ec_ledger *l = ec_ledger_open(p, 0, NULL, &err);
    char key[64], mail[64];
    for (int pass = 0; pass < 2; pass++) {
        int bad = 0, n = 0;
        for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++)
            for (int at = 0; at < 19; at++, n++) {
                snprintf(key, sizeof key, "%.*s%s%.*s", at, "abcdefghijklmnopqrstuvwxyz", odd[k],
                         18 - at, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
                snprintf(mail, sizeof mail, "m%d@x.test", n);
                if (pass == 0)
                    bad += result(l, key, EC_ST_ENRICHED, mail) != 0;
                else {
                    const char *e = email_of(l, key);
                    bad += !e || strcmp(e, mail) != 0;
                }
            }
        for (int len = 0; len < 19; len++, n++) { /* and plain keys of each length */
            snprintf(key, sizeof key, "%.*s", len, "0123456789plainkey");
            snprintf(mail, sizeof mail, "m%d@x.test", n);
            if (pass == 0)
                bad += len > 0 && result(l, key, EC_ST_ENRICHED, mail) != 0;
            else if (len > 0) {
                const char *e = email_of(l, key);
                bad += !e || strcmp(e, mail) != 0;
            }
        }
        if (pass == 0) {
            ok(bad == 0 && ec_ledger_close(l, &err) == 0, "%d keys with an odd byte at each place",
               n);
            l = ec_ledger_open(p, 0, NULL, &err);
        } else {
            ok(bad == 0, "each found again after reopening, with its own answer (%d wrong)", bad);
        }
    }
    ec_ledger_close(l, NULL);
    ec_buf_free(&err);
}

/* ec_ledger_find looks a key up as it is when it needs no JSON escapes
 * (checked 16 or 8 bytes a step), else escaped: lookups in an order where
 * the next key is longer, shorter, equal, differs in its last byte, or
 * needs escapes (a quote, backslash, control byte, DEL or UTF-8 on either
 * side of a 16-byte step) where the last one did not (and back) each find
 * their own answer. */
static void test_key_runs(void)
{
    static const char *const keys[] = {
        "thehog|ep|linkedin_url=a/b",
        "thehog|ep|linkedin_url=a/b/c",
        "thehog|ep|linkedin_url=a",
        "thehog|ep|linkedin_url=a",
        "thehog|ep|linkedin_url=b",
        "thehog|ep|linkedin_url=a\"q",
        "thehog|ep|linkedin_url=a\"r",
        "thehog|ep|linkedin_url=ab",
        "thehog|ep|linkedin_url=\xc3\xa9",
        "thehog|ep|linkedin_url=\xc3",
        "thehog|ep|linkedin_url=\xc3\xa9x",
        "thehog|ep|linkedin_ur",
        "thehog|ep|linkedin_url=a/b/c/d/e/f/g/h/i/j/k",
        "thehog|ep|linkedin_url=a/b/c/d/e/f/g/h/i/j/l",
        "thehog|ep|linkedi\"_url=a",
        "thehog|ep|linked\\n_url=a",
        "thehog|ep|linkedin_url=0123456\x7f",
        "thehog|ep|linkedin_url=01234567\x01",
        "thehog|ep|linkedin_url=0123456789abcdef0123456\xc3\xa9",
        "thehog|ep|linkedin_url=0123456789abcdef0123456789\\",
        "thehog|ep|linkedin_url=0123456789abcdef0123456789",
    };
    enum { NK = sizeof keys / sizeof keys[0] };
    ec_buf err = {0};
    const char *p = path_in("keyruns.zst");
    ec_ledger *l = ec_ledger_open(p, 0, NULL, &err);
    char mail[32];
    for (size_t i = 0; i < NK; i++) {
        snprintf(mail, sizeof mail, "m%zu@x.test", i);
        if (i != 3 && i != 9) /* 3 repeats 2; 9 is not UTF-8 */
            result(l, keys[i], EC_ST_ENRICHED, mail);
    }
    ec_ledger_close(l, NULL);
    l = ec_ledger_open(p, 0, NULL, &err);
    int bad = 0;
    for (int round = 0; round < 2; round++) /* forwards, then backwards */
        for (size_t k = 0; k < NK; k++) {
            size_t i = round ? NK - 1 - k : k;
            const char *e = email_of(l, keys[i]);
            if (i == 9) {
                bad += e != NULL;
                continue;
            }
            snprintf(mail, sizeof mail, "m%zu@x.test", i == 3 ? (size_t)2 : i);
            bad += !e || strcmp(e, mail) != 0;
        }
    ok(bad == 0,
       "keys looked up one after another, sharing prefixes: each its own answer "
       "(%d wrong)",
       bad);
    ec_ledger_close(l, NULL);
    ec_buf_free(&err);
}

/* Intent and res records in another layout than ours (a journal passed
 * through a JSON tool, or written by an older version): spaces around the
 * keys, a key given in the res itself. Each result still finds its key. */
static void test_foreign_layout(void)
{
    const char *p = path_in("foreign.zst");
    const char *recs[] = {
        "{\"t\":\"hdr\",\"v\":1,\"tool\":\"enrichcsv 0.1.0\",\"created\":1}",
        "{\"t\": \"intent\", \"b\": \"x1\", \"keys\": [\"k1\", \"k\\\"2\"], \"idem\": null, "
        "\"ts\": 1}",
        "{\"t\":\"intent\",\"b\":\"x2\",\"keys\":[\"k3\", \"k4\" ,\"k5\"],\"idem\":null,\"ts\":1}",
        "{\"t\":\"intent\",\"b\":\"x3\",\"keys\":[\"k6\",\"k\\u0037\"],\"idem\":null,\"ts\":1}",
        "{\"t\": \"res\", \"b\": \"x1\", \"i\": 1, \"s\": \"enriched\", \"em\": [\"q@x.test\"], "
        "\"ts\": 1}",
        "{\"t\":\"res\",\"b\":\"x1\",\"i\":0,\"s\":\"enriched\",\"em\":[\"k1@x.test\"],\"ts\":1}",
        "{\"t\":\"res\",\"b\":\"x2\",\"i\":2,\"s\":\"enriched\",\"em\":[\"k5@x.test\"],\"ts\":1}",
        "{\"t\":\"res\",\"b\":\"x2\",\"i\":1,\"s\":\"not_found\",\"ts\":1}",
        "{\"t\":\"res\",\"b\":\"x3\",\"i\":1,\"s\":\"enriched\",\"em\":[\"k7@x.test\"],\"ts\":1}",
        "{\"t\":\"res\",\"k\":\"k8\",\"s\":\"enriched\",\"em\":[\"k8@x.test\"],\"ts\":1}",
        NULL,
    };
    raw_journal(p, recs);
    ec_buf err = {0};
    ec_ledger *l = ec_ledger_open(p, 0, NULL, &err);
    ok(l != NULL, "a journal in another layout opens: %s", err.p ? err.p : "");
    if (!l)
        return;
    is_str(email_of(l, "k1"), "k1@x.test", "compact res, spaced intent");
    is_str(email_of(l, "k\"2"), "q@x.test", "spaced res, escaped key");
    is_str(email_of(l, "k5"), "k5@x.test", "a space after a key: position 2 is still k5");
    is_str(email_of(l, "k4"), "", "and position 1 is k4");
    ok(email_of(l, "k3") == NULL && email_of(l, "k6") == NULL,
       "keys without a result are not found");
    is_str(email_of(l, "k7"), "k7@x.test", "a key written with a \\u escape");
    is_str(email_of(l, "k8"), "k8@x.test", "a result naming its key");
    ec_ledger_close(l, NULL);
    ec_buf_free(&err);
}

static void test_max_age(void)
{
    const char *p = path_in("age.zst");
    char fresh[128];
    snprintf(fresh, sizeof fresh, "{\"t\":\"res\",\"k\":\"new\",\"s\":\"not_found\",\"ts\":%lld}",
             (long long)time(NULL) - 86400);
    const char *recs[] = {
        "{\"t\":\"res\",\"k\":\"old\",\"s\":\"enriched\",\"em\":[\"o@x\"],\"ts\":1000}",
        fresh,
        "{\"t\":\"res\",\"k\":\"x\",\"s\":\"enriched\",\"ts\":5000}",
        "{\"t\":\"res\",\"k\":\"x\",\"s\":\"not_found\",\"ts\":4000}",
        "{ \"ts\": 7, \"s\": \"enriched\", \"t\": \"res\", \"k\": \"sp\\u0061ced\" }",
        "{\"t\":\"future\",\"what\":1}",
        NULL};
    raw_journal(p, recs);
    ec_ledger *l = ec_ledger_open(p, 0, NULL, NULL);
    ec_outcome o;
    double ts = 0;
    ok(ec_ledger_find(l, "old", 0, &o, &ts) == 1 && ts == 1000, "old result found without max-age");
    ec_outcome_clear(&o);
    ok(ec_ledger_find(l, "old", 30, &o, NULL) == 0, "older than max-age: unknown");
    ok(ec_ledger_find(l, "new", 30, &o, NULL) == 1 && o.status == EC_ST_NOT_FOUND,
       "newer than max-age: found");
    ec_outcome_clear(&o);
    ok(ec_ledger_find(l, "x", 0, &o, NULL) == 1 && o.status == EC_ST_NOT_FOUND,
       "within one journal the last written result wins");
    ec_outcome_clear(&o);
    ok(ec_ledger_find(l, "spaced", 0, &o, NULL) == 1,
       "a record with other key order, spaces and escapes is still indexed");
    ec_outcome_clear(&o);
    ec_ledger_close(l, NULL);
}

typedef struct seen {
    int n;
    char ids[4][32];
    char cp[4][32];
    char idem[4][32];
    size_t nkeys[4];
    char key0[4][32];
} seen;

static int see(void *ctx, const ec_open_batch *b)
{
    seen *s = ctx;
    if (s->n < 4) {
        snprintf(s->ids[s->n], 32, "%s", b->id);
        snprintf(s->cp[s->n], 32, "%s", b->checkpoint ? b->checkpoint : "(none)");
        snprintf(s->idem[s->n], 32, "%s", b->idem ? b->idem : "(none)");
        s->nkeys[s->n] = b->nkeys;
        snprintf(s->key0[s->n], 32, "%s", b->nkeys ? b->keys[0] : "");
    }
    s->n++;
    return 0;
}

static void test_batches(void)
{
    ec_buf err = {0};
    const char *p = path_in("batch.zst");
    const char *k123[] = {"k1", "k2", "k3"}, *k4[] = {"k4"};
    ec_ledger *l = ec_ledger_open(p, 0, NULL, &err);
    ok(ec_ledger_intent(l, "b1", k123, 3, "idem-1", &err) == 0, "intent synced");
    ok(ec_ledger_job(l, "b1", "job=42", &err) == 0, "checkpoint synced");
    result(l, "k1", EC_ST_ENRICHED, "k1@x");
    ok(ec_ledger_intent(l, "b2", k4, 1, NULL, &err) == 0, "second batch, no checkpoint");
    ok(ec_ledger_intent(l, "b1", NULL, 0, "idem-1b", &err) == 0,
       "repeated intent of an open batch");
    ok(ec_ledger_intent(l, "b2", k123, 3, NULL, &err) < 0,
       "repeated intent with other keys refused");
    ok(ec_ledger_job(l, "nope", "x", &err) < 0 && ec_ledger_done(l, "nope", &err) < 0,
       "checkpoint and end of an unknown batch refused");
    ec_ledger_close(l, NULL);

    l = ec_ledger_open(p, 0, NULL, &err);
    seen s = {0};
    ok(ec_ledger_open_batches(l, see, &s) == 2 && s.n == 2, "two open batches after reopen");
    ok(strcmp(s.ids[0], "b1") == 0 && strcmp(s.cp[0], "job=42") == 0 && s.nkeys[0] == 3 &&
           strcmp(s.key0[0], "k1") == 0 && strcmp(s.idem[0], "idem-1b") == 0,
       "b1: keys, last idempotency key and checkpoint: resume by polling");
    ok(strcmp(s.ids[1], "b2") == 0 && strcmp(s.cp[1], "(none)") == 0,
       "b2: no checkpoint: outcome unknown");
    is_str(email_of(l, "k1"), "k1@x", "a result naming its batch position resolves after reopen");
    result(l, "k2", EC_ST_ENRICHED, "k2@x");
    result(l, "k3", EC_ST_NOT_FOUND, NULL);
    ok(ec_ledger_done(l, "b1", &err) == 0, "done");
    ok(ec_ledger_intent(l, "b1", k4, 1, NULL, &err) < 0, "a batch id is never reused");
    ec_ledger_close(l, NULL);

    l = ec_ledger_open(p, 0, NULL, &err);
    memset(&s, 0, sizeof s);
    ok(ec_ledger_open_batches(l, see, &s) == 1 && strcmp(s.ids[0], "b2") == 0,
       "only b2 stays open");
    is_str(email_of(l, "k2"), "k2@x", "resumed batch results found");
    is_str(email_of(l, "k3"), "", "resumed batch not_found kept");
    ec_ledger_close(l, NULL);

    char cmd[1100];
    snprintf(cmd, sizeof cmd,
             "zstd -qdc '%s' | grep -c '^{\"t\":\"res\",\"b\":\"b1\",\"i\":[0-2],' > '%s'", p,
             path_in("count"));
    int rc = system(cmd);
    FILE *f = fopen(path_in("count"), "r");
    int n = 0;
    ok(rc == 0 && f && fscanf(f, "%d", &n) == 1 && n == 3,
       "results of an open batch are written as batch + position");
    if (f)
        fclose(f);
    ec_buf_free(&err);
}

/* A walk callback that ends every batch it is given, as a resume does. */
static int end_each(void *ctx, const ec_open_batch *b)
{
    ec_ledger *l = ctx;
    return ec_ledger_done(l, b->id, NULL) < 0;
}

static int count_each(void *ctx, const ec_open_batch *b)
{
    (void)b;
    (*(int *)ctx)++;
    return 0;
}

/* Ending batches while walking them must not skip any (a skipped open batch
 * is never resumed: its rows would be paid for again). */
/* How many zstd frames the file at path holds (-1: unreadable). */
static long frames_in(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    ec_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ec_buf_put(&b, chunk, n);
    fclose(f);
    long frames = 0;
    for (size_t at = 0; at < b.len; frames++) {
        size_t fl = ZSTD_findFrameCompressedSize(b.p + at, b.len - at);
        if (ZSTD_isError(fl)) {
            frames = -1;
            break;
        }
        at += fl;
    }
    ec_buf_free(&b);
    return frames;
}

/* ec_ledger_intent_cp: a batch's intent and its checkpoint go out as one
 * frame (one write), after what was pending, even when together they are
 * larger than a frame's usual size; a reopen finds both. */
static void test_intent_cp(void)
{
    ec_buf err = {0};
    const char *p = path_in("intentcp.zst");
    ec_ledger *l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && ec_ledger_sync(l, &err) == 0, "journal opened");
    long f0 = frames_in(p);
    enum { NK = 60 };
    char *keys[NK];
    for (int i = 0; i < NK; i++) {
        keys[i] = ec_xmalloc(1100);
        int w = snprintf(keys[i], 1100, "key-%d-", i);
        memset(keys[i] + w, 'k', (size_t)(1099 - w));
        keys[i][1099] = '\0';
    }
    char *cp = ec_xmalloc(40001);
    memset(cp, 'c', 40000);
    cp[40000] = '\0';
    result(l, "pending-before", EC_ST_NOT_FOUND, NULL); /* unsynced: flushed first */
    ok(ec_ledger_intent_cp(l, "big", (const char *const *)keys, NK, NULL, cp, &err) == 0,
       "a 66 KB intent and a 40 KB checkpoint journaled");
    long f1 = frames_in(p);
    is_int(f1 - f0, 2, "in two frames: what was pending, then intent and checkpoint together");
    const char *other[] = {"another-key"};
    ok(ec_ledger_intent_cp(l, "small", other, 1, NULL, NULL, &err) == 0 && frames_in(p) == f1 + 1,
       "no checkpoint: the intent alone, one frame");
    ec_ledger_close(l, NULL);
    l = ec_ledger_open(p, 0, NULL, &err);
    seen s = {0};
    ec_ledger_open_batches(l, see, &s);
    ok(s.n == 2 && strcmp(s.ids[0], "big") == 0 && s.nkeys[0] == NK &&
           strncmp(s.cp[0], "ccccc", 5) == 0 && strcmp(s.cp[1], "(none)") == 0,
       "reopened: the big batch with its keys and checkpoint, the other without one");
    is_str(email_of(l, "pending-before"), "", "the record pending before the intent is kept");
    ec_ledger_close(l, NULL);
    for (int i = 0; i < NK; i++)
        free(keys[i]);
    free(cp);
    ec_buf_free(&err);
}

static void test_end_while_walking(void)
{
    const char *p = path_in("walk.zst");
    ec_ledger *l = ec_ledger_open(p, 0, NULL, NULL);
    char id[16], key[16];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "w%d", i);
        snprintf(key, sizeof key, "wk%d", i);
        const char *keys[] = {key};
        ec_ledger_intent(l, id, keys, 1, NULL, NULL);
    }
    ec_ledger_close(l, NULL);
    l = ec_ledger_open(p, 0, NULL, NULL);
    ok(ec_ledger_open_batches(l, end_each, l) == 5, "five batches open at the walk's start");
    int n = 0;
    ec_ledger_open_batches(l, count_each, &n);
    is_int(n, 0, "ending each batch during the walk visits (and ends) all five");
    ec_ledger_close(l, NULL);
    l = ec_ledger_open(p, 0, NULL, NULL);
    is_int((int)ec_ledger_open_batches(l, NULL, NULL), 0, "none open after reopening");
    ec_ledger_close(l, NULL);
}

static void key_name(char *buf, size_t n, int i)
{
    snprintf(buf, n, "amplemarket|sandbox|email,phone|li=linkedin.com/in/person-%d", i);
}

/* n keys in batches of 100; each key answered `times` times (last: email v<times>). */
static void fill(const char *path, int n, int times, int open_batch)
{
    ec_buf err = {0};
    ec_ledger *l = ec_ledger_open(path, 0, NULL, &err);
    char keys[100][96], id[32], email[64];
    const char *kp[100];
    for (int t = 1; t <= times; t++)
        for (int b = 0; b * 100 < n; b++) {
            int m = n - b * 100 < 100 ? n - b * 100 : 100;
            for (int i = 0; i < m; i++) {
                key_name(keys[i], sizeof keys[i], b * 100 + i);
                kp[i] = keys[i];
            }
            snprintf(id, sizeof id, "r%d-%d", t, b);
            ec_ledger_intent(l, id, kp, (size_t)m, NULL, &err);
            for (int i = 0; i < m; i++) {
                snprintf(email, sizeof email, "p%d.v%d@x.test", b * 100 + i, t);
                result(l, keys[i], EC_ST_ENRICHED, email);
            }
            ec_ledger_done(l, id, &err);
        }
    if (open_batch) {
        const char *k[] = {"pending-key"};
        ec_ledger_intent(l, "open-1", k, 1, "idem-open", &err);
        ec_ledger_job(l, "open-1", "poll=/jobs/7", &err);
    }
    ec_ledger_close(l, &err);
    ec_buf_free(&err);
}

static int check_all(ec_ledger *l, int n, int version)
{
    char key[96], want[64];
    int bad = 0;
    for (int i = 0; i < n; i++) {
        key_name(key, sizeof key, i);
        snprintf(want, sizeof want, "p%d.v%d@x.test", i, version);
        const char *got = email_of(l, key);
        if (!got || strcmp(got, want) != 0)
            bad++;
    }
    for (int i = n; i < n + 500; i++) {
        key_name(key, sizeof key, i);
        if (email_of(l, key))
            bad++;
    }
    return bad;
}

static void test_many(void)
{
    const char *p = path_in("many.zst");
    fill(p, 20000, 1, 0);
    ec_ledger *l = ec_ledger_open(p, 0, NULL, NULL);
    ok(check_all(l, 20000, 1) == 0, "20000 keys found, 500 absent keys not found");
    ec_ledger_close(l, NULL);
}

/* Looking keys up in journal order takes a shortcut (the record after the
 * last one found); it must never return an answer a later record replaced. */
static void test_in_order(int spill)
{
    const char *p = path_in(spill ? "order-disk.zst" : "order-mem.zst");
    char key[96], want[64];
    ec_lindex_set_spill_min(spill ? 100 : 0);
    fill(p, 3000, 1, 0);
    ec_ledger *l = ec_ledger_open(p, 0, NULL, NULL);
    key_name(key, sizeof key, 1234);
    result(l, key, EC_ST_ENRICHED, "late@x.test");
    ec_ledger_close(l, NULL);
    l = ec_ledger_open(p, 0, NULL, NULL);
    int bad = 0;
    for (int pass = 0; pass < 2; pass++) { /* the second after a result of this run */
        for (int i = 0; i < 3000; i++) {
            key_name(key, sizeof key, i);
            snprintf(want, sizeof want, i == 1234 ? "late@x.test" : "p%d.v1@x.test", i);
            if (i == 2000 && pass == 1)
                snprintf(want, sizeof want, "now@x.test");
            const char *got = email_of(l, key);
            bad += !got || strcmp(got, want) != 0;
        }
        key_name(key, sizeof key, 2000);
        result(l, key, EC_ST_ENRICHED, "now@x.test");
    }
    ok(bad == 0, "%s index: keys looked up in journal order get their latest answers",
       spill ? "disk" : "memory");
    ec_ledger_close(l, NULL);
    ec_lindex_set_spill_min(0);
}

/* Journals above the spill threshold keep their index in a temporary file:
 * the same answers, this run's results found too, and nothing left behind. */
static void test_spill(void)
{
    const char *p = path_in("spill.zst");
    ec_lindex_set_spill_min(1000);
    fill(p, 5000, 2, 1);
    ec_ledger *l = ec_ledger_open(p, 0, NULL, NULL);
    ok(l && l->idx.disk != NULL, "a journal above the threshold gets a disk index");
    ok(ec_lindex_bytes(&l->idx) < 64 * 1024, "its memory tables stay small (%llu bytes)",
       (unsigned long long)ec_lindex_bytes(&l->idx));
    ok(check_all(l, 5000, 2) == 0, "every key answered twice: the newer answer, from disk");
    result(l, "amplemarket|sandbox|email,phone|li=linkedin.com/in/person-7", EC_ST_ENRICHED,
           "newest@x.test");
    result(l, "brand-new-key", EC_ST_NOT_FOUND, NULL);
    is_str(email_of(l, "amplemarket|sandbox|email,phone|li=linkedin.com/in/person-7"),
           "newest@x.test", "a result of this run beats the one on disk");
    is_str(email_of(l, "brand-new-key"), "", "a new key of this run is found");
    ec_ledger_close(l, NULL);
    l = ec_ledger_open(p, 0, NULL, NULL);
    is_str(email_of(l, "amplemarket|sandbox|email,phone|li=linkedin.com/in/person-7"),
           "newest@x.test", "and after reopening");
    ec_ledger_close(l, NULL);
    ec_buf out = {0}, err = {0};
    ok(ec_ledger_compact(p, 0, NULL, &err) == 0 && ec_ledger_stats(p, 0, &out, &err) == 0 &&
           strstr(out.p, "keys: 5001\n") != NULL,
       "compaction and stats through the disk index: 5001 keys");
    l = ec_ledger_open(p, 0, NULL, NULL);
    ok(strcmp(email_of(l, "amplemarket|sandbox|email,phone|li=linkedin.com/in/person-7"),
              "newest@x.test") == 0 &&
           strcmp(email_of(l, "amplemarket|sandbox|email,phone|li=linkedin.com/in/person-8"),
                  "p8.v2@x.test") == 0,
       "compaction kept the latest answers");
    ec_ledger_close(l, NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q enrichcsv-index", dir);
    ok(system(cmd) != 0, "no index file is left in the journal's directory");
    ec_lindex_set_spill_min(0);
    ec_buf_free(&out);
    ec_buf_free(&err);
}

static void copy_file(const char *from, const char *to)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    if (system(cmd) != 0)
        printf("# cp failed\n");
}

static void flip_byte(const char *path, long at)
{
    int fd = open(path, O_RDWR);
    unsigned char c;
    if (fd >= 0 && pread(fd, &c, 1, at) == 1) {
        c ^= 0x20;
        if (pwrite(fd, &c, 1, at) != 1)
            printf("# pwrite failed\n");
    }
    if (fd >= 0)
        close(fd);
}

/* A large journal gets a snapshot of its index beside it (JOURNAL.idx): the
 * next writable open replays only what came after it, with the same
 * answers, open batches and counts; a snapshot that no longer matches the
 * journal, or is damaged, is ignored and written anew; a journal damaged
 * inside what the snapshot covers is still refused. */
static void test_snapshot(void)
{
    char p[512], idx[512], good[512], victim[512], tmpidx[512]; /* path_in's are reused */
    snprintf(p, sizeof p, "%s", path_in("snap.zst"));
    snprintf(idx, sizeof idx, "%s", path_in("snap.zst.idx"));
    snprintf(good, sizeof good, "%s", path_in("snap-good.zst"));
    snprintf(victim, sizeof victim, "%s", path_in("victim.txt"));
    snprintf(tmpidx, sizeof tmpidx, "%s", path_in("snap.zst.idx.tmp"));
    ec_buf err = {0}, st1 = {0}, st2 = {0};
    ec_lindex_set_spill_min(1000);
    fill(p, 3000, 2, 1);
    ec_ledger *l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_used == 0 && l->snap_written == (uint64_t)file_size(p) &&
           file_size(idx) > 3000 * 8,
       "a full replay writes a snapshot of the whole journal (%ld bytes)", file_size(idx));
    ec_ledger_close(l, NULL);
    ok(ec_ledger_stats(p, 0, &st1, &err) == 0, "stats before");
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_used == (uint64_t)file_size(p) && l->snap_written == 0,
       "the next open takes the snapshot and writes none");
    ok(l && check_all(l, 3000, 2) == 0, "every key: its latest answer, through the snapshot");
    seen s = {0};
    ok(l && ec_ledger_open_batches(l, see, &s) == 1 && strcmp(s.cp[0], "poll=/jobs/7") == 0 &&
           strcmp(s.idem[0], "idem-open") == 0 && strcmp(s.key0[0], "pending-key") == 0,
       "the open batch with its keys, idempotency key and checkpoint");
    char key[96];
    key_name(key, sizeof key, 7);
    result(l, key, EC_ST_ENRICHED, "later@x.test");
    result(l, "snap-new-key", EC_ST_NOT_FOUND, NULL);
    is_str(email_of(l, key), "later@x.test", "this run's answer beats the snapshot's");
    ec_ledger_close(l, NULL);
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_used > 0 && l->snap_used < (uint64_t)file_size(p),
       "after more results: the snapshot, and the records after it replayed");
    ok(l && strcmp(email_of(l, key), "later@x.test") == 0 && email_of(l, "snap-new-key") &&
           *email_of(l, "snap-new-key") == 0,
       "those records' answers are found");
    key_name(key, sizeof key, 8);
    ok(l && strcmp(email_of(l, key), "p8.v2@x.test") == 0, "and the snapshot's");
    ec_ledger_close(l, NULL);
    ec_buf_clear(&st1);
    ok(ec_ledger_stats(p, 0, &st1, &err) == 0 && strstr(st1.p, "keys: 3001\n") &&
           strstr(st1.p, "open batches: 1\n"),
       "stats agree (read-only opens replay all)");
    copy_file(p, good);

    /* damage inside the covered prefix: refused as without a snapshot */
    flip_byte(p, file_size(p) / 3);
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l == NULL && err.p && strstr(err.p, "at byte"),
       "a journal damaged inside what the snapshot covers is refused: %s", err.p ? err.p : "");
    ec_ledger_close(l, NULL);
    copy_file(good, p);

    /* a damaged or cut snapshot is ignored and written anew */
    flip_byte(idx, file_size(idx) / 2);
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_used == 0 && l->snap_written > 0,
       "a damaged snapshot is ignored, and replaced");
    key_name(key, sizeof key, 8);
    ok(l && strcmp(email_of(l, key), "p8.v2@x.test") == 0, "answers from the full replay");
    ec_ledger_close(l, NULL);
    flip_byte(idx, 9); /* the description's length */
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_used == 0 && l->snap_written > 0, "so is one with a damaged length");
    ec_ledger_close(l, NULL);
    if (truncate(idx, file_size(idx) - 9) != 0)
        printf("# truncate failed\n");
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_used == 0 && l->snap_written > 0, "a cut snapshot is ignored, and replaced");
    ec_ledger_close(l, NULL);

    /* a journal that no longer starts with the covered bytes */
    copy_file(idx, good);
    ok(ec_ledger_compact(p, 0, NULL, &err) == 0 && file_size(idx) < 0,
       "compacted: the snapshot of the old file is removed");
    copy_file(good, idx); /* as if the removal had failed */
    l = ec_ledger_open(p, 0, NULL, &err);
    key_name(key, sizeof key, 7);
    ok(l && l->snap_used == 0 && l->snap_written > 0 &&
           strcmp(email_of(l, key), "later@x.test") == 0,
       "after compaction the old snapshot does not match: full replay, new snapshot");
    ec_ledger_close(l, NULL);

    /* a FIFO in the snapshot's place is not waited on; a link planted as
     * its temporary file is not written through */
    unlink(idx);
    ok(mkfifo(idx, 0600) == 0, "a FIFO where the snapshot goes");
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_used == 0, "is ignored (the open returns)");
    ec_ledger_close(l, NULL);
    unlink(idx);
    int vfd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ok(vfd >= 0 && write(vfd, "keep", 4) == 4 && close(vfd) == 0 && symlink(victim, tmpidx) == 0,
       "a symlink planted as the snapshot's temporary file");
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_written > 0 && file_size(victim) == 4 && file_size(idx) > 0,
       "the snapshot is written, the link's target untouched");
    ec_ledger_close(l, NULL);

    /* read-only opens and EC_L_NO_SNAPSHOT neither use nor write one */
    l = ec_ledger_open(p, EC_J_READONLY, NULL, &err);
    ok(l && l->snap_used == 0 && l->snap_written == 0, "a read-only open replays all");
    ec_ledger_close(l, NULL);
    unlink(idx);
    l = ec_ledger_open(p, EC_L_NO_SNAPSHOT, NULL, &err);
    ok(l && l->snap_used == 0 && l->snap_written == 0 && file_size(idx) < 0,
       "EC_L_NO_SNAPSHOT: none written");
    ec_ledger_close(l, NULL);
    ec_lindex_set_spill_min(0);
    ec_buf_free(&err);
    ec_buf_free(&st1);
    ec_buf_free(&st2);
}

/* A hash with the given shard (8 bits), fingerprint (18) and check bits
 * (32), laid out as ledger_index.c reads them. */
static uint64_t hash_of(unsigned shard, uint32_t fp, uint32_t check)
{
    return (uint64_t)shard << 56 | (uint64_t)(check >> 20 & 0xfff) << 38 |
           (uint64_t)(fp & 0x3ffff) << 20 | (check & 0xfffff);
}

/* The disk index knows 32 more bits of each entry's hash than its slots
 * hold: two keys that only share a fingerprint are each unique (a replay in
 * journal order needs no probe of the disk tables for them), two records of
 * one key are not, and entries spilled from memory, whose extra bits are
 * unknown, are never taken for unique when another shares their
 * fingerprint. The tables are built in groups of shards after sorting the
 * log by group: every entry is found again. */
static void test_index_unique(void)
{
    ec_lindex x;
    uint64_t got[8];
    uint64_t a = hash_of(7, 1234, 0xaaaa), b = hash_of(7, 1234, 0xbbbbbbb), c = hash_of(9, 777, 5),
             lone = hash_of(200, 99, 1);
    ec_lindex_set_spill_min(4);
    ec_lindex_set_build_bytes(64); /* a group per shard, sorted through 8-entry buffers */
    ec_lindex_init(&x, 100, dir);
    ok(x.disk != NULL, "an index expecting 100 entries goes to disk");
    ec_lindex_add(&x, a, 10);
    ec_lindex_add(&x, b, 11);
    ec_lindex_add(&x, c, 12);
    ec_lindex_add(&x, c, 13);
    ec_lindex_add(&x, lone, 14);
    for (uint64_t i = 0; i < 20000; i++) /* spread over every shard */
        ec_lindex_add(&x, ec_ledger_hash(&i, sizeof i), 100 + i);
    ok(ec_lindex_seal(&x) == 0 && x.disk, "sealed on disk");
    ok(ec_lindex_unique(&x, a) && ec_lindex_unique(&x, b),
       "two keys sharing shard and fingerprint are each unique");
    ok(!ec_lindex_unique(&x, c), "a key with two entries is not");
    ok(ec_lindex_unique(&x, lone), "a lone key is");
    size_t n = ec_lindex_find(&x, a, got, 8);
    ok(n == 2 && ((got[0] == 10 && got[1] == 11) || (got[0] == 11 && got[1] == 10)),
       "both stay candidates of either hash (%zu)", n);
    int lost = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        uint64_t h = ec_ledger_hash(&i, sizeof i);
        size_t k = ec_lindex_find(&x, h, got, 8), hit = 0;
        for (size_t j = 0; j < k && j < 8; j++)
            hit |= got[j] == 100 + i;
        lost += !hit;
    }
    ok(lost == 0, "20000 entries built in groups of shards are all found (%d lost)", lost);
    ec_lindex_free(&x);

    ec_lindex_set_spill_min(5);
    ec_lindex_init(&x, 0, dir); /* in memory first, spilled by the 5th entry */
    uint64_t lone2 = hash_of(201, 98, 2);
    ec_lindex_add(&x, a, 10);
    ec_lindex_add(&x, b, 11);
    ec_lindex_add(&x, hash_of(9, 777, 6), 12);
    ec_lindex_add(&x, lone2, 13);
    ok(x.disk == NULL, "four entries stay in memory");
    ec_lindex_add(&x, lone, 14);
    ec_lindex_add(&x, c, 15);
    ok(x.disk != NULL && ec_lindex_seal(&x) == 0, "the fifth spills them to disk; sealed");
    ok(!ec_lindex_unique(&x, a) && !ec_lindex_unique(&x, b),
       "spilled entries (extra bits unknown) sharing a fingerprint are not unique");
    ok(!ec_lindex_unique(&x, c), "nor is one sharing it with a spilled entry");
    ok(ec_lindex_unique(&x, lone) && ec_lindex_unique(&x, lone2),
       "lone entries are, spilled or not");
    ec_lindex_free(&x);
    ec_lindex_set_build_bytes(0);
    ec_lindex_set_spill_min(0);
}

static void test_compact(void)
{
    ec_buf err = {0}, notes = {0}, st = {0};
    const char *p = path_in("compact.zst"), *tmp = path_in("compact.zst.tmp");
    fill(p, 3000, 3, 1);
    long before = file_size(p);
    int fd = open(tmp, O_WRONLY | O_CREAT, 0600); /* a crash before rename left this */
    ok(fd >= 0 && write(fd, "junk", 4) == 4, "stale .tmp planted");
    close(fd);
    ec_ledger *l = ec_ledger_open(p, EC_J_READONLY, NULL, &err);
    ok(l && check_all(l, 3000, 3) == 0 && access(tmp, F_OK) == 0,
       "a leftover .tmp is ignored: the original is intact");
    ec_ledger_close(l, NULL);
    ok(ec_ledger_compact(p, 0, &notes, &err) == 0, "compact: %s", err.p ? err.p : "");
    ok(access(tmp, F_OK) < 0, "no .tmp left");
    ok(file_size(p) < before / 2, "compacted %ld -> %ld bytes", before, file_size(p));
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(check_all(l, 3000, 3) == 0, "latest result of every key kept");
    seen s = {0};
    ok(ec_ledger_open_batches(l, see, &s) == 1 && strcmp(s.cp[0], "poll=/jobs/7") == 0 &&
           strcmp(s.idem[0], "idem-open") == 0 && strcmp(s.key0[0], "pending-key") == 0,
       "the open batch survives with keys, idempotency key and checkpoint");
    ec_ledger_close(l, NULL);
    ok(ec_ledger_stats(p, 0, &st, &err) == 0 && strstr(st.p, "\nkeys: 3000\n") &&
           strstr(st.p, "res 3000,") && strstr(st.p, "open batches: 1\n"),
       "stats after compaction");
    ec_buf_clear(&st);
    fill(path_in("stats.zst"), 500, 2, 0);
    ok(ec_ledger_stats(path_in("stats.zst"), 0, &st, &err) == 0 && strstr(st.p, "\nkeys: 500\n") &&
           strstr(st.p, "res 1000,") && strstr(st.p, "outcomes: enriched 500,") &&
           strstr(st.p, "bytes per key: "),
       "stats: records by type, distinct keys, outcomes");
    for (char *line = strtok(st.p, "\n"); line; line = strtok(NULL, "\n"))
        printf("# %s\n", line);
    ec_buf_free(&err);
    ec_buf_free(&notes);
    ec_buf_free(&st);
}

static void test_merge(void)
{
    ec_buf err = {0}, notes = {0};
    const char *a = path_in("a.zst"), *b = path_in("b.zst"), *c = path_in("c.zst");
    const char *ra[] = {
        "{\"t\":\"res\",\"k\":\"k1\",\"s\":\"enriched\",\"em\":[\"old@x\"],\"ts\":1000}",
        "{\"t\":\"res\",\"k\":\"s\",\"s\":\"enriched\",\"em\":[\"a-newer@x\"],\"ts\":3000}", NULL};
    const char *rb[] = {
        "{\"t\":\"res\",\"k\":\"k1\",\"s\":\"enriched\",\"em\":[\"new@x\"],\"ts\":2000}",
        "{\"t\":\"res\",\"k\":\"s\",\"s\":\"enriched\",\"em\":[\"b-older@x\"],\"ts\":2000}",
        "{\"t\":\"res\",\"k\":\"only-b\",\"s\":\"not_found\",\"ts\":5}", NULL};
    raw_journal(a, ra);
    raw_journal(b, rb);
    ec_ledger *l = ec_ledger_open(a, 0, NULL, &err);
    const char *k[] = {"inflight"};
    ec_ledger_intent(l, "shard-a-1", k, 1, NULL, &err);
    ec_ledger_close(l, NULL);
    const char *in[] = {a, b};
    ok(ec_ledger_merge(in, 2, c, 0, &notes, &err) == 0, "merge two shards: %s", err.p ? err.p : "");
    l = ec_ledger_open(c, 0, NULL, &err);
    is_str(email_of(l, "k1"), "new@x", "per key the latest ts wins (later input)");
    is_str(email_of(l, "s"), "a-newer@x", "per key the latest ts wins (earlier input)");
    is_str(email_of(l, "only-b"), "", "keys of every input kept");
    ok(ec_ledger_open_batches(l, NULL, NULL) == 1, "open batches kept");
    ec_ledger_close(l, NULL);
    const char *in2[] = {b, a};
    ok(ec_ledger_merge(in2, 1, a, 0, &notes, &err) == 0, "merge into an existing journal");
    l = ec_ledger_open(a, 0, NULL, &err);
    ok(email_of(l, "only-b") && strcmp(email_of(l, "k1"), "new@x") == 0 &&
           strcmp(email_of(l, "s"), "a-newer@x") == 0 && ec_ledger_open_batches(l, NULL, NULL) == 1,
       "out is an input too: nothing of it is lost");
    ec_ledger_close(l, NULL);
    ok(ec_ledger_merge(in2, 2, a, 0, &notes, &err) == 0, "out may also be listed as an input");
    ec_journal *hold = ec_journal_open(c, 0, NULL, &err);
    ok(ec_ledger_merge(in, 2, c, 0, &notes, &err) < 0 && strstr(err.p, " is in use by "),
       "merge refuses an out journal another writer holds");
    ec_journal_close(hold, NULL);
    ec_buf_free(&err);
    ec_buf_free(&notes);
}

/* ------------------------------------------------------------------ bench */

static const char *const firsts[] = {"ana",  "ben",  "chloe", "dev", "emma", "farid",
                                     "gina", "hugo", "ines",  "jon", "kai",  "lena",
                                     "mo",   "nina", "omar",  "pia"};
static const char *const lasts[] = {"smith",  "garcia", "chen",  "okafor", "novak",
                                    "haddad", "costa",  "singh", "brown",  "kim",
                                    "rossi",  "muller", "silva", "ivanova"};

static void bench_row(int i, char *key, size_t kn, char *email, size_t en, char *phone, size_t pn)
{
    uint64_t h = (uint64_t)i * 0x9e3779b97f4a7c15ull;
    const char *f = firsts[(h >> 20) % 16], *l = lasts[(h >> 30) % 14];
    snprintf(key, kn, "amplemarket|sandbox|email,phone|linkedin_url=linkedin.com/in/%s-%s-%d", f, l,
             i);
    snprintf(email, en, "%s.%s@example.com", f, l);
    snprintf(phone, pn, "+1-555-01%02u", (unsigned)((h >> 40) % 100));
}

/* CPU seconds used by this process (the machine may be busy: wall time lies). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static int bench(int n, const char *path, int bs)
{
    ec_buf err = {0};
    unlink(path);
    ec_ledger *l = ec_ledger_open(path, 0, NULL, &err);
    char(*keys)[128] = ec_xcalloc((size_t)bs, sizeof *keys);
    const char **kp = ec_xcalloc((size_t)bs, sizeof *kp);
    char email[96], phone[32], id[32];
    double t0 = now_s();
    for (int b = 0; b * bs < n; b++) {
        int m = n - b * bs < bs ? n - b * bs : bs;
        for (int i = 0; i < m; i++) {
            bench_row(b * bs + i, keys[i], sizeof keys[i], email, sizeof email, phone,
                      sizeof phone);
            kp[i] = keys[i];
        }
        snprintf(id, sizeof id, "run1-%d", b);
        ec_ledger_intent(l, id, kp, (size_t)m, NULL, &err);
        ec_ledger_job(l, id, "{\"id\":\"job-0123456789abcdef\",\"stage\":1}", &err);
        for (int i = 0; i < m; i++) {
            bench_row(b * bs + i, keys[i], sizeof keys[i], email, sizeof email, phone,
                      sizeof phone);
            ec_outcome o = mk(EC_ST_ENRICHED, email, phone);
            o.credits = 1;
            ec_ledger_result(l, keys[i], &o, &err);
            ec_outcome_clear(&o);
        }
        ec_ledger_done(l, id, &err);
        ec_ledger_sync(l, &err);
    }
    ec_ledger_close(l, &err);
    printf("wrote %d rows in %.2fs CPU: %ld bytes, %.2f bytes/row\n", n, now_s() - t0,
           file_size(path), (double)file_size(path) / n);
    free(keys);
    free(kp);
    ec_buf_free(&err);
    return 0;
}

static int replay(const char *path, int n, int shuffle)
{
    ec_buf err = {0};
    double t0 = now_s();
    ec_ledger *l = ec_ledger_open(path, 0, NULL, &err);
    if (!l) {
        printf("open: %s\n", err.p);
        return 1;
    }
    double t1 = now_s();
    long open_kb = peak_kb();
    char key[128], email[96], phone[32];
    int found = 0;
    for (int k = 0; k < n; k++) {
        int i = shuffle ? (int)(((uint64_t)k * 2654435761u) % (uint64_t)n) : k;
        bench_row(i, key, sizeof key, email, sizeof email, phone, sizeof phone);
        ec_outcome o;
        if (ec_ledger_find(l, key, 0, &o, NULL) == 1 && o.emails.n &&
            strcmp(o.emails.v[0], email) == 0)
            found++;
        ec_outcome_clear(&o);
    }
    double t2 = now_s();
    printf("replay %d rows (%s), CPU time: open %.2fs, %d found in %.2fs (%.2f us/find), peak RSS "
           "%ld KiB "
           "(after open %ld KiB), %.2f bytes/row on disk\n",
           n, shuffle ? "shuffled" : "in order", t1 - t0, found, t2 - t1, (t2 - t1) * 1e6 / n,
           peak_kb(), open_kb, (double)file_size(path) / n);
    ec_ledger_close(l, NULL);
    ec_buf_free(&err);
    return found == n ? 0 : 1;
}

/* Results of many batches open at once, interleaved: at open, the replay
 * reads evicted intents back from frames it has just checked. */
static void test_interleaved(void)
{
    const char *p = path_in("interleaved.zst");
    enum { NB = 12, PER = 40 };
    ec_ledger *l = ec_ledger_open(p, 0, NULL, NULL);
    char keys[NB][PER][48];
    const char *kp[PER];
    for (int b = 0; b < NB; b++) {
        char id[16];
        for (int i = 0; i < PER; i++) {
            snprintf(keys[b][i], sizeof keys[b][i], "p|e|ep|email=b%d-%d@x.io", b, i);
            kp[i] = keys[b][i];
        }
        snprintf(id, sizeof id, "batch%d", b);
        ec_ledger_intent(l, id, kp, PER, NULL, NULL);
    }
    for (int i = 0; i < PER; i++) /* one result of each batch in turn */
        for (int b = 0; b < NB; b++) {
            char email[48];
            snprintf(email, sizeof email, "r%d-%d@y.io", b, i);
            result(l, keys[b][i], EC_ST_ENRICHED, email);
            if ((i * NB + b) % 97 == 0)
                ec_journal_flush(ec_ledger_journal(l), NULL); /* many small frames */
        }
    ec_ledger_close(l, NULL);
    ec_buf notes = {0};
    l = ec_ledger_open(p, 0, &notes, NULL);
    int good = 0;
    for (int b = 0; l && b < NB; b++)
        for (int i = 0; i < PER; i++) {
            char email[48];
            snprintf(email, sizeof email, "r%d-%d@y.io", b, i);
            const char *got = email_of(l, keys[b][i]);
            good += got && strcmp(got, email) == 0;
        }
    is_int(good, NB * PER, "interleaved batches: every result found after a reopen");
    ok(!notes.len, "interleaved batches: no orphaned result (%s)", notes.p ? notes.p : "");
    is_int(l ? (long long)ec_ledger_open_batches(l, NULL, NULL) : -1, NB,
           "interleaved batches: all still open");
    ec_ledger_close(l, NULL);
    ec_buf_free(&notes);
}

/* Values parsed from a res record share one allocation; they still grow,
 * copy and free like any list (ASan checks the frees). */
static void test_parse_values(void)
{
    static const char rec[] = "{\"t\":\"res\",\"k\":\"k1\",\"s\":\"enriched\",\"em\":[\"a@x.io\","
                              "\"b@x.io\"],\"ph\":[\"+1 555\"],\"ts\":1700000000}";
    ec_outcome o, c;
    double ts = 0;
    is_int(ec_ledger_parse_res(rec, strlen(rec), &o, &ts), 0, "parse: a res record");
    ok(o.emails.n == 2 && strcmp(o.emails.v[1], "b@x.io") == 0 && o.phones.n == 1 &&
           strcmp(o.phones.v[0], "+1 555") == 0 && ts == 1700000000.0,
       "parse: its values and ts");
    ok(o.emails.packed, "parse: the values in one allocation");
    ec_outcome_copy(&c, &o);
    ec_values_add(&o.emails, "c@x.io", 6);
    ok(!o.emails.packed && o.emails.n == 3 && strcmp(o.emails.v[0], "a@x.io") == 0 &&
           strcmp(o.emails.v[2], "c@x.io") == 0,
       "parse: a packed list grows (unpacked first)");
    ok(c.emails.n == 2 && strcmp(c.emails.v[0], "a@x.io") == 0, "parse: and copies");
    ec_outcome_clear(&o);
    ec_outcome_clear(&c);
    static const char esc[] =
        "{\"t\":\"res\",\"k\":\"k1\",\"s\":\"enriched\",\"em\":[\"a\\\"q@x.io\"],"
        "\"ts\":1}";
    is_int(ec_ledger_parse_res(esc, strlen(esc), &o, NULL), 0, "parse: an escaped value");
    is_str(o.emails.n ? o.emails.v[0] : "", "a\"q@x.io", "parse: decoded");
    ec_outcome_clear(&o);
}

/* ---- res and intent records: the fast parsers against expected values and
 * the general (jsmn) one */

/* A parse's result as one line: "-1", or the status text, how many values
 * and which, credits and time (and people, when it fans out). */
static const char *res_desc(ec_buf *b, int rc, const ec_outcome *o, double ts)
{
    ec_buf_clear(b);
    if (rc != 0) {
        ec_buf_puts(b, "-1");
        return b->p;
    }
    ec_status_text(o, b);
    const ec_values *vs[2] = {&o->emails, &o->phones};
    for (int k = 0; k < 2; k++) {
        ec_buf_printf(b, " %s=%zu[", k ? "ph" : "em", vs[k]->n);
        for (size_t i = 0; i < vs[k]->n; i++)
            ec_buf_printf(b, "%s%s", i ? "|" : "", vs[k]->v[i]);
        ec_buf_putc(b, ']');
    }
    ec_buf_printf(b, " c=%.17g ts=%.17g", o->credits, ts);
    if (o->has_people)
        ec_buf_printf(b, " pp=%zu", o->npeople);
    return b->p;
}

/* What ec_ledger_parse_res makes of rec's len bytes (a NUL after them, as a
 * record lies in a larger buffer); general: through jsmn only, by starting
 * the record "{ " instead of "{". */
static const char *res_parse(ec_buf *b, const char *rec, size_t len, int general)
{
    ec_buf in = {0};
    if (general && len) {
        ec_buf_puts(&in, "{ ");
        ec_buf_put(&in, rec + 1, len - 1);
    } else {
        ec_buf_put(&in, rec, len);
    }
    ec_outcome o;
    double ts = -1;
    int rc = ec_ledger_parse_res(in.p, in.len, &o, &ts);
    res_desc(b, rc, &o, ts);
    ec_outcome_clear(&o);
    ec_buf_free(&in);
    return b->p;
}

/* rec reads as want through ec_ledger_parse_res and through
 * ec_ledger_parse_res_body from where a lookup starts it (after its key or
 * batch position) and from past its end; else the first difference seen
 * goes to why. */
static int res_parses_as(const char *rec, size_t len, const char *want, ec_buf *why)
{
    ec_buf got = {0}, in = {0};
    ec_buf_put(&in, rec, len);
    const char *s, *p = NULL;
    size_t n;
    unsigned long pos;
    if (ec_ledger_str_after(in.p, len, EC_L_RES_K, &s, &n) == 0)
        p = s + n + 1;
    else if (ec_ledger_str_after(in.p, len, EC_L_RES_B, &s, &n) == 0)
        p = ec_ledger_res_pos(s + n, in.p + len, &pos);
    int same = strcmp(res_parse(&got, in.p, len, 0), want) == 0;
    for (int k = 0; k < 2 && same; k++) {
        ec_outcome o;
        double ts = -1;
        size_t body = p && !k ? (size_t)(p - in.p) : len + 1;
        int rc = ec_ledger_parse_res_body(in.p, len, body, &o, &ts);
        same = strcmp(res_desc(&got, rc, &o, ts), want) == 0;
        ec_outcome_clear(&o);
    }
    if (!same && !why->len)
        ec_buf_printf(why, "%.*s: got '%s', want '%s'", (int)len, rec, got.p, want);
    ec_buf_free(&got);
    ec_buf_free(&in);
    return same;
}

/* Records of our layout and of others, and ones that are not JSON but that
 * the fast parser takes as they come: each after a batch position and after
 * a key. */
static void test_parse_cases(void)
{
    static const struct {
        const char *body, *want;
    } cases[] = {
        {",\"s\":\"enriched\",\"em\":[\"ana.haddad@example.org\"],\"ph\":[\"+1-555-0198\"],"
         "\"ts\":1795450347}",
         "enriched em=1[ana.haddad@example.org] ph=1[+1-555-0198] c=0 ts=1795450347"},
        {",\"s\":\"not_found\",\"ts\":1795450347}", "not_found em=0[] ph=0[] c=0 ts=1795450347"},
        {",\"s\":\"skipped:no_identifier\",\"ts\":1}",
         "skipped:no_identifier em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"skipped:credits\",\"c\":2,\"ts\":1}", "skipped:credits em=0[] ph=0[] c=2 ts=1"},
        {",\"s\":\"failed:http_500\",\"ts\":1}", "failed:http_500 em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"failed:\",\"ts\":1}", "failed: em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"failed\",\"ts\":1}", "-1"},
        {",\"s\":\"Enriched\",\"ts\":1}", "-1"},
        {",\"s\":\"enriched \",\"ts\":1}", "-1"},
        {",\"s\":\"enriche\",\"ts\":1}", "-1"},
        {",\"s\":\"skipped:credit\",\"ts\":1}", "-1"},
        {",\"s\":\"\",\"ts\":1}", "-1"},
        {",\"s\":1,\"ts\":1}", "-1"},
        /* escapes in the status: decoded, read up to a NUL */
        {",\"s\":\"en\\u0072iched\",\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\\u0000x\",\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"failed:a\\u0000b\",\"ts\":1}", "failed:a em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"failed:\\\"q\\\\\",\"ts\":1}", "failed:\"q\\ em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"failed:x\\,\"ts\":1}", "-1"},
        /* values: escaped, many, empty, none */
        {",\"s\":\"enriched\",\"em\":[\"a\\\"q@x.io\",\"b\\\\c\",\"caf\\u00e9\",\"x\\/y\","
         "\"n\\nl\"],\"ts\":1}",
         "enriched em=5[a\"q@x.io|b\\c|caf\xc3\xa9|x/y|n\nl] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"a\\u0000b\",\"\\\\\"],\"ts\":1}",
         "enriched em=2[a|\\] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\"],\"ph\":["
         "\"\"],"
         "\"ts\":1}",
         "enriched em=8[1|2|3|4|5|6|7|8] ph=1[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"],"
         "\"ts\":1}",
         "enriched em=9[1|2|3|4|5|6|7|8|9] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\\\"\"],"
         "\"ts\":1}",
         "enriched em=9[1|2|3|4|5|6|7|8|9\"] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[],\"ph\":[],\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"a\"],\"em\":[\"b\"],\"ts\":1}",
         "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"ph\":[\"1\"],\"em\":[\"a\"],\"ts\":1}",
         "enriched em=1[a] ph=1[1] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"a\\\"],\"ts\":1}", "-1"},
        {",\"s\":\"enriched\",\"em\":[1,\"a\"],\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":\"a\",\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        /* not JSON, taken as it comes */
        {",\"s\":\"enriched\",\"em\":[\"a\"\"b\"],\"ts\":1}", "enriched em=2[a|b] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"a\",],\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[,\"a\"],\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"a\tb\xff\"],\"ts\":1}",
         "enriched em=1[a\tb\xff] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"c\":,\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"ts\":00012}", "enriched em=0[] ph=0[] c=0 ts=12"},
        {",\"s\":\"enriched\",\"ts\":+3}", "enriched em=0[] ph=0[] c=0 ts=3"},
        {",\"s\":\"enriched\",\"ts\":0x10}", "enriched em=0[] ph=0[] c=0 ts=16"},
        {",\"s\":\"enriched\",\"ts\": 7}", "enriched em=0[] ph=0[] c=0 ts=7"},
        /* odd spacing, order, other or missing members: the general parser */
        {", \"s\":\"enriched\",\"em\":[\"a\"],\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\": \"enriched\",\"em\":[\"a\"],\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\": [\"a\"],\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"a\" ],\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"em\":[\"a\"] ,\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"ts\":1 }", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"ts\":1}\n", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"em\":[\"a\"],\"s\":\"enriched\",\"ts\":1}", "enriched em=1[a] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"x\":[1],\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\"}", "enriched em=0[] ph=0[] c=0 ts=0"},
        {",\"s\":\"enriched\",\"ts\":\"1\"}", "enriched em=0[] ph=0[] c=0 ts=0"},
        {",\"s\":\"enriched\",\"pp\":[{\"id\":1,\"name\":\"N\",\"em\":[\"p@x\"]}],\"ts\":1}",
         "enriched em=0[] ph=0[] c=0 ts=1 pp=1"},
        {",\"ts\":1}", "-1"},
        /* numbers: up to 15 digits read directly, anything else by strtod */
        {",\"s\":\"enriched\",\"c\":1.5,\"ts\":-5}", "enriched em=0[] ph=0[] c=1.5 ts=-5"},
        {",\"s\":\"enriched\",\"c\":-1,\"ts\":1e3}", "enriched em=0[] ph=0[] c=-1 ts=1000"},
        {",\"s\":\"enriched\",\"c\":0,\"ts\":0}", "enriched em=0[] ph=0[] c=0 ts=0"},
        {",\"s\":\"enriched\",\"c\":12345678,\"ts\":123456789012345}",
         "enriched em=0[] ph=0[] c=12345678 ts=123456789012345"},
        {",\"s\":\"enriched\",\"c\":1234567,\"ts\":1234567890123456}",
         "enriched em=0[] ph=0[] c=1234567 ts=1234567890123456"},
        {",\"s\":\"enriched\",\"ts\":12345678901234567890123}",
         "enriched em=0[] ph=0[] c=0 ts=1.2345678901234568e+22"},
        {",\"s\":\"enriched\",\"ts\":9007199254740993}",
         "enriched em=0[] ph=0[] c=0 ts=9007199254740992"},
        {",\"s\":\"enriched\",\"ts\":12345678.5}", "enriched em=0[] ph=0[] c=0 ts=12345678.5"},
        {",\"s\":\"enriched\",\"c\":1234567.5,\"ts\":1}",
         "enriched em=0[] ph=0[] c=1234567.5 ts=1"},
        {",\"s\":\"enriched\",\"c\":-1234567,\"ts\":1}", "enriched em=0[] ph=0[] c=-1234567 ts=1"},
        /* (not digits, though their high halves are those of digits) */
        {",\"s\":\"enriched\",\"c\":1234567:9,\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"c\":12345678?,\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        {",\"s\":\"enriched\",\"c\":1;345678,\"ts\":1}", "enriched em=0[] ph=0[] c=0 ts=1"},
        /* what jsmn lets pass (a time that is no number reads as 0) */
        {",\"s\":\"enriched\",\"ts\":1234567a}", "enriched em=0[] ph=0[] c=0 ts=0"},
        {",\"s\":\"enriched\",\"ts\":12345678a}", "enriched em=0[] ph=0[] c=0 ts=0"},
        {",\"s\":\"enriched\",\"ts\":}", "enriched em=0[] ph=0[] c=0 ts=0"},
        {",\"s\":\"enriched\",\"ts\":1},", "enriched em=0[] ph=0[] c=0 ts=1"},
        /* cut short, or followed by more */
        {",\"s\":\"enriched\",\"ts\":1", "-1"},
        {",\"s\":\"enriched\",\"ts\":1}}", "-1"},
        {",\"s\":\"enriched\",\"em\":[\"a\"", "-1"},
        {",\"s\":\"enriched", "-1"},
        {",\"s\":\"", "-1"},
        {"", "-1"},
    };
    static const char *const heads[] = {"{\"t\":\"res\",\"b\":\"6b03a0000gen-1\",\"i\":97",
                                        "{\"t\":\"res\",\"k\":\"k1\""};
    ec_buf rec = {0}, want = {0}, why = {0};
    size_t bad = 0, n = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int h = 0; h < 2; h++, n++) {
            ec_buf_clear(&rec);
            ec_buf_puts(&rec, heads[h]);
            ec_buf_puts(&rec, cases[i].body);
            bad += !res_parses_as(rec.p, rec.len, cases[i].want, &why);
        }
    /* a status of up to 255 bytes is read by the fast parser, a longer one by
     * jsmn: which stops at a NUL byte, where the fast parser ends the text */
    for (size_t len = 250; len <= 260; len++)
        for (int nul = 0; nul < 2; nul++, n++) {
            ec_buf_clear(&rec);
            ec_buf_clear(&want);
            ec_buf_puts(&rec, "{\"t\":\"res\",\"k\":\"k1\",\"s\":\"failed:");
            ec_buf_puts(&want, "failed:");
            for (size_t k = 7 + 2 * (size_t)nul; k < len; k++) {
                ec_buf_putc(&rec, 'r');
                ec_buf_putc(&want, 'r');
            }
            ec_buf_put(&rec, "\0x", 2 * (size_t)nul);
            ec_buf_puts(&rec, "\",\"ts\":1}");
            ec_buf_puts(&want, " em=0[] ph=0[] c=0 ts=1");
            bad += !res_parses_as(rec.p, rec.len, nul && len > 255 ? "-1" : want.p, &why);
        }
    ok(bad == 0, "res records: %zu of %zu read as expected (%s)", n - bad, n,
       why.len ? why.p : "all");
    ec_buf_free(&rec);
    ec_buf_free(&want);
    ec_buf_free(&why);

    /* batch positions: the digits up to the first of them that reaches
     * EC_L_POS_MAX (2^20), the rest passed over */
    static const struct {
        const char *text;
        long pos, end;
    } at[] = {{"\",\"i\":0,", 0, 7},
              {"\",\"i\":97", 97, 8},
              {"\",\"i\":1048575,", 1048575, 13},
              {"\",\"i\":1048576,", 1048576, 13},
              {"\",\"i\":10485760,", 1048576, 14},
              {"\",\"i\":99999999999999999999,", 9999999, 26},
              {"\",\"i\":007x", 7, 9},
              {"\",\"i\":x", -1, 0},
              {"\",\"i\":", -1, 0},
              {"\",\"i\" 1", -1, 0}};
    size_t badpos = 0;
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        unsigned long pos = 0;
        size_t len = strlen(at[i].text);
        const char *end = ec_ledger_res_pos(at[i].text, at[i].text + len, &pos);
        badpos += at[i].pos < 0
                      ? end != NULL
                      : !end || pos != (unsigned long)at[i].pos || end - at[i].text != at[i].end;
    }
    ok(badpos == 0, "batch positions: %zu read wrong", badpos);

    /* intents: keys found in the walk when nothing but commas is between them */
    static const struct {
        const char *rec;
        int rc, found;
        size_t nkeys;
    } in[] = {
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[\"a\",\"b\\\"c\"],\"idem\":null,\"ts\":1}", 0, 1,
         2},
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[],\"idem\":\"i\",\"ts\":1}", 0, 1, 0},
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[\"a\",],\"idem\":null,\"ts\":1}", 0, 0, 1},
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[\"a\", \"b\"],\"idem\":null,\"ts\":1}", 0, 0, 1},
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[\"a\"\"b\"],\"idem\":null,\"ts\":1}", 0, 1, 2},
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[,\"a\"],\"idem\":null,\"ts\":1}", 0, 1, 1},
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[\"a\\\\\",\"b\"],\"idem\":null,\"ts\":1}", 0, 1,
         2},
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[\"a\\\",\"b\"],\"idem\":null,\"ts\":1}", -1, 0,
         0},
        {"{\"t\":\"intent\",\"b\":\"B\",\"keys\":[\"a\",\"b\"],\"idem\":null,\"ts\":1.5}", 0, 1, 2},
    };
    size_t badin = 0;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        ec_lintent ks = {0};
        ec_lintent_view v;
        int rc = ec_ledger_intent_keys(in[i].rec, strlen(in[i].rec), &v, &ks);
        badin +=
            rc != in[i].rc || (rc == 0 && (v.keys_found != in[i].found || ks.n != in[i].nkeys));
        free(ks.off);
        free(ks.len);
        free(ks.hash);
    }
    ok(badin == 0, "intents: %zu walked wrong", badin);
}

/* A made-up string for round r, item i: up to 40 bytes (so that ends and
 * escapes fall at every place of a 16-byte step), plain ASCII or with
 * quotes, backslashes, controls and UTF-8; no colon. */
static size_t gen_text(char *v, int r, size_t i, unsigned *seed)
{
    static const char *const alpha[] = {"a", "b",  "@", ".", "\"", "\\",   "\xc3\xa9",
                                        "/", "\n", "]", ",", "}",  "\x01", "\xe2\x82\xac",
                                        " ", "|"};
    size_t len = 0, want = ((size_t)r * 7 + i * 3) % 41, na = (r + i) % 3 ? 4 : 16;
    while (len < want) {
        *seed = *seed * 1103515245u + 12345u;
        const char *c = alpha[(*seed >> 16) % na];
        memcpy(v + len, c, strlen(c));
        len += strlen(c);
    }
    v[len] = '\0';
    return len;
}

/* Records that ec_ledger_put_res writes for many outcomes (up to 11 values
 * of gen_text), read back by the fast parsers and by the general one; then
 * each cut short (nothing read), with a space after each member's colon or
 * a member more before "ts" (the general parser, same outcome). */
static void test_parse_generated(void)
{
    static const enum ec_status sts[] = {EC_ST_ENRICHED, EC_ST_NOT_FOUND, EC_ST_SKIPPED_NO_ID,
                                         EC_ST_SKIPPED_CREDITS, EC_ST_FAILED};
    static const double credits[] = {0, 1, 2.5, 0.001, 123456789, 1e20, -3};
    static const double times[] = {1795450347, 0, 1, 99999999, 123456789012345, 9007199254740991};
    unsigned seed = 2024;
    ec_buf rec = {0}, want = {0}, got = {0}, why = {0}, alt = {0}, cut = {0};
    size_t bad = 0, badgen = 0, badcut = 0, n = 0, cuts = 0;
    for (int r = 0; r < 600; r++) {
        ec_outcome o;
        memset(&o, 0, sizeof o);
        o.status = sts[r % 5];
        if (o.status == EC_ST_FAILED)
            o.reason = ec_xstrdup(r % 3 ? "http_500" : r % 2 ? "a \"q\" \\ \xc3\xa9" : "");
        size_t nv[2] = {(size_t)r % 12, (size_t)(r / 12) % 4};
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < nv[k]; i++) {
                char v[200];
                size_t len = gen_text(v, r, i + 20 * (size_t)k, &seed);
                ec_values_add(k ? &o.phones : &o.emails, v, len);
            }
        o.credits = credits[r % 7];
        double ts = times[r % 6];
        res_desc(&want, 0, &o, ts);
        for (int layout = 0; layout < 2; layout++) {
            ec_buf_clear(&rec);
            ec_ledger_put_res(&rec, "p|e|ep|email=x@y.io", 19, layout ? "6b03a0000gen-1" : NULL,
                              (size_t)r, &o, ts);
            bad += !res_parses_as(rec.p, rec.len, want.p, &why);
            badgen += strcmp(res_parse(&got, rec.p, rec.len, 1), want.p) != 0;
            n++;
            for (size_t c = 0; c < rec.len; c++, cuts++) {
                res_parse(&cut, rec.p, c, 1);
                badcut += strcmp(cut.p, "-1") != 0 || !res_parses_as(rec.p, c, cut.p, &why);
            }
            /* values here have no colon: each one in rec follows a member's name */
            size_t at = rec.len;
            while (at && strncmp(rec.p + at, ",\"ts\":", 6) != 0)
                at--;
            for (int v = 0; v < 2; v++, n++) {
                ec_buf_clear(&alt);
                for (size_t i = 0; i < rec.len; i++) {
                    if (v == 1 && i == at)
                        ec_buf_puts(&alt, ",\"x\":{\"em\":[\"z\"]}");
                    ec_buf_putc(&alt, rec.p[i]);
                    if (v == 0 && rec.p[i] == ':' && rec.p[i - 1] == '"')
                        ec_buf_putc(&alt, ' ');
                }
                bad += !res_parses_as(alt.p, alt.len, want.p, &why);
            }
        }
        ec_outcome_clear(&o);
    }
    ok(bad == 0, "generated res records: %zu of %zu read back as written (%s)", n - bad, n,
       why.len ? why.p : "all");
    ok(badgen == 0, "generated res records: the general parser reads them the same");
    ok(badcut == 0, "generated res records: none of %zu cut short is read", cuts);
    ec_buf_free(&rec);
    ec_buf_free(&want);
    ec_buf_free(&got);
    ec_buf_free(&why);
    ec_buf_free(&alt);
    ec_buf_free(&cut);
}

/* Intent records that ec_ledger_put_intent writes (keys of gen_text, with
 * and without the keys, idem or null): the fast walk finds each key where
 * ec_ledger_next_key does, and it decodes to the key written; the general
 * parser finds the same parts; no record cut short is read. */
static void test_intent_generated(void)
{
    unsigned seed = 99;
    size_t bad = 0, badgen = 0, badcut = 0, n = 0, cuts = 0;
    ec_buf rec = {0}, alt = {0};
    for (int r = 0; r < 400; r++, n++) {
        char id[200], idem[200], *keys[12];
        ec_lbatch ob = {0};
        gen_text(id, r, 50, &seed);
        gen_text(idem, r, 51, &seed);
        ob.id = r % 4 ? "6b03a0000gen-1" : id;
        ob.idem = r % 3 ? NULL : idem;
        ob.nkeys = (size_t)r % 12;
        ob.keys = keys;
        for (size_t i = 0; i < ob.nkeys; i++) {
            char k[200];
            gen_text(k, r, i, &seed);
            keys[i] = ec_xstrdup(k);
        }
        ob.ts = r % 2 ? 1795450347 : r;
        int with_keys = r % 5 != 0;
        ec_buf_clear(&rec);
        ec_ledger_put_intent(&rec, &ob, with_keys);

        ec_lintent ks = {0};
        ec_lintent_view v, g;
        int ok_ = ec_ledger_intent_keys(rec.p, rec.len, &v, &ks) == 0 && v.has_keys == with_keys &&
                  v.ts == ob.ts && (v.idem != NULL) == (ob.idem != NULL);
        if (ok_ && with_keys) {
            size_t pos = 0, rawlen;
            const char *raw;
            ok_ = v.keys_found && ks.n == ob.nkeys;
            for (size_t i = 0; ok_ && i < ks.n; i++) {
                char *d = ec_ledger_decode(rec.p + ks.off[i], ks.len[i]);
                ok_ = ec_ledger_next_key(v.keys, v.keyslen, &pos, &raw, &rawlen) == 1 &&
                      raw == rec.p + ks.off[i] && rawlen == ks.len[i] && strcmp(d, keys[i]) == 0;
                free(d);
            }
            ok_ = ok_ && ec_ledger_next_key(v.keys, v.keyslen, &pos, &raw, &rawlen) == 0;
        }
        bad += !ok_;
        /* the general parser: the same spans, as text */
        ec_buf_clear(&alt);
        ec_buf_puts(&alt, "{ ");
        ec_buf_put(&alt, rec.p + 1, rec.len - 1);
        badgen += ec_ledger_intent_view(alt.p, alt.len, &g) != 0 || g.idlen != v.idlen ||
                  memcmp(g.id, v.id, v.idlen) != 0 || g.has_keys != v.has_keys ||
                  g.keyslen != v.keyslen || (v.has_keys && memcmp(g.keys, v.keys, v.keyslen)) ||
                  (g.idem != NULL) != (v.idem != NULL) || g.idemlen != v.idemlen ||
                  (v.idem && memcmp(g.idem, v.idem, v.idemlen)) || g.ts != v.ts;
        for (size_t c = 0; c < rec.len; c++, cuts++) {
            ec_buf_clear(&alt);
            ec_buf_put(&alt, rec.p, c);
            badcut += ec_ledger_intent_keys(alt.p, c, &g, &ks) == 0 ||
                      ec_ledger_intent_view(alt.p, c, &g) == 0;
        }
        free(ks.off);
        free(ks.len);
        free(ks.hash);
        for (size_t i = 0; i < ob.nkeys; i++)
            free(keys[i]);
    }
    ok(bad == 0, "generated intents: %zu of %zu keys found by the fast walk", n - bad, n);
    ok(badgen == 0, "generated intents: the general parser finds the same parts");
    ok(badcut == 0, "generated intents: none of %zu cut short is read", cuts);
    ec_buf_free(&rec);
    ec_buf_free(&alt);
}

/* --no-journal: a private ledger in an unlinked temporary file. */
static void test_private(void)
{
    char tmp[300], cmd[400];
    snprintf(tmp, sizeof tmp, "%s/private", dir);
    mkdir(tmp, 0700);
    const char *old = getenv("TMPDIR");
    char *saved = old ? ec_xstrdup(old) : NULL;
    setenv("TMPDIR", tmp, 1);
    ec_buf err = {0};
    ec_ledger *l = ec_ledger_open_private(&err);
    ok(l != NULL, "private ledger opens (%s)", err.p ? err.p : "");
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmp);
    ok(system(cmd) == 0, "private ledger: no file left in TMPDIR while open");
    for (int i = 0; l && i < 5000; i++) {
        char key[64], email[64];
        snprintf(key, sizeof key, "p|e|ep|email=u%d@x.io", i);
        snprintf(email, sizeof email, "u%d@found.io", i);
        result(l, key, EC_ST_ENRICHED, email);
    }
    is_str(l ? email_of(l, "p|e|ep|email=u0@x.io") : NULL, "u0@found.io",
           "private ledger: an early outcome is found (from disk)");
    is_str(l ? email_of(l, "p|e|ep|email=u4999@x.io") : NULL, "u4999@found.io",
           "private ledger: the last one too (pending)");
    ok(l && !email_of(l, "p|e|ep|email=nobody@x.io"), "private ledger: an unknown key is not");
    ec_ledger_close(l, NULL);
    if (saved) {
        setenv("TMPDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TMPDIR");
    }
    ec_buf_free(&err);
}

/* ec_ledger_hash reads exactly its n bytes (the same hash whatever lies
 * after them, and an exact-size allocation for the sanitizers), at every
 * length around its 8- and 16-byte steps; every byte counts; and keys that
 * differ in a few bytes spread evenly over the index's 256 shards. */
static void test_hash(void)
{
    size_t wrong = 0, blind = 0;
    unsigned char src[100];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= 70; n++) {
        unsigned char *exact = malloc(n ? n : 1), padded[128];
        memcpy(exact, src, n);
        memcpy(padded, src, n);
        memset(padded + n, 0xa5, sizeof padded - n);
        uint64_t h = ec_ledger_hash(exact, n);
        wrong += h != ec_ledger_hash(padded, n);
        for (size_t i = 0; i < n; i++) { /* flip one bit of each byte in turn */
            exact[i] ^= 0x10;
            blind += ec_ledger_hash(exact, n) == h;
            exact[i] ^= 0x10;
        }
        free(exact);
    }
    ok(wrong == 0 && blind == 0,
       "hash of 0 to 70 bytes: only those bytes read (%zu wrong), each of them counts (%zu not)",
       wrong, blind);
    size_t shard[256] = {0}, most = 0, least = SIZE_MAX;
    char key[96];
    for (int i = 0; i < 256000; i++) {
        int n = snprintf(key, sizeof key, "thehog|http://127.0.0.1:9|ep|linkedin_url=linkedin.com/"
                                          "in/bench-person-%d", i);
        shard[ec_ledger_hash(key, (size_t)n) >> 56]++;
    }
    for (int i = 0; i < 256; i++) {
        most = shard[i] > most ? shard[i] : most;
        least = shard[i] < least ? shard[i] : least;
    }
    ok(most < 1150 && least > 850, "256,000 similar keys over 256 shards: %zu to %zu each", least,
       most);
}

/* ec_ledger_finish: a run that made a large journal leaves its snapshot,
 * so that the rerun's open takes it (ec_ledger_close does not); one whose
 * snapshot is still current writes none. */
static void test_finish(void)
{
    char p[512], idx[512], q[512];
    snprintf(p, sizeof p, "%s", path_in("finish.zst"));
    snprintf(idx, sizeof idx, "%s", path_in("finish.zst.idx"));
    snprintf(q, sizeof q, "%s", path_in("closed.zst"));
    ec_buf err = {0};
    ec_lindex_set_spill_min(1000);
    fill(q, 3000, 1, 0); /* written from empty, then ec_ledger_close */
    snprintf(q + strlen(q), sizeof q - strlen(q), ".idx");
    ok(file_size(q) < 0, "a large journal made by a run that is closed has no snapshot");
    ec_ledger *l = ec_ledger_open(p, 0, NULL, &err);
    char keys[100][96], id[32];
    const char *kp[100];
    for (int b = 0; b < 30; b++) {
        for (int i = 0; i < 100; i++) {
            key_name(keys[i], sizeof keys[i], b * 100 + i);
            kp[i] = keys[i];
        }
        snprintf(id, sizeof id, "f-%d", b);
        ec_ledger_intent(l, id, kp, 100, NULL, &err);
        for (int i = 0; i < 100; i++) {
            char email[64];
            snprintf(email, sizeof email, "p%d.v1@x.test", b * 100 + i);
            result(l, keys[i], EC_ST_ENRICHED, email);
        }
        ec_ledger_done(l, id, &err);
    }
    ok(l && l->snap_used == 0 && l->snap_written == 0 && file_size(idx) < 0,
       "a run from an empty journal: no snapshot at its open");
    int fin = ec_ledger_finish(l, &err);
    ok(fin == 0 && file_size(idx) > 3000 * 8,
       "ec_ledger_finish leaves one of the 3000 results (%ld bytes)", file_size(idx));
    l = ec_ledger_open(p, 0, NULL, &err);
    ok(l && l->snap_used == (uint64_t)file_size(p) && check_all(l, 3000, 1) == 0,
       "the rerun's open takes it, for the whole journal");
    struct stat before, after;
    stat(idx, &before);
    ok(ec_ledger_finish(l, &err) == 0 && stat(idx, &after) == 0 &&
           before.st_ino == after.st_ino && before.st_mtime == after.st_mtime,
       "a run that wrote nothing after its snapshot does not write it again");
    ec_lindex_set_spill_min(0);
    ec_buf_free(&err);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "bench") == 0)
        return bench(atoi(argv[2]), argv[3], argc > 4 ? atoi(argv[4]) : 100);
    if (argc >= 4 && strcmp(argv[1], "replay") == 0)
        return replay(argv[2], atoi(argv[3]), argc > 4 && atoi(argv[4]));
    snprintf(dir, sizeof dir, "%s/t_ledger.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    test_find();
    test_key_bytes();
    test_key_runs();
    test_foreign_layout();
    test_max_age();
    test_batches();
    test_intent_cp();
    test_end_while_walking();
    test_many();
    test_spill();
    test_in_order(0);
    test_in_order(1);
    ec_lindex_set_build_bytes(4096); /* the disk tables in many groups */
    test_spill();
    test_in_order(1);
    ec_lindex_set_build_bytes(0);
    test_index_unique();
    test_hash();
    test_snapshot();
    test_finish();
    test_compact();
    test_merge();
    test_interleaved();
    test_parse_values();
    test_parse_cases();
    test_parse_generated();
    test_intent_generated();
    test_private();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}

/* journal_gen.c - bench helper (built by bench/replay with cc, not by make):
 * write the journal a run of enrichcsv would leave after answering every row
 * of a CSV input, without a provider. Keys come from the library exactly as
 * the engine makes them (reader, column map, identifier extraction, the
 * provider's choice, ec_ident_key); records are written through the ledger
 * as a run writes them: per batch an intent (keys), a job checkpoint, one
 * result per lookup, done, and a flush. About two thirds of the people are
 * found (an email, two thirds of them also a phone), like the sandbox.
 *
 * usage: journal_gen PROVIDER BASE_URL JOURNAL [BATCH] < input.csv */
#include "config.h"
#include "colmap.h"
#include "ident.h"
#include "journal.h"
#include "ledger.h"
#include "provider.h"
#include "reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const firsts[] = {"ana",  "ben",  "chloe", "dev", "emma", "farid",
                                     "gina", "hugo", "ines",  "jon", "kai",  "lena",
                                     "mo",   "nina", "omar",  "pia"};
static const char *const lasts[] = {"smith",  "garcia", "chen",  "okafor", "novak",
                                    "haddad", "costa",  "singh", "brown",  "kim",
                                    "rossi",  "muller", "silva", "ivanova"};

typedef struct gen {
    const ec_provider *prov;
    const char *endpoint;
    ec_ledger *l;
    size_t batch, n, nbatches;
    char **keys;
    unsigned long long lookups;
} gen;

static uint64_t mix(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ^ h >> 29;
}

static void outcome_for(const char *key, ec_outcome *o)
{
    uint64_t h = mix(key);
    memset(o, 0, sizeof *o);
    if (h % 3 == 0) {
        o->status = EC_ST_NOT_FOUND;
        return;
    }
    char email[96], phone[32];
    snprintf(email, sizeof email, "%s.%s@example.%s", firsts[(h >> 8) % 16], lasts[(h >> 16) % 14],
             (h >> 24) % 2 ? "com" : "org");
    o->status = EC_ST_ENRICHED;
    ec_values_add(&o->emails, email, strlen(email));
    if ((h >> 32) % 3) {
        snprintf(phone, sizeof phone, "+1-555-01%02u", (unsigned)((h >> 40) % 100));
        ec_values_add(&o->phones, phone, strlen(phone));
    }
}

static int flush_batch(gen *g)
{
    if (!g->n)
        return 0;
    ec_buf err = {0};
    char id[64], cp[160];
    snprintf(id, sizeof id, "6b03a0000gen-%zu", ++g->nbatches);
    snprintf(cp, sizeof cp, "{\"op\":\"op_%zu\",\"poll\":\"%s/api/operations/op_%zu\"}",
             g->nbatches, g->endpoint, g->nbatches);
    int rc = ec_ledger_intent(g->l, id, (const char *const *)g->keys, g->n, NULL, &err) < 0 ||
             ec_ledger_job(g->l, id, cp, &err) < 0;
    for (size_t i = 0; i < g->n && !rc; i++) {
        ec_outcome o;
        outcome_for(g->keys[i], &o);
        rc = ec_ledger_result(g->l, g->keys[i], &o, &err) < 0;
        ec_outcome_clear(&o);
    }
    if (!rc)
        rc = ec_ledger_done(g->l, id, &err) < 0 ||
             ec_journal_flush(ec_ledger_journal(g->l), &err) < 0;
    if (rc)
        fprintf(stderr, "journal_gen: %s\n", err.p ? err.p : "journal error");
    for (size_t i = 0; i < g->n; i++)
        free(g->keys[i]);
    g->n = 0;
    ec_buf_free(&err);
    return rc ? -1 : 0;
}

/* A row: the key the engine would compute, once per distinct key in a batch
 * (the engine dedupes across the run; inputs here have distinct rows). */
static int take_row(gen *g, const ec_colmap *map, ec_row *row)
{
    char *vals[EC_F_COUNT];
    const char *chosen[EC_F_COUNT] = {0};
    ec_ident_extract(map, row, vals);
    int any = 0;
    if (g->prov->choose) {
        any = g->prov->choose((const char *const *)vals, chosen);
    } else {
        for (int f = 0; f < EC_F_COUNT; f++)
            if (vals[f] && (g->prov->accepts & (1u << f)))
                chosen[f] = vals[f], any = 1;
    }
    if (any) {
        unsigned fields = (EC_WANT_EMAIL | EC_WANT_PHONE) & g->prov->supports;
        g->keys[g->n++] = ec_ident_key(g->prov->name, g->endpoint, fields, chosen);
        g->lookups++;
    }
    ec_ident_free_vals(vals);
    return g->n == g->batch ? flush_batch(g) : 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: journal_gen PROVIDER BASE_URL JOURNAL [BATCH] < input.csv\n", stderr);
        return 2;
    }
    gen g = {0};
    g.prov = ec_provider_find(argv[1]);
    g.endpoint = argv[2];
    g.batch = argc > 4 ? (size_t)atol(argv[4]) : 100;
    if (!g.prov || g.batch == 0) {
        fputs("journal_gen: unknown provider or bad batch size\n", stderr);
        return 2;
    }
    g.keys = ec_xcalloc(g.batch, sizeof *g.keys);
    ec_buf err = {0};
    unlink(argv[3]);
    g.l = ec_ledger_open(argv[3], 0, NULL, &err);
    if (!g.l) {
        fprintf(stderr, "journal_gen: %s\n", err.p);
        return 1;
    }
    ec_reader *r = ec_reader_new(NULL);
    ec_colmap map;
    int have_map = 0, rc = 0;
    static char buf[1 << 16];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 ||
            (n > 0 ? ec_reader_feed(r, buf, (size_t)n, &err) : ec_reader_finish(r, &err)) < 0) {
            fprintf(stderr, "journal_gen: input: %s\n", err.p ? err.p : "read error");
            return 1;
        }
        if (!have_map && ec_reader_has_header(r)) {
            if (ec_colmap_build(&map, ec_reader_header(r), NULL, 0, &err) < 0) {
                fprintf(stderr, "journal_gen: %s\n", err.p);
                return 1;
            }
            have_map = 1;
        }
        ec_row *row;
        while (have_map && rc == 0 && (row = ec_reader_next(r)) != NULL) {
            rc = take_row(&g, &map, row);
            ec_row_free(row);
        }
        if (n == 0 || rc)
            break;
    }
    if (rc == 0)
        rc = flush_batch(&g);
    if (ec_ledger_close(g.l, &err) < 0 || rc) {
        fprintf(stderr, "journal_gen: %s\n", err.p ? err.p : "failed");
        return 1;
    }
    printf("%llu\n", g.lookups);
    ec_reader_free(r);
    free(g.keys);
    ec_buf_free(&err);
    return 0;
}

/* provider.c - the provider registry and request-list helpers. */
#include "config.h"
#include "provider.h"

#include <stdlib.h>
#include <string.h>

extern const ec_provider ec_prov_amplemarket;
extern const ec_provider ec_prov_thehog;
extern const ec_provider ec_prov_openfunnel;
extern const ec_provider ec_prov_woodpecker;
extern const ec_provider ec_prov_lance;

const ec_provider *const ec_providers[] = {
    &ec_prov_amplemarket, &ec_prov_thehog, &ec_prov_openfunnel,
    &ec_prov_woodpecker,  &ec_prov_lance,  NULL,
};

const ec_provider *ec_provider_find(const char *name)
{
    for (size_t i = 0; ec_providers[i]; i++)
        if (strcmp(ec_providers[i]->name, name) == 0)
            return ec_providers[i];
    return NULL;
}

unsigned ec_provider_reads(const ec_provider *p)
{
    unsigned f = p->accepts;
    if (f & 1u << EC_F_NAME)
        f |= 1u << EC_F_FIRST_NAME | 1u << EC_F_LAST_NAME;
    return f;
}

int ec_provider_choose(const ec_provider *p, const char *const vals[EC_F_COUNT],
                       const char *chosen[EC_F_COUNT])
{
    if (p->choose)
        return p->choose(vals, chosen);
    int any = 0;
    for (int f = 0; f < EC_F_COUNT; f++) {
        chosen[f] = NULL;
        if (vals[f] && (p->accepts & (1u << f))) {
            chosen[f] = vals[f];
            any = 1;
        }
    }
    return any;
}

ec_request *ec_reqs_add(ec_reqs *out, const char *method, char *url, char *body, int paid, int tag)
{
    out->v = ec_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
    ec_request *r = &out->v[out->n++];
    memset(r, 0, sizeof *r);
    r->method = method;
    r->url = url;
    r->body = body;
    r->paid = paid;
    r->tag = tag;
    return r;
}

void ec_request_free(ec_request *r)
{
    free(r->url);
    free(r->body);
    r->url = r->body = NULL;
}

void ec_reqs_free(ec_reqs *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        ec_request_free(&rs->v[i]);
    free(rs->v);
    rs->v = NULL;
    rs->n = 0;
}

enum ec_verdict ec_verdict_for_status(long status)
{
    if (status >= 200 && status < 300)
        return EC_V_OK;
    if (status == 0 || status == 429 || (status >= 500 && status < 600))
        return EC_V_RETRY;
    if (status == 401 || status == 403)
        return EC_V_AUTH;
    if (status == 402)
        return EC_V_CREDITS;
    return EC_V_FAIL;
}

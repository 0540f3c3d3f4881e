/* sb_core.h - private interface between the sandbox's own files (sb_main.c,
 * sb_core.c, sb_stats.c, sb_data.c). Provider simulators use sb.h only.
 * Everything here except sb_server_start/stop runs under the global mutex
 * that sb_core.c holds around each request. */
#ifndef SB_CORE_H
#define SB_CORE_H

#include <stdio.h>
#include "sb.h"

/* Provider names in a fixed order (index = slot in the counters);
 * SB_NPROV is "unknown" (paths no simulator claims). */
enum { SB_AMPLEMARKET, SB_THEHOG, SB_OPENFUNNEL, SB_WOODPECKER, SB_LANCE, SB_NPROV };
extern const char *const sb_provider_names[SB_NPROV + 1];
/* Index of a provider name, or SB_NPROV when unknown. */
int sb_provider_index(const char *name);

/* Fault that replaced or spoiled the provider's answer. */
enum sb_fault {
    SB_FAULT_NONE,
    SB_FAULT_RATE_LIMIT,
    SB_FAULT_5XX,
    SB_FAULT_DROP,
    SB_FAULT_DROP_AFTER,
    SB_FAULT_MALFORMED,
    SB_FAULT_429, /* --fail-429: an injected 429, the bucket untouched */
    SB_FAULT_COUNT
};

/* Start the daemon on 127.0.0.1:port (0 = any free port). log may be NULL
 * (no request log); the stream is borrowed until sb_server_stop. Returns 0
 * and the bound port, or -1 with a reason in err. */
int sb_server_start(unsigned port, FILE *log, unsigned *bound, char *err, size_t errsz);
/* Stop the daemon (waits for connection threads) and release core state. */
void sb_server_stop(void);

/* Counters (sb_stats.c). */
void sb_stats_request(int provider, int status, enum sb_fault fault);
void sb_stats_charge(const char *provider, const char *person, const char *field, double amount,
                     int repeated, double now);
/* Render GET /_sandbox/stats into b; with_charges adds the charges list. */
void sb_stats_json(ec_buf *b, int with_charges);
/* Zero every counter and forget the charges list. */
void sb_stats_reset(void);
/* Release the counters' storage (at exit). */
void sb_stats_free(void);

/* Ledger and jobs (sb_data.c). */
/* Forget every charge and restore the starting balance. */
void sb_ledger_reset(void);
/* Free ledger, jobs (not their provider payloads' contents) at exit. */
void sb_data_free(void);

/* Per-provider rate-limit buckets (sb_stats.c): 0 when the request may
 * pass (a token is taken), else the seconds to wait (>= 1). */
long sb_rate_take(int provider, double now);
/* Refill every bucket (used by reset). */
void sb_rate_reset(void);

#endif

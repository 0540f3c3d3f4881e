/* sandbox_run.h - start the bundled enrichcsv-sandbox for --sandbox and
 * stop it at exit. */
#ifndef EC_SANDBOX_RUN_H
#define EC_SANDBOX_RUN_H

#include <sys/types.h>
#include "buf.h"

typedef struct ec_sandbox {
    pid_t pid;
    char base_url[64];
    char port_file[256];
} ec_sandbox;

/* Start enrichcsv-sandbox on a free loopback port (next to this executable,
 * else $ENRICHCSV_SANDBOX, else on PATH) and wait until it listens. Extra
 * arguments come from $ENRICHCSV_SANDBOX_ARGS (split on spaces). Returns 0
 * with base_url set, or -1 with err. */
int ec_sandbox_start(ec_sandbox *sb, ec_buf *err);
/* Stop it (SIGTERM, then wait). Safe to call when not started. */
void ec_sandbox_stop(ec_sandbox *sb);

#endif

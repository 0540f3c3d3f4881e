/* http.h - one libcurl multi event loop for the whole run.
 *
 * Requests are queued with ec_http_start and finish through a callback
 * called from ec_http_run. ec_http caps the transfers in flight (further
 * starts wait in a FIFO queue inside it, so their --timeout clock does not
 * run while queued), reuses connections and easy handles, verifies TLS
 * always, and never logs a secret. It knows nothing of providers, retries or
 * rate limits: the caller decides when to start what (see backoff.h and
 * ratelimit.h).
 *
 * Single-threaded: call everything from one thread, except ec_http_wakeup. */
#ifndef EC_HTTP_H
#define EC_HTTP_H

#include <stddef.h>
#include "buf.h"

/* Default cap on a response body (decoded bytes): 64 MiB. */
#define EC_HTTP_MAX_BODY (64u * 1024 * 1024)

typedef struct ec_http ec_http;

typedef struct ec_http_opts {
    double connect_timeout; /* seconds for DNS + TCP + TLS (CONNECTTIMEOUT); <= 0: 30 */
    double timeout;         /* seconds for one whole request (--timeout); <= 0: none. Also
                               aborts a transfer below 1 B/s for min(30, timeout) s */
    int max_total;          /* transfers in flight at once (--concurrency); <= 0: 1 */
    int max_host;           /* connections per host (CURLMOPT_MAX_HOST_CONNECTIONS); <= 0:
                               unlimited. Keep >= max_total over HTTP/1.1, or curl queues
                               transfers itself and their timeout runs while queued */
    const char *cacert;     /* CA bundle file (--cacert) or NULL for the system's; peer and
                               host verification are always on */
    const char *user_agent; /* e.g. "enrichcsv/0.1.0"; NULL: none */
    int verbose;            /* 1: log one line per exchange; 2: also request/response
                               headers */
    void (*log)(void *ctx, const char *line); /* receives redacted lines, no newline */
    void *log_ctx;
    const char *const *secrets; /* NULL-terminated strings never to appear in a log line or
                                   error text (the keys); borrowed, must outlive the ec_http */
    size_t max_body;            /* 0: EC_HTTP_MAX_BODY */
} ec_http_opts;

typedef struct ec_http_result {
    long status;        /* HTTP status; 0 when no complete HTTP answer (see error) */
    ec_buf body;        /* response body, NUL-terminated ("" when status is 0); owned by the
                           result: valid during the callback, which may ec_buf_take it */
    double retry_after; /* seconds from Retry-After (both forms, clamped to [0, 21600]);
                           -1 when absent or unparseable */
    const char *error;  /* NULL, or the transport failure in words (redacted) */
    const char *reason; /* NULL, or a short stable tag for failed:<reason>: "timeout",
                           "dns failure", "connect failed", "tls failure", "empty reply",
                           "connection reset", "truncated response", "response too large",
                           "bad encoding", "http2 error", "transport error" */
    int timed_out;      /* 1 when the request hit its timeout or the low-speed limit */
    int request_sent;   /* 1 when any request byte may have reached the server (a paid
                           POST's outcome is then unknown); 0 when it failed before sending
                           (DNS, connect refused, TLS handshake, connect timeout) */
    double elapsed;     /* seconds from leaving the queue to completion */
} ec_http_result;

/* Called once per finished transfer, from ec_http_run. It may call
 * ec_http_start (the new request is queued), but not ec_http_free. */
typedef void (*ec_http_done_fn)(void *ud, ec_http_result *res);

/* Create the loop (initialises libcurl globally on first use). Returns it,
 * or NULL with a message in err. opts and its strings are copied, except
 * secrets (borrowed). */
ec_http *ec_http_new(const ec_http_opts *opts, ec_buf *err);

/* Queue a request. method: "GET", "POST", "PATCH", ... url: absolute http(s)
 * URL. headers: nheaders "Name: value" lines (copied); Content-Type (when there
 * is a body) and Accept default to application/json unless given, and
 * "Expect: 100-continue" is never sent. body: body_len bytes (copied) or NULL.
 * fresh: open a new connection and close it afterwards (FRESH_CONNECT +
 * FORBID_REUSE), so a paid POST without an idempotency key never rides a
 * reused connection, on which libcurl silently re-sends a request that got no
 * answer. done(ud, result) is called exactly once, from ec_http_run, unless the
 * ec_http is freed first. Returns 0, or -1 (bad arguments; done is not called). */
int ec_http_start(ec_http *h, const char *method, const char *url, const char *const *headers,
                  size_t nheaders, const char *body, size_t body_len, int fresh,
                  ec_http_done_fn done, void *ud);

/* Wait up to timeout_ms (0: don't wait) for network activity or for extra_fd
 * (-1: none) to become readable (data, EOF or error), perform transfers and
 * call done() for each finished one. Returns 1 when extra_fd is readable,
 * 0 otherwise, -1 on a libcurl multi error. Returns early on ec_http_wakeup. */
int ec_http_run(ec_http *h, long timeout_ms, int extra_fd);

/* Make a blocked (or the next) ec_http_run return early. Safe from another
 * thread; it only writes to curl's wakeup socket, so a signal handler may
 * call it too (a self-pipe as extra_fd is the portable alternative). */
void ec_http_wakeup(ec_http *h);

/* Requests started and not yet finished (queued or transferring). */
size_t ec_http_in_flight(const ec_http *h);

/* Abort every transfer without calling done() and free everything. NULL is
 * fine. */
void ec_http_free(ec_http *h);

/* Append text[0..len) to out for a log: every occurrence of any secret
 * (NULL-terminated list; NULL and empty strings ignored) becomes "***", and
 * in each line that is a header of a credential kind (Authorization,
 * Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key, X-*-Key, X-*-Token,
 * X-*-Secret) the value becomes "***". */
void ec_http_redact(ec_buf *out, const char *text, size_t len, const char *const *secrets);

#endif

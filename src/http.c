/* http.c - the libcurl multi event loop: a FIFO queue in front of a capped
 * set of transfers, pooled easy handles, redacted logging. */
#include "config.h"
#include "http.h"

#include <curl/curl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backoff.h"

/* CURLOPT_PREREQFUNCTION (7.80) tells exactly when a request is about to be
 * sent; older libcurl falls back to reading the error code. */
#if LIBCURL_VERSION_NUM >= 0x075000
#define HAVE_PREREQ 1
#endif

typedef struct xfer xfer;

/* A doubly-linked list of transfers: the queue, or the active set. */
typedef struct xlist {
    xfer *head, *tail;
    size_t n;
} xlist;

struct xfer {
    xfer *prev, *next;
    ec_http *h;
    CURL *easy;
    struct curl_slist *headers;
    char *method;
    char *url;
    char *body;
    ec_http_done_fn done;
    void *ud;
    ec_buf resp;
    char *retry_after; /* raw Retry-After value of the last response, or NULL */
    int too_large;
    int sent; /* the prerequest callback ran: request bytes may leave */
    double started;
    char errbuf[CURL_ERROR_SIZE];
};

struct ec_http {
    CURLM *multi;
    ec_http_opts o;
    char *cacert;
    char *user_agent;
    xlist queue;
    xlist active;
    CURL **pool; /* idle easy handles, up to o.max_total */
    size_t npool;
};

static int curl_users; /* ec_http objects alive: curl_global_* refcount */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void xlist_push(xlist *l, xfer *x)
{
    x->next = NULL;
    x->prev = l->tail;
    if (l->tail)
        l->tail->next = x;
    else
        l->head = x;
    l->tail = x;
    l->n++;
}

static void xlist_remove(xlist *l, xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        l->head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    else
        l->tail = x->prev;
    x->prev = x->next = NULL;
    l->n--;
}

/* ---------------------------------------------------------------- redaction */

static int name_has_suffix(const char *name, size_t len, const char *suffix)
{
    size_t sl = strlen(suffix);
    return len >= sl && strncasecmp(name + len - sl, suffix, sl) == 0;
}

/* Is line a "Name: value" header whose value is a credential? Sets *colon. */
static int is_credential_header(const char *line, size_t len, size_t *colon)
{
    size_t n = 0;
    while (n < len && line[n] != ':') {
        char c = line[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
        n++;
    }
    if (n == 0 || n == len)
        return 0;
    *colon = n;
    static const char *const exact[] = {
        "authorization", "proxy-authorization", "cookie", "set-cookie", "api-key", "apikey"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (strlen(exact[i]) == n && strncasecmp(line, exact[i], n) == 0)
            return 1;
    return n > 2 && strncasecmp(line, "x-", 2) == 0 &&
           (name_has_suffix(line, n, "key") || name_has_suffix(line, n, "token") ||
            name_has_suffix(line, n, "secret"));
}

/* Append s[0..len) replacing each occurrence of a secret (longest first) with ***. */
static void put_masked(ec_buf *out, const char *s, size_t len, const char *const *secrets)
{
    size_t i = 0;
    while (i < len) {
        size_t best = 0;
        for (size_t k = 0; secrets && secrets[k]; k++) {
            size_t sl = strlen(secrets[k]);
            if (sl > best && sl <= len - i && memcmp(s + i, secrets[k], sl) == 0)
                best = sl;
        }
        if (best) {
            ec_buf_puts(out, "***");
            i += best;
        } else {
            ec_buf_putc(out, s[i++]);
        }
    }
}

void ec_http_redact(ec_buf *out, const char *text, size_t len, const char *const *secrets)
{
    ec_buf_reserve(out, len);
    ec_buf_put(out, "", 0);
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t colon;
        if (is_credential_header(text + i, end - i, &colon)) {
            put_masked(out, text + i, colon + 1, secrets);
            ec_buf_puts(out, " ***");
        } else {
            put_masked(out, text + i, end - i, secrets);
        }
        if (!nl)
            break;
        ec_buf_putc(out, '\n');
        i = end + 1;
    }
}

/* Pass prefix + redacted text (one line) to the log callback. */
static void log_line(ec_http *h, const char *prefix, const char *text, size_t len)
{
    if (!h->o.log)
        return;
    ec_buf b = {0};
    ec_buf_puts(&b, prefix);
    ec_http_redact(&b, text, len, h->o.secrets);
    h->o.log(h->o.log_ctx, b.p);
    ec_buf_free(&b);
}

/* ---------------------------------------------------------------- callbacks */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    if (n > x->h->o.max_body - x->resp.len) {
        x->too_large = 1;
        return 0; /* CURLE_WRITE_ERROR aborts the transfer */
    }
    ec_buf_put(&x->resp, ptr, n);
    return n;
}

/* Keep the last response's raw Retry-After value (1xx responses come first). */
static size_t on_header(char *ptr, size_t size, size_t nitems, void *ud)
{
    xfer *x = ud;
    size_t n = size * nitems;
    static const char name[] = "retry-after:";
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
        free(x->retry_after);
        x->retry_after = NULL;
    } else if (n >= sizeof name - 1 && strncasecmp(ptr, name, sizeof name - 1) == 0) {
        size_t b = sizeof name - 1, e = n;
        while (b < e && (ptr[b] == ' ' || ptr[b] == '\t'))
            b++;
        while (e > b && strchr(" \t\r\n", ptr[e - 1]))
            e--;
        free(x->retry_after);
        x->retry_after = ec_xstrndup(ptr + b, e - b);
    }
    return n;
}

#ifdef HAVE_PREREQ
static int on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
    xfer *x = ud;
    x->sent = 1;
    return CURL_PREREQFUNC_OK;
}
#endif

/* verbose >= 2: log header blocks line by line, "> " out and "< " in. */
static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *ud)
{
    xfer *x = ud;
    if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN)
        return 0;
    size_t i = 0;
    while (i < size) {
        const char *nl = memchr(data + i, '\n', size - i);
        size_t end = nl ? (size_t)(nl - data) : size;
        size_t e = end;
        while (e > i && data[e - 1] == '\r')
            e--;
        if (e > i)
            log_line(x->h, type == CURLINFO_HEADER_OUT ? "> " : "< ", data + i, e - i);
        i = end + 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- setup */

static int has_header(const char *const *headers, size_t n, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (strncasecmp(headers[i], name, nl) == 0 && headers[i][nl] == ':')
            return 1;
    return 0;
}

/* Build the header list; returns -1 on allocation failure. */
static int build_headers(xfer *x, const char *const *headers, size_t n, int with_body)
{
    struct curl_slist *l = NULL;
    for (size_t i = 0; i < n; i++) {
        struct curl_slist *t = curl_slist_append(l, headers[i]);
        if (!t)
            goto fail;
        l = t;
    }
    const char *extra[3] = {NULL, NULL, NULL};
    size_t ne = 0;
    if (!has_header(headers, n, "Accept"))
        extra[ne++] = "Accept: application/json";
    if (with_body && !has_header(headers, n, "Content-Type"))
        extra[ne++] = "Content-Type: application/json";
    if (with_body)
        extra[ne++] = "Expect:"; /* no 100-continue round trip */
    for (size_t i = 0; i < ne; i++) {
        struct curl_slist *t = curl_slist_append(l, extra[i]);
        if (!t)
            goto fail;
        l = t;
    }
    x->headers = l;
    return 0;
fail:
    curl_slist_free_all(l);
    return -1;
}

#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = curl_easy_setopt(e, opt, val);                                                    \
    } while (0)

/* Options every transfer gets from the ec_http settings. */
static CURLcode set_common(ec_http *h, xfer *x)
{
    CURL *e = x->easy;
    CURLcode rc = CURLE_OK;
    const ec_http_opts *o = &h->o;
    long low_time = o->timeout > 0 && o->timeout < 30 ? (long)ceil(o->timeout) : 30;
    SET(CURLOPT_PRIVATE, x);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_FAILONERROR, 0L);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->cacert)
        SET(CURLOPT_CAINFO, h->cacert);
    if (h->user_agent)
        SET(CURLOPT_USERAGENT, h->user_agent);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout * 1000));
    if (o->timeout > 0)
        SET(CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000));
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, low_time);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
    SET(CURLOPT_ERRORBUFFER, x->errbuf);
#ifdef HAVE_PREREQ
    SET(CURLOPT_PREREQFUNCTION, on_prereq);
    SET(CURLOPT_PREREQDATA, x);
#endif
    if (o->verbose >= 2 && o->log) {
        SET(CURLOPT_DEBUGFUNCTION, on_debug);
        SET(CURLOPT_DEBUGDATA, x);
        SET(CURLOPT_VERBOSE, 1L);
    }
    if (rc != CURLE_OK)
        return rc;
    /* Best effort: a libcurl built without HTTP/2 or zlib still works. */
    (void)curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    (void)curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    (void)curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    /* no CURLOPT_PIPEWAIT: after an allocation failure inside libcurl's
     * connection set-up, a transfer waiting to multiplex on that connection
     * waits for ever (libcurl 7.88; not even CURLOPT_TIMEOUT ends it) */
    return CURLE_OK;
}

/* The request line, body and headers of one transfer. */
static CURLcode set_request(xfer *x, const char *body, size_t body_len, int fresh,
                            const char *const *headers, size_t nheaders)
{
    CURL *e = x->easy;
    CURLcode rc = CURLE_OK;
    int is_get = strcmp(x->method, "GET") == 0;
    int with_body = body || strcmp(x->method, "POST") == 0 || strcmp(x->method, "PUT") == 0 ||
                    strcmp(x->method, "PATCH") == 0;
    SET(CURLOPT_URL, x->url);
    if (with_body) {
        x->body = ec_xmalloc(body_len + 1);
        if (body_len)
            memcpy(x->body, body, body_len);
        x->body[body_len] = '\0';
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        SET(CURLOPT_POSTFIELDS, x->body);
    } else if (is_get) {
        SET(CURLOPT_HTTPGET, 1L);
    }
    if (!is_get && strcmp(x->method, "POST") != 0)
        SET(CURLOPT_CUSTOMREQUEST, x->method);
    if (fresh) {
        SET(CURLOPT_FRESH_CONNECT, 1L);
        SET(CURLOPT_FORBID_REUSE, 1L);
    }
    if (rc == CURLE_OK && build_headers(x, headers, nheaders, with_body) != 0)
        rc = CURLE_OUT_OF_MEMORY;
    SET(CURLOPT_HTTPHEADER, x->headers);
    return rc;
}

#undef SET

/* ---------------------------------------------------------------- transfers */

static CURL *pool_get(ec_http *h)
{
    return h->npool ? h->pool[--h->npool] : curl_easy_init();
}

static void pool_put(ec_http *h, CURL *e)
{
    if (!e)
        return;
    if (h->npool < (size_t)h->o.max_total) {
        curl_easy_reset(e);
        h->pool[h->npool++] = e;
    } else {
        curl_easy_cleanup(e);
    }
}

static void xfer_free(ec_http *h, xfer *x)
{
    pool_put(h, x->easy);
    curl_slist_free_all(x->headers);
    free(x->method);
    free(x->url);
    free(x->body);
    free(x->retry_after);
    ec_buf_free(&x->resp);
    free(x);
}

int ec_http_start(ec_http *h, const char *method, const char *url, const char *const *headers,
                  size_t nheaders, const char *body, size_t body_len, int fresh,
                  ec_http_done_fn done, void *ud)
{
    if (!h || !method || !*method || !url || !done || (nheaders && !headers))
        return -1;
    xfer *x = ec_xcalloc(1, sizeof *x);
    x->h = h;
    x->method = ec_xstrdup(method);
    x->url = ec_xstrdup(url);
    x->done = done;
    x->ud = ud;
    x->easy = pool_get(h);
    if (!x->easy || set_common(h, x) != CURLE_OK ||
        set_request(x, body, body_len, fresh, headers, nheaders) != CURLE_OK) {
        xfer_free(h, x);
        return -1;
    }
    xlist_push(&h->queue, x);
    return 0;
}

/* Short stable tag for a transport failure. */
static const char *reason_for(CURLcode rc, int too_large)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return "timeout";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "dns failure";
    case CURLE_COULDNT_CONNECT:
        return "connect failed";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
        return "tls failure";
    case CURLE_GOT_NOTHING:
        return "empty reply";
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        return "connection reset";
    case CURLE_PARTIAL_FILE:
        return "truncated response";
    case CURLE_WRITE_ERROR:
        return too_large ? "response too large" : "transport error";
    case CURLE_BAD_CONTENT_ENCODING:
        return "bad encoding";
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return "http2 error";
    default:
        return "transport error";
    }
}

/* May any byte of the request have reached the server? */
static int request_was_sent(const xfer *x, CURLcode rc)
{
    if (rc == CURLE_OK)
        return 1;
#ifdef HAVE_PREREQ
    return x->sent;
#else
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_FAILED_INIT:
        return 0;
    case CURLE_OPERATION_TIMEDOUT: {
        long req = 0;
        curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &req);
        return req > 0; /* a connect timeout sent nothing */
    }
    default:
        return 1;
    }
#endif
}

/* One line per exchange, e.g. "POST http://h/p -> 202 (812 B, 0.051 s)". */
static void log_exchange(ec_http *h, const xfer *x, const ec_http_result *r, size_t body_len)
{
    if (!h->o.verbose || !h->o.log)
        return;
    ec_buf b = {0};
    ec_buf_printf(&b, "%s %s -> ", x->method, x->url);
    if (r->status)
        ec_buf_printf(&b, "%ld (%zu B, %.3f s", r->status, body_len, r->elapsed);
    else
        ec_buf_printf(&b, "failed: %s (%.3f s", r->error, r->elapsed);
    if (r->retry_after >= 0)
        ec_buf_printf(&b, ", Retry-After %.0f s", r->retry_after);
    ec_buf_puts(&b, ")");
    log_line(h, "", b.p, b.len);
    ec_buf_free(&b);
}

/* Deliver a finished (or never started) transfer and free it. */
static void finish(ec_http *h, xfer *x, CURLcode rc)
{
    ec_http_result r = {0};
    ec_buf errtext = {0};
    r.retry_after = x->retry_after ? ec_retry_after_parse(x->retry_after, time(NULL)) : -1;
    r.elapsed = x->started > 0 ? now_s() - x->started : 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.status);
        r.request_sent = 1;
    } else {
        const char *msg = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
        if (x->too_large)
            ec_buf_printf(&errtext, "response larger than %zu bytes", h->o.max_body);
        else
            ec_http_redact(&errtext, msg, strlen(msg), h->o.secrets);
        r.error = errtext.p;
        r.reason = reason_for(rc, x->too_large);
        r.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        r.request_sent = request_was_sent(x, rc);
        ec_buf_clear(&x->resp); /* a partial body is no answer */
    }
    r.body = x->resp;
    x->resp = (ec_buf){0};
    ec_buf_put(&r.body, "", 0); /* NUL-terminated even when empty */
    log_exchange(h, x, &r, r.body.len);
    x->done(x->ud, &r);
    ec_buf_free(&r.body);
    ec_buf_free(&errtext);
    xfer_free(h, x);
}

/* Move queued transfers into the multi handle while there is room. */
static void promote(ec_http *h)
{
    while (h->queue.head && h->active.n < (size_t)h->o.max_total) {
        xfer *x = h->queue.head;
        xlist_remove(&h->queue, x);
        x->started = now_s();
        if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
            finish(h, x, CURLE_FAILED_INIT);
            continue;
        }
        xlist_push(&h->active, x);
    }
}

/* Deliver every transfer libcurl reports as done. */
static void drain(ec_http *h)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(h->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *e = m->easy_handle;
        CURLcode rc = m->data.result;
        char *priv = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
        xfer *x = (xfer *)priv;
        curl_multi_remove_handle(h->multi, e);
        xlist_remove(&h->active, x);
        finish(h, x, rc);
    }
}

/* Readable in the sense a reader cares about: data, EOF (a pipe's POLLHUP,
 * which curl does not report) or an error. */
static int fd_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL));
}

int ec_http_run(ec_http *h, long timeout_ms, int extra_fd)
{
    promote(h);
    struct curl_waitfd w = {.fd = extra_fd, .events = CURL_WAIT_POLLIN};
    int t = timeout_ms <= 0 ? 0 : timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms;
    int nfds = 0, running = 0;
    if (curl_multi_poll(h->multi, extra_fd >= 0 ? &w : NULL, extra_fd >= 0 ? 1 : 0, t, &nfds) !=
        CURLM_OK)
        return -1;
    CURLMcode mc = curl_multi_perform(h->multi, &running);
    drain(h);
    promote(h);
    if (mc != CURLM_OK)
        return -1;
    return extra_fd >= 0 && fd_readable(extra_fd);
}

void ec_http_wakeup(ec_http *h)
{
    if (h)
        curl_multi_wakeup(h->multi);
}

size_t ec_http_in_flight(const ec_http *h)
{
    return h->queue.n + h->active.n;
}

/* ---------------------------------------------------------------- life cycle */

static int multi_setup(ec_http *h)
{
    long cap = h->o.max_total > h->o.max_host ? h->o.max_total : h->o.max_host;
    CURLMcode mc = curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    /* libcurl sizes its connection cache from the handles currently added
     * (4x); ours come and go, so size it for the cap or connections churn. */
    if (mc == CURLM_OK)
        mc = curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, cap < 4 ? 4L : cap);
    if (mc == CURLM_OK && h->o.max_host > 0)
        mc = curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)h->o.max_host);
    return mc == CURLM_OK ? 0 : -1;
}

ec_http *ec_http_new(const ec_http_opts *opts, ec_buf *err)
{
    if (curl_users == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ec_buf_puts(err, "cannot initialise libcurl");
        return NULL;
    }
    curl_users++;
    ec_http *h = ec_xcalloc(1, sizeof *h);
    h->o = *opts;
    if (h->o.connect_timeout <= 0)
        h->o.connect_timeout = 30;
    if (h->o.max_total <= 0)
        h->o.max_total = 1;
    if (h->o.max_body == 0)
        h->o.max_body = EC_HTTP_MAX_BODY;
    h->cacert = opts->cacert ? ec_xstrdup(opts->cacert) : NULL;
    h->user_agent = opts->user_agent ? ec_xstrdup(opts->user_agent) : NULL;
    h->o.cacert = h->cacert;
    h->o.user_agent = h->user_agent;
    h->pool = ec_xcalloc((size_t)h->o.max_total, sizeof *h->pool);
    h->multi = curl_multi_init();
    if (!h->multi || multi_setup(h) != 0) {
        ec_buf_puts(err, "cannot set up the libcurl multi handle");
        ec_http_free(h);
        return NULL;
    }
    return h;
}

static void free_list(ec_http *h, xlist *l, int in_multi)
{
    while (l->head) {
        xfer *x = l->head;
        xlist_remove(l, x);
        if (in_multi)
            curl_multi_remove_handle(h->multi, x->easy);
        xfer_free(h, x);
    }
}

void ec_http_free(ec_http *h)
{
    if (!h)
        return;
    free_list(h, &h->active, 1);
    free_list(h, &h->queue, 0);
    for (size_t i = 0; i < h->npool; i++)
        curl_easy_cleanup(h->pool[i]);
    free(h->pool);
    if (h->multi)
        curl_multi_cleanup(h->multi);
    free(h->cacert);
    free(h->user_agent);
    free(h);
    if (--curl_users == 0)
        curl_global_cleanup();
}

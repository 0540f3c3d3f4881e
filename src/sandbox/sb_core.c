/* sb_core.c - the HTTP side of enrichcsv-sandbox: libmicrohttpd glue,
 * routing to the provider simulators, the fault knobs (latency, rate limit,
 * 5xx, drops, malformed bodies), the request log and /_sandbox/.
 *
 * MHD runs one thread per connection. Each request is answered in three
 * steps: the latency sleep (unlocked, so slow answers overlap), then the
 * knobs, the simulator and the counters under one global mutex (handlers
 * are single-threaded code), then the answer is queued. */
#include "config.h"
#include "sb_core.h"

#include <microhttpd.h>
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result sb_mhd_result;
#else
typedef int sb_mhd_result;
#endif

sb_config sb_cfg = {
    .job_ms = 300,
    .credits = -1,
    .retry_after_s = 1,
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct MHD_Daemon *mhd;
static FILE *log_stream;
static struct timespec start_ts;
static char origin[64] = "http://127.0.0.1";
static unsigned long long rng;
static int inflight[SB_NPROV + 1];

#define MAX_BODY (16u << 20)

/* ------------------------------------------------------------ services for handlers */

double sb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)(ts.tv_sec - start_ts.tv_sec) + (double)(ts.tv_nsec - start_ts.tv_nsec) / 1e9;
}

double sb_wall(double t)
{
    static double start = -1;
    if (start < 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        start = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - sb_now();
    }
    return start + t;
}

void sb_put_time(ec_buf *b, double t)
{
    double w = sb_wall(t);
    time_t s = (time_t)w;
    struct tm tm;
    char out[40];
    gmtime_r(&s, &tm);
    strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
    ec_buf_printf(b, "\"%s.%03dZ\"", out, (int)((w - (double)s) * 1000));
}

const char *sb_origin(void)
{
    return origin;
}

const char *sb_header(const sb_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *sb_query(const sb_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void sb_reply(sb_resp *resp, int status, const char *body)
{
    resp->status = status;
    ec_buf_clear(&resp->body);
    ec_buf_puts(&resp->body, body);
}

void sb_replyf(sb_resp *resp, int status, const char *fmt, ...)
{
    va_list ap;
    resp->status = status;
    ec_buf_clear(&resp->body);
    va_start(ap, fmt);
    ec_buf_vprintf(&resp->body, fmt, ap);
    va_end(ap);
}

int sb_key_ok(const char *key)
{
    if (!key || !*key)
        return 0;
    return !sb_cfg.key || strcmp(key, sb_cfg.key) == 0;
}

/* A uniform draw in [0,1) from the knob generator (under the lock). */
static double draw(void)
{
    unsigned long long z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------ routing */

static const struct {
    const char *prefix;
    int provider;
} routes[] = {
    {"/people/", SB_AMPLEMARKET},       {"/api/enrichments", SB_THEHOG},
    {"/api/operations", SB_THEHOG},     {"/api/v1/enrich/", SB_OPENFUNNEL},
    {"/api/v1/people/", SB_OPENFUNNEL}, {"/api/v1/agent/", SB_OPENFUNNEL},
    {"/rest/", SB_WOODPECKER},          {"/api/v1/operations/", SB_LANCE},
    {"/api/v1/entities/", SB_LANCE},
};

static const struct {
    int provider;
    int (*fn)(const sb_req *, sb_resp *);
} handlers[] = {
    {SB_AMPLEMARKET, sb_amplemarket}, {SB_THEHOG, sb_thehog}, {SB_OPENFUNNEL, sb_openfunnel},
    {SB_WOODPECKER, sb_woodpecker},   {SB_LANCE, sb_lance},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The provider whose documented paths hold this one (for the knobs and
 * the log before a simulator has claimed the request). */
static int provider_of_path(const char *path)
{
    for (size_t i = 0; i < COUNT(routes); i++)
        if (strncmp(path, routes[i].prefix, strlen(routes[i].prefix)) == 0)
            return routes[i].provider;
    return SB_NPROV;
}

static int dispatch(const sb_req *req, sb_resp *resp, int guess)
{
    for (size_t i = 0; i < COUNT(handlers); i++)
        if (handlers[i].fn(req, resp))
            return handlers[i].provider;
    sb_reply(resp, 404, "");
    ec_buf_puts(&resp->body, "{\"error\":\"not_found\",\"message\":\"no such endpoint in "
                             "enrichcsv-sandbox\",\"path\":");
    ec_json_put_cstr(&resp->body, req->path);
    ec_buf_puts(&resp->body, "}");
    return guess;
}

/* ------------------------------------------------------------ faults */

/* An error body in the provider's own envelope for a fault the core makes. */
static void fault_body(sb_resp *resp, int provider, int status, const char *path, long wait)
{
    int limited = status == 429;
    const char *code = limited ? "rate_limited" : "internal_server_error";
    const char *msg = limited ? "Too many requests" : "Something went wrong.";
    switch (provider) {
    case SB_AMPLEMARKET:
        sb_replyf(resp, status,
                  "{\"object\":\"error\",\"_errors\":[{\"code\":\"%s\",\"title\":\"%s\","
                  "\"detail\":\"%s\"}]}",
                  code, limited ? "Too Many Requests" : "Internal Server Error", msg);
        break;
    case SB_THEHOG:
        sb_replyf(resp, status,
                  "{\"statusCode\":%d,\"error\":\"%s\",\"message\":\"%s\",\"path\":\"%s\","
                  "\"requestId\":\"req_fault\",\"timestamp\":null}",
                  status, limited ? "Too Many Requests" : "Internal Server Error", msg, path);
        break;
    case SB_OPENFUNNEL:
        sb_replyf(resp, status,
                  "{\"error_code\":\"%s\",\"message\":\"%s\",\"details\":{\"retry_after_seconds\":"
                  "%ld}}",
                  limited ? "RATE_LIMITED" : "INTERNAL_ERROR", msg, limited ? wait : 0L);
        break;
    case SB_WOODPECKER:
        sb_replyf(resp, status,
                  "{\"status\":{\"status\":\"ERROR\",\"code\":\"%s\",\"msg\":\"%s\"}}",
                  limited ? "E_TOO_MANY_REQUESTS" : "E_INTERNAL", msg);
        break;
    default: /* Lance */
        sb_replyf(resp, status, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
                  limited ? "RATE_LIMITED" : "INTERNAL_ERROR", msg);
    }
}

static void set_retry_after(sb_resp *resp, long wait)
{
    if (sb_cfg.no_retry_after) /* only the body says how long (OpenFunnel's does) */
        return;
    if (!sb_cfg.retry_after_date) {
        snprintf(resp->retry_after, sizeof resp->retry_after, "%ld", wait);
        return;
    }
    time_t at = time(NULL) + wait + 1; /* +1: an HTTP-date has whole seconds */
    struct tm tm;
    gmtime_r(&at, &tm);
    strftime(resp->retry_after, sizeof resp->retry_after, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* An injected 5xx: mostly the provider's 500, sometimes a proxy's 502 or 503. */
static void fail_5xx(sb_resp *resp, int provider, const char *path)
{
    double d = draw();
    if (d < 0.6) {
        fault_body(resp, provider, 500, path, 0);
    } else if (d < 0.8) {
        sb_reply(resp, 502, "<html><body><h1>502 Bad Gateway</h1></body></html>\n");
        resp->content_type = "text/html";
    } else {
        sb_reply(resp, 503, "Service Unavailable\n");
        resp->content_type = "text/plain";
        snprintf(resp->retry_after, sizeof resp->retry_after, "1");
    }
}

/* A 429 in the provider's envelope asking to wait wait seconds. */
static void too_many(const sb_req *req, sb_resp *resp, int provider, long wait)
{
    fault_body(resp, provider, 429, req->path, wait);
    set_retry_after(resp, wait);
}

/* Knobs that answer instead of the simulator. Returns the fault or NONE. */
static enum sb_fault pre_faults(const sb_req *req, sb_resp *resp, int provider, long *wait)
{
    if (provider == SB_NPROV)
        return SB_FAULT_NONE;
    *wait = sb_rate_take(provider, req->now);
    if (*wait > 0) {
        too_many(req, resp, provider, *wait);
        return SB_FAULT_RATE_LIMIT;
    }
    if (sb_cfg.fail_429 > 0 && draw() < sb_cfg.fail_429) {
        *wait = sb_cfg.retry_after_s;
        too_many(req, resp, provider, *wait);
        return SB_FAULT_429;
    }
    if (sb_cfg.drop > 0 && draw() < sb_cfg.drop)
        return SB_FAULT_DROP;
    if (sb_cfg.fail_5xx > 0 && draw() < sb_cfg.fail_5xx) {
        fail_5xx(resp, provider, req->path);
        return SB_FAULT_5XX;
    }
    return SB_FAULT_NONE;
}

/* Spoil a 2xx body: cut it in half, or make it invalid JSON. */
static void corrupt(ec_buf *b)
{
    if (draw() < 0.5 && b->len >= 2) {
        b->len /= 2;
        b->p[b->len] = '\0';
        return;
    }
    char *old = ec_buf_take(b);
    ec_buf_puts(b, "{'sandbox':malformed,");
    ec_buf_puts(b, old[0] == '{' ? old + 1 : old);
    free(old);
}

static enum sb_fault post_faults(const sb_req *req, sb_resp *resp, int provider)
{
    if (provider == SB_NPROV)
        return SB_FAULT_NONE;
    if (sb_cfg.drop_after > 0 && draw() < sb_cfg.drop_after)
        return SB_FAULT_DROP_AFTER;
    if (resp->status >= 200 && resp->status < 300 && sb_cfg.malformed > 0 &&
        draw() < sb_cfg.malformed) {
        corrupt(&resp->body);
        return SB_FAULT_MALFORMED;
    }
    return SB_FAULT_NONE;
}

/* ------------------------------------------------------------ log */

static sb_mhd_result put_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    ec_buf *b = cls;
    (void)kind;
    if (b->len)
        ec_buf_putc(b, '&');
    ec_buf_puts(b, key);
    if (!value)
        return MHD_YES;
    int secret = strcasestr(key, "key") || strcasestr(key, "token") || strcasestr(key, "secret");
    ec_buf_putc(b, '=');
    ec_buf_puts(b, secret ? "REDACTED" : value);
    return MHD_YES;
}

static void put_auth_names(ec_buf *b, const sb_req *req)
{
    static const char *const names[] = {"Authorization", "X-Access-Key", "X-Secret-Key",
                                        "X-API-Key"};
    int n = 0;
    ec_buf_puts(b, ",\"auth\":[");
    for (size_t i = 0; i < COUNT(names); i++)
        if (sb_header(req, names[i]))
            ec_buf_printf(b, "%s\"%s\"", n++ ? "," : "", names[i]);
    ec_buf_putc(b, ']');
}

/* One NDJSON line per request. Credentials never appear: only the names of
 * the headers that carried them, and REDACTED for key-like query values. */
static void log_request(const sb_req *req, int provider, const sb_resp *resp, enum sb_fault fault,
                        double started)
{
    static const char *const fault_names[SB_FAULT_COUNT] = {
        NULL, "rate_limited", "fail_5xx", "dropped", "dropped_after", "malformed", "fail_429",
    };
    if (!log_stream)
        return;
    ec_buf b = {0}, q = {0};
    ec_buf_puts(&b, "{\"time\":");
    sb_put_time(&b, sb_now());
    ec_buf_printf(&b, ",\"t\":%.3f,\"provider\":\"%s\",\"method\":", req->now,
                  sb_provider_names[provider]);
    ec_json_put_cstr(&b, req->method);
    ec_buf_puts(&b, ",\"path\":");
    ec_json_put_cstr(&b, req->path);
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, put_query_arg, &q);
    ec_buf_puts(&b, ",\"query\":");
    ec_json_put_str(&b, q.p ? q.p : "", q.len);
    if (resp->batch >= 0)
        ec_buf_printf(&b, ",\"batch\":%d", resp->batch);
    else
        ec_buf_puts(&b, ",\"batch\":null");
    int dropped = fault == SB_FAULT_DROP || fault == SB_FAULT_DROP_AFTER;
    if (dropped)
        ec_buf_puts(&b, ",\"status\":null");
    else
        ec_buf_printf(&b, ",\"status\":%d", resp->status);
    const char *idem = sb_header(req, "Idempotency-Key");
    ec_buf_puts(&b, ",\"idempotency_key\":");
    if (idem)
        ec_json_put_cstr(&b, idem);
    else
        ec_buf_puts(&b, "null");
    put_auth_names(&b, req);
    if (fault_names[fault])
        ec_buf_printf(&b, ",\"fault\":\"%s\"", fault_names[fault]);
    else
        ec_buf_puts(&b, ",\"fault\":null");
    ec_buf_printf(&b, ",\"ms\":%.1f}\n", (sb_now() - started) * 1000.0);
    fwrite(b.p, 1, b.len, log_stream);
    fflush(log_stream);
    ec_buf_free(&b);
    ec_buf_free(&q);
}

/* ------------------------------------------------------------ /_sandbox/ */

static void sandbox_endpoint(const sb_req *req, sb_resp *resp)
{
    int get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    if (strcmp(req->path, "/_sandbox/stats") == 0 && get) {
        const char *c = sb_query(req, "charges");
        resp->status = 200;
        sb_stats_json(&resp->body, c && strcmp(c, "0") != 0);
    } else if (strcmp(req->path, "/_sandbox/reset") == 0 && post) {
        sb_stats_reset();
        sb_ledger_reset();
        sb_rate_reset();
        sb_reply(resp, 200, "{\"reset\":true}\n");
    } else if (strcmp(req->path, "/_sandbox/health") == 0 && get) {
        sb_reply(resp, 200, "{\"ok\":true}\n");
    } else {
        sb_reply(resp, 404, "{\"error\":\"not_found\",\"message\":\"no such sandbox endpoint\"}");
    }
}

/* ------------------------------------------------------------ MHD glue */

typedef struct conn_state {
    ec_buf body;
    int too_big;
} conn_state;

static sb_mhd_result queue_answer(struct MHD_Connection *c, sb_resp *resp, enum sb_fault fault,
                                  long wait)
{
    size_t len = resp->body.len;
    char *body = ec_buf_take(&resp->body);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type",
                            resp->content_type ? resp->content_type : "application/json");
    if (resp->retry_after[0])
        MHD_add_response_header(r, "Retry-After", resp->retry_after);
    if (resp->location[0])
        MHD_add_response_header(r, "Location", resp->location);
    if (fault == SB_FAULT_RATE_LIMIT || fault == SB_FAULT_429) {
        char v[32];
        snprintf(v, sizeof v, "%.0f", sb_cfg.rate_limit_burst);
        if (sb_cfg.rate_limit_per_min > 0)
            MHD_add_response_header(r, "X-RateLimit-Limit", v);
        MHD_add_response_header(r, "X-RateLimit-Remaining", "0");
        snprintf(v, sizeof v, "%ld", wait);
        MHD_add_response_header(r, "X-RateLimit-Reset", v);
    }
    sb_mhd_result ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static void sleep_latency(void)
{
    if (sb_cfg.latency_ms <= 0)
        return;
    struct timespec ts = {sb_cfg.latency_ms / 1000, (sb_cfg.latency_ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Serve one complete request; returns what the access handler returns. */
static sb_mhd_result serve(struct MHD_Connection *c, const char *url, const char *method,
                           conn_state *cs)
{
    sb_req req = {method, url, cs->body.p ? cs->body.p : "", cs->body.len, c, 0, 0};
    sb_resp resp = {0};
    resp.batch = -1;
    enum sb_fault fault = SB_FAULT_NONE;
    long wait = 0;
    if (strncmp(url, "/_sandbox/", 10) == 0) {
        pthread_mutex_lock(&lock);
        sandbox_endpoint(&req, &resp);
        pthread_mutex_unlock(&lock);
        return queue_answer(c, &resp, fault, 0);
    }
    int provider = provider_of_path(url);
    pthread_mutex_lock(&lock);
    inflight[provider]++;
    pthread_mutex_unlock(&lock);
    sleep_latency();
    pthread_mutex_lock(&lock);
    req.now = sb_now();
    req.inflight = inflight[provider];
    if (cs->too_big) {
        sb_reply(&resp, 413, "{\"error\":\"payload_too_large\"}");
    } else {
        fault = pre_faults(&req, &resp, provider, &wait);
        if (fault == SB_FAULT_NONE) {
            provider = dispatch(&req, &resp, provider);
            fault = post_faults(&req, &resp, provider);
        }
    }
    sb_stats_request(
        provider, fault == SB_FAULT_DROP || fault == SB_FAULT_DROP_AFTER ? 0 : resp.status, fault);
    log_request(&req, provider, &resp, fault, req.now);
    inflight[provider_of_path(url)]--;
    pthread_mutex_unlock(&lock);
    if (fault == SB_FAULT_DROP || fault == SB_FAULT_DROP_AFTER) {
        ec_buf_free(&resp.body);
        return MHD_NO; /* MHD closes the connection without an answer */
    }
    return queue_answer(c, &resp, fault, wait);
}

static sb_mhd_result on_access(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **state)
{
    (void)cls;
    (void)version;
    conn_state *cs = *state;
    if (!cs) {
        *state = ec_xcalloc(1, sizeof *cs);
        return MHD_YES;
    }
    if (*upload_size) {
        if (cs->body.len + *upload_size > MAX_BODY)
            cs->too_big = 1;
        else
            ec_buf_put(&cs->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (!cs->body.p)
        ec_buf_puts(&cs->body, ""); /* handlers get "" for no body */
    return serve(c, url, method, cs);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_state *cs = *state;
    if (cs) {
        ec_buf_free(&cs->body);
        free(cs);
        *state = NULL;
    }
}

int sb_server_start(unsigned port, FILE *log, unsigned *bound, char *err, size_t errsz)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    clock_gettime(CLOCK_MONOTONIC, &start_ts);
    rng = (unsigned long long)sb_cfg.seed * 0x2545f4914f6cdd1dULL + 1;
    log_stream = log;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    mhd =
        MHD_start_daemon(flags, (unsigned short)port, NULL, NULL, on_access, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                         on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (!mhd) {
        snprintf(err, errsz, "cannot listen on 127.0.0.1:%u", port);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_in got;
    socklen_t len = sizeof got;
    if (!info || getsockname(info->listen_fd, (struct sockaddr *)&got, &len) != 0) {
        snprintf(err, errsz, "cannot read the bound port");
        MHD_stop_daemon(mhd);
        mhd = NULL;
        return -1;
    }
    *bound = ntohs(got.sin_port);
    snprintf(origin, sizeof origin, "http://127.0.0.1:%u", *bound);
    return 0;
}

void sb_server_stop(void)
{
    if (mhd)
        MHD_stop_daemon(mhd);
    mhd = NULL;
    pthread_mutex_lock(&lock);
    sb_stats_free();
    sb_data_free();
    log_stream = NULL;
    pthread_mutex_unlock(&lock);
}

/* sb_main.c - enrichcsv-sandbox: options, the port file, signals. The
 * daemon itself is in sb_core.c; this is the only sandbox file that prints
 * or exits. */
#include "config.h"
#include "sb_core.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_PORT_FILE = 256,
    OPT_SEED,
    OPT_KEY,
    OPT_LATENCY,
    OPT_JOB_MS,
    OPT_RATE,
    OPT_RETRY_DATE,
    OPT_NO_RETRY,
    OPT_RETRY_AFTER,
    OPT_FAIL_429,
    OPT_FAIL,
    OPT_DROP,
    OPT_DROP_AFTER,
    OPT_MALFORMED,
    OPT_CREDITS,
    OPT_MAX_BATCH,
    OPT_HOG_ITEMS,
    OPT_HOG_OBJECTS,
    OPT_HOG_POLL,
    OPT_OF_IDS,
    OPT_WP_WRAPPED,
    OPT_WP_KEY_400,
    OPT_LOG,
};

static const struct option options[] = {
    {"port", required_argument, NULL, 'p'},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"key", required_argument, NULL, OPT_KEY},
    {"latency-ms", required_argument, NULL, OPT_LATENCY},
    {"job-ms", required_argument, NULL, OPT_JOB_MS},
    {"rate-limit", required_argument, NULL, OPT_RATE},
    {"retry-after-date", no_argument, NULL, OPT_RETRY_DATE},
    {"no-retry-after", no_argument, NULL, OPT_NO_RETRY},
    {"retry-after", required_argument, NULL, OPT_RETRY_AFTER},
    {"fail-429", required_argument, NULL, OPT_FAIL_429},
    {"fail-5xx", required_argument, NULL, OPT_FAIL},
    {"drop", required_argument, NULL, OPT_DROP},
    {"drop-after", required_argument, NULL, OPT_DROP_AFTER},
    {"malformed", required_argument, NULL, OPT_MALFORMED},
    {"credits", required_argument, NULL, OPT_CREDITS},
    {"max-batch", required_argument, NULL, OPT_MAX_BATCH},
    {"thehog-items", required_argument, NULL, OPT_HOG_ITEMS},
    {"thehog-contact-objects", no_argument, NULL, OPT_HOG_OBJECTS},
    {"thehog-poll-url", required_argument, NULL, OPT_HOG_POLL},
    {"openfunnel-ids", required_argument, NULL, OPT_OF_IDS},
    {"woodpecker-wrapped", no_argument, NULL, OPT_WP_WRAPPED},
    {"woodpecker-key-400", no_argument, NULL, OPT_WP_KEY_400},
    {"log", required_argument, NULL, OPT_LOG},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "Usage: enrichcsv-sandbox [-q] [-p PORT] [--port-file FILE] [--seed N] [--key KEY]\n"
    "         [--latency-ms MS] [--job-ms MS] [--rate-limit N[/min|/s]] [--retry-after-date]\n"
    "         [--no-retry-after] [--fail-429 P] [--retry-after S] [--fail-5xx P] [--drop P]\n"
    "         [--drop-after P] [--malformed P] [--credits N]\n"
    "         [--max-batch N] [--thehog-items=result|toplevel|array] [--thehog-contact-objects]\n"
    "         [--thehog-poll-url=absolute|relative]\n"
    "         [--openfunnel-ids=people_ids|result|objects] [--woodpecker-wrapped]\n"
    "         [--woodpecker-key-400] [--log FILE]\n"
    "Simulates the Amplemarket, The Hog, OpenFunnel, Woodpecker and Lance APIs on\n"
    "127.0.0.1. See enrichcsv-sandbox(1).\n";

typedef struct main_opts {
    unsigned port;
    const char *port_file, *log_path;
    int quiet;
} main_opts;

/* Report a bad option value ("WHAT: 'ARG'") and exit 2. */
static void die_usage(const char *what, const char *arg)
{
    fprintf(stderr, "enrichcsv-sandbox: %s: '%s'\nTry 'enrichcsv-sandbox --help'.\n", what, arg);
    exit(2);
}

static double number(const char *s, double lo, double hi, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi)
        die_usage(what, s);
    return v;
}

static double probability(const char *s)
{
    return number(s, 0, 1, "not a probability between 0 and 1");
}

/* "N", "N/min", "N/m" or "N/s" as requests per minute; *burst = N, the
 * requests a full bucket lets through at once. */
static double rate_per_min(const char *s, double *burst)
{
    char num[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof num)
        die_usage("bad --rate-limit (want N/min or N/s)", s);
    memcpy(num, s, n);
    num[n] = '\0';
    double v = number(num, 0, 1e9, "bad --rate-limit (want N/min or N/s)");
    *burst = v;
    if (!slash || strcmp(slash, "/min") == 0 || strcmp(slash, "/m") == 0)
        return v;
    if (strcmp(slash, "/s") == 0 || strcmp(slash, "/sec") == 0)
        return v * 60;
    die_usage("bad --rate-limit (want N/min or N/s)", s);
    return 0;
}

static void thehog_items(const char *s)
{
    sb_cfg.thehog_items_toplevel = strcmp(s, "toplevel") == 0;
    sb_cfg.thehog_items_array = strcmp(s, "array") == 0;
    if (strcmp(s, "result") != 0 && !sb_cfg.thehog_items_toplevel && !sb_cfg.thehog_items_array)
        die_usage("--thehog-items takes result, toplevel or array", s);
}

static void choice(const char *s, const char *a, const char *b, int *flag, const char *what)
{
    if (strcmp(s, a) != 0 && strcmp(s, b) != 0)
        die_usage(what, s);
    *flag = strcmp(s, b) == 0;
}

/* The fault and data knobs (sb_cfg). Returns 0 when c is not one. */
static int parse_knob(int c, const char *arg)
{
    switch (c) {
    case OPT_SEED:
        sb_cfg.seed = (unsigned long)number(arg, 0, 4294967295.0, "bad seed");
        return 1;
    case OPT_LATENCY:
        sb_cfg.latency_ms = (long)number(arg, 0, 600000, "bad --latency-ms");
        return 1;
    case OPT_JOB_MS:
        sb_cfg.job_ms = (long)number(arg, 0, 86400000, "bad --job-ms");
        return 1;
    case OPT_RATE:
        sb_cfg.rate_limit_per_min = rate_per_min(arg, &sb_cfg.rate_limit_burst);
        return 1;
    case OPT_RETRY_AFTER:
        sb_cfg.retry_after_s = (long)number(arg, 0, 86400, "bad --retry-after");
        return 1;
    case OPT_FAIL_429:
        sb_cfg.fail_429 = probability(arg);
        return 1;
    case OPT_FAIL:
        sb_cfg.fail_5xx = probability(arg);
        return 1;
    case OPT_DROP:
        sb_cfg.drop = probability(arg);
        return 1;
    case OPT_DROP_AFTER:
        sb_cfg.drop_after = probability(arg);
        return 1;
    case OPT_MALFORMED:
        sb_cfg.malformed = probability(arg);
        return 1;
    case OPT_CREDITS:
        sb_cfg.credits = number(arg, 0, 1e15, "bad --credits");
        return 1;
    case OPT_MAX_BATCH:
        sb_cfg.max_batch_override = (int)number(arg, 1, 1e6, "bad --max-batch");
        return 1;
    default:
        return 0;
    }
}

/* The provider-shape flags, where providers.md leaves a shape open. */
static int parse_shape(int c, const char *arg)
{
    switch (c) {
    case OPT_HOG_ITEMS:
        thehog_items(arg);
        return 1;
    case OPT_HOG_OBJECTS:
        sb_cfg.thehog_objects = 1;
        return 1;
    case OPT_HOG_POLL:
        choice(arg, "absolute", "relative", &sb_cfg.thehog_relative_poll,
               "--thehog-poll-url takes absolute or relative");
        return 1;
    case OPT_OF_IDS:
        sb_cfg.openfunnel_id_objects = strcmp(arg, "objects") == 0;
        if (!sb_cfg.openfunnel_id_objects)
            choice(arg, "people_ids", "result", &sb_cfg.openfunnel_result_key,
                   "--openfunnel-ids takes people_ids, result or objects");
        sb_cfg.openfunnel_result_key |= sb_cfg.openfunnel_id_objects;
        return 1;
    case OPT_WP_WRAPPED:
        sb_cfg.woodpecker_wrapped = 1;
        return 1;
    case OPT_WP_KEY_400:
        sb_cfg.woodpecker_key_400 = 1;
        return 1;
    default:
        return 0;
    }
}

static void parse_option(int c, const char *arg, main_opts *o)
{
    if (parse_knob(c, arg) || parse_shape(c, arg))
        return;
    switch (c) {
    case 'p':
        o->port = (unsigned)number(arg, 0, 65535, "bad port");
        break;
    case 'q':
        o->quiet = 1;
        break;
    case OPT_PORT_FILE:
        o->port_file = arg;
        break;
    case OPT_KEY:
        if (!*arg)
            die_usage("--key must not be empty", "");
        sb_cfg.key = arg;
        break;
    case OPT_RETRY_DATE:
        sb_cfg.retry_after_date = 1;
        break;
    case OPT_NO_RETRY:
        sb_cfg.no_retry_after = 1;
        break;
    case OPT_LOG:
        o->log_path = arg;
        break;
    case 'h':
        fputs(usage_text, stdout);
        exit(0);
    case 'V':
        puts("enrichcsv-sandbox " PACKAGE_VERSION);
        exit(0);
    default:
        fputs("Try 'enrichcsv-sandbox --help'.\n", stderr);
        exit(2);
    }
}

/* Write the port so that a reader never sees a partial file. */
static int write_port_file(const char *path, unsigned port)
{
    size_t n = strlen(path) + 8;
    char *tmp = ec_xmalloc(n);
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fprintf(f, "%u\n", port) > 0;
    ok = f && fclose(f) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
        remove(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    main_opts o = {0};
    int c;
    while ((c = getopt_long(argc, argv, "p:qhV", options, NULL)) != -1)
        parse_option(c, optarg, &o);
    if (optind < argc)
        die_usage("unexpected argument", argv[optind]);

    FILE *log = NULL;
    if (o.log_path && !(log = fopen(o.log_path, "a"))) {
        fprintf(stderr, "enrichcsv-sandbox: %s: %s\n", o.log_path, strerror(errno));
        return 1;
    }
    /* block the stop signals in every thread; main waits for them below */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[256];
    unsigned port;
    if (sb_server_start(o.port, log, &port, err, sizeof err) != 0) {
        fprintf(stderr, "enrichcsv-sandbox: %s\n", err);
        return 1;
    }
    if (o.port_file && write_port_file(o.port_file, port) != 0) {
        fprintf(stderr, "enrichcsv-sandbox: %s: %s\n", o.port_file, strerror(errno));
        sb_server_stop();
        return 1;
    }
    if (!o.quiet) {
        printf("%s\n", sb_origin());
        fflush(stdout);
    }
    int sig = 0;
    sigwait(&stop, &sig);
    sb_server_stop();
    if (log && fclose(log) != 0) {
        fprintf(stderr, "enrichcsv-sandbox: %s: %s\n", o.log_path, strerror(errno));
        return 1;
    }
    return 0;
}

/* opts.c - getopt_long table and validation of the command line. */
#include "config.h"
#include "opts.h"
#include "ratelimit.h"
#include "reader.h"
#include "row.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    OPT_SANDBOX = 256,
    OPT_BASE_URL,
    OPT_SHOW_MAP,
    OPT_FIELDS,
    OPT_EMAIL_COL,
    OPT_PHONE_COL,
    OPT_STATUS_COL,
    OPT_OVERWRITE,
    OPT_ALL_VALUES,
    OPT_NO_JOURNAL,
    OPT_SALVAGE,
    OPT_JOURNAL_MERGE,
    OPT_JOURNAL_STATS,
    OPT_JOURNAL_COMPACT,
    OPT_MAX_AGE,
    OPT_RETRY_FAILED,
    OPT_BATCH_SIZE,
    OPT_CONCURRENCY,
    OPT_RATE,
    OPT_POLL,
    OPT_TIMEOUT,
    OPT_JOB_TIMEOUT,
    OPT_MAX_CREDITS,
    OPT_DRY_RUN,
    OPT_SENIORITY,
    OPT_DEPARTMENT,
    OPT_AUDIENCE,
    OPT_MAX_CREDIT_LIMIT,
    OPT_EXCEL,
    OPT_STRICT,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_CONFIG,
    OPT_API_KEY_FILE,
    OPT_CACERT
};

static const struct option long_opts[] = {
    {"provider", required_argument, NULL, 'p'},
    {"sandbox", no_argument, NULL, OPT_SANDBOX},
    {"base-url", required_argument, NULL, OPT_BASE_URL},
    {"input-format", required_argument, NULL, 'i'},
    {"output-format", required_argument, NULL, 'o'},
    {"delimiter", required_argument, NULL, 'd'},
    {"map", required_argument, NULL, 'm'},
    {"show-map", no_argument, NULL, OPT_SHOW_MAP},
    {"fields", required_argument, NULL, OPT_FIELDS},
    {"email-column", required_argument, NULL, OPT_EMAIL_COL},
    {"phone-column", required_argument, NULL, OPT_PHONE_COL},
    {"status-column", required_argument, NULL, OPT_STATUS_COL},
    {"overwrite", no_argument, NULL, OPT_OVERWRITE},
    {"all-values", no_argument, NULL, OPT_ALL_VALUES},
    {"journal", required_argument, NULL, 'j'},
    {"no-journal", no_argument, NULL, OPT_NO_JOURNAL},
    {"salvage", no_argument, NULL, OPT_SALVAGE},
    {"journal-merge", no_argument, NULL, OPT_JOURNAL_MERGE},
    {"journal-stats", no_argument, NULL, OPT_JOURNAL_STATS},
    {"journal-compact", no_argument, NULL, OPT_JOURNAL_COMPACT},
    {"max-age", required_argument, NULL, OPT_MAX_AGE},
    {"retry-failed", no_argument, NULL, OPT_RETRY_FAILED},
    {"batch-size", required_argument, NULL, OPT_BATCH_SIZE},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"rate", required_argument, NULL, OPT_RATE},
    {"poll-interval", required_argument, NULL, OPT_POLL},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"job-timeout", required_argument, NULL, OPT_JOB_TIMEOUT},
    {"max-credits", required_argument, NULL, OPT_MAX_CREDITS},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"seniority", required_argument, NULL, OPT_SENIORITY},
    {"department", required_argument, NULL, OPT_DEPARTMENT},
    {"audience", required_argument, NULL, OPT_AUDIENCE},
    {"max-credit-limit", required_argument, NULL, OPT_MAX_CREDIT_LIMIT},
    {"excel", no_argument, NULL, OPT_EXCEL},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"api-key-file", required_argument, NULL, OPT_API_KEY_FILE},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char help_text[] =
    "Usage: enrichcsv [-p PROVIDER] [OPTIONS] [FILE]\n"
    "       enrichcsv --sandbox [-p PROVIDER] [OPTIONS] [FILE]\n"
    "       enrichcsv --show-map | --dry-run [OPTIONS] [FILE]\n"
    "       enrichcsv --journal-stats | --journal-compact -j JOURNAL\n"
    "       enrichcsv --journal-merge -j OUT JOURNAL...\n"
    "\n"
    "Read lead rows (CSV or NDJSON) from FILE or stdin, look up email and phone\n"
    "with a contact-enrichment provider, and write every row to stdout in input\n"
    "order with email, phone and status columns added.\n"
    "\n"
    "Provider:\n"
    "  -p, --provider NAME      amplemarket, thehog, openfunnel, woodpecker, lance\n"
    "      --sandbox            run against the bundled simulator (no key, no network)\n"
    "      --base-url URL       override the provider's API base URL\n"
    "      --config FILE        INI config (default ~/.config/enrichcsv/config)\n"
    "      --api-key-file FILE  read the key from FILE (mode 0600)\n"
    "      --cacert FILE        CA certificates for a private CA\n"
    "Input and output:\n"
    "  -i, --input-format F     csv, ndjson or auto (default auto)\n"
    "  -o, --output-format F    csv or ndjson (default: as input)\n"
    "  -d, --delimiter C        CSV delimiter (default: sniffed , ; TAB |)\n"
    "  -m, --map FIELD=COLUMN   feed a provider field from a column (repeatable)\n"
    "      --show-map           print the column mapping and exit\n"
    "      --fields LIST        what to reveal: email,phone (default both)\n"
    "      --email-column NAME  output column for emails (default email)\n"
    "      --phone-column NAME  output column for phones (default phone)\n"
    "      --status-column NAME output column for the status (default enrich_status)\n"
    "      --overwrite          replace non-empty values in a reused column\n"
    "      --all-values         join several values with \"; \"\n"
    "      --excel              UTF-8 BOM, CRLF, guard cells against formulas\n"
    "Journal:\n"
    "  -j, --journal FILE       checkpoint journal (default $ENRICHCSV_JOURNAL or\n"
    "                           ~/.local/state/enrichcsv/journal.zst)\n"
    "      --no-journal         no resume, no cache\n"
    "      --salvage            resume past a corrupt journal record\n"
    "      --max-age DAYS       look up again results older than DAYS\n"
    "      --retry-failed       submit rows whose last outcome was a failure again\n"
    "      --journal-stats      print statistics of the journal and exit\n"
    "      --journal-compact    keep the latest record per key, atomically\n"
    "      --journal-merge      merge the journals named as arguments into -j OUT\n"
    "Pacing and budget:\n"
    "      --batch-size N       lookups per request (default: provider's)\n"
    "      --concurrency N      requests in flight (default 8)\n"
    "      --rate N/s|N/min     request rate (default: provider's documented limit)\n"
    "      --poll-interval SECS seconds between polls of a job\n"
    "      --timeout SECS       one HTTP request (default 60)\n"
    "      --job-timeout SECS   give up on a job after SECS\n"
    "      --max-credits N      never start work that could spend more than N\n"
    "      --dry-run            map, consult the journal, print the plan; no network\n"
    "OpenFunnel:\n"
    "      --seniority LIST     seniority filters (comma-separated)\n"
    "      --department LIST    department filters (comma-separated)\n"
    "      --audience NAME      audience name\n"
    "      --max-credit-limit N credit cap per account job\n"
    "Messages:\n"
    "      --strict             exit 3 if any row failed; bad input is fatal\n"
    "      --progress           progress line on stderr (default: when a terminal)\n"
    "      --no-progress        no progress line\n"
    "  -q, --quiet              no summary\n"
    "  -v, --verbose            one line per HTTP exchange (keys redacted)\n"
    "  -h, --help               this help\n"
    "  -V, --version            version\n";

const char *ec_opts_help(void)
{
    return help_text;
}

static int parse_double(const char *s, double *out)
{
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (errno || e == s || *e || !isfinite(v) || v < 0)
        return -1;
    *out = v;
    return 0;
}

static int parse_long(const char *s, long *out)
{
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (errno || e == s || *e || v < 0)
        return -1;
    *out = v;
    return 0;
}

static int parse_fields(const char *s, unsigned *out)
{
    unsigned f = 0;
    char *copy = ec_xstrdup(s), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "email") == 0)
            f |= EC_WANT_EMAIL;
        else if (strcmp(t, "phone") == 0)
            f |= EC_WANT_PHONE;
        else {
            free(copy);
            return -1;
        }
    }
    free(copy);
    if (!f)
        return -1;
    *out = f;
    return 0;
}

static int parse_format(const char *s, int allow_auto, int *out)
{
    if (strcmp(s, "csv") == 0)
        *out = EC_FMT_CSV;
    else if (strcmp(s, "ndjson") == 0 || strcmp(s, "jsonl") == 0)
        *out = EC_FMT_NDJSON;
    else if (allow_auto && strcmp(s, "auto") == 0)
        *out = EC_FMT_AUTO;
    else
        return -1;
    return 0;
}

static int parse_delimiter(const char *s, char *out)
{
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0) {
        *out = '\t';
        return 0;
    }
    if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
        return -1;
    *out = s[0];
    return 0;
}

static void defaults(ec_opts *o)
{
    memset(o, 0, sizeof *o);
    o->fields = EC_WANT_EMAIL | EC_WANT_PHONE;
    o->email_col = "email";
    o->phone_col = "phone";
    o->status_col = "enrich_status";
    o->max_credits = -1;
    o->progress = -1;
}

#define BAD(...)                                                                                   \
    do {                                                                                           \
        ec_buf_printf(err, __VA_ARGS__);                                                           \
        return -1;                                                                                 \
    } while (0)

/* Options with a numeric or enumerated argument. */
static int parse_value_opt(ec_opts *o, int c, const char *arg, ec_buf *err)
{
    switch (c) {
    case 'i':
        if (parse_format(arg, 1, &o->input_format) < 0)
            BAD("--input-format: '%s' is not csv, ndjson or auto", arg);
        return 0;
    case 'o':
        if (parse_format(arg, 0, &o->output_format) < 0)
            BAD("--output-format: '%s' is not csv or ndjson", arg);
        return 0;
    case 'd':
        if (parse_delimiter(arg, &o->delimiter) < 0)
            BAD("--delimiter: '%s' is not one character (use 'tab' for a tab)", arg);
        return 0;
    case OPT_FIELDS:
        if (parse_fields(arg, &o->fields) < 0)
            BAD("--fields: '%s' is not a list of email and phone", arg);
        return 0;
    case OPT_MAX_AGE:
        if (parse_double(arg, &o->max_age_days) < 0 || o->max_age_days == 0)
            BAD("--max-age: '%s' is not a positive number of days", arg);
        return 0;
    case OPT_BATCH_SIZE:
        if (parse_long(arg, &o->batch_size) < 0 || o->batch_size == 0)
            BAD("--batch-size: '%s' is not a positive whole number", arg);
        return 0;
    case OPT_CONCURRENCY:
        if (parse_long(arg, &o->concurrency) < 0 || o->concurrency == 0 || o->concurrency > 256)
            BAD("--concurrency: '%s' is not a whole number from 1 to 256", arg);
        return 0;
    case OPT_RATE: {
        double per_second;
        ec_buf why = {0};
        int bad = ec_rate_parse(arg, &per_second, &why) < 0;
        if (bad)
            ec_buf_printf(err, "--rate: %s", why.p ? why.p : arg);
        ec_buf_free(&why);
        if (bad)
            return -1;
        o->rate_per_min = per_second * 60;
        return 0;
    }
    case OPT_POLL:
        if (parse_double(arg, &o->poll_interval) < 0 || o->poll_interval == 0)
            BAD("--poll-interval: '%s' is not a positive number of seconds", arg);
        return 0;
    case OPT_TIMEOUT:
        if (parse_double(arg, &o->timeout) < 0 || o->timeout < 1)
            BAD("--timeout: '%s' is not a number of seconds >= 1", arg);
        return 0;
    case OPT_JOB_TIMEOUT:
        if (parse_double(arg, &o->job_timeout) < 0 || o->job_timeout == 0)
            BAD("--job-timeout: '%s' is not a positive number of seconds", arg);
        return 0;
    case OPT_MAX_CREDITS:
        if (parse_double(arg, &o->max_credits) < 0)
            BAD("--max-credits: '%s' is not a number >= 0", arg);
        return 0;
    case OPT_MAX_CREDIT_LIMIT:
        if (parse_long(arg, &o->max_credit_limit) < 0 || o->max_credit_limit == 0)
            BAD("--max-credit-limit: '%s' is not a positive whole number", arg);
        return 0;
    }
    return 1; /* not a value option */
}

static int set_mode(ec_opts *o, enum ec_opts_mode m, const char *name, ec_buf *err)
{
    if (o->mode != EC_MODE_RUN && o->mode != m)
        BAD("%s cannot be combined with another mode option", name);
    o->mode = m;
    return 0;
}

static int parse_one(ec_opts *o, int c, const char *arg, ec_buf *err)
{
    int r = parse_value_opt(o, c, arg, err);
    if (r <= 0)
        return r;
    /* one line per option reads best */
    // clang-format off
    switch (c) {
    case 'p': o->provider = arg; break;
    case OPT_SANDBOX: o->sandbox = 1; break;
    case OPT_BASE_URL: o->base_url = arg; break;
    case 'm':
        if (!strchr(arg, '='))
            BAD("--map: '%s' is not FIELD=COLUMN", arg);
        o->maps = ec_xrealloc(o->maps, (o->nmaps + 1) * sizeof *o->maps);
        o->maps[o->nmaps++] = arg;
        break;
    case OPT_SHOW_MAP: return set_mode(o, EC_MODE_SHOW_MAP, "--show-map", err);
    case OPT_DRY_RUN: return set_mode(o, EC_MODE_DRY_RUN, "--dry-run", err);
    case OPT_JOURNAL_STATS: return set_mode(o, EC_MODE_JOURNAL_STATS, "--journal-stats", err);
    case OPT_JOURNAL_COMPACT: return set_mode(o, EC_MODE_JOURNAL_COMPACT, "--journal-compact", err);
    case OPT_JOURNAL_MERGE: return set_mode(o, EC_MODE_JOURNAL_MERGE, "--journal-merge", err);
    case OPT_EMAIL_COL: o->email_col = arg; break;
    case OPT_PHONE_COL: o->phone_col = arg; break;
    case OPT_STATUS_COL: o->status_col = arg; break;
    case OPT_OVERWRITE: o->overwrite = 1; break;
    case OPT_ALL_VALUES: o->all_values = 1; break;
    case 'j': o->journal = arg; break;
    case OPT_NO_JOURNAL: o->no_journal = 1; break;
    case OPT_SALVAGE: o->salvage = 1; break;
    case OPT_RETRY_FAILED: o->retry_failed = 1; break;
    case OPT_SENIORITY: o->seniority = arg; break;
    case OPT_DEPARTMENT: o->department = arg; break;
    case OPT_AUDIENCE: o->audience = arg; break;
    case OPT_EXCEL: o->excel = 1; break;
    case OPT_STRICT: o->strict = 1; break;
    case OPT_PROGRESS: o->progress = 1; break;
    case OPT_NO_PROGRESS: o->progress = 0; break;
    case 'q': o->quiet = 1; break;
    case 'v': o->verbose++; break;
    case OPT_CONFIG: o->config = arg; break;
    case OPT_API_KEY_FILE: o->api_key_file = arg; break;
    case OPT_CACERT: o->cacert = arg; break;
    case 'h': o->mode = EC_MODE_HELP; break;
    case 'V': o->mode = EC_MODE_VERSION; break;
    default: BAD("unknown option (see enrichcsv --help)");
    }
    // clang-format on
    return 0;
}

/* Positional arguments: one input FILE, or the journals to merge. */
static int parse_operands(ec_opts *o, int argc, char **argv, int first, ec_buf *err)
{
    int n = argc - first;
    if (o->mode == EC_MODE_JOURNAL_MERGE) {
        if (n < 1)
            BAD("--journal-merge needs the journals to merge as arguments");
        if (!o->journal)
            BAD("--journal-merge needs -j OUT for the merged journal");
        o->merge_inputs = (const char **)(argv + first);
        o->nmerge = (size_t)n;
        return 0;
    }
    if (n > 1)
        BAD("one input file at most ('%s' is extra)", argv[first + 1]);
    if (n == 1 && strcmp(argv[first], "-") != 0)
        o->input = argv[first];
    return 0;
}

/* Length of an option's name, without any "=value" (which may be a key). */
static int name_len(const char *arg)
{
    size_t n = strcspn(arg, "=");
    return n > 200 ? 200 : (int)n;
}

/* Is arg ("--name" or "--name=value") an attempt to pass a key on argv? */
static int key_option(const char *arg)
{
    static const char *const names[] = {
        "--api-key",    "--apikey",     "--key",      "--token",  "--api-token", "--secret",
        "--secret-key", "--access-key", "--password", "--bearer", NULL};
    size_t n = strcspn(arg, "=");
    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == n && strncmp(arg, names[i], n) == 0)
            return 1;
    return 0;
}

static int refuse_key_option(const char *arg, ec_buf *err)
{
    BAD("%.*s: keys are never taken on the command line (every user can read it with ps); "
        "set the provider's variable (e.g. AMPLEMARKET_API_KEY), use the config file, "
        "or --api-key-file FILE",
        name_len(arg), arg);
}

/* The option text the user typed for the option just parsed. */
static const char *typed_option(char **argv, const char *optarg_now)
{
    const char *a = argv[optind - 1];
    if (optarg_now && a == optarg_now && optind >= 2)
        a = argv[optind - 2]; /* "--name value": the value was the last word */
    return a;
}

int ec_opts_parse(ec_opts *o, int argc, char **argv, ec_buf *err)
{
    defaults(o);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":p:i:o:d:m:j:qvhV", long_opts, NULL)) != -1) {
        if (c == '?') {
            if (optopt)
                BAD("unknown option -%c (see enrichcsv --help)", optopt);
            if (key_option(argv[optind - 1]))
                return refuse_key_option(argv[optind - 1], err);
            BAD("unknown option %.*s (see enrichcsv --help)", name_len(argv[optind - 1]),
                argv[optind - 1]);
        }
        if (c == ':')
            BAD("option %.*s needs an argument", name_len(argv[optind - 1]), argv[optind - 1]);
        /* getopt takes "--api-key" as short for --api-key-file: a key given
         * that way must not be read as a file name (and echoed in an error) */
        if (c == OPT_API_KEY_FILE && strncmp(typed_option(argv, optarg), "--api-key-file", 14))
            return refuse_key_option(typed_option(argv, optarg), err);
        if (parse_one(o, c, optarg, err) < 0)
            return -1;
    }
    if (o->mode == EC_MODE_HELP || o->mode == EC_MODE_VERSION)
        return 0;
    if (parse_operands(o, argc, argv, optind, err) < 0)
        return -1;
    if (o->no_journal && (o->salvage || o->retry_failed || o->max_age_days > 0))
        BAD("--no-journal cannot be combined with --salvage, --retry-failed or --max-age");
    if (o->sandbox && o->base_url)
        BAD("--sandbox and --base-url cannot be combined");
    if (o->base_url && strncmp(o->base_url, "http://", 7) != 0 &&
        strncmp(o->base_url, "https://", 8) != 0)
        BAD("--base-url: '%s' is not an http:// or https:// URL", o->base_url);
    return 0;
}

void ec_opts_free(ec_opts *o)
{
    free(o->maps);
    o->maps = NULL;
}

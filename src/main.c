/* main.c - wiring: options, settings, keys, sandbox, journal, engine; the
 * status of the run becomes the exit code here. */
#include "config.h"
#include "engine.h"
#include "ledger.h"
#include "msg.h"
#include "opts.h"
#include "progress.h"
#include "prov_openfunnel.h"
#include "provider.h"
#include "sandbox_run.h"
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
    if (signals_seen++ && sig == SIGINT) {
        /* the journal is appended one whole frame per write(), so it is intact */
        static const char erase[] = "\r\033[K";
        static const char m[] =
            "enrichcsv: interrupted again: exiting now (the journal is intact)\n";
        ssize_t w = 0;
        if (ec_progress_on_screen())
            w = write(2, erase, sizeof erase - 1);
        w = write(2, m, sizeof m - 1);
        (void)w;
        _exit(EC_EXIT_SIGINT);
    }
    ec_engine_signal(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int usage_error(const char *msg)
{
    ec_error("%s", msg);
    fputs("Try 'enrichcsv --help' for more information.\n", stderr);
    return EC_EXIT_USAGE;
}

/* Values above a provider's documented hard limits are refused, naming the limit. */
static int check_limits(const ec_opts *o, const ec_provider *p, ec_buf *err)
{
    if (o->batch_size && p->max_batch && o->batch_size > p->max_batch) {
        ec_buf_printf(err, "--batch-size %ld is above %s's limit of %d per request", o->batch_size,
                      p->name, p->max_batch);
        return -1;
    }
    if (o->rate_per_min && p->rate_per_min && o->rate_per_min > p->rate_per_min + 1e-9) {
        ec_buf_printf(err, "--rate %.6g/min is above %s's documented limit of %.6g/min",
                      o->rate_per_min, p->name, p->rate_per_min);
        return -1;
    }
    if (o->concurrency && p->max_in_flight && o->concurrency > p->max_in_flight) {
        ec_buf_printf(err, "--concurrency %ld: %s processes %d request%s at a time per key",
                      o->concurrency, p->name, p->max_in_flight, p->max_in_flight == 1 ? "" : "s");
        return -1;
    }
    if (strcmp(p->name, "openfunnel") == 0) {
        if (o->seniority && ec_openfunnel_check_enum(o->seniority, 0, err) < 0)
            return -1;
        if (o->department && ec_openfunnel_check_enum(o->department, 1, err) < 0)
            return -1;
    }
    return 0;
}

static int journal_tools(const ec_opts *o)
{
    ec_buf out = {0}, err = {0}, notes = {0};
    int r = 0;
    int flags = o->salvage ? EC_J_SALVAGE : 0;
    char *path = o->journal ? ec_xstrdup(o->journal) : ec_config_default_journal(o->sandbox);
    switch (o->mode) {
    case EC_MODE_JOURNAL_STATS:
        r = ec_ledger_stats(path, flags, &out, &err);
        break;
    case EC_MODE_JOURNAL_COMPACT:
        r = ec_ledger_compact(path, flags, &notes, &err);
        break;
    case EC_MODE_JOURNAL_MERGE:
        r = ec_ledger_merge(o->merge_inputs, o->nmerge, path, flags, &notes, &err);
        break;
    default:
        break;
    }
    if (notes.len)
        ec_warn("%s", notes.p);
    if (r < 0)
        ec_error("%s", err.p ? err.p : "journal error");
    else if (out.len)
        fwrite(out.p, 1, out.len, stdout);
    free(path);
    ec_buf_free(&out);
    ec_buf_free(&err);
    ec_buf_free(&notes);
    return r < 0 ? EC_EXIT_RUNTIME : EC_EXIT_OK;
}

/* The end-of-run summary (SPEC section 4), unless -q. */
static void summary(const ec_engine_stats *st, const char *journal_path)
{
    ec_buf b = {0};
    ec_buf_printf(&b, "%llu rows read: %llu enriched, %llu not found, %llu skipped", st->rows_read,
                  st->enriched, st->not_found, st->skipped_no_id + st->skipped_credits);
    if (st->skipped_credits)
        ec_buf_printf(&b, " (%llu for credits)", st->skipped_credits);
    ec_buf_printf(&b, ", %llu failed", st->failed);
    if (st->bad_input)
        ec_buf_printf(&b, " (%llu bad input)", st->bad_input);
    ec_buf_printf(&b, "; %llu answered from journal; %llu lookups in %llu requests",
                  st->from_journal, st->lookups, st->requests);
    /* credits_estimated is the provider's figure where it gave one, our
     * estimate at its documented prices elsewhere */
    double gap = st->credits_estimated - st->credits_reported;
    if (st->credits_provider_figure && gap < 1e-9 && gap > -1e-9)
        ec_buf_printf(&b, "; credits spent %g (provider's figure)", st->credits_reported);
    else if (st->credits_provider_figure)
        ec_buf_printf(&b, "; credits spent ~%g (%g the provider's figure, the rest estimated)",
                      st->credits_estimated, st->credits_reported);
    else
        ec_buf_printf(&b, "; credits spent ~%g (estimate)", st->credits_estimated);
    ec_buf_printf(&b, "; %.1f s", st->elapsed);
    ec_info("%s", b.p);
    if (journal_path)
        ec_verbose("journal: %s", journal_path);
    ec_buf_free(&b);
}

typedef struct run {
    ec_opts o;
    const ec_provider *prov;
    ec_config *conf;
    char *key, *key2;
    ec_sandbox sb;
    char *journal_path;
    ec_ledger *ledger;
    int in_fd;
} run;

static int resolve_provider(run *R)
{
    const char *name = R->o.provider;
    if (!name)
        name = ec_config_get(R->conf, NULL, "provider");
    if (!name)
        name = getenv("ENRICHCSV_PROVIDER");
    if (!name && R->o.sandbox)
        name = "amplemarket";
    if (!name)
        return usage_error("no provider: use -p amplemarket|thehog|openfunnel|woodpecker|lance");
    R->prov = ec_provider_find(name);
    if (!R->prov) {
        ec_buf b = {0};
        ec_buf_printf(
            &b, "unknown provider '%s' (amplemarket, thehog, openfunnel, woodpecker, lance)", name);
        int r = usage_error(b.p);
        ec_buf_free(&b);
        return r;
    }
    return 0;
}

static int open_input(run *R, unsigned long long *size)
{
    R->in_fd = 0;
    *size = 0;
    if (R->o.input) {
        R->in_fd = open(R->o.input, O_RDONLY | O_CLOEXEC);
        if (R->in_fd < 0) {
            ec_error("%s: %s", R->o.input, strerror(errno));
            return EC_EXIT_USAGE;
        }
    }
    struct stat st;
    if (fstat(R->in_fd, &st) == 0 && S_ISREG(st.st_mode))
        *size = (unsigned long long)st.st_size;
    return 0;
}

static int needs_network(const ec_opts *o)
{
    return o->mode == EC_MODE_RUN;
}

static int setup_keys(run *R)
{
    if (R->o.sandbox) {
        R->key = ec_xstrdup("sandbox-key");
        R->key2 = ec_xstrdup("sandbox@example.com");
        return 0;
    }
    if (!needs_network(&R->o))
        return 0;
    ec_buf err = {0};
    if (ec_config_auth(R->prov, R->conf, R->o.api_key_file, &R->key, &R->key2, &err) < 0) {
        ec_error("%s", err.p);
        ec_buf_free(&err);
        return EC_EXIT_USAGE;
    }
    ec_buf_free(&err);
    ec_msg_add_secret(R->key);
    ec_msg_add_secret(R->key2);
    return 0;
}

static int open_journal(run *R)
{
    if (R->o.no_journal || R->o.mode == EC_MODE_SHOW_MAP)
        return 0;
    R->journal_path =
        R->o.journal ? ec_xstrdup(R->o.journal) : ec_config_default_journal(R->o.sandbox);
    ec_buf notes = {0}, err = {0};
    int flags = R->o.salvage ? EC_J_SALVAGE : 0;
    if (R->o.mode == EC_MODE_DRY_RUN)
        flags |= EC_J_READONLY;
    errno = 0;
    R->ledger = ec_ledger_open(R->journal_path, flags, &notes, &err);
    int open_errno = errno;
    if (notes.len)
        ec_warn("%s", notes.p);
    int r = 0;
    if (!R->ledger) {
        if (R->o.mode == EC_MODE_DRY_RUN && access(R->journal_path, F_OK) != 0) {
            r = 0; /* dry run with no journal yet: nothing answered from it */
        } else {
            ec_error("journal %s: %s", R->journal_path, err.p ? err.p : "cannot open");
            /* another run holds the journal: a usage problem, not a failure */
            r = open_errno == EWOULDBLOCK ? EC_EXIT_USAGE : EC_EXIT_RUNTIME;
        }
    }
    ec_buf_free(&notes);
    ec_buf_free(&err);
    return r;
}

/* 1 when fd is a pipe or socket whose reader has gone (| head). */
static int output_gone(int fd)
{
    struct pollfd p = {fd, 0, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static int run_engine(run *R, unsigned long long in_size)
{
    ec_engine_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.opts = &R->o;
    cfg.prov = R->prov;
    const char *base = R->o.base_url;
    if (!base)
        base = ec_config_get(R->conf, R->prov->name, "base_url");
    if (R->o.sandbox)
        base = R->sb.base_url;
    if (!base)
        base = R->prov->default_base_url;
    char *base_copy = ec_xstrdup(base);
    size_t bl = strlen(base_copy);
    while (bl && base_copy[bl - 1] == '/')
        base_copy[--bl] = '\0';
    cfg.pctx.base_url = base_copy;
    cfg.pctx.fields = R->o.fields & R->prov->supports;
    cfg.pctx.seniority = R->o.seniority;
    cfg.pctx.department = R->o.department;
    cfg.pctx.audience = R->o.audience;
    cfg.pctx.max_credit_limit = R->o.max_credit_limit;
    cfg.pctx.poll_interval = R->o.poll_interval;
    if (R->o.sandbox && !R->o.poll_interval)
        cfg.pctx.poll_interval = 0.2; /* the simulator's jobs take 300 ms */
    cfg.pctx.job_timeout = R->o.job_timeout;
    cfg.auth.key = R->key;
    cfg.auth.key2 = R->key2;
    cfg.endpoint = R->o.sandbox ? "sandbox" : base_copy;
    cfg.key_hint = ec_config_key_hint(R->prov);
    cfg.in_fd = R->in_fd;
    cfg.out_fd = 1;
    cfg.in_size = in_size;
    cfg.ledger = R->ledger;
    if ((R->o.fields & ~R->prov->supports) && needs_network(&R->o))
        ec_warn("%s does not return %s; that column stays empty", R->prov->name,
                (R->o.fields & ~R->prov->supports & EC_WANT_PHONE) ? "phone numbers" : "emails");
    int show = ec_progress_wanted(R->o.progress, R->o.quiet, 2, cfg.out_fd);
    if (show) {
        ec_progress_start(2);
        ec_msg_set_before_print(ec_progress_clear);
        cfg.on_tick = ec_progress_tick;
    }
    ec_engine_stats st;
    int r = ec_engine_run(&cfg, &st);
    if (show) {
        ec_progress_stop();
        ec_msg_set_before_print(NULL);
    }
    /* | head: the reader left; exit quietly (SPEC section 6) */
    if (needs_network(&R->o) && r != EC_EXIT_USAGE && !output_gone(cfg.out_fd))
        summary(&st, R->journal_path);
    free(base_copy);
    return r;
}

/* --cacert must name a readable file: a clear message now rather than a
 * TLS failure on every request later. */
static int check_cacert(const char *path, ec_buf *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ec_buf_printf(err, "--cacert %s: %s", path, strerror(errno));
        return -1;
    }
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    if (!regular) {
        ec_buf_printf(err, "--cacert %s: not a file of PEM certificates", path);
        return -1;
    }
    return 0;
}

static int prepare(run *R)
{
    ec_buf err = {0};
    R->conf = ec_config_load(R->o.config, &err);
    if (!R->conf) {
        ec_error("config: %s", err.p);
        ec_buf_free(&err);
        return EC_EXIT_USAGE;
    }
    int r = resolve_provider(R);
    if (r == 0 && check_limits(&R->o, R->prov, &err) < 0)
        r = usage_error(err.p);
    if (r == 0 && R->o.cacert && check_cacert(R->o.cacert, &err) < 0)
        r = usage_error(err.p);
    ec_buf_free(&err);
    if (r == 0)
        r = setup_keys(R);
    return r;
}

static int run_job(run *R)
{
    unsigned long long in_size = 0;
    int r = prepare(R);
    if (r == 0)
        r = open_input(R, &in_size);
    if (r == 0 && R->o.sandbox && needs_network(&R->o)) {
        ec_buf err = {0};
        if (ec_sandbox_start(&R->sb, &err) < 0) {
            ec_error("%s", err.p);
            r = EC_EXIT_RUNTIME;
        }
        ec_buf_free(&err);
    }
    if (r == 0)
        r = open_journal(R);
    if (r == 0)
        r = run_engine(R, in_size);
    if (R->ledger) {
        ec_buf err = {0};
        /* a run that ended (or stopped at the credit limit) leaves the
         * journal's snapshot up to date for its rerun */
        int ended = r == EC_EXIT_OK || r == EC_EXIT_FAILED_ROWS || r == EC_EXIT_CREDITS;
        if ((ended ? ec_ledger_finish : ec_ledger_close)(R->ledger, &err) < 0 && r == 0) {
            ec_error("journal: %s", err.p ? err.p : "close failed");
            r = EC_EXIT_RUNTIME;
        }
        ec_buf_free(&err);
    }
    ec_sandbox_stop(&R->sb);
    if (R->in_fd > 0)
        close(R->in_fd);
    return r;
}

/* Like coreutils' close_stdout: a write error that only shows at close is an error. */
static int close_stdout(int r)
{
    if (close(1) < 0 && errno != EBADF && errno != EPIPE && r == 0) {
        ec_error("closing standard output: %s", strerror(errno));
        return EC_EXIT_RUNTIME;
    }
    return r;
}

int main(int argc, char **argv)
{
    run R;
    memset(&R, 0, sizeof R);
    install_signals();
    ec_buf err = {0};
    if (ec_opts_parse(&R.o, argc, argv, &err) < 0) {
        int r = usage_error(err.p);
        ec_buf_free(&err);
        return r;
    }
    ec_buf_free(&err);
    ec_msg_init(R.o.quiet, R.o.verbose);
    int r;
    if (R.o.mode == EC_MODE_HELP) {
        fputs(ec_opts_help(), stdout);
        r = 0;
    } else if (R.o.mode == EC_MODE_VERSION) {
        printf("enrichcsv %s\n", PACKAGE_VERSION);
        r = 0;
    } else if (R.o.mode >= EC_MODE_JOURNAL_STATS) {
        r = journal_tools(&R.o);
    } else {
        r = run_job(&R);
    }
    fflush(stdout);
    free(R.key);
    free(R.key2);
    free(R.journal_path);
    ec_config_free(R.conf);
    ec_opts_free(&R.o);
    ec_msg_cleanup();
    ec_row_pool_drain();
    return close_stdout(r);
}

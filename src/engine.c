/* engine.c - the event loop: read input when there is room, classify rows,
 * hand lookups to the dispatcher, write finished rows in input order. */
#include "config.h"
#include "engine_int.h"
#include "ident.h"
#include "json.h"
#include "msg.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

void ec_engine_signal(int sig)
{
    stop_signal = sig;
}

double ec_now(void)
{
    return ec_clock_now();
}

/* ------------------------------------------------------------------ output */

static void write_out(engine *e)
{
    size_t off = 0;
    while (off < e->out.len && !e->out_closed) {
        ssize_t n = write(e->cfg->out_fd, e->out.p + off, e->out.len - off);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {e->cfg->out_fd, POLLOUT, 0};
            poll(&p, 1, 1000);
        } else {
            if (errno != EPIPE) {
                ec_error("writing output: %s", strerror(errno));
                e->fatal = EC_EXIT_RUNTIME;
            }
            e->out_closed = 1; /* | head: stop quietly */
        }
    }
    ec_buf_clear(&e->out);
}

static int sync_ledger(engine *e)
{
    if (!e->cfg->ledger || !e->unsynced)
        return 0;
    ec_buf err = {0};
    int r = ec_ledger_sync(e->cfg->ledger, &err);
    if (r < 0) {
        ec_error("journal: %s", err.p ? err.p : "sync failed");
        e->fatal = EC_EXIT_RUNTIME;
    } else {
        e->unsynced = 0;
        e->last_sync = ec_now();
    }
    ec_buf_free(&err);
    return r;
}

static void count_status(engine *e, const ec_outcome *o)
{
    ec_engine_stats *st = e->st;
    switch (o->status) {
    case EC_ST_ENRICHED:
        st->enriched++;
        break;
    case EC_ST_NOT_FOUND:
        st->not_found++;
        break;
    case EC_ST_SKIPPED_NO_ID:
        st->skipped_no_id++;
        break;
    case EC_ST_SKIPPED_CREDITS:
        st->skipped_credits++;
        break;
    default:
        st->failed++;
        break;
    }
}

/* Write every finished row at the head of the window. Results are synced to
 * the journal before the first of them reaches the output. */
static void flush_rows(engine *e)
{
    ec_row *r;
    if (e->dry_run) { /* nothing is written: rows only pass through the counts */
        while ((r = ec_window_pop(e->win)) != NULL)
            ec_row_free(r);
        return;
    }
    if (!e->writer)
        return;
    while (!e->out_closed && (r = ec_window_pop(e->win)) != NULL) {
        if (e->unsynced && sync_ledger(e) < 0) {
            ec_row_free(r);
            return;
        }
        count_status(e, &r->out);
        ec_writer_row(e->writer, r, &e->out);
        e->st->rows_written++;
        ec_row_free(r);
        if (e->out.len >= 65536)
            write_out(e);
    }
    if (e->out.len)
        write_out(e);
}

/* ------------------------------------------------------------------ lookups */

void ec_engine_lookup_free(lk *l)
{
    if (!l)
        return;
    free(l->key);
    for (int f = 0; f < EC_F_COUNT; f++)
        free(l->vals[f]);
    free(l->payload);
    free(l->waiters);
    ec_outcome_clear(&l->L.out);
    free(l);
}

static void row_done(engine *e, ec_row *row)
{
    ec_window_done(e->win, row->seq);
    if (row->out.status == EC_ST_FAILED && e->o->strict)
        e->strict_failed = 1;
}

void ec_engine_lookup_done(engine *e, lk *l)
{
    l->state = LK_DONE;
    for (size_t i = 0; i < l->nwait; i++) {
        ec_row *row = ec_window_get(e->win, l->waiters[i]);
        if (!row)
            continue;
        ec_outcome_clear(&row->out);
        ec_outcome_copy(&row->out, &l->L.out);
        row_done(e, row);
    }
    l->nwait = 0;
    /* With a journal, later duplicates are answered from it; keep only what
     * the journal does not hold (failures under --retry-failed, skips).
     * Without one, every outcome goes to the run's private ledger on disk
     * (memory stays flat); in memory only when that has failed. */
    int keep;
    if (e->cfg->ledger)
        keep = l->L.out.status == EC_ST_SKIPPED_CREDITS ||
               (l->L.out.status == EC_ST_FAILED && e->o->retry_failed);
    else
        keep = !e->priv || ec_ledger_result(e->priv, l->key, &l->L.out, NULL) < 0;
    if (!keep) {
        ec_hmap_del(e->table, l->key);
        ec_engine_lookup_free(l);
    }
}

static void add_waiter(lk *l, uint64_t seq)
{
    if (l->nwait == l->capwait) {
        l->capwait = l->capwait ? l->capwait * 2 : 2;
        l->waiters = ec_xrealloc(l->waiters, l->capwait * sizeof *l->waiters);
    }
    l->waiters[l->nwait++] = seq;
}

/* The row as a JSON object of column -> string, for providers that want it. */
static char *row_payload(engine *e, const ec_row *row)
{
    const ec_header *h = ec_reader_header(e->reader);
    ec_buf b = {0};
    ec_buf_putc(&b, '{');
    int first = 1;
    for (size_t i = 0; i < row->ncells; i++) {
        const ec_cell *c = &row->cells[i];
        if (!c->value.ptr || c->col < 0 || (size_t)c->col >= h->n)
            continue;
        if (!first)
            ec_buf_putc(&b, ',');
        first = 0;
        ec_json_put_cstr(&b, h->names[c->col]);
        ec_buf_putc(&b, ':');
        ec_json_put_str(&b, c->value.ptr, c->value.len);
    }
    ec_buf_putc(&b, '}');
    return ec_buf_take(&b);
}

static lk *new_lookup(engine *e, char *key, const char *chosen[EC_F_COUNT])
{
    lk *l = ec_xcalloc(1, sizeof *l);
    l->key = key;
    l->L.key = key;
    for (int f = 0; f < EC_F_COUNT; f++) {
        if (chosen[f]) {
            l->vals[f] = ec_xstrdup(chosen[f]);
            l->L.id[f] = l->vals[f];
        }
    }
    ec_hmap_put(e->table, key, l);
    return l;
}

void ec_engine_enqueue(engine *e, lk *l);
void ec_engine_enqueue(engine *e, lk *l)
{
    l->state = LK_QUEUED;
    l->next = NULL;
    if (e->pend_tail)
        e->pend_tail->next = l;
    else
        e->pend_head = l;
    e->pend_tail = l;
    if (e->npending++ == 0)
        e->oldest_pending_at = ec_now();
}

static unsigned effective_fields(const engine *e)
{
    unsigned f = e->o->fields & e->prov->supports;
    return f ? f : e->o->fields;
}

/* Try the journal for key. Returns 1 when the row was answered. */
static int answer_from_journal(engine *e, ec_row *row, const char *key)
{
    if (!e->cfg->ledger)
        return 0;
    ec_outcome o; /* ec_ledger_find clears it */
    double ts = 0;
    if (ec_ledger_find(e->cfg->ledger, key, e->o->max_age_days, &o, &ts) != 1)
        return 0;
    if (o.status == EC_ST_FAILED && e->o->retry_failed) {
        ec_outcome_clear(&o);
        return 0;
    }
    ec_outcome_clear(&row->out);
    row->out = o;
    e->st->from_journal++;
    row_done(e, row);
    return 1;
}

/* --no-journal: a duplicate of a lookup finished earlier in this run,
 * answered from the private ledger. Returns 1 when the row was answered. */
static int answer_duplicate(engine *e, ec_row *row, const char *key)
{
    ec_outcome o;
    if (!e->priv || ec_ledger_find(e->priv, key, 0, &o, NULL) != 1)
        return 0;
    ec_outcome_clear(&row->out);
    row->out = o;
    row_done(e, row);
    return 1;
}

static void skip_row(engine *e, ec_row *row, enum ec_status s)
{
    row->out.status = s;
    row_done(e, row);
}

/* Decide what a new row needs: nothing (bad input, no identifier, journal
 * hit, duplicate of a lookup under way) or a new lookup. */
static void intake_row(engine *e, ec_row *row)
{
    e->st->rows_read++;
    if (ec_window_add(e->win, row) < 0) {
        ec_error("internal: reorder window refused row %llu", (unsigned long long)row->seq);
        ec_row_free(row);
        e->fatal = EC_EXIT_RUNTIME;
        return;
    }
    if (row->bad_input) {
        e->st->bad_input++;
        ec_warn("%s", row->bad_input);
        ec_outcome_fail(&row->out, "bad_input");
        if (e->o->strict)
            e->fatal = EC_EXIT_FAILED_ROWS;
        row_done(e, row);
        return;
    }
    const char *vals[EC_F_COUNT];
    /* only the fields the choice reads: a replay of The Hog's rows need not
     * normalize their names, companies and titles */
    ec_ident_extract_some(&e->map, row, ec_provider_reads(e->prov), &e->ids, vals);
    const char *chosen[EC_F_COUNT] = {0};
    if (!ec_provider_choose(e->prov, vals, chosen)) {
        skip_row(e, row, EC_ST_SKIPPED_NO_ID);
        return;
    }
    e->st->with_identifier++;
    if (!e->key_prefix) { /* PROVIDER|ENDPOINT|FIELDS: once per run */
        ec_buf_clear(&e->key);
        ec_ident_key_prefix(&e->key, e->prov->name, e->cfg->endpoint, effective_fields(e));
        e->key_prefix = e->key.len;
    }
    e->key.len = e->key_prefix;
    e->key.p[e->key.len] = '\0';
    ec_ident_key_ids(&e->key, chosen);
    const char *key = e->key.p;
    lk *l = ec_hmap_count(e->table) ? ec_hmap_get(e->table, key) : NULL; /* empty: a replay */
    if (l) {
        if (l->state == LK_DONE) {
            ec_outcome_copy(&row->out, &l->L.out);
            row_done(e, row);
        } else {
            add_waiter(l, row->seq);
        }
        return;
    }
    if (answer_from_journal(e, row, key) || answer_duplicate(e, row, key))
        return;
    if (e->credits_stop) {
        skip_row(e, row, EC_ST_SKIPPED_CREDITS);
        return;
    }
    l = new_lookup(e, ec_xstrdup(key), chosen);
    e->st->lookups++;
    if (e->dry_run) { /* counted as to submit; later duplicates find it in the table */
        l->state = LK_DONE;
        e->st->to_submit++;
        row_done(e, row);
        return;
    }
    if (e->prov->wants_row_payload) {
        l->payload = row_payload(e, row);
        l->L.payload = l->payload;
    }
    add_waiter(l, row->seq);
    ec_engine_enqueue(e, l);
}

/* ------------------------------------------------------------------ input */

static void writer_warn(void *ctx, unsigned long line, const char *msg)
{
    (void)ctx;
    if (line)
        ec_warn("line %lu: %s", line, msg);
    else
        ec_warn("%s", msg);
}

/* The header is known: build the column map and the writer. Returns 0 or an exit status. */
static int header_ready(engine *e)
{
    const ec_header *h = ec_reader_header(e->reader);
    ec_buf err = {0};
    if (ec_colmap_build(&e->map, h, e->o->maps, e->o->nmaps, &err) < 0) {
        ec_error("%s", err.p);
        ec_buf_free(&err);
        return EC_EXIT_USAGE;
    }
    if (e->o->mode == EC_MODE_SHOW_MAP) {
        ec_colmap_describe(&e->map, h, e->prov, &e->out);
        write_out(e);
        ec_buf_free(&err);
        return -1; /* done: exit 0 */
    }
    if (!ec_colmap_usable(&e->map, e->prov)) {
        ec_colmap_no_identifier_message(&e->map, h, e->prov, &err);
        ec_error("%s", err.p);
        ec_buf_free(&err);
        return EC_EXIT_USAGE;
    }
    ec_buf_free(&err);
    if (e->dry_run)
        return 0;
    ec_writer_opts wo;
    memset(&wo, 0, sizeof wo);
    enum ec_format in_fmt = ec_reader_format(e->reader);
    wo.format = e->o->output_format ? (enum ec_format)e->o->output_format : in_fmt;
    wo.delimiter = in_fmt == EC_FMT_CSV ? ec_reader_delimiter(e->reader) : ',';
    wo.crlf = in_fmt == EC_FMT_CSV && ec_reader_crlf(e->reader);
    wo.excel = e->o->excel;
    wo.email_col = e->o->email_col;
    wo.phone_col = e->o->phone_col;
    wo.status_col = e->o->status_col;
    wo.all_values = e->o->all_values;
    wo.overwrite = e->o->overwrite;
    wo.people = e->prov->fans_out;
    wo.warn = writer_warn;
    e->writer = ec_writer_new(&wo, h, in_fmt);
    return 0;
}

/* Read what is available without blocking (poll first) and feed the reader. */
static void pump_input(engine *e)
{
    if (e->in_eof)
        return;
    struct pollfd p = {e->cfg->in_fd, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0)
        return;
    char buf[65536];
    ssize_t n = read(e->cfg->in_fd, buf, sizeof buf);
    ec_buf err = {0};
    if (n > 0) {
        if (ec_reader_feed(e->reader, buf, (size_t)n, &err) < 0) {
            ec_error("%s", err.p);
            e->fatal = EC_EXIT_USAGE;
        }
    } else if (n == 0) {
        e->in_eof = 1;
        if (ec_reader_finish(e->reader, &err) < 0) {
            ec_error("%s", err.p);
            e->fatal = EC_EXIT_USAGE;
        }
    } else if (errno != EINTR && errno != EAGAIN) {
        ec_error("reading input: %s", strerror(errno));
        e->fatal = EC_EXIT_RUNTIME;
    }
    ec_buf_free(&err);
}

/* Move rows from the reader into the window while there is room. */
static int intake(engine *e)
{
    if (!e->header_ready && ec_reader_has_header(e->reader)) {
        int r = header_ready(e);
        if (r != 0)
            return r;
        e->header_ready = 1;
    }
    if (!e->header_ready)
        return 0;
    while (!e->fatal && ec_window_has_room(e->win)) {
        ec_row *row = ec_reader_next(e->reader);
        if (!row)
            break;
        intake_row(e, row);
    }
    return 0;
}

static int want_input(const engine *e)
{
    return !e->in_eof && !e->stopping && !e->fatal && ec_window_has_room(e->win) &&
           ec_reader_pending(e->reader) < 4096;
}

int ec_engine_input_drained(const engine *e);
int ec_engine_input_drained(const engine *e)
{
    return e->in_eof && ec_reader_pending(e->reader) == 0;
}

static int all_done(const engine *e)
{
    return ec_engine_input_drained(e) && ec_window_count(e->win) == 0 && e->nbatches == 0 &&
           e->npending == 0;
}

/* ------------------------------------------------------------------ run */

static void http_log(void *ctx, const char *line)
{
    (void)ctx;
    ec_verbose("%s", line);
}

/* Batch size, concurrency, timers, and the window that bounds memory. */
static void size_engine(engine *e, const ec_engine_cfg *cfg)
{
    e->batch_size = e->o->batch_size ? e->o->batch_size : e->prov->default_batch;
    e->concurrency = e->o->concurrency ? e->o->concurrency : 8;
    e->max_in_flight = e->prov->max_in_flight;
    e->job_timeout = e->o->job_timeout ? e->o->job_timeout : e->prov->default_job_timeout;
    e->flush_delay = 0.25;
    /* a sub-second --poll-interval means a fast endpoint (a simulator, a
     * local proxy): retries start from it instead of 1 s */
    e->backoff_base = 1.0;
    if (cfg->pctx.poll_interval > 0 && cfg->pctx.poll_interval < 1.0)
        e->backoff_base = cfg->pctx.poll_interval;
    /* the window holds the rows of every open batch: enough for about a
     * poll interval's worth of batches at a documented rate limit */
    size_t cap = (size_t)(4 * e->concurrency * e->batch_size);
    cap = cap < 16384 ? 16384 : cap > 200000 ? 200000 : cap;
    e->win = ec_window_new(cap);
    /* Jobs wait at the provider between polls without holding a request
     * slot, so more batches than --concurrency may be open: as many as the
     * reorder window can feed, which is what bounds memory anyway. */
    e->max_open = cap / (size_t)e->batch_size;
    if (e->max_open < (size_t)e->concurrency)
        e->max_open = (size_t)e->concurrency;
}

static int setup(engine *e, const ec_engine_cfg *cfg, ec_engine_stats *st)
{
    memset(e, 0, sizeof *e);
    e->cfg = cfg;
    e->o = cfg->opts;
    e->prov = cfg->prov;
    e->st = st;
    e->t0 = ec_now();
    e->dry_run = e->o->mode == EC_MODE_DRY_RUN || e->o->mode == EC_MODE_SHOW_MAP;
    ec_reader_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.format = (enum ec_format)e->o->input_format;
    ro.delimiter = e->o->delimiter;
    e->reader = ec_reader_new(&ro);
    e->table = ec_hmap_new();
    size_engine(e, cfg);
    snprintf(e->run_id, sizeof e->run_id, "%lx%lx", (unsigned long)time(NULL),
             (unsigned long)getpid());
    ec_rng_seed(&e->rng, ec_rng_entropy());
    if (e->dry_run)
        return 0;
    if (!cfg->ledger) {
        ec_buf perr = {0};
        e->priv = ec_ledger_open_private(&perr);
        if (!e->priv)
            ec_warn("%s; finished lookups stay in memory to answer duplicates", perr.p);
        ec_buf_free(&perr);
    }
    double rate = e->o->rate_per_min ? e->o->rate_per_min : e->prov->rate_per_min;
    ec_ratelimit_init(&e->rate, rate > 0 ? rate / 60.0 : 0, e->prov->max_in_flight == 1 ? 1 : 5,
                      ec_now());
    ec_http_opts ho;
    memset(&ho, 0, sizeof ho);
    ho.connect_timeout = 30;
    ho.timeout = e->o->timeout ? e->o->timeout : 60;
    ho.max_total = (int)e->concurrency;
    ho.max_host = (int)e->concurrency;
    ho.cacert = e->o->cacert;
    ho.user_agent = "enrichcsv/" PACKAGE_VERSION;
    ho.verbose = e->o->verbose;
    ho.log = http_log;
    size_t ns = 0;
    if (cfg->auth.key)
        e->secrets[ns++] = cfg->auth.key;
    if (cfg->auth.key2)
        e->secrets[ns++] = cfg->auth.key2;
    e->secrets[ns] = NULL;
    ho.secrets = e->secrets; /* borrowed by ec_http for its whole life */
    ec_buf err = {0};
    e->http = ec_http_new(&ho, &err);
    if (!e->http) {
        ec_error("%s", err.p ? err.p : "cannot start HTTP");
        ec_buf_free(&err);
        return EC_EXIT_RUNTIME;
    }
    ec_buf_free(&err);
    return 0;
}

static void free_lookup_value(void *v)
{
    ec_engine_lookup_free(v);
}

static void teardown(engine *e)
{
    ec_dispatch_abandon(e);
    ec_http_free(e->http);
    ec_dispatch_free(e);
    ec_writer_free(e->writer);
    ec_reader_free(e->reader);
    ec_window_free(e->win);
    ec_buf_free(&e->out);
    ec_buf_free(&e->ids);
    ec_buf_free(&e->key);
    /* lookups still in the table: kept outcomes, dry-run counts, pending at a stop */
    e->pend_head = e->pend_tail = NULL;
    ec_hmap_free(e->table, free_lookup_value);
    ec_ledger_close(e->priv, NULL);
}

/* After a stop (signal, fatal, closed output), what exit status? */
static int stop_status(const engine *e)
{
    if (e->fatal)
        return e->fatal;
    if (stop_signal == SIGINT)
        return EC_EXIT_SIGINT;
    if (stop_signal)
        return EC_EXIT_SIGTERM;
    return EC_EXIT_OK;
}

static void check_signal(engine *e)
{
    if (stop_signal && !e->stopping) {
        e->stopping = 1;
        ec_warn("%s: stopping; the journal keeps what is known, rerun to resume",
                stop_signal == SIGINT ? "interrupted" : "terminated");
    }
}

static void tick(engine *e, double now, int final)
{
    if (!e->cfg->on_tick || (!final && now - e->last_tick < 0.25))
        return;
    e->last_tick = now;
    ec_engine_stats *st = e->st;
    st->elapsed = now - e->t0;
    st->in_flight = e->in_flight;
    st->lookups_pending = e->npending;
    for (const bt *B = e->batches; B; B = B->next)
        st->lookups_pending += B->b.n;
    st->bytes_read = ec_reader_bytes(e->reader);
    st->bytes_total = e->cfg->in_size;
    e->cfg->on_tick(e->cfg->tick_ctx, st, final);
}

static void run_loop(engine *e)
{
    for (;;) {
        double now = ec_now();
        tick(e, now, 0);
        check_signal(e);
        if (want_input(e))
            pump_input(e);
        int r = intake(e);
        if (r != 0) {
            e->fatal = r > 0 ? r : 0;
            e->stopping = 1;
            return;
        }
        if (e->stopping && !e->fatal && !e->out_closed && ec_dispatch_paid_in_flight(e)) {
            /* a graceful stop lets paid requests already sent be answered, so
             * their job ids reach the journal and a rerun polls them instead
             * of calling them uncertain; nothing new is sent meanwhile (a
             * second SIGINT exits at once) */
            flush_rows(e);
            ec_http_run(e->http, 200, -1);
            continue;
        }
        if (e->stopping || e->fatal || e->out_closed)
            break;
        if (!e->dry_run) {
            ec_dispatch_check_deadlines(e, now);
            ec_dispatch_form_batches(e, now);
            ec_dispatch_send(e, now);
        }
        flush_rows(e);
        if (e->unsynced && now - e->last_sync >= 1.0)
            sync_ledger(e);
        if (all_done(e) || e->fatal || e->out_closed)
            break;
        long timeout = e->dry_run ? 50 : ec_dispatch_next_timeout(e, now);
        int fd = want_input(e) ? e->cfg->in_fd : -1;
        if (e->dry_run) {
            if (fd >= 0) {
                struct pollfd p = {fd, POLLIN, 0};
                poll(&p, 1, (int)timeout);
            }
        } else {
            ec_http_run(e->http, timeout, fd);
        }
    }
}

static void dry_run_report(engine *e)
{
    ec_engine_stats *st = e->st;
    unsigned long long n = st->to_submit, bs = (unsigned long long)e->batch_size;
    st->planned_batches = bs ? (n + bs - 1) / bs : 0;
    st->credits_worst = ec_dispatch_worst_cost(e, (size_t)n);
    ec_buf_printf(&e->out,
                  "rows\t%llu\n"
                  "rows with identifiers\t%llu\n"
                  "rows without identifiers\t%llu\n"
                  "bad input rows\t%llu\n"
                  "answered from journal\t%llu\n"
                  "duplicate rows\t%llu\n"
                  "lookups to submit\t%llu\n"
                  "batches\t%llu (up to %ld lookups each)\n"
                  "worst-case credits\t%g\n",
                  st->rows_read, st->with_identifier,
                  st->rows_read - st->with_identifier - st->bad_input, st->bad_input,
                  st->from_journal, st->with_identifier - st->from_journal - st->to_submit,
                  st->to_submit, st->planned_batches, e->batch_size, st->credits_worst);
    write_out(e);
}

int ec_engine_run(const ec_engine_cfg *cfg, ec_engine_stats *st)
{
    engine e;
    memset(st, 0, sizeof *st);
    int r = setup(&e, cfg, st);
    if (r == 0 && !e.dry_run && ec_dispatch_resume(&e) < 0)
        r = e.fatal ? e.fatal : EC_EXIT_RUNTIME;
    if (r == 0) {
        run_loop(&e);
        if (e.dry_run && !e.fatal && e.o->mode == EC_MODE_DRY_RUN && all_done(&e))
            dry_run_report(&e);
        flush_rows(&e); /* rows finished so far */
        /* after a stop, open batches are left for a rerun to resume; their
         * rows are not finished, so they are not written */
        if (e.stopping || e.fatal)
            ec_dispatch_abandon(&e);
        if (e.writer && !e.out_closed && !e.stopping && !e.fatal) {
            /* header-only input still gets its header; NDJSON->CSV lines held
             * back until a header was known come out now (a no-op otherwise) */
            ec_writer_header(e.writer, &e.out);
            write_out(&e);
        }
        sync_ledger(&e);
        r = stop_status(&e);
        if (r == EC_EXIT_OK && e.credits_stop)
            r = EC_EXIT_CREDITS;
        if (r == EC_EXIT_OK && e.strict_failed && e.o->strict)
            r = EC_EXIT_FAILED_ROWS;
    }
    tick(&e, ec_now(), 1);
    st->elapsed = ec_now() - e.t0;
    teardown(&e);
    return r;
}

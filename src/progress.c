/* progress.c - the progress line (see progress.h). One display per process:
 * msg.h's before-print hook takes no context, so the state is static. */
#include "config.h"
#include "progress.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define REDRAW_EVERY 0.5 /* seconds: at most twice a second */
#define RATE_SAMPLES 24  /* one per draw: the rate covers about the last 12 s */

typedef struct sample {
    double t;
    unsigned long long rows;
} sample;

static struct {
    int fd;
    int active;
    int dumb;         /* TERM=dumb: no escape sequences, erase with spaces */
    size_t drawn_len; /* length of the text on screen (for the dumb erase) */
    double last_draw; /* st->elapsed of the last draw, < 0 before the first */
    sample ring[RATE_SAMPLES];
    size_t nsamples, head;
} P = {.fd = -1, .last_draw = -1};

static volatile sig_atomic_t on_screen;

/* ------------------------------------------------------------------ choice */

static int same_terminal(int a, int b)
{
    struct stat sa, sb;
    if (!isatty(b) || fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
        return 0;
    return sa.st_rdev == sb.st_rdev;
}

int ec_progress_wanted(int mode, int quiet, int err_fd, int out_fd)
{
    if (mode >= 0)
        return mode > 0;
    return !quiet && isatty(err_fd) && !same_terminal(err_fd, out_fd);
}

/* ------------------------------------------------------------------ text */

typedef struct piece {
    char text[64];
    int rank; /* 1 = kept longest; higher ranks are dropped first */
} piece;

static void put_count(char *dst, size_t n, const char *label, unsigned long long v)
{
    snprintf(dst, n, "%s %llu", label, v);
}

static void put_duration(char *dst, size_t n, double secs)
{
    unsigned long s = (unsigned long)(secs + 0.5);
    if (s < 60)
        snprintf(dst, n, "ETA %lus", s);
    else if (s < 3600)
        snprintf(dst, n, "ETA %lu:%02lu", s / 60, s % 60);
    else
        snprintf(dst, n, "ETA %lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
}

static double credits_spent(const ec_engine_stats *st, int *exact)
{
    /* credits_estimated holds the provider's figure where one was given and
     * our estimate elsewhere; it is exact when every figure was the provider's */
    double d = st->credits_estimated - st->credits_reported;
    *exact = st->credits_provider_figure && d < 1e-9 && d > -1e-9;
    return st->credits_estimated;
}

/* The total rows of a regular input file, extrapolated from the bytes read. */
static double rows_total(const ec_engine_stats *st)
{
    if (!st->bytes_total || !st->bytes_read || !st->rows_read)
        return -1;
    if (st->bytes_read >= st->bytes_total)
        return (double)st->rows_read;
    return (double)st->rows_read * (double)st->bytes_total / (double)st->bytes_read;
}

double ec_progress_eta(const ec_engine_stats *st, double rows_per_s)
{
    double total = rows_total(st);
    if (total < 0 || rows_per_s <= 0)
        return -1;
    double left = total - (double)st->rows_written;
    return left > 0 ? left / rows_per_s : 0;
}

static size_t build_pieces(piece *pc, const ec_engine_stats *st, double rows_per_s)
{
    size_t n = 0;
    const size_t sz = sizeof pc[0].text;
    put_count(pc[n].text, sz, "read", st->rows_read);
    if (st->bytes_total) {
        size_t l = strlen(pc[n].text);
        double pct = 100.0 * (double)st->bytes_read / (double)st->bytes_total;
        snprintf(pc[n].text + l, sz - l, " (%.0f%%)", pct > 100 ? 100 : pct);
    }
    pc[n++].rank = 3;
    put_count(pc[n].text, sz, "written", st->rows_written);
    pc[n++].rank = 1;
    snprintf(pc[n].text, sz, "in flight %llu (%llu lookups)", st->in_flight, st->lookups_pending);
    pc[n++].rank = 9;
    put_count(pc[n].text, sz, "from journal", st->from_journal);
    pc[n++].rank = 6;
    put_count(pc[n].text, sz, "found", st->enriched);
    pc[n++].rank = 4;
    put_count(pc[n].text, sz, "failed", st->failed);
    pc[n++].rank = 5;
    int exact;
    double c = credits_spent(st, &exact);
    snprintf(pc[n].text, sz, c == floor(c) && fabs(c) < 1e15 ? "credits %s%.0f" : "credits %s%.1f",
             exact ? "" : "~", c);
    pc[n++].rank = 7;
    if (rows_per_s >= 0) {
        snprintf(pc[n].text, sz, rows_per_s < 10 ? "%.1f rows/s" : "%.0f rows/s", rows_per_s);
        pc[n++].rank = 8;
    }
    double eta = ec_progress_eta(st, rows_per_s);
    if (eta >= 0) {
        put_duration(pc[n].text, sz, eta);
        pc[n++].rank = 2;
    }
    return n;
}

static size_t joined_len(const piece *pc, const int *keep, size_t n)
{
    size_t len = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            len += strlen(pc[i].text) + (k++ ? 2 : 0);
    return len;
}

void ec_progress_format(ec_buf *out, const ec_engine_stats *st, double rows_per_s, size_t width)
{
    piece pc[10];
    int keep[10];
    size_t n = build_pieces(pc, st, rows_per_s);
    for (size_t i = 0; i < n; i++)
        keep[i] = 1;
    /* drop the least important piece until the line fits (one always stays) */
    for (size_t left = n; width && left > 1 && joined_len(pc, keep, n) > width; left--) {
        size_t worst = n;
        for (size_t i = 0; i < n; i++)
            if (keep[i] && (worst == n || pc[i].rank > pc[worst].rank))
                worst = i;
        keep[worst] = 0;
    }
    size_t start = out->len, k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        if (k++)
            ec_buf_puts(out, ", ");
        ec_buf_puts(out, pc[i].text);
    }
    if (width && out->len - start > width) { /* a very narrow terminal */
        out->len = start + width;
        out->p[out->len] = '\0';
    }
}

/* ------------------------------------------------------------------ drawing */

static void write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(P.fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* stderr gone: nothing to report it on */
        s += w;
        n -= (size_t)w;
    }
}

static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(P.fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        return (size_t)ws.ws_col - 1; /* never touch the last column: no wrap */
    const char *c = getenv("COLUMNS");
    long v = c ? strtol(c, NULL, 10) : 0;
    return v > 1 && v < 10000 ? (size_t)v - 1 : 79;
}

/* Rows per second over the recent samples (all of the run until there are two). */
static double recent_rate(const ec_engine_stats *st)
{
    P.ring[P.head] = (sample){st->elapsed, st->rows_written};
    P.head = (P.head + 1) % RATE_SAMPLES;
    if (P.nsamples < RATE_SAMPLES)
        P.nsamples++;
    const sample *old = &P.ring[(P.head + RATE_SAMPLES - P.nsamples) % RATE_SAMPLES];
    double dt = st->elapsed - old->t;
    if (P.nsamples < 2 || dt <= 0)
        return st->elapsed > 0 ? (double)st->rows_written / st->elapsed : 0;
    return (double)(st->rows_written - old->rows) / dt;
}

static void erase_line(ec_buf *b)
{
    if (P.dumb) {
        ec_buf_putc(b, '\r');
        for (size_t i = 0; i < P.drawn_len; i++)
            ec_buf_putc(b, ' ');
        ec_buf_putc(b, '\r');
    } else {
        ec_buf_puts(b, "\r\033[K");
    }
}

static void draw(const ec_engine_stats *st)
{
    double rate = recent_rate(st);
    ec_buf b = {0};
    if (on_screen && P.dumb)
        erase_line(&b);
    else
        ec_buf_putc(&b, '\r');
    size_t start = b.len;
    ec_progress_format(&b, st, rate, terminal_width());
    P.drawn_len = b.len - start;
    if (!P.dumb)
        ec_buf_puts(&b, "\033[K");
    write_all(b.p, b.len);
    on_screen = 1;
    ec_buf_free(&b);
}

void ec_progress_start(int fd)
{
    const char *term = getenv("TERM");
    P.fd = fd;
    P.active = 1;
    P.dumb = term && strcmp(term, "dumb") == 0;
    P.last_draw = -1;
    P.nsamples = P.head = 0;
    on_screen = 0;
}

void ec_progress_clear(void)
{
    if (!on_screen || P.fd < 0)
        return;
    ec_buf b = {0};
    erase_line(&b);
    write_all(b.p, b.len);
    ec_buf_free(&b);
    on_screen = 0;
}

int ec_progress_on_screen(void)
{
    return on_screen;
}

void ec_progress_tick(void *ctx, const ec_engine_stats *st, int final)
{
    (void)ctx;
    if (!P.active)
        return;
    if (final) {
        ec_progress_clear();
        return;
    }
    if (st->elapsed < REDRAW_EVERY)
        return; /* short runs never show the line */
    if (P.last_draw >= 0 && st->elapsed - P.last_draw < REDRAW_EVERY)
        return;
    P.last_draw = st->elapsed;
    draw(st);
}

void ec_progress_stop(void)
{
    ec_progress_clear();
    P.active = 0;
    P.fd = -1;
}

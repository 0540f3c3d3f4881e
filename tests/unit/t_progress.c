/* t_progress.c - the progress line: its text, what is dropped on a narrow
 * terminal, the ETA, the redraw limit, and erasing. */
#include "config.h"
#include "progress.h"
#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ec_engine_stats sample_stats(void)
{
    ec_engine_stats st;
    memset(&st, 0, sizeof st);
    st.rows_read = 600;
    st.rows_written = 400;
    st.in_flight = 3;
    st.lookups_pending = 120;
    st.from_journal = 50;
    st.enriched = 210;
    st.failed = 7;
    st.credits_estimated = 312.5;
    st.bytes_read = 30000;
    st.bytes_total = 60000;
    st.elapsed = 10;
    return st;
}

static void test_format(void)
{
    ec_engine_stats st = sample_stats();
    ec_buf b = {0};
    ec_progress_format(&b, &st, 40, 0);
    is_str(b.p,
           "read 600 (50%), written 400, in flight 3 (120 lookups), from journal 50, found 210, "
           "failed 7, credits ~312.5, 40 rows/s, ETA 20s",
           "every figure, the ETA from bytes read: (1200 rows - 400 written) / 40 rows/s");
    ec_buf_clear(&b);

    st.credits_provider_figure = 1;
    st.credits_reported = st.credits_estimated = 300;
    ec_progress_format(&b, &st, 4.25, 0);
    ok(strstr(b.p, "credits 300,") && strstr(b.p, "4.2 rows/s"),
       "the provider's own figure has no '~'; a slow rate has a decimal: %s", b.p);
    ec_buf_clear(&b);

    ec_progress_format(&b, &st, 40, 60);
    ok(b.len <= 60, "a 60-column line fits (%zu)", b.len);
    ok(strstr(b.p, "written 400") && strstr(b.p, "ETA 20s") && strstr(b.p, "read 600"),
       "written, ETA and read are kept: %s", b.p);
    ok(!strstr(b.p, "in flight") && !strstr(b.p, "rows/s"), "in flight and the rate go first");
    ec_buf_clear(&b);

    ec_progress_format(&b, &st, 40, 12);
    is_str(b.p, "written 400", "a tiny terminal keeps rows written");
    ec_buf_clear(&b);
    ec_progress_format(&b, &st, 40, 5);
    is_int(b.len, 5, "and cuts it when even that does not fit");
    ec_buf_free(&b);
}

static void test_eta(void)
{
    ec_engine_stats st = sample_stats();
    ok(ec_progress_eta(&st, 40) > 19.99 && ec_progress_eta(&st, 40) < 20.01,
       "ETA extrapolates the row count from the bytes read");
    st.bytes_read = st.bytes_total;
    st.rows_read = 1000;
    ok(ec_progress_eta(&st, 100) > 5.99 && ec_progress_eta(&st, 100) < 6.01,
       "all bytes read: the row count is known");
    ok(ec_progress_eta(&st, 0) < 0, "no rate yet: no ETA");
    st.bytes_total = 0;
    ok(ec_progress_eta(&st, 100) < 0, "input from a pipe: no ETA");
    ec_buf b = {0};
    ec_progress_format(&b, &st, 100, 0);
    ok(!strstr(b.p, "ETA") && !strstr(b.p, "%)"), "and no ETA or percentage shown: %s", b.p);
    ec_buf_free(&b);
    st.bytes_total = 1000;
    st.bytes_read = 1000;
    st.rows_written = 0;
    ec_progress_format(&b, &st, 0.25, 0);
    ok(strstr(b.p, "ETA 1:06:40") != NULL, "hours:minutes:seconds: %s", b.p);
    ec_buf_free(&b);
}

static size_t count_char(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

/* Drive the display with ticks at the given times; return what it wrote. */
static size_t drive(int fds[2], char *out, size_t cap)
{
    ec_engine_stats st = sample_stats();
    static const double times[] = {0.1, 0.3, 0.55, 0.6, 0.8, 1.06, 1.3, 1.5, 1.6};
    ec_progress_start(fds[1]);
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        st.elapsed = times[i];
        st.rows_written += 10;
        ec_progress_tick(NULL, &st, 0);
    }
    ok(ec_progress_on_screen(), "the line is on screen during the run");
    ec_progress_tick(NULL, &st, 1);
    ok(!ec_progress_on_screen(), "the final tick erases it");
    ec_progress_stop();
    ssize_t n = read(fds[0], out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
    return n > 0 ? (size_t)n : 0;
}

static void test_drawing(void)
{
    int fds[2];
    if (pipe(fds) < 0)
        return;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    char out[8192];
    setenv("TERM", "xterm", 1);
    size_t n = drive(fds, out, sizeof out);
    /* draws at 0.55, 1.06 and 1.6: none before 0.5 s, then >= 0.5 s apart */
    is_int(count_char(out, n, '\r'), 4, "three draws at most twice a second, then one erase");
    ok(n >= 4 && memcmp(out + n - 4, "\r\033[K", 4) == 0, "the output ends by erasing the line");
    ok(strstr(out, "written") != NULL, "the drawn line has the counts");

    ec_progress_start(fds[1]);
    ec_engine_stats st = sample_stats();
    ec_progress_tick(NULL, &st, 0);
    ec_progress_clear();
    ec_progress_clear();
    ec_progress_tick(NULL, &st, 0); /* same elapsed: too soon to redraw */
    ec_progress_stop();
    n = (size_t)read(fds[0], out, sizeof out - 1);
    out[n] = '\0';
    is_int(count_char(out, n, '\r'), 2, "clear erases once (a second clear writes nothing)");

    setenv("TERM", "dumb", 1);
    ec_progress_start(fds[1]);
    ec_progress_tick(NULL, &st, 0);
    ec_progress_stop();
    n = (size_t)read(fds[0], out, sizeof out - 1);
    out[n] = '\0';
    ok(!strchr(out, '\033') && out[n - 1] == '\r' && out[n - 2] == ' ',
       "TERM=dumb: no escape sequences, erased with spaces");
    close(fds[0]);
    close(fds[1]);
}

static void test_wanted(void)
{
    int fds[2];
    if (pipe(fds) < 0)
        return;
    is_int(ec_progress_wanted(-1, 0, fds[1], 1), 0, "default: not shown when stderr is a pipe");
    is_int(ec_progress_wanted(1, 0, fds[1], 1), 1, "--progress: shown anyway");
    is_int(ec_progress_wanted(1, 1, fds[1], 1), 1, "--progress wins over -q");
    is_int(ec_progress_wanted(0, 0, fds[1], 1), 0, "--no-progress: never");
    int tty = open("/dev/tty", O_RDWR);
    if (tty >= 0) {
        is_int(ec_progress_wanted(-1, 0, tty, fds[1]), 1, "default on a terminal: shown");
        is_int(ec_progress_wanted(-1, 1, tty, fds[1]), 0, "but not with -q");
        is_int(ec_progress_wanted(-1, 0, tty, tty), 0, "nor when rows go to the same terminal");
        close(tty);
    }
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    test_format();
    test_eta();
    test_drawing();
    test_wanted();
    return tap_done();
}

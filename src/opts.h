/* opts.h - the command line (SPEC section 3), parsed into one struct. */
#ifndef EC_OPTS_H
#define EC_OPTS_H

#include <stddef.h>
#include "buf.h"

enum ec_opts_mode {
    EC_MODE_RUN = 0,
    EC_MODE_HELP,
    EC_MODE_VERSION,
    EC_MODE_SHOW_MAP,
    EC_MODE_DRY_RUN,
    EC_MODE_JOURNAL_STATS,
    EC_MODE_JOURNAL_COMPACT,
    EC_MODE_JOURNAL_MERGE
};

typedef struct ec_opts {
    enum ec_opts_mode mode;
    const char *provider; /* NULL until set (option, config or default) */
    int sandbox;
    const char *base_url;
    int input_format;  /* enum ec_format */
    int output_format; /* enum ec_format; 0 = same as input */
    char delimiter;    /* 0 = sniff */
    const char **maps; /* FIELD=COLUMN strings (borrowed from argv) */
    size_t nmaps;
    unsigned fields; /* EC_WANT_* */
    const char *email_col, *phone_col, *status_col;
    int overwrite, all_values;
    const char *journal; /* NULL = default location */
    int no_journal, salvage;
    const char **merge_inputs; /* --journal-merge A B ... */
    size_t nmerge;
    double max_age_days; /* 0 = no limit */
    int retry_failed;
    long batch_size;      /* 0 = provider default */
    long concurrency;     /* 0 = default */
    double rate_per_min;  /* 0 = provider default */
    double poll_interval; /* 0 = provider default */
    double timeout;       /* one HTTP request, seconds (0 = default) */
    double job_timeout;   /* seconds (0 = provider default) */
    double max_credits;   /* < 0 = unlimited */
    const char *seniority, *department, *audience;
    long max_credit_limit;
    int excel, strict;
    int progress; /* -1 auto, 0 off, 1 on */
    int quiet, verbose;
    const char *config; /* --config FILE */
    const char *api_key_file;
    const char *cacert;
    const char *input; /* FILE argument, NULL = stdin */
} ec_opts;

/* Parse argv into o (defaults first). Returns 0, or -1 with a usage message
 * in err (the caller prints it and exits 2). Refuses values above a
 * provider's documented hard limit once the provider is known; see
 * ec_opts_check_limits. */
int ec_opts_parse(ec_opts *o, int argc, char **argv, ec_buf *err);
/* Free what ec_opts_parse allocated. */
void ec_opts_free(ec_opts *o);
/* The --help text (it matches the man page SYNOPSIS and OPTIONS). */
const char *ec_opts_help(void);

#endif

#!/bin/sh
# e2e_thehog.sh - data/leads.csv (and .ndjson) through The Hog on the
# sandbox: every row once, in order, fields intact, contacts equal to what
# the provider answers one identifier at a time (tests/e2e/e2e_check.py);
# batch sizes, duplicates, double charges and Idempotency-Keys from the
# sandbox's log and counters.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/e2e_lib.sh"

provider_suite thehog 100
done_testing

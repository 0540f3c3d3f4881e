#!/bin/sh
# e2e_amplemarket.sh - data/leads.csv (and .ndjson) through Amplemarket on
# the sandbox: every row once, in order, fields intact, contacts equal to
# what the provider answers one lead at a time (tests/e2e/e2e_check.py, an
# oracle that shares nothing with enrichcsv); batch sizes, duplicates and
# double charges from the sandbox's log and counters.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/e2e_lib.sh"

provider_suite amplemarket 1000
done_testing

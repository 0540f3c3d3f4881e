#!/bin/sh
# --sandbox starts a new simulator every run: a run cut short (| head) leaves
# open jobs in the journal that the next simulator never heard of. The rerun
# must submit those lookups again (never report them failed), and its output
# must equal a journal-free run's.
. "$TESTS_SRC/lib.sh"
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
unset ENRICHCSV_JOURNAL ENRICHCSV_SANDBOX_ARGS
"$ENRICHCSV" --sandbox -p amplemarket <"$DATA/leads.csv" 2>/dev/null | head -1 >/dev/null
"$ENRICHCSV" --sandbox -p amplemarket <"$DATA/leads.csv" >"$WORK/rerun.csv" 2>"$WORK/rerun.err"
is $? 0 "the rerun after an interrupted --sandbox run exits 0"
grep -c 'failed:' "$WORK/rerun.csv" >"$WORK/nfail"
is "$(cat "$WORK/nfail")" "0" "no row is reported failed"
"$ENRICHCSV" --sandbox --no-journal -p amplemarket <"$DATA/leads.csv" >"$WORK/clean.csv" 2>/dev/null
same_file "$WORK/rerun.csv" "$WORK/clean.csv" "the rerun's output equals a journal-free run's"
"$ENRICHCSV" --sandbox -p amplemarket <"$DATA/leads.csv" >"$WORK/third.csv" 2>"$WORK/third.err"
same_file "$WORK/third.csv" "$WORK/clean.csv" "a third run answers from the journal with the same output"
grep -q "1000 rows read: .* 9[0-9][0-9] answered from journal\|956 answered from journal" "$WORK/third.err"
ok $? "the third run answers every identified row from the journal ($(grep -o '[0-9]* answered from journal' "$WORK/third.err"))"
done_testing

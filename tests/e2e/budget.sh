#!/bin/sh
# budget.sh - --max-credits N: work is started only while its worst case at
# the provider's documented prices fits in N; the rest of the rows are
# written skipped:credits and the run exits 4, resumable. --dry-run prints
# the worst-case credits of what is left after the journal's answers.
. "$TESTS_SRC/lib.sh"
unset ENRICHCSV_JOURNAL ENRICHCSV_SANDBOX_ARGS ENRICHCSV_PROVIDER
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
export AMPLEMARKET_API_KEY=k THEHOG_API_KEY=hog_k
IN="$DATA/leads.csv"
sandbox_start
# Counters from /_sandbox/stats, read with sed (python3 starts slowly on a
# busy machine). A changed format gives an empty value, and a failure.
charged() { # credits charged by provider $1
    sandbox_stats | sed -n "s/.*\"$1\":{[^}]*\"credits_charged\":\([0-9.]*\).*/\1/p"
}
top() { # a top-level counter: requests, double_charged
    sandbox_stats | sed -n "s/.*\"$1\":\([0-9.]*\)[,}][^{}]*\$/\1/p; s/^{\"$1\":\([0-9]*\),.*/\1/p"
}
plan() { awk -F'\t' -v k="$2" '$1==k{print $2}' "$1"; }
count() { grep -c "$1\$" "$2"; }
# le A B: A <= B (decimals)
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b + 1e-9) }'; }

# ----------------------------------------------------------- the plan, before any run
"$ENRICHCSV" -p amplemarket --base-url "$SB_URL" -j "$WORK/amp.zst" --dry-run "$IN" >"$WORK/plan0"
is $? 0 "--dry-run with no journal yet"
lookups=$(plan "$WORK/plan0" "lookups to submit")
is "$(plan "$WORK/plan0" "worst-case credits")" "$(awk -v n="$lookups" 'BEGIN { print n * 2.5 }')" \
    "--dry-run: worst case at Amplemarket's prices: 0.5 found + 1 email + 1 phone per lookup ($lookups lookups)"
"$ENRICHCSV" -p amplemarket --base-url "$SB_URL" -j "$WORK/amp.zst" --dry-run --fields email "$IN" >"$WORK/plan0e"
is "$(plan "$WORK/plan0e" "worst-case credits")" "$(awk -v n="$lookups" 'BEGIN { print n * 1.5 }')" \
    "--dry-run --fields email: 1.5 per lookup"
is "$(top requests)" 0 "--dry-run sends no request"

# ----------------------------------------------------------- --max-credits 100
"$ENRICHCSV" -p amplemarket --base-url "$SB_URL" -j "$WORK/amp.zst" --poll-interval 0.2 \
    --max-credits 100 "$IN" >"$WORK/out1.csv" 2>"$WORK/err1"
is $? 4 "--max-credits 100: exit 4"
spent=$(charged amplemarket)
le "$spent" 100
ok $? "--max-credits 100: the provider charged $spent, not more than 100"
own=$(sed -n 's/.*credits spent ~*\([0-9.]*\).*/\1/p' "$WORK/err1")
[ -n "$own" ] && le "$own" 100
ok $? "--max-credits 100: the run's own figure ($own) is within 100"
looked=$(( $(count ",enriched" "$WORK/out1.csv") + $(count ",not_found" "$WORK/out1.csv") ))
skipped=$(count ",skipped:credits" "$WORK/out1.csv")
[ "$skipped" -gt 500 ]
ok $? "--max-credits 100: the rest of the rows are skipped:credits ($skipped)"
is "$(($(wc -l <"$WORK/out1.csv")))" "$(($(wc -l <"$IN")))" "--max-credits 100: every row is written"
grep -q "max-credits 100 reached" "$WORK/err1"
ok $? "--max-credits 100: says the budget was reached"
grep -q "([0-9]* for credits)" "$WORK/err1"
ok $? "--max-credits 100: the summary counts the rows skipped for credits"

# ----------------------------------------------------------- the plan after the journal's answers
"$ENRICHCSV" -p amplemarket --base-url "$SB_URL" -j "$WORK/amp.zst" --dry-run "$IN" >"$WORK/plan1"
answered=$(plan "$WORK/plan1" "answered from journal")
left=$(plan "$WORK/plan1" "lookups to submit")
[ "$answered" -gt 0 ]
ok $? "--dry-run after a run: rows answered from the journal ($answered)"
is "$(plan "$WORK/plan1" "worst-case credits")" "$(awk -v n="$left" 'BEGIN { print n * 2.5 }')" \
    "--dry-run after a run: worst case of the $left lookups left"
[ "$left" -lt "$lookups" ]
ok $? "--dry-run after a run: fewer lookups left than at first ($left < $lookups)"

# ----------------------------------------------------------- resume with a larger budget
before=$(charged amplemarket)
"$ENRICHCSV" -p amplemarket --base-url "$SB_URL" -j "$WORK/amp.zst" --poll-interval 0.2 \
    --max-credits 200 "$IN" >"$WORK/out2.csv" 2>"$WORK/err2"
is $? 4 "resumed with --max-credits 200: exit 4 again"
spent=$(awk -v a="$(charged amplemarket)" -v b="$before" 'BEGIN { print a - b }')
le "$spent" 200
ok $? "resumed: this run's charges ($spent) stay within its own budget"
[ "$(count ",skipped:credits" "$WORK/out2.csv")" -lt "$skipped" ]
ok $? "resumed: fewer rows skipped than before"
is "$(top double_charged)" 0 "resumed: nobody was paid for twice"

# ----------------------------------------------------------- --max-credits 0
requests=$(top requests)
"$ENRICHCSV" -p amplemarket --base-url "$SB_URL" -j "$WORK/zero.zst" --max-credits 0 "$IN" \
    >"$WORK/out0.csv" 2>/dev/null
is $? 4 "--max-credits 0: exit 4"
is "$(top requests)" "$requests" "--max-credits 0: no request at all"
is "$(count ",skipped:credits" "$WORK/out0.csv")" "$(plan "$WORK/plan0" "rows with identifiers")" \
    "--max-credits 0: every row with an identifier is skipped:credits"

# ----------------------------------------------------------- The Hog's prices
"$ENRICHCSV" -p thehog --base-url "$SB_URL" -j "$WORK/hog.zst" --dry-run "$IN" >"$WORK/planh"
n=$(plan "$WORK/planh" "lookups to submit")
is "$(plan "$WORK/planh" "worst-case credits")" "$((n * 2))" "The Hog: 1 email + 1 phone per lookup"
"$ENRICHCSV" -p thehog --base-url "$SB_URL" -j "$WORK/hog.zst" --poll-interval 0.2 \
    --max-credits 30 "$IN" >"$WORK/outh.csv" 2>/dev/null
is $? 4 "The Hog --max-credits 30: exit 4"
spent=$(charged thehog)
le "$spent" 30
ok $? "The Hog --max-credits 30: charged $spent, not more than 30"
done_testing

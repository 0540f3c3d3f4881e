#!/bin/sh
# e2e_storm.sh - everything at once: a sandbox whose rate-limit bucket is
# spent before the run starts and refills at half the client's rate (about
# one request in ten meets a 429, each pausing the run for its Retry-After;
# the sandbox has no 429-probability knob), 10% 5xx and 5% dropped
# connections. The Hog (Idempotency-Key) must end exactly as a clean run.
# Amplemarket (no key) must end each row as the clean run or
# failed:uncertain - a dropped submit may have been charged - and reruns
# with --retry-failed must complete it; neither may ever pay twice.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/e2e_lib.sh"

make_gold 100 0
STORM="--rate-limit 300/min --fail-5xx 0.1 --drop 0.05 --job-ms 200"

# shellcheck disable=SC2086
sb storm $STORM
burn storm 300
J=$WORK/th.zst enrich storm thehog --batch-size 5 --poll-interval 0.25 <"$WORK/in.csv" \
    >"$WORK/storm.csv" 2>"$WORK/err"
is $? 0 "storm (thehog): exits 0"
same_file "$WORK/storm.csv" "$WORK/gold-thehog.csv" "storm (thehog): output identical to a clean run"
sbstats storm
eval "$($CHECK batches "$WORK/storm.log")"
eval "$($CHECK faults "$WORK/storm.log")"
echo "# thehog: $F_requests requests, $F_rate_limited 429s, $F_fail_5xx 5xx, $F_dropped dropped"
ge "$F_rate_limited" 3 "storm (thehog): the run met 429s"
ge "$((F_fail_5xx + F_dropped))" 1 "storm (thehog): and 5xx or dropped connections"
is "$S_double/$B_key_reused/$B_without_key" 0/0/0 "storm (thehog): every submit keyed, nothing charged twice"
sb_stop storm

# shellcheck disable=SC2086
sb storm $STORM
burn storm 300
J=$WORK/am.zst enrich storm amplemarket --batch-size 5 --poll-interval 0.25 <"$WORK/in.csv" \
    >"$WORK/storm.csv" 2>"$WORK/err"
is $? 0 "storm (amplemarket): exits 0"
eval "$($CHECK gold-or "$WORK/storm.csv" "$WORK/gold-amplemarket.csv" failed:uncertain)"
is "$G_bad" 0 "storm (amplemarket): each row as the clean run or failed:uncertain ($G_other)"
lost=$(logq storm 'sum(1 for x in L if x["method"] == "POST" and (x["fault"] == "dropped" or x["status"] in (500, 502)))')
is "$((G_other > 0))" "$((lost > 0))" \
    "storm (amplemarket): rows are uncertain exactly when a submit was lost ($lost)"
sbstats storm
eval "$($CHECK faults "$WORK/storm.log")"
echo "# amplemarket: $F_requests requests, $F_rate_limited 429s, $F_fail_5xx 5xx, $F_dropped dropped"
ge "$F_rate_limited" 3 "storm (amplemarket): the run met 429s"
is "$S_double" 0 "storm (amplemarket): nothing charged twice"
for _try in 1 2 3 4 5 6 7 8; do
    grep -q 'failed:' "$WORK/storm.csv" || break
    J=$WORK/am.zst enrich storm amplemarket --batch-size 5 --poll-interval 0.25 --retry-failed \
        <"$WORK/in.csv" >"$WORK/storm.csv" 2>"$WORK/err"
done
same_file "$WORK/storm.csv" "$WORK/gold-amplemarket.csv" \
    "storm (amplemarket): reruns with --retry-failed end identical to a clean run"
sbstats storm
is "$S_double" 0 "storm (amplemarket): still nothing charged twice"
sb_stop storm

done_testing

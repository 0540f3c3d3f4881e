#!/bin/sh
# e2e_lance.sh - enrichcsv -p lance against the sandbox, end to end:
# data/lance-people.csv equal to what the sandbox's own API answers
# (ids_lib.sh oracle), separate passes for emails and phones, batches of at
# most 100 and status queries of at most 200 tasks, a token refused or
# without an organization, credits, 5xx and malformed answers, and kill -9
# then resume, whose re-posted batches reuse the pending enrichments free.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/ids_lib.sh"

IN=$DATA/lance-people.csv
export LANCE_API_TOKEN=ln_test
ORC=$(sb_up "$WORK/orc" --job-ms 0)
oracle lance "$ORC" "$IN" >"$WORK/want.csv"
sb_down "$WORK/orc"

run() {
    _u=$1 _j=$2
    shift 2
    "$ENRICHCSV" -q -p lance --base-url "$_u" --poll-interval 0.05 -j "$_j" "$@"
}
first() { sed 1d "$1" | cut -d, -f1; }
BATCH=/api/v1/operations/enrichment/batch
lance_jobs() { curl -s "$1/_sandbox/stats" | sed -n 's/.*"jobs":{[^}]*"lance":\([0-9]*\).*/\1/p'; }

# --- the data file end to end
sandbox_start --job-ms 200 --log "$WORK/sb.log"
run "$SB_URL" "$WORK/j.zst" "$IN" >"$WORK/out.csv" 2>"$WORK/err"
is "$?" 0 "lance-people.csv: exit 0"
same_file "$WORK/out.csv" "$WORK/want.csv" "every row equals the sandbox's own answers"
is "$(first "$WORK/out.csv" | paste -s -d ' ' -)" "$(first "$IN" | paste -s -d ' ' -)" \
    "every input row is there, in input order"
is "$(statuses "$WORK/out.csv" | paste -s -d ' ' -)" \
    "91 enriched 18 failed:enrichment_failed 41 not_found 1 skipped:no_identifier" \
    "found, not found, failed enrichments"
is "$(log_batches "$WORK/sb.log" POST $BATCH | sort -n | paste -s -d ' ' -)" "50 50 100 100" \
    "emails and phones in separate batches of at most 100"
# (the first query may come before both passes are answered: only the
# largest is fixed, 300 tasks being grouped into queries of up to 200)
is "$(log_max "$WORK/sb.log" POST $BATCH/query)" 200 "status queries of at most 200 tasks, filled up to 200"
is "$(log_count "$WORK/sb.log" GET '/api/v1/entities/prospects/person/[0-9a-f-]*')" 91 \
    "one person record read per person with data"
is "$(log_count "$WORK/sb.log" POST '/api/v1/operations/enrichment/[0-9a-f-]*')" 0 \
    "no single-person calls"
is "$(lance_jobs "$SB_URL")" 300 "one enrichment per person and field"
is "$(sb_last "$SB_URL" double_charged)" 0 "double_charged 0"
posts=$(log_count "$WORK/sb.log" POST $BATCH)
run "$SB_URL" "$WORK/j.zst" "$IN" >"$WORK/again.csv"
same_file "$WORK/again.csv" "$WORK/out.csv" "the same command again: the same output"
is "$(log_count "$WORK/sb.log" POST $BATCH)" "$posts" "... from the journal"
run "$SB_URL" "$WORK/j.zst" --retry-failed "$IN" >"$WORK/retry.csv"
is "$(statuses "$WORK/retry.csv" | grep -c failed)" 0 \
    "--retry-failed: the failed enrichments are made again, and succeed"
made=$(($(lance_jobs "$SB_URL") - 300))
ok "$([ "$made" -ge 18 ] && [ "$made" -le 36 ]; echo $?)" "... $made new enrichments for 18 rows, the rest reused"
is "$(sb_last "$SB_URL" double_charged)" 0 "... double_charged 0"
run "$SB_URL" "$WORK/je.zst" --fields email "$IN" >"$WORK/em.csv"
is "$(sed 1d "$WORK/em.csv" | awk -F, '$(NF-1) != ""' | wc -l | tr -d ' ')" 0 \
    "--fields email: no phone column filled"
is "$(log_batches "$WORK/sb.log" POST $BATCH | tail -n 2 | sort -n | paste -s -d ' ' -)" "50 100" \
    "... and only the emails pass is posted"

# --- a refused token, a token without an organization: exit 5
U=$(sb_up "$WORK/key" --job-ms 0 --key ln_right)
run "$U" "$WORK/jk.zst" "$IN" >/dev/null 2>"$WORK/err"
is "$?" 5 "a refused token: exit 5"
ok "$(grep -q 'rejected the key.*LANCE_API_TOKEN' "$WORK/err"; echo $?)" "... naming LANCE_API_TOKEN"
sb_down "$WORK/key"
(LANCE_API_TOKEN=noorg-token run "$SB_URL" "$WORK/jo.zst" "$IN" >/dev/null 2>"$WORK/err")
is "$?" 5 "a token without an organization (400 Organization ID is missing): exit 5"
ok "$(grep -q 'Organization ID is missing.*LANCE_API_TOKEN' "$WORK/err"; echo $?)" "... saying so"

# --- credits run out: exit 4, the rest skipped:credits
U=$(sb_up "$WORK/cr" --job-ms 0 --credits 60)
run "$U" "$WORK/jc.zst" "$IN" >"$WORK/cr.csv" 2>/dev/null
is "$?" 4 "out of credits: exit 4"
is "$(first "$WORK/cr.csv" | paste -s -d ' ' -)" "$(first "$IN" | paste -s -d ' ' -)" \
    "... every input row still there, in order"
ok "$(grep -q ',skipped:credits$' "$WORK/cr.csv" && grep -q ',enriched$' "$WORK/cr.csv"; echo $?)" \
    "... some enriched, the rest skipped:credits"
# a person one of whose passes was refused keeps what the other found: a
# row not skipped is the oracle's, or the oracle's without email or phone
awk -F, 'BEGIN { OFS = "," } { print } $NF == "enriched" {
    e = $(NF - 2); $(NF - 2) = ""; print; $(NF - 2) = e; $(NF - 1) = ""; print }' \
    "$WORK/want.csv" >"$WORK/want.part"
bad=$(grep -v ',skipped:credits$' "$WORK/cr.csv" | grep -v -x -F -f "$WORK/want.part")
is "$bad" "" "... the rows not skipped are right (or lack what a refused pass would give)"
ok "$(awk "BEGIN { exit !($(sb_last "$U" credits_charged) <= 60) }"; echo $?)" "... within the balance"
is "$(sb_last "$U" double_charged)" 0 "... double_charged 0"
sb_down "$WORK/cr"

# --- 5xx and malformed answers: retried (re-posting a batch is free)
for fault in "--fail-5xx 0.1" "--malformed 0.1"; do
    name=${fault%% *}
    name=${name#--}
    U=$(sb_up "$WORK/$name" --job-ms 0 --log "$WORK/$name.log" $fault)
    run "$U" "$WORK/j$name.zst" "$IN" >"$WORK/$name.csv" 2>/dev/null
    is "$?" 0 "$name: exit 0"
    n=$(grep -c '"fault":"[a-z_0-9]*"' "$WORK/$name.log")
    ok "$([ "$n" -ge 3 ]; echo $?)" "$name: faults injected ($n)"
    is "$(same_or "$WORK/$name.csv" "$WORK/want.csv" 'failed:bad_response')" "" \
        "$name: retried; rows right (or failed:bad_response after a second malformed answer)"
    ok "$([ "$(grep -c 'failed:bad_response$' "$WORK/$name.csv")" -lt 10 ]; echo $?)" \
        "$name: ... which few rows end"
    is "$(sb_last "$U" double_charged)" 0 "$name: double_charged 0"
    sb_down "$WORK/$name"
done

# --- kill -9 once every batch is posted (the enrichments still pending),
# then the same command: the batches are posted again and every enrichment
# is reused, so nothing new is made and nothing paid twice
U=$(sb_up "$WORK/kill" --job-ms 2500 --log "$WORK/kill.log")
(exec "$ENRICHCSV" -q -p lance --base-url "$U" --poll-interval 0.05 -j "$WORK/jr.zst" \
    "$IN" >/dev/null 2>&1) &
pid=$!
wait_log "$WORK/kill.log" 4 POST $BATCH
ok $? "killed once every batch was posted"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
jobs=$(lance_jobs "$U")
run "$U" "$WORK/jr.zst" "$IN" >"$WORK/r.csv" 2>/dev/null
is "$?" 0 "rerun after kill -9: exit 0"
same_file "$WORK/r.csv" "$WORK/want.csv" "... the output is complete and right"
is "$jobs/$(lance_jobs "$U")" "300/300" "... the re-posted batches made no new enrichment"
is "$(log_count "$WORK/kill.log" POST $BATCH)" 8 "... (each batch posted twice)"
is "$(sb_last "$U" double_charged)" 0 "... nothing paid twice"
sb_down "$WORK/kill"
done_testing

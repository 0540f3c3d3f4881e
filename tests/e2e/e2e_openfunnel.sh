#!/bin/sh
# e2e_openfunnel.sh - enrichcsv -p openfunnel against the sandbox, end to
# end: data/accounts.csv gives one row per person found, in input order and
# discovery order, equal to what the sandbox's own API answers (ids_lib.sh
# oracle); enrichment jobs of at most 500 people; the filters; the SPEC
# section 6 failures (401, credits, 5xx, malformed); kill -9 and resume.
# A 404 PERSON_NOT_FOUND cannot be provoked through the command line (the
# people ids always come from this key's own discovery jobs, and the
# sandbox knows every id it discovered): t_prov_openfunnel covers the
# bisection.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/ids_lib.sh"

IN=$DATA/accounts.csv
export OPENFUNNEL_API_KEY=of_test OPENFUNNEL_USER_ID=tester@example.com
ORC=$(sb_up "$WORK/orc" --job-ms 0)
oracle openfunnel "$ORC" "$IN" >"$WORK/want.csv"

# run URL JOURNAL [ARGS...] <INPUT: enrichcsv -p openfunnel, fast polls
run() {
    _u=$1 _j=$2
    shift 2
    "$ENRICHCSV" -q -p openfunnel --base-url "$_u" --poll-interval 0.05 -j "$_j" "$@"
}
# accounts FILE: the account ids of a CSV (first field) in order, one a
# line, repeats in a row collapsed: the input rows a fan-out output holds
accounts() { sed 1d "$1" | cut -d, -f1 | uniq; }
# drop_failed FILE REGEX WANT: FILE.kept and WANT.kept, without the rows of
# the accounts that ended failed:REGEX in FILE (their ids in $WORK/drop).
drop_failed() {
    grep -E ",failed:($2)\$" "$1" | cut -d, -f1 | sort -u >"$WORK/drop"
    for _f in "$1" "$3"; do
        awk -F, 'NR == FNR { d[$1] = 1; next } !($1 in d)' "$WORK/drop" "$_f" >"$_f.kept"
    done
}

# --- the data file end to end
sandbox_start --job-ms 150 --log "$WORK/sb.log"
run "$SB_URL" "$WORK/j.zst" "$IN" >"$WORK/out.csv" 2>"$WORK/err"
is "$?" 0 "accounts.csv: exit 0"
same_file "$WORK/out.csv" "$WORK/want.csv" "every row and person equals the sandbox's own answers"
is "$(head -n 1 "$WORK/out.csv")" \
    "Account ID,Company,Website,person_id,person_name,person_title,person_linkedin_url,email,phone,enrich_status" \
    "person columns and the added columns, in that order"
is "$(accounts "$WORK/out.csv" | paste -s -d ' ' -)" "$(accounts "$IN" | paste -s -d ' ' -)" \
    "every input row is there, in input order"
# within an account, people in discovery order (the sandbox lists them by
# id); "account person" of every person row
sed -n 's/^\([0-9]*\),.*,\([0-9]*\),[^,]*,,[^,]*,[^,]*,[^,]*,[^,]*$/\1 \2/p' "$WORK/out.csv" >"$WORK/pairs"
ok "$([ "$(wc -l <"$WORK/pairs")" -gt 150 ]; echo $?)" "$(wc -l <"$WORK/pairs" | tr -d ' ') person rows"
bad=$(awk '{ if ($1 == a && $2 <= p) print; a = $1; p = $2 }' "$WORK/pairs")
is "$bad" "" "within an account, the people in discovery order"
is "$(grep -c ',,,,,,,not_found$' "$WORK/out.csv")" 4 "an account with no people: one not_found row"
is "$(grep -c ',,,,,,,failed:account_not_found$' "$WORK/out.csv")" 8 "an unknown account: one failed row"
is "$(tail -n 1 "$WORK/out.csv")" ",No Id Ltd,noid.test,,,,,,,skipped:no_identifier" \
    "a row without account id: skipped:no_identifier"
is "$(log_count "$WORK/sb.log" POST /api/v1/enrich/fast-people-enrichment)" 60 \
    "one discovery job per account"
ok "$([ "$(log_max "$WORK/sb.log" POST /api/v1/enrich/people)" -le 500 ]; echo $?)" \
    "enrichment jobs of at most 500 people"
is "$(grep -c '"status":4[0-9][0-9]' "$WORK/sb.log")" 8 "no 4xx but the 8 unknown accounts"
is "$(sb_last "$SB_URL" double_charged)" 0 "double_charged 0"
if command -v zstdcat >/dev/null; then
    is "$(zstdcat "$WORK/j.zst" | grep -c '"t":"intent"')" 6 \
        "one synced intent per batch (not one per discovery POST)"
fi
charged=$(sb_last "$SB_URL" credits_charged)
posts=$(grep -c '"method":"POST"' "$WORK/sb.log")
run "$SB_URL" "$WORK/j.zst" "$IN" >"$WORK/again.csv" 2>/dev/null
same_file "$WORK/again.csv" "$WORK/out.csv" "the same command again: the same output, from the journal"
is "$(grep -c '"method":"POST"' "$WORK/sb.log")/$(sb_last "$SB_URL" credits_charged)" \
    "$posts/$charged" "... with no request paid again"

# --- more than 500 people in a batch: chunks of 500
awk 'BEGIN { print "Account ID"; for (i = 2001; i <= 2160; i++) print i }' >"$WORK/many.csv"
oracle openfunnel "$ORC" "$WORK/many.csv" >"$WORK/many.want"
U=$(sb_up "$WORK/many" --job-ms 0 --log "$WORK/sb.log.many")
run "$U" "$WORK/jm.zst" --batch-size 160 "$WORK/many.csv" >"$WORK/many.out"
is "$?" 0 "160 accounts in one batch: exit 0"
same_file "$WORK/many.out" "$WORK/many.want" "... equal to the sandbox's answers"
people=$(grep -c ',[0-9][0-9]*,[^,]*,,' "$WORK/many.out")
is "$(log_batches "$WORK/sb.log.many" POST /api/v1/enrich/people | sort -n | paste -s -d ' ' -)" \
    "$((people - 500)) 500" "$people people: enrichment jobs of 500 and the rest"
sb_down "$WORK/many"

# --- the filters
head -n 21 "$IN" >"$WORK/20.csv"
oracle openfunnel "$ORC" "$WORK/20.csv" VP,DIRECTOR,HEAD ENGINEERING,SALES,CUSTOMER_SUCCESS \
    >"$WORK/20.want"
run "$SB_URL" "$WORK/jf.zst" --seniority 'vp, Director,HEAD' \
    --department 'engineering,sales,customer success' "$WORK/20.csv" >"$WORK/20.out"
same_file "$WORK/20.out" "$WORK/20.want" "--seniority and --department reach the discovery job"
oracle openfunnel "$ORC" "$WORK/20.csv" >"$WORK/20.all"
ok "$([ "$(wc -l <"$WORK/20.out")" -lt "$(wc -l <"$WORK/20.all")" ]; echo $?)" \
    "... which finds fewer people than no filter"
run "$SB_URL" "$WORK/jf.zst" --seniority vp,boss "$WORK/20.csv" >/dev/null 2>"$WORK/err"
is "$?" 2 "--seniority with an unknown value: exit 2"
ok "$(grep -q "unknown seniority value 'boss' (valid: FOUNDER,CXO,PARTNER,VP,HEAD,DIRECTOR,MANAGER,SENIOR,ENTRY,INTERN)" "$WORK/err"; echo $?)" \
    "... naming it and listing the valid values"
run "$SB_URL" "$WORK/jf.zst" --department sales,kitchen "$WORK/20.csv" >/dev/null 2>"$WORK/err"
is "$?" 2 "--department with an unknown value: exit 2"
ok "$(grep -q "unknown department value 'kitchen' (valid: ENGINEERING,.*,CUSTOMER_SUCCESS,SECURITY,IT,OTHER)" "$WORK/err"; echo $?)" \
    "... naming it and listing the valid values"

# --- people ids under "result" on the discovery poll ([U] in providers.md)
U=$(sb_up "$WORK/res" --job-ms 50 --openfunnel-ids=result)
run "$U" "$WORK/jres.zst" "$WORK/20.csv" >"$WORK/20.res"
same_file "$WORK/20.res" "$WORK/20.all" "--openfunnel-ids=result: the same output"
sb_down "$WORK/res"
U=$(sb_up "$WORK/obj" --job-ms 50 --openfunnel-ids=objects)
run "$U" "$WORK/jobj.zst" "$WORK/20.csv" >"$WORK/20.obj"
same_file "$WORK/20.obj" "$WORK/20.all" "--openfunnel-ids=objects (ids as person objects): the same output"
sb_down "$WORK/obj"

# the first 30 accounts, and what they must get, for the runs below
head -n 31 "$IN" >"$WORK/sub.csv"
awk -F, 'NR == FNR { if (FNR > 1) a[$1] = 1; next } FNR == 1 || ($1 in a)' "$WORK/sub.csv" \
    "$WORK/want.csv" >"$WORK/sub.want"

# --- 401: exit 5, the message names the variables
U=$(sb_up "$WORK/key" --job-ms 0 --key of_right)
run "$U" "$WORK/jk.zst" "$IN" >/dev/null 2>"$WORK/err"
is "$?" 5 "a refused key: exit 5"
ok "$(grep -q 'rejected the key.*OPENFUNNEL_API_KEY' "$WORK/err"; echo $?)" "... naming OPENFUNNEL_API_KEY"
sb_down "$WORK/key"

# --- credits run out: exit 4, the rest skipped:credits
U=$(sb_up "$WORK/cr" --job-ms 0 --credits 150)
run "$U" "$WORK/jc.zst" "$WORK/sub.csv" >"$WORK/cr.out" 2>"$WORK/err"
is "$?" 4 "out of credits: exit 4"
is "$(accounts "$WORK/cr.out" | paste -s -d ' ' -)" "$(accounts "$WORK/sub.csv" | paste -s -d ' ' -)" \
    "... every input row still there, in order"
ok "$(grep -q ',skipped:credits$' "$WORK/cr.out" && grep -q ',enriched$' "$WORK/cr.out"; echo $?)" \
    "... some accounts enriched, the rest skipped:credits"
bad=$(grep -v ',skipped:credits$' "$WORK/cr.out" | grep -v -x -F -f "$WORK/sub.want")
is "$bad" "" "... and the rows not skipped are right"
ok "$(awk "BEGIN { exit !($(sb_last "$U" credits_charged) <= 150) }"; echo $?)" "... within the balance"
is "$(sb_last "$U" double_charged)" 0 "... double_charged 0"
sb_down "$WORK/cr"

# --- 5xx and malformed answers. One account first, where every request
# waits for the one before: with the default seed the knobs' draws fault
# the enrichment poll (the 4th request), which is retried.
head -n 2 "$IN" >"$WORK/one.csv"
awk -F, 'NR == FNR { if (FNR > 1) a[$1] = 1; next } FNR == 1 || ($1 in a)' "$WORK/one.csv" \
    "$WORK/want.csv" >"$WORK/one.want"
# --- a 429 whose wait is only in the body (details.retry_after_seconds;
# whether OpenFunnel also sends Retry-After is not documented): the client
# waits what the body says. Without the hint it would retry after its own
# backoff from --poll-interval 0.05 s, and the 1/s bucket would answer 429
# again and again.
U=$(sb_up "$WORK/rl" --job-ms 0 --rate-limit 1/s --no-retry-after)
"$ENRICHCSV" -v -p openfunnel --base-url "$U" --poll-interval 0.05 -j "$WORK/jrl.zst" \
    "$WORK/one.csv" >"$WORK/rl.out" 2>"$WORK/rl.err"
is "$?" 0 "429 with the wait in the body only: exit 0"
same_file "$WORK/rl.out" "$WORK/one.want" "... the output is right"
waits=$(sed -n 's/^enrichcsv: retrying .* in \([0-9.]*\) s (http_429)$/\1/p' "$WORK/rl.err")
ok "$([ -n "$waits" ] && ! grep -q -- '-> 429 .*Retry-After' "$WORK/rl.err"; echo $?)" \
    "... the run met 429s without Retry-After ($(echo $waits | wc -w))"
ok "$(echo "$waits" | awk '$1 < 1 { bad = 1 } END { exit bad }'; echo $?)" \
    "... and waited what the body said (>= 1 s) before every retry: $(echo $waits)"
sb_down "$WORK/rl"

for fault in "--fail-5xx 0.5" "--malformed 0.5"; do
    name=${fault%% *}
    name=${name#--}
    U=$(sb_up "$WORK/$name-1" --job-ms 0 --log "$WORK/$name-1.log" $fault)
    run "$U" "$WORK/j$name-1.zst" "$WORK/one.csv" >"$WORK/$name-1.out" 2>/dev/null
    is "$?" 0 "$name, one account: exit 0"
    same_file "$WORK/$name-1.out" "$WORK/one.want" "$name, one account: the output is right"
    is "$(sed -n 's/.*"method":"\([A-Z]*\)","path":"\([^"]*\)".*"status":\([0-9]*\).*"fault":\([a-z_0-9"]*\).*/\1 \2 \3 \4/p' \
        "$WORK/$name-1.log" | sed 's|/api/v1/enrich/||; s|/[a-z]*-[0-9]*| JOB|' | sed -n '4,5p' | paste -s -d ';' -)" \
        "GET people JOB $([ "$name" = malformed ] && echo 200 || echo 500) \"$(echo "$name" | tr - _)\";GET people JOB 200 null" \
        "$name, one account: the faulty poll answer is retried"
    sb_down "$WORK/$name-1"
done
# Then 30 accounts. Polls and discovery POSTs are sent again after a lost
# or spoiled answer (discovery bills only people not stored yet,
# providers.md 1a, so a repeat is free: paid = 2). The people-enrichment
# POST is not: it bills each email or phone found, and providers.md does
# not document that a repeat is free (1b: "Idempotency: none documented";
# 6: "OpenFunnel and Amplemarket may charge again"), so a lost answer
# leaves its people failed:uncertain and a spoiled one failed:bad_response.
# SPEC 6 also fails a batch whose one retry is answered malformed again.
# The sandbox draws which request meets the fault, so the tests say when
# accounts fail, not that they never do.
for fault in "--fail-5xx 0.25" "--malformed 0.25"; do
    name=${fault%% *}
    name=${name#--}
    U=$(sb_up "$WORK/$name" --job-ms 0 --log "$WORK/$name.log" $fault)
    run "$U" "$WORK/j$name.zst" "$WORK/sub.csv" >"$WORK/$name.out" 2>/dev/null
    is "$?" 0 "$name: exit 0"
    is "$(accounts "$WORK/$name.out" | paste -s -d ' ' -)" \
        "$(accounts "$WORK/sub.csv" | paste -s -d ' ' -)" "$name: every input row there, in order"
    drop_failed "$WORK/$name.out" "uncertain|bad_response" "$WORK/sub.want"
    same_file "$WORK/$name.out.kept" "$WORK/sub.want.kept" "$name: every other account is right"
    is "$(sb_last "$U" double_charged)" 0 "$name: double_charged 0"
    failed=$(grep -c -E ',failed:(uncertain|bad_response)$' "$WORK/$name.out")
    # causes in the log: "enrich" = faulty answers to an enrichment POST;
    # "again" = a poll whose retry was spoiled too, or (malformed) two
    # spoiled discovery answers, which may be one account's POST and its retry
    python3 - "$WORK/$name.log" >"$WORK/$name.causes" <<'EOF'
import json, sys
L = [json.loads(x) for x in open(sys.argv[1])]
bad = lambda x: x["fault"] in ("fail_5xx", "malformed") and x["status"] != 503
enrich = sum(1 for x in L if x["method"] == "POST" and x["path"] == "/api/v1/enrich/people" and bad(x))
last, again = {}, 0
for x in L:
    if x["method"] == "GET":
        again += bad(x) and last.get(x["path"], False)
        last[x["path"]] = bad(x)
disc = sum(1 for x in L if x["method"] == "POST" and x["path"].endswith("/fast-people-enrichment")
           and x["fault"] == "malformed")
print(enrich, again + (disc >= 2))
EOF
    read -r enrich again <"$WORK/$name.causes"
    if [ "$name" = fail-5xx ]; then
        # a 5xx retried five times over is already a failure above (http_5xx)
        is "$((failed > 0))" "$((enrich > 0))" \
            "$name: accounts fail ($failed rows) exactly when an enrichment POST's answer was lost ($enrich)"
    else
        is "$((failed > 0 && enrich + again == 0))" 0 \
            "$name: accounts fail ($failed rows) only after an answer that is not asked again ($enrich, $again)"
    fi
    sb_down "$WORK/$name"
done

# --- kill -9 in the middle, then the same command
U=$(sb_up "$WORK/kill" --job-ms 700 --latency-ms 40 --log "$WORK/kill.log")
(exec "$ENRICHCSV" -q -p openfunnel --base-url "$U" --poll-interval 0.05 -j "$WORK/jr.zst" \
    "$IN" >/dev/null 2>&1) &
pid=$!
wait_log "$WORK/kill.log" 20 POST /api/v1/enrich/fast-people-enrichment
ok $? "killed after 20 discovery jobs were started"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
before=$(log_count "$WORK/kill.log" POST /api/v1/enrich/fast-people-enrichment)
run "$U" "$WORK/jr.zst" "$IN" >"$WORK/r1.out" 2>"$WORK/r1.err"
is "$?" 0 "rerun after kill -9: exit 0"
is "$(accounts "$WORK/r1.out" | paste -s -d ' ' -)" "$(accounts "$IN" | paste -s -d ' ' -)" \
    "... every input row there, in order"
drop_failed "$WORK/r1.out" uncertain "$WORK/want.csv"
same_file "$WORK/r1.out.kept" "$WORK/want.csv.kept" \
    "... right, but for accounts whose discovery POST had no answer yet (failed:uncertain)"
posted=$(log_count "$WORK/kill.log" POST /api/v1/enrich/fast-people-enrichment)
ok "$([ "$posted" -le 60 ] && [ "$posted" -ge $((60 - $(grep -c . "$WORK/drop"))) ]; echo $?)" \
    "... no account discovered twice ($posted discovery POSTs for 60 accounts)"
is "$(sb_last "$U" double_charged)" 0 "... double_charged 0"
run "$U" "$WORK/jr.zst" --retry-failed "$IN" >"$WORK/r2.out" 2>/dev/null
is "$?" 0 "then --retry-failed: exit 0"
same_file "$WORK/r2.out" "$WORK/want.csv" "... and the output is complete and right"
is "$(sb_last "$U" double_charged)" 0 "... still nothing charged twice"
echo "# killed after $before discovery POSTs; $(grep -c . "$WORK/drop") accounts were uncertain"
sb_down "$WORK/kill"
sb_down "$WORK/orc"
done_testing

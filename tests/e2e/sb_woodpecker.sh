#!/bin/sh
# sb_woodpecker.sh - enrichcsv-sandbox's Woodpecker simulator, driven with
# curl: auth, validation, queue -> poll -> prospect read-back, pending
# dedup (NOT_ENQUEUED), PARTIALLY_ENQUEUED / CREDITS_EXHAUSTED, the
# one-request-at-a-time rule, the wrapped poll body.
. "$TESTS_SRC/lib.sh"
command -v curl >/dev/null || skip_all "needs curl"

ENR=/rest/v2/lead_finder/leads/enrichments

# wpk KEY METHOD PATH [BODY]: call with that x-api-key; the body goes to
# $WORK/b (or $OUT), prints the status. wp METHOD PATH [BODY]: the usual key.
wpk() {
    _k=$1 _m=$2 _p=$3
    if [ $# -ge 4 ]; then set -- --data-binary "$4"; else set --; fi
    curl -s -o "${OUT:-$WORK/b}" -w '%{http_code}' -X "$_m" -H "x-api-key: $_k" \
        -H 'Content-Type: application/json' "$@" "$SB_URL$_p"
}
wp() { wpk wp_sandbox "$@"; }
# jf KEY: the first "KEY": scalar of the last body, strings unquoted
jf() {
    grep -o "\"$1\":\(\"[^\"]*\"\|[^],}]*\)" "$WORK/b" | head -n 1 | sed 's/^"[^"]*"://; s/^"//; s/"$//'
}
# n_of TEXT: how many times TEXT occurs in the last body
n_of() { grep -o -F "$1" "$WORK/b" | wc -l | tr -d ' '; }
# stat NAME: the last counter NAME in /_sandbox/stats (top level, or the endpoint)
stat() { curl -s "$SB_URL/_sandbox/stats" | grep -o "\"$1\":[0-9.]*" | tail -n 1 | cut -d: -f2; }
wstat() { curl -s "$SB_URL/_sandbox/stats" | sed -n "s/.*\"woodpecker\":{[^}]*\"$1\":\([0-9.]*\).*/\1/p"; }
# lead N: a lead payload with uid lead-N and a LinkedIn URL
lead() {
    echo "{\"uid\":\"lead-$1\",\"full_name\":\"Sam Lead$1\",\"linkedin_url\":\"linkedin.com/in/sandbox-lead-$1\",\"company_name\":\"Lead Co\",\"company_website\":\"leadco.example\"}"
}
leads() { for _n in "$@"; do lead "$_n"; done | paste -s -d, -; }

sandbox_start --job-ms 0

# --- auth and validation
code=$(curl -s -o "$WORK/b" -w '%{http_code}' "$SB_URL/rest/v1/prospects")
is "$code/$(jf code)" 401/E_SESSION "no x-api-key: 401 E_SESSION"
U4=$(sb_up "$WORK/k400" --woodpecker-key-400)
code=$(curl -s -o "$WORK/b" -w '%{http_code}' "$U4/rest/v1/prospects")
is "$code/$(jf code)" 400/E_SESSION "no x-api-key with --woodpecker-key-400: 400 E_SESSION"
sb_down "$WORK/k400"
code=$(wp POST $ENR "{\"leads\":[$(seq 1 51 | sed 's/.*/{"uid":"x&"}/' | paste -s -d, -)]}")
is "$code/$(jf code)" 400/E_WRONG_PARAM "51 leads: 400 E_WRONG_PARAM"
code=$(wp POST $ENR '{"leads":[{"uid":"a"},{"full_name":"No Uid"}],"target_campaign_ids":[]}')
is "$code/$(jf code)" 400/E_WRONG_PARAM "a lead without uid: 400"
code=$(wp POST $ENR '{"leads":[],"target_campaign_ids":[]}')
is "$code" 400 "no leads: 400"
code=$(wp POST $ENR '{"leads":[{"uid":"a"}],"target_campaign_ids":"all"}')
is "$code" 400 "target_campaign_ids not an array: 400"
code=$(wp POST $ENR '{"leads":')
is "$code" 400 "truncated JSON: 400"
code=$(wp GET "$ENR/00000000-0000-4000-8000-000000000000")
is "$code/$(jf code)" 404/E_NOT_FOUND "unknown batch uuid: 404"

# --- queue, poll, prospects
code=$(wp POST $ENR "{\"leads\":[$(leads 1 2 3 4 5 6 7 8)],\"target_campaign_ids\":[]}")
is "$code/$(jf status)/$(jf leads_count)" 202/ENQUEUED/8 "8 leads: 202 ENQUEUED, leads_count 8"
uuid=$(jf uuid)
ok "$(echo "$uuid" | grep -q -x '[0-9a-f]\{8\}-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}'; echo $?)" \
    "the batch uuid is a UUID"
code=$(wp GET "$ENR/$uuid")
is "$code/$(jf uuid)" "200/$uuid" "poll the batch"
is "$(n_of '"status":"PROCESSED"')" 8 "every lead PROCESSED (job-ms 0)"
conv=$(n_of '"processing_result":"CONVERTED_TO_PROSPECT"')
notc=$(n_of '"processing_result":"NOT_CONVERTED_TO_PROSPECT"')
is "$((conv + notc))" 8 "each lead has a processing_result"
ok "$([ "$conv" -ge 2 ] && [ "$notc" -ge 1 ]; echo $?)" "some converted to prospects, some not"
# uids that convert, for the credit tests below (same seed, same outcome)
grep -o '"uid":"lead-[0-9]*","status":"PROCESSED","processing_result":"CONVERTED' "$WORK/b" |
    sed 's/"uid":"lead-\([0-9]*\)".*/\1/' >"$WORK/converted"
c1=$(sed -n 1p "$WORK/converted") c2=$(sed -n 2p "$WORK/converted")
is "$(wstat credits_charged)" "$(awk "BEGIN{print $conv*1.5}")" \
    "1.5 credits per lead whose email was found"

code=$(wp GET "/rest/v1/prospects?search=linkedin_url%3Dhttps://www.linkedin.com/in/sandbox-lead-$c1/")
is "$code/$(n_of '"id":')" 200/1 "prospect found by linkedin_url (%3D, URL normalized)"
is "$(jf first_name)/$(jf last_name)/$(jf company)" "Sam/Lead$c1/Lead Co" "prospect shows the lead's name and company"
email=$(jf email)
ok "$(echo "$email" | grep -q '@example\.\(com\|org\)$'; echo $?)" "prospect email is fictional"
is "$(n_of '"phone')" 0 "no phone in the prospect record"
code=$(wp GET "/rest/v1/prospects?search=email%3D$email")
is "$code/$(jf linkedin_url)" "200/linkedin.com/in/sandbox-lead-$c1" "prospect found by email"
code=$(wp GET "/rest/v1/prospects?search=first_name=Sam,last_name=Lead$c1,company=lead%20co")
is "$code/$(n_of '"id":')" 200/1 "first_name,last_name,company combined"
code=$(wp GET "/rest/v1/prospects")
is "$code/$(n_of '"id":')" "200/$conv" "no search: every prospect"
code=$(wp GET "/rest/v1/prospects?email=nobody@example.com")
is "$code/$(n_of '"id":')" "200/$conv" "a bare ?email= is ignored"
code=$(wp GET "/rest/v1/prospects?search=email%3Dnobody@example.com")
is "$code/$(wc -c <"$WORK/b" | tr -d ' ')" 204/0 "no match: 204, empty body"
code=$(wp GET "/rest/v1/prospects?search=shoe_size%3D9")
is "$code/$(jf code)" 400/E_WRONG_PARAM "unknown search field: 400"
code=$(wpk someone_else GET "/rest/v1/prospects")
is "$code" 204 "prospects belong to the key that enriched them"
code=$(wpk someone_else GET "$ENR/$uuid")
is "$code" 404 "another key cannot poll the batch"
# prospects are one per email: 50 more leads, every converted one its own
wp POST $ENR "{\"leads\":[$(leads $(seq 101 150))]}" >/dev/null
wp GET "$ENR/$(jf uuid)" >/dev/null
conv2=$(n_of '"processing_result":"CONVERTED_TO_PROSPECT"')
wp GET "/rest/v1/prospects?per_page=500" >/dev/null
is "$(n_of '"id":')/$(grep -o '"email":"[^"]*"' "$WORK/b" | sort -u | wc -l | tr -d ' ')" \
    "$((conv + conv2))/$((conv + conv2))" "every converted lead is a prospect of its own email"

# --- list
today=$(date -u +%Y-%m-%d)
code=$(wp GET "$ENR?created_after=$today")
is "$code/$(n_of "\"uuid\":\"$uuid\"")" 200/1 "list created_after today holds the batch"
ok "$(grep -q '^{"lead_enrichments":\[' "$WORK/b"; echo $?)" "list body is {\"lead_enrichments\":[...]}"
wp GET "$ENR?created_after=2999-01-01" >/dev/null
is "$(cat "$WORK/b")" '{"lead_enrichments":[]}' "created_after in the future: empty list"
code=$(wp GET "$ENR?created_after=yesterday")
is "$code" 400 "created_after not a date: 400"

# enqueuing a processed lead again is paid again: the counter catches it
wp POST $ENR "{\"leads\":[$(lead "$c1")]}" >/dev/null
is "$(jf status)/$(stat double_charged)" ENQUEUED/1 "re-enqueuing a processed lead is charged twice"
sandbox_stop

# --- pending leads: NOT_ENQUEUED, skipped in a mixed request; PENDING while running
sandbox_start --job-ms 60000 --woodpecker-wrapped
wp POST $ENR "{\"leads\":[$(leads 1 2 3)]}" >/dev/null
uuid=$(jf uuid)
code=$(wp POST $ENR "{\"leads\":[$(leads 1 2 3)]}")
is "$code/$(jf status)/$(jf uuid)/$(jf leads_count)" 200/NOT_ENQUEUED/null/0 \
    "every lead already pending: 200 NOT_ENQUEUED, uuid null"
code=$(wp POST $ENR "{\"leads\":[$(leads 2 9 9)]}")
is "$code/$(jf status)/$(jf leads_count)" 202/ENQUEUED/1 "pending and repeated uids are skipped"
is "$(stat double_charged)" 0 "skipped leads cost nothing"
wp GET "$ENR/$uuid" >/dev/null
ok "$(grep -q "^{\"lead_enrichment\":{\"uuid\":\"$uuid\"" "$WORK/b"; echo $?)" \
    "--woodpecker-wrapped: poll body under lead_enrichment"
is "$(n_of '"status":"PENDING","processing_result":null')" 3 "leads PENDING, processing_result null"
sandbox_stop

# --- credits: PARTIALLY_ENQUEUED, then CREDITS_EXHAUSTED
sandbox_start --job-ms 0 --credits 3
code=$(wp POST $ENR "{\"leads\":[$(leads "$c1" "$c2" 99)]}")
is "$code/$(jf status)/$(jf leads_count)" 202/PARTIALLY_ENQUEUED/2 \
    "credits for 2 of 3 leads: PARTIALLY_ENQUEUED, leads_count 2"
wp GET "$ENR/$(jf uuid)" >/dev/null
is "$(n_of '"uid":')/$(n_of '"uid":"lead-99"')" 2/0 "the poll lists only the leads taken"
code=$(wp POST $ENR "{\"leads\":[$(leads 99)]}")
is "$code/$(jf status)/$(jf uuid)" 200/CREDITS_EXHAUSTED/null "no credits left: CREDITS_EXHAUSTED, uuid null"
is "$(stat credits_charged)" 3 "charged exactly the balance"
sandbox_stop

# --- one request at a time per key; --max-batch
sandbox_start --job-ms 0 --latency-ms 600 --max-batch 2
(OUT=$WORK/b1 wp GET /rest/v1/prospects >"$WORK/c1") &
p1=$!
(OUT=$WORK/b2 wp GET /rest/v1/prospects >"$WORK/c2") &
p2=$!
(OUT=$WORK/b3 wpk other_key GET /rest/v1/prospects >"$WORK/c3")
wait $p1 $p2
is "$({ cat "$WORK/c1"; echo; cat "$WORK/c2"; echo; } | sort | tr '\n' ' ')" "204 429 " \
    "two requests at once with one key: one is refused with 429"
ok "$(cat "$WORK/b1" "$WORK/b2" | grep -q '^{"status":{"status":"ERROR","code":"E_TOO_MANY_REQUESTS"'; echo $?)" \
    "... in the v1 envelope, E_TOO_MANY_REQUESTS"
is "$(cat "$WORK/c3")" 204 "another key is not held up"
is "$(stat woodpecker_concurrent_violation)" 1 "the refusal is counted"
code=$(wp GET /rest/v1/prospects)
is "$code" 204 "one after the other: accepted"
code=$(wp POST $ENR "{\"leads\":[$(leads 1 2 3)]}")
is "$code/$(jf code)" 400/E_WRONG_PARAM "--max-batch 2 lowers the 50-lead limit"
done_testing

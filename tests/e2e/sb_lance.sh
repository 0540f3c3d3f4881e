#!/bin/sh
# sb_lance.sh - enrichcsv-sandbox's Lance simulator, driven with curl: auth
# and organization, validation, per-(person, field) enrichments and their
# free reuse, batch and batch/query, failed -> new attempt, the person
# record's emails[]/phones[], INSUFFICIENT_CREDITS all or nothing.
. "$TESTS_SRC/lib.sh"
command -v curl >/dev/null || skip_all "needs curl"

OPS=/api/v1/operations/enrichment
PERSON=/api/v1/entities/prospects/person

# ln METHOD PATH [BODY]: call with a token; body in $WORK/b, prints the status
lnt() {
    _t=$1 _m=$2 _p=$3
    if [ $# -ge 4 ]; then set -- --data-binary "$4"; else set --; fi
    curl -s -o "$WORK/b" -w '%{http_code}' -X "$_m" -H "Authorization: Bearer $_t" \
        -H 'Content-Type: application/json' "$@" "$SB_URL$_p"
}
ln() { lnt lance_sandbox_token "$@"; }
# jf KEY: the first "KEY": scalar of the last body, strings unquoted
jf() {
    grep -o "\"$1\":\(\"[^\"]*\"\|[^],}]*\)" "$WORK/b" | head -n 1 | sed 's/^"[^"]*"://; s/^"//; s/"$//'
}
# ja KEY: the bare contents of array KEY of the last body
ja() { sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p" "$WORK/b"; }
n_of() { grep -o -F "$1" "$WORK/b" | wc -l | tr -d ' '; }
stat() { curl -s "$SB_URL/_sandbox/stats" | grep -o "\"$1\":[0-9.]*" | tail -n 1 | cut -d: -f2; }
uuid() { printf '00000000-0000-4000-8000-%012x' "$1"; }
# ids_json N...: "uuid(N)",... ; tasks_json FIELD N...: batch/query tasks
ids_json() { echo "$@" | tr ' ' '\n' | awk '{printf "%s\"00000000-0000-4000-8000-%012x\"", (NR > 1 ? "," : ""), $1}'; }
tasks_json() {
    _f=$1
    shift
    echo "$@" | tr ' ' '\n' | awk -v f="$_f" '{printf "%s{\"entityId\":\"00000000-0000-4000-8000-%012x\",\"field\":\"%s\"}", (NR > 1 ? "," : ""), $1, f}'
}
# outcomes: "N status dataFound" for each enrichment object in the last body
outcomes() {
    grep -o '"entityId":"[^"]*","entityType":"person","field":"[a-z]*","status":"[a-z]*","error":[^,]*,"dataFound":[a-z]*' "$WORK/b" |
        sed 's/^"entityId":"00000000-0000-4000-8000-\([0-9a-f]*\)".*"status":"\([a-z]*\)".*"dataFound":\([a-z]*\)$/\1 \2 \3/' |
        while read -r _h _s _d; do echo "$((0x$_h)) $_s $_d"; done
}

# --- people that exist and hold an email and a phone (job-ms 0: enrichments finish at once)
sandbox_start --job-ms 0
ln POST "$OPS/batch" "{\"personIds\":[$(ids_json $(seq 1 40))],\"field\":\"emails\"}" >/dev/null
outcomes >"$WORK/emails"
ln POST "$OPS/batch" "{\"personIds\":[$(ids_json $(seq 1 40))],\"field\":\"phones\"}" >/dev/null
outcomes >"$WORK/phones"
both=$(join "$WORK/emails" "$WORK/phones" | grep ' finished true finished true$' | cut -d' ' -f1)
rich=$(echo "$both" | sed -n 1p) rich2=$(echo "$both" | sed -n 2p)
empty=$(grep ' finished false$' "$WORK/emails" | head -n 1 | cut -d' ' -f1)
missing=
for n in $(grep ' finished false$' "$WORK/emails" | cut -d' ' -f1); do
    [ "$(ln GET "$PERSON/$(uuid "$n")")" = 404 ] && missing=$n && break
done
ok "$([ -n "$rich2" ] && [ -n "$missing" ]; echo $?)" \
    "uuids 1..40 hold two people with email and phone, and a missing one"
sandbox_stop

sandbox_start --job-ms 0
R=$(uuid "$rich")
# --- auth
code=$(curl -s -o "$WORK/b" -w '%{http_code}' -X POST "$SB_URL$OPS/$R?field=emails")
is "$code/$(jf code)" 401/UNAUTHORIZED "no Authorization: 401 UNAUTHORIZED"
ok "$(grep -q '^{"error":{"code":"UNAUTHORIZED","message":' "$WORK/b"; echo $?)" \
    "error envelope {\"error\":{\"code\",\"message\"}}"
code=$(curl -s -o "$WORK/b" -w '%{http_code}' -H 'Authorization: Basic eDp5' "$SB_URL$PERSON/$R")
is "$code" 401 "not a Bearer token: 401"
code=$(lnt noorg_token POST "$OPS/$R?field=emails")
is "$code/$(jf message)" "400/Organization ID is missing" "token without an organization: 400"

# --- validation
code=$(ln POST "$OPS/not-a-uuid?field=emails")
is "$code/$(jf code)" 400/VALIDATION_ERROR "personId not a UUID: 400 VALIDATION_ERROR"
code=$(ln POST "$OPS/00000000-0000-1000-8000-000000000001?field=emails")
is "$code" 400 "a version-1 UUID: 400"
code=$(ln POST "$OPS/$R?field=faxes")
is "$code/$(jf code)" 400/VALIDATION_ERROR "field not emails|phones: 400"
code=$(ln POST "$OPS/$R")
is "$code" 400 "no field: 400"
code=$(ln GET "$OPS/$R?field=emails")
is "$code/$(jf code)" 404/NOT_FOUND "GET before any POST: 404 NOT_FOUND"
code=$(ln DELETE "$OPS/$R?field=emails")
is "$code" 405 "DELETE: 405"

# --- single enrichment, finished at once; the person record fills in
ln GET "$PERSON/$R" >/dev/null
is "$(ja emails)/$(ja phones)" "/" "person record before enrichment: emails and phones empty"
code=$(ln POST "$OPS/$R?field=emails")
is "$code/$(jf status)/$(jf dataFound)/$(jf entityId)/$(jf field)" "201/finished/true/$R/emails" \
    "POST: 201, finished, dataFound, entityId, field"
id=$(jf id)
is "$(stat credits_charged)" 1 "1 credit for an enrichment that found data"
code=$(ln POST "$OPS/$(echo "$R" | tr a-f A-F)?field=emails")
is "$code/$(jf id)" "200/$id" "POST again (UUID in upper case): 200, the same enrichment"
is "$(stat credits_charged)/$(stat double_charged)" 1/0 "... free: nothing charged twice"
code=$(ln GET "$OPS/$R?field=emails")
is "$code/$(jf id)" "200/$id" "GET: the same enrichment"
ln GET "$PERSON/$R" >/dev/null
ok "$(ja emails | grep -q '@example\.\(com\|org\)"'; echo $?)" "person record: emails[] filled"
is "$(ja phones)" "" "... phones[] still empty"
ln POST "$OPS/$R?field=phones" >/dev/null
ln GET "$PERSON/$R" >/dev/null
ok "$(ja phones | grep -q '^"+1-555-01[0-9][0-9]"'; echo $?)" "after a phones enrichment: phones[] filled"
is "$(stat credits_charged)" 2 "a second field is a second credit"
code=$(ln GET "$PERSON/$(uuid "$missing")")
is "$code/$(jf code)" 404/NOT_FOUND "unknown person record: 404"
if [ -n "$empty" ]; then
    ln POST "$OPS/$(uuid "$empty")?field=emails" >/dev/null
    is "$(jf status)/$(jf dataFound)/$(stat credits_charged)" finished/false/2 \
        "nothing found: dataFound false, free"
fi

# --- batch and batch/query
code=$(ln POST "$OPS/batch" "{\"personIds\":[$(ids_json $(seq 100 200))],\"field\":\"emails\"}")
is "$code/$(jf code)" 400/VALIDATION_ERROR "101 personIds: 400"
code=$(ln POST "$OPS/batch" "{\"personIds\":[\"$R\",\"nope\"],\"field\":\"emails\"}")
is "$code" 400 "a personId that is not a UUID: 400"
code=$(ln POST "$OPS/batch" "{\"personIds\":[\"$R\"],\"field\":\"fax\"}")
is "$code" 400 "batch with a bad field: 400"
code=$(ln POST "$OPS/batch" "{\"personIds\":[\"$R\",$(ids_json $(seq 100 198))],\"field\":\"emails\"}")
is "$code/$(n_of '"entityType":"person"')" 200/100 "100 personIds (one already enriched): an array of 100"
is "$(n_of "\"id\":\"$id\"")" 1 "... the existing enrichment is reused, not remade"
code=$(ln POST "$OPS/batch/query" "{\"tasks\":[$(tasks_json emails $(seq 0 200))]}")
is "$code/$(jf code)" 400/VALIDATION_ERROR "201 tasks: 400"
code=$(ln POST "$OPS/batch/query" "{\"tasks\":[{\"entityId\":\"$R\",\"field\":\"emails\"},{\"entityId\":\"$(uuid 999)\",\"field\":\"emails\"},{\"entityId\":\"$R\",\"field\":\"phones\",\"entityType\":\"person\"}]}")
is "$code/$(n_of '"entityId":')" 200/2 "batch/query covers only tasks that have records"
code=$(ln POST "$OPS/batch/query" "{\"tasks\":[{\"entityId\":\"$R\",\"field\":\"emails\",\"entityType\":\"company\"}]}")
is "$code" 400 "a task whose entityType is not person: 400"

# --- failed: a new POST makes a new attempt
code=$(ln POST "$OPS/batch/query" "{\"tasks\":[$(tasks_json emails $(seq 100 198))]}")
failed=$(outcomes | grep ' failed ' | head -n 1 | cut -d' ' -f1)
[ -n "$failed" ] && failed=$(uuid "$failed")
ok "$([ -n "$failed" ]; echo $?)" "some first attempts fail"
ln GET "$OPS/$failed?field=emails" >/dev/null
old=$(jf id)
ok "$(jf error | grep -q .; echo $?)" "a failed enrichment carries an error"
code=$(ln POST "$OPS/$failed?field=emails")
is "$code/$(jf status)" 201/finished "POST after failed: 201, a new enrichment"
ok "$([ "$(jf id)" != "$old" ]; echo $?)" "... with a new id"
is "$(stat double_charged)" 0 "double_charged stays 0"
sandbox_stop

# --- pending enrichments are reused; credits are all or nothing
sandbox_start --job-ms 60000 --credits 2
code=$(ln POST "$OPS/$R?field=emails")
is "$code/$(jf status)/$(jf dataFound)" 201/pending/null "long job: POST answers pending, dataFound null"
id=$(jf id)
code=$(ln POST "$OPS/$R?field=emails")
is "$code/$(jf id)/$(jf status)" "200/$id/pending" "a pending enrichment is returned again"
code=$(ln POST "$OPS/batch" "{\"personIds\":[\"$R\",$(ids_json 300 301 302)],\"field\":\"emails\"}")
is "$code/$(jf code)" 402/INSUFFICIENT_CREDITS "3 new enrichments, 1 credit left: 402 INSUFFICIENT_CREDITS"
code=$(ln GET "$OPS/$(uuid 300)?field=emails")
is "$code" 404 "... and nothing was created"
code=$(ln POST "$OPS/batch" "{\"personIds\":[\"$R\",$(ids_json "$rich2")],\"field\":\"emails\"}")
is "$code/$(n_of "\"id\":\"$id\"")/$(n_of '"status":"pending"')" 200/1/2 \
    "1 new + 1 pending with 1 credit left: accepted, the pending one reused"
is "$(stat credits_charged)" 2 "the balance is spent"
code=$(ln POST "$OPS/$(uuid 301)?field=emails")
is "$code" 402 "no credit left: single POST 402"
code=$(ln POST "$OPS/$R?field=emails")
is "$code/$(jf id)" "200/$id" "... while reusing stays free"
done_testing

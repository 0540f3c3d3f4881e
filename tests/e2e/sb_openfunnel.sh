#!/bin/sh
# sb_openfunnel.sh - enrichcsv-sandbox's OpenFunnel simulator, driven with
# curl: auth, validation errors, account -> people_ids discovery, people
# enrichment, PERSON_NOT_FOUND and the 500-id limit, never paying twice,
# credits running out, job state progression.
. "$TESTS_SRC/lib.sh"
command -v curl >/dev/null && command -v python3 >/dev/null || skip_all "needs curl and python3"
PY=python3 # Debian's own when present: a version manager's shim is slow to start
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

ALL_SEN='["FOUNDER","CXO","PARTNER","VP","HEAD","DIRECTOR","MANAGER","SENIOR","ENTRY","INTERN"]'
ALL_DEP='["ENGINEERING","PRODUCT","DATA","SALES","MARKETING","OPERATIONS","FINANCE","HR","LEGAL","EXECUTIVE","CUSTOMER_SUCCESS","SECURITY","IT","OTHER"]'
FAST=/api/v1/enrich/fast-people-enrichment

# of METHOD PATH [BODY]: call with valid credentials; body in $WORK/b, prints the status
of() {
    if [ $# -ge 3 ]; then set -- "$1" "$2" --data-binary "$3"; else set -- "$1" "$2"; fi
    _m=$1 _p=$2
    shift 2
    curl -s -o "$WORK/b" -w '%{http_code}' -X "$_m" -H 'X-API-Key: of_sandbox' \
        -H 'X-User-ID: tester@example.com' -H 'Content-Type: application/json' "$@" "$SB_URL$_p"
}
# jf KEY: the first "KEY": scalar of the last body, strings unquoted (no python: it is slow)
jf() {
    grep -o "\"$1\":\(\"[^\"]*\"\|[^],}]*\)" "$WORK/b" | head -n 1 | sed 's/^"[^"]*"://; s/^"//; s/"$//'
}
# ja KEY: the bare contents of array KEY ("11,12") of the last body
ja() { sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p" "$WORK/b"; }
# jp FILE PYTHON [ARG...]: run checks on the JSON document d of FILE (ARGs in
# sys.argv[3:]); each print() is one line
jp() {
    $PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
exec(sys.argv[2])' "$@"
}
fast() { # fast ACCOUNT [EXTRA-JSON-MEMBERS]: start a discovery job with every filter
    of POST $FAST "{\"account_id\":$1,\"seniority_filters\":$ALL_SEN,\"department_filters\":$ALL_DEP${2:+,$2}}"
}
# pstat NAME: providers.openfunnel.NAME from /_sandbox/stats; total NAME: the
# top-level counter (the last one of that name)
pstat() { curl -s "$SB_URL/_sandbox/stats" | sed -n "s/.*\"openfunnel\":{[^}]*\"$1\":\([0-9.]*\).*/\1/p"; }
total() { curl -s "$SB_URL/_sandbox/stats" | grep -o "\"$1\":[0-9.]*" | tail -n 1 | cut -d: -f2; }
count() { [ -z "$1" ] && echo 0 || echo "$1" | tr ',' '\n' | wc -l | tr -d ' '; }

sandbox_start --job-ms 0

# --- auth
code=$(curl -s -o "$WORK/b" -w '%{http_code}' -X POST -d '{}' "$SB_URL/api/v1/enrich/people")
is "$code/$(jf error_code)" 401/UNAUTHORIZED "no X-API-Key: 401 UNAUTHORIZED"
code=$(curl -s -o "$WORK/b" -w '%{http_code}' -H 'X-API-Key: k' -H 'X-User-ID;' "$SB_URL$FAST/x")
is "$code" 401 "empty X-User-ID: 401"

# --- validation of the discovery request
code=$(of POST $FAST "{\"account_id\":1,\"seniority_filters\":[],\"department_filters\":$ALL_DEP}")
is "$code/$(jf error_code)" 400/INVALID_REQUEST "empty seniority_filters: 400 INVALID_REQUEST"
code=$(of POST $FAST "{\"account_id\":1,\"seniority_filters\":[\"VP\"],\"department_filters\":[]}")
is "$code/$(jf error_code)" 400/INVALID_REQUEST "empty department_filters: 400"
code=$(of POST $FAST "{\"account_id\":1,\"seniority_filters\":[\"BOSS\"],\"department_filters\":$ALL_DEP}")
is "$code" 400 "seniority outside the enum: 400"
code=$(of POST $FAST "{\"account_id\":\"1\",\"seniority_filters\":$ALL_SEN,\"department_filters\":$ALL_DEP}")
is "$code" 400 "account_id as a string: 400"
code=$(of POST $FAST 'not json')
is "$code/$(jf error_code)" 400/INVALID_REQUEST "body that is not JSON: 400"
code=$(fast 1 '"max_credit_limit":0')
is "$code" 400 "max_credit_limit 0: 400"
code=$(of GET /api/v1/enrich/people)
is "$code" 405 "GET on the submit path: 405"

# --- accounts: find one that does not exist and ones with people
missing= rich= rich2=
for a in $(seq 1 80); do
    code=$(fast "$a")
    if [ "$code" = 404 ]; then
        [ -z "$missing" ] && missing=$a && nf_code=$(jf error_code)
        continue
    fi
    of GET "$FAST/$(jf job_id)" >/dev/null
    n=$(count "$(ja people_ids)")
    if [ "$n" -ge 5 ] && [ -z "$rich" ]; then rich=$a; elif [ "$n" -ge 5 ] && [ -z "$rich2" ]; then
        rich2=$a; fi
    [ -n "$missing" ] && [ -n "$rich2" ] && break
done
ok "$([ -n "$missing" ] && [ -n "$rich2" ]; echo $?)" \
    "accounts 1..80 include a missing one and two with 5+ people"
is "$nf_code" ACCOUNT_NOT_FOUND "unknown account: 404 ACCOUNT_NOT_FOUND"
sandbox_stop

# --- discovery, with fresh state: new people cost 1 credit each, once
sandbox_start --job-ms 0
code=$(fast "$rich" '"audience_name":"Sandbox test"')
is "$code" 200 "discovery job accepted"
is "$(jf status)/$(jf account_id)" "pending/$rich" "answer: status pending, account_id echoed"
ok "$(jf audience_url | grep -q '^https://'; echo $?)" "audience_url set when audience_name is given"
job=$(jf job_id)
of GET "$FAST/$job" >/dev/null
is "$(jf status)" completed "poll: completed"
ids="[$(ja people_ids)]"
n=$(count "$(ja people_ids)")
is "$(jf total_found)/$(jf total_stored)/$(jf credits_used)" "$n/$n/$n" \
    "progress: found = stored = credits_used = people returned"
is "$(echo "$ids" | tr -d '[]' | tr ',' '\n' | grep -v -c "^${rich}[1-8]\$")" 0 \
    "people ids are account_id*10+k"
is "$(pstat credits_charged)" "$n" "1 credit per person stored"
fast "$rich" >/dev/null
of GET "$FAST/$(jf job_id)" >/dev/null
is "[$(ja people_ids)]" "$ids" "second discovery of the account returns the same people"
is "$(jf credits_used)" 0 "... and uses no credits"
is "$(pstat credits_charged)/$(total double_charged)" "$n/0" \
    "... so nothing is charged again"
of POST $FAST "{\"account_id\":$rich,\"seniority_filters\":[\"VP\",\"CXO\",\"FOUNDER\"],\"department_filters\":$ALL_DEP}" >/dev/null
of GET "$FAST/$(jf job_id)" >/dev/null
sub=$(ja people_ids)
is "$(echo "$sub" | tr ',' '\n' | grep -c -v -x -F "$(echo "$ids" | tr -d '[]' | tr ',' '\n')")" 0 \
    "a narrower seniority filter returns a subset ..."
ok "$([ "$(count "$sub")" -lt "$n" ]; echo $?)" "... a strict one"
fast "$rich2" '"max_credit_limit":2' >/dev/null
of GET "$FAST/$(jf job_id)" >/dev/null
is "$(count "$(ja people_ids)")/$(jf credits_used)" 2/2 "max_credit_limit 2 stores only two new people"
ok "$([ "$(jf total_found)" -ge 5 ]; echo $?)" "... while total_found counts all"
code=$(of GET $FAST/fpe-999)
is "$code/$(jf error_code)" 404/JOB_NOT_FOUND "unknown job id: 404 JOB_NOT_FOUND"

# --- people enrichment
before=$(pstat credits_charged)
code=$(of POST /api/v1/enrich/people "{\"people_ids\":$ids,\"enrich_emails\":true,\"enrich_phones\":true}")
is "$code" 200 "people enrichment accepted"
is "$(jf status)/$(jf total_people)" "pending/$n" "answer: pending, total_people"
pjob=$(jf job_id)
code=$(of GET "$FAST/$pjob")
is "$code" 404 "a people job id is unknown to the discovery poll"
of GET "/api/v1/enrich/people/$pjob" >/dev/null
cp "$WORK/b" "$WORK/first"
is "$(jf status)" completed "people job completed"
jp "$WORK/first" '
r = d["result"]
print(sorted(x["person_id"] for x in r) == sorted('"$ids"'))
print(all((x["email"] is None or x["email"].endswith(("@example.com", "@example.org")))
          and (x["phone_number"] is None or x["phone_number"].startswith("+1-555-01")) for x in r))
print(all((x["status"] == "not_found") == (x["email"] is None and x["phone_number"] is None) for x in r))
print(any(x["status"] == "enriched" for x in r))
found = sum((x["email"] is not None) + (x["phone_number"] is not None) for x in r)
p = d["progress"]
print(d["credits_used"]["total"] == found == p["emails_found"] + p["phones_found"])
print(d["credits_used"]["total"])' >"$WORK/checks"
{
    read -r c1; read -r c2; read -r c3; read -r c4; read -r c5; read -r spent
} <"$WORK/checks"
is "$c1" True "one result per person id"
is "$c2" True "contacts are fictional (example.com/org, +1-555-01xx)"
is "$c3" True "status not_found exactly when nothing was found"
is "$c4" True "some people are enriched"
is "$c5" True "1 credit per email and per phone found"
is "$(pstat credits_charged)" "$((before + spent))" \
    "the ledger agrees with credits_used"

# the same people again: already_enriched, values returned, nothing charged
of POST /api/v1/enrich/people "{\"people_ids\":$ids,\"enrich_emails\":true,\"enrich_phones\":true}" >/dev/null
of GET "/api/v1/enrich/people/$(jf job_id)" >/dev/null
is "$(grep -o '"credits_used":{[^}]*}' "$WORK/b")" '"credits_used":{"emails":0,"phones":0,"total":0}' \
    "repeat enrichment uses no credits"
cp "$WORK/b" "$WORK/second"
jp "$WORK/second" '
a = {x["person_id"]: (x["email"], x["phone_number"]) for x in json.load(open(sys.argv[3]))["result"]}
b = {x["person_id"]: (x["email"], x["phone_number"]) for x in d["result"]}
print(all(x["status"] in ("already_enriched", "not_found") for x in d["result"]), a == b)' \
    "$WORK/first" >"$WORK/checks"
is "$(cat "$WORK/checks")" "True True" "repeat: already_enriched, with the same values"
is "$(pstat credits_charged)/$(total double_charged)" \
    "$((before + spent))/0" "repeat: nothing charged, double_charged stays 0"

# --- people enrichment validation
bad=$(echo "$ids" | sed "s/,/,${rich}9,/")
code=$(of POST /api/v1/enrich/people "{\"people_ids\":$bad,\"enrich_emails\":true}")
is "$code/$(jf error_code)" 404/PERSON_NOT_FOUND "one unknown id fails the chunk: 404 PERSON_NOT_FOUND"
code=$(of POST /api/v1/enrich/people '{"people_ids":[99999999999],"enrich_emails":true}')
is "$code" 404 "an id no discovery job returned: 404"
code=$(of POST /api/v1/enrich/people '{"people_ids":[],"enrich_emails":true}')
is "$code/$(jf error_code)" 400/INVALID_REQUEST "empty people_ids: 400 INVALID_REQUEST"
code=$(of POST /api/v1/enrich/people "{\"people_ids\":$ids,\"enrich_emails\":false,\"enrich_phones\":false}")
is "$code/$(jf error_code)" 400/INVALID_REQUEST "both flags false: 400 INVALID_REQUEST"
code=$(of POST /api/v1/enrich/people "{\"people_ids\":$ids,\"enrich_emails\":\"yes\"}")
is "$code" 400 "a flag that is not a boolean: 400"
one=$(echo "$ids" | tr -d '[]' | cut -d, -f1)
big=$(yes "$one" | head -n 501 | paste -s -d, -)
code=$(of POST /api/v1/enrich/people "{\"people_ids\":[$big],\"enrich_emails\":true}")
is "$code/$(jf error_code)" 400/INVALID_REQUEST "501 people_ids: 400"
big=$(yes "$one" | head -n 500 | paste -s -d, -)
code=$(of POST /api/v1/enrich/people "{\"people_ids\":[$big],\"enrich_emails\":true}")
is "$code" 200 "500 people_ids are accepted"
sandbox_stop

# --- credits: the balance caps discovery, then CREDITS_EXCEEDED; ids under "result"
sandbox_start --job-ms 0 --credits 3 --openfunnel-ids=result
fast "$rich" >/dev/null
of GET "$FAST/$(jf job_id)" >/dev/null
ids3="[$(ja result)]"
is "$(count "$(ja result)")/$(ja people_ids)" 3/ \
    "3 credits store 3 people; ids under result with --openfunnel-ids=result"
code=$(fast "$rich2")
is "$code/$(jf error_code)" 400/CREDITS_EXCEEDED "no credits left for new people: 400 CREDITS_EXCEEDED"
code=$(of POST /api/v1/enrich/people "{\"people_ids\":$ids3,\"enrich_emails\":true,\"enrich_phones\":true}")
is "$code/$(jf error_code)" 400/CREDITS_EXCEEDED "people enrichment without credits: 400 CREDITS_EXCEEDED"
is "$(total credits_charged)" 3 "nothing charged beyond the balance"
sandbox_stop

# --- --openfunnel-ids=objects: the ids under "result" as person objects
sandbox_start --job-ms 0 --openfunnel-ids=objects
fast "$rich" >/dev/null
of GET "$FAST/$(jf job_id)" >/dev/null
jp "$WORK/b" 'r = d.get("result") or []
print(len(r) > 0 and all(isinstance(x, dict) and sorted(x) == ["person_id"] and isinstance(x["person_id"], int) for x in r), "people_ids" in d)' \
    >"$WORK/objs"
is "$(cat "$WORK/objs")" "True False" "--openfunnel-ids=objects: result holds {\"person_id\":N} objects, no people_ids"
sandbox_stop

# --- states: pending -> running -> completed; ids only when completed
# (each phase lasts 2 s, so even a loaded machine's polls see all three)
sandbox_start --job-ms 6000
fast "$rich" >/dev/null
job=$(jf job_id)
: >"$WORK/states"
# poll_fast: one poll of the discovery job, its state noted in $WORK/states
poll_fast() {
    of GET "$FAST/$job" >/dev/null
    st=$(jf status)
    if grep -q '"people_ids"' "$WORK/b"; then echo "$st ids"; else echo "$st -"; fi >>"$WORK/states"
}
poll_fast
# the ids are deterministic and stored when the job starts: enrich them at once
of POST /api/v1/enrich/people "{\"people_ids\":$ids,\"enrich_emails\":true}" >/dev/null
pjob=$(jf job_id)
of GET "/api/v1/enrich/people/$pjob" >/dev/null
is "$(jf status)/$(jf completed)/$(jf credits_used)/$(jf result)" pending/0/null/null \
    "people job: pending, nothing completed, credits_used and result null"
for _i in $(seq 1 400); do
    poll_fast
    [ "$st" = completed ] && break
    sleep 0.05
done
is "$(head -n 1 "$WORK/states")" "pending -" "first poll: pending"
is "$(uniq "$WORK/states" | tr '\n' ' ')" "pending - running - completed ids " \
    "then running, then completed with people_ids (never before)"
for _i in $(seq 1 100); do
    of GET "/api/v1/enrich/people/$pjob" >/dev/null
    [ "$(jf status)" = completed ] && break
    sleep 0.05
done
is "$(jf status)/$(jf completed)" "completed/$n" "people job completed, every person done"
ok "$(grep -q '"result":\[{"person_id":' "$WORK/b"; echo $?)" "... with its result"
done_testing

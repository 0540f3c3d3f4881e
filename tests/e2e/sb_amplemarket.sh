#!/bin/sh
# sb_amplemarket.sh - the sandbox's Amplemarket: auth, every validation
# error, the job (202, states, cancel), shuffled cursor-paged results with
# input echoes, deterministic people, credits (0.5 found, 1 per reveal,
# 402 when out) and double_charged.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/sb_helpers.sh"

AUTH='Authorization: Bearer amp-key'
EP=/people/enrichment-requests
post() { call POST $EP -H "$AUTH" -H 'Content-Type: application/json' "$@"; }

# leads N [FLAGS]: a request body with N email leads lead1..N@example.net
leads() {
    $PY -c 'import json,sys
n=int(sys.argv[1]); extra=json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
print(json.dumps(dict(leads=[{"email":"lead%d@example.net" % i, "name":"Lead %d" % i} for i in range(1, n+1)], **extra)))' "$@"
}

sandbox_start --job-ms 0

# --------------------------------------------------------------- auth
is "$(call POST $EP -d '{"leads":[{"email":"a@example.net"}]}')" 401 "no Authorization: 401"
body '(d["object"], d["_errors"][0]["code"], d["_errors"][0]["title"])|('"'"'error'"'"', '"'"'unauthorized'"'"', '"'"'Unauthorized'"'"')|401 body: the documented error envelope' \
    'bool(d["_errors"][0]["detail"])|True|401 body: a detail'
is "$(call POST $EP -H 'Authorization: Token amp-key' -d '{"leads":[{"email":"a@example.net"}]}')" 401 \
    "a non-Bearer Authorization: 401"
is "$(call GET $EP/1 -H 'X-API-Key: amp-key')" 401 "the poll endpoint checks auth too"

# --------------------------------------------------------------- validation
while IFS='	' read -r req code pointer desc; do
    is "$(post -d "$req")" 400 "400: $desc"
    body "d[\"_errors\"][0][\"code\"]|$code|$desc: code $code" \
        "d[\"_errors\"][0].get(\"source\", {}).get(\"pointer\")|$pointer|$desc: pointer $pointer"
done <<'EOF'
{leads	unsupported_value	/	a body that is not JSON
[]	unsupported_value	/	a body that is not an object
{}	missing_field	/leads	no leads
{"leads":[{"email":"a@example.net"}],"webhook":"x"}	unsupported_value	/webhook	an unknown root key
{"leads":[{"linkedin_id":"x"}]}	unsupported_value	/leads/0/linkedin_id	an unknown lead key (the curl sample's linkedin_id)
{"leads":[{"email":"a@example.net"},{"email":"b@example.net","phone":"1"}]}	unsupported_value	/leads/1/phone	an unknown key in the second lead
{"leads":[{"email":5}]}	unsupported_value	/leads/0/email	a lead value that is not a string
{"leads":[{"email":null}]}	unsupported_value	/leads/0/email	a null lead value
{"leads":{"email":"a@example.net"}}	unsupported_value	/leads	leads that is not an array
{"leads":[]}	missing_field	/leads	an empty leads array
{"leads":["a@example.net"]}	unsupported_value	/leads/0	a lead that is not an object
{"leads":[{"title":"CTO","company_name":"B"}]}	missing_field	/leads/0	a lead with no usable identifier
{"leads":[{"name":"Ann Lee"}]}	missing_field	/leads/0	a name without a company
{"leads":[{"email":"not-an-email"}]}	unsupported_value	/leads/0/email	an email that is not an address
{"leads":[{"email":""}]}	unsupported_value	/leads/0/email	an empty email
{"leads":[{"":"x"}]}	unsupported_value	/leads/0/	an empty key
{"leads":[{"email":"a@example.net"}],"reveal_email":"yes"}	unsupported_value	/reveal_email	a reveal flag that is not a boolean
EOF
post -d '{}' >/dev/null
body 'd["_errors"][0]["detail"]|Missing field from request: leads|missing leads: the seed'"'"'s exact detail'
leads 1001 >"$WORK/big.json"
is "$(post -d @"$WORK/big.json")" 400 "400: 1001 leads (the default limit is 1000)"
body 'd["_errors"][0]["code"], d["_errors"][0]["source"]["pointer"]|('"'"'unsupported_value'"'"', '"'"'/leads'"'"')|1001 leads: unsupported_value at /leads'
stats 'd["jobs"]["amplemarket"]|0|no validation error created a job' \
    'd["credits_charged"]|0|no validation error charged anything'
leads 1000 >"$WORK/big.json"
is "$(post -d @"$WORK/big.json")" 202 "1000 leads are accepted"
is "$(call DELETE $EP -H "$AUTH")" 405 "DELETE on the collection: 405"
is "$(call GET $EP/999 -H "$AUTH")" 404 "an unknown job id: 404"
body 'd["_errors"][0]["code"]|not_found|404: code not_found'
is "$(call GET $EP/abc -H "$AUTH")" 404 "a non-numeric job id: 404"
sandbox_stop

# --------------------------------------------------------------- the job and its results
sandbox_start --job-ms 0
leads 40 '{"reveal_email":true,"reveal_phone_numbers":true}' >"$WORK/req40.json"
is "$(post -d @"$WORK/req40.json")" 202 "submit 40 leads: 202"
body 'd == {"id": d["id"], "object": "person_enrichment", "status": "queued", "results": [], "_links": {"self": {"href": "/people/enrichment-requests/%d" % d["id"]}}}|True|202 body: id, object, status queued, results [], _links.self' \
    'isinstance(d["id"], int)|True|202 body: the id is an integer'
id=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/body")
is "$(hdr Location)" "$EP/$id" "202: Location is the job"
is "$(call GET "$EP/$id?page[size]=1000" -H "$AUTH")" 200 "poll: 200"
cp "$WORK/body" "$WORK/all.json"
body 'd["status"]|completed|poll: completed (--job-ms 0)' \
    'len(d["results"])|40|poll: every lead has a result' \
    '"next" in d["_links"]|False|poll: one page, no next link' \
    'sorted(r["id"] for r in d["results"]) == list(range(1, 41))|True|results: ids 1..40' \
    'sorted(r["email"] for r in d["results"]) == sorted("lead%d@example.net" % i for i in range(1, 41))|True|results: the input emails are echoed' \
    'all(r["name"] == "Lead " + r["email"][4:-12] for r in d["results"])|True|results: every input field is echoed with its own lead' \
    'all(r["title"] is None and r["company_name"] is None for r in d["results"])|True|results: absent input fields echo as null' \
    '[r["email"] for r in d["results"]] != ["lead%d@example.net" % i for i in range(1, 41)]|True|results: not in input order (match by echo)' \
    'set(r["status"] for r in d["results"]) <= {"enriched", "not_found", "gdpr_removed"}|True|results: documented statuses' \
    'all((r["status"] == "enriched") == (r["result"] is not None) for r in d["results"])|True|results: result is null unless enriched' \
    '15 <= sum(r["status"] == "enriched" for r in d["results"]) <= 35|True|results: about two thirds found' \
    'all(re.fullmatch(r"[a-z]+\.[a-z]+@example\.(com|org)", r["result"]["email"]) for r in d["results"] if r["result"])|True|found emails: first.last@example.com or .org' \
    'all(r["result"]["email"] != r["email"] for r in d["results"] if r["result"])|True|found email is not the input echo' \
    'all(re.fullmatch(r"\+1-555-01[0-9][0-9]", p["number"]) and p["object"] == "phone_number" and p["type"] in ("mobile", "direct") for r in d["results"] if r["result"] for p in r["result"]["phone_numbers"])|True|phones: +1-555-01NN phone_number objects' \
    'any(r["result"]["phone_numbers"] for r in d["results"] if r["result"]) and not all(r["result"]["phone_numbers"] for r in d["results"] if r["result"])|True|phones: some people have one, some none' \
    'all(r["result"]["object"] == "person" and r["result"]["linkedin_url"].startswith("https://www.linkedin.com/in/sandbox-") for r in d["results"] if r["result"])|True|person: object and a sandbox LinkedIn URL'
$PY - "$WORK/all.json" "$WORK" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
found = [r for r in d["results"] if r["status"] == "enriched"]
open(sys.argv[2] + "/found", "w").write("\n".join(r["email"] for r in found) + "\n")
nf = [r["email"] for r in d["results"] if r["status"] != "enriched"]
open(sys.argv[2] + "/notfound", "w").write("\n".join(nf) + "\n")
phones = sum(1 for r in found if r["result"]["phone_numbers"])  # billed once per person
open(sys.argv[2] + "/cost", "w").write("%g %d\n" % (1.5 * len(found) + phones, 2 * len(found) + phones))
EOF
read -r cost events <"$WORK/cost"
stats "d[\"credits_charged\"]|$cost|credits: 0.5 per found + 1 per revealed email + 1 per person with phones ($cost)" \
    'd["double_charged"]|0|credits: nothing charged twice yet'

# pagination
is "$(call GET "$EP/$id?page[size]=15" -H "$AUTH")" 200 "page[size]=15: 200"
cp "$WORK/body" "$WORK/p1.json"
next=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["_links"]["next"]["href"])' "$WORK/body")
call GET "$next" -H "$AUTH" >/dev/null
cp "$WORK/body" "$WORK/p2.json"
body 'len(d["results"]), "next" in d["_links"], "prev" in d["_links"]|(15, True, True)|page 2: 15 results, next and prev links'
next=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["_links"]["next"]["href"])' "$WORK/body")
call GET "$next" -H "$AUTH" >/dev/null
cp "$WORK/body" "$WORK/p3.json"
body 'len(d["results"]), "next" in d["_links"]|(10, False)|last page: 10 results and no next link'
$PY - "$WORK" <<'EOF'
import json, sys
w = sys.argv[1]
pages = [json.load(open("%s/%s.json" % (w, p)))["results"] for p in ("p1", "p2", "p3")]
whole = json.load(open(w + "/all.json"))["results"]
assert [r for p in pages for r in p] == whole
EOF
ok $? "pages follow _links.next through every result, same order as one big page"
is "$(call GET "$EP/$id" -H "$AUTH")" 200 "no page[size]: default page"
body 'len(d["results"])|40|default page size holds 40'
for bad in 0 1001 x; do
    is "$(call GET "$EP/$id?page[size]=$bad" -H "$AUTH")" 400 "page[size]=$bad: 400"
done
is "$(call GET "$EP/$id?page[after]=-1" -H "$AUTH")" 400 "page[after]=-1: 400"

# the same leads again: same people, charged as the real API would, but counted
is "$(post -d @"$WORK/req40.json")" 202 "the same 40 leads again: 202"
id2=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/body")
call GET "$EP/$id2?page[size]=100" -H "$AUTH" >/dev/null
$PY - "$WORK/all.json" "$WORK/body" <<'EOF'
import json, sys
a, b = (json.load(open(f))["results"] for f in sys.argv[1:])
key = lambda rs: {r["email"]: (r["status"], r["result"] and r["result"]["email"]) for r in rs}
assert key(a) == key(b)
assert [r["email"] for r in a] != [r["email"] for r in b], "each job is shuffled its own way"
EOF
ok $? "deterministic: the same lead gives the same person in a new job"
stats "d[\"credits_charged\"]|$cost|credits: a repeat within 24 h is not charged again" \
    "d[\"double_charged\"]|$events|double_charged: every repeated (person, field) counted ($events)" \
    'd["providers"]["amplemarket"]["double_charged"]|'"$events"'|double_charged: per provider too' \
    'd["endpoints"]["POST /people/enrichment-requests"], d["endpoints"]["GET /people/enrichment-requests/{id}"]|(2, 10)|endpoints counted'

# reveal defaults: email yes, phones no
f1=$(sed -n 1p "$WORK/found")
is "$(post -d "{\"leads\":[{\"email\":\"$f1\"}]}")" 202 "a lead without reveal flags: 202"
call GET "$EP/3" -H "$AUTH" >/dev/null
body 'd["results"][0]["result"]["email"] is not None|True|reveal_email defaults to true' \
    'd["results"][0]["result"]["phone_numbers"]|[]|reveal_phone_numbers defaults to false'
is "$(post -d "{\"leads\":[{\"email\":\"$f1\"}],\"reveal_email\":false}")" 202 "reveal_email false: 202"
call GET "$EP/4" -H "$AUTH" >/dev/null
body 'd["results"][0]["status"], d["results"][0]["result"]["email"]|('"'"'enriched'"'"', None)|reveal_email false: found, email null'
sandbox_stop

# --------------------------------------------------------------- states and cancel
sandbox_start --job-ms 3600000
post -d '{"leads":[{"email":"a@example.net"}]}' >/dev/null
is "$(call GET $EP/1 -H "$AUTH")" 200 "a long job: poll 200"
body 'd["status"], d["results"], "next" in d["_links"]|('"'"'queued'"'"', [], False)|a fresh job is queued with no results'
while IFS='	' read -r req code desc; do
    is "$(call PATCH $EP/1 -H "$AUTH" -d "$req")" 400 "PATCH 400: $desc"
    body "d[\"_errors\"][0][\"code\"]|$code|PATCH $desc: $code"
done <<'EOF'
{"status":"completed"}	unsupported_value	a status other than canceled
{}	missing_field	no status
{"status":"canceled","leads":[]}	unsupported_value	another field
nope	unsupported_value	a body that is not JSON
EOF
is "$(call PATCH $EP/9 -H "$AUTH" -d '{"status":"canceled"}')" 404 "PATCH an unknown job: 404"
is "$(call PATCH $EP/1 -H "$AUTH" -d '{"status":"canceled"}')" 200 "PATCH status canceled: 200"
body 'd["status"], d["id"]|('"'"'canceled'"'"', 1)|the job answers canceled'
call GET $EP/1 -H "$AUTH" >/dev/null
body 'd["status"]|canceled|polling a canceled job: canceled'
sandbox_stop

sandbox_start --job-ms 300
post -d '{"leads":[{"email":"a@example.net"}]}' >/dev/null
seen=
for i in $(seq 1 100); do
    call GET $EP/1 -H "$AUTH" >/dev/null
    st=$(sed 's/^{"id":[0-9]*,"object":"person_enrichment","status":"\([a-z]*\)".*/\1/' "$WORK/body" | head -c 20)
    case "$seen" in *"$st") ;; *) seen="$seen $st" ;; esac
    [ "$st" = completed ] && break
    sleep 0.05
done
case "$seen" in " queued processing completed" | " queued completed" | " processing completed" | " completed") r=0 ;; *) r=1 ;; esac
ok $r "states go queued -> processing -> completed, never back ($seen)"
sandbox_stop

# --------------------------------------------------------------- credits and batch limit
f2=$(sed -n 2p "$WORK/found")
f3=$(sed -n 3p "$WORK/found")
nf=$(sed -n 1p "$WORK/notfound")
sandbox_start --job-ms 0 --credits 3
is "$(post -d "{\"leads\":[{\"email\":\"$f1\"}]}")" 202 "--credits 3: a found lead (1.5) is accepted"
stats 'd["credits_left"], d["credits_charged"]|(1.5, 1.5)|credits_left 1.5 after 0.5 + 1'
is "$(post -d "{\"leads\":[{\"email\":\"$f2\"},{\"email\":\"$f3\"}]}")" 402 "a batch costing 3 with 1.5 left: 402"
body 'd["object"], d["_errors"][0]["code"]|('"'"'error'"'"', '"'"'insufficient_credits'"'"')|402: insufficient_credits envelope' \
    'd["_errors"][0]["detail"]|You do not have enough credits to perform this operation.|402: the seed'"'"'s detail'
stats 'd["credits_left"], d["jobs"]["amplemarket"]|(1.5, 1)|a refused batch charges nothing and makes no job'
is "$(post -d "{\"leads\":[{\"email\":\"$f1\"},{\"email\":\"$nf\"}]}")" 202 \
    "a repeat and a person not found cost nothing: 202"
stats 'd["credits_left"], d["double_charged"]|(1.5, 2)|the repeat is free but counted as double_charged'
is "$(post -d "{\"leads\":[{\"email\":\"$f2\"}]}")" 202 "a batch costing exactly what is left: 202"
is "$(post -d "{\"leads\":[{\"email\":\"$f3\"}]}")" 402 "then out of credits: 402"
stats 'd["credits_left"], d["credits_charged"]|(0, 3)|the balance is spent exactly'
sandbox_stop

sandbox_start --job-ms 0 --max-batch 3
leads 4 >"$WORK/b4.json"
is "$(post -d @"$WORK/b4.json")" 400 "--max-batch 3: 4 leads are refused"
leads 3 >"$WORK/b3.json"
is "$(post -d @"$WORK/b3.json")" 202 "--max-batch 3: 3 leads are accepted"
sandbox_stop

sandbox_start --job-ms 0 --seed 7
post -d @"$WORK/req40.json" >/dev/null
call GET "$EP/1?page[size]=100" -H "$AUTH" >/dev/null
$PY - "$WORK/all.json" "$WORK/body" <<'EOF'
import json, sys
a, b = (json.load(open(f))["results"] for f in sys.argv[1:])
key = lambda rs: {r["email"]: (r["status"], r["result"] and r["result"]["email"]) for r in rs}
assert key(a) != key(b)
EOF
ok $? "--seed changes the draw"
sandbox_stop

done_testing

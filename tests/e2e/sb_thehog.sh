#!/bin/sh
# sb_thehog.sh - the sandbox's The Hog: both auth forms (and mixing them),
# every validation error, sync 200 vs async 202 + pollUrl, operation states
# and items (partial_success, failed), the [U] shape flags, Idempotency-Key
# (replay free, other body 422), credits (402 when out) and double_charged.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/sb_helpers.sh"

AUTH='Authorization: Bearer hog_live_k'
EP=/api/enrichments
post() { call POST $EP -H 'Content-Type: application/json' "$@"; }
# idents N: an "identifiers" body of N identifiers, the four kinds in turn
idents() {
    $PY -c 'import json,sys
n=int(sys.argv[1]); kinds=[("linkedin_url","https://www.linkedin.com/in/hog-%d"),("email","hog%d@example.net"),("x_handle","hog_x_%d"),("github_username","hog-gh-%d")]
ids=[{kinds[i%4][0]: kinds[i%4][1] % i} for i in range(n)]
print(json.dumps({"identifiers": ids, "fields": ["contact.email","contact.phone"]}))' "$@"
}
LI='{"identifier":{"linkedin_url":"https://www.linkedin.com/in/hog-0"},"fields":["contact.email","contact.phone"]}'

sandbox_start --job-ms 0

# --------------------------------------------------------------- auth
is "$(post -d "$LI")" 401 "no credentials: 401"
body 'sorted(d) == ["error", "message", "path", "requestId", "statusCode", "timestamp"]|True|401: the documented envelope' \
    '(d["statusCode"], d["error"], d["path"])|(401, '"'"'Unauthorized'"'"', '"'"'/api/enrichments'"'"')|401: statusCode, error, path'
is "$(post -H "$AUTH" -d "$LI")" 200 "Authorization: Bearer: accepted"
is "$(post -H 'X-Access-Key: ak_1' -H 'X-Secret-Key: sk_1' -d "$LI")" 200 "X-Access-Key + X-Secret-Key: accepted"
is "$(post -H 'X-Access-Key: ak_1' -d "$LI")" 401 "X-Access-Key alone: 401"
is "$(post -H "$AUTH" -H 'X-Access-Key: ak_1' -H 'X-Secret-Key: sk_1' -d "$LI")" 400 "Bearer and the key pair together: 400"
body 'd["statusCode"], d["errors"][0]["property"]|(400, '"'"'headers'"'"')|mixing auth forms: a 400 about the headers'
is "$(call GET /api/operations/op_1)" 401 "the poll endpoint checks auth too"

# --------------------------------------------------------------- validation
c0=$(sandbox_stats | $PY -c 'import json,sys; print(json.load(sys.stdin)["credits_charged"])')
A='{"email":"a@example.net"}'
F='"fields":["contact.email"]'
while IFS='	' read -r req property desc; do
    is "$(post -H "$AUTH" -d "$req")" 400 "400: $desc"
    body "d[\"statusCode\"], d[\"message\"], d[\"errors\"][0][\"property\"]|(400, 'Validation failed', '$property')|$desc: errors[0].property $property"
done <<EOF
{"identifier":$A,"identifiers":[$A],$F}	identifier	identifier and identifiers together
{$F}	identifier	neither identifier nor identifiers
{"identifiers":$A,$F}	identifiers	identifiers that is not an array
{"identifiers":[],$F}	identifiers	an empty identifiers array
{"identifier":"a@example.net",$F}	identifier	an identifier that is not an object
{"identifiers":[{"email":"a@example.net","linkedin_url":"https://www.linkedin.com/in/x"}],$F}	identifiers.0	two identity fields in one identifier
{"identifiers":[{}],$F}	identifiers.0	an identifier with no identity field
{"identifiers":[$A,{"phone":"1"}],$F}	identifiers.1.phone	an unknown identifier key
{"identifier":{"email":"nope"},$F}	identifier.email	an email that is not an address
{"identifier":{"email":5},$F}	identifier.email	an identity value that is not a string
{"identifier":{"x_handle":""},$F}	identifier.x_handle	an empty identity value
{"identifier":$A}	fields	no fields
{"identifier":$A,"fields":[]}	fields	empty fields
{"identifier":$A,"fields":"contact.email"}	fields	fields that is not an array
{"identifier":$A,"fields":["contact.fax"]}	fields	an unknown field
{"identifier":$A,$F,"webhook":"x"}	webhook	an unknown root key
{"identifier":$A,"fields":["signals"],"signals_config":5}	signals_config	signals_config that is not an object
nope	body	a body that is not JSON
EOF
idents 101 >"$WORK/i101.json"
is "$(post -H "$AUTH" -d @"$WORK/i101.json")" 400 "400: 101 identifiers"
body 'd["errors"][0]["property"], "100" in d["errors"][0]["message"]|('"'"'identifiers'"'"', True)|101 identifiers: the limit is 100'
stats 'd["jobs"]["thehog"], d["credits_charged"]|(0, '"$c0"')|validation errors made no job and charged nothing'
is "$(call GET $EP -H "$AUTH")" 405 "GET on the collection: 405"
is "$(call GET /api/operations/op_999 -H "$AUTH")" 404 "an unknown operation: 404"
body 'd["statusCode"], d["error"]|(404, '"'"'Not Found'"'"')|404: the error envelope'
sandbox_stop

# --------------------------------------------------------------- sync
sandbox_start --job-ms 0 --log "$WORK/hog.log"
is "$(post -H "$AUTH" -d "$LI")" 200 "one LinkedIn identifier, contact fields only: sync 200"
body 'sorted(d) == ["data", "meta"] and sorted(d["data"]["contact"]) == ["email", "phone"]|True|200: data.contact.email/phone and meta' \
    'all(re.fullmatch(r"[a-z.]+@example\.(com|org)", e) for e in d["data"]["contact"]["email"])|True|200: emails are example.com/org strings' \
    'all(re.fullmatch(r"\+1-555-01[0-9][0-9]", p) for p in d["data"]["contact"]["phone"])|True|200: phones are +1-555-01NN strings' \
    'd["meta"]["cost"]["actual"] == len(d["data"]["contact"]["email"]) + len(d["data"]["contact"]["phone"])|True|200: cost.actual is one per value found' \
    'd["meta"]["requestId"].startswith("req_")|True|200: meta.requestId'
is "$(post -H "$AUTH" -d '{"identifier":{"linkedin_url":"https://www.linkedin.com/in/hog-0"},"fields":["contact.phone"]}')" 200 \
    "contact.phone only: sync 200"
body 'list(d["data"]["contact"])|['"'"'phone'"'"']|only the requested field is answered'
is "$(post -H "$AUTH" -d '{"identifier":{"linkedin_url":"https://www.linkedin.com/in/hog-0"},"fields":["contact.email","profile"]}')" 202 \
    "one LinkedIn identifier asking for profile: async 202"
is "$(post -H "$AUTH" -d '{"identifier":{"email":"a@example.net"},"fields":["contact.email"]}')" 202 \
    "one email identifier: async 202"
is "$(post -H "$AUTH" -d '{"identifiers":[{"linkedin_url":"https://www.linkedin.com/in/hog-0"}],"fields":["contact.email"]}')" 202 \
    "identifiers with one LinkedIn URL: async 202"
stats 'd["jobs"]["thehog"]|3|sync answers make no operation'

# --------------------------------------------------------------- async
idents 100 >"$WORK/i100.json"
is "$(post -H "$AUTH" -d @"$WORK/i100.json")" 202 "100 identifiers: 202"
body 'sorted(d) == ["id", "meta", "operationId", "pollUrl", "status"]|True|202: id, operationId, status, pollUrl, meta' \
    'd["id"] == d["operationId"] == "op_4" and d["status"] == "queued"|True|202: op id twice, status queued' \
    'd["pollUrl"]|'"$SB_URL"'/api/operations/op_4|202: pollUrl is absolute by default' \
    'd["meta"]["requestId"].startswith("req_")|True|202: meta.requestId'
is "$(hdr Location)" "$SB_URL/api/operations/op_4" "202: Location is the pollUrl"
before=$(sandbox_stats)
is "$(curl -s -o "$WORK/op.json" -w '%{http_code}' -H "$AUTH" "$SB_URL/api/operations/op_4")" 200 "GET pollUrl: 200"
jcheck "$WORK/op.json" \
    'd["status"]|partial_success|a batch with failed items ends partial_success' \
    'd["progress"], d["error"]|(100, None)|terminal: progress 100, error null' \
    'len(d["result"]["items"])|100|result.items holds every identifier' \
    'sorted(json.dumps(i["identifier"]) for i in d["result"]["items"]) == sorted(json.dumps(x) for x in json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/i100.json"))["identifiers"])|True|items echo their identifiers as sent' \
    '[i["identifier"] for i in d["result"]["items"]] != json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/i100.json"))["identifiers"]|True|items are not in input order' \
    'set(i["status"] for i in d["result"]["items"]) == {"success", "failed"}|True|item statuses success and failed' \
    'all(i["data"] is None and i["error"]["message"] for i in d["result"]["items"] if i["status"] == "failed")|True|failed items: data null, an error' \
    'all(i["error"] is None and isinstance(i["data"]["contact"]["email"], list) for i in d["result"]["items"] if i["status"] == "success")|True|success items: data.contact, error null' \
    'd["meta"]["cost"]["actual"] == sum((len(i["data"]["contact"]["email"]) > 0) + (len(i["data"]["contact"]["phone"]) > 0) for i in d["result"]["items"] if i["data"])|True|meta.cost.actual: one credit per field found for a person'
is "$(curl -s -H "$AUTH" "$SB_URL/api/enrichments/op_4")" "$(cat "$WORK/op.json")" \
    "GET /api/enrichments/{id} (the seed's route) answers the same"
$PY - "$WORK/op.json" "$WORK" <<'EOF'
import json, sys
items = json.load(open(sys.argv[1]))["result"]["items"]
w = sys.argv[2]
def body(ids):
    return json.dumps({"identifiers": ids, "fields": ["contact.email", "contact.phone"]})
ok = [i["identifier"] for i in items if i["status"] == "success" and i["data"]["contact"]["email"]]
open(w + "/ok.json", "w").write(body(ok[:5]))
open(w + "/failed.json", "w").write(body([i["identifier"] for i in items if i["status"] == "failed"][:3]))
li = [i for i in items if "linkedin_url" in i["identifier"] and i["status"] == "success"]
one = [i for i in li if len(i["data"]["contact"]["email"]) == 1]
empty = [i for i in li if not i["data"]["contact"]["email"] and not i["data"]["contact"]["phone"]]
single = lambda i: json.dumps({"identifier": i["identifier"], "fields": ["contact.email"]})
open(w + "/one_email.json", "w").write(single(one[0]))
open(w + "/one_email2.json", "w").write(single(one[1]))
open(w + "/nobody.json", "w").write(single(empty[0]))
EOF
ok $? "the batch holds found, not found and failed identifiers of each kind"
post -H "$AUTH" -d @"$WORK/ok.json" >/dev/null
call GET "/api/operations/$(sed 's/.*"id":"\(op_[0-9]*\)".*/\1/' "$WORK/body")" -H "$AUTH" >/dev/null
body 'd["status"], d["error"]|('"'"'succeeded'"'"', None)|no failed item: succeeded'
post -H "$AUTH" -d @"$WORK/failed.json" >/dev/null
call GET "/api/operations/$(sed 's/.*"id":"\(op_[0-9]*\)".*/\1/' "$WORK/body")" -H "$AUTH" >/dev/null
body 'd["status"], len(d["result"]["items"]), d["error"] is not None|('"'"'failed'"'"', 3, True)|every item failed: failed, items still listed, an error'
grep -q '"path":"/api/enrichments","query":"","batch":100,"status":202' "$WORK/hog.log"
ok $? "log: the batch size of a submit"
sandbox_stop

# --------------------------------------------------------------- idempotency and double charges
sandbox_start --job-ms 0
post -H "$AUTH" -H 'Idempotency-Key: chunk-1' -d @"$WORK/ok.json" >/dev/null
cp "$WORK/body" "$WORK/first.json"
stats 'd["jobs"]["thehog"] == 1 and d["credits_charged"] > 0 and d["double_charged"] == 0|True|a first submit with a key: one operation, charged'
charged=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["credits_charged"])' "$WORK/stats.json")
is "$(post -H "$AUTH" -H 'Idempotency-Key: chunk-1' -d @"$WORK/ok.json")" 202 "the same key and body again: 202"
is "$(cat "$WORK/body")" "$(cat "$WORK/first.json")" "the same key and body: the same operation"
stats "(d[\"jobs\"][\"thehog\"], d[\"credits_charged\"], d[\"double_charged\"])|(1, $charged, 0)|a replay makes no operation, charges nothing, is not a double charge"
is "$(post -H "$AUTH" -H 'Idempotency-Key: chunk-1' -d @"$WORK/failed.json")" 422 "the same key with another body: 422"
body 'd["statusCode"], d["error"]|(422, '"'"'Unprocessable Entity'"'"')|422: the error envelope'
is "$(post -H "$AUTH" -H 'Idempotency-Key: sync-1' -d @"$WORK/one_email.json")" 200 "a sync answer with a key"
cp "$WORK/body" "$WORK/first.json"
is "$(post -H "$AUTH" -H 'Idempotency-Key: sync-1' -d @"$WORK/one_email.json")" 200 "replayed"
is "$(cat "$WORK/body")" "$(cat "$WORK/first.json")" "a sync replay is the first answer"
stats 'd["double_charged"], d["credits_charged"]|(0, '"$((charged + 1))"')|a sync replay is free'
is "$(post -H "$AUTH" -d @"$WORK/ok.json")" 202 "the same body without a key: a new operation"
stats 'd["jobs"]["thehog"], d["double_charged"] > 0, d["providers"]["thehog"]["double_charged"] == d["double_charged"]|(2, True, True)|without a key the repeat is charged again and counted'
sandbox_stop

# --------------------------------------------------------------- credits
sandbox_start --job-ms 0 --credits 1
is "$(post -H "$AUTH" -d @"$WORK/nobody.json")" 200 "a person not found costs nothing"
body 'd["data"]["contact"]["email"], d["meta"]["cost"]["actual"]|([], 0)|not found: empty arrays, cost 0'
is "$(post -H "$AUTH" -d @"$WORK/one_email.json")" 200 "--credits 1: one email found (1 credit)"
stats 'd["credits_left"], d["credits_charged"]|(0, 1)|the balance is spent'
is "$(post -H "$AUTH" -d @"$WORK/one_email2.json")" 402 "out of credits: 402"
body 'd["statusCode"], d["error"], d["path"]|(402, '"'"'Payment Required'"'"', '"'"'/api/enrichments'"'"')|402: the error envelope'
is "$(post -H "$AUTH" -d @"$WORK/ok.json")" 402 "out of credits: a batch is refused too"
stats 'd["jobs"]["thehog"], d["credits_charged"]|(0, 1)|refused requests make no operation and charge nothing'
is "$(post -H "$AUTH" -d @"$WORK/nobody.json")" 200 "out of credits, a lookup that finds nothing still answers"
sandbox_stop

# --------------------------------------------------------------- shapes marked unknown
sandbox_start --job-ms 0 --thehog-poll-url=relative --thehog-items=toplevel --thehog-contact-objects
post -H "$AUTH" -d @"$WORK/ok.json" >/dev/null
body 'd["pollUrl"]|/api/operations/op_1|--thehog-poll-url=relative: a relative pollUrl'
call GET /api/operations/op_1 -H "$AUTH" >/dev/null
body 'd["result"], len(d["items"])|(None, 5)|--thehog-items=toplevel: items at the top, result null' \
    'all(re.fullmatch(r"[a-z.]+@example\.(com|org)", e["value"]) and e["type"] for i in d["items"] for e in i["data"]["contact"]["email"])|True|--thehog-contact-objects: emails as {value, type}' \
    'all(p["value"].startswith("+1-555-01") for i in d["items"] for p in i["data"]["contact"]["phone"])|True|--thehog-contact-objects: phones as {value, type}'
post -H "$AUTH" -d @"$WORK/one_email.json" >/dev/null
body 'd["data"]["contact"]["email"][0]["value"].endswith(("@example.com", "@example.org"))|True|--thehog-contact-objects: sync answers too'
sandbox_stop

sandbox_start --job-ms 0 --thehog-items=array
post -H "$AUTH" -d @"$WORK/ok.json" >/dev/null
call GET /api/operations/op_1 -H "$AUTH" >/dev/null
body 'type(d["result"]).__name__, len(d["result"]), "items" in d|('"'"'list'"'"', 5, False)|--thehog-items=array: result is the items array'
sandbox_stop

# --------------------------------------------------------------- states
sandbox_start --job-ms 300 --key 'hog_live_k'
is "$(post -H 'Authorization: Bearer other' -d "$LI")" 401 "--key: another Bearer key: 401"
is "$(post -H 'X-Access-Key: ak_1' -H 'X-Secret-Key: wrong' -d "$LI")" 401 "--key: another secret: 401"
is "$(post -H 'X-Access-Key: ak_1' -H 'X-Secret-Key: hog_live_k' -d "$LI")" 200 "--key: X-Secret-Key equal to the key: 200"
post -H "$AUTH" -d @"$WORK/ok.json" >/dev/null
seen=
for i in $(seq 1 100); do
    call GET /api/operations/op_1 -H "$AUTH" >/dev/null
    st=$(sed 's/.*"status":"\([a-z_]*\)","progress".*/\1/' "$WORK/body" | head -c 20)
    case "$seen" in *"$st") ;; *) seen="$seen $st" ;; esac
    [ "$st" = succeeded ] && break
    sleep 0.05
done
case "$seen" in " queued processing succeeded" | " queued succeeded" | " processing succeeded" | " succeeded") r=0 ;; *) r=1 ;; esac
ok $r "states go queued -> processing -> succeeded, never back ($seen)"
stats 'd["endpoints"]["GET /api/operations/{id}"] >= 1 and d["endpoints"]["POST /api/enrichments"] == 4|True|endpoints counted'
sandbox_stop

done_testing

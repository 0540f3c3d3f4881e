#!/bin/sh
# sb_core.sh - enrichcsv-sandbox's core: start-up and port file, options,
# /_sandbox/ endpoints, routing, the fault knobs (rate limit with both
# Retry-After forms and its burst, injected 429s, 5xx, drops, malformed
# bodies), the request log and its redaction, SIGTERM; LinkedIn URL
# normalization.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/sb_helpers.sh"

AMP='Authorization: Bearer k'
HOG='Authorization: Bearer hog_k'

# --------------------------------------------------------------- usage
"$SANDBOX" --fail-5xx 2 >/dev/null 2>&1
is "$?" 2 "a probability above 1 is a usage error"
"$SANDBOX" --rate-limit fast >/dev/null 2>&1
is "$?" 2 "a bad --rate-limit is a usage error"
"$SANDBOX" --fail-429 1.5 >/dev/null 2>&1
is "$?" 2 "a --fail-429 above 1 is a usage error"
"$SANDBOX" --retry-after -1 >/dev/null 2>&1
is "$?" 2 "a negative --retry-after is a usage error"
"$SANDBOX" --no-such-option >/dev/null 2>&1
is "$?" 2 "an unknown option is a usage error"
"$SANDBOX" --thehog-items=sideways >/dev/null 2>&1
is "$?" 2 "an unknown --thehog-items shape is a usage error"
"$SANDBOX" --help | grep -q -- '--rate-limit'
ok $? "--help lists the options"

# --------------------------------------------------------------- start, route, stats, log
sandbox_start --log "$WORK/req.log" --key 'sekret-KEY-123'
case "$SB_PORT" in [1-9]*) r=0 ;; *) r=1 ;; esac
ok $r "the port file holds the bound port ($SB_PORT)"
is "$(cat "$WORK/sb.out")" "$SB_URL" "the origin is printed on stdout"

is "$(call GET /_sandbox/health)" 200 "/_sandbox/health answers"
is "$(call GET /no/such/path -H 'Authorization: Bearer sekret-KEY-123')" 404 "an unknown path is 404"
body 'd["error"]|not_found|the 404 body says not_found'
is "$(call POST /people/enrichment-requests -H 'Authorization: Bearer wrong' -d '{}')" 401 \
    "--key: another key is refused"
is "$(call POST /people/enrichment-requests -H 'Authorization: Bearer sekret-KEY-123' \
    -H 'Idempotency-Key: idem-1' -d '{"leads":[{"email":"a@example.net"},{"email":"b@example.net"}]}')" \
    202 "--key: the key itself is accepted"

stats 'd["requests"]|3|stats: requests total (the sandbox'"'"'s own paths excluded)' \
    'd["providers"]["unknown"]["requests"]|1|stats: unknown paths are counted apart' \
    'd["providers"]["amplemarket"]["requests"]|2|stats: requests per provider' \
    'd["endpoints"]["POST /people/enrichment-requests"]|2|stats: requests per endpoint' \
    'd["statuses"]["401"]|1|stats: requests per status' \
    'd["jobs"]["amplemarket"]|1|stats: jobs per provider' \
    'd["credits_left"]|-1|stats: credits_left is -1 when unlimited' \
    'sorted(d["faults"]) == ["dropped", "dropped_after", "fail_429", "fail_5xx", "malformed", "rate_limited"]|True|stats: the fault counters' \
    'sorted(d["providers"]["thehog"]) == ["credits_charged", "double_charged", "jobs", "requests"]|True|stats: per-provider counters'
call GET '/_sandbox/stats?charges=1' >/dev/null
body 'sorted(d) == sorted(["requests","endpoints","statuses","faults","providers","jobs","credits_charged","credits_left","double_charged","charges","charges_truncated"])|True|stats?charges=1: the documented top-level keys' \
    'sorted(d["charges"][0]) == ["amount", "double", "field", "person", "provider", "t"]|True|stats: a charge entry'

is "$(wc -l <"$WORK/req.log" | tr -d ' ')" 3 "log: one line per request"
tail -1 "$WORK/req.log" >"$WORK/line.json"
jcheck "$WORK/line.json" \
    'sorted(d) == ["auth", "batch", "fault", "idempotency_key", "method", "ms", "path", "provider", "query", "status", "t", "time"]|True|log: the documented fields' \
    '(d["provider"], d["method"], d["path"], d["status"]) == ("amplemarket", "POST", "/people/enrichment-requests", 202)|True|log: provider, method, path, status' \
    '(d["batch"], d["idempotency_key"], d["auth"], d["fault"]) == (2, "idem-1", ["Authorization"], None)|True|log: batch size, idempotency key, auth header names'
head -1 "$WORK/req.log" >"$WORK/line.json"
jcheck "$WORK/line.json" '(d["provider"], d["batch"], d["status"]) == ("unknown", None, 404)|True|log: an unknown path'
call GET '/people/enrichment-requests/1?api_key=sekret-KEY-123&page%5Bsize%5D=5' \
    -H 'X-API-Key: sekret-KEY-123' >/dev/null
grep -q 'sekret-KEY-123' "$WORK/req.log"
is "$?" 1 "log: keys never appear (headers or query)"
grep -q '"query":"api_key=REDACTED&page\[size\]=5"' "$WORK/req.log"
ok $? "log: key-like query values are REDACTED, others kept"

is "$(call POST /_sandbox/reset)" 200 "/_sandbox/reset answers"
stats '(d["requests"], d["credits_charged"], d["jobs"]["amplemarket"])|(0, 0, 0)|reset zeroes the counters'

kill -TERM "$SB_PID"
wait "$SB_PID"
is "$?" 0 "SIGTERM: clean exit 0"
SB_PID=

# --------------------------------------------------------------- rate limit
sandbox_start --rate-limit 2/min --log "$WORK/rl.log"
call GET /people/enrichment-requests/9 -H "$AMP" >/dev/null
call GET /people/enrichment-requests/9 -H "$AMP" >/dev/null
is "$(call GET /people/enrichment-requests/9 -H "$AMP")" 429 "rate limit: the third request in a minute is 429"
ra=$(hdr Retry-After)
case "$ra" in [1-9] | [1-2][0-9] | 30) r=0 ;; *) r=1 ;; esac
ok $r "rate limit: Retry-After in seconds, 1..30 at 2/min ($ra)"
is "$(hdr X-RateLimit-Remaining)" 0 "rate limit: X-RateLimit-Remaining: 0"
body 'd["_errors"][0]["code"]|rate_limited|rate limit: Amplemarket'"'"'s error envelope'
call POST /api/enrichments -H "$HOG" -d '{"identifier":{"email":"a@example.net"},"fields":["contact.email"]}' >/dev/null
is "$(call GET /api/operations/op_1 -H "$HOG")" 200 "rate limit: each provider has its own bucket"
is "$(call GET /api/operations/op_1 -H "$HOG")" 429 "rate limit: The Hog's poll endpoint shares the bucket"
body 'd["statusCode"]|429|rate limit: The Hog'"'"'s error envelope'
stats 'd["faults"]["rate_limited"]|2|stats: rate-limited answers counted'
grep -q '"status":429,.*"fault":"rate_limited"' "$WORK/rl.log"
ok $? "log: the 429 is logged with its fault"
sandbox_stop

sandbox_start --rate-limit 1/min --retry-after-date
call GET /people/enrichment-requests/9 -H "$AMP" >/dev/null
is "$(call GET /people/enrichment-requests/9 -H "$AMP")" 429 "rate limit (1/min): second request is 429"
$PY - "$(hdr Retry-After)" <<'EOF'
import sys, time, email.utils
when = email.utils.parsedate_to_datetime(sys.argv[1]).timestamp()
assert sys.argv[1].endswith(" GMT"), sys.argv[1]
assert time.time() - 2 <= when <= time.time() + 63, (when, time.time())
EOF
ok $? "--retry-after-date: Retry-After is an HTTP-date within the next minute"
sandbox_stop

# codes CFG N PATH: a curl config in $WORK/CFG asking PATH N times (one
# connection), each answer's status on a line of its own
codes() {
    : >"$WORK/$1"
    for _i in $(seq 1 "$2"); do
        printf 'url = "%s%s"\nwrite-out = "%%{http_code}\\n"\noutput = "/dev/null"\n' \
            "$SB_URL" "$3" >>"$WORK/$1"
    done
}

# The bucket holds N whatever the unit: N+1 requests at once after start
# meet exactly one 429 (a token takes 12 s to come back at 5/min, 0.5 s at
# 2/s, far longer than three local requests take). Before the fix a
# per-second bucket held 60N, so nothing was refused.
for rate in 5/min 2/s; do
    n=${rate%/*}
    sandbox_start --rate-limit "$rate"
    codes burst.cfg $((n + 1)) /people/enrichment-requests/9
    curl -s -H "$AMP" -K "$WORK/burst.cfg" >"$WORK/burst.out"
    is "$(sort "$WORK/burst.out" | uniq -c | awk '{ printf "%s%s*%s", (NR > 1 ? " " : ""), $2, $1 }')" \
        "404*$n 429*1" "--rate-limit $rate: $((n + 1)) requests at once meet exactly one 429"
    sandbox_stop
done

# --------------------------------------------------------------- injected 429s
sandbox_start --fail-429 1 --retry-after 3 --log "$WORK/429.log"
is "$(call GET /people/enrichment-requests/9 -H "$AMP")" 429 "--fail-429 1: Amplemarket answers 429"
is "$(hdr Retry-After)/$(hdr X-RateLimit-Remaining)" 3/0 \
    "--fail-429: Retry-After is --retry-after, X-RateLimit-Remaining: 0"
body 'd["_errors"][0]["code"]|rate_limited|--fail-429: Amplemarket'"'"'s error envelope'
is "$(call POST /api/enrichments -H "$HOG" \
    -d '{"identifier":{"email":"a@example.net"},"fields":["contact.email"]}')" \
    429 "--fail-429: a The Hog submit is refused"
body 'd["statusCode"]|429|--fail-429: The Hog'"'"'s error envelope'
is "$(call GET /api/v1/enrich/people/x -H 'X-API-Key: k')" 429 "--fail-429: OpenFunnel answers 429"
body '(d["error_code"], d["details"]["retry_after_seconds"])|('"'"'RATE_LIMITED'"'"', 3)|--fail-429: OpenFunnel'"'"'s envelope with details.retry_after_seconds'
is "$(call GET /rest/v2/lead_finder/leads/enrichments/x -H 'x-api-key: k')" 429 \
    "--fail-429: Woodpecker answers 429"
body 'd["status"]["code"]|E_TOO_MANY_REQUESTS|--fail-429: Woodpecker'"'"'s envelope'
is "$(call GET '/api/v1/operations/enrichment/x?field=emails' -H 'Authorization: Bearer t')" 429 \
    "--fail-429: Lance answers 429"
body 'd["error"]["code"]|RATE_LIMITED|--fail-429: Lance'"'"'s envelope'
is "$(call GET /_sandbox/health)" 200 "--fail-429 spares /_sandbox/"
stats 'd["faults"]["fail_429"]|5|--fail-429: counted as fail_429' \
    'd["faults"]["rate_limited"]|0|--fail-429: not as the rate limit' \
    'd["statuses"]["429"]|5|--fail-429: five 429 answers' \
    '(d["jobs"]["thehog"], d["credits_charged"])|(0, 0)|--fail-429: nothing processed, nothing charged'
is "$(grep -c '"status":429,.*"fault":"fail_429"' "$WORK/429.log")" 5 \
    "log: injected 429s are logged as fail_429"
sandbox_stop

sandbox_start --fail-429 1 --retry-after-date
call GET /people/enrichment-requests/9 -H "$AMP" >/dev/null
$PY - "$(hdr Retry-After)" <<'EOF'
import sys, time, email.utils
when = email.utils.parsedate_to_datetime(sys.argv[1]).timestamp()
assert time.time() - 2 <= when <= time.time() + 4, (when, time.time())
EOF
ok $? "--fail-429 --retry-after-date: Retry-After is an HTTP-date a second or two ahead"
sandbox_stop

# About 30% of 200 requests (the draws are seeded: the count is the same
# every run; the bounds only say "about"). An injected 429 takes no token.
sandbox_start --fail-429 0.3 --rate-limit 1000/min
codes p.cfg 200 /api/operations/op_x
curl -s -H "$HOG" -K "$WORK/p.cfg" >"$WORK/p.out"
n429=$(grep -c 429 "$WORK/p.out")
ok "$([ "$n429" -ge 40 ] && [ "$n429" -le 80 ]; echo $?)" \
    "--fail-429 0.3: about 30% of 200 requests are 429 ($n429)"
stats 'd["faults"]["rate_limited"]|0|--fail-429 takes no token: 200 requests in a 1000/min bucket'
sandbox_stop

# --------------------------------------------------------------- 5xx, drops, malformed
sandbox_start --fail-5xx 1
s=$(call POST /people/enrichment-requests -H "$AMP" -d '{"leads":[{"email":"a@example.net"}]}')
case "$s" in 500 | 502 | 503) r=0 ;; *) r=1 ;; esac
ok $r "--fail-5xx 1: every answer is a 5xx ($s)"
for i in 1 2 3 4 5 6 7 8; do call GET /api/operations/op_1 -H "$HOG" >/dev/null; done
is "$(call GET /_sandbox/health)" 200 "--fail-5xx spares /_sandbox/"
stats 'd["faults"]["fail_5xx"]|9|--fail-5xx: counted' \
    'd["jobs"]["amplemarket"]|0|--fail-5xx: the request was not processed' \
    'sum(d["statuses"].get(s, 0) for s in ("500", "502", "503"))|9|--fail-5xx: only 500, 502 and 503'
sandbox_stop

sandbox_start --drop 1 --log "$WORK/drop.log"
call POST /people/enrichment-requests -H "$AMP" -d '{"leads":[{"email":"a@example.net"}]}' >/dev/null
is "$(cat "$WORK/rc")" 52 "--drop 1: the connection closes without an answer (curl: empty reply)"
stats 'd["faults"]["dropped"]|1|--drop: counted' \
    'd["jobs"]["amplemarket"]|0|--drop: nothing was processed'
grep -q '"status":null,.*"fault":"dropped"' "$WORK/drop.log"
ok $? "log: a dropped request has status null"
sandbox_stop

sandbox_start --drop-after 1
call POST /people/enrichment-requests -H "$AMP" -d '{"leads":[{"email":"a@example.net"}]}' >/dev/null
is "$(cat "$WORK/rc")" 52 "--drop-after 1: no answer either"
stats 'd["jobs"]["amplemarket"]|1|--drop-after: but the job was created' \
    'd["faults"]["dropped_after"]|1|--drop-after: counted'
sandbox_stop

sandbox_start --malformed 1
is "$(call POST /people/enrichment-requests -H "$AMP" -d '{"leads":[{"email":"a@example.net"}]}')" 202 \
    "--malformed 1: the status stays 2xx"
body '"invalid JSON" in d|True|--malformed 1: the body is not valid JSON'
is "$(call GET /people/enrichment-requests/1)" 401 "--malformed: error answers are left alone"
body 'd["object"]|error|--malformed: the 401 body is valid JSON'
stats 'd["faults"]["malformed"]|1|--malformed: counted'
sandbox_stop

# --------------------------------------------------------------- latency, concurrency
sandbox_start --latency-ms 150
pids=
for i in 1 2 3 4; do
    curl -s -o "$WORK/lat$i" -H "$AMP" "$SB_URL/people/enrichment-requests/$i" &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
is "$(cat "$WORK"/lat1 "$WORK"/lat2 "$WORK"/lat3 "$WORK"/lat4 | grep -o not_found | wc -l | tr -d ' ')" 4 \
    "--latency-ms: concurrent clients are all answered"
sandbox_stop

# --------------------------------------------------------------- LinkedIn normalization
# One slug written several ways is one person: enrichcsv sends it
# percent-encoded (src/ident.c), a user's file may hold it raw.
sandbox_start
li_data() {
    call POST /api/enrichments -H "$HOG" \
        -d "{\"identifier\":{\"linkedin_url\":\"$1\"},\"fields\":[\"contact.email\"]}" \
        >/dev/null
    $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["contact"]["email"])' "$WORK/body"
}
want=$(li_data 'https://www.linkedin.com/in/j%C3%A9r%C3%B4me')
is "$(li_data 'linkedin.com/in/jerome')" "['blair.loopback@example.org']" \
    "normalization: jerome is one found person"
is "$want" "['casey.demoe@example.com']" \
    "normalization: j%C3%A9r%C3%B4me (jérôme) is another found person"
for form in 'https://www.linkedin.com/in/J%C3%A9r%C3%B4me' 'linkedin.com/in/jérôme/' \
    'http://uk.linkedin.com:443/in/JÉRÔME/details/experience?trk=x' 'in/J%c3%a9r%c3%b4me' \
    'https://WWW.LinkedIn.com/in/J%C3%89R%C3%94ME'; do
    is "$(li_data "$form")" "$want" "normalization: $form is jérôme"
done
is "$(li_data 'https://www.linkedin.com/in/ANA%C3%8FS')/$(li_data 'linkedin.com/in/ANAÏS')" \
    "['indigo.trialson@example.org']/['indigo.trialson@example.org']" \
    "normalization: Latin-1 capitals fold, encoded or not (anaïs)"
# member ids keep their case (as src/ident.c keeps them): ACoAAAxYz is
# found, ACoAAAxyz is not
a=$(li_data 'https://www.linkedin.com/in/ACoAAAxYz')
is "$(li_data 'linkedin.com/in/ACoAAAx%59z')" "$a" "normalization: a member id is percent-decoded"
ok "$([ "$(li_data 'https://www.linkedin.com/in/ACoAAAxyz')" != "$a" ]; echo $?)" \
    "normalization: member ids differing in case are different people"
sandbox_stop

done_testing

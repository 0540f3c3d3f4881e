#!/bin/sh
# harden_net.sh - the network fault matrix: exact requests broken by a
# loopback proxy (tests/fault/toxy.py) in front of the sandbox - latency
# spikes past --timeout, stalls, black holes, resets, cut and trickled
# bodies, bursts of 503 and 500 - plus the sandbox's own knobs for a 429
# storm whose Retry-After outlasts --job-timeout and for a job that never
# finishes. Each case ends as a clean run ("gold") or with the documented
# status, never hangs (every run is under timeout 60), and never charges a
# lookup twice. tests/README maps every fault to its test, here and in
# e2e_failures.sh, e2e_stops.sh, e2e_storm.sh and e2e_interrupt.sh.
. "$TESTS_SRC/lib.sh"

command -v python3 >/dev/null || skip_all "no python3"
command -v timeout >/dev/null || skip_all "no timeout(1)"
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
export THEHOG_API_KEY=k AMPLEMARKET_API_KEY=k
head -11 "$DATA/leads.csv" >"$WORK/in.csv" # 10 rows
PX_PID=

net_stop() {
    [ -n "$PX_PID" ] && kill "$PX_PID" 2>/dev/null && wait "$PX_PID" 2>/dev/null
    PX_PID=
    sandbox_stop
}
trap 'net_stop; rm -rf "$WORK"' EXIT

# net_start [SANDBOX-ARGS...] [-- RULE...]: a fresh sandbox and, in front of
# it, the proxy with RULEs; sets URL (the proxy) and clears the journal
net_start() {
    net_stop
    _sb=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        _sb="$_sb $1"
        shift
    done
    [ "${1:-}" = -- ] && shift
    # shellcheck disable=SC2086
    sandbox_start --job-ms 0 $_sb
    rm -f "$WORK/px.port" "$WORK/px.log" "$WORK/j.zst"
    for _r in "$@"; do
        set -- "$@" --rule "$_r"
        shift
    done
    python3 "$TESTS_SRC/fault/toxy.py" --upstream "$SB_URL" --port-file "$WORK/px.port" \
        --log "$WORK/px.log" "$@" 2>"$WORK/px.err" &
    PX_PID=$!
    for _i in $(seq 1 200); do
        [ -s "$WORK/px.port" ] && break
        sleep 0.05
    done
    [ -s "$WORK/px.port" ] || { echo "Bail out! proxy did not start: $(cat "$WORK/px.err")"; exit 1; }
    URL="http://127.0.0.1:$(cat "$WORK/px.port")"
}

# enrich PROVIDER OUT [ARGS...]: a run through the proxy with the case's journal
enrich() {
    _p=$1 _o=$2
    shift 2
    timeout 60 "$ENRICHCSV" -q -p "$_p" --base-url "$URL" -j "$WORK/j.zst" --poll-interval 0.1 \
        "$@" "$WORK/in.csv" >"$_o" 2>"$_o.err"
}

# statuses FILE: "count status" lines of the enrich_status column
statuses() {
    python3 -c 'import csv,sys,collections
c=collections.Counter(r[-1] for r in list(csv.reader(open(sys.argv[1], newline="")))[1:])
print(" ".join("%d %s" % (n, s) for s, n in sorted(c.items())))' "$1"
}

# faulted KIND: how many requests the proxy broke that way
faulted() { awk -v k="$1" '$4 == k' "$WORK/px.log" | wc -l | tr -d ' '; }

# gold PROVIDER: a clean run through the proxy, kept as gold-PROVIDER.csv
for p in thehog amplemarket; do
    net_start
    enrich $p "$WORK/gold-$p.csv"
    is "$?" 0 "clean run ($p)"
done
is "$(wc -l <"$WORK/gold-thehog.csv" | tr -d ' ')" 11 "gold (thehog): header and 10 rows"

# case NAME PROVIDER: the run's exit status 0, output as gold, nothing charged twice
case_gold() {
    _rc=$1 _name=$2 _p=$3
    is "$_rc" 0 "$_name: exits 0"
    same_file "$WORK/out.csv" "$WORK/gold-$_p.csv" "$_name: output as a clean run"
    is "$(sandbox_stat double_charged)" 0 "$_name: nothing charged twice"
}

# ------------------------------------------------------------ latency spikes
net_start -- 'POST 1:hold:2500'
enrich thehog "$WORK/out.csv" --timeout 1
case_gold $? "spike on the submit, past --timeout (thehog)" thehog
is "$(faulted hold)/$(grep -c ' POST ' "$WORK/px.log")" 1/2 \
    "spike on the submit (thehog): timed out once, re-sent once (same Idempotency-Key)"

net_start --job-ms 300 -- 'GET 1-2:hold:2500'
enrich thehog "$WORK/out.csv" --timeout 1
case_gold $? "spikes on two polls (thehog)" thehog

# Amplemarket has no idempotency key: a submit whose answer was lost may
# have been charged, so its batch ends failed:uncertain and is not re-sent.
net_start -- 'POST 1:hold:2500'
enrich amplemarket "$WORK/out.csv" --timeout 1 --batch-size 5
is "$?" 0 "spike on the first submit (amplemarket): exits 0"
is "$(grep -c ' POST ' "$WORK/px.log")" 2 "spike (amplemarket): the lost submit is not re-sent"
is "$(statuses "$WORK/out.csv" | grep -o '[0-9]* failed:uncertain')" "5 failed:uncertain" \
    "spike (amplemarket): its 5 rows end failed:uncertain"
python3 - "$WORK/out.csv" "$WORK/gold-amplemarket.csv" <<'EOF'
import csv, sys
got = list(csv.reader(open(sys.argv[1], newline="")))
gold = list(csv.reader(open(sys.argv[2], newline="")))
ok = len(got) == len(gold) and all(g == w or g[-1] == "failed:uncertain" for g, w in zip(got, gold))
sys.exit(0 if ok else 1)
EOF
ok $? "spike (amplemarket): every other row as the clean run"
is "$(sandbox_stat double_charged)" 0 "spike (amplemarket): nothing charged twice"

# ------------------------------------------------------------ stalls, holes, resets
net_start --job-ms 300 -- 'GET 1:stall'
enrich thehog "$WORK/out.csv" --timeout 1
case_gold $? "a poll never answered (thehog)" thehog

net_start -- 'POST 1:stall'
enrich thehog "$WORK/out.csv" --timeout 1
case_gold $? "a submit taken (and charged) but never answered (thehog)" thehog

net_start --drop-after 0.3
enrich thehog "$WORK/out.csv" --batch-size 2 --concurrency 1
case_gold $? "answers dropped (30%) after the sandbox acted on them (thehog)" thehog
ge2() { [ "$1" -ge "$2" ]; }
ge2 "$(sandbox_stat faults.dropped_after)" 1
ok $? "  and the sandbox did drop some ($(sandbox_stat faults.dropped_after))"

net_start -- 'POST 1:blackhole'
enrich thehog "$WORK/out.csv" --timeout 1
case_gold $? "a submit swallowed by a black hole (thehog)" thehog

net_start -- 'POST 1-2:reset'
enrich thehog "$WORK/out.csv"
case_gold $? "two submits reset before an answer (thehog)" thehog

# ------------------------------------------------------------ broken bodies
net_start --job-ms 300 -- 'GET 1:cut'
enrich thehog "$WORK/out.csv"
case_gold $? "a poll answer cut in half (thehog)" thehog

net_start --job-ms 300 -- 'GET 1:trickle:500'
enrich thehog "$WORK/out.csv" --timeout 2
case_gold $? "a poll answer trickled a byte every 0.5 s, past --timeout (thehog)" thehog

# ------------------------------------------------------------ 5xx bursts
net_start -- 'POST 1-4:status:503'
enrich thehog "$WORK/out.csv"
case_gold $? "a burst of four 503 with Retry-After (thehog)" thehog

net_start -- 'POST 1-3:status:500'
enrich thehog "$WORK/out.csv"
case_gold $? "a burst of three 500, within the retry budget (thehog)" thehog
is "$(faulted status)/$(grep -c ' POST ' "$WORK/px.log")" 3/4 \
    "three 500 (thehog): the submit went through on the fourth try"

# ------------------------------------------------------------ 429 storm
# 2 requests a minute: once the bucket is spent every answer is 429 with a
# Retry-After of up to 30 s, longer than --job-timeout 3. The run must not
# give up before the job timeout, nor wait past it: rows end
# failed:job_timeout, the batch stays open in the journal, and once the
# limit is lifted a rerun completes it with the same Idempotency-Key.
net_start --rate-limit 2/min --log "$WORK/sb.log"
curl -s -o /dev/null "$SB_URL/api/enrichments"
curl -s -o /dev/null "$SB_URL/api/enrichments"
enrich thehog "$WORK/out.csv" --job-timeout 3
is "$?" 0 "429 storm, Retry-After past --job-timeout (thehog): exits 0"
is "$(statuses "$WORK/out.csv")" "10 failed:job_timeout" \
    "429 storm (thehog): rows end failed:job_timeout"
ge2 "$(grep -c '"status":429' "$WORK/sb.log")" 1
ok $? "429 storm (thehog): the sandbox answered 429"
curl -s -X POST -o /dev/null "$SB_URL/_sandbox/reset"
enrich thehog "$WORK/out.csv" --job-timeout 30
case_gold $? "429 storm, then the limit lifted: a rerun (thehog)" thehog
keys=$(grep '"POST"' "$WORK/sb.log" | sed -n 's/.*"idempotency_key":"\([^"]*\)".*/\1/p' | sort -u | wc -l)
is "$keys" 1 "429 storm (thehog): every submit of the batch carried the same key"

# ------------------------------------------------------------ a job that never finishes
# The job takes 4 s, --job-timeout is 1 s: rows end failed:job_timeout and
# the journal keeps the job id; a rerun once the job is done polls it
# (no new submit) and ends as a clean run.
net_start --job-ms 4000
enrich thehog "$WORK/out.csv" --job-timeout 1
is "$?" 0 "a job past --job-timeout (thehog): exits 0"
is "$(statuses "$WORK/out.csv")" "10 failed:job_timeout" "job past --job-timeout: rows end failed:job_timeout"
zstd -dc "$WORK/j.zst" 2>/dev/null | grep -q '"t":"job"'
ok $? "job past --job-timeout: the journal holds the job's checkpoint"
sleep 4
enrich thehog "$WORK/out.csv"
case_gold $? "the job done, a rerun (thehog)" thehog
is "$(grep -c ' POST ' "$WORK/px.log")" 1 "the rerun polled the job: no second submit"

done_testing

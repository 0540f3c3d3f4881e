# tests/e2e/e2e_lib.sh - helpers for the engine's end-to-end tests (sourced
# after lib.sh): several sandboxes at once, the oracle, shared checks.
# shellcheck shell=sh

CHECK="python3 $TESTS_SRC/e2e/e2e_check.py"
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
unset ENRICHCSV_PROVIDER ENRICHCSV_JOURNAL THEHOG_ACCESS_KEY THEHOG_SECRET_KEY
export AMPLEMARKET_API_KEY=test-key THEHOG_API_KEY=test-key

# ge A B DESCRIPTION: a TAP line passing when A >= B (numbers, decimals allowed)
ge() {
    if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; then ok 0 "$3"; else
        ok 1 "$3"; echo "#   $1 < $2"; fi
}

# ------------------------------------------------------------------ sandboxes

# sb NAME [ARGS...]: start a sandbox of its own (a fresh log in $WORK/NAME.log);
# sets URL_<NAME>; several may run at once. sb_port NAME PORT ARGS starts
# one on a given port (a restart keeping the journal's endpoint).
_sb_pids=
sb() {
    _n=$1
    shift
    sb_port "$_n" 0 "$@"
}
sb_port() {
    _n=$1 _p=$2
    shift 2
    rm -f "$WORK/$_n.port" "$WORK/$_n.log"
    "$SANDBOX" --port "$_p" --port-file "$WORK/$_n.port" --log "$WORK/$_n.log" -q "$@" \
        2>>"$WORK/$_n.err" &
    eval "SBPID_$_n=$!"
    _sb_pids="$_sb_pids $!"
    for _i in $(seq 1 200); do [ -s "$WORK/$_n.port" ] && break; sleep 0.05; done
    [ -s "$WORK/$_n.port" ] || { echo "Bail out! sandbox $_n did not start: $(cat "$WORK/$_n.err")"; exit 1; }
    eval "URL_$_n=http://127.0.0.1:$(cat "$WORK/$_n.port")"
}
sb_stop() {
    eval "_pid=\$SBPID_$1"
    [ -n "$_pid" ] && kill "$_pid" 2>/dev/null && wait "$_pid" 2>/dev/null
    eval "SBPID_$1="
}
_e2e_cleanup() {
    for _pid in $_sb_pids; do kill "$_pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap _e2e_cleanup EXIT

# sbstats NAME: set S_requests, S_double (double_charged), S_credits,
# S_rate_limited, S_fail_5xx, S_dropped, S_malformed, S_paid_pairs
sbstats() {
    eval "_u=\$URL_$1"
    eval "$(curl -s "$_u/_sandbox/stats?charges=1" | $CHECK stats)"
}
# charges NAME FILE: the (person, field) pairs NAME charged, one a line
charges() {
    eval "_u=\$URL_$1"
    curl -s "$_u/_sandbox/stats?charges=1" | python3 -c 'import json,sys
for c in json.load(sys.stdin)["charges"]:
    if c["amount"] > 0: print(c["person"], c["field"])' | sort >"$2"
}
# logq NAME EXPR: a Python expression over L = the sandbox's log lines
# (dicts), requests to /burn (see burn) left out
logq() {
    python3 -c 'import json,sys
L=[json.loads(x) for x in open(sys.argv[1])]
L=[x for x in L if not x["path"].endswith("/burn")]
print(eval(sys.argv[2]))' "$WORK/$1.log" "$2"
}
# burn NAME N: spend N requests of the sandbox's rate-limit bucket (The Hog's
# and Amplemarket's share nothing, so both are spent)
burn() {
    eval "_u=\$URL_$1"
    _cfg="$WORK/burn.cfg"
    : >"$_cfg"
    for _i in $(seq 1 "$2"); do
        printf 'url = "%s/api/operations/burn"\noutput = "/dev/null"\n' "$_u" >>"$_cfg"
        printf 'url = "%s/people/enrichment-requests/burn"\noutput = "/dev/null"\n' "$_u" >>"$_cfg"
    done
    curl -s -H 'Authorization: Bearer test-key' -K "$_cfg"
}

# ------------------------------------------------------------------ runs

# make_gold N NOID: $WORK/in.csv (gen_leads N NOID) and a clean run of it
# through each provider, $WORK/gold-amplemarket.csv and gold-thehog.csv
make_gold() {
    gen_leads "$1" "$2" >"$WORK/in.csv"
    sb gold --job-ms 0
    for _g in amplemarket thehog; do
        J=$WORK/gold.zst enrich gold $_g <"$WORK/in.csv" >"$WORK/gold-$_g.csv" 2>"$WORK/gold.err"
        is "$?/$(status_counts "$WORK/gold-$_g.csv" | grep -c enriched)" 0/1 "$_g: a clean run (the gold)"
    done
    sb_stop gold
}

# enrich NAME PROVIDER [ARGS...] <in >out: enrichcsv against sandbox NAME
# with fast polls and the journal $J (default $WORK/NAME.j.zst)
enrich() {
    eval "_u=\$URL_$1"
    _j=${J:-$WORK/$1.j.zst}
    _p=$2
    shift 2
    "$ENRICHCSV" -p "$_p" --base-url "$_u" --poll-interval 0.1 -j "$_j" "$@"
}
# enrich_bg NAME PROVIDER [ARGS...] <in >out &: enrich, with enrichcsv
# replacing the background subshell, so $! is enrichcsv's own pid
enrich_bg() {
    eval "_u=\$URL_$1"
    _j=${J:-$WORK/$1.j.zst}
    _p=$2
    shift 2
    exec "$ENRICHCSV" -p "$_p" --base-url "$_u" --poll-interval 0.1 -j "$_j" "$@"
}
# status_counts FILE: "status=count ..." of a CSV output's last column
status_counts() {
    python3 -c 'import csv,sys,collections
r=list(csv.reader(open(sys.argv[1], newline="", errors="surrogateescape")))[1:]
c=collections.Counter(x[-1] for x in r)
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$1"
}
# statuses FILE: the last column of a CSV output, one a line
statuses() {
    python3 -c 'import csv,sys
for x in list(csv.reader(open(sys.argv[1], newline="", errors="surrogateescape")))[1:]: print(x[-1])' "$1"
}

# gen_leads N [NOID]: N rows of unique ASCII leads with work emails, after
# NOID rows without any identifier (they finish at once)
gen_leads() {
    python3 -c 'import sys
n, noid = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0
print("First Name,Last Name,Company Name,Work Email,LinkedIn URL")
for i in range(noid): print("Nobody,None%d,," % i + ",")
for i in range(n):
    li = "https://www.linkedin.com/in/lead-%04d" % i if i % 3 == 0 else ""
    print("Lead,Number%d,Corp %d,lead%d@corp%d.test,%s" % (i, i % 7, i, i % 7, li))' "$@"
}

# provider_suite PROVIDER LIMIT: data/leads.csv through a provider against
# the oracle; the request log's batch sizes, duplicates and keys; NDJSON;
# --batch-size; a rerun answered from the journal.
provider_suite() {
    P=$1 LIMIT=$2
    IN=$DATA/leads.csv
    sb oracle --job-ms 0
    eval "$($CHECK oracle "$P" "$URL_oracle" "$IN" "$WORK/expected.json")"
    ge "${O_identities:-0}" 100 "the oracle looked every row up through $P's own API (one lead per job)"
    sb_stop oracle

    sb run
    enrich run "$P" <"$IN" >"$WORK/out.csv" 2>"$WORK/err"
    is $? 0 "$P: data/leads.csv exits 0"
    $CHECK compare "$IN" "$WORK/out.csv" "$WORK/expected.json"
    ok $? "$P: every row once, in input order, fields unchanged, contacts = the provider's answers"
    eval "$($CHECK batches "$WORK/run.log" "$P")"
    echo "# submits: $B_posts, sizes $B_sizes, $B_sum lookups"
    ge "$LIMIT" "$B_max" "$P: no submit above the limit of $LIMIT"
    is "$B_posts/$B_accepted/$B_max/$((B_nsizes <= 2))" "$B_posts/$B_posts/100/1" \
        "$P: batches fill to the default of 100 (all but the last)"
    is "$B_sum" "$O_identities" \
        "$P: each person submitted once ($O_identities people in 1000 rows with duplicates)"
    sbstats run
    is "$S_double" 0 "$P: double_charged is 0"
    ge "$S_credits" 1 "$P: the run was charged (the counters work)"
    if [ "$P" = thehog ]; then
        is "$B_without_key" 0 "thehog: an Idempotency-Key on every submit"
        is "$B_keys/$B_key_reused" "$B_posts/0" "thehog: a key of its own per batch"
    fi

    posts=$B_posts
    enrich run "$P" <"$IN" >"$WORK/again.csv" 2>"$WORK/err"
    is $? 0 "$P: a rerun on the same journal exits 0"
    same_file "$WORK/again.csv" "$WORK/out.csv" "$P: the rerun's output is byte-identical"
    eval "$($CHECK batches "$WORK/run.log" "$P")"
    is "$B_posts" "$posts" "$P: the rerun submits nothing (answered from the journal)"

    sb nd
    enrich nd "$P" <"$DATA/leads.ndjson" >"$WORK/out.ndjson" 2>"$WORK/err"
    is $? 0 "$P: data/leads.ndjson exits 0"
    $CHECK compare "$DATA/leads.ndjson" "$WORK/out.ndjson" "$WORK/expected.json"
    ok $? "$P: NDJSON rows keep their keys and values and get the provider's answers"
    $CHECK same-enrichment "$WORK/out.csv" "$WORK/out.ndjson"
    ok $? "$P: NDJSON input gets the same enrichment as CSV"
    sb_stop nd

    sb bs
    enrich bs "$P" --batch-size 37 <"$IN" >"$WORK/out37.csv" 2>"$WORK/err"
    is $? 0 "$P: --batch-size 37 exits 0"
    eval "$($CHECK batches "$WORK/bs.log" "$P")"
    is "$B_max/$((B_nsizes <= 2))" "37/1" "$P: --batch-size 37 is honoured (sizes $B_sizes)"
    $CHECK compare "$IN" "$WORK/out37.csv" "$WORK/expected.json"
    ok $? "$P: the same answers with smaller batches"
    sb_stop bs
}

# tests/lib.sh - shared helpers for end-to-end tests (sourced; POSIX sh + bash).
# Each test script prints TAP: call plan N first or done_testing at the end.
# Environment from make check: ENRICHCSV, SANDBOX, TESTS_SRC, top_srcdir, top_builddir.

: "${ENRICHCSV:=$PWD/enrichcsv}"
: "${SANDBOX:=$PWD/enrichcsv-sandbox}"
: "${TESTS_SRC:=$(cd "$(dirname "$0")/.." && pwd)}"
DATA="$TESTS_SRC/../data"

_tap_n=0
_tap_fail=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ectest.XXXXXX")
SB_PID=

# cleanup (the EXIT trap): stops the sandbox of sandbox_start and every one
# sb_up started, then removes the scratch directory
cleanup() {
    for _p in "$WORK"/*/sb.pid; do
        [ -s "$_p" ] && kill "$(cat "$_p")" 2>/dev/null
    done
    [ -n "$SB_PID" ] && kill "$SB_PID" 2>/dev/null && wait "$SB_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

plan() { echo "1..$1"; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_fail" -eq 0 ]; }

# ok COND-EXIT-STATUS DESCRIPTION: pass when the previous command's status is 0
ok() {
    _tap_n=$((_tap_n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else
        echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
}

# is GOT WANT DESCRIPTION
is() {
    _tap_n=$((_tap_n + 1))
    if [ "$1" = "$2" ]; then echo "ok $_tap_n - $3"; else
        echo "not ok $_tap_n - $3"; echo "#   got:  '$1'"; echo "#   want: '$2'"
        _tap_fail=$((_tap_fail + 1)); fi
}

# same_file GOT WANT DESCRIPTION: byte comparison with a diff on failure
same_file() {
    _tap_n=$((_tap_n + 1))
    if cmp -s "$1" "$2"; then echo "ok $_tap_n - $3"; else
        echo "not ok $_tap_n - $3"; diff -u "$2" "$1" 2>&1 | head -40 | sed 's/^/#   /'
        _tap_fail=$((_tap_fail + 1)); fi
}

skip_all() { echo "1..0 # SKIP $1"; exit 0; }

# sandbox_start [ARGS...]: start enrichcsv-sandbox on a free loopback port;
# sets SB_PORT and SB_URL. Extra args are passed to the sandbox.
sandbox_start() {
    rm -f "$WORK/sb.port"
    "$SANDBOX" --port 0 --port-file "$WORK/sb.port" "$@" >"$WORK/sb.out" 2>"$WORK/sb.err" &
    SB_PID=$!
    for _i in $(seq 1 200); do
        [ -s "$WORK/sb.port" ] && break
        sleep 0.05
    done
    SB_PORT=$(cat "$WORK/sb.port" 2>/dev/null)
    [ -n "$SB_PORT" ] || { echo "Bail out! sandbox did not start: $(cat "$WORK/sb.err")"; exit 1; }
    SB_URL="http://127.0.0.1:$SB_PORT"
}

sandbox_stop() {
    [ -n "$SB_PID" ] && kill "$SB_PID" 2>/dev/null && wait "$SB_PID" 2>/dev/null
    SB_PID=
}

# sandbox_stat JSONPATH: a number from GET /_sandbox/stats (needs python3)
sandbox_stats() { curl -s "$SB_URL/_sandbox/stats"; }
sandbox_stat() {
    sandbox_stats | python3 -c 'import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d=d.get(k, 0) if isinstance(d, dict) else 0
print(d)' "$1"
}

# isolate_env: no provider key, default provider, journal or sandbox flags
# from the caller's environment, and state and config under $WORK
isolate_env() {
    unset AMPLEMARKET_API_KEY THEHOG_API_KEY THEHOG_ACCESS_KEY THEHOG_SECRET_KEY \
        OPENFUNNEL_API_KEY OPENFUNNEL_USER_ID WOODPECKER_API_KEY LANCE_API_TOKEN \
        ENRICHCSV_PROVIDER ENRICHCSV_JOURNAL ENRICHCSV_SANDBOX ENRICHCSV_SANDBOX_ARGS
    export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
}

# sb_up DIR [SANDBOX ARGS...]: start another sandbox whose state lives in
# DIR (so several can run at once); prints its base URL. The pid is in
# DIR/sb.pid; cleanup stops it.
sb_up() {
    _d=$1
    shift
    mkdir -p "$_d"
    rm -f "$_d/sb.port"
    "$SANDBOX" -q --port 0 --port-file "$_d/sb.port" "$@" >/dev/null 2>"$_d/sb.err" &
    echo $! >"$_d/sb.pid"
    _i=0
    while [ ! -s "$_d/sb.port" ] && [ $_i -lt 400 ]; do
        sleep 0.025
        _i=$((_i + 1))
    done
    [ -s "$_d/sb.port" ] || { echo "Bail out! sandbox did not start: $(cat "$_d/sb.err")"; exit 1; }
    echo "http://127.0.0.1:$(cat "$_d/sb.port")"
}

# sb_down DIR: stop the sandbox sb_up DIR started (SIGTERM; it may take a
# moment to exit, which nobody waits for).
sb_down() {
    [ -s "$1/sb.pid" ] || return 0
    kill "$(cat "$1/sb.pid")" 2>/dev/null
    rm -f "$1/sb.pid"
}

# sb_last URL NAME: the last number named NAME in that sandbox's stats, which
# for the top-level counters that also appear per provider (double_charged,
# credits_charged, credits_left) is the total. No python: a python start
# costs more CPU than a whole enrichcsv run.
sb_last() {
    curl -s "$1/_sandbox/stats" | sed -n 's/.*"'"$2"'":\(-\{0,1\}[0-9][0-9.]*\).*/\1/p'
}

# sb_helpers.sh - helpers for the sandbox's own e2e tests (sourced after
# lib.sh): curl calls that keep status, body and headers, and JSON checks
# that run one python3 for many assertions.

# python3 for the checks: Debian's own when present (a version manager's
# shim can cost half a second per start, and the checks start it often).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# call METHOD PATH [CURL ARGS...]: prints the status; body in $WORK/body,
# headers in $WORK/hdr, curl's exit status in $WORK/rc.
call() {
    _m=$1 _p=$2
    shift 2
    curl -sg -o "$WORK/body" -D "$WORK/hdr" -w '%{http_code}' -X "$_m" "$@" "$SB_URL$_p"
    echo $? >"$WORK/rc"
}

# jcheck FILE 'EXPR|WANT|DESCRIPTION'...: one TAP line per check; EXPR (which
# may hold "|", WANT and DESCRIPTION may not) is a
# Python expression over d, the JSON in FILE (d = {"invalid JSON": why} when
# it does not parse), compared as text with WANT.
jcheck() {
    _f=$1
    shift
    $PY - "$_f" "$@" >"$WORK/checks" <<'EOF'
import json, re, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    d = {"invalid JSON": str(e)}
for arg in sys.argv[2:]:
    expr, want, desc = arg.rsplit("|", 2)
    try:
        got = str(eval(expr))
    except Exception as e:
        got = "error: %r" % e
    print("%s\t%s\t%s" % (got.replace("\t", " ").replace("\n", " "), want, desc))
EOF
    while IFS='	' read -r _got _want _desc; do is "$_got" "$_want" "$_desc"; done <"$WORK/checks"
}

# body CHECK...: jcheck on the last call's body. stats CHECK...: on /_sandbox/stats.
body() { jcheck "$WORK/body" "$@"; }
stats() {
    sandbox_stats >"$WORK/stats.json"
    jcheck "$WORK/stats.json" "$@"
}
# hdr NAME: a header of the last call's answer.
hdr() { grep -i "^$1:" "$WORK/hdr" | head -1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'; }

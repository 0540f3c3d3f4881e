#!/bin/sh
# Golden cases: a command, its expected stdout byte for byte and its exit
# status (tests/golden/README). GOLDEN_UPDATE=1 rewrites the expectations.
. "$TESTS_SRC/lib.sh"
G="$TESTS_SRC/golden"
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config" ENRICHCSV DATA
unset ENRICHCSV_JOURNAL ENRICHCSV_PROVIDER ENRICHCSV_SANDBOX_ARGS
for cmd in "$G"/*.cmd; do
    name=$(basename "$cmd" .cmd)
    (cd "$WORK" && sh -c "$(cat "$cmd")") >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
    want_rc=0
    [ -f "$G/$name.rc" ] && want_rc=$(cat "$G/$name.rc")
    if [ -n "$GOLDEN_UPDATE" ]; then
        cp "$WORK/$name.out" "$G/$name.out"
        [ "$rc" -ne 0 ] && echo "$rc" >"$G/$name.rc"
    fi
    same_file "$WORK/$name.out" "$G/$name.out" "$name: stdout as expected"
    is "$rc" "$want_rc" "$name: exit status $want_rc"
    if [ -f "$G/$name.err" ]; then
        grep -qF "$(cat "$G/$name.err")" "$WORK/$name.err"
        ok $? "$name: stderr says '$(cat "$G/$name.err")'"
    fi
done
done_testing

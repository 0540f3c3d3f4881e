#!/bin/sh
# harden_valgrind.sh - one normal run under valgrind's memcheck: a 5-row
# --sandbox run of The Hog with a journal (its child sandbox runs natively),
# then a rerun answered from that journal. Neither may leak (definite or
# indirect) nor touch memory it should not (--error-exitcode). Skipped
# without valgrind or under sanitizers (they cannot run together).
. "$TESTS_SRC/lib.sh"

command -v valgrind >/dev/null || skip_all "no valgrind"
if ldd "$ENRICHCSV" 2>/dev/null | grep -q 'libasan\|libubsan'; then
    skip_all "sanitizer build"
fi
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
head -6 "$DATA/leads.csv" >"$WORK/in.csv"

vg() {
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --log-file="$WORK/vg.$1.log" "$ENRICHCSV" -q --sandbox -p thehog -j "$WORK/j.zst" \
        "$WORK/in.csv" >"$WORK/$1.csv" 2>"$WORK/$1.err"
}

vg first
rc=$?
is "$rc" 0 "a --sandbox run under valgrind: no leak, no memory error"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$WORK/vg.first.log" | head -30
is "$(wc -l <"$WORK/first.csv" | tr -d ' ')" 6 "  and it wrote its 5 rows"
vg rerun
rc=$?
is "$rc" 0 "a rerun answered from the journal under valgrind: no leak, no memory error"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$WORK/vg.rerun.log" | head -30
same_file "$WORK/rerun.csv" "$WORK/first.csv" "  with the same output"
done_testing

#!/bin/sh
# --sandbox starts a new simulator every run: a run cut short (| head) leaves
# open jobs in the journal that the next simulator never heard of. The rerun
# must submit those lookups again (never report them failed), and its output
# must equal a journal-free run's.
. "$TESTS_SRC/lib.sh"
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
unset ENRICHCSV_JOURNAL ENRICHCSV_SANDBOX_ARGS
"$ENRICHCSV" --sandbox -p amplemarket <"$DATA/leads.csv" 2>/dev/null | head -1 >/dev/null
"$ENRICHCSV" --sandbox -p amplemarket <"$DATA/leads.csv" >"$WORK/rerun.csv" 2>"$WORK/rerun.err"
is $? 0 "the rerun after an interrupted --sandbox run exits 0"
grep -c 'failed:' "$WORK/rerun.csv" >"$WORK/nfail"
is "$(cat "$WORK/nfail")" "0" "no row is reported failed"
"$ENRICHCSV" --sandbox --no-journal -p amplemarket <"$DATA/leads.csv" >"$WORK/clean.csv" 2>/dev/null
same_file "$WORK/rerun.csv" "$WORK/clean.csv" "the rerun's output equals a journal-free run's"
"$ENRICHCSV" --sandbox -p amplemarket <"$DATA/leads.csv" >"$WORK/third.csv" 2>"$WORK/third.err"
same_file "$WORK/third.csv" "$WORK/clean.csv" "a third run answers from the journal with the same output"
grep -q "1000 rows read: .* 9[0-9][0-9] answered from journal\|956 answered from journal" "$WORK/third.err"
ok $? "the third run answers every identified row from the journal ($(grep -o '[0-9]* answered from journal' "$WORK/third.err"))"

# enrichcsv killed with SIGKILL cannot stop its simulator: the simulator
# must go by itself (the kernel's parent-death signal), not serve on
children() { # the pids whose parent is $1
    for d in /proc/[0-9]*; do
        [ "$(awk '{ print $4 }' "$d/stat" 2>/dev/null)" = "$1" ] && echo "${d#/proc/}"
    done
}
alive() { # $1 runs and is not a zombie
    st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ]
}
mkfifo "$WORK/slow"
"$ENRICHCSV" --sandbox --no-journal -p thehog <"$WORK/slow" >/dev/null 2>&1 &
pid=$!
exec 9>"$WORK/slow"
echo "name,linkedin_url" >&9 # the header: the rows never come
sb=
for i in $(seq 100); do
    sb=$(children "$pid")
    [ -n "$sb" ] && [ -e "${TMPDIR:-/tmp}/enrichcsv-sandbox.$pid.port" ] && break
    sleep 0.1
done
ok "$( [ -n "$sb" ] && alive "$sb" && echo 0 || echo 1)" "enrichcsv --sandbox runs its simulator (pid ${sb:-none})"
kill -9 "$pid"
wait "$pid" 2>/dev/null
exec 9>&-
gone=1
for i in $(seq 50); do
    alive "$sb" || { gone=0; break; }
    sleep 0.1
done
ok "$gone" "enrichcsv killed with SIGKILL: its simulator exits too"
alive "$sb" && kill "$sb"
done_testing

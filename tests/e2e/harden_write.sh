#!/bin/sh
# harden_write.sh - write failures on the journal and on stdout, injected
# with strace (-e inject=write:error=E:when=N, and on fdatasync): a
# 12-row The Hog run in 3 batches makes a dozen writes (journal frames and
# output chunks, told apart by the fd strace shows for the injected call).
# For every N: a journal write or fdatasync gets ENOSPC (odd N) or EIO (even
# N), an output write each of ENOSPC, EIO and EPIPE. Expected:
# - journal write or fdatasync fails (ENOSPC, EIO): exit 1 with the reason;
# - stdout write fails with ENOSPC or EIO: exit 1 with the reason; with
#   EPIPE: a quiet exit 0 (SPEC: "| head" stops quietly);
# - the journal passes zstd -t and --journal-stats reads it;
# - a rerun without the fault exits 0 with output byte-identical to a clean
#   run, and the sandbox charged no lookup twice (a fresh sandbox per case,
#   so its Idempotency-Key memory from an earlier case cannot hide one).
. "$TESTS_SRC/lib.sh"

command -v strace >/dev/null || skip_all "no strace"
strace -o /dev/null true 2>/dev/null || skip_all "strace cannot trace here (ptrace refused)"
command -v timeout >/dev/null || skip_all "no timeout(1)"
# LeakSanitizer cannot stop the world under ptrace
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config" THEHOG_API_KEY=k
head -13 "$DATA/leads.csv" >"$WORK/in.csv"

# enrich JOURNAL OUT [STRACE-ARGS...]: one run; $? is enrichcsv's status
enrich() {
    _j=$1 _o=$2
    shift 2
    if [ $# -gt 0 ]; then
        set -- strace -o "$WORK/trace" -e trace=write,fdatasync "$@"
    fi
    timeout 60 "$@" "$ENRICHCSV" -q -p thehog --base-url "$SB_URL" -j "$_j" --batch-size 4 \
        --poll-interval 0.05 "$WORK/in.csv" >"$_o" 2>"$_o.err"
}

sandbox_start --job-ms 0
enrich "$WORK/ref.zst" "$WORK/ref.csv"
is "$?" 0 "clean run"
is "$(wc -l <"$WORK/ref.csv")" 13 "clean run: header and 12 rows"
enrich "$WORK/count.zst" "$WORK/count.csv" -qq
same_file "$WORK/count.csv" "$WORK/ref.csv" "the same under strace"
writes=$(grep -c '^write(' "$WORK/trace")
syncs=$(grep -c '^fdatasync(' "$WORK/trace")
jw=$(grep -c '^write(\([3-9]\|[1-9][0-9]\),' "$WORK/trace")
[ "$jw" -ge 4 ] && [ "$writes" -gt "$jw" ] && [ "$syncs" -ge 4 ]
ok $? "a run makes $writes writes ($jw to the journal) and $syncs fdatasyncs"

bad=0 cases=0 jcases=0 ocases=0 scases=0
# check CASE STATUS FD ERRNO-NAME: judge one injected run, then rerun
check() {
    _case=$1 _rc=$2 _fd=$3 _e=$4
    cases=$((cases + 1))
    case $_fd in
    1) ocases=$((ocases + 1)) ;;
    journal) scases=$((scases + 1)) ;;
    *) jcases=$((jcases + 1)) ;;
    esac
    _why=
    case "$_fd:$_e" in
    1:EPIPE) [ "$_rc" -eq 0 ] && ! grep -q '^enrichcsv: error' "$WORK/out.csv.err" ||
        _why="stdout EPIPE: exit $_rc, want a quiet 0" ;;
    *:ENOSPC | *:EIO)
        _msg="No space left on device"
        [ "$_e" = EIO ] && _msg="Input/output error"
        [ "$_rc" -eq 1 ] && grep -q "$_msg" "$WORK/out.csv.err" ||
            _why="exit $_rc, want 1 with '$_msg': $(head -2 "$WORK/out.csv.err" | tr '\n' ' ')"
        ;;
    esac
    if [ -s "$WORK/j.zst" ] && ! zstd -tq "$WORK/j.zst" 2>/dev/null; then
        _why="$_why; journal fails zstd -t"
    elif [ -e "$WORK/j.zst" ] && ! "$ENRICHCSV" --journal-stats -j "$WORK/j.zst" >/dev/null 2>&1; then
        _why="$_why; --journal-stats cannot read the journal"
    fi
    enrich "$WORK/j.zst" "$WORK/again.csv"
    _rc2=$?
    if [ "$_rc2" -ne 0 ] || ! cmp -s "$WORK/again.csv" "$WORK/ref.csv"; then
        _why="$_why; rerun exit $_rc2, output $(cmp -s "$WORK/again.csv" "$WORK/ref.csv" && echo same || echo differs)"
    fi
    _dc=$(sandbox_stat double_charged)
    [ "$_dc" = 0 ] || _why="$_why; double_charged=$_dc"
    if [ -n "$_why" ]; then
        bad=$((bad + 1))
        echo "# $_case (fd $_fd): ${_why#; }"
    fi
}

# fresh_case: a new sandbox and no journal
fresh_case() {
    sandbox_stop
    sandbox_start --job-ms 0
    rm -f "$WORK/j.zst" "$WORK/trace"
}

# the fd of each write of the clean traced run, in order (the order may
# shift a little from run to run: the injected run says which fd it hit)
fds=$(sed -n 's/^write(\([0-9]*\),.*/\1/p' "$WORK/trace" | tr '\n' ' ')
n=0
for planned in $fds; do
    n=$((n + 1))
    errs="ENOSPC EIO EPIPE" # stdout: all three
    if [ "$planned" -ne 1 ]; then # journal (or stderr): one error, alternating
        errs=ENOSPC
        [ $((n % 2)) -eq 0 ] && errs=EIO
    fi
    for e in $errs; do
        fresh_case
        enrich "$WORK/j.zst" "$WORK/out.csv" -e inject=write:error=$e:when=$n
        rc=$?
        fd=$(sed -n 's/^write(\([0-9]*\),.*(INJECTED)$/\1/p' "$WORK/trace" | head -1)
        if [ -z "$fd" ]; then # this run made fewer writes: nothing was injected
            [ "$rc" -eq 0 ] || { bad=$((bad + 1)); echo "# write $n $e: not injected, yet exit $rc"; }
            continue
        fi
        [ "$fd" -ne 1 ] && [ "$e" = EPIPE ] && continue # EPIPE only means something on a pipe
        check "write $n $e" "$rc" "$fd" "$e"
    done
done
# Timing can move every write planned for stdout onto another fd (seen in
# CI under ASan: 0 output cases). Then try the writes from the last back
# (a run writes its output at the end) until one fault lands on stdout.
n=$(($(echo $fds | wc -w) + 2)) # a run may make a write or two more
while [ "$ocases" -eq 0 ] && [ "$n" -ge 1 ]; do
    fresh_case
    enrich "$WORK/j.zst" "$WORK/out.csv" -e inject=write:error=EIO:when=$n
    rc=$?
    fd=$(sed -n 's/^write(\([0-9]*\),.*(INJECTED)$/\1/p' "$WORK/trace" | head -1)
    if [ -n "$fd" ]; then
        check "write $n EIO (looking for stdout)" "$rc" "$fd" EIO
    elif [ "$rc" -ne 0 ]; then
        bad=$((bad + 1))
        echo "# write $n EIO: not injected, yet exit $rc"
    fi
    n=$((n - 1))
done
n=1
while [ "$n" -le "$syncs" ]; do
    fresh_case
    e=ENOSPC
    [ $((n % 2)) -eq 0 ] && e=EIO
    enrich "$WORK/j.zst" "$WORK/out.csv" -e inject=fdatasync:error=$e:when=$n
    rc=$?
    if grep -q '^fdatasync(.*(INJECTED)$' "$WORK/trace"; then
        check "fdatasync $n $e" "$rc" journal $e
    fi
    n=$((n + 1))
done
echo "# $cases injected cases"
is "$bad" 0 "every injected write or sync failure: right exit and reason, journal readable, rerun identical, nothing charged twice"
# how many writes a run makes, and which of them go to stdout, shifts with
# timing (output chunks, polls): a later run may end before write N, or put
# another fd there. What must hold is that every kind of fault was injected
# (a run makes >= 4 journal writes and fdatasyncs, test 4, and 1-3 output
# writes)
[ "$jcases" -ge 4 ] && [ "$ocases" -ge 1 ] && [ "$scases" -ge 4 ]
ok $? "the faults were injected: $jcases on journal writes, $ocases on output writes, $scases on fdatasync"
done_testing

#!/bin/sh
# harden_memory.sh - bounded memory: an endless stream of new rows on stdin
# (a generator that never stops) through enrichcsv against a sandbox that is
# the bottleneck, under ulimit -v. The rows are Lance person ids: Lance
# documents no rate limit, so rows flow fast enough to judge (The Hog's
# 600 requests/min held a stream to about 250 rows/s here, too few in the
# time: these checks used to SKIP, in CI too). VmRSS is sampled with the
# number of rows written so far; once the reorder window is full (4096 rows) memory must
# stay flat while rows keep flowing: the growth from the early samples to
# the late ones, per row written in between, must stay under 256 bytes (the
# journal's index costs 8 bytes a result; rows themselves must not stay).
# The run is stopped with SIGTERM after 40000 rows or 40 samples (exit 143). With
# --no-journal the same must hold: finished lookups go to a private ledger in
# an unlinked temporary file (to answer duplicates), not to memory. Then a
# --no-journal run with duplicates must look each distinct row up once, and
# leave no temporary file behind. Needs 4000 rows through after the early
# samples to judge (else SKIP). Skipped under sanitizers (ASan's quarantine
# and shadow memory make RSS and ulimit -v meaningless).
. "$TESTS_SRC/lib.sh"

if ldd "$ENRICHCSV" 2>/dev/null | grep -q 'libasan\|libubsan'; then
    skip_all "sanitizer build: RSS and ulimit -v are meaningless under ASan"
fi
[ -r /proc/self/status ] || skip_all "no /proc"
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config" THEHOG_API_KEY=k LANCE_API_TOKEN=k
VLIMIT=131072 # KiB of address space (a run needs about 30 MiB)

sandbox_start --job-ms 0 --latency-ms 1

# stream NAME [ARGS...]: endless rows into enrichcsv (under ulimit -v), sampled
# to $WORK/NAME.samples ("rss_kib rows" lines); sets RC to its exit status.
stream() {
    _n=$1
    shift
    : >"$WORK/$_n.csv"
    (
        ulimit -v $VLIMIT
        awk 'BEGIN { print "person_id"; for (i = 0; ; i++) printf "%08x-0000-4000-8000-%012x\n", i, i }' |
            exec "$ENRICHCSV" -q -p lance --base-url "$SB_URL" --poll-interval 0.05 "$@" \
                >"$WORK/$_n.csv" 2>"$WORK/$_n.err"
    ) &
    _sub=$!
    _pid=
    for _i in $(seq 1 100); do
        _pid=$(pgrep -P "$_sub" -x enrichcsv | head -1)
        [ -n "$_pid" ] && break
        sleep 0.05
    done
    : >"$WORK/$_n.samples"
    _t=0
    while [ -n "$_pid" ] && [ "$_t" -lt 40 ] && kill -0 "$_pid" 2>/dev/null; do
        _rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$_pid/status" 2>/dev/null)
        _rows=$(wc -l <"$WORK/$_n.csv")
        [ -n "$_rss" ] && echo "$_rss $_rows" >>"$WORK/$_n.samples"
        [ "$_rows" -ge 40000 ] && break
        sleep 0.5
        _t=$((_t + 1))
    done
    [ -n "$_pid" ] && kill -TERM "$_pid" 2>/dev/null
    wait "$_sub"
    RC=$?
}

# judge NAME: "rows growth_bytes_per_row" from the samples: early = the
# largest RSS while 4096 rows to half way were out, late = the largest in the last
# quarter of the samples; "-" for growth when too few rows came out
judge() {
    awk '{ rss[NR] = $1; rows[NR] = $2 }
        END {
            e = 0; er = 0; top = (4096 + rows[NR]) / 2
            for (i = 1; i <= NR; i++) if (rows[i] >= 4096 && rows[i] <= top && rss[i] > e) { e = rss[i]; er = rows[i] }
            l = 0; lr = rows[NR]
            for (i = int(NR * 3 / 4); i <= NR; i++) if (i > 0 && rss[i] > l) l = rss[i]
            if (e == 0 || lr - er < 4000) { print lr, "-"; exit }
            printf "%d %d\n", lr, (l - e) * 1024 / (lr - er)
        }' "$WORK/$1.samples"
}

stream journal -j "$WORK/j.zst"
is "$RC" 143 "endless stream, journal: ran under ulimit -v until stopped (SIGTERM: 143)"
set -- $(judge journal)
rows=$1 growth=$2
echo "# journal: $rows rows out; $(head -1 "$WORK/journal.samples" | cut -d' ' -f1) KiB at the start, $(tail -1 "$WORK/journal.samples" | cut -d' ' -f1) KiB at the end; growth $growth B/row"
if [ "$growth" = - ]; then
    _tap_n=$((_tap_n + 1))
    echo "ok $_tap_n # SKIP only $rows rows through: too slow a machine to judge"
else
    [ "$growth" -lt 256 ]
    ok $? "endless stream, journal: memory flat once the window is full ($growth B per row)"
fi
"$ENRICHCSV" --journal-stats -j "$WORK/j.zst" >/dev/null 2>&1
ok $? "endless stream, journal: the journal reads back after the stop"
awk -F, 'NR == 1 { bad = $1 != "person_id"; next }
    $1 != sprintf("%08x-0000-4000-8000-%012x", NR - 2, NR - 2) { bad = 1 } END { exit bad }' "$WORK/journal.csv"
ok $? "endless stream, journal: the rows written are the input's first ones, in order"

# Without a journal, finished lookups go to the run's private ledger (an
# unlinked temporary file under $TMPDIR), not to the engine's table.
mkdir -p "$WORK/tmp"
export TMPDIR="$WORK/tmp"
stream nojournal --no-journal
is "$RC" 143 "endless stream, --no-journal: ran until stopped"
set -- $(judge nojournal)
rows=$1 growth=$2
echo "# --no-journal: $rows rows out; growth $growth B/row"
if [ "$growth" = - ]; then
    _tap_n=$((_tap_n + 1))
    echo "ok $_tap_n # SKIP only $rows rows through: too slow a machine to judge"
else
    [ "$growth" -lt 256 ]
    ok $? "endless stream, --no-journal: memory flat once the window is full ($growth B per row)"
fi

# duplicates are still never paid twice: 300 rows, 100 distinct, 3 passes
awk 'BEGIN { print "email"; for (p = 0; p < 3; p++) for (i = 0; i < 100; i++) printf "dup%d@host.test\n", i }' \
    >"$WORK/dups.csv"
dc=$(sandbox_stat double_charged)
"$ENRICHCSV" -p thehog --base-url "$SB_URL" --poll-interval 0.05 --no-journal \
    "$WORK/dups.csv" >"$WORK/dups.out" 2>"$WORK/dups.err"
ok $? "--no-journal with duplicates: runs"
grep -q '; 100 lookups in ' "$WORK/dups.err"
ok $? "--no-journal with duplicates: each distinct row looked up once ($(tail -1 "$WORK/dups.err"))"
is "$(sandbox_stat double_charged)" "$dc" "--no-journal with duplicates: nothing charged twice"
awk -F, 'NR > 1 { k = $1; $1 = ""; if (k in seen && seen[k] != $0) bad = 1; seen[k] = $0 }
    END { exit bad }' "$WORK/dups.out"
ok $? "--no-journal with duplicates: every copy of a row gets the same answer"
is "$(tail -n +2 "$WORK/dups.out" | wc -l | tr -d ' ')" 300 "--no-journal with duplicates: every row written"
is "$(ls -A "$WORK/tmp" | wc -l | tr -d ' ')" 0 "--no-journal: no temporary file left behind"
done_testing

#!/bin/sh
# signals.sh - SIGINT and SIGTERM stop submitting, keep the journal whole,
# flush the rows finished so far and exit 130 / 143; the same command then
# resumes without paying twice and writes the whole output. A second SIGINT
# exits at once, journal intact. A reader that goes away (| head -1) ends
# the run quietly with status 0.
. "$TESTS_SRC/lib.sh"
unset ENRICHCSV_JOURNAL ENRICHCSV_SANDBOX_ARGS
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
export AMPLEMARKET_API_KEY=k
IN="$DATA/leads.csv"

# The reference: an uninterrupted run (a simulator of its own, no journal).
"$ENRICHCSV" --sandbox --no-journal -q "$IN" >"$WORK/ref.csv"
is $? 0 "reference run"

# wait_for_job JOURNAL PID: until the provider took a job (its id is
# journaled as soon as the answer comes) or the process ended
wait_for_job() {
    for _i in $(seq 1 400); do
        zstdcat "$1" 2>/dev/null | grep -q '"t":"job"' && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
# prefix_of PART WHOLE: PART is the first bytes of WHOLE
prefix_of() {
    head -c "$(wc -c <"$1")" "$2" | cmp -s - "$1"
}

# Jobs take 1.5 s on this simulator, so a run is still waiting for them when
# the signal comes (the signal is sent as soon as the first job is taken).
sandbox_start --job-ms 1500 --latency-ms 50

# ----------------------------------------------------------- SIGINT, then resume
"$ENRICHCSV" -p amplemarket --base-url "$SB_URL" --poll-interval 0.2 -j "$WORK/int.zst" "$IN" \
    >"$WORK/int.csv" 2>"$WORK/int.err" &
pid=$!
wait_for_job "$WORK/int.zst" $pid
ok $? "the run submitted work"
kill -INT $pid
wait $pid
is $? 130 "SIGINT: exit 130"
grep -q "interrupted: stopping" "$WORK/int.err"
ok $? "SIGINT: says it is stopping and that a rerun resumes"
zstd -q -t "$WORK/int.zst"
ok $? "SIGINT: the journal is a valid zstd file"
prefix_of "$WORK/int.csv" "$WORK/ref.csv"
ok $? "SIGINT: the rows written are the first rows of the full output"
[ "$(wc -l <"$WORK/int.csv")" -lt "$(wc -l <"$WORK/ref.csv")" ]
ok $? "SIGINT: came before the end ($(wc -l <"$WORK/int.csv") of $(wc -l <"$WORK/ref.csv") lines)"
charged=$(sandbox_stat credits_charged)
[ "$charged" != 0 ]
ok $? "SIGINT: work was paid for before the signal ($charged credits)"

"$ENRICHCSV" -p amplemarket --base-url "$SB_URL" --poll-interval 0.2 -j "$WORK/int.zst" "$IN" \
    >"$WORK/resumed.csv" 2>"$WORK/resumed.err"
is $? 0 "rerun after SIGINT: exit 0"
cmp -s "$WORK/resumed.csv" "$WORK/ref.csv"
ok $? "rerun after SIGINT: the whole output, as an uninterrupted run"
set -- $(sandbox_stats | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["double_charged"], d["credits_charged"])')
[ "$1" = 0 ]
ok $? "rerun after SIGINT: nobody was paid for twice ($1 double charges)"
is "$(wc -l <"$WORK/resumed.csv")" "$(wc -l <"$WORK/ref.csv")" "rerun after SIGINT: every row is written"
[ "$2" != "$charged" ]
ok $? "rerun after SIGINT: the rest was looked up (credits $charged, then $2)"

# ----------------------------------------------------------- SIGTERM
ENRICHCSV_SANDBOX_ARGS="--job-ms 1500" "$ENRICHCSV" --sandbox -j "$WORK/term.zst" "$IN" \
    >"$WORK/term.csv" 2>"$WORK/term.err" &
pid=$!
wait_for_job "$WORK/term.zst" $pid
kill -TERM $pid
wait $pid
is $? 143 "SIGTERM: exit 143"
grep -q "terminated: stopping" "$WORK/term.err"
ok $? "SIGTERM: says so"
zstd -q -t "$WORK/term.zst"
ok $? "SIGTERM: the journal is a valid zstd file"
prefix_of "$WORK/term.csv" "$WORK/ref.csv"
ok $? "SIGTERM: the rows written are the first rows of the full output"

# Three copies of the input: far more output than a pipe holds.
cat "$IN" >"$WORK/big.csv"
tail -n +2 "$IN" >>"$WORK/big.csv"
tail -n +2 "$IN" >>"$WORK/big.csv"

# ----------------------------------------------------------- a second SIGINT
# The output is a pipe nobody reads: once it is full the run cannot finish
# writing, so the first SIGINT cannot end it and only a second one can.
mkfifo "$WORK/fifo"
sleep 600 <"$WORK/fifo" &
reader=$!
"$ENRICHCSV" --sandbox -j "$WORK/twice.zst" "$WORK/big.csv" 2>"$WORK/twice.err" >"$WORK/fifo" &
pid=$!
blocked=1
for _i in $(seq 1 400); do # until it sleeps in write(2) on the full pipe
    case "$(cat /proc/$pid/wchan 2>/dev/null)" in *pipe_w*) blocked=0; break ;; esac
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
ok $blocked "the run is blocked writing to a full pipe"
kill -INT $pid
sleep 0.2
kill -0 $pid 2>/dev/null
ok $? "the first SIGINT does not end a run that cannot flush its rows"
kill -INT $pid
wait $pid
is $? 130 "a second SIGINT: exit 130 at once"
grep -q "interrupted again: exiting now" "$WORK/twice.err"
ok $? "a second SIGINT: says so"
zstd -q -t "$WORK/twice.zst"
ok $? "a second SIGINT: the journal is a valid zstd file"
kill $reader 2>/dev/null
wait $reader 2>/dev/null

# ----------------------------------------------------------- | head -1
{ "$ENRICHCSV" --sandbox -j "$WORK/head.zst" "$WORK/big.csv" 2>"$WORK/head.err"; echo $? >"$WORK/head.st"; } |
    head -1 >"$WORK/head.out"
is "$(cat "$WORK/head.st")" 0 "| head -1: exit status 0"
is "$(cat "$WORK/head.err")" "" "| head -1: nothing on stderr (no summary, no message)"
is "$(cat "$WORK/head.out")" "$(head -1 "$WORK/ref.csv")" "| head -1: head got the header"
zstd -q -t "$WORK/head.zst"
ok $? "| head -1: the journal is a valid zstd file"
done_testing

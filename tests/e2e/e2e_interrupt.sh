#!/bin/sh
# e2e_interrupt.sh - SIGINT and SIGTERM while jobs run (exit 130/143, the
# rows finished so far written, a rerun resuming the open jobs by polling
# them and ending byte-identical to an uninterrupted run, nothing paid
# twice), and a closed stdout (| head -1: a quiet exit, the journal intact).
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/e2e_lib.sh"

make_gold 60 3    # 3 rows without identifier first: they finish at once

# wait_for JOURNAL OUT LINES: until JOURNAL holds a job id (a paid submit
# was answered) and OUT has LINES lines; 1 when that never happens (60 s)
wait_for() {
    for _i in $(seq 1 600); do
        if [ "$(wc -l <"$2")" -ge "$3" ] && zstdcat "$1" 2>/dev/null | grep -q '"t":"job"'; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

for sig in INT TERM; do
    p=amplemarket code=130
    [ $sig = TERM ] && p=thehog code=143
    sb sig --job-ms 3000
    : >"$WORK/part.csv"
    J=$WORK/sig.zst enrich_bg sig $p --batch-size 10 --concurrency 2 <"$WORK/in.csv" \
        >"$WORK/part.csv" 2>"$WORK/err" &
    pid=$!
    wait_for "$WORK/sig.zst" "$WORK/part.csv" 4
    ok $? "SIG$sig ($p): jobs were submitted and the first rows written"
    kill -$sig $pid
    wait $pid
    is $? $code "SIG$sig ($p): exits $code"
    ge "$($CHECK open-batches "$WORK/sig.zst")" 1 "SIG$sig ($p): jobs were still open, journaled for the rerun"
    $CHECK prefix "$WORK/part.csv" "$WORK/gold-$p.csv"
    ok $? "SIG$sig ($p): the rows finished so far were written, nothing else"
    ge "$(wc -l <"$WORK/part.csv")" 4 "SIG$sig ($p): including the rows finished before the signal"
    J=$WORK/sig.zst enrich sig $p --batch-size 10 --concurrency 2 <"$WORK/in.csv" \
        >"$WORK/full.csv" 2>"$WORK/err"
    is $? 0 "SIG$sig ($p): the rerun exits 0"
    same_file "$WORK/full.csv" "$WORK/gold-$p.csv" "SIG$sig ($p): its output is byte-identical to an uninterrupted run"
    eval "$($CHECK batches "$WORK/sig.log")"
    is "$B_sum/$B_accepted" "60/6" "SIG$sig ($p): the open jobs were polled, not submitted again"
    sbstats sig
    is "$S_double" 0 "SIG$sig ($p): nothing charged twice"
    sb_stop sig
    rm -f "$WORK/sig.zst"
done

# ---------------------------------------------------------------- | head -1
sb pipe --job-ms 1000
(
    J=$WORK/pipe.zst enrich pipe amplemarket --batch-size 10 --concurrency 2 <"$WORK/in.csv" 2>"$WORK/err"
    echo $? >"$WORK/rc"
) | head -1 >"$WORK/head.txt"
is "$(cat "$WORK/rc")" 0 "| head -1: exits 0"
is "$(cat "$WORK/err")" "" "| head -1: not a word on stderr"
is "$(cat "$WORK/head.txt")" "$(head -1 "$WORK/gold-amplemarket.csv")" "| head -1: head got the header"
J=$WORK/pipe.zst enrich pipe amplemarket --batch-size 10 --concurrency 2 <"$WORK/in.csv" \
    >"$WORK/full.csv" 2>"$WORK/err"
is $? 0 "| head -1: a rerun on the journal exits 0"
same_file "$WORK/full.csv" "$WORK/gold-amplemarket.csv" "| head -1: the rerun's output is the full one"
eval "$($CHECK batches "$WORK/pipe.log")"
is "$B_sum" 60 "| head -1: the journal kept every submitted job (none sent twice)"
sbstats pipe
is "$S_double" 0 "| head -1: nothing charged twice"
sb_stop pipe

# ---------------------------------------------------------------- non-ASCII
# Leads known by name and company only, with capitals outside ASCII: the
# rerun rebuilds the open batch's lookups from the journal's (case-folded)
# keys, and must still match them to the job's echoed input fields.
python3 -c 'print("First Name,Last Name,Company Name")
for i in range(1, 20): print("Øystein,Ærø%d,Åkers Bruk %d" % (i, i % 3))' \
    >"$WORK/na.csv"
sb gold --job-ms 0
J=$WORK/gold.zst enrich gold amplemarket --batch-size 10 <"$WORK/na.csv" >"$WORK/gold-na.csv" 2>/dev/null
sb_stop gold
sb sig --job-ms 3000
: >"$WORK/part.csv"
J=$WORK/na.zst enrich_bg sig amplemarket --batch-size 10 <"$WORK/na.csv" >"$WORK/part.csv" 2>"$WORK/err" &
pid=$!
wait_for "$WORK/na.zst" "$WORK/part.csv" 0
kill -TERM $pid
wait $pid
is $? 143 "non-ASCII names (amplemarket): SIGTERM exits 143"
ge "$($CHECK open-batches "$WORK/na.zst")" 1 "non-ASCII names (amplemarket): with jobs open"
J=$WORK/na.zst enrich sig amplemarket --batch-size 10 <"$WORK/na.csv" >"$WORK/full.csv" 2>"$WORK/err"
same_file "$WORK/full.csv" "$WORK/gold-na.csv" "non-ASCII names (amplemarket): the resumed output is the uninterrupted one"
sb_stop sig

done_testing

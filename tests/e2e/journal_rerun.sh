#!/bin/sh
# journal_rerun.sh - the journal as a cache across runs: a rerun on the same,
# re-sorted or grown input pays only for rows not yet answered (counted in
# the sandbox's request log); duplicate rows cost one lookup; --max-age,
# --retry-failed and --no-journal as the man page says; one writer (exit 2
# naming the holder's pid); mode 0600; NDJSON under zstdcat, header first;
# --journal-stats; compaction keeps every answer.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/journal_lib.sh"

IN="$WORK/in.csv"
{ gen_header; gen_rows 1 60; } >"$IN"
J="$WORK/j.zst"
LOG="$WORK/sb/sb.log"
u=$(sb_up "$WORK/sb" --log "$LOG")

# run ARGS...: The Hog against the sandbox; sets RC, and POSTS and LOOKUPS
# (submits and the lookups they carried) from this run's part of the log.
# A submit the sandbox answered by replaying an earlier answer for the same
# Idempotency-Key logs no batch size: it counts in POSTS, not in LOOKUPS.
run() {
    _before=$(wc -l <"$LOG" 2>/dev/null || echo 0)
    enrich thehog "$u" "$@"
    RC=$?
    tail -n +$((_before + 1)) "$LOG" >"$WORK/part.log"
    POSTS=$(posts "$WORK/part.log")
    LOOKUPS=$(lookups_posted "$WORK/part.log")
}

# --------------------------------------------------------------- first run
run "$J" "$IN" >"$WORK/ref.csv" 2>"$WORK/err"
is "$RC/$LOOKUPS" "0/60" "first run: 60 lookups submitted"
is "$(stat -c %a "$J")" 600 "the journal is created mode 0600"
zstdcat "$J" >"$WORK/j.ndjson"
head -1 "$WORK/j.ndjson" | grep -q '^{"t":"hdr","v":1,"tool":"enrichcsv [^"]*","created":[0-9]*}$'
ok $? "zstdcat shows NDJSON starting with the header record"
grep -v -c '^{"t":"[a-z]*",.*}$' "$WORK/j.ndjson" | grep -q '^0$'
ok $? "every line is a JSON object with its type first"
failed=$(grep -c ',failed:' "$WORK/ref.csv")
notfound=$(grep -c ',not_found$' "$WORK/ref.csv")
[ "$failed" -gt 0 ] && [ "$notfound" -gt 0 ]
ok $? "the sandbox answered some rows failed ($failed) and some not_found ($notfound)"

# --------------------------------------------------------------- reruns
run "$J" "$IN" >"$WORK/out" 2>"$WORK/err"
is "$RC/$POSTS" "0/0" "rerun on the unchanged input: zero POST requests"
same_file "$WORK/out" "$WORK/ref.csv" "and the same output, failed rows reported from the journal"

# re-sorted (a fixed-seed shuffle)
{ gen_header; tail -n +2 "$IN" | awk 'BEGIN { srand(7) } { printf "%.9f\t%s\n", rand(), $0 }' |
    sort -n | cut -f2-; } >"$WORK/shuf.csv"
cmp -s "$WORK/shuf.csv" "$IN"
is $? 1 "the shuffled input is in another order"
run "$J" "$WORK/shuf.csv" >"$WORK/out" 2>"$WORK/err"
is "$RC/$POSTS" "0/0" "rerun on the re-sorted input: zero POST requests"
# each output row is the reference's row for that id, in the new order
awk -F, 'NR == FNR { ref[$1] = $0; next } FNR > 1 { print ref[$1] }' "$WORK/ref.csv" "$WORK/shuf.csv" |
    { head -1 "$WORK/ref.csv"; cat; } >"$WORK/want"
same_file "$WORK/out" "$WORK/want" "re-sorted: every row gets its own answer, in input order"

# grown by 10%, the new rows spread through the file
{ gen_header; { tail -n +2 "$IN"; gen_rows 61 66; } | sort -t, -k3; } >"$WORK/grown.csv"
run "$J" "$WORK/grown.csv" >"$WORK/out" 2>"$WORK/err"
is "$RC/$LOOKUPS" "0/6" "input plus 10% new rows: only the 6 new lookups are submitted"
awk -F, 'NR == FNR { ref[$1] = $0; next } FNR > 1 && ($1 in ref) && ref[$1] != $0 { bad++ }
    END { exit bad > 0 }' "$WORK/ref.csv" "$WORK/out"
ok $? "and the old rows keep their answers"

# duplicates cost one lookup
{ gen_header; gen_rows 101 110; gen_rows 101 110; gen_rows 105 105; } >"$WORK/dup.csv"
run "$J" "$WORK/dup.csv" >"$WORK/out" 2>"$WORK/err"
is "$RC/$LOOKUPS/$(($(wc -l <"$WORK/out") - 1))" "0/10/21" "21 rows with 10 distinct people: 10 lookups, 21 rows out"

# --------------------------------------------------------------- --retry-failed
run "$J" "$IN" --retry-failed >"$WORK/out" 2>"$WORK/err"
is "$RC/$LOOKUPS" "0/$failed" "--retry-failed submits only the $failed failed rows (not the not_found ones)"
same_file "$WORK/out" "$WORK/ref.csv" "and, the sandbox being deterministic, gets the same answers"

# --------------------------------------------------------------- --max-age
# Age every result by rewriting its ts (the journal stays one valid frame).
cp "$J" "$WORK/young.zst"
zstdcat "$J" | sed 's/"ts":[0-9]*/"ts":1000000000/' | zstd -q -c >"$WORK/old.zst"
chmod 600 "$WORK/old.zst"
cp "$WORK/old.zst" "$WORK/old2.zst"
run "$WORK/old.zst" "$IN" --max-age 36500 >"$WORK/out" 2>"$WORK/err"
is "$RC/$POSTS" "0/0" "--max-age 36500: results from 2001 are still used"
run "$WORK/old2.zst" "$IN" --max-age 30 >"$WORK/out" 2>"$WORK/err"
is "$RC/$POSTS" "0/6" "--max-age 30: results from 2001 are submitted again (6 batches)"
is "$LOOKUPS" 60 "--max-age 30: and looked up afresh, not replayed under a reused Idempotency-Key"
run "$WORK/old2.zst" "$IN" --max-age 30 >"$WORK/out" 2>"$WORK/err"
is "$RC/$POSTS" "0/0" "and the fresh answers are used by the next run"

# --retry-failed on a batch made of the same failed rows as before (on a
# sandbox of its own: the one above has seen this very batch in test 14)
grep ',failed:' "$WORK/ref.csv" | cut -d, -f1-4 | { gen_header; cat; } >"$WORK/failed.csv"
u_main=$u LOG_main=$LOG
LOG="$WORK/fs/sb.log"
u=$(sb_up "$WORK/fs" --log "$LOG")
run "$WORK/f.zst" "$WORK/failed.csv" >"$WORK/out" 2>"$WORK/err"
is "$RC/$LOOKUPS/$(grep -c ',failed:' "$WORK/out")" "0/$failed/$failed" "$failed rows that fail, in one batch"
run "$WORK/f.zst" "$WORK/failed.csv" --retry-failed >"$WORK/out" 2>"$WORK/err"
is "$RC/$POSTS" "0/1" "--retry-failed submits the same batch again"
is "$LOOKUPS" "$failed" "and the provider processes it, rather than replaying the failure for the same Idempotency-Key"
sb_down "$WORK/fs"
u=$u_main LOG=$LOG_main

# --------------------------------------------------------------- --no-journal
cp "$J" "$WORK/before.zst"
run "$J" "$IN" --no-journal >"$WORK/out" 2>"$WORK/err"
is "$RC/$POSTS" "0/6" "--no-journal: every row is submitted (no cache)"
cmp -s "$J" "$WORK/before.zst"
ok $? "--no-journal: the journal named by -j is not touched"
env THEHOG_API_KEY=k "$ENRICHCSV" -q -p thehog --base-url "$u" --batch-size 10 --poll-interval 0.05 \
    --no-journal "$IN" >"$WORK/out" 2>"$WORK/err"
r=$?
[ $r -eq 0 ] && [ ! -e "$XDG_STATE_HOME/enrichcsv" ]
ok $? "--no-journal without -j creates no default journal"
same_file "$WORK/out" "$WORK/ref.csv" "--no-journal output matches"

# --------------------------------------------------------------- one writer
u2=$(sb_up "$WORK/slow" --latency-ms 600)
enrich_exec thehog "$u2" "$WORK/locked.zst" "$IN" >"$WORK/out1" 2>"$WORK/err1" &
holder=$!
has_intent() { zstdcat "$1" 2>/dev/null | grep -q '^{"t":"intent"'; }
wait_for has_intent "$WORK/locked.zst"
enrich thehog "$u2" "$WORK/locked.zst" "$IN" >"$WORK/out2" 2>"$WORK/err2"
is $? 2 "a second run on a journal in use exits 2"
grep -q "process $holder" "$WORK/err2"
ok $? "naming the holder's pid ($holder): $(head -1 "$WORK/err2")"
[ ! -s "$WORK/out2" ]
ok $? "and writes no rows"
wait $holder
is $? 0 "the first run is undisturbed"
sb_down "$WORK/slow"

# --------------------------------------------------------------- stats, compaction
"$ENRICHCSV" --journal-stats -j "$J" >"$WORK/stats" 2>"$WORK/err"
is $? 0 "--journal-stats exits 0"
sed 's/^/#   /' "$WORK/stats"
val() { sed -n "s/^$1: *\\([0-9.]*\\).*/\\1/p" "$WORK/stats"; }
is "$(val keys)" 76 "--journal-stats: 76 distinct keys (60 + 6 grown + 10 duplicated)"
is "$(val bytes)" "$(stat -c %s "$J")" "--journal-stats: bytes is the file size"
is "$(val 'bytes per key')" "$(awk -v b="$(val bytes)" 'BEGIN { printf "%.1f", b / 76 }')" \
    "--journal-stats: bytes per key is bytes / keys"
is "$(val 'open batches')" 0 "--journal-stats: no open batches"
sum=$(sed -n 's/^outcomes: //p' "$WORK/stats" | tr ',' '\n' | awk '{ s += $2 } END { print s + 0 }')
is "$sum" 76 "--journal-stats: the outcomes add up to the keys"
"$ENRICHCSV" --journal-compact -j "$J" 2>"$WORK/err"
is $? 0 "--journal-compact exits 0"
[ "$(stat -c %s "$J")" -lt "$(val bytes)" ] && [ ! -e "$J.tmp" ]
ok $? "compaction shrank the journal ($(val bytes) -> $(stat -c %s "$J") bytes), no .tmp left"
is "$(stat -c %a "$J")" 600 "the compacted journal is mode 0600"
"$ENRICHCSV" --journal-stats -j "$J" >"$WORK/stats2"
is "$(sed -n 's/^keys: //p' "$WORK/stats2")" 76 "every key is still there"
run "$J" "$IN" >"$WORK/out" 2>"$WORK/err"
is "$RC/$POSTS" "0/0" "rerun after compaction: zero POST requests"
same_file "$WORK/out" "$WORK/ref.csv" "and the same output"

sb_down "$WORK/sb"
done_testing

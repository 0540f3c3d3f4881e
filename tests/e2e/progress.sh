#!/bin/sh
# progress.sh - the progress line and the summary, in a real terminal (tmux:
# send-keys types the command, capture-pane reads the screen, pipe-pane
# keeps every byte the pane received). The line shows during a slow run and
# is gone at the end; with stderr redirected to a file only the summary is
# written; -q silences both; Ctrl-C clears it and exits 130.
. "$TESTS_SRC/lib.sh"
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed (Debian package tmux)"
unset ENRICHCSV_JOURNAL ENRICHCSV_SANDBOX_ARGS TMUX
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
: "${TERM:=xterm}"
export TERM
SLOW="--latency-ms 200" # every simulated request takes 0.2 s: a run of a few seconds
LINE='written [0-9]'    # the progress line (the summary says "rows read: ... enriched")
SUMMARY='^enrichcsv: 1000 rows read: [0-9]* enriched, [0-9]* not found, [0-9]* skipped, [0-9]* failed; [0-9]* answered from journal; [0-9]* lookups in [0-9]* requests; credits spent ~*[0-9.]* ([a-z]*.*); [0-9.]* s$'

tm() { tmux -S "$WORK/tmux.sock" "$@"; }
tm -f /dev/null new-session -d -x 200 -y 50 -s ec sh || skip_all "tmux cannot start a session here"
cleanup_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap cleanup_tmux EXIT
tm pipe-pane -t ec -o "cat >>'$WORK/pane.raw'"
tm send-keys -t ec "E='$ENRICHCSV'; D='$DATA'; cd '$WORK'; clear" Enter

# type N COMMAND: run COMMAND in the pane (its status goes to done.N), reading
# the screen until it ends; seen=1 when the progress line was on it
type_cmd() {
    _n=$1
    rm -f "$WORK/done.$_n"
    tm send-keys -t ec "clear; $2; echo \$? >done.$_n" Enter
}
watch_until_done() {
    seen=0
    for _i in $(seq 1 1200); do
        tm capture-pane -p -t ec >"$WORK/screen"
        grep -q "$LINE" "$WORK/screen" && seen=1 && cp "$WORK/screen" "$WORK/screen.during"
        [ -s "$WORK/done.$1" ] && break
        sleep 0.05
    done
    # the pane may lag behind the process a little: wait for the prompt
    for _i in $(seq 1 100); do
        tm capture-pane -p -t ec >"$WORK/screen"
        grep -v '^$' "$WORK/screen" | tail -n 1 | grep -q '^[$#] *$' && break
        sleep 0.05
    done
}

# ----------------------------------------------------------- stderr is the terminal
: >"$WORK/pane.raw"
type_cmd 1 "ENRICHCSV_SANDBOX_ARGS='$SLOW' \$E --sandbox -j j1.zst \$D/leads.csv >out1.csv"
watch_until_done 1
is "$(cat "$WORK/done.1")" 0 "terminal: the run ends with status 0"
ok $((1 - seen)) "terminal: the progress line is on the screen during the run"
grep "$LINE" "$WORK/screen.during" 2>/dev/null | head -1 | sed 's/^/# during: /'
grep -q "read [0-9]* ([0-9]*%), written [0-9]*.*from journal [0-9]*, found [0-9]*, failed [0-9]*" \
    "$WORK/screen.during"
ok $? "terminal: it shows rows read (and % of the file), written, from journal, found, failed"
grep -q "$LINE" "$WORK/screen"
ok $((! $?)) "terminal: the line is gone at the end"
grep -c "$SUMMARY" "$WORK/screen" | grep -q '^1$'
ok $? "terminal: the summary (SPEC section 4) is on the screen once"
grep -v '^$' "$WORK/screen" | sed 's/^/# after: /'
tr '\r' '\n' <"$WORK/pane.raw" >"$WORK/pane.lines"
grep -q "credits ~*[0-9]" "$WORK/pane.lines" && grep -q "in flight [0-9]" "$WORK/pane.lines"
ok $? "terminal: the line has credits and requests in flight"
grep -q "[0-9.]* rows/s" "$WORK/pane.lines" && grep -q "ETA [0-9:]*s*" "$WORK/pane.lines"
ok $? "terminal: a rate and an ETA (the input is a regular file)"
draws=$(grep -c "$LINE" "$WORK/pane.lines")
secs=$(sed -n 's/.*; \([0-9.]*\) s$/\1/p' "$WORK/pane.lines" | head -1)
awk -v d="$draws" -v s="$secs" 'BEGIN { exit !(d >= 1 && d <= 2 * s + 1) }'
ok $? "terminal: redrawn at most twice a second ($draws draws in $secs s)"
# the last bytes before the summary erase the line: CR, ESC [ K
grep -q "$(printf '\r\033\\[K')enrichcsv: 1000 rows read" "$WORK/pane.raw"
ok $? "terminal: the line is erased before the summary is printed"

# ----------------------------------------------------------- stderr is a file
: >"$WORK/pane.raw"
type_cmd 2 "ENRICHCSV_SANDBOX_ARGS='$SLOW' \$E --sandbox -j j2.zst \$D/leads.csv >out2.csv 2>err2.txt"
watch_until_done 2
is "$(cat "$WORK/done.2")" 0 "stderr to a file: status 0"
is "$seen" 0 "stderr to a file: no progress line on the terminal"
is "$(wc -l <"$WORK/err2.txt" | tr -d ' ')" 1 "stderr to a file: one line in it"
grep -q "$SUMMARY" "$WORK/err2.txt"
ok $? "stderr to a file: that line is the summary"
tr -d '\r\033' <"$WORK/err2.txt" | cmp -s - "$WORK/err2.txt"
ok $? "stderr to a file: no carriage return or escape sequence"
grep -q "$LINE" "$WORK/pane.raw"
ok $((! $?)) "stderr to a file: the terminal never got a progress line"

# ----------------------------------------------------------- -q on a terminal
: >"$WORK/pane.raw"
type_cmd 3 "ENRICHCSV_SANDBOX_ARGS='$SLOW' \$E --sandbox -q -j j3.zst \$D/leads.csv >out3.csv"
watch_until_done 3
is "$(cat "$WORK/done.3")" 0 "-q: status 0"
grep -q "enrichcsv\|$LINE" "$WORK/pane.raw"
ok $((! $?)) "-q: neither progress nor summary"

# ----------------------------------------------------------- Ctrl-C
: >"$WORK/pane.raw"
type_cmd 4 "ENRICHCSV_SANDBOX_ARGS='$SLOW --job-ms 60000' \$E --sandbox -j j4.zst \$D/leads.csv >out4.csv"
for _i in $(seq 1 400); do # until the line shows
    tm capture-pane -p -t ec | grep -q "$LINE" && break
    sleep 0.05
done
tm send-keys -t ec C-c
watch_until_done 4
is "$(cat "$WORK/done.4")" 130 "Ctrl-C: status 130"
grep -q "interrupted: stopping" "$WORK/screen"
ok $? "Ctrl-C: says it stopped"
grep -q "$LINE" "$WORK/screen"
ok $((! $?)) "Ctrl-C: the line is gone"
zstd -q -t "$WORK/j4.zst"
ok $? "Ctrl-C: the journal is a valid zstd file"

# ----------------------------------------------------------- --progress, no terminal
cat "$DATA/leads.csv" | ENRICHCSV_SANDBOX_ARGS=$SLOW "$ENRICHCSV" --sandbox --progress \
    -j "$WORK/j5.zst" >"$WORK/out5.csv" 2>"$WORK/err5.txt"
is $? 0 "--progress with stderr to a file: status 0"
esc=$(printf '\033')
tr '\r' '\n' <"$WORK/err5.txt" | sed "s/$esc\[K//g" >"$WORK/err5.lines"
grep -q "$LINE" "$WORK/err5.lines"
ok $? "--progress: the line is written even to a file"
grep -q "ETA\|%)" "$WORK/err5.lines"
ok $((! $?)) "--progress: input on a pipe has no ETA or percentage (no size known)"
tail -n 1 "$WORK/err5.lines" | grep -q "$SUMMARY"
ok $? "--progress: the summary comes last"
"$ENRICHCSV" --sandbox -q -j "$WORK/j5.zst" "$DATA/leads.csv" >/dev/null 2>"$WORK/err6.txt"
is "$(cat "$WORK/err6.txt")" "" "-q: stderr is empty"
done_testing

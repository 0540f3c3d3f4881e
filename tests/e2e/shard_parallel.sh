#!/bin/sh
# shard_parallel.sh - the README's "Sharding a large job", run for real: GNU
# parallel cuts data/leads.csv into chunks (--pipe --csv --header :
# --keep-order), one enrichcsv per chunk through the README's enrich-shard
# wrapper, a journal per chunk, all against one sandbox. Checked: the output
# is byte-identical to a single process's (one header line, input order);
# per-slot keys; --journal-merge of the shard journals answers a whole rerun
# with no request; parallel -S with "hosts" (directories of their own,
# reached through a stand-in for ssh) with the journals sent and brought
# back; a chunk killed mid-run resumes on another host and nothing is
# looked up twice; the README's dedupe-first recipe pays each person once.
# The wrapper and the dedupe script are taken from the README itself.
. "$TESTS_SRC/lib.sh"

command -v parallel >/dev/null 2>&1 || skip_all "GNU parallel is not installed (Debian: parallel)"
command -v rsync >/dev/null 2>&1 || skip_all "rsync is not installed (parallel -S --return needs it)"
export PARALLEL_HOME="$WORK/parallel-home"
# parallel -S runs the remote command under $SHELL; a CI job may have none
export SHELL="${SHELL:-/bin/sh}"
mkdir -p "$PARALLEL_HOME"
printf 'a\n1\n' | parallel --will-cite --pipe --csv --header : cat >/dev/null 2>&1 ||
    skip_all "parallel --csv needs Text::CSV (Debian: libtext-csv-perl)"

isolate_env
README="$TESTS_SRC/../README"
LEADS="$DATA/leads.csv"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # a version manager's shim can take seconds

# --- the README's wrapper and dedupe script, verbatim (indent removed)
mkdir -p "$WORK/ctl" "$WORK/bin" "$WORK/pids" "$WORK/errs"
awk '$0 == "    #!/bin/bash" { f = 1 } f && $0 == "" { exit } f { sub(/^    /, ""); print }' \
    "$README" >"$WORK/ctl/enrich-shard"
awk '/^    python3 -c .if 1:$/ { f = 1 } f { sub(/^    /, ""); print } f && /^. "LinkedIn URL"/ { exit }' \
    "$README" >"$WORK/dedupe.sh"
grep -q 'journals/\$job.zst' "$WORK/ctl/enrich-shard" && grep -q 'unique.csv$' "$WORK/dedupe.sh" ||
    { echo "Bail out! README section 'Sharding a large job' not found as this test expects"; exit 1; }
chmod +x "$WORK/ctl/enrich-shard"

# --- enrichcsv as the wrapper finds it on PATH: a shim that notes each
# chunk's pid, arguments and messages, and can hold chunk $HOLD_JOB open
# after its first $HOLD_BYTES bytes so that it is still running when killed.
cat >"$WORK/bin/enrichcsv" <<EOF
#!/bin/bash
T='$WORK' REAL='$ENRICHCSV'
EOF
cat >>"$WORK/bin/enrichcsv" <<'EOF'
job=${PARALLEL_SEQ:-0}
echo "slot=$PARALLEL_JOBSLOT $*" >"$T/errs/$job.args"
exec 2>"$T/errs/$job"
if [ "$job" = "${HOLD_JOB:-}" ]; then
    { head -c "$HOLD_BYTES"; echo $BASHPID >"$T/pids/hold"; exec sleep 60; } |
        sh -c 'echo $$ >"$0"; exec "$@"' "$T/pids/$job" "$REAL" "$@"
    exit
fi
echo $$ >"$T/pids/$job"
exec "$REAL" "$@"
EOF
chmod +x "$WORK/bin/enrichcsv"
PATH="$WORK/bin:$PATH"
[ "$PY" = /usr/bin/python3 ] && PATH="$WORK/bin:/usr/bin:$PATH" # python3 for the README's dedupe
export PATH

# --- a stand-in for ssh: each "host" is a directory of its own (its home)
mkdir -p "$WORK/hosts/hosta" "$WORK/hosts/hostb" "$WORK/hosts/hostc"
cat >"$WORK/fakessh" <<EOF
#!/bin/sh
# ssh's options and the host name are read, the command runs here in \$host's directory
while [ \$# -gt 0 ]; do
    case \$1 in
    -[lpoiFJ]) shift 2 ;;
    -*) shift ;;
    *) host=\$1; shift; break ;;
    esac
done
[ "\$1" = "--" ] && shift
cd '$WORK/hosts'/"\$host" || exit 255
exec sh -c "\$*"
EOF
chmod +x "$WORK/fakessh"

sandbox_start --log "$WORK/sb.log" --job-ms 150
SB="--base-url $SB_URL --poll-interval 0.05"
PAR="parallel --will-cite --pipe --csv --header : --keep-order --block 40k"

# helpers: a mark in the sandbox log, lookups POSTed since a mark, and
# "persons charged twice" (the sandbox's double_charged) since the last reset
mark() { wc -l <"$WORK/sb.log"; }
posted_since() {
    tail -n +"$(($1 + 1))" "$WORK/sb.log" | $PY -c 'import json, sys
print(sum(d.get("batch") or 0 for d in map(json.loads, sys.stdin) if d["method"] == "POST"))'
}
reset_sb() { curl -s -X POST "$SB_URL/_sandbox/reset" >/dev/null; }
double() {
    curl -s "$SB_URL/_sandbox/stats" |
        $PY -c 'import json, sys; print(json.load(sys.stdin)["double_charged"])'
}
# a TAP test expected to fail until the limitation it names is lifted
todo_is() {
    _tap_n=$((_tap_n + 1))
    if [ "$1" = "$2" ]; then echo "ok $_tap_n - $3 # TODO $4"; else
        echo "not ok $_tap_n - $3 # TODO $4"; echo "#   got: '$1' want: '$2'"; fi
}
one_header() { grep -c -x -F "$(head -n 1 "$WORK/single.csv")" "$1"; }
journal_has() { zstdcat "$1" 2>/dev/null | grep -q "\"t\":\"$2\""; }

# --- the reference: one process over the whole file
m=$(mark)
AMPLEMARKET_API_KEY=k "$ENRICHCSV" -p amplemarket -j "$WORK/single.zst" $SB \
    <"$LEADS" >"$WORK/single.csv" 2>"$WORK/single.err"
is $? 0 "single process: exit 0"
single_looked=$(posted_since "$m")
single_double=$(double)
[ "$(wc -l <"$WORK/single.csv")" -gt 1000 ]
ok $? "single process: $single_looked lookups, $(wc -l <"$WORK/single.csv") lines out"

# --- several local processes: parallel -j 3, a key file per job slot
cd "$WORK/ctl" || exit 1
mkdir -p keys
for s in 1 2 3; do
    (umask 077 && echo "k$s" >"keys/amplemarket.$s")
done
reset_sb
m=$(mark)
$PAR -j 3 ./enrich-shard {#} {%} $SB <"$LEADS" >"$WORK/local.csv" 2>"$WORK/par.err"
is $? 0 "parallel -j 3: every chunk exits 0"
nchunks=$(ls journals | wc -l)
[ "$nchunks" -ge 3 ]
ok $? "the input was cut into several chunks ($nchunks), each with a journal of its own"
same_file "$WORK/local.csv" "$WORK/single.csv" "parallel -j 3: output byte-identical to one process's"
is "$(one_header "$WORK/local.csv")" 1 "exactly one header line"
shard_looked=$(posted_since "$m")
bad=""
for f in "$WORK"/errs/*.args; do
    read -r slot rest <"$f"
    case " $rest " in *" --api-key-file keys/amplemarket.${slot#slot=} "*) ;; *) bad="$bad $f" ;; esac
done
is "$bad" "" "each chunk ran with the key file of its job slot"
todo_is "$shard_looked" "$single_looked" "chunks look up a person once over all chunks" \
    "a person in two chunks is looked up in both (README: dedupe first; fix: enrichcsv --unique)"
todo_is "$(double)" "$single_double" "nothing paid twice across chunks" \
    "as above"

# --- the shard journals merged: a single-process rerun makes no request
"$ENRICHCSV" --journal-merge -j "$WORK/merged.zst" journals/*.zst 2>"$WORK/merge.err"
is $? 0 "--journal-merge of the $nchunks shard journals"
m=$(mark)
AMPLEMARKET_API_KEY=k "$ENRICHCSV" -p amplemarket -j "$WORK/merged.zst" $SB \
    <"$LEADS" >"$WORK/merged.csv" 2>"$WORK/merged.err"
is $? 0 "single process over the merged journal: exit 0"
is "$(($(wc -l <"$WORK/sb.log") - m))" 0 "and it makes no request at all"
same_file "$WORK/merged.csv" "$WORK/single.csv" "and writes the same bytes"

# --- hosts: -S through the ssh stand-in, journals sent and brought back.
# Chunk 2 is held open and killed mid-run (after its job was submitted).
rm -rf journals "$WORK"/errs/* "$WORK"/pids/*
export AMPLEMARKET_API_KEY=k
mv keys "$WORK/keys.local" # the hosts use the key in the environment
HOSTPAR="$PAR --ssh $WORK/fakessh --basefile enrich-shard"
HOSTPAR="$HOSTPAR --transferfile journals/{#}.zst --return journals/{#}.zst"
reset_sb
m=$(mark)
HOLD_JOB=2 HOLD_BYTES=9000 $HOSTPAR -S 2/hosta,1/hostb ./enrich-shard {#} {%} $SB \
    <"$LEADS" >"$WORK/hosts1.csv" 2>"$WORK/par.err" &
par_pid=$!
for _i in $(seq 1 600); do
    for j in "$WORK"/hosts/host?/journals/2.zst; do
        journal_has "$j" job && break 2
    done
    sleep 0.05
done
journal_has "$j" job
ok $? "chunk 2 submitted a job on ${j#"$WORK"/hosts/} and is still running"
kill -TERM "$(cat "$WORK/pids/2")" "$(cat "$WORK/pids/hold")"
wait "$par_pid"
is $? 1 "killed mid-run: parallel counts one failed chunk"
first_looked=$(posted_since "$m")
[ -s "journals/2.zst" ] && [ "$(ls journals | wc -l)" -eq "$nchunks" ]
ok $? "--return brought every journal back, the killed chunk's too"
is "$(stat -c %a journals/2.zst)" 600 "a returned journal keeps mode 0600"

# resume: the same command on a host that has never seen the job
rm -f "$WORK"/errs/*
m=$(mark)
$HOSTPAR -S 3/hostc ./enrich-shard {#} {%} $SB <"$LEADS" >"$WORK/hosts2.csv" 2>"$WORK/par.err"
is $? 0 "rerun on another host: exit 0"
same_file "$WORK/hosts2.csv" "$WORK/single.csv" "the resumed output is byte-identical to one process's"
is "$(one_header "$WORK/hosts2.csv")" 1 "with one header line"
rerun_looked=$(posted_since "$m")
free=0
for f in "$WORK"/errs/[0-9]*; do
    case $f in *.args | */2) continue ;; esac
    grep -q "; 0 lookups in 0 requests;" "$f" && free=$((free + 1))
done
is "$free" "$((nchunks - 1))" "the finished chunks made no request on the rerun"
[ "$rerun_looked" -gt 0 ] && [ "$rerun_looked" -lt "$shard_looked" ]
ok $? "the killed chunk looked up only what it had not submitted ($rerun_looked lookups)"
is "$((first_looked + rerun_looked))" "$shard_looked" \
    "killed run + rerun looked up exactly what an uninterrupted sharded run does"

# --- the README's remedy for duplicates: dedupe, shard, merge, fill in
mkdir -p "$WORK/dd"
cd "$WORK/dd" || exit 1
cp "$WORK/ctl/enrich-shard" .
ln -s "$LEADS" leads.csv
sh "$WORK/dedupe.sh"
is $? 0 "the README's dedupe script runs"
"$ENRICHCSV" --dry-run --no-journal -p amplemarket unique.csv >plan
is "$(awk -F'\t' '$1 == "duplicate rows" { print $2 }' plan)" 0 \
    "--dry-run counts no duplicate rows in unique.csv"
reset_sb
m=$(mark)
$PAR -S 3/: ./enrich-shard {#} {%} $SB <unique.csv >/dev/null 2>"$WORK/par.err"
is $? 0 "sharded run over unique.csv (-S 3/: runs through a plain local shell)"
is "$(double)" 0 "no person charged twice across its chunks"
"$ENRICHCSV" --journal-merge -j dd.zst journals/*.zst 2>"$WORK/merge.err" &&
    "$ENRICHCSV" -p amplemarket -j dd.zst $SB <leads.csv >out.csv 2>fill.err
is $? 0 "merge, then one process over the whole file"
same_file out.csv "$WORK/single.csv" "the filled-in output is byte-identical to one process's"
is "$(posted_since "$m")" "$single_looked" "all in all as many lookups as one process makes"
is "$(double)" "$single_double" "and no more repeat charges than one process"
done_testing

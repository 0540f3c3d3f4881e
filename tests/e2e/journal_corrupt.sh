#!/bin/sh
# journal_corrupt.sh - damaged journals. The journal of a real run is cut at
# every byte offset of its last frame, and has each byte of that frame
# flipped in turn: enrichcsv never crashes, cuts the bad tail, and keeps
# every record before it (checked offline with --journal-compact, which
# opens for writing and cuts, then --dry-run's "answered from journal");
# sampled cases are rerun for real: byte-identical output, and only rows
# whose answers were lost are looked up again (or their job polled). A
# corrupt frame in the middle stops the run with exit 1 naming its offset,
# unless --salvage.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/journal_lib.sh"

IN="$WORK/in.csv"
{ gen_header; gen_rows 1 60; } >"$IN"
LOG="$WORK/sb/sb.log"
u=$(sb_up "$WORK/sb" --log "$LOG")
J0="$WORK/j0.zst"
enrich thehog "$u" "$J0" "$IN" >"$WORK/ref.csv"
is $? 0 "a reference run writes a journal"

# frame offsets and sizes (zstd frame layout: header, blocks, checksum)
python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read(); off=0
while off < len(d):
    assert struct.unpack_from("<I", d, off)[0] == 0xFD2FB528
    fhd = d[off+4]; ss = fhd >> 5 & 1
    p = off + 5 + (0 if ss else 1) + [0,1,2,4][fhd & 3] + [ss,2,4,8][fhd >> 6]
    while True:
        bh = d[p] | d[p+1] << 8 | d[p+2] << 16
        p += 3 + (1 if (bh >> 1 & 3) == 1 else bh >> 3)
        if bh & 1: break
    p += 4 if fhd >> 2 & 1 else 0
    print(off, p - off); off = p' "$J0" >"$WORK/frames"
nframes=$(wc -l <"$WORK/frames")
size=$(stat -c %s "$J0")
last=$(tail -1 "$WORK/frames" | cut -d' ' -f1)
[ "$nframes" -ge 5 ] && [ "$(tail -1 "$WORK/frames" | awk '{ print $1 + $2 }')" -eq "$size" ]
ok $? "the journal is $nframes whole frames ($size bytes; the last at byte $last)"

# what the frames before the last one hold
head -c "$last" "$J0" >"$WORK/before.zst"
keep=$(answered "$WORK/before.zst")
all=$(answered "$J0")
[ "$keep" -lt "$all" ]
ok $? "the last frame holds results: $((all - keep)) of $all"

# from_journal FILE: rows --dry-run answers from the journal FILE
from_journal() {
    env THEHOG_API_KEY=k "$ENRICHCSV" --dry-run -p thehog --base-url "$u" -j "$1" "$IN" 2>>"$WORK/dry.err" |
        awk -F'\t' '$1 == "answered from journal" { print $2 }'
}
is "$(from_journal "$WORK/before.zst")" "$keep" "--dry-run answers $keep rows from the frames before the last"

# Every damaged copy is checked read-only, 48 to an enrichcsv process
# (--journal-merge opens each input and names its torn tail: it must be at
# byte $last, so every frame before it was read); every 40th is also opened
# for writing (--journal-compact cuts the tail) and its answers counted
# (--dry-run). Process starts cost more than the checks (more so under ASan).
check_read() { # FILES...: one merge over them
    [ $# -gt 0 ] || return 0
    rm -f "$WORK/merged.zst"
    "$ENRICHCSV" --journal-merge -j "$WORK/merged.zst" "$@" 2>"$WORK/m.err"
    _rc=$?
    if [ $_rc -ne 0 ] || grep -q 'Sanitizer\|runtime error' "$WORK/m.err"; then
        crashed=$((crashed + 1))
        echo "# merge of $# damaged copies: exit $_rc: $(head -3 "$WORK/m.err")"
    fi
    _c=$(grep -c "torn tail at byte $last " "$WORK/m.err")
    notes=$((notes + _c))
    if [ "$_c" -ne $# ]; then # say which copy, and keep what it takes to replay it
        _keep=$(mktemp -d "${TMPDIR:-/tmp}/journal_corrupt.XXXXXX")
        cp "$J0" "$WORK/m.err" "$_keep/"
        for _x in "$@"; do
            grep -qF "$_x: torn tail at byte $last " "$WORK/m.err" ||
                { cp "$_x" "$_keep/"; echo "# no torn tail at byte $last for $_x"; }
        done
        echo "# kept in $_keep (exit $_rc): $(grep -v 'torn tail' "$WORK/m.err" | head -3)"
    fi
    _n=$(answered "$WORK/merged.zst")
    [ "$_n" = "$keep" ] || { lost=$((lost + 1)); echo "# a merge kept $_n results, want $keep"; }
}
check_write() { # FILE: open for writing (cut), then count answers
    chmod 600 "$1"
    "$ENRICHCSV" --journal-compact -j "$1" 2>"$WORK/c.err"
    _rc=$?
    written=$((written + 1))
    if [ $_rc -ne 0 ] || grep -q 'Sanitizer\|runtime error' "$WORK/c.err"; then
        crashed=$((crashed + 1))
        echo "# $1: exit $_rc: $(head -3 "$WORK/c.err")"
        return
    fi
    grep -q "torn tail at byte $last " "$WORK/c.err" || { lost=$((lost + 1)); echo "# $1: $(cat "$WORK/c.err")"; }
    _n=$(from_journal "$1")
    [ "$_n" = "$keep" ] || { lost=$((lost + 1)); echo "# $1: $_n rows answered from the journal, want $keep"; }
}
# check_all KIND: every $WORK/dmg/KIND.* copy
check_all() {
    crashed=0 lost=0 notes=0 written=0 _k=0 _chunk=""
    for _f in "$WORK/dmg/$1".*; do
        _k=$((_k + 1))
        _chunk="$_chunk $_f"
        [ $((_k % 40)) -eq 0 ] && cp "$_f" "$WORK/w.zst" && check_write "$WORK/w.zst"
        [ $((_k % 48)) -eq 0 ] && { check_read $_chunk; _chunk=""; }
    done
    check_read $_chunk
    files=$_k
}

# the damaged copies, made in one go: cut at every offset inside the last
# frame, and each byte of it flipped (xor 0xff)
mkdir "$WORK/dmg"
python3 -c 'import sys
d = open(sys.argv[1], "rb").read(); last = int(sys.argv[2]); out = sys.argv[3]
for o in range(last + 1, len(d)):
    open("%s/cut.%d" % (out, o), "wb").write(d[:o])
for o in range(last, len(d)):
    open("%s/flip.%d" % (out, o), "wb").write(d[:o] + bytes([d[o] ^ 0xff]) + d[o + 1:])
' "$J0" "$last" "$WORK/dmg"

check_all cut
n=$((size - last - 1))
is "$files/$crashed" "$n/0" "cut at each of the $n offsets inside the last frame: no crash ($written opened for writing)"
is "$notes/$lost" "$n/0" "cut anywhere in the last frame: a torn tail at byte $last, every earlier record kept"

check_all flip
n=$((size - last))
is "$files/$crashed" "$n/0" "each of the $n bytes of the last frame flipped: no crash ($written opened for writing)"
is "$notes/$lost" "$n/0" "a flipped byte in the last frame: a torn tail at byte $last, every earlier record kept"

# --------------------------------------------------------------- real reruns
# cut in the middle of the last frame, and its checksum flipped
mid=$(((last + size) / 2))
head -c $mid "$J0" >"$WORK/r1.zst"
cp "$J0" "$WORK/r2.zst"
printf '\000\000\000\000' | dd of="$WORK/r2.zst" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null
for r in r1 r2; do
    chmod 600 "$WORK/$r.zst"
    before=$(wc -l <"$LOG")
    QUIET='' enrich thehog "$u" "$WORK/$r.zst" "$IN" >"$WORK/out" 2>"$WORK/err"
    is $? 0 "$r: the rerun completes"
    grep -q "torn tail at byte $last" "$WORK/err"
    ok $? "$r: it reports the torn tail and its offset: $(grep -m1 'torn tail' "$WORK/err")"
    same_file "$WORK/out" "$WORK/ref.csv" "$r: the output is byte-identical"
    tail -n +$((before + 1)) "$LOG" >"$WORK/part.log"
    n=$(lookups_posted "$WORK/part.log")
    [ "$n" -le $((all - keep)) ]
    ok $? "$r: it looked up at most the $((all - keep)) lost rows again ($n, $(posts "$WORK/part.log") POSTs)"
    zstd -tq "$WORK/$r.zst"
    ok $? "$r: the journal it leaves is intact"
done
is "$(sb_last "$u" double_charged)" 0 "nobody was charged twice"

# --------------------------------------------------------------- a corrupt middle frame
# the middle-most frame holding results
i=0
while read -r off sz; do
    i=$((i + 1))
    n=$(tail -c +$((off + 1)) "$J0" | head -c "$sz" | zstd -dc 2>/dev/null | grep -c '^{"t":"res"')
    [ "$n" -gt 0 ] && echo "$i $off $sz $n"
done <"$WORK/frames" >"$WORK/resframes"
midf=$(sed -n "$((($(wc -l <"$WORK/resframes") + 1) / 2))p" "$WORK/resframes")
set -- $midf
mi=$1 moff=$2 msz=$3 inframe=$4
[ "$mi" -lt "$nframes" ]
ok $? "frame $mi of $nframes (byte $moff) holds $inframe results: it gets a corrupt byte"
cp "$J0" "$WORK/m.zst"
chmod 600 "$WORK/m.zst"
printf '\377\377' | dd of="$WORK/m.zst" bs=1 seek=$((moff + msz / 2)) conv=notrunc 2>/dev/null
cp "$WORK/m.zst" "$WORK/m0.zst"
QUIET='' enrich thehog "$u" "$WORK/m.zst" "$IN" >"$WORK/out" 2>"$WORK/err"
is $? 1 "a corrupt frame in the middle: exit 1"
grep -q "corrupt data at byte $moff " "$WORK/err"
ok $? "naming its offset: $(head -1 "$WORK/err")"
grep -q -- "salvage" "$WORK/err"
ok $? "and the way out (salvage)"
[ ! -s "$WORK/out" ] && cmp -s "$WORK/m.zst" "$WORK/m0.zst"
ok $? "no rows written, the journal untouched"
"$ENRICHCSV" --journal-stats -j "$WORK/m.zst" >/dev/null 2>"$WORK/err"
is $? 1 "--journal-stats refuses it too (exit 1)"
before=$(wc -l <"$LOG")
QUIET='' enrich thehog "$u" "$WORK/m.zst" "$IN" --salvage >"$WORK/out" 2>"$WORK/err"
is $? 0 "--salvage: the run completes"
grep -q "skipped [0-9]* corrupt bytes at byte $moff" "$WORK/err"
ok $? "--salvage reports what it skipped: $(grep -m1 'skipped' "$WORK/err")"
same_file "$WORK/out" "$WORK/ref.csv" "--salvage: the output is byte-identical"
tail -n +$((before + 1)) "$LOG" >"$WORK/part.log"
n=$(lookups_posted "$WORK/part.log")
[ "$n" -le "$inframe" ]
ok $? "--salvage: only rows whose results were in the bad frame are looked up again ($n of at most $inframe)"
before=$(wc -l <"$LOG")
enrich thehog "$u" "$WORK/m.zst" "$IN" >"$WORK/out" 2>"$WORK/err"
is $? 0 "after salvage the journal opens without --salvage"
tail -n +$((before + 1)) "$LOG" >"$WORK/part.log"
is "$(posts "$WORK/part.log")" 0 "and answers every row (zero POSTs)"
is "$(sb_last "$u" double_charged)" 0 "nobody was charged twice"

sb_down "$WORK/sb"
done_testing

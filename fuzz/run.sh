#!/bin/sh
# fuzz/run.sh - build the libFuzzer targets with clang and run each one
# (`make fuzz` calls it). Needs clang and libclang-rt-14-dev (Debian).
#   run.sh SRCDIR BUILDDIR SECONDS [TARGET...]
# Objects, binaries, the growing corpora and crash artifacts live in
# BUILDDIR/fuzz-build. A target that finds a crash stops the run with status 1;
# its input is in fuzz-build/artifacts/ - reproduce it with
#   fuzz-build/fuzz_TARGET ARTIFACT   (or tests: fuzz/replay TARGET ARTIFACT)
# and copy it into fuzz/regress/TARGET/ once fixed, so `make check` replays it.
# Environment: FUZZ_CC (default clang), FUZZ_FLAGS (extra libFuzzer flags).
set -eu

src=$1
build=$2
secs=$3
shift 3
targets=${*:-csv ndjson journal prov_amplemarket prov_thehog prov_openfunnel prov_woodpecker prov_lance}
cc=${FUZZ_CC:-clang}
out=$build/fuzz-build
mkdir -p "$out/obj" "$out/artifacts" "$out/corpus"

command -v "$cc" >/dev/null || { echo "fuzz: $cc not found (apt-get install clang libclang-rt-14-dev)"; exit 1; }
[ -f "$build/config.h" ] || { echo "fuzz: run configure first ($build/config.h missing)"; exit 1; }

san="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=undefined,float-cast-overflow -fno-omit-frame-pointer"
cflags="-std=c11 -g -O1 -I$src/src -I$build $(pkg-config --cflags libcurl libzstd)"
libs="$(pkg-config --libs libcurl libzstd) -lcsv -lm -lpthread"

# The library: every client source but main.c, instrumented for coverage.
objs=""
newest_h=$(ls -t "$src"/src/*.h "$build/config.h" | head -1)
for c in "$src"/src/*.c; do
    base=$(basename "$c" .c)
    [ "$base" = main ] && continue
    o=$out/obj/$base.o
    if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
        $cc $cflags $san -fsanitize=fuzzer-no-link -c "$c" -o "$o"
    fi
    objs="$objs $o"
done

for t in $targets; do
    case $t in
    prov_*) file=fuzz_prov.c def="-DFUZZ_PROV_${t#prov_}" ;;
    *) file=fuzz_$t.c def="" ;;
    esac
    $cc $cflags $san -fsanitize=fuzzer -DFUZZ_LIBFUZZER $def -o "$out/fuzz_$t" \
        "$src/fuzz/$file" $objs $libs
done

# Seed corpora from the test data (and journals from a sandbox run when built).
rm -rf "$out/seeds"
python3 "$src/fuzz/seeds.py" "$src" "$out/seeds" "$build/enrichcsv"

status=0
for t in $targets; do
    mkdir -p "$out/corpus/$t" "$out/seeds/$t"
    regress=$src/fuzz/regress/$t
    [ -d "$regress" ] || regress=
    echo "fuzz: $t for $secs s"
    log=$out/fuzz_$t.log
    if "$out/fuzz_$t" -max_total_time="$secs" -timeout=20 -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$t-" ${FUZZ_FLAGS:-} \
        "$out/corpus/$t" "$out/seeds/$t" $regress >"$log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$log" | tr '\n' ' '
        echo
    else
        status=1
        echo "fuzz: $t FAILED; see $log and $out/artifacts/"
        grep -E 'ERROR|fuzz property failed|SUMMARY' "$log" | head -5
    fi
done
exit $status

#!/bin/sh
# keys.sh - API keys: from the environment, the INI config file and
# --api-key-file; files refused when another user could read or write them
# or when they are not the user's own (as OpenSSH); never taken on argv;
# never in -v output, error messages, the output or the journal. A wrong
# key exits 5 naming the variable. --cacert naming no file is a clear error.
. "$TESTS_SRC/lib.sh"
isolate_env
IN="$DATA/excel-export.csv"
KEY="ecKEY-7Qz4Wx9Lm2Pv"      # distinctive: any trace of it is found by grep
BAD="ecBAD-3Hn8Rt5Yk1Js"
sandbox_start --key "$KEY"

# no_trace DESCRIPTION FILE...: none of the files holds either key
no_trace() {
    _d=$1
    shift
    ! grep -q -F -e "$KEY" -e "$BAD" "$@"
    ok $? "$_d"
}
run() { # run JOURNAL ARGS...: a run against the sandbox; stdout/err in $WORK/out, $WORK/err
    _j=$1
    shift
    "$ENRICHCSV" -p amplemarket --base-url "$SB_URL" --poll-interval 0.2 -j "$WORK/$_j" "$@" "$IN" \
        >"$WORK/out" 2>"$WORK/err"
}
enriched() { grep -c ',enriched\|;enriched' "$WORK/out"; }

# ----------------------------------------------------------- a wrong key
AMPLEMARKET_API_KEY=$BAD run j-bad.zst -v
is $? 5 "a key the provider rejects exits 5"
grep -q "AMPLEMARKET_API_KEY" "$WORK/err"
ok $? "and the message names the variable to check"
grep -q "^enrichcsv: POST http" "$WORK/err"
ok $? "-v shows the HTTP exchange"
zstdcat "$WORK/j-bad.zst" >"$WORK/j-bad.txt" 2>&1
no_trace "the rejected key is in none of -v output, messages, output, journal" \
    "$WORK/err" "$WORK/out" "$WORK/j-bad.txt"

# ----------------------------------------------------------- environment
AMPLEMARKET_API_KEY=$KEY run j-env.zst -v
is $? 0 "the right key from the environment works"
n=$(enriched)
[ "$n" -gt 10 ]
ok $? "rows are enriched ($n)"
grep -c "^enrichcsv: [A-Z]* http" "$WORK/err" >"$WORK/nv"
[ "$(cat "$WORK/nv")" -ge 2 ]
ok $? "-v prints one line per exchange ($(cat "$WORK/nv") lines)"
zstdcat "$WORK/j-env.zst" >"$WORK/j-env.txt"
grep -q '"t":"res"' "$WORK/j-env.txt"
ok $? "the journal holds the results"
no_trace "the key is in none of -v output, the output, the journal" \
    "$WORK/err" "$WORK/out" "$WORK/j-env.txt"

AMPLEMARKET_API_KEY=$KEY run j-bad.zst
n=$(enriched)
[ "$n" -gt 10 ]
ok $? "after a 401, a rerun with the right key on the same journal looks the rows up ($n)"

# ----------------------------------------------------------- --api-key-file
printf '%s\n' "$KEY" >"$WORK/key"
chmod 600 "$WORK/key"
AMPLEMARKET_API_KEY=$BAD run j-file.zst --api-key-file "$WORK/key"
is $? 0 "--api-key-file (mode 600) works, and wins over the environment"
for mode in 644 640 604 660 620; do
    chmod $mode "$WORK/key"
    run j-file.zst --api-key-file "$WORK/key"
    is $? 2 "a key file with mode $mode is refused (exit 2)"
done
grep -q "mode 0620 lets group or others read or write it.*chmod 600" "$WORK/err"
ok $? "the refusal says why and how to fix it"
no_trace "and does not show the key" "$WORK/err"
chmod 600 "$WORK/key"
if [ "$(id -u)" = 0 ] && chown nobody "$WORK/key" 2>/dev/null; then
    run j-file.zst --api-key-file "$WORK/key"
    is $? 2 "a key file owned by another user is refused"
    grep -q "not by you" "$WORK/err"
    ok $? "and the message says whose it is"
else
    # not root: a system file is owned by someone else
    run j-file.zst --api-key-file /etc/passwd
    is $? 2 "a key file owned by another user is refused"
    grep -q "not by you" "$WORK/err"
    ok $? "and the message says whose it is"
fi
AMPLEMARKET_API_KEY=$BAD run j-pipe.zst --api-key-file /dev/stdin <<EOF
$KEY
EOF
is $? 0 "--api-key-file /dev/stdin takes the key from a here-document (nothing on disk)"
run j-pipe.zst --api-key-file "$WORK/nokey"
is $? 2 "a missing key file exits 2"
grep -q "nokey: No such file" "$WORK/err"
ok $? "naming the file and the reason"

# ----------------------------------------------------------- config file
mkdir -p "$WORK/config/enrichcsv"
conf="$WORK/config/enrichcsv/config"
printf 'provider = amplemarket\n\n[amplemarket]\napi_key = %s\n' "$KEY" >"$conf"
chmod 600 "$conf"
"$ENRICHCSV" --base-url "$SB_URL" --poll-interval 0.2 -j "$WORK/j-conf.zst" "$IN" >"$WORK/out" 2>"$WORK/err"
is $? 0 "the default config file (mode 600) gives the provider and the key"
[ "$(enriched)" -gt 10 ]
ok $? "and rows are enriched"
chmod 644 "$conf"
"$ENRICHCSV" --base-url "$SB_URL" --poll-interval 0.2 -j "$WORK/j-conf.zst" "$IN" >"$WORK/out" 2>"$WORK/err"
is $? 2 "a config file readable by others is refused"
grep -q "config.*mode 0644" "$WORK/err"
ok $? "with the reason"
no_trace "and without the key" "$WORK/err"
mv "$conf" "$WORK/other.conf"
chmod 600 "$WORK/other.conf"
"$ENRICHCSV" --config "$WORK/other.conf" --base-url "$SB_URL" -j "$WORK/j-conf.zst" "$IN" \
    >"$WORK/out" 2>"$WORK/err"
is $? 0 "--config FILE is read"
chmod 660 "$WORK/other.conf"
"$ENRICHCSV" --config "$WORK/other.conf" --base-url "$SB_URL" -j "$WORK/j-conf.zst" "$IN" \
    >"$WORK/out" 2>"$WORK/err"
is $? 2 "--config FILE writable by the group is refused"

# ----------------------------------------------------------- never on argv
for form in "--api-key $KEY" "--api-key=$KEY" "--token=$KEY" "--api-k $KEY"; do
    # shellcheck disable=SC2086
    "$ENRICHCSV" -p amplemarket --base-url "$SB_URL" $form "$IN" >"$WORK/out" 2>"$WORK/err"
    is $? 2 "a key on the command line is refused: ${form%%[ =]*}"
done
grep -q "never taken on the command line" "$WORK/err"
ok $? "the message says why and what to use instead"
no_trace "and does not repeat the key" "$WORK/err"

# ----------------------------------------------------------- TLS
AMPLEMARKET_API_KEY=$KEY "$ENRICHCSV" -p amplemarket --cacert "$WORK/no-such-ca.pem" \
    --base-url "https://127.0.0.1:$SB_PORT" -j "$WORK/j-tls.zst" "$IN" >"$WORK/out" 2>"$WORK/err"
is $? 2 "--cacert naming a missing file exits 2 before any request"
grep -q -- "--cacert .*no-such-ca.pem: No such file or directory" "$WORK/err"
ok $? "with a clear message"
AMPLEMARKET_API_KEY=$KEY "$ENRICHCSV" -p amplemarket --cacert "$WORK" \
    --base-url "https://127.0.0.1:$SB_PORT" -j "$WORK/j-tls.zst" "$IN" >"$WORK/out" 2>"$WORK/err"
is $? 2 "--cacert naming a directory exits 2"
done_testing

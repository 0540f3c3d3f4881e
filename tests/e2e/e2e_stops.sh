#!/bin/sh
# e2e_stops.sh - SPEC section 6, the answers that stop something: 401 stops
# the run with exit 5 and poisons nothing in the journal, 402 (and
# --max-credits) stop submitting with exit 4 and a rerun completes the
# output without paying twice, malformed JSON is retried once where that is
# free and ends failed:bad_response. Amplemarket and The Hog, compared with
# a clean run.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/e2e_lib.sh"

make_gold 40 2

# ---------------------------------------------------------------- 401
sb auth --key right-key --job-ms 100
for p in amplemarket thehog; do
    var=AMPLEMARKET_API_KEY
    [ $p = thehog ] && var=THEHOG_API_KEY
    J=$WORK/auth-$p.zst enrich auth $p <"$WORK/in.csv" >"$WORK/401.csv" 2>"$WORK/err"
    is $? 5 "401 ($p): exits 5"
    grep -q "$var" "$WORK/err"
    ok $? "401 ($p): the message names $var"
    ! grep -q 'failed:' "$WORK/401.csv"
    ok $? "401 ($p): no row is written as failed"
    AMPLEMARKET_API_KEY=right-key THEHOG_API_KEY=right-key J="$WORK/auth-$p.zst" \
        enrich auth $p <"$WORK/in.csv" >"$WORK/401.csv" 2>"$WORK/err"
    is $? 0 "401 ($p): a rerun with the right key exits 0"
    same_file "$WORK/401.csv" "$WORK/gold-$p.csv" "401 ($p): and its output is the clean run's"
done
sb_stop auth

# ---------------------------------------------------------------- 402
# 20 credits: the run stops submitting; the rest is skipped:credits, exit 4.
# The rerun meets a sandbox on the same port with credits to spare: it
# completes the output and pays for no (person, field) the first one paid.
for p in amplemarket thehog; do
    sb cr --credits 20 --job-ms 100
    port=$(cat "$WORK/cr.port")
    J=$WORK/cr-$p.zst enrich cr $p --batch-size 5 <"$WORK/in.csv" >"$WORK/402.csv" 2>"$WORK/err"
    is $? 4 "402 ($p): exits 4"
    eval "$($CHECK gold-or "$WORK/402.csv" "$WORK/gold-$p.csv" skipped:credits)"
    is "$G_bad/$((G_other > 0))" 0/1 "402 ($p): remaining rows skipped:credits ($G_other), the others as the clean run"
    charges cr "$WORK/paid1"
    sb_stop cr
    sb_port cr "$port" --job-ms 100
    J=$WORK/cr-$p.zst enrich cr $p --batch-size 5 <"$WORK/in.csv" >"$WORK/402.csv" 2>"$WORK/err"
    is $? 0 "402 ($p): the rerun with credits exits 0"
    same_file "$WORK/402.csv" "$WORK/gold-$p.csv" "402 ($p): and completes the output"
    charges cr "$WORK/paid2"
    is "$(comm -12 "$WORK/paid1" "$WORK/paid2" | wc -l)/$(($(wc -l <"$WORK/paid1") > 0))" 0/1 \
        "402 ($p): the rerun paid for nothing the first run had paid for"
    sb_stop cr
done

# --max-credits: no batch is started whose worst case would pass the cap
sb cap --job-ms 100
J=$WORK/cap.zst enrich cap amplemarket --batch-size 5 --max-credits 10 <"$WORK/in.csv" \
    >"$WORK/cap.csv" 2>"$WORK/err"
is $? 4 "--max-credits 10 (amplemarket): exits 4"
eval "$($CHECK gold-or "$WORK/cap.csv" "$WORK/gold-amplemarket.csv" skipped:credits)"
is "$G_bad/$((G_other > 0))" 0/1 "--max-credits 10: the rest skipped:credits ($G_other), the others as the clean run"
sbstats cap
ge 10 "$S_credits" "--max-credits 10: the provider charged at most 10 ($S_credits)"
J=$WORK/cap.zst enrich cap amplemarket --batch-size 5 <"$WORK/in.csv" >"$WORK/cap.csv" 2>"$WORK/err"
is $? 0 "--max-credits: a rerun without the cap exits 0"
same_file "$WORK/cap.csv" "$WORK/gold-amplemarket.csv" "--max-credits: and completes the output"
sbstats cap
is "$S_double" 0 "--max-credits: nothing paid twice"
sb_stop cap

# ---------------------------------------------------------------- malformed
sb mal --malformed 1 --job-ms 100
enrich mal thehog --batch-size 10 <"$WORK/in.csv" >"$WORK/mal.csv" 2>"$WORK/err"
is $? 0 "malformed (thehog): exits 0, no crash"
is "$(statuses "$WORK/mal.csv" | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" \
    "40 failed:bad_response 2 skipped:no_identifier " "malformed (thehog): rows end failed:bad_response"
eval "$($CHECK batches "$WORK/mal.log")"
is "$B_posts/$B_keys/$B_key_reused" "8/4/0" "malformed (thehog): each batch sent twice, with its key"
sbstats mal
is "$S_double" 0 "malformed (thehog): the retry with the key charged nothing twice"
sb_stop mal
sb mal --malformed 1 --job-ms 100
enrich mal amplemarket --batch-size 10 <"$WORK/in.csv" >"$WORK/mal.csv" 2>"$WORK/err"
is $? 0 "malformed (amplemarket): exits 0, no crash"
is "$(statuses "$WORK/mal.csv" | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" \
    "40 failed:bad_response 2 skipped:no_identifier " "malformed (amplemarket): rows end failed:bad_response"
eval "$($CHECK batches "$WORK/mal.log")"
is "$B_posts" 4 "malformed (amplemarket): a submit that took effect is not sent again"
sb_stop mal

done_testing

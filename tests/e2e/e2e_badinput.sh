#!/bin/sh
# e2e_badinput.sh - SPEC section 6 on the input side, through a real run:
# a ragged CSV row, invalid UTF-8 and an invalid NDJSON line are reported
# with their line number and pass through as failed:bad_input while the
# other rows are enriched (exit 0), --strict makes them fatal (exit 3); an
# input with no identifier column is a usage error listing the columns.
. "$TESTS_SRC/lib.sh"
. "$TESTS_SRC/e2e/e2e_lib.sh"

sb run --job-ms 50
printf 'Work Email,Notes\na@x.test,one\nb@x.test,two,extra\nc@x.test,\377\376bad\nd@x.test,four\n' >"$WORK/bad.csv"
printf '%s\n' '{"Work Email":"a@x.test"}' '{"Work Email":"b@x.test",}' '{"Work Email":"c@x.test","n":"x"}' \
    '{"Work Email":"d@x.test"}' | sed '3s/"x"/"\xff"/' >"$WORK/bad.ndjson"
# the good rows alone: what they must get
printf 'Work Email,Notes\na@x.test,one\nd@x.test,four\n' >"$WORK/good.csv"

for p in amplemarket thehog; do
    enrich run $p --no-journal <"$WORK/good.csv" >"$WORK/good.out" 2>/dev/null
    good_a=$(sed -n 2p "$WORK/good.out" | cut -d, -f3-)
    good_d=$(sed -n 3p "$WORK/good.out" | cut -d, -f3-)
    enrich run $p --no-journal <"$WORK/bad.csv" >"$WORK/out.csv" 2>"$WORK/err"
    is $? 0 "bad CSV rows ($p): exit 0"
    grep -q 'line 3:.*fields' "$WORK/err"
    ok $? "ragged row ($p): the message names line 3"
    grep -q 'line 4:.*UTF-8' "$WORK/err"
    ok $? "invalid UTF-8 ($p): the message names line 4"
    is "$(statuses "$WORK/out.csv" | tr '\n' ' ')" \
        "$(statuses "$WORK/good.out" | sed -n 1p) failed:bad_input failed:bad_input $(statuses "$WORK/good.out" | sed -n 2p) " \
        "bad CSV rows ($p): in place as failed:bad_input, the others enriched"
    is "$(sed -n 2p "$WORK/out.csv" | cut -d, -f3-)/$(sed -n 5p "$WORK/out.csv" | cut -d, -f3-)" \
        "$good_a/$good_d" "bad CSV rows ($p): the good rows get their contacts"
    is "$(sed -n 3p "$WORK/out.csv" | cut -d, -f1-3)" "b@x.test,two,extra" "ragged row ($p): its fields pass through"
    enrich run $p --no-journal --strict <"$WORK/bad.csv" >/dev/null 2>"$WORK/err"
    is $? 3 "bad CSV rows ($p): --strict exits 3"

    enrich run $p --no-journal <"$WORK/bad.ndjson" >"$WORK/out.ndjson" 2>"$WORK/err"
    is $? 0 "bad NDJSON lines ($p): exit 0"
    grep -q 'line 2:' "$WORK/err" && grep -q 'line 3:' "$WORK/err"
    ok $? "bad NDJSON lines ($p): the messages name lines 2 and 3"
    is "$(python3 -c 'import json,sys
print(" ".join(json.loads(l)["enrich_status"] for l in open(sys.argv[1])))' "$WORK/out.ndjson")" \
        "$(statuses "$WORK/good.out" | sed -n 1p) failed:bad_input failed:bad_input $(statuses "$WORK/good.out" | sed -n 2p)" \
        "bad NDJSON lines ($p): in place as failed:bad_input, the others enriched"
    enrich run $p --no-journal --strict <"$WORK/bad.ndjson" >/dev/null 2>"$WORK/err"
    is $? 3 "bad NDJSON lines ($p): --strict exits 3"

    sbstats run
    before=$S_requests
    printf 'Colour,Size\nred,XL\n' | enrich run $p --no-journal >"$WORK/out.csv" 2>"$WORK/err"
    is $? 2 "no identifier column ($p): exit 2"
    grep -q 'Colour, Size' "$WORK/err" && grep -q -- '--map' "$WORK/err"
    ok $? "no identifier column ($p): the message lists the columns and the --map to use"
    sbstats run
    is "$S_requests" "$before" "no identifier column ($p): no request was sent"
done

done_testing

#!/bin/sh
# The command line: help and man page agree, usage errors exit 2 with a
# clear message, --show-map and --dry-run work without network or keys.
. "$TESTS_SRC/lib.sh"
MAN="$TESTS_SRC/../man/enrichcsv.1"
SRC="$TESTS_SRC/../src"
isolate_env

"$ENRICHCSV" --help >"$WORK/help" 2>&1
ok $? "--help exits 0"
"$ENRICHCSV" --version | grep -q '^enrichcsv [0-9]'
ok $? "--version prints the version"

# every long option of the getopt table is in --help and in the man page
missing=""
for opt in $(sed -n 's/^ *{"\([a-z][a-z-]*\)", *[a-z_]*argument.*/\1/p' "$SRC/opts.c"); do
    grep -q -- "--$opt" "$WORK/help" || missing="$missing help:$opt"
    grep -q -- "Fl \\\\-$opt" "$MAN" || missing="$missing man:$opt"
done
is "$missing" "" "every option in src/opts.c is in --help and the man page"
n=$(sed -n 's/^ *{"\([a-z][a-z-]*\)", *[a-z_]*argument.*/\1/p' "$SRC/opts.c" | wc -l)
[ "$n" -gt 40 ]
ok $? "the option table was found ($n options)"

# the help's usage lines are the man page's SYNOPSIS forms
for form in "--sandbox" "--show-map" "--dry-run" "--journal-stats" "--journal-compact" "--journal-merge"; do
    grep -q "^ *Usage:.*\|^       enrichcsv.*$form" "$WORK/help" || { echo "# help misses $form"; false; }
    ok $? "--help synopsis has the $form form"
done

"$ENRICHCSV" --no-such-option </dev/null >/dev/null 2>"$WORK/err"
is $? 2 "an unknown option exits 2"
grep -q "unknown option --no-such-option" "$WORK/err"
ok $? "and names the option"

"$ENRICHCSV" -p nosuch <"$DATA/leads.csv" >/dev/null 2>"$WORK/err"
is $? 2 "an unknown provider exits 2"

"$ENRICHCSV" -p amplemarket <"$DATA/leads.csv" >/dev/null 2>"$WORK/err"
is $? 2 "a missing key exits 2"
grep -q "AMPLEMARKET_API_KEY" "$WORK/err"
ok $? "and names the variable to set"
"$ENRICHCSV" -p thehog <"$DATA/leads.csv" >/dev/null 2>"$WORK/err"
grep -q "THEHOG_API_KEY" "$WORK/err"
ok $? "The Hog's missing key names THEHOG_API_KEY"

AMPLEMARKET_API_KEY=k "$ENRICHCSV" -p amplemarket --batch-size 5000 <"$DATA/leads.csv" >/dev/null 2>"$WORK/err"
is $? 2 "--batch-size above the documented limit exits 2"
grep -q "limit of 1000" "$WORK/err"
ok $? "and names the limit"
WOODPECKER_API_KEY=k "$ENRICHCSV" -p woodpecker --concurrency 2 <"$DATA/woodpecker-export.csv" >/dev/null 2>"$WORK/err"
is $? 2 "Woodpecker refuses --concurrency above one"

"$ENRICHCSV" --rate 10/fortnight -p amplemarket </dev/null >/dev/null 2>"$WORK/err"
is $? 2 "a malformed --rate exits 2"

# --show-map: which column feeds which field
"$ENRICHCSV" --show-map -p amplemarket "$DATA/leads.csv" >"$WORK/map" 2>"$WORK/err"
is $? 0 "--show-map exits 0 without a key"
grep -q "LinkedIn URL" "$WORK/map" && grep -q "Work Email" "$WORK/map" && grep -q "Company Name" "$WORK/map"
ok $? "--show-map names the columns feeding Amplemarket's fields"
"$ENRICHCSV" --show-map -p thehog -m x_handle=Twitter "$DATA/leads.csv" >"$WORK/map" 2>&1
grep "x_handle" "$WORK/map" | grep -q "Twitter"
ok $? "--map shows in --show-map"
"$ENRICHCSV" --show-map -p lance "$DATA/lance-people.csv" >"$WORK/map" 2>&1
grep "person_id" "$WORK/map" | grep -q "Person ID"
ok $? "Lance's person_id is found in 'Person ID'"

# no identifier column: exit 2 with the columns seen and the --map to use
printf 'a,b\n1,2\n' | "$ENRICHCSV" --dry-run -p lance >/dev/null 2>"$WORK/err"
is $? 2 "no identifier column exits 2"
grep -q "a, b" "$WORK/err" && grep -q -- "--map person_id=" "$WORK/err"
ok $? "the message lists the columns and suggests --map"

# --dry-run: counts without network
"$ENRICHCSV" --dry-run --no-journal -p amplemarket "$DATA/leads.csv" >"$WORK/plan" 2>"$WORK/err"
is $? 0 "--dry-run exits 0 without a key"
rows=$(awk -F'\t' '$1=="rows"{print $2}' "$WORK/plan")
is "$rows" "1000" "--dry-run counts the 1000 rows of data/leads.csv"
sub=$(awk -F'\t' '$1=="lookups to submit"{print $2}' "$WORK/plan")
dup=$(awk -F'\t' '$1=="duplicate rows"{print $2}' "$WORK/plan")
[ "${dup:-0}" -gt 0 ] && [ "${sub:-0}" -gt 500 ] && [ "$sub" -lt 1000 ]
ok $? "--dry-run finds duplicates and fewer lookups than rows ($sub lookups, $dup duplicates)"
grep -q "^batches	1 (up to 100 lookups each)\|^batches	[0-9]* (up to" "$WORK/plan"
ok $? "--dry-run prints the batches"
"$ENRICHCSV" --dry-run --no-journal -p amplemarket --batch-size 10 "$DATA/leads.csv" >"$WORK/plan10"
b10=$(awk -F'\t' '$1=="batches"{print $2}' "$WORK/plan10" | cut -d' ' -f1)
is "$b10" "$(( (sub + 9) / 10 ))" "--batch-size 10 gives ceil(lookups/10) batches"
done_testing

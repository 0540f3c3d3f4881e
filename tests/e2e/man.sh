#!/bin/sh
# man.sh - the man page is the contract: its EXAMPLES run (every "$ " line of
# a literal block under EXAMPLES, in order, offline with --sandbox, must exit
# 0), and what the source defines is documented: short options, environment
# variables, exit statuses, row statuses, config keys, default files.
# (tests/e2e/cli.sh checks every long option and the --help synopsis.)
. "$TESTS_SRC/lib.sh"
MAN="$TESTS_SRC/../man/enrichcsv.1"
SRC="$TESTS_SRC/../src"
isolate_env

# section NAME: the text of one .Sh section of the man page
section() { awk -v s="$1" '/^\.Sh /{ on = (substr($0, 5) == s) ; next } on' "$MAN"; }

# ----------------------------------------------------------- EXAMPLES
section EXAMPLES | awk '/^\.Bd -literal/{ lit = 1; next } /^\.Ed/{ lit = 0 } lit && /^\$ /' |
    sed -e 's/^\$ //' -e 's/\\-/-/g' -e 's/\\e/\\/g' -e "s/\\\\(aq/'/g" -e 's/\\&//g' \
    >"$WORK/examples"
n=$(wc -l <"$WORK/examples")
[ "$n" -ge 4 ]
ok $? "the man page has EXAMPLES to run ($n commands)"
grep -v -e "--sandbox" -e "--journal-" -e "--dry-run" -e "--show-map" "$WORK/examples" >"$WORK/online"
is "$(cat "$WORK/online")" "" "every example runs offline (--sandbox, or no network at all)"

mkdir "$WORK/ex"
cp "$DATA"/*.csv "$DATA"/*.ndjson "$WORK/ex/"
PATH="$(dirname "$ENRICHCSV"):$PATH"
export PATH
while IFS= read -r cmd; do
    (cd "$WORK/ex" && timeout 120 sh -c "$cmd") </dev/null >"$WORK/ex.out" 2>"$WORK/ex.err"
    st=$?
    is "$st" 0 "example: $cmd"
    [ "$st" = 0 ] || sed 's/^/#   /' "$WORK/ex.err" | head -5
    case "$cmd" in
    *"> "*)
        f=${cmd##*> }
        [ -s "$WORK/ex/$f" ]
        ok $? "example: it wrote $f"
        ;;
    *)
        [ -s "$WORK/ex.out" ]
        ok $? "example: it printed something"
        ;;
    esac
done <"$WORK/examples"

# ----------------------------------------------------------- what the source defines
missing=""
# short options of the getopt string
shorts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "$SRC/opts.c" | tr -d ':')
[ -n "$shorts" ]
ok $? "the short options were found ($shorts)"
for c in $(echo "$shorts" | sed 's/./& /g'); do
    grep -q -E "Fl $c( |,|\$)" "$MAN" || missing="$missing -$c"
done
is "$missing" "" "every short option is in the man page"

# environment variables the client reads, and the key variables
missing=""
vars=$( (grep -h -o 'getenv("[A-Z_]*")' "$SRC"/*.c | sed 's/getenv("\(.*\)")/\1/'
         grep -h -o '"[A-Z][A-Z0-9]*_\(API_KEY\|API_TOKEN\|ACCESS_KEY\|SECRET_KEY\|USER_ID\)"' \
             "$SRC/settings.c" | tr -d '"') | sort -u)
[ "$(echo "$vars" | wc -w)" -ge 15 ]
ok $? "the environment variables were found ($(echo "$vars" | wc -w))"
section ENVIRONMENT >"$WORK/env"
for v in $vars; do
    grep -q "Ev $v\\b" "$WORK/env" || missing="$missing $v"
done
is "$missing" "" "every environment variable the source reads is under ENVIRONMENT"

# exit statuses
missing=""
codes=$(sed -n 's/^ *EC_EXIT_[A-Z_]* = \([0-9]*\).*/\1/p' "$SRC/engine.h")
[ "$(echo "$codes" | wc -w)" -ge 8 ]
ok $? "the exit statuses were found ($(echo $codes))"
section "EXIT STATUS" >"$WORK/exit"
for c in $codes; do
    grep -q -E "^\.It ([0-9]+ , )*$c( |\$)" "$WORK/exit" || missing="$missing $c"
done
is "$missing" "" "every exit status is under EXIT STATUS"

# row statuses
missing=""
for s in $(sed -n 's/.*ec_buf_puts(b, "\([a-z_:]*\)");.*/\1/p' "$SRC/row.c" | grep -v '^pending$'); do
    grep -q "Cm $s" "$MAN" || missing="$missing $s"
done
is "$missing" "" "every row status is in the man page"

# config keys
missing=""
keys=$( (sed -n 's/.*ec_config_get([^,]*, [^,]*, "\([a-z_]*\)").*/\1/p' "$SRC"/*.c
         sed -n '/auth_table\[\] = {/,/^};/p' "$SRC/settings.c" | grep -o '"[a-z_]*"' | tr -d '"' |
             grep -v -x -e amplemarket -e thehog -e openfunnel -e woodpecker -e lance) | sort -u)
section CONFIGURATION >"$WORK/conf"
for k in $keys; do
    grep -q "$k" "$WORK/conf" || missing="$missing $k"
done
[ "$(echo "$keys" | wc -w)" -ge 6 ]
ok $? "the config keys were found ($(echo $keys))"
is "$missing" "" "every config key is under CONFIGURATION"

# column synonyms: the whole table of colmap.c, word for word
missing=""
forms=$(sed -n 's/^ *{"\([a-z0-9]*\)", EC_F_[A-Z_]*, [01]},.*/\1/p' "$SRC/colmap.c")
[ "$(echo "$forms" | wc -w)" -ge 100 ]
ok $? "the column synonyms were found ($(echo "$forms" | wc -w))"
section "COLUMN MAPPING" | sed 's/\\%//g' | tr ',;' '  ' | tr -s ' ' '\n' >"$WORK/synonyms"
for f in $forms; do
    grep -q -x "$f" "$WORK/synonyms" || missing="$missing $f"
done
is "$missing" "" "every column synonym is under COLUMN MAPPING"

# default files
section FILES >"$WORK/files"
for f in enrichcsv/config enrichcsv/journal.zst enrichcsv/sandbox-journal.zst; do
    grep -q "$f" "$WORK/files"
    ok $? "FILES names $f"
done
done_testing

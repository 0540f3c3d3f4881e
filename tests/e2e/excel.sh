#!/bin/sh
# excel.sh - --excel output opened by a real spreadsheet: LibreOffice
# headless converts the enriched CSV (and, for contrast, the raw input) to
# flat ODS XML, whose cells are checked: data/excel-export.csv (UTF-8 BOM,
# CRLF, ';' delimiter) round-trips, the guarded cells stay text, and no
# formula is evaluated (the raw input's =1+1 cells are, which shows the
# check can fail).
. "$TESTS_SRC/lib.sh"
unset ENRICHCSV_JOURNAL ENRICHCSV_SANDBOX_ARGS
export XDG_STATE_HOME="$WORK/state" XDG_CONFIG_HOME="$WORK/config"
IN="$DATA/excel-export.csv"

# --------------------------------------------------------------- the bytes
"$ENRICHCSV" --sandbox --excel -q "$IN" >"$WORK/enriched.csv"
is $? 0 "--excel run"
is "$(head -c 3 "$WORK/enriched.csv" | od -An -tx1 | tr -d ' \n')" "efbbbf" "--excel: a UTF-8 BOM first"
lines=$(wc -l <"$WORK/enriched.csv")
crlf=$(grep -c "$(printf '\r')\$" "$WORK/enriched.csv")
is "$crlf" "$lines" "--excel: every line ends in CRLF ($lines lines)"
head -1 "$WORK/enriched.csv" | grep -q "^.*First Name;Last Name;E-mail;LinkedIn;Company;Phone;enrich_status"
ok $? "--excel: the input's ';' delimiter is kept and the status column added"
grep -q ";'=1+1;" "$WORK/enriched.csv" && grep -q ";'-5;" "$WORK/enriched.csv"
ok $? "--excel: cells starting with = or - get a leading '"
"$ENRICHCSV" --sandbox -q "$IN" >"$WORK/plain.csv"
grep -q ";=1+1;" "$WORK/plain.csv"
ok $? "without --excel the bytes pass through unchanged"

# --------------------------------------------------------------- LibreOffice
if ! command -v soffice >/dev/null 2>&1; then
    _tap_n=$((_tap_n + 1))
    echo "ok $_tap_n - LibreOffice opens the output # SKIP soffice is not installed (Debian package libreoffice-calc)"
    done_testing
    exit $?
fi
# CSV import options: ';' (59), '"' (34), UTF-8 (76), from line 1
cp "$IN" "$WORK/raw.csv"
timeout 300 soffice -env:UserInstallation="file://$WORK/lo-profile" --headless \
    --infilter="CSV:59,34,76,1" --convert-to fods --outdir "$WORK/conv" \
    "$WORK/enriched.csv" "$WORK/raw.csv" >"$WORK/soffice.out" 2>&1
ok $? "soffice converts both files"
[ -s "$WORK/conv/enriched.fods" ] && [ -s "$WORK/conv/raw.fods" ]
ok $? "soffice wrote the two .fods files" || sed 's/^/# /' "$WORK/soffice.out"

python3 - "$IN" "$WORK/conv/enriched.fods" "$WORK/conv/raw.fods" >"$WORK/check" 2>&1 <<'EOF'
import csv, sys
import xml.etree.ElementTree as ET
T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
X = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

def sheet(path):
    """Rows of (text, value type, formula) of the first table, trailing empties cut."""
    table = next(ET.parse(path).getroot().iter(T + "table"))
    rows = []
    for r in table.iter(T + "table-row"):
        cells = []
        for c in r:
            if c.tag not in (T + "table-cell", T + "covered-table-cell"):
                continue
            text = "\n".join("".join(p.itertext()) for p in c.findall(X + "p"))
            cell = (text, c.get(O + "value-type"), c.get(T + "formula"))
            cells += [cell] * min(int(c.get(T + "number-columns-repeated", "1")), 64)
        while cells and cells[-1] == ("", None, None):
            cells.pop()
        rep = min(int(r.get(T + "number-rows-repeated", "1")), 2)
        rows += [cells] * rep
    while rows and not rows[-1]:
        rows.pop()
    return rows

with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    src = list(csv.reader(f, delimiter=";"))
out, raw = sheet(sys.argv[2]), sheet(sys.argv[3])
guard = ("=", "+", "-", "@", "\t", "\r")
bad = []
def check(cond, what):
    print(("ok " if cond else "FAIL ") + what)
check(len(out) == len(src), "rows: %d in the sheet, %d in the input" % (len(out), len(src)))
check(out[0][0][0] == "First Name", "the BOM is not part of the first header cell")
formulas = [(i, j, c) for i, r in enumerate(out) for j, c in enumerate(r) if c[2]]
check(not formulas, "no formula in the enriched sheet %s" % formulas[:3])
nonstring = [(i, j, c) for i, r in enumerate(out) for j, c in enumerate(r) if c[1] not in (None, "string")]
check(not nonstring, "every cell is text %s" % nonstring[:3])
# E-mail and Phone are reused for the results: empty input cells may be filled
filled_cols = [src[0].index("E-mail"), src[0].index("Phone")]
guarded = filled = 0
for i, row in enumerate(src):
    for j, v in enumerate(row):
        got = out[i][j][0] if j < len(out[i]) else ""
        want = "'" + v if v[:1] in guard else v
        guarded += v[:1] in guard
        if i > 0 and j in filled_cols and v == "" and got != "":
            filled += 1
        elif got != want:
            bad.append((i + 1, j + 1, v, got))
check(not bad, "every input cell round-trips, guarded ones as text with their ' %s" % bad[:3])
check(filled > 0, "empty E-mail and Phone cells were filled by the lookup (%d)" % filled)
check(guarded >= 5, "the input has cells to guard (%d)" % guarded)
raw_formulas = sum(1 for r in raw for c in r if c[2])
check(raw_formulas > 0, "the same input unguarded: LibreOffice evaluates %d formulas" % raw_formulas)
check(out[0][len(src[0])][0] == "enrich_status", "the added status column is in the sheet")
EOF
sed -n 's/^FAIL /# FAIL /p' "$WORK/check"
total=$(grep -c '^ok \|^FAIL ' "$WORK/check")
is "$total" 9 "LibreOffice: the 9 cell checks ran"
while read -r st what; do
    [ "$st" = ok ]
    ok $? "LibreOffice: $what"
done <"$WORK/check"
done_testing

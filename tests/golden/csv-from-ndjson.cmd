head -3 "$DATA/leads.ndjson" | $ENRICHCSV --sandbox -q --no-journal -p amplemarket -o csv

head -4 "$DATA/leads.csv" | $ENRICHCSV --sandbox -q --no-journal -p amplemarket -o ndjson

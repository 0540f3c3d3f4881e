head -6 "$DATA/leads.csv" | $ENRICHCSV --sandbox -q --no-journal -p amplemarket

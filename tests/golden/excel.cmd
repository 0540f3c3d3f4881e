head -3 "$DATA/excel-export.csv" | $ENRICHCSV --sandbox -q --no-journal -p amplemarket --excel | od -c | head -12

$ENRICHCSV --dry-run --no-journal -p amplemarket "$DATA/excel-export.csv"

$ENRICHCSV --dry-run --no-journal -p amplemarket "$DATA/leads.csv"

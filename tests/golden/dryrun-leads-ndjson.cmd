$ENRICHCSV --dry-run --no-journal -p thehog "$DATA/leads.ndjson"

$ENRICHCSV --show-map -p amplemarket "$DATA/leads.ndjson"

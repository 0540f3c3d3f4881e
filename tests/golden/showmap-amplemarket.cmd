$ENRICHCSV --show-map -p amplemarket "$DATA/leads.csv"

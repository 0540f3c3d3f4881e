$ENRICHCSV --show-map -p thehog -m x_handle=Twitter "$DATA/leads.csv"

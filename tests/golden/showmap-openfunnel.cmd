$ENRICHCSV --show-map -p openfunnel "$DATA/accounts.csv"

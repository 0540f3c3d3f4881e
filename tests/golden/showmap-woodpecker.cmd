$ENRICHCSV --show-map -p woodpecker "$DATA/woodpecker-export.csv"

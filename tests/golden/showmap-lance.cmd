$ENRICHCSV --show-map -p lance "$DATA/lance-people.csv"

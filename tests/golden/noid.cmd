printf 'a,b\n1,2\n' | $ENRICHCSV --dry-run -p lance

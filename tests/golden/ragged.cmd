printf 'Email,Name\na@b.com,Ann\nc@d.com\ne@f.com,Eve,extra\n' | $ENRICHCSV --sandbox -q --no-journal -p thehog 2>&1

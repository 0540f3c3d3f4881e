#!/usr/bin/env python3
"""Generate the sample lead files in data/ (deterministic; rerun to refresh).

Everything here is fictional: names from short lists, companies invented,
domains under example.* or invented .test names, LinkedIn slugs made up.
"""
import csv, io, json, random, uuid, os

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261123)

FIRST = ["Ann", "Bob", "Chloé", "Dev", "Eve", "Farid", "Gus", "Hana", "Iris", "José", "Kai",
         "Lena", "Mia", "Noor", "Omar", "Pia", "Quinn", "Rosa", "Sven", "Tariq", "Uma",
         "Vik", "Wen", "Xiu", "Yara", "Zoë", "Li", "Ngozi", "Øystein", "Siobhán"]
LAST = ["Lee", "Smith", "Okafor", "Nakamura", "García", "Müller", "Rossi", "Kowalski",
        "Haddad", "Novak", "O'Brien", "Van Dijk", "Singh", "Dubois", "Silva", "Kim",
        "Ivanova", "Johansson", "Costa", "Nguyen"]
TITLES = ["CTO", "VP Engineering", "Head of Growth", "Sales Director", "Founder & CEO",
          "Marketing Manager", "Staff Engineer", "Director, Revenue Operations",
          "Chief \"Everything\" Officer", "=HYPERLINK(\"x\")", "Account Executive", ""]
COMPANIES = ["Acme Widgets", "Globex, Inc.", "Initech", "Umbrella Labs", "Hooli",
             "Vandelay Industries", "Stark & Wayne", "Wonka Sweets", "Tyrell Corp",
             "Cyberdyne Systems", "Soylent \"Green\" Co", "Oceanic Air", "Nakatomi Trading"]


def slug(s):
    return "".join(c.lower() if c.isalnum() else "-" for c in s).strip("-")


def domain_of(company):
    return slug(company).replace("-", "") + ".test"


def person(i):
    f, l = rng.choice(FIRST), rng.choice(LAST)
    company = rng.choice(COMPANIES)
    dom = domain_of(company)
    li = "https://www.linkedin.com/in/%s-%s-%04d" % (slug(f), slug(l), i)
    email = "%s.%s@%s" % (slug(f), slug(l), dom)
    site = rng.choice(["https://www.%s/", "http://%s", "%s", "www.%s/about"]) % dom
    kind = rng.random()
    row = {"First Name": f, "Last Name": l, "Job Title": rng.choice(TITLES),
           "Company Name": company, "Company Website": site,
           "LinkedIn URL": li, "Work Email": "", "Twitter": "", "Notes": ""}
    if kind < 0.15:            # email only
        row["LinkedIn URL"] = ""
        row["Work Email"] = email
    elif kind < 0.22:          # twitter only (The Hog can use it)
        row["LinkedIn URL"] = ""
        row["Twitter"] = "@" + slug(f) + slug(l) + str(i)
    elif kind < 0.27:          # no identifier at all
        row["LinkedIn URL"] = ""
        row["Company Name"] = ""
        row["Company Website"] = ""
    elif kind < 0.45:          # both
        row["Work Email"] = email
    note = rng.random()
    if note < 0.05:
        row["Notes"] = "met at conf,\nfollow up \"soon\""
    elif note < 0.10:
        row["Notes"] = "  leading and trailing spaces  "
    elif note < 0.12:
        row["Notes"] = "+1 asked for a call"
    return row


def messy_duplicate(row):
    d = dict(row)
    if d["LinkedIn URL"]:
        d["LinkedIn URL"] = d["LinkedIn URL"].replace("https://www.", "http://").upper().rstrip("/") + "/?trk=public"
    if d["Work Email"]:
        d["Work Email"] = " " + d["Work Email"].upper() + " "
    return d


rows = []
for i in range(1, 1001):
    if i > 20 and rng.random() < 0.06:
        rows.append(messy_duplicate(rng.choice(rows)))
    else:
        rows.append(person(i))

cols = list(rows[0].keys())
buf = io.StringIO()
w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
w.writeheader()
w.writerows(rows)
open(os.path.join(HERE, "leads.csv"), "w", encoding="utf-8", newline="").write(buf.getvalue())

with open(os.path.join(HERE, "leads.ndjson"), "w", encoding="utf-8") as fh:
    for r in rows:
        fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")

# Excel-style export: BOM, CRLF, ';' separator, localized header names
buf = io.StringIO()
w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
w.writerow(["First Name", "Last Name", "E-mail", "LinkedIn", "Company", "Phone"])
for r in rows[:40]:
    w.writerow([r["First Name"], r["Last Name"], r["Work Email"], r["LinkedIn URL"],
                r["Company Name"], rng.choice(["", "+49 30 1234567", "=1+1", "-5"])])
open(os.path.join(HERE, "excel-export.csv"), "w", encoding="utf-8-sig", newline="").write(buf.getvalue())

# OpenFunnel accounts
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(["Account ID", "Company", "Website"])
for i in range(60):
    c = rng.choice(COMPANIES)
    w.writerow([rng.randint(1000, 99999), c, domain_of(c)])
w.writerow(["", "No Id Ltd", "noid.test"])
open(os.path.join(HERE, "accounts.csv"), "w", encoding="utf-8", newline="").write(buf.getvalue())

# Woodpecker Lead Finder export
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(["uid", "full_name", "first_name", "last_name", "job_title", "company_name",
            "company_website", "linkedin_url", "location"])
for i in range(120):
    r = person(5000 + i)
    uid = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                  for _ in range(23)) + "_%04d" % i
    w.writerow([uid, r["First Name"] + " " + r["Last Name"], r["First Name"], r["Last Name"],
                r["Job Title"], r["Company Name"], domain_of(r["Company Name"] or "none"),
                "https://www.linkedin.com/in/%s-%s-%04d" % (slug(r["First Name"]), slug(r["Last Name"]), 5000 + i),
                rng.choice(["Berlin, DE", "Austin, US", "Lisbon, PT"])])
w.writerow(["", "Missing Uid", "Missing", "Uid", "", "", "", "", ""])
open(os.path.join(HERE, "woodpecker-export.csv"), "w", encoding="utf-8", newline="").write(buf.getvalue())

# Lance people
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(["Person ID", "Full Name", "Company"])
for i in range(150):
    r = person(7000 + i)
    w.writerow([str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                r["First Name"] + " " + r["Last Name"], r["Company Name"]])
w.writerow(["not-a-uuid", "Bad Id", "Nowhere"])
open(os.path.join(HERE, "lance-people.csv"), "w", encoding="utf-8", newline="").write(buf.getvalue())

#!/usr/bin/env python3
"""e2e_check.py - the engine tests' independent oracle and checkers.

  oracle PROVIDER URL INPUT EXPECTED.json
      Look every row of INPUT (CSV or NDJSON, the columns of data/leads.csv)
      up through the provider's own API on the sandbox at URL, one lead per
      job, the way a careful script would: submit, poll until done, read the
      result. Writes one {"status","email","phone","identity"} per row.
      Nothing here is shared with enrichcsv: the column meaning and the
      identifier rules are written from providers.md and SPEC.md. Prints
      O_identities=N, the number of people the provider was asked about.
  compare INPUT OUTPUT EXPECTED.json
      Every input row once, in order, its fields unchanged (values compared
      after parsing, as SPEC section 4 allows re-quoting), and email, phone
      and enrich_status equal to the oracle's. Exit 1 with the differences.
  same-enrichment OUT_A OUT_B
      The added columns of two outputs (CSV or NDJSON) agree row by row.
  batches LOG [PROVIDER]
      Facts about the submits in a sandbox --log, as shell assignments B_*.
  stats <STATS.json
      The sandbox's counters (GET /_sandbox/stats) as shell assignments S_*.
  waits LOG
      W_n429 (the client's 429s) and W_mingap, the shortest time in ms from a
      429 to the client's next request, as shell assignments.
  faults LOG
      F_requests (the client's, /burn left out) and F_<fault> counts.
  gold-or OUTPUT GOLD STATUS
      Every CSV row equals the gold run's or is its row with empty contacts
      and STATUS; G_other counts those, G_bad the rows that are neither.
  open-batches JOURNAL
      How many batches the journal holds a job id for and no done record.
  prefix PART FULL
      PART is a prefix of FULL made of whole lines, with at least one row.
"""
import csv
import io
import json
import re
import socket
import sys
import time
import http.client
import urllib.parse

ADDED = ("email", "phone", "enrich_status")
KEY = "oracle-key"


# ----------------------------------------------------------------- input

def read_rows(path):
    """(header or None, list of rows); CSV rows are lists, NDJSON dicts."""
    data = open(path, "rb").read().decode("utf-8")
    if path.endswith(".ndjson"):
        return None, [json.loads(line) for line in data.splitlines() if line.strip()]
    rows = list(csv.reader(io.StringIO(data, newline="")))
    return rows[0], rows[1:]


def as_dict(header, row):
    return dict(zip(header, row)) if header is not None else row


# ----------------------------------------------------------------- identifiers

def linkedin(v):
    """A profile URL as https://www.linkedin.com/in/<slug>, or None."""
    v = v.strip().lower()
    m = re.match(r"^(?:https?://)?(?:[a-z0-9-]+\.)?linkedin\.com/in/([^/?#]+)", v)
    # a URI: the slug percent-encoded (LinkedIn's own links do so)
    slug = m and urllib.parse.quote(urllib.parse.unquote(m.group(1)), safe="-_.~")
    return "https://www.linkedin.com/in/%s" % slug if m else None


def email(v):
    v = v.strip().lower()
    return v if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v) else None


def domain(v):
    v = v.strip().lower()
    v = re.sub(r"^[a-z]+://", "", v).split("/")[0].split("?")[0]
    v = v[4:] if v.startswith("www.") else v
    return v if "." in v else None


def x_handle(v):
    """An X handle as X allows them: '@' dropped, 1-15 of [a-z0-9_]."""
    v = v.strip().lower().lstrip("@")
    return v if re.fullmatch(r"[a-z0-9_]{1,15}", v) else None


def github(v):
    """A GitHub user name as GitHub allows them: 1-39 of [a-z0-9-]."""
    v = v.strip().lower().lstrip("@")
    return v if re.fullmatch(r"[a-z0-9-]{1,39}", v) else None


def amplemarket_lead(r):
    """The lead Amplemarket takes (providers.md 5), or None without an identifier."""
    lead = {}
    li, em = linkedin(r.get("LinkedIn URL", "")), email(r.get("Work Email", ""))
    first, last = r.get("First Name", "").strip(), r.get("Last Name", "").strip()
    name = "%s %s" % (first, last) if first and last else None
    company = " ".join(r.get("Company Name", "").split()) or None
    dom = domain(r.get("Company Website", ""))
    title = " ".join(r.get("Job Title", "").split()) or None
    for k, v in (("email", em), ("linkedin_url", li), ("company_domain", dom),
                 ("company_name", company), ("name", name), ("title", title)):
        if v:
            lead[k] = v
    if not (li or em or (name and (company or dom))):
        return None, None
    # whom the provider looks up: LinkedIn, else email, else name + company
    who = li or em or "name:%s|%s" % (name.lower(), dom or company.lower())
    return lead, who


def thehog_identifier(r):
    """One identifier per item (providers.md 2): LinkedIn, email, X, GitHub."""
    for col, kind, norm in (("LinkedIn URL", "linkedin_url", linkedin),
                            ("Work Email", "email", email),
                            ("Twitter", "x_handle", x_handle),
                            ("GitHub", "github_username", github)):
        v = norm(r.get(col, "") or "")
        if v:
            return {kind: v}, "%s:%s" % (kind, v)
    return None, None


# ----------------------------------------------------------------- HTTP

_conns = {}


def call(method, url, body=None, headers=None):
    """One request on a kept-alive connection; 429 and 503 are waited out."""
    u = urllib.parse.urlsplit(url)
    h = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}
    h.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    path = u.path + ("?" + u.query if u.query else "")
    for _ in range(50):
        conn = _conns.get(u.netloc)
        if not conn:
            conn = _conns[u.netloc] = http.client.HTTPConnection(u.netloc, timeout=30)
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            raw = resp.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            _conns.pop(u.netloc, None)
            continue
        if resp.status in (429, 503):
            time.sleep(float(resp.getheader("Retry-After", "1")))
            continue
        if resp.status >= 300:
            raise RuntimeError("%s %s: HTTP %d %s" % (method, url, resp.status, raw[:200]))
        return resp.status, json.loads(raw or b"null")
    raise RuntimeError("%s %s: no answer" % (method, url))


def first(values, key):
    for v in values or []:
        v = v.get(key) if isinstance(v, dict) else v
        if v:
            return v
    return ""


def ask_amplemarket(base, lead):
    _, job = call("POST", base + "/people/enrichment-requests",
                  {"leads": [lead], "reveal_email": True, "reveal_phone_numbers": True})
    while job["status"] not in ("completed", "canceled", "error"):
        _, job = call("GET", base + job["_links"]["self"]["href"])
    res = job["results"][0]
    person = res.get("result") or {}
    em, ph = person.get("email") or "", first(person.get("phone_numbers"), "number")
    status = "enriched" if em or ph else "not_found"
    return {"status": status, "email": em, "phone": ph}


def ask_thehog(base, ident):
    code, op = call("POST", base + "/api/enrichments",
                    {"identifiers": [ident], "fields": ["contact.email", "contact.phone"]})
    while op.get("status") not in ("succeeded", "failed", "partial_success", "cancelled"):
        poll = op["pollUrl"] if "pollUrl" in op else "/api/operations/" + op["id"]
        _, op = call("GET", poll if poll.startswith("http") else base + poll)
    item = op["result"]["items"][0]
    if item["status"] != "success":
        return {"status": "failed:" + item["error"]["message"], "email": "", "phone": ""}
    contact = (item.get("data") or {}).get("contact") or {}
    em, ph = first(contact.get("email"), "value"), first(contact.get("phone"), "value")
    return {"status": "enriched" if em or ph else "not_found", "email": em, "phone": ph}


def oracle(provider, base, path, out):
    header, rows = read_rows(path)
    pick = amplemarket_lead if provider == "amplemarket" else thehog_identifier
    ask = ask_amplemarket if provider == "amplemarket" else ask_thehog
    cache, expected = {}, []
    for row in rows:
        lead, who = pick(as_dict(header, row))
        if lead is None:
            expected.append({"status": "skipped:no_identifier", "email": "", "phone": "",
                             "identity": None})
            continue
        k = json.dumps(lead, sort_keys=True)
        if k not in cache:
            cache[k] = ask(base, lead)
        expected.append(dict(cache[k], identity=who))
    json.dump(expected, open(out, "w"), ensure_ascii=False, indent=0)
    print("O_identities=%d" % len({x["identity"] for x in expected if x["identity"]}))


# ----------------------------------------------------------------- checks

def added_of(header, row):
    """(original part, {email, phone, enrich_status}) of an output row."""
    if header is None:
        orig = {k: v for k, v in row.items() if k not in ADDED}
        return orig, {k: row.get(k) or "" for k in ADDED}
    n = len(header) - len(ADDED)
    return row[:n], dict(zip(ADDED, row[n:]))


def compare(inp, outp, exp_path):
    ih, irows = read_rows(inp)
    oh, orows = read_rows(outp)
    expected = json.load(open(exp_path))
    bad = []
    if ih is not None and oh != ih + list(ADDED):
        bad.append("header %r" % oh)
    if len(orows) != len(irows):
        bad.append("%d rows out for %d in" % (len(orows), len(irows)))
    for i, (irow, orow, exp) in enumerate(zip(irows, orows, expected), 1):
        orig, got = added_of(oh, orow)
        if orig != irow:
            bad.append("row %d: original fields changed: %r" % (i, orig))
        if ih is None and list(orig) != list(irow):
            bad.append("row %d: keys reordered" % i)
        want = {k: exp[k] for k in ("email", "phone")}
        want["enrich_status"] = exp["status"]
        if got != want:
            bad.append("row %d: got %r, want %r" % (i, got, want))
    for line in bad[:15]:
        print("# " + line)
    return 1 if bad else 0


def same_enrichment(a, b):
    ah, arows = read_rows(a)
    bh, brows = read_rows(b)
    diffs = [i for i, (x, y) in enumerate(zip(arows, brows), 1)
             if added_of(ah, x)[1] != added_of(bh, y)[1]]
    if len(arows) != len(brows):
        print("# %d rows against %d" % (len(arows), len(brows)))
        return 1
    for i in diffs[:10]:
        print("# row %d: %r against %r" % (i, added_of(ah, arows[i - 1])[1],
                                           added_of(bh, brows[i - 1])[1]))
    return 1 if diffs else 0


def batches(log, provider=None):
    posts, gets, keys = [], 0, {}
    for line in open(log):
        d = json.loads(line)
        if provider and d["provider"] != provider or d["path"].endswith("/burn"):
            continue
        if d["method"] == "POST" and d["path"] in ("/people/enrichment-requests",
                                                   "/api/enrichments"):
            posts.append(d)
        elif d["method"] == "GET":
            gets += 1
    ok = [p for p in posts if p["status"] in (200, 202)]
    for p in posts:
        if p["idempotency_key"]:
            keys.setdefault(p["idempotency_key"], set()).add(p["batch"])
    sizes = [p["batch"] for p in ok if p["batch"] is not None]  # not replays
    facts = {
        "posts": len(posts), "accepted": len(ok), "gets": gets,
        "max": max(sizes or [0]), "sum": sum(sizes), "nsizes": len(set(sizes)),
        "sizes": ",".join(str(x) for x in sorted(set(sizes))),
        "without_key": sum(1 for p in posts if not p["idempotency_key"]),
        "keys": len(keys),
        # a key reused for a different batch (sizes differ, ignoring
        # answers that carried no size: faults, replays)
        "key_reused": sum(1 for v in keys.values() if len(v - {None}) > 1),
    }
    print(" ".join("B_%s=%s" % kv for kv in facts.items()))
    return 0


def stats(text):
    """The sandbox's counters as shell assignments S_name=value."""
    d = json.loads(text)
    facts = dict(d["faults"], requests=d["requests"], double=d["double_charged"],
                 credits=d["credits_charged"])
    charges = d.get("charges") or []
    facts["paid_pairs"] = len({(c["person"], c["field"]) for c in charges if c["amount"] > 0})
    print(" ".join("S_%s=%s" % (k, ("%g" % v) if isinstance(v, float) else v)
                   for k, v in facts.items()))
    return 0


def waits(log):
    """After each 429, how long until the client's next request (ms)."""
    L = [json.loads(x) for x in open(log)]
    L = [x for x in L if not x["path"].endswith("/burn")]
    gaps = [L[i + 1]["t"] - x["t"] for i, x in enumerate(L[:-1]) if x["status"] == 429]
    print("W_n429=%d W_mingap=%d" % (sum(1 for x in L if x["status"] == 429),
                                     int(min(gaps or [0]) * 1000)))
    return 0


def faults(log):
    """The client's requests in a sandbox log (not /burn) and their faults."""
    L = [json.loads(x) for x in open(log)]
    L = [x for x in L if not x["path"].endswith("/burn")]
    n = {f: sum(1 for x in L if x["fault"] == f)
         for f in ("rate_limited", "fail_5xx", "dropped", "malformed")}
    print("F_requests=%d %s" % (len(L), " ".join("F_%s=%d" % kv for kv in n.items())))
    return 0


def gold_or(outp, gold, status):
    """Every row equals the gold run's, or is the gold row ending in STATUS
    (its contacts empty). Prints G_other=N G_rows=N of those and all rows."""
    oh, orows = read_rows(outp)
    gh, grows = read_rows(gold)
    other, bad = 0, []
    if oh != gh or len(orows) != len(grows):
        bad.append("header or row count differ")
    for i, (o, g) in enumerate(zip(orows, grows), 1):
        if o == g:
            continue
        if o[:-3] == g[:-3] and o[-3:] == ["", "", status]:
            other += 1
            continue
        bad.append("row %d: %r, gold %r" % (i, o[-3:], g[-3:]))
    for line in bad[:10]:
        print("# " + line)
    print("G_other=%d G_rows=%d G_bad=%d" % (other, len(orows), len(bad)))
    return 0


def open_batches(journal):
    """Batches with an intent and a job id but no done record."""
    import subprocess
    text = subprocess.run(["zstdcat", journal], capture_output=True).stdout
    jobs, done = set(), set()
    for line in text.decode("utf-8", "replace").splitlines():
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if d.get("t") == "job":
            jobs.add(d["b"])
        elif d.get("t") == "done":
            done.add(d["b"])
    print(len(jobs - done))
    return 0


def prefix(part, full):
    p, f = open(part, "rb").read(), open(full, "rb").read()
    if not p.endswith(b"\n") or not f.startswith(p) or p.count(b"\n") < 2:
        print("# %d bytes, not a whole-line prefix of %d bytes with a row" % (len(p), len(f)))
        return 1
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == "oracle":
        oracle(argv[2], argv[3].rstrip("/"), argv[4], argv[5])
        return 0
    if cmd == "compare":
        return compare(argv[2], argv[3], argv[4])
    if cmd == "same-enrichment":
        return same_enrichment(argv[2], argv[3])
    if cmd == "batches":
        return batches(argv[2], argv[3] if len(argv) > 3 else None)
    if cmd == "waits":
        return waits(argv[2])
    if cmd == "faults":
        return faults(argv[2])
    if cmd == "gold-or":
        return gold_or(argv[2], argv[3], argv[4])
    if cmd == "stats":
        return stats(sys.stdin.read())
    if cmd == "open-batches":
        return open_batches(argv[2])
    if cmd == "prefix":
        return prefix(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""seeds.py SRCDIR OUTDIR [ENRICHCSV] - write the fuzz targets' seed corpora.

Seeds come from the project's own test data: data/ and tests/csv-spectrum
for the readers, JSON texts quoted in tests/unit/t_json_check.c and
t_ndjson.c, canned provider answers quoted in tests/unit/t_prov_*.c (each
test function's answers in order, joined as one chain), and journals written
by a real sandbox run when ENRICHCSV (a built enrichcsv) is given.
Every seed starts with the target's two option bytes (see fuzz/*.c)."""
import os
import re
import subprocess
import sys
import tempfile

SEP = b"\n@@\n"
MAX = 4096


def head(data, limit=MAX):
    """At most limit bytes, cut after a line end when there is one."""
    if len(data) <= limit:
        return data
    cut = data.rfind(b"\n", 0, limit)
    return data[: cut + 1] if cut > 0 else data[:limit]


class Corpus:
    def __init__(self, out):
        self.out = out
        self.n = {}

    def add(self, target, data):
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        k = self.n.get(target, 0)
        self.n[target] = k + 1
        with open(os.path.join(d, "seed-%04d" % k), "wb") as f:
            f.write(data)


C_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", '"': b'"', "'": b"'", "0": b"\0",
           "a": b"\a", "b": b"\b", "f": b"\f", "v": b"\v", "?": b"?"}


def c_unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        e = s[i + 1]
        if e == "x":
            m = re.match(r"[0-9a-fA-F]+", s[i + 2:])
            out.append(int(m.group(0), 16) & 0xFF)
            i += 2 + len(m.group(0))
        elif e in "01234567" and re.match(r"[0-7]{2,3}", s[i + 1:]):
            m = re.match(r"[0-7]{1,3}", s[i + 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        else:
            out += ESCAPES.get(e, e.encode())
            i += 2
    return bytes(out)


def literals(text):
    """C string literals, adjacent ones concatenated, in source order."""
    res = []
    pos = 0
    while True:
        m = C_STRING.search(text, pos)
        if not m:
            return res
        parts = [m.group(1)]
        pos = m.end()
        while True:
            n = re.match(r'\s*"((?:[^"\\\n]|\\.)*)"', text[pos:])
            if not n:
                break
            parts.append(n.group(1))
            pos += n.end()
        try:
            res.append(c_unescape("".join(parts)))
        except (AttributeError, IndexError):
            pass


def functions(text):
    """(name, body) of each top-level C function, roughly."""
    return re.findall(r"\n(?:static )?\w[\w \*]*?(\w+)\([^;{]*\)\n\{\n(.*?)\n\}\n", text, re.S)


def json_like(b):
    s = b.strip()
    return s[:1] in (b"{", b"[")


def readers(src, c):
    csvs = [os.path.join(src, "data", f) for f in sorted(os.listdir(os.path.join(src, "data")))
            if f.endswith(".csv")]
    spec = os.path.join(src, "tests", "csv-spectrum", "csvs")
    csvs += [os.path.join(spec, f) for f in sorted(os.listdir(spec))]
    for i, path in enumerate(csvs):
        data = head(open(path, "rb").read())
        c.add("csv", bytes([0x00, 0x80]) + data)
        c.add("csv", bytes([0x20 | (i % 5), 0x33]) + data[:300])
    for name in ("t_csv_in.c", "t_spectrum.c", "t_fuzzloop.c"):
        for lit in literals(open(os.path.join(src, "tests", "unit", name)).read()):
            if b"\n" in lit or b"," in lit:
                c.add("csv", bytes([0x00, 0x7F]) + lit)
    nd = open(os.path.join(src, "data", "leads.ndjson"), "rb").read()
    c.add("ndjson", b"\x00\x80" + head(nd))
    c.add("ndjson", b"\x04\x10" + head(nd, 900))
    jdir = os.path.join(src, "tests", "csv-spectrum", "json")
    for f in sorted(os.listdir(jdir)):
        c.add("ndjson", b"\x00\x80" + open(os.path.join(jdir, f), "rb").read())
    for name in ("t_json_check.c", "t_ndjson.c", "t_json.c"):
        for lit in literals(open(os.path.join(src, "tests", "unit", name)).read()):
            if lit:
                c.add("ndjson", b"\x00\x80" + lit)


PROVIDERS = ("amplemarket", "thehog", "openfunnel", "woodpecker", "lance")


def providers(src, c):
    for p in PROVIDERS:
        text = open(os.path.join(src, "tests", "unit", "t_prov_%s.c" % p)).read()
        target = "prov_" + p
        seen = set()
        for _, body in functions(text):
            chain = [b for b in literals(body) if json_like(b)]
            if not chain:
                continue
            joined = SEP.join(chain)
            if joined in seen:
                continue
            seen.add(joined)
            c.add(target, b"\x0c\x00" + joined)  # 4 lookups, all 200
            c.add(target, b"\x00\x00" + joined)  # 1 lookup
            c.add(target, b"\x0c\x88" + joined)  # some 202s
        for lit in literals(text):
            if json_like(lit) and lit not in seen:
                seen.add(lit)
                c.add(target, b"\x04\x00" + lit)
        for lit in literals(text):  # checkpoint-looking strings for resume
            if lit.startswith(b"{") and b"job" in lit.lower():
                c.add(target, b"\x01\x00" + lit)


HAND_RECORDS = [
    b'{"t":"intent","b":"r1-1","keys":["thehog|sandbox|ep|email=a@b.com","thehog|sandbox|ep|email=c@d.com"],'
    b'"idem":"enrichcsv-00-2","ts":1700000000}',
    b'{"t":"job","b":"r1-1","cp":"{\\"poll\\":\\"/api/operations/7\\"}","ts":1700000001}',
    b'{"t":"res","b":"r1-1","i":0,"s":"enriched","em":["a@example.com"],"ph":["+1-555-0101"],'
    b'"c":1,"ts":1700000002}',
    b'{"t":"res","k":"thehog|sandbox|ep|email=c@d.com","s":"not_found","ts":1700000003}',
    b'{"t":"res","k":"openfunnel|sandbox|ep|account_id=1","s":"enriched","pp":[{"id":"9","name":"N",'
    b'"title":"T","li":"l","st":"s","em":["x@example.org"],"ph":[]}],"ts":1700000004}',
    b'{"t":"done","b":"r1-1"}',
    b'{"t":"intent","b":"r1-2","keys":["thehog|sandbox|ep|email=z@z.com"],"idem":null,"ts":1700000005}',
]


def journals(src, c, enrichcsv):
    body = b"\n".join(HAND_RECORDS) + b"\n"
    c.add("journal", b"\x02\x05" + body)          # header + one record per frame
    c.add("journal", b"\x32\x40" + body)          # 4 records per frame
    c.add("journal", b"\x16\x77" + body)          # torn tail
    c.add("journal", b"\x0a\x03" + body)          # flipped byte in the middle
    c.add("journal", b"\x00\x00" + body)          # no header
    if not enrichcsv or not os.access(enrichcsv, os.X_OK):
        return
    with tempfile.TemporaryDirectory() as tmp:
        rows = head(open(os.path.join(src, "data", "leads.csv"), "rb").read(), 1500)
        for prov in ("thehog", "amplemarket", "openfunnel"):
            inp = rows
            if prov == "openfunnel":
                inp = head(open(os.path.join(src, "data", "accounts.csv"), "rb").read(), 600)
            j = os.path.join(tmp, prov + ".zst")
            env = dict(os.environ, XDG_STATE_HOME=tmp, XDG_CONFIG_HOME=tmp)
            r = subprocess.run([enrichcsv, "--sandbox", "-q", "-p", prov, "-j", j],
                               input=inp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env, timeout=60)
            if r.returncode != 0 or not os.path.exists(j):
                continue
            raw = open(j, "rb").read()
            c.add("journal", b"\x01\x00" + raw[:16384])
            plain = subprocess.run(["zstd", "-dc", j], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL).stdout
            c.add("journal", b"\x10\x00" + head(plain))  # its own header is in the text


def main():
    src, out = sys.argv[1], sys.argv[2]
    enrichcsv = sys.argv[3] if len(sys.argv) > 3 else None
    c = Corpus(out)
    readers(src, c)
    providers(src, c)
    journals(src, c, enrichcsv)
    for t in sorted(c.n):
        print("seeds: %-18s %d" % (t, c.n[t]))


if __name__ == "__main__":
    main()

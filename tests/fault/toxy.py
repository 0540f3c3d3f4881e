#!/usr/bin/env python3
"""toxy.py - a loopback HTTP proxy in front of enrichcsv-sandbox that breaks
chosen requests, for the network fault matrix (tests/e2e/harden_net.sh).
The sandbox's own knobs act on every request with a probability; this picks
exact requests, and adds what the sandbox cannot do: spikes, stalls, cut
bodies, trickles (like toxiproxy, which Debian does not ship).

  toxy.py --upstream URL --port-file FILE [--log FILE] [--rule RULE]...

RULE is "[METHOD ]FIRST[-LAST]:KIND[:ARG]": requests FIRST to LAST (1-based,
counting only requests with METHOD when given) get KIND:
  delay:MS     wait MS before forwarding (the sandbox sees it late)
  hold:MS      forward at once, answer MS later (a latency spike)
  stall        forward, never answer (until the client hangs up)
  blackhole    read the request, never forward nor answer
  reset        close the connection without forwarding or answering
  cut          forward, send the headers and half the body, close
  trickle:MS   forward, then send the answer one byte every MS
  status:CODE  answer CODE (Retry-After: 1, a JSON body) without forwarding
Each request is logged as one line: "INDEX METHOD PATH KIND" (KIND "-" when
passed through). Listens on 127.0.0.1 only; stops on SIGTERM."""
import argparse
import http.client
import http.server
import signal
import socket
import sys
import threading
import time
import urllib.parse


class Rule:
    def __init__(self, spec):
        method = None
        if " " in spec:
            method, spec = spec.split(" ", 1)
        rng, kind = spec.split(":", 1)
        first, _, last = rng.partition("-")
        self.method = method
        self.first = int(first)
        self.last = int(last) if last else self.first
        self.kind, _, arg = kind.partition(":")
        self.arg = int(arg) if arg else 0


class State:
    def __init__(self, rules, log):
        self.rules = rules
        self.log = log
        self.lock = threading.Lock()
        self.count = 0
        self.by_method = {}

    def pick(self, method, path):
        with self.lock:
            self.count += 1
            n = self.by_method.get(method, 0) + 1
            self.by_method[method] = n
            chosen = None
            for r in self.rules:
                idx = n if r.method else self.count
                if (r.method in (None, method)) and r.first <= idx <= r.last:
                    chosen = r
                    break
            if self.log:
                with open(self.log, "a") as f:
                    f.write("%d %s %s %s\n" % (self.count, method, path,
                                                chosen.kind if chosen else "-"))
            return chosen


HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
       "upgrade"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "toxy"

    def log_message(self, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else None

    def forward(self, data):
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        conn.request(self.command, self.path, body=data, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        hdrs = [(k, v) for k, v in resp.getheaders()
                if k.lower() not in HOP and k.lower() != "content-length"]
        conn.close()
        return resp.status, hdrs, payload

    def head(self, status, hdrs, length):
        self.send_response_only(status)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.flush()

    def wait_for_hangup(self, limit):
        self.connection.settimeout(0.2)
        end = time.time() + limit
        while time.time() < end:
            try:
                if not self.connection.recv(1, socket.MSG_PEEK):
                    return
            except socket.timeout:
                continue
            except OSError:
                return
            time.sleep(0.2)

    def handle_any(self):
        data = self.body()
        rule = self.server.state.pick(self.command, self.path)
        kind = rule.kind if rule else "-"
        if kind == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "blackhole":
            self.wait_for_hangup(600)
            self.close_connection = True
            return
        if kind == "status":
            payload = b'{"error":"injected by toxy","status":%d}' % rule.arg
            self.head(rule.arg, [("Content-Type", "application/json"), ("Retry-After", "1")],
                      len(payload))
            self.wfile.write(payload)
            return
        if kind == "delay":
            time.sleep(rule.arg / 1000.0)
        status, hdrs, payload = self.forward(data)
        if kind == "stall":
            self.wait_for_hangup(600)
            self.close_connection = True
            return
        if kind == "hold":
            time.sleep(rule.arg / 1000.0)
        if kind == "cut":
            self.head(status, hdrs, len(payload))
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.head(status, hdrs, len(payload))
        if kind == "trickle":
            for i in range(len(payload)):
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
                time.sleep(rule.arg / 1000.0)
        else:
            self.wfile.write(payload)

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--rule", action="append", default=[])
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.upstream = urllib.parse.urlsplit(a.upstream)
    srv.state = State([Rule(r) for r in a.rule], a.log)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()

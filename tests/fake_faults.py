#!/usr/bin/env python3
"""fake_faults.py — an HTTP server on 127.0.0.1 that answers GET /blockers
badly on purpose, for the network-fault drill (it_drill_net.sh). Prints its
port on the first stdout line; exits when stdin closes.
  GET  /blockers      per the current mode:
       good      {"items": [one blocker "Drill blocker ZQX"]}
       trickle   Content-Length 4096, then one byte every 0.2 s
       endless   a chunked body that never ends ("[" then spaces)
       reset     half the announced body, then a TCP reset
       badjson   200 with a cut-off JSON document
       500       500 with a text body
       429       429 with Retry-After: 1
       hang      never answers (holds the connection)
  GET  /mode/NAME     switches the mode (200 "ok")
  GET  /hits          {"mode": hits in that mode, ...}"""
import json, socket, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE = ["good"]
HITS = {}
LOCK = threading.Lock()
GOOD = json.dumps({"items": [{"id": "zqx", "text": "Drill blocker ZQX", "from": "max",
                              "created": "2026-11-21T09:00:00Z"}]}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, ctype="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/mode/"):
            MODE[0] = self.path[6:]
            return self.send(200, b"ok", "text/plain")
        if self.path == "/hits":
            with LOCK:
                return self.send(200, json.dumps(HITS).encode())
        mode = MODE[0]
        with LOCK:
            HITS[mode] = HITS.get(mode, 0) + 1
        try:
            getattr(self, "mode_" + mode)()
        except OSError:
            pass                        # the client gave up: that is the point

    def mode_good(self):
        self.send(200, GOOD)

    def mode_trickle(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "4096")
        self.end_headers()
        self.wfile.write(b'{"items": [')
        for _ in range(4096):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.2)

    def mode_endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"1\r\n[\r\n")
        chunk = b" " * 65536
        while True:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    def mode_reset(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(GOOD) * 2))
        self.end_headers()
        self.wfile.write(GOOD[: len(GOOD) // 2])
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def mode_badjson(self):
        self.send(200, GOOD[:-7])

    def mode_500(self):
        self.send(500, b"internal error, try later", "text/plain")

    def mode_429(self):
        self.send(429, b'{"message": "slow down"}', extra={"Retry-After": "1"})

    def mode_hang(self):
        while self.connection.recv(1024):
            pass


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.handle_error = lambda request, address: None
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(srv.server_address[1], flush=True)
    sys.stdin.read()


main()

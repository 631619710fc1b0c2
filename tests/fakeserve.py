"""fakeserve.py - how every fake server in tests/ runs: on 127.0.0.1 (port 0
picks a free one), the port printed on the first line of stdout, and gone
when its stdin closes (so a test that dies takes its server along) or on
SIGTERM."""
import os
import signal
import sys
import threading
from http.server import ThreadingHTTPServer


def serve(handler, port=0):
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except Exception:
            pass
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.2)

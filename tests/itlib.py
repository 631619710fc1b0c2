"""itlib.py — what the Python integration tests (it_*.py) share. Imported,
not run (meson runs only it_*.py): the mc binary, a private temp HOME, the
check() that counts failures, an mc.yaml writer, a JSON-answering fake server handler, and the
`mc serve` helpers of it_serve.py and it_serve_options.py, and a runner
with stderr on a pty (progress lines)."""
import json, os, re, shutil, subprocess, sys, tempfile
from http.server import BaseHTTPRequestHandler

MC = os.environ["MC"]
FAILS = []      # the descriptions of the checks that failed
PROCS = []      # processes started by spawn_serve(), killed by stop_serves()


def check(desc, cond):
    print(("ok: " if cond else "FAIL: ") + desc, flush=True)
    if not cond:
        FAILS.append(desc)


def temp_home(prefix, **extra):
    """A new temp dir T and the environment for mc with HOME and the XDG
    dirs inside it (plus EXTRA variables, MC_FAULT unset): (T, ENV)."""
    t = tempfile.mkdtemp(prefix=prefix)
    env = dict(os.environ, HOME=t, XDG_CONFIG_HOME=t + "/cfg", XDG_CACHE_HOME=t + "/cache",
               XDG_STATE_HOME=t + "/state", **extra)
    env.pop("MC_FAULT", None)
    return t, env


def write_mc_yaml(t, name, sources, cache="cache.db", log="mc.log"):
    """Writes T/NAME: owner Apple, user tester, cache and log in T, and
    SOURCES (the list's entries, "  - id: ..." lines) under sources:."""
    with open(t + "/" + name, "w") as f:
        f.write(f"""owner: Apple
user: tester
cache: {t}/{cache}
log: {t}/{log}
sources:
{sources}""")


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler whose reply() answers with a JSON body."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


# ---- mc serve ----

def need_serve():
    """Exits 77 (skip) when mc was built without `mc serve`."""
    probe = subprocess.run([MC, "--demo", "serve", "--listen", "x"], capture_output=True)
    if b"without libmicrohttpd" in probe.stderr:
        print("SKIP: this mc was built with -Dserve=disabled")
        sys.exit(77)


def serve_sources(t):
    """The sources: of the serve tests' configs: T/data/handoffs.jsonl (jsonl)
    and T/data/pending.md (markdown_tasks)."""
    return f"""sources:
  - id: handoffs
    kind: jsonl
    path: {t}/data/handoffs.jsonl
    every: 1h
  - id: pending
    kind: markdown_tasks
    path: {t}/data/pending.md
    every: 1h
"""


def spawn_serve(config, env, *extra):
    """Starts `mc -c CONFIG serve --listen 127.0.0.1:0 EXTRA...`; its first
    stdout line must be "listening on SCHEME://127.0.0.1:PORT".
    (process, scheme, port)."""
    p = subprocess.Popen([MC, "-c", config, "serve", "--listen", "127.0.0.1:0", *extra],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    PROCS.append(p)
    line = p.stdout.readline().decode()
    m = re.match(r"listening on (https?)://127\.0\.0\.1:(\d+)$", line.strip())
    assert m, (line, p.stderr.read())
    return p, m.group(1), int(m.group(2))


def stop_serves(t):
    """For a finally: kills what spawn_serve() started and is still running;
    removes T unless a check failed."""
    for pr in PROCS:
        if pr.poll() is None:
            pr.kill()
            pr.wait()
    if not FAILS:
        shutil.rmtree(t, ignore_errors=True)


def exit_report(t):
    """Says how it went and exits 1 if a check failed, else 0."""
    print("all passed" if not FAILS else "%d failed: %s" % (len(FAILS), t))
    sys.exit(1 if FAILS else 0)


def stderr_on_pty(argv, env, stdout=subprocess.PIPE):
    """Runs argv with stderr on a pty (a terminal) and stdout to `stdout`:
    (exit code, the bytes it wrote to the terminal)."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, env=env, stdout=stdout, stderr=slave)
    os.close(slave)
    said = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        said += chunk
    if p.stdout:
        p.stdout.read()
    p.wait()
    os.close(master)
    return p.returncode, said

#!/usr/bin/env python3
"""Footprint benchmarks (issue 13), in a 120x40 pseudo-terminal from a warm
cache: peak RSS (VmHWM) of the dashboard with file sources, with an http_json
source configured (its requests run in a helper process, `mc __http-helper`,
whose own peak is printed apart), the cost of one request in process and
through the helper (bench/bench_http.c), the first frame of
`mc --demo`, and htop's peak RSS in the same pty when htop is installed.
Usage: bench_footprint.py BUILD [TMPDIR] [--runs N]"""
import fcntl, os, pty, select, shutil, signal, statistics, struct, subprocess, sys, tempfile, termios, time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
TMP = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else tempfile.mkdtemp(prefix="mc-fp-")
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
MC = os.path.abspath(os.path.join(BUILD, "mc"))
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOME = TMP + "/fphome"
ENV = dict(os.environ, HOME=HOME, XDG_CONFIG_HOME=HOME + "/.config", XDG_CACHE_HOME=HOME + "/.cache",
           XDG_STATE_HOME=HOME + "/.state", XDG_RUNTIME_DIR=HOME, TERM="xterm-256color",
           LANG="C.UTF-8", LC_ALL="C.UTF-8")
ENV.pop("TMUX", None)
ENV.pop("NO_COLOR", None)
os.makedirs(HOME, exist_ok=True)


def line(name, value, unit, target, ok):
    print(f"  {name:<58} {value:>12.2f} {unit:<8} target {target:<12} {'ok' if ok else 'MISSED'}", flush=True)


class Pty:
    """A program in a 120x40 pseudo-terminal; output drained with arrival times."""

    def __init__(self, argv, env=None):
        self.t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            os.execve(argv[0], argv, env or ENV)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.out = bytearray()
        self.chunks = []

    def pump(self, timeout):
        end = time.perf_counter() + timeout
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                return
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.out += data
            self.chunks.append((time.perf_counter(), len(data)))

    def seen_at(self, text, timeout=10):
        """ms from start to the chunk that completed TEXT, or None."""
        end = time.perf_counter() + timeout
        while text.encode() not in self.out and time.perf_counter() < end:
            self.pump(0.02)
        idx = self.out.find(text.encode())
        if idx < 0:
            return None
        seen = 0
        for t, n in self.chunks:
            seen += n
            if seen > idx + len(text) - 1:
                return (t - self.t0) * 1000
        return None

    def hwm_kb(self):
        with open(f"/proc/{self.pid}/status") as f:
            for l in f:
                if l.startswith("VmHWM:"):
                    return int(l.split()[1])
        return 0

    def helper_hwm_kb(self):
        """The largest VmHWM (KB) of this process's `__http-helper` children, 0 if none."""
        best = 0
        try:
            tasks = os.listdir(f"/proc/{self.pid}/task")
        except OSError:
            return 0
        for t in tasks:
            try:
                with open(f"/proc/{self.pid}/task/{t}/children") as f:
                    kids = f.read().split()
            except OSError:
                continue
            for k in kids:
                try:
                    with open(f"/proc/{k}/cmdline", "rb") as f:
                        if f.read().split(b"\0")[1:2] != [b"__http-helper"]:
                            continue
                    with open(f"/proc/{k}/status") as f:
                        for l in f:
                            if l.startswith("VmHWM:"):
                                best = max(best, int(l.split()[1]))
                except (OSError, IndexError):
                    continue
        return best

    def close(self, key=b"q"):
        try:
            os.write(self.fd, key)
            self.pump(0.5)
        except OSError:
            pass
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def file_config():
    d = TMP + "/fpdata"
    shutil.copytree(os.path.join(SRC, "tests/fixtures/e2e"), d, dirs_exist_ok=True)
    cfg = TMP + "/fp.yaml"
    with open(cfg, "w") as f:
        f.write(f"""owner: Apple
cache: {TMP}/fp.db
log: {TMP}/fp.log
retention: {{activity: {{age: 36500d}}}}
sources:
  - {{id: handoffs, kind: jsonl, path: {d}/handoffs.jsonl}}
  - {{id: pending, kind: markdown_tasks, path: {d}/pending-work.md}}
  - {{id: projects, kind: json_file, path: {d}/projects.json, feeds: projects}}
  - {{id: crons, kind: cron_logs, path: {d}/cron_logs}}
""")
    subprocess.run([MC, "-c", cfg, "fetch", "--once"], env=ENV, capture_output=True)
    return cfg


def http_config(port):
    cfg = TMP + "/fphttp.yaml"
    with open(TMP + "/fp.yaml") as f:
        base = f.read()
    with open(cfg, "w") as f:
        f.write(base.replace(f"{TMP}/fp.db", f"{TMP}/fphttp.db") + f"""  - id: items
    kind: http_json
    url: http://127.0.0.1:{port}/items
    every: 2s
    feeds: activity
    items: $.items[*]
    fields: {{key: id, ts: ts, details: name}}
""")
    subprocess.run([MC, "-c", cfg, "fetch", "--once"], env=ENV, capture_output=True)
    return cfg


def peak_dashboard(argv, wait_text="quit", settle=3.0, helpers=None):
    """Median VmHWM (KB) and first-frame time (ms) over RUNS starts; the
    HTTP helpers' peaks (KB) are appended to the list HELPERS when given."""
    hwm, first = [], []
    for _ in range(RUNS):
        p = Pty(argv)
        t = p.seen_at(wait_text, 10)
        if t is not None:
            first.append(t)
        p.pump(settle)
        hwm.append(p.hwm_kb())
        if helpers is not None:
            helpers.append(p.helper_hwm_kb())
        p.close()
    return (statistics.median(hwm) if hwm else 0), (statistics.median(first) if first else None)


def request_cost(port):
    """bench_http: median ms of 50 requests through the helper and in
    process, and the first request of each (helper start / libcurl load)."""
    exe = os.path.join(BUILD, "bench", "bench_http")
    if not os.path.exists(exe):
        print("  bench_http not built: no per-request figure")
        return
    env = dict(ENV)
    env.pop("MC_HTTP_HELPER", None)
    r = subprocess.run([exe, f"http://127.0.0.1:{port}/items", "50"], env=env, capture_output=True, text=True)
    got = {l.split()[0]: (float(l.split()[1]), float(l.split()[2])) for l in r.stdout.splitlines() if len(l.split()) == 3}
    if "helper" not in got or "in_process" not in got:
        print("  bench_http failed: " + r.stderr.strip())
        return
    line("  one request to fake_http through the helper (median of 50)", got["helper"][0], "ms", "", True)
    line("  the same in process (median of 50)", got["in_process"][0], "ms", "", True)
    line("  first request: helper start + libcurl load in it", got["helper"][1], "ms", "", True)
    line("  first request in process: libcurl load", got["in_process"][1], "ms", "", True)


def main():
    if not os.path.exists(MC):
        raise SystemExit(f"{MC} not built")
    print("footprint (120x40 pty, warm cache, median of %d):" % RUNS)
    cfg = file_config()
    # 16 s: past the alerts' 15 s timer, whose first run opens the scheduler's connection
    kb, _ = peak_dashboard([MC, "-c", cfg], settle=16.0)
    line("peak RSS, dashboard with file sources (VmHWM, 16 s)", kb / 1024, "MB", "<= 5", kb / 1024 <= 5)
    floor = os.path.join(os.path.dirname(MC), "bench", "bench_floor")
    if os.path.exists(floor):
        # the same libraries, the same cache, one query and one screen: what
        # is left of the 5 MB for mc's own code and data is the difference
        fk, _ = peak_dashboard([floor, TMP + "/fp.db"], wait_text="quit", settle=2.0)
        line("  floor: mc's libraries, one query, one screen (bench_floor)", fk / 1024, "MB", "", True)
    srv = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/fake_http.py")], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    try:
        port = int(srv.stdout.readline())
        hcfg = http_config(port)
        helpers = []
        kb, _ = peak_dashboard([MC, "-c", hcfg], settle=5.0, helpers=helpers)   # the 2 s source fetches at least twice
        line("peak RSS, dashboard with an http_json source (VmHWM)", kb / 1024, "MB", "<= 9", kb / 1024 <= 9)
        hk = statistics.median(helpers) if helpers else 0
        line("  its HTTP helper process (libcurl), apart (VmHWM)", hk / 1024, "MB", "", hk > 0)
        request_cost(port)
    finally:
        srv.stdin.close()
        srv.wait()
    # the demo: the first start writes its sample files, the others find them
    Pty([MC, "--demo"]).close()
    _, ms = peak_dashboard([MC, "--demo"], settle=0.2)
    if ms is not None:
        line("first frame of mc --demo (median)", ms, "ms", "<= 12", ms <= 12)
    _, ms = peak_dashboard([MC, "-c", cfg], settle=0.2)
    if ms is not None:
        line("  the same for the file-source config", ms, "ms", "<= 12", ms <= 12)
    htop = shutil.which("htop")
    if htop:
        kb, _ = peak_dashboard([htop], wait_text="F10", settle=3.0)
        line("  htop in the same pty, for comparison (VmHWM)", kb / 1024, "MB", "", True)
    else:
        print("  htop not installed: no side-by-side figure")


if __name__ == "__main__":
    main()

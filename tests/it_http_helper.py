#!/usr/bin/env python3
"""it_http_helper.py — HTTP in a helper process (issue 13, src/net/httphelper.h).

Against tests/fake_http.py:
  * `MC_HTTP_HELPER=1 mc fetch --once` gives the same rows and messages as
    the in-process path (MC_HTTP_HELPER=0), the timeout message included,
    and `mc check` says the same; no helper outlives the command;
  * the `system` kind's http probes say the same in a helper as in process:
    "HTTP 200" up, "HTTP 503" down (expect 200), "connection refused",
    "timeout" for a server that never answers;
  * the dashboard (helper by default) fetches its http_json source and a
    system source's http probe through a child `mc __http-helper PID`: the
    child maps libcurl, the dashboard never does; a config reload (new engine threads) fetches without an
    error; kill -9 of the dashboard takes the helper along;
  * a helper killed mid-request gives "HTTP helper exited (signal 9)" and
    the next fetch works."""
import fcntl, json, os, socket, pty, re, select, signal, sqlite3, struct, subprocess, sys, termios, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import MC, FAILS, check, temp_home

HERE = os.path.dirname(os.path.abspath(__file__))
T, ENV = temp_home("mc-httphelper-", TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
ENV.pop("MC_HTTP_HELPER", None)
ENV.pop("TMUX", None)


def helpers_of(pid):
    """The pids of `mc __http-helper PID` processes."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if len(argv) > 2 and argv[1] == b"__http-helper" and argv[2] == str(pid).encode():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        continue        # a zombie waiting for its reaper
            except OSError:
                continue
            out.append(int(d))
    return out


def maps_curl(pid):
    try:
        with open(f"/proc/{pid}/maps") as f:
            return "libcurl" in f.read()
    except OSError:
        return None


def poll(cond, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    return cond()


def source(sid, url, extra=""):
    return f"""  - id: {sid}
    kind: http_json
    url: {url}
    feeds: activity
    items: $.items[*]
    fields: {{key: id, ts: ts, details: name}}
{extra}"""


def system_source(sid, services, extra=""):
    return (f"  - id: {sid}\n    kind: system\n    probe_timeout: 500ms\n{extra}    services:\n"
            + "".join(f"      - {{name: {n}, http: \"{u}\"}}\n" for n, u in services))


def probes(db):
    """(name, up, detail) of the http probes in the newest system row."""
    con = sqlite3.connect(db)
    try:
        r = con.execute("SELECT services FROM system ORDER BY rowid DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return [(s["name"], s["up"], s["detail"]) for s in json.loads(r[0]) if s.get("kind") == "http"] if r else []


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def config(name, *sources):
    path = f"{T}/{name}.yaml"
    with open(path, "w") as f:
        f.write(f"owner: Apple\ncache: {T}/{name}.db\nlog: {T}/{name}.log\n"
                "retention: {activity: {age: 36500d}}\nsources:\n" + "".join(sources))
    return path


def run(cfg, mode, *args):
    env = dict(ENV, MC_HTTP_HELPER=mode)
    return subprocess.run([MC, "-c", cfg, *args], env=env, capture_output=True, text=True, timeout=30)


def rows(db):
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("SELECT source, key, details FROM activity").fetchall())
    finally:
        con.close()


def normalized(out):
    """fetch --once lines without their ms figures (and the timeout's: curl
    measures 1s or 1.0s either way)."""
    return re.sub(r"timed out after [\d.]+s", "timed out after Ns", re.sub(r", [\d.]+ ms\)", ")", out))


def main():
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_http.py")], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    port = int(srv.stdout.readline())
    base = f"http://127.0.0.1:{port}"
    try:
        # ---- the same answers in and out of process
        items = source("items", base + "/items")
        slow = source("slow", base + "/slow?s=30", "    timeout: 1s\n")
        results = {}
        for mode in ("0", "1"):
            cfg = config("same" + mode, items, slow)
            r = run(cfg, mode, "fetch", "--once")
            results[mode] = (r.returncode, normalized(r.stdout + r.stderr), rows(f"{T}/same{mode}.db"))
        print(results["1"][1], end="")
        if results["0"] != results["1"]:
            print("in process:", results["0"], "\nhelper:", results["1"])
        check("fetch --once in a helper: the same exit, lines and rows as in process",
              results["0"] == results["1"])
        check("three rows arrived through the helper", len(results["1"][2]) == 3)
        check("a server that never answers: the usual timeout message",
              f"slow: error: 127.0.0.1:{port}: timed out after Ns" in results["1"][1])
        p = subprocess.Popen([MC, "-c", config("same1", items, slow), "check"],
                             env=dict(ENV, MC_HTTP_HELPER="1"), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        out, _ = p.communicate(timeout=30)
        check("mc check through the helper names the timeout",
              re.search(f"127.0.0.1:{port}: timed out after 1(\\.[0-9])?s", out) and "3 rows" in out)
        check("no helper outlives mc check", poll(lambda: not helpers_of(p.pid), 3))

        # ---- system probes: the same details in a helper as in process
        services = [("up", base + "/items"), ("down", base + "/503"),
                    ("refused", f"http://127.0.0.1:{closed_port()}/"), ("hung", base + "/slow?s=30")]
        got = {}
        for mode in ("0", "1"):
            r = run(config("probe" + mode, system_source("host", services)), mode, "fetch", "--once")
            got[mode] = probes(f"{T}/probe{mode}.db")
            print(f"probes (MC_HTTP_HELPER={mode}): rc {r.returncode} {got[mode]}")
        want = [("up", True, "HTTP 200"), ("down", False, "HTTP 503"),
                ("refused", False, "connection refused"), ("hung", False, "timeout")]
        check("http probes in process: HTTP 200, HTTP 503, connection refused, timeout", got["0"] == want)
        check("http probes through the helper: the same details", got["1"] == want)

        # ---- the dashboard: libcurl only in its helper; kill -9 takes it along
        dash = config("dash", source("items", base + "/items", "    every: 1s\n"),
                      system_source("box", [("api", base + "/items")], "    every: 1s\n"))
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            os.execve(MC, [MC, "-c", dash], ENV)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

        def drain():
            while select.select([fd], [], [], 0)[0]:
                try:
                    if not os.read(fd, 65536):
                        return
                except OSError:
                    return

        def helper_with_curl():
            drain()
            hs = [h for h in helpers_of(pid) if maps_curl(h)]
            return hs[0] if hs else None
        helper = poll(helper_with_curl, 8)
        check("the dashboard fetches through a child __http-helper that maps libcurl", bool(helper))
        check("rows of the dashboard's source arrived",
              poll(lambda: drain() or (os.path.exists(f"{T}/dash.db") and len(rows(f"{T}/dash.db")) == 3), 5))
        check("the dashboard's system source probed its http service",
              poll(lambda: drain() or probes(f"{T}/dash.db") == [("api", True, "HTTP 200")], 5))
        check("the dashboard itself never maps libcurl (http probes included)", maps_curl(pid) is False)

        # a config reload retires the engine: the helpers its workers started
        # die with those threads (the death signal follows the thread), and
        # the new engine's fetches must not report them
        reload_ms = time.time() * 1000
        with open(dash, "a") as f:
            f.write("# reloaded\n")

        def fetched_after_reload():
            drain()
            con = sqlite3.connect(f"{T}/dash.db")
            try:
                r = con.execute("SELECT last_attempt, last_error FROM source_state WHERE source = 'items'").fetchone()
            finally:
                con.close()
            return r if r and r[0] > reload_ms + 2500 else None
        st = poll(fetched_after_reload, 8)
        print(f"after the reload: {st}")
        with open(f"{T}/dash.log") as f:
            log = f.read()
        check("after a config reload the source still fetches without an error",
              bool(st) and not st[1] and "HTTP helper exited" not in log)
        helper = poll(helper_with_curl, 3)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
        check("kill -9 of the dashboard leaves no helper",
              bool(helper) and poll(lambda: not os.path.exists(f"/proc/{helper}") or not helpers_of(pid), 3))

        # ---- a helper killed mid-request; the next fetch works
        cfg = config("kill", source("slow", base + "/slow?s=5", "    timeout: 10s\n"))
        p = subprocess.Popen([MC, "-c", cfg, "fetch", "--once"], env=dict(ENV, MC_HTTP_HELPER="1"),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        victim = poll(lambda: [h for h in helpers_of(p.pid) if maps_curl(h)], 5)
        if victim:
            os.kill(victim[0], signal.SIGKILL)
        out, _ = p.communicate(timeout=30)
        print(out, end="")
        check("a helper killed mid-request: a clear error",
              bool(victim) and f"127.0.0.1:{port}: HTTP helper exited (signal 9)" in out)
        r = run(config("after", items), "1", "fetch", "--once")
        check("the next fetch through a new helper works", r.returncode == 0 and "items: ok (3 rows" in r.stderr)
    finally:
        srv.stdin.close()
        srv.wait()
    if FAILS:
        print(f"{len(FAILS)} checks failed")
        sys.exit(1)


if __name__ == "__main__":
    main()

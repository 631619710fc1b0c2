#!/usr/bin/env python3
"""it_null_keys.py - every key of the shipped mc.yaml.example and of
tests/fixtures/all_keys.yaml (the optional keys the example only shows in
comments) set to YAML null (`key: ~`) and to nothing (`key:`), one at a time,
through `mc check`: mc never crashes (no signal), and a config it refuses is
refused with a FILE:LINE:COL: message. A required path (`path: ~` of the file
kinds) must be refused; a dashboard reload with one is in it_screen_fifo.sh."""
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

MC = os.environ.get("MC", "build/mc")
SRC = os.environ.get("MC_SRC_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FAILS = []


def check(name, cond, detail=""):
    if not cond:
        print("FAIL " + name + "  -- " + str(detail)[:600])
        FAILS.append(name)


# `key: value` (block) or `key: value` inside a flow map {a: b, c: d}
PAIR = re.compile(r'(?:(?<=[\s{,])|^)([A-Za-z_][A-Za-z0-9_]*): ((?:"[^"]*"|\'[^\']*\'|\[[^\]]*\]|\{[^}]*\}|[^,{}\[\]#\n])+?)(?=\s*(?:[,}]|#|$))')


def variants(lines):
    """Yields (description, text) with one value replaced by ~ or nothing."""
    for i, line in enumerate(lines):
        if line.lstrip().startswith("#"):
            continue
        code = line.split(" #", 1)[0]
        for m in PAIR.finditer(code):
            if m.group(1) == "enabled":      # null is the default (on): would probe the network
                continue
            nulls = ("~", "", "[~]", '[""]', "{k: ~}") if m.group(2).startswith(("[", "{")) else ("~", "")
            for null in nulls:
                new = line[:m.start(2)] + null + line[m.end(2):]
                if null == "" and "{" in line[:m.start(2)]:
                    new = line[:m.start(2)] + "null" + line[m.end(2):]
                out = list(lines)
                out[i] = new
                yield "line %d: %s -> %r" % (i + 1, m.group(1), null or "(empty)"), "\n".join(out) + "\n"


def main():
    tmp = tempfile.mkdtemp(prefix="mc-null-")
    env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp + "/.config", XDG_CACHE_HOME=tmp + "/.cache",
               XDG_STATE_HOME=tmp + "/.state")
    for var in ("MC_CONFIG", "OPS_TOKEN"):
        env.pop(var, None)
    cfg = os.path.join(tmp, "mc.yaml")
    n = 0
    tests = os.environ.get("MC_TESTS_DIR", os.path.dirname(os.path.abspath(__file__)))
    docs = [os.path.join(SRC, "mc.yaml.example"), os.path.join(tests, "fixtures", "all_keys.yaml")]
    todo = []
    for doc in docs:
        with open(doc) as f:
            text = f.read()
        ok = subprocess.run([MC, "-c", doc, "check"], env=env, capture_output=True, text=True, timeout=60)
        check(os.path.basename(doc) + " itself is a valid config", ok.returncode in (0, 1), ok.stderr)
        todo += [(os.path.basename(doc) + " " + w, t) for w, t in variants(text.split("\n"))]
    # four at a time, each in its own HOME and config file (every `mc check`
    # spends most of its ~60 ms waiting on its sources, not the CPU)
    def one(job):
        k, (what, text) = job
        home = os.path.join(tmp, "w%d" % (k % 4))
        os.makedirs(home, exist_ok=True)
        wenv = dict(env, HOME=home, XDG_CONFIG_HOME=home + "/.config", XDG_CACHE_HOME=home + "/.cache",
                    XDG_STATE_HOME=home + "/.state")
        path = os.path.join(home, "mc.yaml")
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([MC, "-c", path, "check"], env=wenv, capture_output=True, text=True, timeout=60)
        return what, path, p

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for k0 in range(0, len(todo), 4):
            batch = list(enumerate(todo[k0:k0 + 4], k0))
            for what, path, p in pool.map(one, batch):
                n += 1
                check(what + ": no crash", 0 <= p.returncode <= 2, "rc=%d %s" % (p.returncode, p.stderr))
                if p.returncode == 2:
                    check(what + ": FILE:LINE:COL", re.search(re.escape(path) + r":\d+:\d+: ", p.stderr + p.stdout),
                          p.stderr + p.stdout)
    # the file kinds' required path: null is an error at the value, not a crash
    for kind, extra in (("jsonl", ""), ("markdown_tasks", ""), ("json_file", "    feeds: projects\n"),
                        ("cron_logs", "")):
        for null in ("~", "", "null"):
            with open(cfg, "w") as f:
                f.write("sources:\n  - id: s\n    kind: %s\n%s    path: %s\n" % (kind, extra, null))
            p = subprocess.run([MC, "-c", cfg, "check"], env=env, capture_output=True, text=True, timeout=60)
            check("%s path: %r refused" % (kind, null), p.returncode == 2,
                  "rc=%d %s" % (p.returncode, p.stderr))
            check("%s path: %r says FILE:5:" % (kind, null),
                  re.search(re.escape(cfg) + r":[45]:\d+: .*path", p.stderr + p.stdout), p.stderr + p.stdout)
    print("%d variants checked" % n)
    if FAILS:
        print("%d failed" % len(FAILS))
        sys.exit(1)
    print("all passed")


main()

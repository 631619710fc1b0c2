#!/usr/bin/env python3
"""it_serve_options.py — `mc serve`'s options against the real binary on
127.0.0.1:
  * serve.tls: HTTPS with the configured certificate; plain HTTP gets no
    answer; the key never reaches the log;
  * serve.cors_origins: Access-Control-Allow-Origin only for a listed origin;
    a preflight OPTIONS is 204; no CORS headers at all when unset;
  * --fetch: the engine runs in the same process (rows and events without a
    separate `mc fetch --daemon`), and a posted resolve is delivered by it;
  * bad serve: keys exit 2 with FILE:LINE:COLUMN (unknown key, tls without
    key_file), an unreadable token file exits 2 naming the file;
  * `mc check` makes serve's own checks: a missing or two-line token file or
    a non-loopback listen without token_file exits 2 at the key's line, a
    world-readable one is warned about, the token is never printed;
  * no token files on loopback: reads open, writes 403;
  * 61 writes in a minute from one address: the 61st is 429."""
import http.client, json, os, shutil, signal, socket, ssl, subprocess, sys, tempfile, time
from itlib import (MC, FAILS, PROCS, check, exit_report, need_serve, serve_sources,
                   spawn_serve, stop_serves, temp_home)

T, ENV = temp_home("mc-serve-opt-")
need_serve()
TOKEN = "tok-5b2e8c0f7a31"


os.makedirs(T + "/data")
with open(T + "/data/handoffs.jsonl", "w") as f:
    f.write(json.dumps({"id": "h-1", "ts": "2026-11-21T09:01:00Z", "from": "max", "to": "atlas",
                        "type": "handoff", "summary": "first"}) + "\n")
with open(T + "/data/pending.md", "w") as f:
    f.write("# Work\n- [ ] ship the deck BLOCKED: needs Apple\n")
with open(T + "/token", "w") as f:
    f.write(TOKEN + "\n")
os.chmod(T + "/token", 0o600)


def write_config(name, serve):
    with open(T + "/" + name, "w") as f:
        f.write(f"""owner: Apple
cache: {T}/cache.db
log: {T}/mc.log
{serve}
{serve_sources(T)}""")


def start(cfg, *extra):
    return spawn_serve(T + "/" + cfg, ENV, *extra)


def stop(p):
    p.send_signal(signal.SIGTERM)
    return p.wait(timeout=5)


def req(port, method, path, headers=None, body=None, tls=False):
    if tls:
        ctx = ssl.create_default_context(cafile=T + "/cert.pem")
        ctx.check_hostname = False
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


try:
    # ---- configuration errors ----
    write_config("bad_key.yaml", "serve:\n  listen: 127.0.0.1:0\n  colour: blue")
    r = subprocess.run([MC, "-c", T + "/bad_key.yaml", "serve"], env=ENV, capture_output=True,
                       timeout=10)
    check("an unknown serve: key exits 2 at its line", r.returncode == 2 and
          b"bad_key.yaml:6:3: unknown key 'colour' in serve" in r.stderr)
    write_config("bad_tls.yaml", "serve:\n  tls: {cert_file: /nonexistent.pem}")
    r = subprocess.run([MC, "-c", T + "/bad_tls.yaml", "serve"], env=ENV, capture_output=True,
                       timeout=10)
    check("serve.tls without key_file exits 2", r.returncode == 2 and b"key_file" in r.stderr)
    write_config("no_token.yaml", "serve:\n  token_file: %s/missing.token" % T)
    r = subprocess.run([MC, "-c", T + "/no_token.yaml", "serve", "--listen", "127.0.0.1:0"],
                       env=ENV, capture_output=True, timeout=10)
    check("a missing token file exits 2 naming it", r.returncode == 2 and
          b"missing.token" in r.stderr)

    # ---- mc check makes the same checks, without binding ----
    def mc_check(cfg):
        return subprocess.run([MC, "-c", T + "/" + cfg, "check"], env=ENV, capture_output=True,
                              timeout=30)
    r = mc_check("no_token.yaml")
    check("check: a missing token file exits 2 at serve.token_file's line",
          r.returncode == 2 and b"no_token.yaml:5:15: serve.token_file: " in r.stderr and
          b"missing.token" in r.stderr)
    write_config("no_wtoken.yaml", f"serve:\n  token_file: {T}/token\n"
                 f"  write_token_file: {T}/missing.wtoken")
    r = mc_check("no_wtoken.yaml")
    check("check: a missing write token file exits 2 naming serve.write_token_file",
          r.returncode == 2 and b"no_wtoken.yaml:6:21: serve.write_token_file: " in r.stderr)
    r = subprocess.run([MC, "-c", T + "/no_wtoken.yaml", "serve", "--listen", "127.0.0.1:0"],
                       env=ENV, capture_output=True, timeout=10)
    check("serve names serve.write_token_file too", r.returncode == 2 and
          b"serve.write_token_file" in r.stderr)
    with open(T + "/two_lines.token", "w") as f:
        f.write(TOKEN + "\nsecond-line-x\n")
    os.chmod(T + "/two_lines.token", 0o600)
    write_config("two_lines.yaml", f"serve:\n  token_file: {T}/two_lines.token")
    r = mc_check("two_lines.yaml")
    check("check: a two-line token file exits 2, the token not shown",
          r.returncode == 2 and b"more than one line" in r.stderr and
          TOKEN.encode() not in r.stdout + r.stderr and b"second-line-x" not in r.stdout + r.stderr)
    write_config("open_wide.yaml", "serve:\n  listen: 0.0.0.0:0")
    r = mc_check("open_wide.yaml")
    r2 = subprocess.run([MC, "-c", T + "/open_wide.yaml", "serve"], env=ENV, capture_output=True,
                        timeout=10)
    why = b"without serve.token_file: anyone who can reach it could read the cache"
    check("check: a non-loopback listen without token_file exits 2 with serve's own message",
          r.returncode == 2 and b"open_wide.yaml:5:11: refusing to listen on 0.0.0.0:0 " + why
          in r.stderr and r2.returncode == 2 and why in r2.stderr)
    with open(T + "/wide.token", "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(T + "/wide.token", 0o644)
    write_config("wide_ok.yaml", f"serve:\n  listen: 0.0.0.0:0\n  token_file: {T}/wide.token\n"
                 f"  write_token_file: {T}/token")
    r = mc_check("wide_ok.yaml")
    out = r.stdout + r.stderr
    check("check: good serve settings pass, a world-readable token file is warned about",
          r.returncode == 0 and b"serve: 0.0.0.0:0: ok" in r.stdout and
          b"warning: secret file " + (T + "/wide.token").encode() in r.stdout)
    check("check: the tokens never appear in its output", TOKEN.encode() not in out)

    # ---- TLS ----
    ssl_ok = shutil.which("openssl") and subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                             "-keyout", T + "/key.pem", "-out", T + "/cert.pem", "-days", "2",
                             "-subj", "/CN=127.0.0.1"], capture_output=True).returncode == 0
    if not ssl_ok:
        print("skip: TLS (no openssl command to make a test certificate)")
    if ssl_ok:
        key_text = open(T + "/key.pem").read()
        write_config("tls.yaml", f"serve:\n  token_file: {T}/token\n"
                     f"  tls: {{cert_file: {T}/cert.pem, key_file: {T}/key.pem}}")
        subprocess.run([MC, "-c", T + "/tls.yaml", "fetch", "--once"], env=ENV, capture_output=True)
        p, scheme, port = start("tls.yaml")
        check("with serve.tls the first line says https", scheme == "https")
        st, h, data = req(port, "GET", "/api/health", tls=True)
        check("health over HTTPS (the configured certificate verifies)", st == 200 and
              json.loads(data)["status"] == "ok")
        st, _, data = req(port, "GET", "/api/datasets/blockers",
                          headers={"Authorization": "Bearer " + TOKEN}, tls=True)
        check("a dataset over HTTPS", st == 200 and len(json.loads(data)) == 1)
        try:
            req(port, "GET", "/api/health")
            plain = True
        except Exception:
            plain = False
        check("plain HTTP to the TLS port gets no HTTP answer", not plain)
        check("SIGTERM: exit 0", stop(p) == 0)
        key_line = [l for l in key_text.splitlines() if l and not l.startswith("-----")][1]
        check("the TLS key is not in the log", key_line.encode() not in open(T + "/mc.log", "rb").read())

    # ---- CORS ----
    auth = {"Authorization": "Bearer " + TOKEN}
    write_config("cors.yaml", f"serve:\n  token_file: {T}/token\n"
                 "  cors_origins: [https://wall.example]")
    p, _, port = start("cors.yaml")
    st, h, _ = req(port, "GET", "/api/overview", dict(auth, Origin="https://wall.example"))
    check("a listed origin gets Access-Control-Allow-Origin",
          st == 200 and h.get("access-control-allow-origin") == "https://wall.example")
    st, h, _ = req(port, "GET", "/api/overview", dict(auth, Origin="https://evil.example"))
    check("an unlisted origin gets none", st == 200 and "access-control-allow-origin" not in h)
    st, h, _ = req(port, "OPTIONS", "/api/overview", {"Origin": "https://wall.example",
                                                     "Access-Control-Request-Method": "GET"})
    check("a preflight is 204 with the allowed methods and headers",
          st == 204 and "GET" in h.get("access-control-allow-methods", "") and
          "Authorization" in h.get("access-control-allow-headers", ""))
    stop(p)
    write_config("plain.yaml", f"serve:\n  token_file: {T}/token")
    p, _, port = start("plain.yaml")
    st, h, _ = req(port, "GET", "/api/overview", dict(auth, Origin="https://wall.example"))
    check("no cors_origins: no CORS header", st == 200 and
          not any(k.startswith("access-control") for k in h))
    st, _, _ = req(port, "OPTIONS", "/api/overview", {"Origin": "https://wall.example"})
    check("no cors_origins: OPTIONS is 405", st == 405)
    stop(p)

    # ---- no token files, on loopback: reads open, writes off ----
    write_config("open.yaml", "")
    p, _, port = start("open.yaml")
    st, _, data = req(port, "GET", "/api/overview")
    check("no serve.token_file on loopback: reads need no token", st == 200)
    st, _, data = req(port, "POST", "/api/blockers/pending/x/resolve", body=b"{}")
    check("no serve.write_token_file: writes are 403", st == 403 and
          b"write_token_file" in data)
    stop(p)

    # ---- --fetch: the engine in the same process; write rate limit ----
    with open(T + "/wtoken", "w") as f:
        f.write("wtok-77aa99bb\n")
    os.chmod(T + "/wtoken", 0o600)
    write_config("fetch.yaml", f"serve:\n  token_file: {T}/token\n  write_token_file: {T}/wtoken")
    p, _, port = start("fetch.yaml", "--fetch")
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
               % TOKEN).encode())
    s.settimeout(5)
    buf = b""
    while b"retry:" not in buf:
        buf += s.recv(4096)
    time.sleep(0.3)
    with open(T + "/data/handoffs.jsonl", "a") as f:
        f.write(json.dumps({"id": "h-2", "ts": "2026-11-21T09:02:00Z", "from": "max",
                            "to": "atlas", "type": "handoff", "summary": "second"}) + "\n")
    t0 = time.time()
    try:
        while b'"dataset": "activity"' not in buf:
            buf += s.recv(4096)
    except socket.timeout:
        pass
    check("--fetch: an appended line is an event within 1 s (%.0f ms)" % ((time.time() - t0) * 1000),
          b'"dataset": "activity"' in buf and time.time() - t0 < 1.0)
    s.close()
    st, _, data = req(port, "GET", "/api/datasets/activity", auth)
    check("--fetch: the new row is served", st == 200 and b'"h-2"' in data)
    st, _, data = req(port, "GET", "/api/datasets/blockers", auth)
    key = json.loads(data)[0]["key"]
    wauth = {"Authorization": "Bearer wtok-77aa99bb"}
    st, _, data = req(port, "POST", "/api/blockers/pending/%s/resolve" % key, wauth,
                      json.dumps({"note": "done"}).encode())
    check("--fetch: resolve 202", st == 202)
    end = time.time() + 10
    while time.time() < end and "- [x]" not in open(T + "/data/pending.md").read():
        time.sleep(0.1)
    check("--fetch: the engine delivered it", "- [x] ship the deck" in open(T + "/data/pending.md").read())
    codes = [req(port, "POST", "/api/blockers/pending/nosuch/resolve", wauth, b"{}")[0]
             for _ in range(60)]
    check("writes over 60 a minute from one address: 429", codes[-1] == 429 and codes[0] == 404)
    check("--fetch: SIGTERM exits 0", stop(p) == 0)
finally:
    stop_serves(T)

exit_report(T)

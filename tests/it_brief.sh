#!/bin/sh
# it_brief.sh — `mc brief` against a fixture cache (tests/fixtures/brief.sql)
# at a fixed now (MC_NOW): the three formats equal their golden files
# (tests/fixtures/brief.{text,md,json}), every text line fits 80 columns,
# no escape, bell or bidi byte from the data reaches the text or markdown
# output (JSON escapes them), --since widens the window, the cache is only
# read, and bad usage / a missing cache give exit 2 / 1. (tsan: not threaded)
. "$(dirname "$0")/lib.sh"
F="$TESTS_DIR/fixtures"
export LC_ALL=C.UTF-8 MC_NOW=2026-12-01T07:00:00Z
cat >"$T/mc.yaml" <<YAML
owner: Apple
cache: $T/cache.db
log: $T/mc.log
sources: []
widgets:
  - {type: revenue, goal_usd: 500000}
YAML
"$MC" -c "$T/mc.yaml" snapshot >/dev/null 2>&1            # the schema
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.commit()" \
  "$T/cache.db" "$F/brief.sql" || fail "loading the fixture"
sum_before=$(cat "$T/cache.db" "$T/cache.db-wal" 2>/dev/null | sha256sum)

for fmt in text markdown json; do
  ext=$fmt; [ $fmt = markdown ] && ext=md
  "$MC" -c "$T/mc.yaml" brief --format $fmt >"$T/out.$ext" 2>"$T/err.$ext"
  rc=$?
  check "brief --format $fmt exits 0 (got $rc: $(head -c 300 "$T/err.$ext"))" [ $rc -eq 0 ]
  if cmp -s "$F/brief.$ext" "$T/out.$ext"; then ok "brief --format $fmt equals fixtures/brief.$ext"
  else fail "brief --format $fmt differs from fixtures/brief.$ext:"; diff "$F/brief.$ext" "$T/out.$ext" >&2; fi
done
"$MC" -c "$T/mc.yaml" brief >"$T/default.txt"
check "the default format is text" cmp -s "$T/out.text" "$T/default.txt"

# 80 columns; nothing from the data that a terminal would act on
python3 - "$T/out.text" "$T/out.md" "$T/out.json" <<'PY' || fail "width / sanitizing"
import json, sys, unicodedata
def cols(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in s)
text = open(sys.argv[1], encoding="utf-8").read()
md = open(sys.argv[2], encoding="utf-8").read()
wide = [l for l in text.splitlines() if cols(l) > 80]
assert not wide, f"lines over 80 columns: {wide}"
assert any(l.endswith("...") for l in text.splitlines()), "the long blocker is cut with ..."
for name, s in (("text", text), ("markdown", md)):
    bad = [c for c in s if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0 or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
    assert not bad, f"{name}: raw control or bidi characters {bad!r}"
raw = open(sys.argv[3], encoding="utf-8").read()
assert "\x1b" not in raw and "\u202e" not in raw, "json: raw escape or bidi"
d = json.loads(raw)
assert d["blockers"]["open"] == 3, d["blockers"]
assert d["blockers"]["oldest"][1]["description"] == "Sign the \x1b[31mvendor\x1b[0m contract"
assert [j["state"] for j in d["jobs"]["items"]] == ["failed", "hung", "missed"], d["jobs"]
assert d["cost"]["total_usd"] == 12.6 and d["cost"]["top"][0] == {"agent_id": "max", "usd": 8.5}
assert d["alerts"]["crit"] == 1 and d["alerts"]["warn"] == 1, d["alerts"]
assert d["activity"]["events"] == 12 and d["activity"]["failures"] == 2
assert d["revenue"]["change_usd"] == 12500 and d["revenue"]["goal_usd"] == 500000
assert d["system"]["services_down"] == 1 and d["system"]["down"] == "web"
PY
ok "80 columns, sanitized text and markdown, escaped JSON with the fixture's numbers"

"$MC" -c "$T/mc.yaml" brief --format json --since 7d >"$T/week.json"
check "--since 7d takes in the older failure" \
  [ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["activity"]["events"], d["activity"]["failures"], d["jobs"]["problems"])' "$T/week.json")" = "13 3 3" ]
# no widget goal: the revenue_pace rule's goal_usd
sed '/^widgets:/,$d' "$T/mc.yaml" >"$T/rule.yaml"
printf 'alerts:\n  rules:\n    revenue_pace: {goal_usd: 400000}\n' >>"$T/rule.yaml"
"$MC" -c "$T/rule.yaml" brief --format json >"$T/rule.json" 2>"$T/rule.err"
check "without a widget goal, the revenue_pace rule's goal ($(cat "$T/rule.err"))" \
  [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["revenue"]["goal_usd"])' "$T/rule.json")" = "400000.0" ]
sum_after=$(cat "$T/cache.db" "$T/cache.db-wal" 2>/dev/null | sha256sum)
check "the brief only reads the cache" [ "$sum_before" = "$sum_after" ]

"$MC" -c "$T/mc.yaml" brief --format xml >/dev/null 2>"$T/e1"; rc=$?
check "--format xml: exit 2 naming the formats" sh -c "[ $rc -eq 2 ] && grep -q 'text, markdown or json' '$T/e1'"
"$MC" -c "$T/mc.yaml" brief --since soon >/dev/null 2>"$T/e2"; rc=$?
check "--since soon: exit 2" [ $rc -eq 2 ]
MC_NOW=yesterday "$MC" -c "$T/mc.yaml" brief >/dev/null 2>"$T/e3"; rc=$?
check "a malformed MC_NOW: exit 2" [ $rc -eq 2 ]
sed "s|cache: .*|cache: $T/nowhere/none.db|" "$T/mc.yaml" >"$T/gone.yaml"
"$MC" -c "$T/gone.yaml" brief >/dev/null 2>"$T/e4"; rc=$?
check "no cache: exit 1 with a message ($(cat "$T/e4"))" sh -c "[ $rc -eq 1 ] && grep -q 'cannot open the cache' '$T/e4'"
check "no cache: nothing created" [ ! -e "$T/nowhere" ]
finish

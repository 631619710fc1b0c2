#!/usr/bin/env bash
# retention with archive: rows past `rows` are written to
# DIR/activity-YYYY-MM.ndjson.gz (one per month; zcat and Python's gzip read
# it; 0600 in a 0700 dir) and only then deleted; a kill -9 in the middle of a
# big archive run loses no row (each archived, still in the cache, or both)
# and the next run leaves archives zcat reads whole.
. "$(dirname "$0")/lib.sh"
: > "$T/empty.jsonl"   # a source, so fetch --once runs (retention runs after it)
cat > "$T/mc.yaml" <<YAML
cache: $T/cache.db
retention:
  activity: {rows: 1000, archive: $T/arch}
sources:
  - {id: e, kind: jsonl, path: $T/empty.jsonl}
YAML
"$MC" -c "$T/mc.yaml" snapshot >/dev/null 2>&1   # the schema
fill() {   # fill N: N activity rows over three months, with text that needs escaping
python3 - "$T/cache.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
db.executemany("INSERT INTO activity (source, key, ts, event_type, agent, status, details) VALUES ('s', ?, ?, 'note', 'a', 'ok', ?)",
               (("k%d" % i, "2026-%02d-10T10:00:00Z" % (9 + i % 3), 'line "%d"\nwith é, commas' % i) for i in range(n)))
db.commit()
PY
}
keys_of() {   # every key in the archives and the cache, one per line (duplicates kept)
    for f in "$T"/arch/*.gz; do zcat "$f" || echo "ZCAT-FAILED"; done | python3 -c "
import json, sys
for l in sys.stdin:
    print('ZCAT-FAILED' if l.startswith('ZCAT-FAILED') else json.loads(l)['key'])"
    "$MC" -c "$T/mc.yaml" export --dataset activity --format ndjson --fields key | python3 -c "
import json, sys
for l in sys.stdin: print(json.loads(l)['key'])"
}
fill 5000
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>"$T/e"; rc=$?
check "fetch --once (retention) exits 0" [ $rc -eq 0 ] || cat "$T/e"
check "1000 rows stay in the cache" [ "$("$MC" -c "$T/mc.yaml" export --dataset activity --format ndjson | wc -l)" = 1000 ]
check "one archive per month" [ "$(ls "$T/arch" | tr '\n' ' ')" = "activity-2026-09.ndjson.gz activity-2026-10.ndjson.gz activity-2026-11.ndjson.gz " ]
check "zcat reads every archive" sh -c "for f in '$T'/arch/*.gz; do zcat \"\$f\" >/dev/null || exit 1; done"
check "4000 rows archived" [ "$(zcat "$T"/arch/*.gz | wc -l)" = 4000 ]
keys_of > "$T/keys"
check "every row archived or kept, none twice" python3 -c "
import sys; k=open(sys.argv[1]).read().split(); assert sorted(k)==sorted('k%d'%i for i in range(5000)), len(k)" "$T/keys"
check "rows land in the month of their ts" python3 -c "
import gzip, json, sys
for m in ('09', '10', '11'):
    for l in gzip.open(sys.argv[1] + '/activity-2026-%s.ndjson.gz' % m, 'rt', encoding='utf-8'):
        r = json.loads(l); assert r['ts'].startswith('2026-' + m), r
        assert r['details'].startswith('line \"') and '\n' in r['details'] and 'é' in r['details'], r
" "$T/arch"
check "archives are 0600" [ "$(stat -c %a "$T"/arch/*.gz | sort -u)" = 600 ]
check "the archive dir is 0700" [ "$(stat -c %a "$T/arch")" = 700 ]
A="$T/arch/activity-2026-10.ndjson.gz"
"$MC" -c "$T/mc.yaml" export --dataset activity --format ndjson --archive "$A" > "$T/back.ndjson"
check "mc export --archive (ndjson) gives what zcat gives, as objects" python3 -c "
import gzip, json, sys
a = [json.loads(l) for l in gzip.open(sys.argv[1], 'rt', encoding='utf-8')]
b = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8')]
assert a == b and len(a) > 1000, (len(a), len(b))" "$A" "$T/back.ndjson"
"$MC" -c "$T/mc.yaml" export --dataset activity --archive "$A" --fields key,details > "$T/back.csv"
check "mc export --archive as CSV round-trips through Python's csv" python3 -c "
import csv, gzip, json, sys
a = [json.loads(l) for l in gzip.open(sys.argv[1], 'rt', encoding='utf-8')]
b = list(csv.DictReader(open(sys.argv[2], encoding='utf-8', newline='')))
assert [{'key': r['key'], 'details': r['details']} for r in a] == b, b[:1]" "$A" "$T/back.csv"
n=$("$MC" -c "$T/mc.yaml" export --dataset activity --archive "$A" --format json --since 2026-10-10 --until 2026-10-11 | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
check "--archive with --since/--until" [ "$n" -gt 1000 ]
n=$("$MC" -c "$T/mc.yaml" export --dataset activity --archive "$A" --format json --since 2026-10-11 | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
check "... and an empty window" [ "$n" = 0 ]
printf 'plain text\n' > "$T/notgz.gz"
"$MC" -c "$T/mc.yaml" export --dataset activity --archive "$T/notgz.gz" >/dev/null 2>"$T/e"; rc=$?
check "--archive of a file that is not one: exit 1 with a message" [ $rc -eq 1 ] && grep -q "not an archive" "$T/e"
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1
check "a second run archives nothing more" [ "$(zcat "$T"/arch/*.gz | wc -l)" = 4000 ]

# kill -9 in the middle of a big run
rm -rf "$T/arch" "$T"/cache.db*
"$MC" -c "$T/mc.yaml" snapshot >/dev/null 2>&1
fill 200000
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1 & P=$!
started() { ls "$T"/arch/*.gz >/dev/null 2>&1; }
wait_until 20 started
sleep 0.0$((RANDOM % 9 + 1))
kill -9 $P 2>/dev/null; wait $P 2>/dev/null
keys_of > "$T/keys" 2>/dev/null
check "after kill -9: no row lost (archived or in the cache)" python3 -c "
import sys; k=set(open(sys.argv[1]).read().split()); k.discard('ZCAT-FAILED'); missing=[i for i in range(200000) if 'k%d'%i not in k]; assert not missing, (len(missing), missing[:5])" "$T/keys"
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>"$T/e"; rc=$?
check "the next run finishes (exit 0)" [ $rc -eq 0 ] || cat "$T/e"
keys_of > "$T/keys"
check "then zcat reads every archive whole" sh -c "! grep -q ZCAT-FAILED '$T/keys'"
check "and every row is archived or kept exactly as the cache keeps 1000" python3 -c "
import sys; k=open(sys.argv[1]).read().split(); s=set(k); assert s==set('k%d'%i for i in range(200000)), len(s)" "$T/keys"
finish

#!/usr/bin/env bash
# mc backup / mc restore end to end: backups taken while `mc fetch --daemon`
# runs and 5,000 rows are appended pass PRAGMA integrity_check and
# `sha256sum -c`; files 0600 in a 0700 dir; rotation keeps backup.keep;
# restore of a good backup brings its rows back and keeps the old cache aside;
# a backup with one flipped byte, a truncated one with a matching checksum and
# one without its .sha256 are refused with exit 1 and the cache byte-identical.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/data"
line() { printf '{"id":"%s","ts":"2026-11-21T09:00:00Z","from":"max","to":"atlas","type":"handoff","summary":"row %s"}\n' "$1" "$1"; }
for i in $(seq 1 200); do line "a$i"; done > "$T/data/h.jsonl"
cat > "$T/mc.yaml" <<YAML
cache: $T/cache.db
retention: {activity: {age: 36500d, rows: 1000000}}
backup: {dir: $T/bk, keep: 3}
sources:
  - id: h
    kind: jsonl
    path: $T/data/h.jsonl
    every: 200ms
YAML
"$MC" -c "$T/mc.yaml" fetch --once 2>/dev/null
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect('file:'+sys.argv[1]+'?immutable=1', uri=True).execute('select count(*) from activity').fetchone()[0])" "$1"; }
integrity() { python3 -c "import sqlite3,sys; r=sqlite3.connect('file:'+sys.argv[1]+'?immutable=1', uri=True).execute('pragma integrity_check').fetchone()[0]; sys.exit(r!='ok')" "$1"; }
check "200 rows before the daemon" [ "$(count "$T/cache.db")" = 200 ]

# a daemon running, plus 5,000 rows appended in small transactions while backups are taken
"$MC" -c "$T/mc.yaml" fetch --daemon 2>"$T/d.err" & D=$!
on_exit "kill $D 2>/dev/null; wait $D 2>/dev/null"
python3 - "$T/cache.db" >"$T/w.out" 2>&1 <<'PY' & W=$!
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
for b in range(50):
    db.execute("BEGIN IMMEDIATE")
    for i in range(100):
        n = b * 100 + i
        db.execute("INSERT INTO activity (source, key, ts, event_type, agent, status, details)"
                   " VALUES ('w', ?, '2026-11-29T00:00:00Z', 'note', 'w', 'ok', ?)", ("w%d" % n, "x" * 200))
    db.execute("COMMIT")
    time.sleep(0.02)
print("done")
PY
n=0; bad=0; counts=""
while kill -0 $W 2>/dev/null || [ $n -lt 3 ]; do
    f=$("$MC" -c "$T/mc.yaml" backup --to "$T/during" 2>>"$T/b.err") || { bad=1; break; }
    integrity "$f" || bad=1
    (cd "$T/during" && sha256sum -c --quiet "$(basename "$f").sha256") || bad=1
    counts="$counts $(count "$f")"; n=$((n + 1))
done
wait $W
check "the writer appended 5,000 rows" grep -q done "$T/w.out"
check "$n backups during the writes, each integrity ok and sha256sum -c ok" [ $bad -eq 0 -a $n -ge 3 ]
echo "rows in the backups:$counts"
check "each backup is one consistent state (whole batches of 100 on top of the 200)" \
    python3 -c "import sys; c=[int(x) for x in sys.argv[1:]]; assert all((x-200)%100==0 and 200<=x<=5200 for x in c) and c==sorted(c), c" $counts
check "the daemon kept running" kill -0 $D
f=$("$MC" -c "$T/mc.yaml" backup 2>"$T/e"); rc=$?
check "backup into backup.dir after the writes: exit 0" [ $rc -eq 0 ]
check "it holds all 5,200 rows" [ "$(count "$f")" = 5200 ]
check "sha256sum -c passes" sh -c "cd '$T/bk' && sha256sum -c --quiet '$(basename "$f").sha256'"
check "backup is 0600" [ "$(stat -c %a "$f")" = 600 ]
check "its .sha256 is 0600" [ "$(stat -c %a "$f.sha256")" = 600 ]
check "the backup dir is 0700" [ "$(stat -c %a "$T/bk")" = 700 ]
check "no temp file left" [ -z "$(ls -A "$T/bk" | grep -v '^cache-.*\.db\(\.sha256\)\?$')" ]
GOOD=$f

# rotation to keep (3): after 4 more, the newest 3 remain
for i in 1 2 3 4; do "$MC" -c "$T/mc.yaml" backup >>"$T/made" 2>/dev/null; done
check "rotation keeps 3 backups and their checksums" [ "$(ls "$T/bk" | grep -c '\.db$')" = 3 -a "$(ls "$T/bk" | grep -c '\.sha256$')" = 3 ]
check "the newest 3 are the ones kept" [ "$(ls "$T/bk"/*.db)" = "$(tail -3 "$T/made" | sort)" ]
GOOD=$(tail -1 "$T/made")
kill $D; wait $D 2>/dev/null

# refusals leave the cache byte-identical
before=$(sha256sum < "$T/cache.db")
cp "$GOOD" "$T/flip.db"; sed "s/  .*/  flip.db/" "$GOOD.sha256" > "$T/flip.db.sha256"
python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(8000); b=f.read(1); f.seek(8000); f.write(bytes([b[0]^1]))" "$T/flip.db"
"$MC" -c "$T/mc.yaml" restore "$T/flip.db" >/dev/null 2>"$T/e"; rc=$?
check "one flipped byte: restore exits 1" [ $rc -eq 1 ]
check "... says checksum mismatch" grep -q "checksum mismatch" "$T/e"
check "... cache byte-identical" [ "$(sha256sum < "$T/cache.db")" = "$before" ]
head -c 20000 "$GOOD" > "$T/short.db"; (cd "$T" && sha256sum short.db > short.db.sha256)
"$MC" -c "$T/mc.yaml" restore "$T/short.db" >/dev/null 2>"$T/e"; rc=$?
check "truncated with a matching checksum: refused by the integrity check" [ $rc -eq 1 ] && grep -qi "integrity\|not an mc cache\|malformed" "$T/e"
check "... cache byte-identical" [ "$(sha256sum < "$T/cache.db")" = "$before" ]
cp "$GOOD" "$T/nosum.db"
"$MC" -c "$T/mc.yaml" restore "$T/nosum.db" >/dev/null 2>"$T/e"; rc=$?
check "no .sha256 beside it: refused" [ $rc -eq 1 ] && grep -q "sha256" "$T/e"
check "... cache byte-identical" [ "$(sha256sum < "$T/cache.db")" = "$before" ]
"$MC" -c "$T/mc.yaml" restore >/dev/null 2>&1; check "restore without FILE: exit 2" [ $? -eq 2 ]

# restore a good backup (taken before more rows) while a daemon runs
python3 -c "
import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(\"insert into activity (source,key,ts) values ('w','late','2026-11-30T00:00:00Z')\"); db.commit()" "$T/cache.db"
check "the cache has a row the backup lacks" [ "$(count "$T/cache.db")" = 5201 ]
"$MC" -c "$T/mc.yaml" fetch --daemon 2>>"$T/d.err" & D=$!
on_exit "kill $D 2>/dev/null"
"$MC" -c "$T/mc.yaml" restore "$GOOD" >"$T/out" 2>"$T/e"; rc=$?
check "restore of a good backup: exit 0" [ $rc -eq 0 ] || cat "$T/e"
check "the cache has the backup's rows" [ "$("$MC" -c "$T/mc.yaml" export --dataset activity --fields key --format ndjson | wc -l)" = 5200 ]
aside=$(ls "$T"/cache.db.before-restore-* 2>/dev/null | head -1)
check "the old cache is kept aside, named with the time" [ -n "$aside" ]
check "... holding the row the backup lacked" [ "$(count "$aside")" = 5201 ]
check "... 0600" [ "$(stat -c %a "$aside")" = 600 ]
check "restore says running processes need no restart" grep -q "nothing to restart" "$T/out"
check "no progress lines when stderr is not a terminal" [ ! -s "$T/e" ]
script -qec "'$MC' -c '$T/mc.yaml' backup --to '$T/tty' >/dev/null" /dev/null > "$T/tty.out" 2>&1
check "on a terminal backup says what it copies first" grep -q "mc backup: copying .*MB" "$T/tty.out"
check "the daemon still runs after the restore" kill -0 $D
check "the restored cache passes integrity_check" integrity "$T/cache.db"

# backup.at: the daemon takes the daily backup (catching up one missed today)
kill $D 2>/dev/null; wait $D 2>/dev/null
sed "s|backup: {dir: $T/bk, keep: 3}|backup: {dir: $T/daily, keep: 2, at: \"00:00\"}|" "$T/mc.yaml" > "$T/daily.yaml"
"$MC" -c "$T/daily.yaml" fetch --daemon 2>>"$T/d.err" & D=$!
on_exit "kill $D 2>/dev/null"
daily() { ls "$T/daily"/cache-*.db >/dev/null 2>&1; }
check "with backup.at the daemon takes the missed daily backup" wait_until 10 daily
sleep 1.5   # (one tick later) still one: daily, not every second
check "... once" [ "$(ls "$T/daily" | grep -c '\.db$')" = 1 ]
check "... which passes sha256sum -c" sh -c "cd '$T/daily' && sha256sum -c --quiet ./*.sha256"
kill $D; wait $D 2>/dev/null
"$MC" -c "$T/daily.yaml" check >"$T/chk" 2>&1
check "mc check shows the newest backup's age" grep -qE "^backups: $T/daily: newest ([0-9]+s|now) ago \(keep 2, daily at 00:00 UTC\)" "$T/chk"
sed "s|$T/daily|$T/empty|" "$T/daily.yaml" > "$T/empty.yaml"
"$MC" -c "$T/empty.yaml" check >"$T/chk" 2>&1
check "... and none yet when there is none" grep -q "^backups: $T/empty: newest none yet" "$T/chk"
printf 'cache: %s/c3.db\n' "$T" > "$T/nob.yaml"
check "... and nothing without a backup: map" sh -c "! '$MC' -c '$T/nob.yaml' check 2>&1 | grep -q '^backups:'"

# the backup: keys are checked like every other
for bad in '{at: "25:00"}' '{keep: 0}' '{dir: ""}' '{every: 1d}'; do
    printf 'cache: %s/c2.db\nbackup: %s\n' "$T" "$bad" > "$T/bad.yaml"
    "$MC" -c "$T/bad.yaml" backup >/dev/null 2>"$T/e"; rc=$?
    check "backup: $bad is a config error (exit 2, FILE:LINE:COL)" [ $rc -eq 2 ] && grep -q "bad.yaml:2:" "$T/e"
done
printf 'cache: %s/c2.db\nbackup: {at: "3:30", keep: 2}\n' "$T" > "$T/ok.yaml"
check "backup: {at: 3:30, keep: 2} is accepted" "$MC" -c "$T/ok.yaml" check
finish

#!/usr/bin/env bash
# Markdown write-back in a hostile directory, end to end through `mc resolve`:
# - symlinks planted at every temp name the old code could pick
#   (TASKS.mc-tmp-PID for the next pids) and at hidden names point at a
#   victim file: the resolve ticks the box in the task list and never writes
#   through them, and the victim keeps its text and mode;
# - the task list itself a symlink the user made (path: points at a link):
#   the write goes to the file it links to, as an editor's would; the link
#   stays a link and the file keeps its mode. (file_write_atomic itself
#   refuses a symlink as the name it replaces: test_atomic.c.)
. "$(dirname "$0")/lib.sh"
D="$T/data"
mkdir -p "$D"
printf 'secret victim text\n' >"$T/victim"
chmod 600 "$T/victim"
printf '# Ops\n- [ ] BLOCKED rotate the key, needs Apple\n' >"$D/tasks.md"
chmod 640 "$D/tasks.md"
cat > "$T/mc.yaml" <<YAML
cache: $T/cache.db
log: $T/mc.log
sources:
  - {id: tasks, kind: markdown_tasks, path: "$D/tasks.md"}
  - {id: linked, kind: markdown_tasks, path: "$D/linked.md"}
YAML
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1
key=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select key from blockers where source='tasks'\").fetchone()[0])" "$T/cache.db")
check "the blocker was read (key $key)" [ -n "$key" ]

# plant: the old scheme was PATH.mc-tmp-<pid of the writing process>
# (one process plants them all, so the pids after it are still free)
base=$(python3 - "$T/victim" "$D/tasks.md" <<'PY'
import os, sys
me = os.getpid()
for pid in range(me + 1, me + 2000):
    os.symlink(sys.argv[1], "%s.mc-tmp-%d" % (sys.argv[2], pid))
os.symlink(sys.argv[1], os.path.join(os.path.dirname(sys.argv[2]), ".tasks.md.mc-tmp"))
print(me + 1)
PY
)
before=$(ls -A "$D" | wc -l)
"$MC" -c "$T/mc.yaml" resolve "tasks:$key" >"$T/res" 2>&1
check "resolve succeeded ($(cat "$T/res"))" grep -q "resolved" "$T/res"
check "the box is ticked" grep -q '^- \[x\] BLOCKED rotate the key' "$D/tasks.md"
check "the task list is still a regular file" test -f "$D/tasks.md" -a ! -L "$D/tasks.md"
check "the task list kept its mode 640" [ "$(stat -c %a "$D/tasks.md")" = 640 ]
check "the victim kept its text" [ "$(cat "$T/victim")" = "secret victim text" ]
check "the victim kept its mode 600" [ "$(stat -c %a "$T/victim")" = 600 ]
check "no temp file left, no planted link replaced" [ "$(ls -A "$D" | wc -l)" = "$before" ]
check "the planted links are still links" test -L "$D/tasks.md.mc-tmp-$base"

# the task list itself a symlink: the file it links to is written
rm -f "$D"/tasks.md.mc-tmp-* "$D/.tasks.md.mc-tmp"
printf '# Ops\n- [ ] BLOCKED pay the invoice, needs Apple\n' >"$T/real.md"
chmod 604 "$T/real.md"
ln -s "$T/real.md" "$D/linked.md"
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1
key=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select key from blockers where source='linked'\").fetchone()[0])" "$T/cache.db")
check "a linked task list is read (key $key)" [ -n "$key" ]
"$MC" -c "$T/mc.yaml" resolve "linked:$key" >"$T/res2" 2>&1
check "resolve through the user's link succeeded ($(cat "$T/res2"))" grep -q "resolved" "$T/res2"
check "the link is still a link" test -L "$D/linked.md"
check "the linked file is ticked" grep -q '^- \[x\] BLOCKED pay the invoice' "$T/real.md"
check "the linked file kept its mode 604" [ "$(stat -c %a "$T/real.md")" = 604 ]
check "no temp file left next to it" [ "$(ls -A "$T" | grep -c 'real.md')" = 1 ]
finish

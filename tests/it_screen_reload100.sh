#!/usr/bin/env bash
# Screen test: reloading mc.yaml a hundred times (each reload restarts the
# fetch engine and re-adds the inotify watches) leaves no extra threads,
# file descriptors, inotify watches or memory behind.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
cp "$CONFIG" "$WORK/base.yaml"
start_shell 120 40
run_mc
wait_for "Falcon portal" 10
pid=$(mc_pid)
[ -n "$pid" ] || fail "mc is not running"

reload() {   # reload N: a config whose projects pane is titled RoadmapN
    sed -e "s/  - {type: projects}/  - {type: projects, title: Roadmap$1}/" "$WORK/base.yaml" >"$WORK/next.yaml"
    mv "$WORK/next.yaml" "$CONFIG"
    wait_for "Roadmap$1 " 5
}
threads() { ls "/proc/$pid/task" | wc -l; }
fds() { ls "/proc/$pid/fd" | wc -l; }
watches() { cat /proc/"$pid"/fdinfo/* 2>/dev/null | grep -c '^inotify'; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }

# an old engine stops in the background after a reload: measure once the
# counts have settled (two samples 200 ms apart agree; at most 5 s)
settle() {
    local prev="" cur n=0
    while [ $n -lt 25 ]; do
        cur="$(threads) $(fds) $(watches)"
        [ "$cur" = "$prev" ] && return 0
        prev=$cur; n=$((n + 1)); sleep 0.2
    done
}
for i in $(seq 1 20); do reload "$i"; done
settle
t0=$(threads) f0=$(fds) w0=$(watches) r0=$(rss)
for i in $(seq 21 100); do reload "$i"; done
wait_for "Falcon portal" 5
# the last retired engine may still be finishing a fetch: give the counts
# up to 10 s to come back (a real leak never does)
n=0
while [ $n -lt 50 ] && { [ "$(threads)" -gt "$t0" ] || [ "$(fds)" -gt $((f0 + 4)) ] || [ "$(watches)" -gt "$w0" ]; }; do
    sleep 0.2; n=$((n + 1))
done
t1=$(threads) f1=$(fds) w1=$(watches) r1=$(rss)
echo "after 20 reloads: threads $t0, fds $f0, watches $w0, rss ${r0}kB"
echo "after 100 reloads: threads $t1, fds $f1, watches $w1, rss ${r1}kB"
[ "$t1" -le "$t0" ] || fail "threads grew from $t0 to $t1"
# SQLite keeps the descriptors of closed connections to a file that another
# connection of the process still has open (POSIX locks) and reuses them, so
# the count moves by a few with timing; a leak would add one per reload (80)
[ "$f1" -le $((f0 + 4)) ] || fail "file descriptors grew from $f0 to $f1"
[ "$w1" -le "$w0" ] || fail "inotify watches grew from $w0 to $w1"
# (under AddressSanitizer the quarantine grows RSS by design; LSan checks leaks at exit;
# ThreadSanitizer's shadow memory and history grow with every thread started)
if ! ldd "$MC" 2>/dev/null | grep -qE 'lib[at]san'; then
    [ "$((r1 - r0))" -lt 2048 ] || fail "memory grew by $((r1 - r0)) kB over 80 reloads"
fi
keys q
expect_exit 0
echo "ok"

#!/usr/bin/env bash
# `mc outbox --retry/--drop` say what they did: which row, which item, and
# how it ended (delivered, failed again, still queued, dropped); an unknown
# or finished row is an error (exit 1) with a message; a malformed ID is a
# usage error (exit 2).
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/data"
for k in b1 b2 b3; do
    printf '{"id":"%s","ts":"2026-11-21T09:00:00Z","from":"max","to":"apple","type":"blocker","summary":"%s","action_needed":true}\n' "$k" "$k" >>"$T/data/h.jsonl"
done
handoffs_config "$T/data/h.jsonl"
mcx() { "$MC" -c "$T/mc.yaml" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
has() { grep -qE -- "$1" "$T/$2" || { echo "  ($2: $(cat "$T/$2"))" >&2; return 1; }; }

mcx fetch --once
mcx resolve handoffs:b1 --no-wait
check "a queued resolve (exit 3)" [ "$(rc)" -eq 3 ]
id1=$(grep -oE '#[0-9]+' "$T/out" | tr -d '#')
check "resolve --no-wait names the row and the item" has "^queued as outbox #$id1 \(handoffs:b1\)" out
mcx outbox --retry "$id1"
check "retry ID: exit 0 when delivered" [ "$(rc)" -eq 0 ]
check "retry ID says which row and item, and that it was delivered" has "^outbox #$id1 \(handoffs:b1\): retried: delivered" out
mcx outbox --retry "$id1"
check "retry of a delivered row: exit 1" [ "$(rc)" -eq 1 ]
check "retry of a delivered row: says why" has "#$id1 \(handoffs:b1\) is delivered: nothing to retry" err
mcx outbox --retry 999
check "retry of an unknown row: exit 1" [ "$(rc)" -eq 1 ]
check "retry of an unknown row: says so" has "no outbox row #999" err
mcx outbox --drop 999
check "drop of an unknown row: exit 1" [ "$(rc)" -eq 1 ]
check "drop of an unknown row: says so" has "no outbox row #999" err
mcx outbox --drop "$id1"
check "drop of a delivered row: exit 1 with the reason" [ "$(rc)" -eq 1 ] && has "only pending or failed" err
mcx outbox --retry x1
check "retry of a malformed id: usage error (exit 2)" [ "$(rc)" -eq 2 ] && has "^usage: mc outbox" err

mcx resolve handoffs:b2 --no-wait
id2=$(grep -oE '#[0-9]+' "$T/out" | tr -d '#')
mcx outbox --drop "$id2"
check "drop: exit 0" [ "$(rc)" -eq 0 ]
check "drop says which row and item and what became of the blocker" has "^outbox #$id2 \(handoffs:b2\): dropped; the blocker shows as open again" out
mcx outbox
check "the dropped row is gone from the list" sh -c "! grep -q 'handoffs:b2' '$T/out'"

# a failing delivery: the file became a directory
mcx resolve handoffs:b3 --no-wait
id3=$(grep -oE '#[0-9]+' "$T/out" | tr -d '#')
mv "$T/data/h.jsonl" "$T/data/h.keep"; mkdir "$T/data/h.jsonl"
mcx outbox --retry all
check "retry all: exit 1 when a row failed (got $(rc))" [ "$(rc)" -eq 1 ]
check "retry all reports the row and its failure" has "^outbox #$id3 \(handoffs:b3\): retried: (failed again|still pending)" out
rmdir "$T/data/h.jsonl"; mv "$T/data/h.keep" "$T/data/h.jsonl"
mcx outbox --retry all
check "retry all, file back: delivered (exit $(rc))" [ "$(rc)" -eq 0 ] && has "^outbox #$id3 \(handoffs:b3\): retried: delivered" out
mcx outbox --retry all
check "retry all with nothing to retry says so (exit 0)" [ "$(rc)" -eq 0 ] && has "nothing to retry" out
finish

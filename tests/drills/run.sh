#!/bin/sh
# make drills: the long versions of the fault and crash drills (issue 13),
# the same scripts `make test` runs short (tests/it_drill_*.py):
#   kill -9 storm      DRILL_KILLS   (make test: 10)   here 100
#   8 processes        DRILL_SECONDS (make test: 8 s)  here 60
#   full / read-only disk, network faults: the same as in make test
# Override either from the environment. Usage: tests/drills/run.sh BUILD_DIR
BUILD=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
MC=$(cd "$BUILD" && pwd)/mc
export MC MC_TESTS_DIR="$here" PYTHONDONTWRITEBYTECODE=1
: "${DRILL_KILLS:=100}" "${DRILL_SECONDS:=60}"
export DRILL_KILLS DRILL_SECONDS
fails=0
for t in "$here"/it_drill_*.py "$here"/it_drill_*.sh; do
    echo "== $(basename "$t") (DRILL_KILLS=$DRILL_KILLS DRILL_SECONDS=$DRILL_SECONDS)"
    case $t in *.py) run=python3 ;; *) run=bash ;; esac
    (cd "$here" && $run "$t") || { rc=$?; [ "$rc" = 77 ] || fails=$((fails + 1)); }
done
echo "drills: $fails failed"
[ "$fails" = 0 ]

#!/bin/sh
# make bench: builds are done by the Makefile; this runs every benchmark and
# prints its figures. Usage: bench/run.sh BUILD_DIR
exec python3 "$(dirname "$0")/bench.py" "${1:-build}"

# pg_lib.sh — a throw-away PostgreSQL server for the integration tests.
# Source it after lib.sh. pg_start runs initdb into a fresh temporary
# directory and starts a server that listens only on a Unix socket in that
# directory (never TCP); as root the server runs as an unprivileged user
# (`postgres`, else `nobody`). The server is stopped (pg_ctl -m fast) and the
# directory removed when the test exits. Exits 77 (meson: skipped) only when
# no initdb can be found at all.
#
#   pg_start            initdb (first time) + start; sets PGROOT, PG_CONNINFO
#   pg_stop / pg_restart
#   pg_psql ARGS...     psql on the test database "mc", as the superuser
#   pg_val SQL          one value, unaligned

pg_find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return 0; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r) \
           /usr/local/pgsql/bin /usr/pgsql-*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  p=$(command -v initdb 2>/dev/null) && { dirname "$p"; return 0; }
  return 1
}

PGBIN=$(pg_find_bin) || { echo "SKIP: no PostgreSQL server (initdb) installed"; exit 77; }

# As root the server must run as someone else: prefix for its commands.
PG_AS=""
PG_USER=$(id -un)
if [ "$(id -u)" = 0 ]; then
  PG_USER=postgres
  id postgres >/dev/null 2>&1 || PG_USER=nobody
  if command -v runuser >/dev/null 2>&1; then
    PG_AS="runuser -u $PG_USER --"
  else
    PG_AS="setpriv --reuid=$PG_USER --regid=$(id -g $PG_USER) --clear-groups --"
  fi
fi

export PGOPTIONS="-c client_min_messages=warning"   # no NOTICE chatter from psql
PGROOT=$(mktemp -d /tmp/mc-pg-XXXXXX)
[ -n "$PG_AS" ] && chown "$PG_USER" "$PGROOT"
chmod 700 "$PGROOT"
PG_CONNINFO="host=$PGROOT user=postgres dbname=mc"
PG_STARTED=0

pg_log() { cat "$PGROOT/server.log" 2>/dev/null | tail -n 20 >&2; }

pg_start() {
  if [ ! -f "$PGROOT/data/PG_VERSION" ]; then
    (cd / && $PG_AS "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 \
        --no-locale >"$PGROOT/initdb.log" 2>&1) || {
      echo "initdb failed:" >&2; cat "$PGROOT/initdb.log" >&2; return 1; }
  fi
  (cd / && $PG_AS "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$PGROOT' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null) || { echo "pg_ctl start failed:" >&2; pg_log; return 1; }
  PG_STARTED=1
  wait_until 30 "$PGBIN/pg_isready" -q -h "$PGROOT" -U postgres || {
    echo "server not ready" >&2; pg_log; return 1; }
  if [ "$(pg_val_db postgres "select count(*) from pg_database where datname = 'mc'")" = 0 ]; then
    "$PGBIN/createdb" -h "$PGROOT" -U postgres mc || return 1
  fi
}

pg_stop() {
  [ "$PG_STARTED" = 1 ] || return 0
  (cd / && $PG_AS "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w -t 60 stop >/dev/null 2>&1)
  PG_STARTED=0
}

pg_restart() { pg_stop && pg_start; }

pg_psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGROOT" -U postgres -d mc "$@"; }
pg_val_db() { "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGROOT" -U postgres -d "$1" -c "$2"; }
pg_val() { pg_val_db mc "$1"; }

pg_cleanup() {
  pg_stop
  [ -n "${MC_KEEP_TMP:-}" ] || rm -rf "$PGROOT"
}
if command -v on_exit >/dev/null 2>&1; then
  on_exit pg_cleanup
else
  trap pg_cleanup EXIT
fi

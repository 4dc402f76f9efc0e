#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests, in a folder of its own, on a loopback port.
#   pg-test-server.sh start DIR PORT   → prints the base URL postgres://ytexa@127.0.0.1:PORT/postgres
#   pg-test-server.sh stop DIR         → stops it (safe to call twice)
# start on a folder whose server already runs only prints its URL. Authentication is `trust`,
# which is safe only because the server listens on 127.0.0.1 and on a socket inside DIR.
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.
# PG_BIN may name another server's bin folder; scripts/setup.sh installs Debian's postgresql-15.
set -euo pipefail
if [[ -z ${PG_BIN:-} ]]; then
  PG_BIN=/usr/lib/postgresql/15/bin
  [[ -x $PG_BIN/initdb ]] || PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[[ -n $PG_BIN && -x $PG_BIN/initdb ]] || {
  echo "pg-test-server: no PostgreSQL server installed (scripts/setup.sh installs it)" >&2
  exit 1
}
usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
cmd=${1:-}
DIR=${2:-}
[[ -n $DIR ]] || usage

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
running() { as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

case $cmd in
start)
  PORT=${3:-}
  [[ $PORT =~ ^[0-9]+$ ]] || usage
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres: "$DIR"
    chmod 0755 "$DIR"
    runuser -u postgres -- test -w "$DIR" || {
      echo "pg-test-server: the postgres user cannot reach $DIR (choose a folder under /tmp)" >&2
      exit 1
    }
  fi
  if ! running; then
    if [[ ! -f $DIR/data/PG_VERSION ]]; then
      as_pg "$PG_BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      as_pg tee -a "$DIR/data/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = on
shared_buffers = 32MB
max_connections = 200
CONF
      printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_pg tee "$DIR/data/pg_hba.conf" >/dev/null
    fi
    if ! as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null; then
      echo "pg-test-server: the server did not start; the end of $DIR/server.log:" >&2
      tail -n 20 "$DIR/server.log" >&2 || true
      exit 1
    fi
  fi
  # A folder started before keeps the port it was made with; the URL printed is the true one.
  PORT=$(sed -n "s/^port = //p" "$DIR/data/postgresql.conf" | tail -n 1)
  as_pg "$PG_BIN/psql" -h "$DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAtc \
    "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ytexa') THEN
       CREATE ROLE ytexa LOGIN SUPERUSER; END IF; END\$\$" >/dev/null
  echo "postgres://ytexa@127.0.0.1:$PORT/postgres"
  ;;
stop)
  [[ -f $DIR/data/PG_VERSION ]] || exit 0
  running || exit 0
  as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null
  ;;
*) usage ;;
esac

#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests, in a folder of its own, on a loopback port.
#   pg-test-server.sh start DIR PORT   → prints the base URL postgres://ytexa@127.0.0.1:PORT/postgres
#   pg-test-server.sh stop DIR         → stops it (safe to call twice)
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n $BIN ]] || { echo "pg-test-server: no PostgreSQL server installed (scripts/setup.sh installs it)" >&2; exit 1; }
cmd=${1:?start|stop}
DIR=${2:?folder}

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
  PORT=${3:?port}
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    mkdir -p "$DIR"
    chown postgres: "$DIR"
    chmod 0755 "$DIR"
  fi
  if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    if [[ ! -f $DIR/data/PG_VERSION ]]; then
      as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = on
shared_buffers = 64MB
max_connections = 300
CONF
      printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$DIR/data/pg_hba.conf"
    fi
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qAtc \
      "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ytexa') THEN CREATE ROLE ytexa LOGIN SUPERUSER; END IF; END\$\$" postgres
  fi
  PORT=$(sed -n "s/^port = //p" "$DIR/data/postgresql.conf" | tail -n 1)
  echo "postgres://ytexa@127.0.0.1:$PORT/postgres"
  ;;
stop)
  [[ -d $DIR/data ]] || exit 0
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac

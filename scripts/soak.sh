#!/usr/bin/env bash
# The long kill -9 soak (issue 22; docs/operations.md, "Durability"): tests/api/soak.test.mjs for
# SOAK_CYCLES cycles (200 by default) on SQLite, then on a PostgreSQL 15 server this script starts
# in a folder of its own on a loopback port and stops afterwards. `make test` runs the same drill
# for 3 cycles on each engine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${1:-build}
export SOAK_CYCLES=${SOAK_CYCLES:-200} YTEXA_BIN=${YTEXA_BIN:-$ROOT/$BUILD/ytexa}
soak() {
  local t0=$SECONDS
  node --experimental-websocket --test --test-reporter=spec tests/api/soak.test.mjs
  echo "# $1: $SOAK_CYCLES cycles in $((SECONDS - t0)) s"
}
soak SQLite
DIR=$(mktemp -d /tmp/ytexa-pg.XXXXXX)
PORT=${YTEXA_PG_PORT:-$((20000 + RANDOM % 12000))}
trap 'bash "$ROOT/scripts/pg-test-server.sh" stop "$DIR" || true; rm -rf "$DIR"' EXIT
YTEXA_TEST_DB=$(bash scripts/pg-test-server.sh start "$DIR" "$PORT") soak PostgreSQL

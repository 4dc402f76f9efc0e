#!/usr/bin/env bash
# Runs the unit and API tests against a PostgreSQL 15 server that this script starts in a folder
# of its own on a loopback port, and stops afterwards: the tests labelled "db" (tests/tests.cmake: the
# API tests and the unit tests that open a database). YTEXA_TEST_REGEX narrows the tests run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${1:-build}
DIR=$(mktemp -d /tmp/ytexa-pg.XXXXXX)
# Below the kernel's ephemeral range (32768–60999), so no client socket of a test holds it.
PORT=${YTEXA_PG_PORT:-$((20000 + RANDOM % 12000))}
trap 'bash "$ROOT/scripts/pg-test-server.sh" stop "$DIR" || true; rm -rf "$DIR"' EXIT
URL=$(bash scripts/pg-test-server.sh start "$DIR" "$PORT")
echo "PostgreSQL test server: $URL"
cd "$BUILD"
YTEXA_TEST_DB=$URL ctest --output-on-failure -j2 -L '^db$' -R "${YTEXA_TEST_REGEX:-^(unit|api)\.}"

#!/usr/bin/env bash
# Installs what ytexa needs on Debian 12, and nothing when it is all there already (no apt-get
# update unless a package is missing). Then the web app's and the browser tests' npm packages,
# from their committed lockfiles. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # build (clang-format: the tree's format is checked in make test, tests/format.sh)
  gcc make cmake pkg-config clang clang-format
  # libraries (Debian's, never vendored)
  libh2o-dev libuv1-dev libwslay-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev libssl-dev
  libutf8proc-dev libcmocka-dev libcairo2-dev libpango1.0-dev libqrencode-dev libcurl4-openssl-dev libvips-dev
  libxlsxwriter-dev
  # tools the tests and the benchmark use: sqlite3 and psql to look into the database, a
  # PostgreSQL server for the PostgreSQL run, wrk for bench/, chromium for the browser tests,
  # pdftotext and pdftoppm to read the PDFs ytexa renders and zbarimg their QR codes; coturn
  # and Janus for the call tests (started by the tests from tests/media/, never as system
  # services); iproute2 for the network namespace of the room test; unzip to read the reports'
  # XLSX workbooks
  sqlite3 postgresql postgresql-client wrk curl chromium fonts-noto-core poppler-utils zbar-tools coturn janus iproute2
  unzip
  # the list of common passwords new ones are checked against (/usr/share/john/password.lst)
  john-data
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, only when the lockfile changed since the last install.
for dir in web tests/e2e tests/api; do
  [[ -f $dir/package-lock.json ]] || continue
  stamp=$dir/node_modules/.ytexa-lock
  if [[ ! -f $stamp ]] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "setup: npm ci in $dir"
    # npm ci refuses a lockfile without the optional packages of other platforms (rollup's
    # native binaries), which this registry does not list; npm install --no-save then installs
    # the same locked versions without touching the lockfile.
    (cd "$dir" && { npm ci --no-audit --no-fund --loglevel=silent 2>/dev/null ||
      npm install --no-save --no-audit --no-fund --loglevel=error; })
    cp "$dir/package-lock.json" "$stamp"
  fi
done

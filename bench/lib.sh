# What the report benches share (sourced; bench/reports.sh, reports_cpu.sh, reports_diff.sh): a
# query on the bench database, a server started on it, and a demo account's token.
#   DIR, DB, B (the build folder), PORT set by the caller; URL, PID and the EXIT trap set here.

# q SQL: one query on the bench database, rows as a|b lines.
q() { if [[ $DB == postgres* ]]; then psql -qtA "$DB" -c "$1"; else sqlite3 "$DB" "$1"; fi; }

# bench_serve LOG: the build's server on DIR and DB, its log in DIR/LOG; waits until it answers,
# and stops it when the script ends.
bench_serve() {
  URL=http://127.0.0.1:$PORT
  "$B/ytexa" serve --data "$DIR" --db "$DB" --port "$PORT" --log-level warn --web "$DIR/none" 2>"$DIR/$1" &
  PID=$!
  trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
  for _ in $(seq 300); do curl -sf "$URL/healthz" >/dev/null && return; sleep 0.1; done
  echo "bench: the server did not answer on $URL" >&2
  exit 1
}

# login USER: the demo account's bearer token (empty when the login fails).
login() {
  curl -sf -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"demo-password\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

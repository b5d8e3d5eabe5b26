#!/usr/bin/env bash
# The audit figures of BENCHMARKS.md (issue #18), in one run: events/s through the batched writer on SQLite and on
# PostgreSQL with one and two processes, `record()` latency in both durabilities at half load, and what commit
# durability adds to `/v1/moderations` at half load (batched and commit alternately, every request recorded).
#
# Usage: scripts/bench-audit.sh [WARDEN_BINARY] [ROUNDS]   (default .build/release/warden, 2 rounds)
# Starts a throw-away PostgreSQL cluster on 127.0.0.1:$PG_PORT (default 55449) and a server on $PORT (default
# 18191); both go at exit. Run it on an idle machine and say what else ran: PostgreSQL itself shares the cores.
set -euo pipefail
B=${1:-.build/release/warden}
ROUNDS=${2:-2}
PG_PORT=${PG_PORT:-55449}
PORT=${PORT:-18191}
RATE=${RATE:-114}
# A p99 over 30 s (3,421 requests) rests on 34 of them and scattered by +-5 ms between identical runs; 60 s steadies it.
SERVE_SECONDS=${SERVE_SECONDS:-60}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/warden-bench-audit.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  "$here/pg-temp-cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
U="$("$here/pg-temp-cluster.sh" start "$work/pg" "$PG_PORT")"
case "$U" in *\?*) sep='&' ;; *) sep='?' ;; esac
schema() { echo "$U${sep}schema=$1"; }
echo "# $(date -u +%FT%TZ), $B, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

echo "## events/s, batched writer, 1 process"
"$B" bench audit --seconds 10 --database "$work/one.sqlite"
"$B" bench audit --seconds 10 --audit-url "$(schema bench1)"
echo "## events/s, 2 processes into one PostgreSQL database (SQLite takes one writing process per file)"
"$B" bench audit --seconds 10 --audit-url "$(schema bench2)" & first=$!
"$B" bench audit --seconds 10 --audit-url "$(schema bench2)"
wait "$first"

echo "## record() latency at $RATE events/s, open loop, 16 producers"
for durability in batched commit; do
  "$B" bench audit --seconds 20 --rate "$RATE" --producers 16 --durability "$durability" --database "$work/rate-$durability.sqlite"
  "$B" bench audit --seconds 20 --rate "$RATE" --producers 16 --durability "$durability" --audit-url "$(schema "rate_$durability")"
done

echo "## /v1/moderations at $RATE req/s, every request recorded (record: all), PostgreSQL"
cp -r Policies "$work/policies"
sed -i 's/audit: { record: flagged/audit: { record: all/' "$work/policies/default.yaml"
for round in $(seq 1 "$ROUNDS"); do
  for durability in batched commit; do
    WARDEN_AUDIT_URL="$(schema "serve_$durability")" WARDEN_AUDIT_DURABILITY=$durability \
      "$B" serve --model Models/warden-minilm-lora --route '' --port "$PORT" --policies "$work/policies" >"$work/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
    echo "### round $round, $durability, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    "$B" bench serve --url "http://127.0.0.1:$PORT" --words 30 --rate "$RATE" --duration "$SERVE_SECONDS" | grep -E 'requests|throughput|latency|status'
    kill "$server"; wait "$server" 2>/dev/null || true
    server=
  done
done

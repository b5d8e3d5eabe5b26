#!/usr/bin/env bash
# Two release builds of warden, measured alternately on the same machine: `bench encoder` and the service load
# test (`bench serve` against each build's own `warden serve`, the shipped bundle, a local audit log).
#
# Usage: scripts/bench-before-after.sh BEFORE_BINARY AFTER_BINARY [rounds]
# Needs the cached MiniLM base (`warden model fetch`). Port 18181 must be free. Run it on an idle machine and say
# what else ran: both sides get the same treatment in each round, but a busy neighbour widens the noise.
set -euo pipefail
BEFORE=${1:?usage: $0 BEFORE_BINARY AFTER_BINARY [rounds]}
AFTER=${2:?usage: $0 BEFORE_BINARY AFTER_BINARY [rounds]}
ROUNDS=${3:-2}
PORT=${PORT:-18181}
MODEL=${MODEL:-Models/warden-minilm-lora}
work=$(mktemp -d /tmp/warden-bench-ba.XXXXXX)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

# The pause lets the previous server's exit settle: without it the 1 x 32 figures scattered by 15-20% between sides
# and rounds (2026-12-04), while the same two builds timed apart, in both orders, were equal.
encoder() { sleep 5; "$1" bench encoder --batches 1,32 --lengths 32,128 --min-time 3 | grep -E '^\| (1|32) \| '; }

service() {
  local bin=$1 name=$2
  "$bin" serve --model "$MODEL" --port "$PORT" --audit-db "$work/$name.sqlite" >"$work/$name.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  "$AFTER" bench serve --url "http://127.0.0.1:$PORT" --concurrency 1 --duration 15 --words 30 | grep -E 'throughput|latency'
  "$AFTER" bench serve --url "http://127.0.0.1:$PORT" --concurrency 64 --duration 20 --words 30 | grep -E 'throughput|latency'
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
}

for round in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    bin=$BEFORE; [ "$side" = after ] && bin=$AFTER
    echo "## round $round, $side ($bin), $(date -u +%H:%M:%S) UTC, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "encoder (batch, seq, ms/batch, seq/s, tokens/s, GFLOP/s, eff., other CPU):"
    encoder "$bin"
    echo "service, 1 client (15 s) then 64 clients (20 s), 30 words:"
    service "$bin" "$side-$round"
  done
done

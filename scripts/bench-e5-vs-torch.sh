#!/usr/bin/env bash
# The multilingual base (multilingual-e5-small) in Warden and in PyTorch (an XLMRobertaModel built from the same
# converted weights), alternating in rounds on the same machine, like scripts/bench-encoder-vs-torch.sh.
#
# Usage: scripts/bench-e5-vs-torch.sh /path/to/refvenv/bin/python [rounds]
# Needs a release build (.build/release/warden, or WARDEN=...), the converted base
# (`warden model fetch --base multilingual-e5-small`) and ../shared/reference/bench (the reference timing helpers).
set -euo pipefail
PY=${1:?usage: $0 /path/to/refvenv/bin/python [rounds]}
ROUNDS=${2:-3}
WARDEN=${WARDEN:-.build/release/warden}
export HF_HUB_OFFLINE=1 BENCH_MAX_IDLE_WAIT=0
rows() { grep -E '^\| (1|32) \| |busy' || true; }
"$PY" scripts/bench_e5_torch.py --check --batches 1 --seqs 32 | grep cosine
for round in $(seq 1 "$ROUNDS"); do
  echo "## round $round $(date -u +%T) loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "warden:";  "$WARDEN" bench encoder --base multilingual-e5-small --batches 1,32 --lengths 32,128 | rows
  echo "pytorch:"; "$PY" scripts/bench_e5_torch.py --batches 1,32 --seqs 32,128 | rows
done

#!/usr/bin/env bash
# Reproduces the shipped frozen-encoder model and its validation report from the labelled pool.
#   scripts/train-frozen-model.sh [DATA_DIR] [OUT_BUNDLE]
# DATA_DIR defaults to ../shared/data/train. Takes about 30 minutes on a 2-core machine (the encoder
# features dominate; they are cached under $WARDEN_HOME/cache, so reruns of the head take a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/train}"
out="${2:-Models/warden-minilm-v1}"
swift build -c release --product warden
bin=.build/release/warden
$bin model fetch
$bin train head --data "$data" --output "$out" --layers 3 6 --hidden 256 --max-length 128 --workers 1
$bin data stats --data "$data" > "$out/MIXTURE.md"
$bin eval --data "$data" --split validation --model "$out" --workers 1 --output "$out/validation"
$bin eval --data "$data" --split validation --model "$out" --workers 1 --perturb mixed --limit 6000 --output "$out/validation-perturbed"

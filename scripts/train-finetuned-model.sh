#!/usr/bin/env bash
# Reproduces the shipped fine-tuned model (LoRA r=16 on every encoder linear + LayerNorms/biases + linear head),
# its operating thresholds and its reports, from the labelled pool plus Warden's own contrast pairs.
#   scripts/train-finetuned-model.sh [DATA_DIR] [OUT_BUNDLE]
# DATA_DIR defaults to ../shared/data/train; VERSION (default 1.3.0, the shipped one) goes into the manifest.
# Training took 2,028 s on this 2-core machine (2,525 steps; see the model card),
# plus ~15 minutes of scoring. After a kill, rerun with RESUME=1.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/train}"
out="${2:-Models/warden-minilm-lora}"
swift build -c release --product warden
bin=.build/release/warden
$bin model fetch
python3 scripts/generate_contrast.py --check >/dev/null   # the committed contrast files match their seeds
$bin train finetune --data "$data" Data/contrast/train --output "$out" --rank 16 --alpha 32 --epochs 1 --max-length 256 \
    --augment 0.2 --workers 2 --checkpoint-every 200 --version "${VERSION:-1.3.0}" ${RESUME:+--resume}
# Thresholds for a 3% decision-level false-positive rate on the calibration split's realistic benign items.
$bin train threshold --model "$out" --data "$data" Data/contrast/train --target-fpr 0.03
$bin data stats --data "$data" Data/contrast/train > "$out/MIXTURE.md"
$bin eval --data "$data" Data/contrast/train --split validation --model "$out" --output "$out/validation" \
    --group-by orig_labels.lang --withhold-text '*' --compare-model Models/warden-minilm-v1
$bin eval --data "$data" Data/contrast/train --split validation --model "$out" --perturb mixed --limit 6000 --withhold-text '*' \
    --output "$out/validation-perturbed"
$bin eval --data Data/contrast/heldout --model "$out" --group-by orig_labels.kind --output "$out/contrast-heldout"
$bin eval --data Benchmarks/probe-hard-cases.jsonl --model "$out" --group-by orig_labels.kind --output "$out/probe"

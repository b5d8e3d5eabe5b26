#!/usr/bin/env bash
# Reproduces the shipped fine-tuned model (LoRA r=16 on every encoder linear + LayerNorms/biases + linear head),
# its operating thresholds and its reports, from the labelled pool plus Warden's own contrast pairs.
#   scripts/train-finetuned-model.sh [DATA_DIR] [OUT_BUNDLE]
# DATA_DIR defaults to ../shared/data/train; VERSION (default 1.4.0, the shipped one) goes into the manifest.
# Training took about 100 minutes on this 2-core machine (5,050 steps, two epochs; see the model card),
# plus ~20 minutes of scoring. After a kill, rerun with RESUME=1.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/train}"
out="${2:-Models/warden-minilm-lora}"
swift build -c release --product warden
bin=.build/release/warden
$bin model fetch
python3 scripts/generate_contrast.py --check >/dev/null   # the committed contrast files match their seeds
$bin train finetune --data "$data" Data/contrast/train --output "$out" --rank 16 --alpha 32 --epochs 2 --max-length 256 \
    --augment 0.2 --workers 2 --checkpoint-every 200 --version "${VERSION:-1.4.0}" ${RESUME:+--resume}
# Thresholds for a 3% decision-level false-positive rate on the calibration split's realistic benign items.
$bin train threshold --model "$out" --data "$data" Data/contrast/train --target-fpr 0.03
$bin data stats --data "$data" Data/contrast/train > "$out/MIXTURE.md"
$bin eval --data "$data" Data/contrast/train --split validation --model "$out" --output "$out/validation" \
    --group-by orig_labels.lang --withhold-text '*'
python3 scripts/recall_at_benign_fpr.py "$out/validation/predictions.jsonl" --fpr 0.03
$bin eval --data Data/contrast/heldout --model "$out" --group-by orig_labels.kind --output "$out/contrast-heldout"
$bin eval --data Benchmarks/probe-hard-cases.jsonl --model "$out" --group-by orig_labels.kind --output "$out/probe"
$bin check --jsonl Benchmarks/probe-hard-cases.jsonl --model "$out" | python3 scripts/probe_score.py

#!/usr/bin/env bash
# Reproduces the shipped fine-tuned model (LoRA r=16 on every encoder linear + LayerNorms/biases + linear head)
# and its validation reports from the labelled pool.
#   scripts/train-finetuned-model.sh [DATA_DIR] [OUT_BUNDLE]
# DATA_DIR defaults to ../shared/data/train; VERSION (default 1.2.0, the shipped one) goes into the manifest.
# About 45-50 minutes of training on an idle 2-core machine (2.3-2.5 steps/s; 6,441 steps), plus ~8 minutes of
# evaluation (each model scored on the validation split). After a kill, rerun with RESUME=1.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/train}"
out="${2:-Models/warden-minilm-lora}"
swift build -c release --product warden
bin=.build/release/warden
$bin model fetch
$bin train finetune --data "$data" --output "$out" --rank 16 --alpha 32 --epochs 3 --max-length 256 \
    --augment 0.2 --workers 2 --checkpoint-every 200 --version "${VERSION:-1.2.0}" ${RESUME:+--resume}
$bin data stats --data "$data" > "$out/MIXTURE.md"
$bin eval --data "$data" --split validation --model "$out" --output "$out/validation" \
    --baseline Models/warden-minilm-v1/validation/report.json --compare-model Models/warden-minilm-v1
$bin eval --data "$data" --split validation --model "$out" --perturb mixed --limit 6000 --output "$out/validation-perturbed" \
    --baseline Models/warden-minilm-v1/validation-perturbed/report.json --compare-model Models/warden-minilm-v1

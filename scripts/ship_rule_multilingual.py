#!/usr/bin/env python3
"""The ship rule of warden-e5-multilingual (Docs/training.md), evaluated from two `warden eval` runs on the same items.

    python3 scripts/ship_rule_multilingual.py BASE/predictions.jsonl CANDIDATE/predictions.jsonl \
        --base-threshold 0.522 --candidate-threshold 0.6 --data ../shared/data/train Data/contrast/train

Languages come from each item's `orig_labels.lang` in the data files (no language = English). Prints, each with a
paired bootstrap 95% interval (candidate minus base, resampling items), and how many items of each kind the two
score differently:
1. `unsafe` AUPRC on the non-English items together;
2. the false-positive rate on the realistic benign sources, each model at its own threshold;
3. `unsafe` AUPRC on the English items;
and the verdict of rules 1 and 2. The thresholds are the manifests' `thresholds.unsafe`.

With `--focus LANG` (the rule of warden-e5-multilingual 0.2.0, two routed deployments compared) it also prints
`unsafe` AUPRC on LANG's items and on the other non-English items, and that rule's verdict: LANG's interval entirely
above zero, the others' and English's not entirely below zero, the realistic-benign FPR's not entirely above zero.
"""
import argparse
import glob
import json
import os
import random

from warden_metrics import BENIGN, average_precision

def languages(paths):
    lang = {}
    for path in paths:
        files = sorted(glob.glob(os.path.join(path, "*.jsonl"))) if os.path.isdir(path) else [path]
        for file in files:
            for line in open(file, encoding="utf-8"):
                if line.strip():
                    item = json.loads(line)
                    lang[item["id"]] = ((item.get("orig_labels") or {}).get("lang") or "en")
    return lang


def load(path):
    return {item["id"]: item for item in map(json.loads, open(path, encoding="utf-8")) if item}


def paired(rows, statistic, resamples, seed=7):
    """statistic(rows, which) for which in (0 = base, 1 = candidate); returns base, candidate, delta, interval."""
    base, candidate = statistic(rows, 0), statistic(rows, 1)
    generator = random.Random(seed)
    deltas = []
    for _ in range(resamples):
        sample = [rows[generator.randrange(len(rows))] for _ in rows]
        deltas.append(statistic(sample, 1) - statistic(sample, 0))
    deltas.sort()
    return base, candidate, candidate - base, (deltas[int(0.025 * len(deltas))], deltas[int(0.975 * len(deltas)) - 1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("candidate")
    parser.add_argument("--base-threshold", type=float, required=True)
    parser.add_argument("--candidate-threshold", type=float, required=True)
    parser.add_argument("--data", nargs="+", required=True)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--focus", help="a language whose AUPRC the candidate must raise (the 0.2.0 rule)")
    args = parser.parse_args()
    lang = languages(args.data)
    base, candidate = load(args.base), load(args.candidate)
    ids = sorted(set(base) & set(candidate))
    # (base score, candidate score, unsafe, language, realistic benign)
    rows = [(base[i]["scores"]["unsafe"], candidate[i]["scores"]["unsafe"], bool(base[i]["unsafe"]), lang.get(i, "en"),
             (not base[i]["unsafe"]) and base[i]["source"] in BENIGN) for i in ids]
    cuts = (args.base_threshold, args.candidate_threshold)

    def auprc(sample, which):
        return average_precision([(r[which], r[2]) for r in sample])

    def benign_fpr(sample, which):
        benign = [r for r in sample if r[4]]
        return sum(r[which] >= cuts[which] for r in benign) / max(len(benign), 1)

    other = [r for r in rows if r[3] != "en"]
    english = [r for r in rows if r[3] == "en"]
    results = {}
    measures = [("non-English unsafe AUPRC", other, auprc),
                ("realistic-benign FPR at own threshold", rows, benign_fpr),
                ("English unsafe AUPRC", english, auprc)]
    if args.focus:
        measures += [(f"{args.focus} unsafe AUPRC", [r for r in other if r[3] == args.focus], auprc),
                     (f"other non-English unsafe AUPRC", [r for r in other if r[3] != args.focus], auprc)]
    for name, subset, statistic in measures:
        b, c, d, (low, high) = paired(subset, statistic, args.resamples)
        results[name] = (low, high)
        print(f"{name}: {len(subset)} items, base {b:.3f}, candidate {c:.3f}, paired delta {d:+.3f} [{low:+.3f}, {high:+.3f}]")
    # How many items the candidate scored differently (for a routed deployment: what was routed, rightly or not).
    for name, subset in (("English", english), ("non-English", other)):
        changed = sum(1 for r in subset if abs(r[0] - r[1]) > 1e-6)
        print(f"{name} items scored differently: {changed} of {len(subset)}")
    ships = results["non-English unsafe AUPRC"][0] > 0 and not results["realistic-benign FPR at own threshold"][0] > 0
    default = ships and not results["English unsafe AUPRC"][1] < 0
    print(f"rule 1 (ships as a second bundle): {'yes' if ships else 'no'}")
    print(f"rule 2 (becomes the default): {'yes' if default else 'no'}")
    if args.focus:
        replaces = (results[f"{args.focus} unsafe AUPRC"][0] > 0
                    and not results["other non-English unsafe AUPRC"][1] < 0
                    and not results["realistic-benign FPR at own threshold"][0] > 0
                    and not results["English unsafe AUPRC"][1] < 0)
        print(f"focus rule ({args.focus} raised, nothing else worse): {'yes' if replaces else 'no'}")


if __name__ == "__main__":
    main()

"""Shared by the evaluation scripts: average precision as scikit-learn computes it, and the realistic benign sources."""

# The same sources as EvaluationOptions.defaultRealisticBenignSources (Sources/WardenEval/CategoryMapping.swift).
BENIGN = {"toxicchat_train", "cyberseceval_frr", "toxigen_seeds", "arena_hard", "coconot",
          "injecguard_sets", "cse_frr_multilingual", "counsel_chat"}


def average_precision(pairs):
    positives = sum(1 for _, truth in pairs if truth)
    if positives == 0:
        return float("nan")
    ranked = sorted(pairs, key=lambda pair: -pair[0])
    total, hits, index = 0.0, 0, 0
    while index < len(ranked):
        # Ties share one threshold, as scikit-learn's step-wise AP does.
        score = ranked[index][0]
        group_hits = 0
        while index < len(ranked) and ranked[index][0] == score:
            group_hits += ranked[index][1]
            index += 1
        if group_hits:
            hits += group_hits
            total += group_hits / positives * hits / index
    return total

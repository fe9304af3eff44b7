"""Recall and false flags of the sensitive-disclosure detector on the embedded sample (R7: PIPL art. 28).

The sample plants first-person disclosures of health, faith, biometrics, whereabouts and finances (`sensitive:*`
tags in truth.jsonl). A planted disclosure counts as found when its category is among the record's detections; a
record without one counts as falsely flagged when anything is detected. Chat records are read turn by turn, a user's
own turn with the speaker as the subject, as the gate reads them. The cues were written with the sample in view:
these are end-to-end figures on our own data, not a held-out benchmark.

    .venv/bin/python evaluation/eval_sensitive.py SAMPLE_DIR      (written by `corpusgate sample --out SAMPLE_DIR`)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipelines.detectors.sensitive import SensitiveTopics


def sample_records(root: Path) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(file, row, fields) of every readable record of the sample, rows numbered as truth.jsonl numbers them."""
    for path in sorted(root.glob("*.jsonl")):
        if path.name == "truth.jsonl":
            continue
        for row, line in enumerate(path.open("rb")):
            try:
                fields = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(fields, dict):
                yield path.name, row, fields
    for path in sorted(root.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            yield from ((path.name, row, fields) for row, fields in enumerate(csv.DictReader(handle)))
    for path in sorted(root.glob("*.parquet")):
        yield from ((path.name, row, fields) for row, fields in enumerate(pq.read_table(path).to_pylist()))


def detected(detector: SensitiveTopics, fields: dict[str, Any]) -> set[str] | None:
    """Categories found in a record, or None when it has no readable text."""
    messages = fields.get("messages")
    if isinstance(messages, list):
        turns = [m for m in messages if isinstance(m, dict) and isinstance(m.get("content"), str)]
        return {d.category for m in turns for d in detector.find(m["content"], m.get("role") == "user")}
    if isinstance(fields.get("text"), str):
        return {d.category for d in detector.find(fields["text"])}
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sample", type=Path, help="a directory written by `corpusgate sample`")
    args = parser.parse_args(argv)
    truth_file = args.sample / "truth.jsonl"
    if not truth_file.is_file():
        print(f"{args.sample}: no truth.jsonl (write the sample with `corpusgate sample --out DIR`)", file=sys.stderr)
        return 2
    truth = {(t["file"], t["row"]): t["tags"] for t in map(json.loads, truth_file.open(encoding="utf-8"))}
    detector = SensitiveTopics()
    found, planted, flagged, clean = Counter(), Counter(), Counter(), 0
    for file, row, fields in sample_records(args.sample):
        categories = detected(detector, fields)
        if categories is None:
            continue
        expected = {tag.split(":", 1)[1] for tag in truth.get((file, row), []) if tag.startswith("sensitive:")}
        planted.update(expected)
        found.update(expected & categories)
        if not expected:
            clean += 1
            flagged.update(categories)
    print(f"{'category':<12}{'planted':>9}{'found':>7}{'recall':>8}   falsely flagged records")
    for category in detector.categories:
        recall = found[category] / planted[category] if planted[category] else float("nan")
        print(f"{category:<12}{planted[category]:>9}{found[category]:>7}{recall:>8.2f}   {flagged[category]}")
    total, hits = sum(planted.values()), sum(found.values())
    print(
        f"all: recall {hits}/{total} = {hits / max(total, 1):.2f}; {sum(flagged.values())} false detections in "
        f"{clean} records without a planted disclosure"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

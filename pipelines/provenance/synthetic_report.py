"""The synthetic-data assessment report of a run (R4: Measures art. 10(4)): `synthetic_report.json` and `.md`.

Computed from the lineage the run wrote, like the manifest, so it describes the data an auditor will find: the
share of synthetic records per source and per generator, which signal found them, the flags (malformed AIGC labels,
missing generator metadata), the safety-score distribution and its components, the failures by reason and what
became of the synthetic records. It holds counts, scores, reason codes and record ids: never a record's text and
never a personal-information value.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines.detectors.synthetic import COMPONENTS, LABEL, SIGNALS, SIGNALS_STAGE
from pipelines.params import Params
from pipelines.provenance.manifest import read_rows
from pipelines.tables import REPORTS

EXAMPLES = 5  # record ids listed per signal, flag and reason
BINS = 10  # of the safety score, over [0, 1]


def build_synthetic_report(run_dir: Path, params: Params) -> dict[str, Any]:
    """The report of the run in `run_dir` (see the module's docstring)."""
    per_source: dict[str, Counter] = defaultdict(Counter)
    per_generator: dict[str, Counter] = defaultdict(Counter)
    signals, only, flags, failures, other_reasons = (defaultdict(list) for _ in range(5))
    aigc_values: Counter = Counter()
    decisions: Counter = Counter()
    scored: list[dict[str, Any]] = []
    for row in _assessed(run_dir):
        label = json.loads(row["labels"]).get(LABEL, {})
        per_source[row["source"]]["records"] += 1
        for code in label.get("flags", {}):
            flags[code].append(row["id"])
        for code in row["reasons"]:
            if code.startswith("R4."):
                failures[code].append(row["id"])
            elif label.get("signals"):
                other_reasons[code].append(row["id"])
        if not label.get("signals"):
            continue
        per_source[row["source"]]["synthetic"] += 1
        model = label.get("generator", {}).get("model", "unknown")
        per_generator[model]["records"] += 1
        per_generator[model][row["decision"]] += 1
        decisions[row["decision"]] += 1
        for signal in label["signals"]:
            signals[signal].append(row["id"])
        if len(label["signals"]) == 1:
            only[label["signals"][0]].append(row["id"])
        if "aigc" in label:
            aigc_values[label["aigc"]["Label"]] += 1
        if "safety" in label:
            scored.append(label)
    synthetic = sum(counts["synthetic"] for counts in per_source.values())
    return {
        "description": "synthetic-data assessment (Measures art. 10(4)); counts and record ids only",
        "records_assessed": sum(counts["records"] for counts in per_source.values()),
        "synthetic": synthetic,
        "by_source": {
            source: {
                **counts,
                "synthetic": counts["synthetic"],
                "share": _share(counts["synthetic"], counts["records"]),
            }
            for source, counts in sorted(per_source.items())
        },
        "by_generator": {model: dict(sorted(counts.items())) for model, counts in sorted(per_generator.items())},
        "by_signal": {s: _listed(signals[s]) | {"only_this_signal": len(only[s])} for s in SIGNALS},
        "aigc_label_values": dict(sorted(aigc_values.items())),
        "flags": {code: _listed(ids) for code, ids in sorted(flags.items())},
        "decisions": dict(sorted(decisions.items())),
        "safety": _distribution([label["safety"] for label in scored]),
        "components": {
            name: {
                "mean_hazard": _round(statistics.fmean(label["hazards"][name] for label in scored)) if scored else 0.0,
                "max_hazard": max((label["hazards"][name] for label in scored), default=0.0),
                "failing": sum(name in label["failing"] for label in scored),
            }
            for name in COMPONENTS
        },
        "failures_by_reason": {code: _listed(ids) for code, ids in sorted(failures.items())},
        "held_by_other_stages": {code: _listed(ids) for code, ids in sorted(other_reasons.items())},
        "settings": {
            "threshold": params.synthetic.threshold,
            "weights": params.synthetic.weights.model_dump(),
            "hold_flagged": params.synthetic.hold_flagged,
        },
    }


def _assessed(run_dir: Path) -> Iterator[dict[str, Any]]:
    """The lineage rows the synthetic signals saw, read a batch at a time (a large run is never held whole)."""
    for row in read_rows(run_dir, "lineage", ["id", "source", "decision", "reasons", "labels", "trail"]):
        if any(step["stage"] == SIGNALS_STAGE for step in row["trail"]):
            yield row


def write_synthetic_report(run_dir: Path, params: Params) -> dict[str, Any]:
    """Write the report as JSON and Markdown into `run_dir`; return it."""
    report = build_synthetic_report(run_dir, params)
    json_name, markdown_name = REPORTS
    (run_dir / json_name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (run_dir / markdown_name).write_text(render_markdown(report), encoding="utf-8")
    return report


def render_markdown(report: dict[str, Any]) -> str:
    """The report for people: the same figures as the JSON, as tables."""
    lines = [
        "# Synthetic-data assessment (Measures art. 10(4))",
        "",
        f"{report['synthetic']} synthetic records among {report['records_assessed']} that passed the consent and "
        f"PI gate. Safety threshold {report['settings']['threshold']}; weights {report['settings']['weights']}.",
        "",
        "## Share of synthetic data per source",
        "",
        *_table(
            ("source", "records", "synthetic", "share"),
            [(s, c["records"], c["synthetic"], c["share"]) for s, c in report["by_source"].items()],
        ),
        "",
        "## Per generator (model)",
        "",
        *_table(
            ("model", "records", "governed", "quarantined", "duplicate"),
            [
                (m, c["records"], c.get("governed", 0), c.get("quarantined", 0), c.get("duplicate", 0))
                for m, c in report["by_generator"].items()
            ],
        ),
        "",
        "## Found by",
        "",
        *_table(
            ("signal", "records", "only this signal", "examples"),
            [(s, e["records"], e["only_this_signal"], " ".join(e["examples"])) for s, e in report["by_signal"].items()],
        ),
        "",
        f"AIGC `Label` values: {report['aigc_label_values'] or 'none'}",
        "",
        "## Flags",
        "",
        *_table(("flag", "records", "examples"), _listed_rows(report["flags"])),
        "",
        "## Safety score",
        "",
        f"{report['safety']['records']} records scored; mean {report['safety']['mean']}, median "
        f"{report['safety']['median']}, min {report['safety']['min']}.",
        "",
        *_table(("score", "records"), [(b["range"], b["records"]) for b in report["safety"]["bins"]]),
        "",
        *_table(
            ("component", "mean hazard", "max hazard", "failing"),
            [(n, c["mean_hazard"], c["max_hazard"], c["failing"]) for n, c in report["components"].items()],
        ),
        "",
        "## Failures by reason",
        "",
        *_table(("reason", "records", "examples"), _listed_rows(report["failures_by_reason"])),
        "",
        "## Synthetic records held by other stages",
        "",
        *_table(("reason", "records", "examples"), _listed_rows(report["held_by_other_stages"])),
        "",
    ]
    return "\n".join(lines)


def _listed(ids: list[str]) -> dict[str, Any]:
    return {"records": len(ids), "examples": sorted(ids)[:EXAMPLES]}


def _listed_rows(entries: dict[str, dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(code, e["records"], " ".join(e["examples"])) for code, e in entries.items()]


def _distribution(scores: list[float]) -> dict[str, Any]:
    bins = Counter(min(int(score * BINS), BINS - 1) for score in scores)
    return {
        "records": len(scores),
        "mean": _round(statistics.fmean(scores)) if scores else None,
        "median": _round(statistics.median(scores)) if scores else None,
        "min": min(scores, default=None),
        "bins": [{"range": f"{i / BINS:.1f}-{(i + 1) / BINS:.1f}", "records": bins[i]} for i in range(BINS)],
    }


def _share(part: int, whole: int) -> float:
    return _round(part / whole) if whole else 0.0


def _round(value: float) -> float:
    return round(value, 4)


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    if not rows:
        return ["(none)"]
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]

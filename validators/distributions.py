"""What an inspection records about the corpus's make-up, and how it moved since the previous inspection (R3, R5).

Distributions, each a mapping of category to share: the governed records per source, per language and per length
bin (over all records, and within each source), the held-back records per risk (a run's R6 reasons), and rates:
per source the harmful share of the technical sample, per risk the share of the sample it flags.

Drift compares each distribution with the previous inspection's by total-variation distance (half the summed
absolute differences of the shares: the share of records that would have to change category; 0 same, 1 disjoint)
and reports the population stability index beside it. Rates are compared by their absolute change. New risks are
those flagged in the sample or held back by the run now and not before; a changed keyword library, classifier or
language model is named with both hashes.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pandas as pd

from pipelines.params import DriftParams
from pipelines.record import is_harmful_reason

PSI_FLOOR = 1e-4  # a share of 0 would make the stability index infinite


def shares(values: list[Any]) -> dict[str, float]:
    """Share of each distinct value, by value; {} for no values."""
    counts = Counter("none" if v is None else str(v) for v in values)
    total = sum(counts.values())
    return {key: round(n / total, 6) for key, n in sorted(counts.items())} if total else {}


def length_bin(chars: int, edges: list[int]) -> str:
    """The histogram bin of a length: '0-49', ..., '5000+' for the edges [0, 50, ..., 5000]."""
    index = max(i for i, edge in enumerate(edges) if chars >= edge)
    return f"{edges[index]}+" if index == len(edges) - 1 else f"{edges[index]}-{edges[index + 1] - 1}"


def bin_order(edges: list[int]) -> list[str]:
    return [length_bin(edge, edges) for edge in edges]


def describe(frames: dict[str, pd.DataFrame], manifest: dict[str, Any] | None, drift: DriftParams) -> dict[str, Any]:
    """The distributions of an inspection, from its frames and the run's manifest."""
    governed = frames["governed"]
    bins = [length_bin(int(chars), drift.length_bins) for chars in governed["chars"]]
    by_source = {
        source: {
            "language": shares(governed["language"][mask].tolist()),
            "length": shares([b for b, keep in zip(bins, mask, strict=True) if keep]),
        }
        for source in sorted(governed["source"].dropna().unique())
        for mask in [governed["source"] == source]
    }
    held = {
        code.removeprefix("R6."): n
        for code, n in ((manifest or {}).get("counts", {}).get("by_reason", {})).items()
        if is_harmful_reason(code)
    }
    categories = frames["categories"]
    return {
        "records": len(governed),
        "source": shares(governed["source"].tolist()),
        "language": shares(governed["language"].tolist()),
        "length": shares(bins),
        "length_bins": bin_order(drift.length_bins),
        "by_source": by_source,
        "held": shares([risk for risk, n in held.items() for _ in range(n)]),
        "held_counts": dict(sorted(held.items())),
        "flagged": {row.category: round(row.share, 6) for row in categories.itertuples() if row.flagged},
        "harmful_rate": {row.source: round(row.harmful_share, 6) for row in frames["sources"].itertuples()},
    }


def tvd(p: dict[str, float], q: dict[str, float]) -> float:
    """Total-variation distance of two distributions given as shares."""
    return round(0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q)), 6)


def psi(p: dict[str, float], q: dict[str, float]) -> float:
    """Population stability index of `p` (now) against `q` (before)."""
    total = 0.0
    for key in set(p) | set(q):
        now, before = max(p.get(key, 0.0), PSI_FLOOR), max(q.get(key, 0.0), PSI_FLOOR)
        total += (now - before) * math.log(now / before)
    return round(total, 6)


def compare(current: dict[str, Any], previous: dict[str, Any] | None, drift: DriftParams) -> dict[str, Any]:
    """Drift of `current` (an inspection report being written) against `previous` (one from the history)."""
    if previous is None:
        return {"previous": None, "measures": [], "new_risks": [], "changed_models": [], "drifted": False}
    now, before = current["distributions"], previous["distributions"]
    measures = []
    for name in ("source", "language", "length", "held"):
        measures.append(_measure(name, "all", now.get(name, {}), before.get(name, {}), drift))
    for source in sorted(set(now["by_source"]) & set(before.get("by_source", {}))):
        for name in ("language", "length"):
            measures.append(
                _measure(name, source, now["by_source"][source][name], before["by_source"][source][name], drift)
            )
    for source in sorted(set(now["harmful_rate"]) & set(before.get("harmful_rate", {}))):
        change = round(abs(now["harmful_rate"][source] - before["harmful_rate"][source]), 6)
        measures.append(
            {"distribution": "harmful_rate", "scope": source, "change": change, "drifted": change > drift.max_tvd}
        )
    risks_now = set(now.get("flagged", {})) | set(now.get("held_counts", {}))
    risks_before = set(before.get("flagged", {})) | set(before.get("held_counts", {}))
    return {
        "previous": {"id": previous["id"], "started": previous["started"]},
        "measures": measures,
        "new_risks": sorted(risks_now - risks_before),
        "changed_models": changed_models(current["models"], previous.get("models", {})),
        "drifted": any(m["drifted"] for m in measures),
    }


def changed_models(current: dict[str, Any], previous: dict[str, Any]) -> list[dict[str, Any]]:
    """The keyword library, classifier, language model or taxonomy that differ, for the run and for the check."""
    changed = []
    for used_by in ("run", "check"):
        for model, facts in (current.get(used_by) or {}).items():
            before = (previous.get(used_by) or {}).get(model)
            if before is not None and _fingerprint(before) != _fingerprint(facts):
                changed.append({"used_by": used_by, "model": model, "previous": before, "current": facts})
    return changed


def _fingerprint(facts: dict[str, Any]) -> tuple[Any, ...]:
    return facts.get("sha256"), facts.get("version")


def _measure(name: str, scope: str, now: dict[str, float], before: dict[str, float], drift: DriftParams) -> dict:
    distance = tvd(now, before)
    return {
        "distribution": name,
        "scope": scope,
        "tvd": distance,
        "psi": psi(now, before),
        "drifted": distance > drift.max_tvd,
    }

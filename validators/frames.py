"""The tables the suites validate: one pandas frame each, built from a run's tables and the inspection's samples.

Frames hold ids, metadata and computed columns, never a record's text: so no result of Great Expectations, which
quotes unexpected values, can carry personal information into a report. The computed columns:

- `schema`: one row per `table.column` found or expected, with `matches` (present with the type of
  `pipelines.tables`);
- `governed`: `language`, `chars` (length of the words), `labels_valid` (the labels parse, risk ids are the
  taxonomy's, scores lie in [0, 1]), `hash_ok` (the text hashes to `content_sha256`);
- `lineage` (runs): `provenance_complete` (where the record came from, and for a used record its licence, legal basis
  and origin), `decision_consistent` (reasons, twin and decision agree);
- `quarantine` (runs): `reason_count`, `text_consistent` (text present exactly when not withheld);
- `technical` (the technical sample): `harmful`, `risks`, `residual_pi`, `pi_types`;
- `sources` and `categories`: per source, the harmful share of the technical sample; per risk, the share it flags;
  `record_ids` names the records behind each row;
- `audit` (the audit sample): `labels_valid`, `language_agrees`, `risk_agrees` (the recorded labels against the
  current models).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import pandas as pd

from pipelines.detectors.risk import spoken_text
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import ClassifierParams, Params
from pipelines.record import DUPLICATE, GOVERNED, QUARANTINED, content_sha256
from pipelines.tables import TABLES
from validators.rescore import Rescored
from validators.samples import Samples
from validators.target import RUN, Target

KEYS = {
    "schema": "field",
    "governed": "id",
    "lineage": "id",
    "quarantine": "id",
    "technical": "id",
    "sources": "source",
    "categories": "category",
    "audit": "id",
}
"""Each frame's key: what a failed check names (record ids, or sources, risks, fields)."""

POINTER = ("source", "file", "row", "raw_sha256")
USED = ("licence", "legal_basis", "origin", "content_sha256")


def build_frames(
    target: Target, samples: Samples, rescored: dict[str, Rescored], params: Params, taxonomy: Taxonomy
) -> dict[str, pd.DataFrame]:
    """Every frame the target has (a dataset has no lineage or quarantine)."""
    governed = governed_frame(target, taxonomy)
    technical = technical_frame(governed, samples.technical, rescored)
    frames = {
        "schema": schema_frame(target),
        "governed": governed,
        "technical": technical,
        "sources": sources_frame(technical),
        "categories": categories_frame(samples.technical, rescored, taxonomy),
        "audit": audit_frame(target, governed, samples, rescored, params.label.classifier, taxonomy),
    }
    if target.kind == RUN:
        frames["lineage"] = lineage_frame(target)
        frames["quarantine"] = quarantine_frame(target)
    return frames


def schema_frame(target: Target) -> pd.DataFrame:
    rows = []
    for table, found in target.tables.items():
        expected = TABLES[table]
        for name in dict.fromkeys(expected.names + found.column_names):
            found_type = found.schema.field(name).type if name in found.column_names else None
            matches = found_type is not None and name in expected.names and found_type == expected.field(name).type
            rows.append({"field": f"{table}.{name}", "type": str(found_type), "matches": matches})
    return pd.DataFrame(rows, columns=["field", "type", "matches"])


def parse_labels(raw: Any, taxonomy: Taxonomy) -> dict[str, Any] | None:
    """A record's labels; None when missing or malformed (not JSON, unknown risks, scores outside [0, 1])."""
    try:
        labels = json.loads(raw) if isinstance(raw, str) else None
    except json.JSONDecodeError:
        return None
    if not isinstance(labels, dict):
        return None
    language, risk = labels.get("language"), labels.get("risk")
    if not (isinstance(language, dict) and isinstance(language.get("code"), str) and isinstance(risk, dict)):
        return None
    if not all(r in taxonomy and _is_score(s) for r, s in risk.items()):
        return None
    return labels


def governed_frame(target: Target, taxonomy: Taxonomy) -> pd.DataFrame:
    column = target.column
    texts, messages = column("governed", "text"), column("governed", "messages")
    labels = [parse_labels(raw, taxonomy) for raw in column("governed", "labels")]
    return pd.DataFrame(
        {
            "id": column("governed", "id"),
            "source": column("governed", "source"),
            "origin": column("governed", "origin"),
            "licence": column("governed", "licence"),
            "content_sha256": column("governed", "content_sha256"),
            "hash_ok": [
                content_sha256(t, m) == h
                for t, m, h in zip(texts, messages, column("governed", "content_sha256"), strict=True)
            ],
            "language": [lab["language"]["code"] if lab else None for lab in labels],
            "chars": [len(spoken_text(t, m)) for t, m in zip(texts, messages, strict=True)],
            "labels_valid": [lab is not None for lab in labels],
        }
    )


def lineage_frame(target: Target) -> pd.DataFrame:
    rows = target.rows("lineage", ["id", "source", "decision", "reasons", "duplicate_of", "trail", *POINTER, *USED])
    return pd.DataFrame(
        {
            "id": [row["id"] for row in rows],
            "source": [row["source"] for row in rows],
            "decision": [row["decision"] for row in rows],
            "provenance_complete": [_provenance_complete(row) for row in rows],
            "decision_consistent": [
                _consistent(row["decision"], row["reasons"] or [], row["duplicate_of"]) for row in rows
            ],
        },
        columns=["id", "source", "decision", "provenance_complete", "decision_consistent"],
    )


def quarantine_frame(target: Target) -> pd.DataFrame:
    rows = target.rows("quarantine", ["id", "source", "reasons", "text_withheld", "text", "messages"])
    return pd.DataFrame(
        {
            "id": [row["id"] for row in rows],
            "source": [row["source"] for row in rows],
            "reason_count": [len(row["reasons"] or []) for row in rows],
            "text_consistent": [
                row["text_withheld"] is not None
                and row["text_withheld"] == (row["text"] is None and row["messages"] is None)
                for row in rows
            ],
        },
        columns=["id", "source", "reason_count", "text_consistent"],
    )


def technical_frame(governed: pd.DataFrame, sample: list[str], rescored: dict[str, Rescored]) -> pd.DataFrame:
    sources = dict(zip(governed["id"], governed["source"], strict=True))
    return pd.DataFrame(
        {
            "id": sample,
            "source": [sources[i] for i in sample],
            "harmful": [bool(rescored[i].harmful) for i in sample],
            "risks": [",".join(rescored[i].harmful) for i in sample],
            "residual_pi": [len(rescored[i].pi_types) for i in sample],
            "pi_types": [",".join(sorted(set(rescored[i].pi_types))) for i in sample],
        },
        columns=["id", "source", "harmful", "risks", "residual_pi", "pi_types"],
    )


def sources_frame(technical: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for source, group in technical.groupby("source", sort=True):
        harmful = group[group["harmful"]]["id"].tolist()
        rows.append(
            {
                "source": source,
                "assessed": len(group),
                "harmful": len(harmful),
                "harmful_share": len(harmful) / len(group),
                "record_ids": harmful,
            }
        )
    return pd.DataFrame(rows, columns=["source", "assessed", "harmful", "harmful_share", "record_ids"])


def categories_frame(sample: list[str], rescored: dict[str, Rescored], taxonomy: Taxonomy) -> pd.DataFrame:
    flagged: dict[str, list[str]] = defaultdict(list)
    for record_id in sample:
        for risk in rescored[record_id].flagged:
            flagged[risk].append(record_id)
    return pd.DataFrame(
        [
            {
                "category": risk.id,
                "group": risk.group,
                "action": risk.default_action,
                "flagged": len(flagged[risk.id]),
                "share": len(flagged[risk.id]) / len(sample) if sample else 0.0,
                "record_ids": flagged[risk.id],
            }
            for risk in taxonomy
        ],
        columns=["category", "group", "action", "flagged", "share", "record_ids"],
    )


def audit_frame(
    target: Target,
    governed: pd.DataFrame,
    samples: Samples,
    rescored: dict[str, Rescored],
    classifier: ClassifierParams,
    taxonomy: Taxonomy,
) -> pd.DataFrame:
    labels = dict(zip(target.column("governed", "id"), target.column("governed", "labels"), strict=True))
    rows = []
    for group, ids in samples.audit.items():
        for record_id in ids:
            recorded = parse_labels(labels[record_id], taxonomy)
            now = rescored[record_id]
            recorded_risks = {
                r for r, s in (recorded or {}).get("risk", {}).items() if s >= classifier.threshold_for(r)
            }
            rows.append(
                {
                    "id": record_id,
                    "group": group,
                    "labels_valid": recorded is not None,
                    "language_agrees": bool(recorded) and recorded["language"]["code"] == now.language,
                    "risk_agrees": bool(recorded) and recorded_risks == set(now.flagged),
                }
            )
    return pd.DataFrame(rows, columns=["id", "group", "labels_valid", "language_agrees", "risk_agrees"])


def _provenance_complete(row: dict[str, Any]) -> bool:
    """Where the record came from; for a record that was used (not held back), also licence, legal basis, origin."""
    needed = POINTER if row["decision"] == QUARANTINED else POINTER + USED
    return all(row[name] is not None for name in needed) and bool(row["trail"])


def _consistent(decision: str, reasons: list[str], twin: str | None) -> bool:
    if decision == GOVERNED:
        return not reasons and twin is None
    if decision == QUARANTINED:
        return bool(reasons) and twin is None
    if decision == DUPLICATE:
        return twin is not None and any(code.startswith("R3.") for code in reasons)
    return False


def _is_score(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value <= 1

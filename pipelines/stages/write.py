"""Write the run: governed set, quarantine and lineage as Parquet (R1 traceability, R2 tamper evidence, R10).

- `governed/`: the training set, text after cleaning (and redaction, once the gate runs), with its labels.
- `quarantine/`: held-back records with reason codes. The text is copied only where its reason allows it; a
  record held back for lack of a licence or consent, or unreadable, is kept as pointer (source, file, row) and
  hash alone: its text stays in its source.
- `negatives/`: negative samples derived from held-back records (see `pipelines/stages/negatives.py`).
- `lineage/`: exactly one row per input record, whatever became of it: pointer, hashes, the subject's keyed
  pseudonym, decision, reasons, the kept twin of a duplicate, labels and the stage trail. No personal-information
  value is written here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import apache_beam as beam

from pipelines.params import Params
from pipelines.record import QUARANTINED, Record
from pipelines.tables import TABLES


def governed_row(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "text": record.text,
        "messages": record.messages,
        "source": record.source,
        "origin": _str_or_none(record.meta.get("origin")),
        "licence": _str_or_none(record.meta.get("licence")),
        "labels": _labels(record),
        "content_sha256": record.content_sha256(),
    }


def quarantine_row(record: Record) -> dict[str, Any]:
    keeps_text = record.keeps_text
    return {
        "id": record.id,
        "source": record.source,
        "file": record.file,
        "row": record.row,
        "reasons": record.reasons,
        "text_withheld": not keeps_text,
        "text": record.text if keeps_text else None,
        "messages": record.messages if keeps_text else None,
        "raw_sha256": record.raw_sha256,
        "content_sha256": _content_sha256(record),
    }


def lineage_row(record: Record, consent_scopes: frozenset[str]) -> dict[str, Any]:
    return {
        "id": record.id,
        "source": record.source,
        "file": record.file,
        "row": record.row,
        "source_record_id": record.meta.get("source_record_id"),
        "subject": record.meta.get("subject"),
        "raw_sha256": record.raw_sha256,
        "content_key": record.content_key,
        "content_sha256": _content_sha256(record),
        "decision": record.decision,
        "reasons": record.reasons,
        "duplicate_of": record.duplicate_of,
        "origin": _str_or_none(record.meta.get("origin")),
        "licence": _str_or_none(record.meta.get("licence")),
        "legal_basis": _str_or_none(record.meta.get("legal_basis")),
        "consent": _consent(record, consent_scopes),
        "labels": _labels(record),
        "trail": [step._asdict() for step in record.trail],
    }


def _content_sha256(record: Record) -> str | None:
    return record.content_sha256() if record.text is not None or record.messages is not None else None


def _labels(record: Record) -> str:
    return json.dumps(record.labels, sort_keys=True, ensure_ascii=False)


def _consent(record: Record, known: frozenset[str]) -> list[str] | None:
    """The consent scopes the record declared that the gate knows; other strings are not echoed (R10)."""
    value = record.meta.get("consent")
    return sorted({s for s in value if isinstance(s, str) and s in known}) if isinstance(value, list) else None


def _str_or_none(value: Any) -> str | None:
    # Metadata of the wrong type was held back at ingest; its value is not echoed into the outputs.
    return value if isinstance(value, str) else None


class WriteRun(beam.PTransform):
    """Write governed, quarantine and lineage tables under `out_dir` from the kept and the held-back records, and
    the negatives table from the negatives stage's rows when given."""

    def __init__(self, out_dir: Path, params: Params) -> None:
        super().__init__()
        self.out_dir, self.shards = Path(out_dir), params.run.shards
        consent = params.gate.consent
        self.consent_scopes = frozenset((consent.interaction_scope, consent.guardian_scope, consent.sensitive_scope))

    def expand(self, inputs: dict[str, beam.PCollection]) -> None:
        kept, held = inputs["kept"], inputs["held"]
        everything = (kept, held) | "write.all" >> beam.Flatten()
        self._write("governed", kept | "write.governed_rows" >> beam.Map(governed_row))
        quarantined = held | "write.quarantined" >> beam.Filter(lambda r: r.decision == QUARANTINED)
        self._write("quarantine", quarantined | "write.quarantine_rows" >> beam.Map(quarantine_row))
        self._write("lineage", everything | "write.lineage_rows" >> beam.Map(lineage_row, self.consent_scopes))
        if "negatives" in inputs:
            self._write("negatives", inputs["negatives"])

    def _write(self, table: str, rows: beam.PCollection) -> None:
        rows | f"write.{table}" >> beam.io.WriteToParquet(
            str(self.out_dir / table / "part"),
            TABLES[table],
            file_name_suffix=".parquet",
            num_shards=self.shards,
        )

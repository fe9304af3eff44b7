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

import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.transforms.window import GlobalWindows
from apache_beam.utils.windowed_value import WindowedValue

from pipelines.checkpoints import SCRATCH_DIR, WORK_DIR
from pipelines.params import Params
from pipelines.record import QUARANTINED, Record
from pipelines.tables import NEGATIVES, TABLES


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
    return record.content_sha256() if record.has_content else None


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
    the negatives table from the negatives stage's rows when given.

    Each table is `shards` files, a row going to the file its id hashes to, sorted by id within it: the same input
    gives byte-identical files whatever the workers, their number or a resumed run (R2: hashes an auditor can
    compare).

    Rows never go through a shuffle: workers write them as Arrow runs, up to `RUN_ROWS` at a time, under
    `<out>/.work/scratch/write/`, and only the runs' paths are grouped by output file; each file is then its runs read
    back, sorted and written. A worker holds one file's rows in Arrow, never a shard as Python objects (a grouped
    shard, decoded at once in the runner and in a worker, made memory grow with the corpus)."""

    def __init__(self, out_dir: Path, params: Params, shards: int) -> None:
        super().__init__()
        self.out_dir, self.shards = Path(out_dir), shards
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
        key = "negative_id" if table == NEGATIVES else "id"
        runs_dir = self.out_dir / WORK_DIR / SCRATCH_DIR / "write" / table
        runs = rows | f"write.{table}.runs" >> beam.ParDo(_WriteRuns(runs_dir, TABLES[table], self.shards, key))
        # One empty slot per shard, so that every shard writes its file, empty or not.
        slots = rows.pipeline | f"write.{table}.slots" >> beam.Create([(n, None) for n in range(self.shards)])
        (
            (runs, slots)
            | f"write.{table}.flatten" >> beam.Flatten()
            | f"write.{table}.group" >> beam.GroupByKey()
            | f"write.{table}.files" >> beam.Map(write_shard, self.out_dir / table, TABLES[table], self.shards, key)
        )


RUN_ROWS = 20_000  # rows a worker gathers before writing them as runs: what it holds of a table at once


class _WriteRuns(beam.DoFn):
    """Rows -> Arrow files of rows of one output shard each (runs), written under `directory`; emits (shard, path)."""

    def __init__(self, directory: Path, schema: pa.Schema, shards: int, key: str) -> None:
        self.directory, self.schema, self.shards, self.key = directory, schema, shards, key

    def start_bundle(self) -> None:
        self.pending: dict[int, list[dict[str, Any]]] = {}
        self.count = 0

    def process(self, row: dict[str, Any]) -> Iterator[tuple[int, str]]:
        self.pending.setdefault(shard_of(row[self.key], self.shards), []).append(row)
        self.count += 1
        if self.count >= RUN_ROWS:
            yield from self._flush()

    def finish_bundle(self) -> Iterator[WindowedValue]:
        for shard_path in self._flush():
            yield GlobalWindows.windowed_value(shard_path)

    def _flush(self) -> Iterator[tuple[int, str]]:
        if self.pending:
            self.directory.mkdir(parents=True, exist_ok=True)
        for shard, rows in sorted(self.pending.items()):
            path = self.directory / f"{shard:05d}-{uuid.uuid4().hex}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, self.schema) as writer:
                writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))
            yield shard, str(path)
        self.pending, self.count = {}, 0


def shard_of(row_id: str, shards: int) -> int:
    """The output file a row goes to: a stable hash of its id (Python's own `hash` changes between processes)."""
    return int.from_bytes(hashlib.blake2b(row_id.encode("utf-8"), digest_size=8).digest(), "big") % shards


def write_shard(
    shard_runs: tuple[int, Iterable[str | None]], directory: Path, schema: pa.Schema, shards: int, key: str
) -> None:
    """Write one shard's rows, read from its runs and sorted by `key` (UTF-8's byte order: Python's order of str),
    to a temporary name renamed when complete; then delete the runs."""
    shard, paths = shard_runs
    runs = sorted(path for path in paths if path is not None)
    table = pa.concat_tables([schema.empty_table(), *(pa.ipc.open_file(path).read_all() for path in runs)])
    table = table.take(pc.sort_indices(table[key])).combine_chunks()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"part-{shard:05d}-of-{shards:05d}.parquet"
    partial = path.with_name(f".{path.name}.partial")
    pq.write_table(table, partial)
    os.replace(partial, path)
    for run in runs:
        os.remove(run)

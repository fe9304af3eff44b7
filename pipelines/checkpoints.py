"""Shards and their checkpoints: what makes a run killed halfway resumable without redoing finished work.

The input is cut into shards (a file, or a row range of a large JSONL or Parquet file). Ingest and the record-local
stages (clean, gate, label) run shard by shard, and each shard's records are saved under the run directory as a
checkpoint, written to a temporary name and renamed only when complete. A checkpoint's name is a fingerprint of
everything its records depend on: the file's bytes, the row range, the parameters of those stages, the models, the
pseudonymisation key's check value and the code. A run started again on the same `--out` reuses the checkpoints it
finds and computes the others; a changed input, parameter, model or code gives new fingerprints, so nothing stale
is reused. The corpus-wide stages (dedup, risk by source, synthetic safety, negatives, write) always run again.

Checkpoints are internal and never leave the run directory's `.work/` (removed after a successful run unless
`run.keep_work`): a record held back whose text may not be copied (`Record.keeps_text`) is saved without its text,
pointer and hash only, as the quarantine writes it (R7: nothing leaked).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

import pipelines
from pipelines.detectors.pseudonyms import key_check, load_key
from pipelines.params import Params
from pipelines.provenance.manifest import file_sha256, model_facts
from pipelines.readers import jsonl_offsets
from pipelines.record import Record
from pipelines.sources import FileTask

WORK_DIR = ".work"  # under the run directory: internal, not an output (not in the manifest, not verified)
SCRATCH_DIR = "scratch"  # under WORK_DIR: one attempt's files (spill, write runs), never reused: cleared at start
MIN_SHARDS_PER_FILE = 16  # a file of more than 16 x MIN_SHARD_RECORDS rows is read by up to 16 workers at once
MIN_SHARD_RECORDS = 1000  # below this, a shard's fixed costs (a task, a checkpoint file) would dominate


@dataclass(frozen=True)
class Shard:
    """Rows `start` (inclusive) to `stop` (exclusive; None: to the end) of one planned file."""

    task: FileTask
    start: int
    stop: int | None
    fingerprint: str
    offset: int = 0  # JSONL: the byte where row `start` begins

    def covers(self, row: int) -> bool:
        return self.start <= row and (self.stop is None or row < self.stop)


def plan_shards(tasks: list[FileTask], shard_records: int, settings: str) -> list[Shard]:
    """The shards of the planned files, at most `shard_records` rows each; `settings` is `settings_digest`."""
    shards = []
    for task in tasks:
        content = file_sha256(Path(task.path))
        starts = _starts(task, shard_records)
        for (start, offset), stop in zip(starts, [row for row, _ in starts[1:]] + [None], strict=True):
            identity = {"task": task.__dict__, "sha256": content, "start": start, "stop": stop, "settings": settings}
            fingerprint = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()
            shards.append(Shard(task, start, stop, fingerprint, offset))
    return shards


def settings_digest(params: Params, root: Path) -> str:
    """A hash of everything but the input that the record-local stages' results depend on."""
    pseudonyms = params.gate.pseudonyms
    settings = {
        "code": _code_digest(),
        "params": {name: getattr(params, name).model_dump(mode="json") for name in ("clean", "gate", "label")},
        "models": model_facts(params, root),
        "key": key_check(load_key(pseudonyms.key_env, root / pseudonyms.key_file)),
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def checkpoint_path(work_dir: Path, shard: Shard) -> Path:
    return work_dir / "shards" / f"{shard.fingerprint}.pickle"


def write_checkpoint(path: Path, records: Iterable[Record]) -> None:
    """Save `records` (text withheld where the quarantine may not copy it); the file appears only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with open(partial, "wb") as handle:
        for record in records:
            if record.held and not record.keeps_text:
                record.withhold_text()
            pickle.dump(record, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


def read_checkpoint(path: Path) -> Iterator[Record]:
    """The records of a checkpoint this code wrote (pickle: it is read only from the run's own work directory)."""
    with open(path, "rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


def _starts(task: FileTask, shard_records: int) -> list[tuple[int, int]]:
    """(first row, byte offset) of each shard of a file: one shard unless the format can be read from a row on."""
    try:
        if task.format == "jsonl":
            with open(task.path, "rb") as handle:
                rows = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) + 1
            return jsonl_offsets(task.path, _shard_size(rows, shard_records))
        if task.format == "parquet":
            rows = pq.ParquetFile(task.path).metadata.num_rows
            return [(row, 0) for row in range(0, rows, _shard_size(rows, shard_records))] or [(0, 0)]
    except Exception:  # an unreadable file is one shard, whose reading records the problem
        pass
    return [(0, 0)]


def _shard_size(rows: int, shard_records: int) -> int:
    """At most `shard_records` rows, and small enough that one large file keeps several workers busy: shards are
    the unit of parallelism of the record-local stages. Fixed by the file alone, never by the number of workers,
    so that a run resumed with other workers finds its shards."""
    return min(shard_records, max(MIN_SHARD_RECORDS, math.ceil(rows / MIN_SHARDS_PER_FILE)))


def _code_digest() -> str:
    """A hash of the package's code and resources: results computed by other code are not reused."""
    package = Path(pipelines.__file__).resolve().parent
    digest = hashlib.sha256(pipelines.__version__.encode())
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()

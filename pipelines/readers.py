"""Reading rows from JSONL, CSV, Parquet and saved Hugging Face datasets, one problem per bad row.

A reader never raises on a bad row: it yields the row's position, a hash of its raw bytes and an error code, so
the ingest stage can quarantine it by pointer (R2: nothing lost, nothing silently dropped). Rows are numbered as a
person would find them again: the 0-based physical line of a JSONL file (blank lines count but yield nothing),
the 0-based data row of a CSV file (header excluded), of a Parquet file, or of a dataset split.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow.parquet as pq

from pipelines.params import Format


@dataclass(frozen=True)
class RawRow:
    row: int
    raw_sha256: str
    fields: dict[str, Any] | None = None
    error: str | None = None  # a reason code of pipelines.record.REASONS
    split: str | None = None  # dataset split, for saved Hugging Face datasets


def read_rows(path: str, fmt: Format, start: int = 0, offset: int = 0) -> Iterator[RawRow]:
    """Rows of the file at `path` in format `fmt`; an unreadable file raises OSError or ValueError.

    A reader may skip what comes before row `start` (JSONL: row `start` begins at byte `offset`; Parquet: row groups
    before it); others read from the beginning, and the caller skips.
    """
    if fmt == "jsonl":
        return _read_jsonl(path, start, offset)
    if fmt == "parquet":
        return _read_parquet(path, start)
    return _READERS[fmt](path)


def jsonl_offsets(path: str, every: int) -> list[tuple[int, int]]:
    """(row, byte offset) of row 0 and of every `every`-th row after it, for reading a JSONL file in row ranges."""
    offsets, offset = [(0, 0)], 0
    with open(path, "rb") as handle:
        for row, line in enumerate(handle, start=1):
            offset += len(line)
            if row % every == 0:
                offsets.append((row, offset))
    if len(offsets) > 1 and offsets[-1][1] == offset:  # the file ends there: no row starts at its end
        offsets.pop()
    return offsets


def _read_jsonl(path: str, start: int = 0, offset: int = 0) -> Iterator[RawRow]:
    with open(path, "rb") as handle:
        handle.seek(offset)
        for row, line in enumerate(handle, start=start):
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            digest = hashlib.sha256(line).hexdigest()
            try:
                fields = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError:
                yield RawRow(row, digest, error="R2.invalid_utf8")
                continue
            except json.JSONDecodeError:
                yield RawRow(row, digest, error="R2.malformed_json")
                continue
            if isinstance(fields, dict):
                yield RawRow(row, digest, fields)
            else:
                yield RawRow(row, digest, error="R2.not_an_object")


def _read_csv(path: str) -> Iterator[RawRow]:
    csv.field_size_limit(sys.maxsize)
    # surrogateescape keeps undecodable bytes visible, so one bad byte spoils one row, not the file.
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        for row, fields in enumerate(reader):
            # Header order is the row's own order; extra cells sit under the key None, so no key sorting.
            digest = _canonical_sha256(list(fields.items()), errors="surrogateescape")
            if None in fields or None in fields.values():
                yield RawRow(row, digest, error="R2.malformed_row")
            elif any(_has_surrogates(v) for v in (*fields, *fields.values())):
                yield RawRow(row, digest, error="R2.invalid_utf8")
            else:
                yield RawRow(row, digest, {k: v for k, v in fields.items() if v != ""})


def _read_parquet(path: str, start: int = 0) -> Iterator[RawRow]:
    parquet, row, groups = pq.ParquetFile(path), 0, []
    for group in range(parquet.num_row_groups):  # skip the row groups that end before `start`
        rows = parquet.metadata.row_group(group).num_rows
        if row + rows > start or groups:
            groups.append(group)
        else:
            row += rows
    for batch in parquet.iter_batches(batch_size=4096, row_groups=groups):
        for fields in batch.to_pylist():
            yield RawRow(row, _canonical_sha256(fields), fields)
            row += 1


def _read_hf(path: str) -> Iterator[RawRow]:
    import datasets  # imported here: loading it costs seconds and only this format needs it

    loaded = datasets.load_from_disk(path)
    splits = loaded.items() if isinstance(loaded, datasets.DatasetDict) else [(None, loaded)]
    for split, dataset in splits:
        for row, fields in enumerate(dataset):
            yield RawRow(row, _canonical_sha256(fields), fields, split=split)


def _canonical_sha256(fields: Any, errors: str = "strict") -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", errors=errors)).hexdigest()


def _has_surrogates(value: Any) -> bool:
    return isinstance(value, str) and any("\udc80" <= c <= "\udcff" for c in value)


_READERS = {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet, "hf": _read_hf}

"""What an inspection reads: a run (its manifest and tables) or a dataset (Parquet files of governed records).

A run is a directory with `manifest.json` and the tables of `pipelines.tables`; a dataset is a Parquet file, or a
directory of them, with the governed table's columns (a run's `governed/`, or a published training set). Tables are
read as they are, columns missing or not, so that the schema suite can say what differs; a file that is not
Parquet stops the inspection with its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.provenance.manifest import MANIFEST
from pipelines.provenance.verify import NotARunError, load_manifest
from pipelines.tables import TABLES
from validators import InspectionError

RUN, DATASET = "run", "dataset"


@dataclass(frozen=True)
class Target:
    """A run or a dataset, read: its tables as found (governed; lineage and quarantine for a run)."""

    path: Path
    name: str
    """How the history knows it: the path relative to the project root when inside it."""
    kind: str
    manifest: dict[str, Any] | None
    tables: dict[str, pa.Table]

    def column(self, table: str, name: str) -> list[Any]:
        """A column's values as Python objects; None for each row when the table lacks the column."""
        found = self.tables[table]
        return found.column(name).to_pylist() if name in found.column_names else [None] * found.num_rows

    def rows(self, table: str, names: list[str]) -> list[dict[str, Any]]:
        """The rows of `table` as dicts of `names` (None where the table lacks a column)."""
        columns = [self.column(table, name) for name in names]
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def load_target(path: Path, root: Path) -> Target:
    """Read the run or dataset at `path`; InspectionError, saying why, when there is nothing to inspect."""
    path = Path(path)
    if not path.exists():
        raise InspectionError(f"{path}: no such run or dataset")
    if path.is_dir() and (path / MANIFEST).exists():
        try:
            manifest = load_manifest(path)
        except NotARunError as err:
            raise InspectionError(str(err)) from None
        tables = {table: _read(sorted((path / table).glob("*.parquet")), table) for table in TABLES}
        kind = RUN
    elif path.is_dir() and (path / "governed").is_dir():
        raise InspectionError(f"{path}: has governed/ but no {MANIFEST}; inspect {path / 'governed'} as a dataset")
    else:
        files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
        if not files:
            raise InspectionError(f"{path}: neither a corpusgate run ({MANIFEST}) nor a directory of Parquet files")
        manifest, tables, kind = None, {"governed": _read(files, "governed")}, DATASET
    target = Target(path, _name(path, root), kind, manifest, tables)
    if tables["governed"].num_rows == 0:
        raise InspectionError(f"{path}: no governed records to inspect")
    if any(not isinstance(record_id, str) for record_id in target.column("governed", "id")):
        raise InspectionError(f"{path}: governed records without an id cannot be sampled or named")
    return target


def _read(files: list[Path], table: str) -> pa.Table:
    """The rows of `files` in one table; columns a file lacks are null in its rows; no files: the empty table."""
    if not files:
        return TABLES[table].empty_table()
    parts = []
    for file in files:
        try:
            parts.append(pq.read_table(file))
        except (OSError, pa.ArrowException) as err:
            raise InspectionError(f"{file}: not readable as Parquet ({err})") from None
    try:
        return pa.concat_tables(parts, promote_options="permissive")
    except pa.ArrowException as err:
        raise InspectionError(f"{files[0].parent}: the {table} files have incompatible columns ({err})") from None


def _name(path: Path, root: Path) -> str:
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(root.resolve()))
    except ValueError:
        return str(resolved)

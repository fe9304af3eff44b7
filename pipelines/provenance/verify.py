"""`corpusgate verify`: prove that a run's outputs are still what its manifest says (R2: tamper evidence, art. 10(2)).

Three layers, from the bytes to the records:

- files: every output the manifest lists is present with its sha256, and no unlisted Parquet file sits among them;
- records: each governed or quarantined row's text (where the row keeps it) hashes to its `content_sha256`, its
  fields shared with the lineage (source, licence, labels, hashes, reasons, ...) equal its lineage row's, and every
  record the lineage says was governed or quarantined is in its table: a changed file is traced to its record ids;
- root hash: the governed records as found, hashed again, give the manifest's root hash;
- history: the deletion receipts the manifest's history names (`corpusgate forget`) are there, unchanged;
- DVC: when dvc.lock names this run as a stage's output, the lock agrees with the manifest (see `dvclock`).

Findings name files, record ids and field names, never a value: a field may hold personal information (R10).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.provenance.dvclock import LOCK, lock_disagreements
from pipelines.provenance.manifest import MANIFEST, file_sha256, root_hash
from pipelines.record import GOVERNED, QUARANTINED, content_sha256
from pipelines.tables import TABLES

RECORD_TABLES = {"governed": GOVERNED, "quarantine": QUARANTINED}
"""The tables that hold records, and the lineage decision that puts a record in each."""

LINEAGE = "lineage"


class NotARunError(Exception):
    """Not a readable corpusgate run: no directory, no manifest, a manifest that is not one, or unreadable tables."""


@dataclass(frozen=True)
class Finding:
    """One thing that is not as the run wrote it: in file or folder `path`, about record `record_id` if any."""

    path: str
    problem: str
    record_id: str | None = None


@dataclass
class Verification:
    """What `verify_run` found: the run is intact when there are no findings."""

    run_dir: Path
    files: int
    governed: int
    root_hash: str
    findings: list[Finding] = field(default_factory=list)
    dvc_stage: str | None = None  # the dvc.lock stage whose output this run is, when the lock names it

    @property
    def ok(self) -> bool:
        return not self.findings

    def format(self, records_per_path: int = 20) -> str:
        """The report; at most `records_per_path` record findings are listed under each file."""
        if self.ok:
            intact = f"intact: {self.files} files, {self.governed} governed records, root hash {self.root_hash}"
            return intact + (f"\n{LOCK} agrees: stage {self.dvc_stage}" if self.dvc_stage else "")
        lines = [f"NOT intact: {self.run_dir}"]
        by_path: dict[str, list[Finding]] = {}
        for finding in self.findings:
            by_path.setdefault(finding.path, []).append(finding)
        for path, findings in by_path.items():
            about_file = [f.problem for f in findings if f.record_id is None]
            about_records = [f for f in findings if f.record_id is not None]
            lines.append(f"{path}: {'; '.join(about_file)}" if about_file else f"{path}:")
            lines += [f"  record {f.record_id}: {f.problem}" for f in about_records[:records_per_path]]
            if len(about_records) > records_per_path:
                lines.append(f"  ... and {len(about_records) - records_per_path} more records")
        return "\n".join(lines)


def load_manifest(run_dir: Path) -> dict[str, Any]:
    """The manifest of the run in `run_dir`; NotARunError, saying why, when there is none to trust."""
    path = run_dir / MANIFEST
    if not run_dir.is_dir():
        raise NotARunError(f"{run_dir} is not a directory")
    if not path.is_file():
        raise NotARunError(f"{run_dir} has no {MANIFEST}: not a corpusgate run")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NotARunError(f"{path} is not readable JSON: {err}") from None
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    if not (
        isinstance(outputs, list)
        and all(isinstance(o, dict) and isinstance(o.get("path"), str) for o in outputs)
        and isinstance(manifest.get("root_hash"), str)
    ):
        raise NotARunError(f"{path} is not a corpusgate manifest: it lacks `outputs` or `root_hash`")
    return manifest


def verify_run(run_dir: Path) -> Verification:
    """Check the run in `run_dir` against its manifest: files, then records, then the root hash (R2)."""
    manifest = load_manifest(run_dir)
    listed = {output["path"]: output.get("sha256") for output in manifest["outputs"]}
    findings = _file_findings(run_dir, listed)
    lineage = _lineage_index(run_dir, findings)
    governed_hashes: dict[str, str] = {}
    for table, decision in RECORD_TABLES.items():
        findings += _record_findings(run_dir, table, decision, lineage, governed_hashes)
    recomputed = root_hash(governed_hashes.items())
    if recomputed != manifest["root_hash"]:
        findings.append(
            Finding("root hash", f"the manifest says {manifest['root_hash']}, the governed records give {recomputed}")
        )
    findings += _receipt_findings(run_dir, manifest.get("history") or [])
    dvc_stage = None
    if manifest.get("dvc"):
        dvc_stage, disagreements = lock_disagreements(run_dir, manifest["dvc"])
        findings += [Finding(LOCK, problem) for problem in disagreements]
    return Verification(run_dir, len(listed), len(governed_hashes), recomputed, findings, dvc_stage)


def _receipt_findings(run_dir: Path, history: list[dict[str, Any]]) -> list[Finding]:
    findings = []
    for entry in history:
        receipt = entry.get("receipt") or {}
        file = run_dir / str(receipt.get("path"))
        if not file.is_file():
            findings.append(Finding(str(receipt.get("path")), "missing: a receipt the manifest's history names"))
        elif file_sha256(file) != receipt.get("sha256"):
            findings.append(Finding(str(receipt.get("path")), "changed: its sha256 is not the manifest history's"))
    return findings


def _file_findings(run_dir: Path, listed: dict[str, str | None]) -> list[Finding]:
    findings = []
    for path, sha256 in listed.items():
        file = run_dir / path
        if not file.is_file():
            findings.append(Finding(path, "missing"))
        elif file_sha256(file) != sha256:
            findings.append(Finding(path, "changed: its sha256 is not the manifest's"))
    present = {str(p.relative_to(run_dir)) for table in TABLES for p in (run_dir / table).glob("*.parquet")}
    findings += [Finding(path, "not listed in the manifest") for path in sorted(present - listed.keys())]
    return findings


def _lineage_index(run_dir: Path, findings: list[Finding]) -> dict[str, dict[str, Any]]:
    """Per record id, its lineage decision and the fields the record tables share with the lineage."""
    columns = ["id", "decision", *sorted({name for table in RECORD_TABLES for name in _shared_fields(table)})]
    index: dict[str, dict[str, Any]] = {}
    for path, row in _rows(run_dir, LINEAGE, findings, columns):
        if row["id"] in index:
            findings.append(Finding(path, "appears more than once in the lineage", row["id"]))
        index[row["id"]] = row
    return index


def _record_findings(
    run_dir: Path,
    table: str,
    decision: str,
    lineage: dict[str, dict[str, Any]],
    governed_hashes: dict[str, str],
) -> list[Finding]:
    """Rows of `table` against their content hash and their lineage row; lineage records missing from `table`."""
    findings: list[Finding] = []
    shared = _shared_fields(table)
    seen: set[str] = set()
    for path, row in _rows(run_dir, table, findings):
        record_id = row.get("id")
        if record_id in seen:
            findings.append(Finding(path, f"appears more than once in {table}/", record_id))
        seen.add(record_id)
        digest = content_sha256(row.get("text"), row.get("messages"))
        if not row.get("text_withheld") and digest != row.get("content_sha256"):
            findings.append(Finding(path, "its text does not hash to its content_sha256", record_id))
        if decision == GOVERNED:
            governed_hashes[record_id] = digest
        known = lineage.get(record_id)
        if known is None or known["decision"] != decision:
            findings.append(Finding(path, f"not {decision} in the lineage", record_id))
            continue
        differing = [name for name in shared if row.get(name) != known[name]]
        if differing:
            findings.append(Finding(path, f"differs from its lineage row in {', '.join(differing)}", record_id))
    missing = sorted(i for i, row in lineage.items() if row["decision"] == decision and i not in seen)
    findings += [Finding(f"{table}/", f"{decision} in the lineage but not in {table}/", i) for i in missing]
    return findings


def _rows(
    run_dir: Path, table: str, findings: list[Finding], columns: list[str] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, row) for every row of `table`'s Parquet files, streamed; a file that cannot be read is a finding."""
    for file in sorted((run_dir / table).glob("*.parquet")):
        path = str(file.relative_to(run_dir))
        try:
            for batch in pq.ParquetFile(file).iter_batches(columns=columns):
                for row in batch.to_pylist():
                    yield path, row
        except (OSError, pa.ArrowException):
            findings.append(Finding(path, "unreadable as Parquet"))


def _shared_fields(table: str) -> list[str]:
    """The columns of `table` that the lineage also holds, other than the id: they must agree."""
    lineage = set(TABLES[LINEAGE].names)
    return [name for name in TABLES[table].names if name in lineage and name != "id"]

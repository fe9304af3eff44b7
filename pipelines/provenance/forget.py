"""`corpusgate forget`: delete data subjects' records from a dataset as a new version, with a receipt (R8, R9:
Measures art. 14; PIPL art. 47).

What is forgotten, found through the lineage with pyarrow filters:

1. the records of the subjects, matched through their keyed pseudonyms under the run's key (the manifest's key
   check refuses another key, which would match nobody), and the records asked for by id;
2. every record dropped as a duplicate of a forgotten record, along the whole chain. These twins were never in the
   governed set and their content is the forgotten content, or close to it: putting one in the kept record's place
   would re-admit the subject's words without a run to judge them. They are forgotten with it, and the receipt and
   their lineage tombstones say so;
3. every negative sample in `negatives/` whose `origin_id` is a forgotten record.

The old version is never changed. The new one (`out_dir`, written aside and moved into place when complete) holds
the same files, rewritten where a row goes. In its lineage each forgotten record leaves a tombstone (id, source,
file, row, decision `forgotten`, reason `R9.forgotten`), so that every input record still has exactly one place
and `trace` can tell it was forgotten, while nothing of it stays: no pseudonym, hash, label or text. The manifest's
`history` names the previous version (path, root hash, manifest sha256) and the receipt (path, sha256), which
`verify` checks. The receipt holds ids, counts, hashes and the source rows to delete: never a subject id, a
pseudonym or text.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import pipelines
from pipelines.detectors.pseudonyms import key_check, subject_pseudonym
from pipelines.provenance.manifest import (
    MANIFEST,
    code_version,
    file_sha256,
    read_table,
    refresh_manifest,
    write_manifest,
)
from pipelines.provenance.trace import UnknownRecordError
from pipelines.provenance.verify import LINEAGE, load_manifest, verify_run
from pipelines.record import FORGOTTEN
from pipelines.tables import NEGATIVES, RUN_MARKER, TABLES

RECEIPTS = "receipts"
REASON = "R9.forgotten"

SUBJECT, RECORD, DUPLICATE_OF_FORGOTTEN = "subject", "record", "duplicate_of_forgotten"
"""Why a record is forgotten: its subject asked, it was asked for by id, or it is a duplicate of a forgotten one."""


class ForgetError(Exception):
    """`forget` cannot run: not an intact run, the wrong key, an unsafe output directory, an unreadable table."""


class NothingToForgetError(LookupError):
    """No record of the subjects or ids is left in the run: no new version is written."""


@dataclass(frozen=True)
class Forgetting:
    """What `forget` did: the new version, its receipt and the receipt's content."""

    out_dir: Path
    receipt_path: Path
    receipt: dict[str, Any]

    def format(self) -> str:
        r, gone = self.receipt, self.receipt["forgotten"]
        by = ", ".join(f"{n} {decision}" for decision, n in gone["by_decision"].items())
        lines = [
            f"forgot {gone['records']} record(s) ({by}) and {gone['negatives']} negative sample(s)",
            f"  subjects      {r['request']['subjects_matched']} of {r['request']['subjects']} matched records",
            f"  new version   {self.out_dir}, root hash {r['new_version']['root_hash']}",
            f"  previous      {r['previous_version']['path']}, root hash {r['previous_version']['root_hash']} "
            "(unchanged)",
            f"  receipt       {self.receipt_path}",
        ]
        return "\n".join(lines + [f"  note: {note}" for note in r["notes"]])


def forget(
    run_dir: Path, out_dir: Path, subject_ids: list[str], record_ids: list[str], key: bytes | None
) -> Forgetting:
    """Write a new version of the run in `run_dir` to `out_dir` without the records of `subject_ids` (matched
    under `key`) and `record_ids`, and what derives from them; return it with its receipt."""
    manifest = load_manifest(run_dir)
    _check_out_dir(run_dir, out_dir)
    verification = verify_run(run_dir)
    if not verification.ok:
        raise ForgetError(
            f"{run_dir} is not intact ({len(verification.findings)} finding(s); see `corpusgate verify {run_dir}`): "
            "a new version is only made from an intact one"
        )
    pseudonyms = _pseudonyms(manifest, subject_ids, key)
    lineage = read_table(run_dir, LINEAGE, ["id", "subject", "duplicate_of", "decision", "source", "file", "row"])
    why, matched = _closure(lineage, pseudonyms, record_ids)
    if not why:
        raise NothingToForgetError(f"no record of the subject(s) or id(s) is left in {run_dir}; nothing written")
    negatives = _negative_files(run_dir)
    request = {"subjects": len(set(subject_ids)), "subjects_matched": matched, "records": len(set(record_ids))}

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.{secrets.token_hex(4)}.partial"  # moved into place when complete
    staging.mkdir()
    try:
        receipt = _write_version(run_dir, staging, out_dir, manifest, lineage, why, negatives, request)
        if out_dir.exists():
            out_dir.rmdir()  # empty, checked above
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    check = verify_run(out_dir)
    if not check.ok:  # a bug, not a data problem: the new version must verify
        raise RuntimeError(f"the new version does not verify:\n{check.format()}")
    return Forgetting(out_dir, out_dir / RECEIPTS / f"{receipt['receipt']}.json", receipt)


def _write_version(
    run_dir: Path,
    staging: Path,
    out_dir: Path,
    manifest: dict[str, Any],
    lineage: pa.Table,
    why: dict[str, dict],
    negatives: list[Path],
    request: dict[str, int],
) -> dict[str, Any]:
    """Write the new version into `staging`, which becomes `out_dir`: tables, receipts and manifest; the receipt."""
    at = datetime.now(UTC)
    receipt_id = f"forget-{at:%Y%m%dT%H%M%SZ}-{hashlib.sha256(' '.join(sorted(why)).encode()).hexdigest()[:8]}"
    forgotten = pa.array(sorted(why))
    changed, dropped_negatives = [], []
    for table in TABLES:
        files = negatives if table == NEGATIVES else sorted((run_dir / table).glob("*.parquet"))
        key_column = "origin_id" if table == NEGATIVES else "id"
        tombstones = (lambda rows: _tombstones(rows, why, receipt_id)) if table == LINEAGE else None
        for file in files:
            change, dropped = _rewrite(file, staging / file.relative_to(run_dir), key_column, forgotten, tombstones)
            if change:
                changed.append({"path": str(file.relative_to(run_dir)), **change})
            if table == NEGATIVES:
                dropped_negatives += dropped
    (staging / RUN_MARKER).touch()
    (staging / RECEIPTS).mkdir()
    for old in sorted((run_dir / RECEIPTS).glob("*.json")):  # every receipt since the run travels with the version
        shutil.copy2(old, staging / RECEIPTS / old.name)

    refreshed = refresh_manifest(manifest, staging)
    history = list(manifest.get("history") or [])
    previous = {
        "path": str(run_dir),
        "version": len(history),
        "root_hash": manifest["root_hash"],
        "manifest_sha256": file_sha256(run_dir / MANIFEST),
    }
    new = {"path": str(out_dir), "version": len(history) + 1, "root_hash": refreshed["root_hash"]}
    new_hashes = {o["path"]: o["sha256"] for o in refreshed["outputs"]}
    for change in changed:
        change["sha256_after"] = new_hashes[change["path"]]
    gone = lineage.filter(pc.is_in(lineage["id"], value_set=forgotten))
    receipt = _receipt(receipt_id, at, previous, new, request, why, gone, dropped_negatives, changed)
    receipt_path = Path(RECEIPTS) / f"{receipt_id}.json"
    (staging / receipt_path).write_text(json.dumps(receipt, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    history.append(
        {
            "action": "forget",
            "at": at.isoformat(),
            "previous": previous,
            "receipt": {"path": str(receipt_path), "sha256": file_sha256(staging / receipt_path)},
            "code": receipt["code"],
        }
    )
    if refreshed.get("dvc"):  # the DVC project stays where it was; the new version may sit elsewhere
        project = (run_dir / refreshed["dvc"]["project"]).resolve()
        refreshed["dvc"] = {**refreshed["dvc"], "project": os.path.relpath(project, out_dir.resolve())}
    write_manifest(staging, {**refreshed, "history": history})
    return receipt


def _check_out_dir(run_dir: Path, out_dir: Path) -> None:
    run, out = run_dir.resolve(), out_dir.resolve()
    if out == run or run in out.parents:
        raise ForgetError(f"{out_dir}: the new version must be written outside the run; forget never changes a version")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ForgetError(f"{out_dir} exists and is not empty: choose a new directory for the new version")


def _pseudonyms(manifest: dict[str, Any], subject_ids: list[str], key: bytes | None) -> dict[str, str]:
    """pseudonym -> subject id, under the run's key; ForgetError when the key is not the run's."""
    if not subject_ids:
        return {}
    if key is None:
        raise ForgetError("subjects are matched through their keyed pseudonyms: the run's key is needed")
    recorded = (manifest.get("pseudonyms") or {}).get("key_check")
    if recorded is not None and recorded != key_check(key):
        raise ForgetError(
            "the pseudonymisation key is not the one this run used (the manifest's key check differs): "
            "no subject could be matched; use the run's key ($CORPUSGATE_SUBJECT_KEY or the key file)"
        )
    return {subject_pseudonym(key, subject): subject for subject in subject_ids}


def _closure(lineage: pa.Table, pseudonyms: dict[str, str], record_ids: list[str]) -> tuple[dict[str, dict], int]:
    """{id: why} of every record to forget, and how many subjects matched at least one record."""
    why: dict[str, dict[str, Any]] = {}
    by_subject = lineage.filter(pc.is_in(lineage["subject"], value_set=pa.array(sorted(pseudonyms), pa.string())))
    for record_id in by_subject["id"].to_pylist():
        why[record_id] = {"because": SUBJECT}
    matched = len(set(by_subject["subject"].to_pylist()))
    if record_ids:
        asked = lineage.filter(pc.is_in(lineage["id"], value_set=pa.array(sorted(set(record_ids)), pa.string())))
        decisions = dict(zip(asked["id"].to_pylist(), asked["decision"].to_pylist(), strict=True))
        unknown = sorted(set(record_ids) - decisions.keys())
        if unknown:
            raise UnknownRecordError(f"no record {', '.join(unknown)} in the lineage; nothing written")
        for record_id, decision in decisions.items():
            if decision != FORGOTTEN:  # forgotten by an earlier version: nothing of it is left
                why.setdefault(record_id, {"because": RECORD})
    frontier = sorted(why)
    while frontier:
        twins = lineage.filter(pc.is_in(lineage["duplicate_of"], value_set=pa.array(frontier, pa.string())))
        frontier = []
        for record_id, kept in zip(twins["id"].to_pylist(), twins["duplicate_of"].to_pylist(), strict=True):
            if record_id not in why:
                why[record_id] = {"because": DUPLICATE_OF_FORGOTTEN, "duplicate_of": kept}
                frontier.append(record_id)
    return why, matched


def _negative_files(run_dir: Path) -> list[Path]:
    """The negatives' Parquet files; ForgetError when one has no `origin_id` to tell what it derives from."""
    files = sorted((run_dir / NEGATIVES).glob("*.parquet"))
    for file in files:
        if "origin_id" not in pq.read_schema(file).names:
            raise ForgetError(
                f"{file.relative_to(run_dir)} has no origin_id column: the negatives derived from a forgotten "
                "record cannot be found; nothing written"
            )
    return files


def _rewrite(
    source: Path,
    target: Path,
    key_column: str,
    forgotten: pa.Array,
    tombstones: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None,
) -> tuple[dict[str, Any] | None, list[str]]:
    """Copy `source` to `target` without the rows whose `key_column` is forgotten (in their place the tombstones,
    for the lineage); return the change (None when no row went, the file is copied as it is) and the dropped ids."""
    target.parent.mkdir(parents=True, exist_ok=True)
    parquet = pq.ParquetFile(source)
    schema = parquet.schema_arrow
    dropped: list[dict[str, Any]] = []
    kept_rows = 0
    staged = target.with_name(target.name + ".partial")
    with pq.ParquetWriter(staged, schema) as writer:
        for batch in parquet.iter_batches():
            drop = pc.fill_null(pc.is_in(batch[key_column], value_set=forgotten), False)
            dropped += batch.filter(drop).to_pylist()
            kept = batch.filter(pc.invert(drop))
            kept_rows += kept.num_rows
            writer.write_batch(kept)
        if dropped and tombstones:
            writer.write_table(pa.Table.from_pylist(tombstones(dropped), schema=schema))
    if not dropped:
        staged.unlink()
        shutil.copy2(source, target)
        return None, []
    staged.rename(target)
    change = {
        "rows_before": parquet.metadata.num_rows,
        "rows_after": kept_rows + (len(dropped) if tombstones else 0),
        "rows_forgotten": len(dropped),
        "sha256_before": file_sha256(source),
    }
    id_column = "negative_id" if "negative_id" in schema.names else key_column
    return change, [row.get(id_column) for row in dropped]


def _tombstones(rows: list[dict[str, Any]], why: dict[str, dict], receipt_id: str) -> list[dict[str, Any]]:
    """Lineage rows of forgotten records: where they came from and that they were forgotten, nothing else."""
    stones = []
    for row in rows:
        reason = why[row["id"]]
        detail = {
            SUBJECT: "at the data subject's request",
            RECORD: "asked for by record id",
            DUPLICATE_OF_FORGOTTEN: f"duplicate of forgotten record {reason.get('duplicate_of')}",
        }[reason["because"]]
        stones.append(
            {
                "id": row["id"],
                "source": row["source"],
                "file": row["file"],
                "row": row["row"],
                "decision": FORGOTTEN,
                "reasons": [REASON],
                "trail": [{"stage": "forget", "action": "forget", "detail": f"{detail}; receipt {receipt_id}"}],
            }
        )
    return stones


def _receipt(
    receipt_id: str,
    at: datetime,
    previous: dict[str, Any],
    new: dict[str, Any],
    request: dict[str, int],
    why: dict[str, dict],
    gone: pa.Table,
    negatives: list[str],
    changed: list[dict[str, Any]],
) -> dict[str, Any]:
    rows = gone.select(["id", "decision", "source", "file", "row"]).to_pylist()
    at_source: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        at_source.setdefault((row["source"], row["file"]), []).append(row["row"])
    twins = sum(1 for w in why.values() if w["because"] == DUPLICATE_OF_FORGOTTEN)
    notes = [
        "corpusgate does not delete from the sources: the rows under `at_source` are still there. Delete them, "
        "or the next run over these sources governs them again.",
        f"The previous version ({previous['path']}) and the versions before it are unchanged and still hold these "
        "records, as do copies of them (DVC cache and remotes, backups): delete or restrict them as your retention "
        "policy requires. Models trained on them are not changed by this.",
    ]
    if twins:
        notes.append(
            f"{twins} record(s) dropped as duplicates of a forgotten record were forgotten with it: they were "
            "never in the governed set, and their content is the forgotten content or close to it."
        )
    return {
        "receipt": receipt_id,
        "kind": "corpusgate deletion receipt",
        "at": at.isoformat(),
        "basis": "Measures art. 14; PIPL art. 47",
        "corpusgate_version": pipelines.__version__,
        "code": code_version(),
        "request": request,
        "previous_version": previous,
        "new_version": new,
        "forgotten": {
            "records": len(rows),
            "by_decision": dict(sorted(Counter(r["decision"] for r in rows).items())),
            "by_cause": dict(sorted(Counter(w["because"] for w in why.values()).items())),
            "negatives": len(negatives),
            "ids": [{"id": r["id"], "was": r["decision"], **why[r["id"]]} for r in sorted(rows, key=lambda r: r["id"])],
            "negative_ids": sorted(str(n) for n in negatives),
        },
        "files": changed,
        "at_source": [
            {"source": source, "file": file, "rows": sorted(found)}
            for (source, file), found in sorted(at_source.items())
        ],
        "notes": notes,
    }

"""`corpusgate trace`: the whole story of one record, from the run's lineage and manifest (R1: art. 11; R2).

Where it came from (source, file and row, raw hash, the source file's hash), under which licence, legal basis,
consent and origin, whose it is (the subject's keyed pseudonym), what each stage did to it and why, its labels, its
duplicates, the negative samples derived from it, where it ended, and the code and parameters of the run with the
legal basis of every reason code. The Parquet files
are queried with DuckDB, so a trace reads only what it needs. A trace never shows a record's text: the lineage
holds personal-information types and offsets, never values (R10).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from pipelines.provenance.verify import RECORD_TABLES, NotARunError, load_manifest
from pipelines.tables import NEGATIVES

NEGATIVE_FIELDS = ["negative_id", "kind", "template_id", "risk", "language"]
"""What a trace tells of a negative sample derived from the record: what it is, never its content."""


class UnknownRecordError(LookupError):
    """No lineage row has the id asked for."""


@dataclass(frozen=True)
class Trace:
    """One record's story: its lineage row (labels parsed) and what the run says about it."""

    record: dict[str, Any]
    reasons: dict[str, dict[str, Any]]  # code -> {basis, summary}, from the manifest
    duplicates: list[str]  # ids of the records dropped as duplicates of this one
    negatives: list[dict[str, Any]]  # the negative samples derived from it (NEGATIVE_FIELDS)
    stored_in: str | None  # the governed or quarantine file holding it, relative to the run
    source_file_sha256: str | None  # of the whole input file, from the manifest
    run: dict[str, Any]  # run directory, corpusgate version, code commit, params sha256, start and finish

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self) -> str:
        r = self.record
        source_id = f"; its own id {r['source_record_id']}" if r["source_record_id"] else ""
        lines = [
            f"record {r['id']}: {r['decision']}",
            f"  source        {r['source']}, file {r['file']}, row {r['row']}{source_id}",
            f"  source file   sha256 {self.source_file_sha256 or 'not in the manifest'}",
            f"  raw bytes     sha256 {r['raw_sha256'] or '-'}",
            f"  content       sha256 {r['content_sha256'] or '-'}",
            f"  content key   {r['content_key'] or '-'}",
            f"  licence       {r['licence'] or '-'}",
            f"  legal basis   {r['legal_basis'] or '-'}",
            f"  consent       {', '.join(r.get('consent') or []) or 'none declared'}",
            f"  origin        {r['origin'] or '-'}",
            f"  subject       {r['subject'] or '-'}",
            f"  stored in     {self.stored_in or 'no output file (lineage only)'}",
        ]
        if r["duplicate_of"]:
            lines.append(f"  duplicate of  {r['duplicate_of']}")
        if self.duplicates:
            lines.append(f"  duplicates    {', '.join(self.duplicates)}")
        if self.negatives:
            lines.append("negatives derived from it")
            lines += ["  " + ", ".join(f"{k} {v}" for k, v in n.items() if v is not None) for n in self.negatives]
        if r["reasons"]:
            lines.append("reasons")
            for code in r["reasons"]:
                why = self.reasons.get(code) or {}
                lines.append(
                    f"  {code:<32} {why.get('summary', '?')} ({why.get('basis', 'basis not in the manifest')})"
                )
        lines.append("trail")
        lines += [f"  {s['stage']:<14}{s['action']:<10}{s['detail']}".rstrip() for s in r["trail"]]
        if r["labels"]:
            lines.append("labels")
            lines += [f"  {k:<14}{json.dumps(v, ensure_ascii=False)}" for k, v in r["labels"].items()]
        run = self.run
        dirty = {True: " (uncommitted changes)", False: "", None: " (unknown whether clean)"}[run["code"].get("dirty")]
        lines += [
            "run",
            f"  directory     {run['directory']}",
            f"  code          corpusgate {run['corpusgate_version']}, commit {run['code'].get('commit')}{dirty}",
            f"  params        sha256 {run['params_sha256']}",
            f"  ran           {run['started']} to {run['finished']}",
        ]
        return "\n".join(lines)


def trace_records(run_dir: Path, ids: list[str]) -> list[Trace]:
    """The traces of `ids` in the run in `run_dir`, in that order; UnknownRecordError names the ids it lacks."""
    manifest = load_manifest(run_dir)
    with duckdb.connect() as con:
        sql = "SELECT * EXCLUDE (filename) FROM t WHERE id = ANY($ids)"
        found = {row["id"]: row for row in _select(con, run_dir, "lineage", sql, ids=ids)}
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise UnknownRecordError(f"no record {', '.join(unknown)} in the lineage of {run_dir}")
        duplicates: dict[str, list[str]] = {}
        sql = "SELECT duplicate_of, id FROM t WHERE duplicate_of = ANY($ids) ORDER BY id"
        for row in _select(con, run_dir, "lineage", sql, ids=ids):
            duplicates.setdefault(row["duplicate_of"], []).append(row["id"])
        negatives: dict[str, list[dict[str, Any]]] = {}
        for row in _negatives(con, run_dir, ids):
            negatives.setdefault(row.pop("origin_id"), []).append(row)
        stored_in = {
            row["id"]: str(Path(row["filename"]).relative_to(run_dir))
            for table in RECORD_TABLES
            for row in _select(con, run_dir, table, "SELECT id, filename FROM t WHERE id = ANY($ids)", ids=ids)
        }
    run = manifest.get("run", {})
    run_facts = {
        "directory": str(run_dir),
        "corpusgate_version": manifest.get("corpusgate_version"),
        "code": manifest.get("code", {}),
        "params_sha256": manifest.get("params", {}).get("sha256"),
        "started": run.get("started"),
        "finished": run.get("finished"),
    }
    source_files = {(s["name"], f["file"]): f["sha256"] for s in manifest.get("sources", []) for f in s["files"]}
    reasons = manifest.get("reasons", {})
    traces = []
    for record_id in ids:
        record = {**found[record_id], "labels": json.loads(found[record_id]["labels"] or "{}")}
        traces.append(
            Trace(
                record=record,
                reasons={code: _basis(reasons.get(code)) for code in record["reasons"]},
                duplicates=duplicates.get(record_id, []),
                negatives=negatives.get(record_id, []),
                stored_in=stored_in.get(record_id),
                source_file_sha256=source_files.get((record["source"], record["file"])),
                run=run_facts,
            )
        )
    return traces


def find_records(run_dir: Path, snippet: str) -> list[str]:
    """Ids of the governed, then quarantined, records whose text or a message contains `snippet` (any case)."""
    if not snippet.strip():
        raise ValueError("the snippet to search for is empty")
    load_manifest(run_dir)
    sql = (
        "SELECT id FROM t WHERE contains(lower(text), lower($snippet)) OR "
        "list_bool_or(list_transform(messages, lambda m: contains(lower(m.content), lower($snippet)))) ORDER BY id"
    )
    with duckdb.connect() as con:
        return [row["id"] for table in RECORD_TABLES for row in _select(con, run_dir, table, sql, snippet=snippet)]


def _negatives(con: duckdb.DuckDBPyConnection, run_dir: Path, ids: list[str]) -> list[dict]:
    """The negatives derived from `ids` (with their `origin_id`), when the run has a negatives table."""
    files = sorted((run_dir / NEGATIVES).glob("*.parquet"))
    if not files:
        return []
    names = set(pq.read_schema(files[0]).names)
    if "origin_id" not in names:
        raise NotARunError(f"{files[0].relative_to(run_dir)} has no origin_id column")
    columns = ", ".join(["origin_id", *(name for name in NEGATIVE_FIELDS if name in names)])
    order = "negative_id" if "negative_id" in names else "origin_id"
    return _select(
        con, run_dir, NEGATIVES, f"SELECT {columns} FROM t WHERE origin_id = ANY($ids) ORDER BY {order}", ids=ids
    )


def _select(con: duckdb.DuckDBPyConnection, run_dir: Path, table: str, sql: str, **params: Any) -> list[dict]:
    """Rows of `sql` over `table`'s Parquet files, which it names `t` (with their `filename`); none without files."""
    files = [str(path) for path in sorted((run_dir / table).glob("*.parquet"))]
    if not files:
        return []
    query = f"WITH t AS (SELECT * FROM read_parquet($files, filename = true)) {sql}"
    try:
        cursor = con.execute(query, {"files": files, **params})
    except duckdb.Error as err:
        raise NotARunError(f"cannot read {table}/ of {run_dir} (try `corpusgate verify`): {err}") from None
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _basis(reason: dict[str, Any] | None) -> dict[str, Any]:
    return {"basis": reason.get("basis"), "summary": reason.get("summary")} if reason else {}

"""The run manifest: what was read, by which code and parameters, what became of it (R1, R2: art. 10(2), 11).

The manifest is computed from what the run wrote (the lineage and the output files), never from counters kept on
the side, so its counts and hashes are those of the data an auditor will find. It holds types, counts and hashes
only: no record text and no personal-information value. Besides, it records a check value of the pseudonymisation
key (so that `forget` refuses another key), what dvc.lock says of the stages before this run (`dvclock`), and the
history of the versions a deletion made (`forget`, which refreshes the table facts with `refresh_manifest`).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

import pipelines
from pipelines.detectors.classifier import sidecar_path
from pipelines.detectors.keywords import KeywordLibrary, library_path
from pipelines.detectors.pseudonyms import PseudonymKeyError, key_check, load_key
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import Params, resolve_path
from pipelines.provenance.dvclock import lock_facts
from pipelines.record import GOVERNED, REASONS, is_harmful_reason
from pipelines.sources import Plan
from pipelines.tables import REPORTS, TABLES

MANIFEST = "manifest.json"

SCHEMA_VERSION = 1

BATCH_ROWS = 65_536  # lineage rows turned into Python objects at once: the manifest's memory is flat in the run


def build_manifest(
    run_dir: Path, params: Params, plan: Plan, started: datetime, runner: dict[str, Any], root: Path
) -> dict:
    """The manifest of the finished run in `run_dir`; model and library paths in `params` are relative to `root`."""
    counts = _counts(run_dir)
    return {
        "schema_version": SCHEMA_VERSION,
        "corpusgate_version": pipelines.__version__,
        "code": code_version(),
        "run": {"started": started.isoformat(), "finished": _now().isoformat(), **runner},
        "params": {"sha256": params.digest(), "values": params.model_dump(mode="json")},
        "models": model_facts(params, root),
        "sources": _sources(plan, counts.pop("by_source_total")),
        "problems": [p.__dict__ for p in plan.problems],
        "counts": counts,
        "reasons": {code: REASONS[code].__dict__ for code in sorted(counts["by_reason"])},
        "risk_by_source": _risk_by_source(run_dir, params.risk.source_max_harmful_share),
        "duplicate_clusters": _duplicate_clusters(run_dir),
        "outputs": _outputs(run_dir),
        "root_hash": sorted_root_hash(governed_pairs(run_dir)),
        "pseudonyms": {"key_check": _key_check(params, root)},
        "dvc": lock_facts(run_dir, root),
        "history": [],
    }


def refresh_manifest(manifest: dict, run_dir: Path) -> dict:
    """`manifest` with what it says of the tables (counts, reasons, clusters, outputs, root hash) recomputed from
    the tables now in `run_dir`; how the data was read and assessed (sources, risk by source, ...) stays."""
    counts = _counts(run_dir)
    del counts["by_source_total"]
    return {
        **manifest,
        "counts": counts,
        "reasons": {code: REASONS[code].__dict__ for code in sorted(counts["by_reason"])},
        "duplicate_clusters": _duplicate_clusters(run_dir),
        "outputs": _outputs(run_dir),
        "root_hash": sorted_root_hash(governed_pairs(run_dir)),
    }


def write_manifest(run_dir: Path, manifest: dict) -> Path:
    path = run_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    return path


def read_table(run_dir: Path, table: str, columns: list[str] | None = None):
    """One output table of a run as a pyarrow Table (empty with its schema when the run wrote no rows)."""
    return _dataset(run_dir, table).to_table(columns=columns)


def read_rows(run_dir: Path, table: str, columns: list[str]) -> Iterator[dict[str, Any]]:
    """The rows of one output table of a run, `columns` only, read `BATCH_ROWS` at a time: a large run is never
    held whole, in Arrow or as Python objects."""
    for batch in _dataset(run_dir, table).to_batches(columns=columns, batch_size=BATCH_ROWS):
        yield from batch.to_pylist()


def _dataset(run_dir: Path, table: str) -> ds.Dataset:
    files = sorted((run_dir / table).glob("*.parquet"))
    return ds.dataset([str(f) for f in files], schema=TABLES[table], format="parquet")


def root_hash(pairs: Iterable[tuple[str, str]]) -> str:
    """sha256 over the sorted `id:content_sha256` lines of the governed records: one changed record changes it."""
    return sorted_root_hash(sorted(pairs))


def sorted_root_hash(pairs: Iterable[tuple[str, str]]) -> str:
    """`root_hash` of pairs given in sorted order (read one at a time)."""
    digest = hashlib.sha256()
    for record_id, content_sha256 in pairs:
        digest.update(f"{record_id}:{content_sha256}\n".encode())
    return digest.hexdigest()


def governed_pairs(run_dir: Path) -> Iterator[tuple[str, str]]:
    """(id, content_sha256) of the governed records of a run's lineage, sorted as `sorted` sorts them (UTF-8's
    byte order is the order of code points), in Arrow: two compact columns, not a Python object per record."""
    columns = ["id", "content_sha256"]
    governed = _dataset(run_dir, "lineage").to_table(columns=columns, filter=pc.field("decision") == GOVERNED)
    governed = governed.take(pc.sort_indices(governed, sort_keys=[(name, "ascending") for name in columns]))
    for batch in governed.to_batches(max_chunksize=BATCH_ROWS):
        yield from zip(batch["id"].to_pylist(), batch["content_sha256"].to_pylist(), strict=True)


def model_facts(params: Params, root: Path) -> dict[str, Any]:
    """What labelled the records: models, keyword library and taxonomy, each with its version and hash (R2)."""
    label = params.label
    classifier = resolve_path(root, label.classifier_model)
    sidecar = json.loads(sidecar_path(classifier).read_text(encoding="utf-8"))
    library = KeywordLibrary.load(library_path(label.keywords.path, root), params=label.keywords)
    taxonomy = Taxonomy.load()
    language = resolve_path(root, label.language.model_path)
    return {
        "language": {"path": str(language), "sha256": file_sha256(language)},
        "risk_classifier": {
            "path": str(classifier),
            "sha256": file_sha256(classifier),
            "training_data": [{"path": f["path"], "sha256": f["sha256"]} for f in sidecar["training_data"]],
        },
        "keyword_library": {"path": library.source, "version": library.version, "sha256": library.sha256},
        "taxonomy": {"version": taxonomy.version},
    }


def code_version() -> dict[str, Any]:
    """The git commit of the code that ran, and whether it had uncommitted changes."""
    repo = Path(pipelines.__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit or "unknown", "dirty": bool(status) if status is not None else None}


def _counts(run_dir: Path) -> dict[str, Any]:
    decisions, by_reason = Counter(), Counter()
    by_source: dict[str, Counter] = {}
    by_stage: dict[str, Counter] = {}
    for row in read_rows(run_dir, "lineage", ["source", "decision", "reasons", "trail"]):
        decisions[row["decision"]] += 1
        by_reason.update(row["reasons"])
        by_source.setdefault(row["source"], Counter())[row["decision"]] += 1
        for step in row["trail"]:
            by_stage.setdefault(step["stage"], Counter())[step["action"]] += 1
    return {
        "input": decisions.total(),
        "governed": decisions.get("governed", 0),
        "quarantined": decisions.get("quarantined", 0),
        "duplicate": decisions.get("duplicate", 0),
        "forgotten": decisions.get("forgotten", 0),
        "by_reason": dict(sorted(by_reason.items())),
        "by_stage": {stage: dict(sorted(c.items())) for stage, c in by_stage.items()},
        "by_source": {source: dict(sorted(c.items())) for source, c in sorted(by_source.items())},
        "by_source_total": {source: sum(c.values()) for source, c in by_source.items()},
    }


def _duplicate_clusters(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Per kind of duplicate (exact, near), the clusters a kept record heads and their sizes (kept record included)."""
    members: dict[str, Counter] = {}
    for row in read_rows(run_dir, "lineage", ["reasons", "duplicate_of"]):
        for code in row["reasons"]:
            if code in ("R3.exact_duplicate", "R3.near_duplicate"):
                members.setdefault(code, Counter())[row["duplicate_of"]] += 1
    report = {}
    for code, dropped in sorted(members.items()):
        sizes = Counter(n + 1 for n in dropped.values())
        report[code] = {
            "clusters": len(dropped),
            "dropped": sum(dropped.values()),
            "largest": max(sizes),
            "sizes": {str(size): n for size, n in sorted(sizes.items())},
        }
    return report


def _risk_by_source(run_dir: Path, max_share: float) -> dict[str, dict[str, Any]]:
    """Per source, the records the risk filter assessed, how many were harmful, and the share (TC260-003 5.1)."""
    report: dict[str, dict[str, Any]] = {}
    for row in read_rows(run_dir, "lineage", ["source", "reasons", "trail"]):
        if not any(step["stage"] == "risk" for step in row["trail"]):
            continue
        entry = report.setdefault(row["source"], {"assessed": 0, "harmful": 0, "held_as_source": 0})
        entry["assessed"] += 1
        entry["harmful"] += any(is_harmful_reason(code) for code in row["reasons"])
        entry["held_as_source"] += "R6.harmful_source" in row["reasons"]
    for entry in report.values():
        entry["share"] = round(entry["harmful"] / entry["assessed"], 4)
        entry["over_threshold"] = entry["share"] > max_share
    return dict(sorted(report.items()))


def _sources(plan: Plan, records: dict[str, int]) -> list[dict[str, Any]]:
    described = []
    for source in plan.sources:
        files = [
            {
                "file": t.file,
                "format": t.format,
                "sha256": file_sha256(Path(t.path)),
                "bytes": path_size(Path(t.path)),
            }
            for t in plan.tasks
            if t.source == source.name
        ]
        described.append(
            {
                "name": source.name,
                "path": source.path,
                "licence": source.licence,
                "legal_basis": source.legal_basis.value if source.legal_basis else None,
                "origin": source.origin.value,
                "files": files,
                "records": records.get(source.name, 0),
            }
        )
    return described


def _key_check(params: Params, root: Path) -> str | None:
    pseudonyms = params.gate.pseudonyms
    try:
        return key_check(load_key(pseudonyms.key_env, root / pseudonyms.key_file))
    except PseudonymKeyError:
        return None


def _outputs(run_dir: Path) -> list[dict[str, Any]]:
    outputs = []
    for table in TABLES:
        for path in sorted((run_dir / table).glob("*.parquet")):
            outputs.append(
                {
                    "path": str(path.relative_to(run_dir)),
                    "table": table,
                    "sha256": file_sha256(path),
                    "bytes": path.stat().st_size,
                    "rows": pq.ParquetFile(path).metadata.num_rows,
                }
            )
    for report in REPORTS:
        path = run_dir / report
        if path.is_file():
            outputs.append(
                {"path": report, "table": "report", "sha256": file_sha256(path), "bytes": path.stat().st_size}
            )
    return outputs


def file_sha256(path: Path) -> str:
    """sha256 of a file, or of every file below a directory (a saved dataset) in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with open(file, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def path_size(path: Path) -> int:
    """Bytes of a file, or of every file below a directory (a saved dataset)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def _now() -> datetime:
    return datetime.now(UTC)

"""The manual check of the corpus assessment (TC260-003 9.2): a review sheet out, reviewers' verdicts in.

`export_sheet` writes the manual sample of an inspection (4,000 random governed records, all when fewer) as a
sheet, CSV or Parquet, with the inspection id, the record id and the governed text (chats as `role: content`
lines) and three columns to fill in: `verdict` (`pass` or `fail`), `annotator` and `reviewer`. Nothing else of
the record is written: no source, no metadata, no labels.

`import_sheet` reads the filled-in sheet and refuses it, naming the rows, when a verdict is not `pass` or `fail`,
an annotator or reviewer is missing, the annotator and the reviewer of a record are the same person (the standard
asks for a second pair of eyes), an id repeats or is not in the sample, or a sampled record has no row. Otherwise
it scores the pass rate against `inspect.manual.min_pass_rate` (96%) and records the result in the inspection's
report (counts of annotators and reviewers, never their names).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.params import Params, resolve_path
from validators import InspectionError
from validators.history import History
from validators.report import REPORT_JSON, write_report
from validators.target import load_target

COLUMNS = ["inspection", "id", "text", "verdict", "annotator", "reviewer"]
REQUIRED = ["inspection", "id", "verdict", "annotator", "reviewer"]
VERDICTS = ("pass", "fail")
ROWS_NAMED = 20


def export_sheet(params: Params, root: Path, inspection_id: str | None = None, out: Path | None = None) -> Path:
    """Write the review sheet of an inspection (the latest when `inspection_id` is None); return its path."""
    history = History(resolve_path(root, params.inspect.history))
    report = history.load(inspection_id) if inspection_id else history.latest()
    if report is None:
        raise InspectionError(f"no inspection in {history.directory}: run `corpusgate inspect` first")
    out = out or Path(f"review-{report['id']}.csv")
    if out.suffix not in (".csv", ".parquet"):
        raise InspectionError(f"{out}: the review sheet must be a .csv or a .parquet file")
    target = load_target(resolve_path(root, report["target"]["name"]), root)
    root_hash = (target.manifest or {}).get("root_hash")
    if root_hash != report["target"]["root_hash"]:
        raise InspectionError(f"{target.path} changed since inspection {report['id']}: inspect it again")
    texts = {row["id"]: row for row in target.rows("governed", ["id", "text", "messages"])}
    sample = report["manual_check"]["sample"]
    missing = [record_id for record_id in sample if record_id not in texts]
    if missing:
        raise InspectionError(f"{target.path} lacks {len(missing)} sampled record(s) of {report['id']}: {missing[:5]}")
    rows = [
        {
            "inspection": report["id"],
            "id": i,
            "text": _sheet_text(texts[i]),
            "verdict": "",
            "annotator": "",
            "reviewer": "",
        }
        for i in sample
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        with open(out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    else:
        pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in COLUMNS])), out)
    return out


def import_sheet(path: Path, params: Params, root: Path, report_dir: Path | None = None) -> dict[str, Any]:
    """Score a filled-in review sheet; record the result in its inspection. InspectionError when it is refused."""
    rows = _read_sheet(path)
    inspections = {str(row["inspection"] or "").strip() for row in rows}
    if len(inspections) != 1 or "" in inspections:
        raise InspectionError(f"{path}: every row must name the same inspection (found {len(inspections)} values)")
    history = History(resolve_path(root, params.inspect.history))
    report = history.load(inspections.pop())
    sample = set(report["manual_check"]["sample"])

    problems: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    verdicts: dict[str, str] = {}
    annotators, reviewers = set(), set()
    for number, row in enumerate(rows, start=2):  # spreadsheet rows: the header is row 1
        record_id = str(row["id"] or "").strip()
        verdict = str(row["verdict"] or "").strip().lower()
        annotator, reviewer = (str(row[name] or "").strip().casefold() for name in ("annotator", "reviewer"))
        if record_id in seen:
            problems["the id repeats an earlier row"].append(number)
        elif record_id not in sample:
            problems["the id is not in the inspection's manual sample"].append(number)
        seen.add(record_id)
        if verdict not in VERDICTS:
            problems[f"the verdict is not one of {', '.join(VERDICTS)}"].append(number)
        if not annotator or not reviewer:
            problems["the annotator or the reviewer is missing"].append(number)
        elif annotator == reviewer:
            problems["the annotator and the reviewer are the same person (a record needs two)"].append(number)
        verdicts[record_id] = verdict
        annotators.add(annotator)
        reviewers.add(reviewer)
    unreviewed = sorted(sample - seen)
    if problems or unreviewed:
        lines = [f"{path}: review sheet refused"]
        lines += [f"{_rows(numbers)}: {problem}" for problem, numbers in problems.items()]
        if unreviewed:
            lines.append(f"{len(unreviewed)} sampled record(s) have no row, e.g. {', '.join(unreviewed[:5])}")
        raise InspectionError("\n  ".join(lines))

    failed = sorted(record_id for record_id, verdict in verdicts.items() if verdict == "fail")
    pass_rate = round(1 - len(failed) / len(verdicts), 6)
    minimum = params.inspect.manual.min_pass_rate
    report["manual_check"].update(
        {
            "status": "passed" if pass_rate >= minimum else "failed",
            "min_pass_rate": minimum,
            "reviewed": len(verdicts),
            "pass_rate": pass_rate,
            "failed_count": len(failed),
            "failed_ids": failed[: params.inspect.max_ids_reported],
            "annotators": len(annotators),
            "reviewers": len(reviewers),
            "imported": datetime.now(UTC).isoformat(),
            "sheet_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    )
    history.save(report)
    report_dir = report_dir or resolve_path(root, params.inspect.report)
    if _reports_inspection(report_dir, report["id"]):
        write_report(report, history.all(report["target"]["name"]), report_dir)
    return {"inspection": report["id"], **report["manual_check"]}


def _read_sheet(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InspectionError(f"{path}: no such review sheet")
    try:
        if path.suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                rows, columns = list(reader), reader.fieldnames or []
        elif path.suffix == ".parquet":
            table = pq.read_table(path)
            rows, columns = table.to_pylist(), table.column_names
        else:
            raise InspectionError(f"{path}: a review sheet is a .csv or a .parquet file")
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowException) as err:
        raise InspectionError(f"{path}: not a readable review sheet ({err})") from None
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise InspectionError(f"{path}: the review sheet lacks the column(s) {', '.join(missing)}")
    if not rows:
        raise InspectionError(f"{path}: the review sheet has no rows")
    return rows


def _sheet_text(row: dict[str, Any]) -> str:
    if row["messages"] is not None:
        return "\n".join(f"{m['role']}: {m['content']}" for m in row["messages"])
    return row["text"] or ""


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:ROWS_NAMED]))
    more = f" and {len(numbers) - ROWS_NAMED} more" if len(numbers) > ROWS_NAMED else ""
    return f"{'row' if len(numbers) == 1 else 'rows'} {shown}{more}"


def _reports_inspection(directory: Path, inspection_id: str) -> bool:
    """Whether the report in `directory` is that of `inspection_id` (a later inspection's is left alone)."""
    try:
        return json.loads((directory / REPORT_JSON).read_text(encoding="utf-8"))["id"] == inspection_id
    except (OSError, ValueError, KeyError, TypeError):
        return False

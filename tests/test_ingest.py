"""Reading sources and turning rows into records: provenance, metadata precedence, and every kind of bad row."""

import csv
import json
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.params import LegalBasis, Params, SourceParams
from pipelines.readers import RawRow, read_rows
from pipelines.sources import FileTask, infer_format, plan_sources
from pipelines.stages.ingest import to_record
from tests.conftest import write_jsonl

TASK = FileTask(
    0,
    "src",
    "/data/src.jsonl",
    "src.jsonl",
    "jsonl",
    {"licence": "CC0-1.0", "legal_basis": "licensed", "origin": "human", "consent": []},
)


def record(fields: dict | None = None, error: str | None = None):
    return to_record(TASK, RawRow(3, "ab" * 32, fields, error))


def test_record_has_stable_id_pointer_and_hash():
    first, again = record({"text": "hello there"}), record({"text": "other text"})
    assert first.id == again.id  # the id is the position in the source, not the content
    assert (first.source, first.file, first.row, first.raw_sha256) == ("src", "src.jsonl", 3, "ab" * 32)
    assert first.text == "hello there" and not first.held
    assert first.trail[-1].stage == "ingest"


def test_record_metadata_overrides_source_defaults():
    rec = record(
        {
            "text": "hi there",
            "licence": "CC-BY-4.0",
            "origin": "synthetic",
            "consent": ["training"],
            "id": 42,
            "unrelated": "ignored",
        }
    )
    assert rec.meta["licence"] == "CC-BY-4.0"
    assert rec.meta["origin"] == "synthetic"
    assert rec.meta["consent"] == ["training"]
    assert rec.meta["legal_basis"] == "licensed"  # from the source
    assert rec.meta["source_record_id"] == "42"
    assert "unrelated" not in rec.meta


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"text": "x" * 10, "licence": ""}, "R1.missing_licence"),
        ({"text": "x" * 10, "licence": 7}, "R1.invalid_metadata"),
        ({"text": "x" * 10, "legal_basis": "vibes"}, "R1.invalid_metadata"),
        ({"text": "x" * 10, "origin": ["human"]}, "R1.invalid_metadata"),
        ({"title": "no text"}, "R2.missing_text"),
        ({"text": "   "}, "R2.missing_text"),
        ({"text": 12}, "R2.missing_text"),
        ({"messages": "hello"}, "R2.bad_messages"),
        ({"messages": []}, "R2.bad_messages"),
        ({"messages": [{"role": "user"}]}, "R2.bad_messages"),
        ({"messages": [{"content": "hi"}]}, "R2.bad_messages"),
    ],
)
def test_bad_rows_are_held_with_a_reason(fields, reason):
    rec = record(fields)
    assert rec.held and reason in rec.reasons
    assert not rec.keeps_text  # unreadable or unlicensed: pointer and hash only


def test_every_problem_of_a_row_is_reported():
    rec = to_record(
        FileTask(0, "s", "/p", "p", "jsonl", {"licence": None, "legal_basis": None, "origin": "human"}),
        RawRow(0, "00", {"title": "x"}),
    )
    assert rec.reasons == ["R1.missing_licence", "R1.missing_legal_basis", "R2.missing_text"]


def test_reader_error_becomes_the_reason():
    assert record(error="R2.invalid_utf8").reasons == ["R2.invalid_utf8"]


def test_jsonl_reader_numbers_physical_lines(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "a"}, "", "{oops", b"\xff\xfe", "[1]", {"text": "b"}])
    rows = list(read_rows(str(path), "jsonl"))
    assert [(r.row, r.error) for r in rows] == [
        (0, None),
        (2, "R2.malformed_json"),
        (3, "R2.invalid_utf8"),
        (4, "R2.not_an_object"),
        (5, None),
    ]
    assert len({r.raw_sha256 for r in rows}) == 5


def test_csv_reader_keeps_quoted_newlines_and_flags_bad_rows(tmp_path):
    path = tmp_path / "a.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows([["id", "text"], ["1", "line one\nline two, with comma"], ["2", "ok", "extra"], ["3"]])
    with open(path, "ab") as handle:
        handle.write(b'4,"bad \xff byte"\n')
    rows = list(read_rows(str(path), "csv"))
    assert rows[0].fields == {"id": "1", "text": "line one\nline two, with comma"}
    assert [r.error for r in rows] == [None, "R2.malformed_row", "R2.malformed_row", "R2.invalid_utf8"]


def test_parquet_and_saved_dataset_readers(tmp_path):
    table = pa.table({"id": ["a", "b"], "text": ["first text", "second text"]})
    pq.write_table(table, tmp_path / "t.parquet")
    assert [r.fields["text"] for r in read_rows(str(tmp_path / "t.parquet"), "parquet")] == [
        "first text",
        "second text",
    ]
    datasets.DatasetDict({"train": datasets.Dataset.from_dict({"text": ["x y z"]})}).save_to_disk(tmp_path / "ds")
    assert infer_format(tmp_path / "ds") == "hf"
    rows = list(read_rows(str(tmp_path / "ds"), "hf"))
    assert [(r.row, r.split, r.fields["text"]) for r in rows] == [(0, "train", "x y z")]


def test_plan_reports_missing_unknown_and_empty_files(tmp_path):
    write_jsonl(tmp_path / "good.jsonl", [{"text": "hello"}])
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("what format is this", encoding="utf-8")
    plan = plan_sources(
        Params(),
        [str(tmp_path / n) for n in ("good.jsonl", "empty.jsonl", "notes.txt", "absent.jsonl")],
        tmp_path,
    )
    assert [t.source for t in plan.tasks] == ["good"]
    problems = {p.source: (p.severity, p.message) for p in plan.problems}
    assert problems["empty"] == ("warning", "empty file: no records")
    assert problems["notes"][0] == "error" and "unknown format" in problems["notes"][1]
    assert problems["absent"] == ("error", "file not found")


def test_plan_expands_directories_and_globs_relative_to_root(tmp_path):
    (tmp_path / "shards").mkdir()
    for name in ("b.jsonl", "a.jsonl"):
        write_jsonl(tmp_path / "shards" / name, [{"text": "hello"}])
    source = {"licence": "CC0-1.0", "legal_basis": LegalBasis.LICENSED}
    params = Params(
        sources=[
            {"name": "dir", "path": "shards", **source},
            {"name": "glob", "path": "shards/*.jsonl", **source},
            {"name": "none", "path": "shards/*.csv", **source},
        ]
    )
    plan = plan_sources(params, [], tmp_path)
    assert [(t.source, t.file) for t in plan.tasks] == [
        ("dir", "shards/a.jsonl"),
        ("dir", "shards/b.jsonl"),
        ("glob", "shards/a.jsonl"),
        ("glob", "shards/b.jsonl"),
    ]
    assert [(p.source, p.message) for p in plan.problems] == [("none", "no file matches this path")]
    assert plan.tasks[0].defaults["licence"] == "CC0-1.0"


def test_input_files_take_input_defaults(tmp_path):
    write_jsonl(tmp_path / "x.jsonl", [{"text": "hello"}])
    params = Params(
        input_defaults=SourceParams(name="input", path="-", licence="CC0-1.0", legal_basis=LegalBasis.CONSENT)
    )
    plan = plan_sources(params, [str(tmp_path / "x.jsonl"), str(tmp_path / "x.jsonl")], Path("/elsewhere"))
    assert [t.source for t in plan.tasks] == ["x", "x-2"]
    assert plan.tasks[0].defaults["legal_basis"] == "consent"
    assert json.dumps(plan.tasks[0].defaults)  # plain values: they travel to Beam workers

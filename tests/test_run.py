"""`corpusgate run` end to end on small inputs: the run layout, nothing lost, bad input, exit codes."""

import hashlib
import json
import logging
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.stages import local
from pipelines.stages.dedup import keep_first
from pipelines.stages.ingest import to_record
from tests.conftest import REPO, corpusgate, read_run, write_jsonl
from tests.test_ingest import TASK, RawRow

GOOD = {"licence": "CC0-1.0"}


def run_input(project, path, out, *options) -> int:
    """`corpusgate run` on one --input file with the project's params."""
    return corpusgate("run", "--params", project / "params.yaml", "--input", path, "--out", out, *options)


@pytest.fixture
def mixed_input(tmp_path):
    """One file with a good, a duplicate, a chat, an unlicensed and every kind of unreadable line."""
    return write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"text": "The weather in Hangzhou is mild in spring.", "id": "w1", **GOOD},
            {"text": "the weather in hangzhou is MILD in spring!!", **GOOD},
            {
                "messages": [
                    {"role": "user", "content": "今天好累啊"},
                    {"role": "assistant", "content": "辛苦了，早点休息"},
                ],
                "origin": "user_interaction",
                "consent": ["training"],
                **GOOD,
            },
            {"text": "Licensed under nothing at all, I am afraid."},
            {"text": "ok"},  # too short after cleaning, and no licence
            "{truncated",
            b'{"text": "bad \xff byte"}',
            "[1, 2, 3]",
            {"title": "no text field", **GOOD},
            {"messages": "not a list", **GOOD},
            "",
            {"text": "<p>Zero\u200bwidth and <b>tags</b> &amp;amp; entities in a page.</p>", **GOOD},
        ],
    )


def test_run_writes_the_layout_and_accounts_for_every_record(tmp_path, project, mixed_input):
    out = tmp_path / "run"
    assert run_input(project, mixed_input, out) == 0
    run = read_run(out)
    lineage, manifest = run["lineage"], run["manifest"]

    # 12 lines, one blank: 11 records, each exactly once in the lineage.
    assert len(lineage) == 11 and len({r["id"] for r in lineage}) == 11
    assert sorted(r["row"] for r in lineage) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]
    governed = {r["id"] for r in run["governed"]}
    quarantined = {r["id"] for r in run["quarantine"]}
    assert not governed & quarantined
    decisions = Counter(r["decision"] for r in lineage)
    assert decisions == {"governed": 3, "quarantined": 7, "duplicate": 1}
    assert governed == {r["id"] for r in lineage if r["decision"] == "governed"}
    assert quarantined == {r["id"] for r in lineage if r["decision"] == "quarantined"}

    counts = manifest["counts"]
    assert counts["input"] == counts["governed"] + counts["quarantined"] + counts["duplicate"] == 11
    assert counts["by_reason"] == {
        "R1.missing_licence": 2,
        "R2.bad_messages": 1,
        "R2.invalid_utf8": 1,
        "R2.malformed_json": 1,
        "R2.missing_text": 1,
        "R2.not_an_object": 1,
        "R3.exact_duplicate": 1,
    }
    assert sum(o["rows"] for o in manifest["outputs"] if o["table"] == "lineage") == 11
    for output in manifest["outputs"]:
        assert hashlib.sha256((out / output["path"]).read_bytes()).hexdigest() == output["sha256"]
    [source] = manifest["sources"]
    assert (
        source["records"] == 11 and source["files"][0]["sha256"] == hashlib.sha256(mixed_input.read_bytes()).hexdigest()
    )
    assert manifest["params"]["sha256"] and manifest["code"]["commit"]
    assert manifest["reasons"]["R2.malformed_json"]["basis"].startswith("Measures")


def test_duplicates_point_at_their_kept_twin_and_cleaning_is_recorded(tmp_path, project, mixed_input):
    out = tmp_path / "run"
    run_input(project, mixed_input, out)
    lineage = {r["row"]: r for r in read_run(out)["lineage"]}
    assert lineage[1]["decision"] == "duplicate" and lineage[1]["duplicate_of"] == lineage[0]["id"]
    assert lineage[0]["source_record_id"] == "w1"
    assert lineage[0]["content_key"] == lineage[1]["content_key"]
    assert [s["stage"] for s in lineage[0]["trail"]] == [
        "ingest",
        "clean",
        "gate",
        "label",
        "synth.signals",
        "exact_dedup",
        "near_dedup",
        "risk",
        "synthetic",
    ]
    cleaned = lineage[11]["trail"][1]
    assert cleaned["action"] == "modify" and set(cleaned["detail"].split(",")) >= {"html", "zero_width"}
    governed = {r["id"]: r for r in read_run(out)["governed"]}
    assert governed[lineage[11]["id"]]["text"] == "Zerowidth and tags & entities in a page."
    chat = governed[lineage[2]["id"]]
    assert chat["text"] is None and chat["messages"][1]["content"] == "辛苦了，早点休息"


def test_quarantine_withholds_text_it_may_not_copy(tmp_path, project, mixed_input):
    out = tmp_path / "run"
    run_input(project, mixed_input, out)
    quarantine = {r["row"]: r for r in read_run(out)["quarantine"]}
    unlicensed = quarantine[3]
    assert unlicensed["reasons"] == ["R1.missing_licence"]
    assert unlicensed["text_withheld"] and unlicensed["text"] is None and unlicensed["raw_sha256"]
    assert unlicensed["content_sha256"]  # a hash to recognise it by, not the text
    everything_written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert b"Licensed under nothing" not in everything_written


def test_set_overrides_apply_to_the_run(tmp_path, project):
    path = write_jsonl(tmp_path / "short.jsonl", [{"text": "hey", **GOOD}])
    run_input(project, path, tmp_path / "run", "--set", "clean.min_chars=1")
    run = read_run(tmp_path / "run")
    assert len(run["governed"]) == 1
    assert run["manifest"]["params"]["values"]["clean"]["min_chars"] == 1


def test_parquet_csv_and_bad_files_in_one_run(tmp_path, project, capsys):
    pq.write_table(pa.table({"text": ["parquet row text"], "licence": ["CC0-1.0"]}), tmp_path / "t.parquet")
    (tmp_path / "c.csv").write_text("text,licence\ncsv row text,CC0-1.0\n", encoding="utf-8")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "odd.xml").write_text("<x/>", encoding="utf-8")
    names = ["t.parquet", "c.csv", "broken.parquet", "empty.jsonl", "odd.xml", "absent.jsonl"]
    code = corpusgate(
        "run",
        "--params",
        project / "params.yaml",
        "--out",
        tmp_path / "run",
        *(arg for n in names for arg in ("--input", tmp_path / n)),
    )
    assert code == 3  # the run finished, but some sources could not be read
    run = read_run(tmp_path / "run")
    assert sorted(r["text"] for r in run["governed"]) == ["csv row text", "parquet row text"]
    [unreadable] = run["quarantine"]
    assert unreadable["source"] == "broken" and unreadable["row"] == -1
    assert unreadable["reasons"] == ["R2.unreadable_file"]
    problems = {p["source"]: p["severity"] for p in run["manifest"]["problems"]}
    assert problems == {"empty": "warning", "odd": "error", "absent": "error"}
    printed = capsys.readouterr()
    assert "absent.jsonl: file not found" in printed.out and "source problem" in printed.err


def test_multi_process_run_decides_the_same(tmp_path, project, mixed_input):
    run_input(project, mixed_input, tmp_path / "one")
    run_input(project, mixed_input, tmp_path / "two", "--workers", "2")
    one, two = read_run(tmp_path / "one"), read_run(tmp_path / "two")
    assert two["manifest"]["run"]["mode"] == "multi_processing"

    def decisions(run):
        return sorted((r["id"], r["decision"], tuple(r["reasons"]), r["duplicate_of"]) for r in run["lineage"])

    assert decisions(one) == decisions(two)
    assert one["manifest"]["root_hash"] == two["manifest"]["root_hash"]


def test_local_stages_in_chunks_decide_as_record_by_record(tmp_path, project, mixed_input, monkeypatch, caplog):
    # Chunks of 3 mix kept records with ones held at ingest and clean: a held record reaches no later stage.
    caplog.set_level(logging.INFO, logger="corpusgate")
    runs = {}
    for size in (1, 3):
        monkeypatch.setattr(local, "RECORDS_PER_BATCH", size)
        caplog.clear()
        run_input(project, mixed_input, tmp_path / str(size), "--set", "run.progress_every=1")
        progress = sorted(r.getMessage() for r in caplog.records if "(this worker)" in r.getMessage())
        runs[size] = read_run(tmp_path / str(size)), progress
    (one, one_progress), (chunked, chunked_progress) = runs[1], runs[3]
    assert chunked["manifest"]["root_hash"] == one["manifest"]["root_hash"]
    assert chunked_progress == one_progress and any(m.startswith("label: 4 records") for m in one_progress)
    labelled = [any(step["stage"] == "label" for step in row["trail"]) for row in chunked["lineage"]]
    held_before = [
        any(step["action"] == "hold" and step["stage"] in ("ingest", "clean", "gate") for step in row["trail"])
        for row in chunked["lineage"]
    ]
    assert labelled == [not held for held in held_before] and any(held_before)


def test_rerun_replaces_a_previous_run_but_refuses_foreign_directories(tmp_path, project, mixed_input, capsys):
    out = tmp_path / "run"
    args = ("run", "--params", project / "params.yaml", "--input", mixed_input, "--out", out)
    assert corpusgate(*args, "--set", "run.shards=3") == 0
    assert corpusgate(*args) == 0
    assert len(list((out / "lineage").glob("*.parquet"))) == 1  # no shard of the first run left over
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious", encoding="utf-8")
    assert run_input(project, mixed_input, foreign) == 2
    assert "not a corpusgate run" in capsys.readouterr().err
    assert (foreign / "thesis.tex").read_text(encoding="utf-8") == "precious"


def test_unknown_options_are_refused_and_quiet_is_quiet(tmp_path, project, mixed_input, capsys, caplog):
    args = ("run", "--params", project / "params.yaml", "--input", mixed_input, "--out", tmp_path / "run")
    for typo in ("--wokers=2", "-w"):
        assert corpusgate(*args, typo) == 2 and typo in capsys.readouterr().err
    caplog.set_level(logging.DEBUG)
    assert corpusgate(*args, "-q") == 0
    assert not [r for r in caplog.records if r.name == "corpusgate" and r.levelno < logging.WARNING]
    assert corpusgate(*args) == 0
    assert any(r.getMessage().startswith("governing") for r in caplog.records)
    with pytest.raises(SystemExit):
        corpusgate("sample", "--params", project / "params.yaml", "--runner", "FlinkRunner")


def test_keep_first_prefers_the_earliest_source_position():
    late = to_record(TASK, RawRow(9, "00", {"text": "same"}))
    early = to_record(TASK, RawRow(2, "00", {"text": "same"}))
    group = [late, early]
    keep_first(group)
    assert (early.decision, late.decision, late.duplicate_of) == ("governed", "duplicate", early.id)


def test_keep_first_prefers_a_human_record_over_an_earlier_generated_copy():
    generated = to_record(TASK, RawRow(1, "00", {"text": "same"}))
    generated.labels["synthetic"] = {"signals": ["declared"]}
    human = to_record(TASK, RawRow(5, "00", {"text": "same"}))
    keep_first([generated, human])
    assert (human.decision, generated.decision, generated.duplicate_of) == ("governed", "duplicate", human.id)


def test_manifest_follows_its_schema(tmp_path, project, mixed_input):
    import jsonschema

    run_input(project, mixed_input, tmp_path / "run")
    schema = json.loads((REPO / "manifests" / "manifest.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(read_run(tmp_path / "run")["manifest"], schema)
    broken = {**read_run(tmp_path / "run")["manifest"], "root_hash": "not a hash"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_progress_is_logged_per_stage(tmp_path, project, mixed_input, caplog):
    caplog.set_level(logging.INFO, logger="corpusgate")
    run_input(project, mixed_input, tmp_path / "run", "--set", "run.progress_every=2")
    progress = [r.getMessage() for r in caplog.records if "(this worker)" in r.getMessage()]
    assert any(m.startswith("ingest: 10 records, 3 kept, 7 held back") for m in progress)
    assert any(m.startswith("clean: 4 records") for m in progress)

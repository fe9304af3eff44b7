"""`corpusgate verify` and `corpusgate trace` on one small run: tamper evidence (R2) and a record's story (R1)."""

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from pipelines.provenance.dvclock import dvc_md5, lock_disagreements, lock_facts
from pipelines.provenance.manifest import refresh_manifest, write_manifest
from tests.conftest import corpusgate, make_project, read_run, seed_keywords, write_jsonl

MOBILE = "13812345678"
CHAT = [
    {"role": "user", "content": f"今天好累啊，我的手机号是{MOBILE}"},
    {"role": "assistant", "content": "辛苦了，早点休息"},
]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, risk_model) -> Path:
    """One run, shared read-only: a kept text, its duplicate, a chat with PI, an unlicensed record, and one held back
    for a risk after the gate (its quarantine row keeps its text)."""
    project = make_project(tmp_path_factory.mktemp("project"), risk_model)
    path = write_jsonl(
        project / "input.jsonl",
        [
            {"text": "The weather in Hangzhou is mild in spring.", "id": "w1", "licence": "CC0-1.0"},
            {"text": "the weather in hangzhou is MILD in spring!!", "licence": "CC0-1.0"},
            {
                "messages": CHAT,
                "origin": "user_interaction",
                "consent": ["training"],
                "subject_id": "u-1",
                "licence": "CC0-1.0",
            },
            {"text": "Licensed under nothing at all, I am afraid."},
            {"text": f"{seed_keywords('A1.8', 1)[0]}, book now", "licence": "CC0-1.0"},
        ],
    )
    out = project / "run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CORPUSGATE_SUBJECT_KEY", "ab" * 32)
        # One small source with a harmful record would be refused whole (TC260-003 5.1): not what these tests are about.
        args = ("--input", path, "--out", out, "--set", "risk.hold_harmful_sources=false")
        assert corpusgate("run", "-q", "--params", project / "params.yaml", *args) == 0
    return out


@pytest.fixture
def run_copy(finished_run, tmp_path) -> Path:
    """A copy of the run that a test may tamper with."""
    return Path(shutil.copytree(finished_run, tmp_path / "run"))


def lineage_by_row(run_dir: Path) -> dict[int, dict]:
    return {r["row"]: r for r in read_run(run_dir)["lineage"]}


def file_holding(run_dir: Path, table: str, record_id: str) -> Path:
    [path] = [p for p in (run_dir / table).glob("*.parquet") if record_id in pq.read_table(p)["id"].to_pylist()]
    return path


def rewrite_row(path: Path, record_id: str, **changes) -> None:
    """Rewrite a Parquet file with one row's fields changed; the file stays readable with the same schema."""
    table = pq.read_table(path)
    rows = [{**row, **changes} if row["id"] == record_id else row for row in table.to_pylist()]
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)


def verify(run_dir: Path, capsys) -> tuple[int, str]:
    code = corpusgate("verify", "-q", run_dir)
    return code, capsys.readouterr().out


def trace(capsys, *args) -> tuple[int, str, str]:
    code = corpusgate("trace", "-q", *args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_untouched_run_is_intact(finished_run, capsys):
    run = read_run(finished_run)
    code, out = verify(finished_run, capsys)
    assert code == 0
    assert out.strip() == (
        f"intact: {len(run['manifest']['outputs'])} files, {len(run['governed'])} governed records, "
        f"root hash {run['manifest']['root_hash']}"
    )
    assert len(run["governed"]) == 2  # the text and the chat: both kinds of content hash are recomputed


@pytest.mark.parametrize("kind", ["text", "messages"])
def test_a_changed_record_is_named_with_its_file(run_copy, capsys, kind):
    lineage = lineage_by_row(run_copy)
    changed, untouched = (lineage[0], lineage[2]) if kind == "text" else (lineage[2], lineage[0])
    path = file_holding(run_copy, "governed", changed["id"])
    if kind == "text":
        rewrite_row(path, changed["id"], text="The weather in Hangzhou is wild in spring.")
    else:
        rewrite_row(path, changed["id"], messages=[CHAT[0], {"role": "assistant", "content": "辛苦了，晚点休息"}])
    code, out = verify(run_copy, capsys)
    assert code == 1
    relative = str(path.relative_to(run_copy))
    assert f"{relative}: changed" in out
    assert f"record {changed['id']}: its text does not hash to its content_sha256" in out
    assert untouched["id"] not in out
    assert "root hash: the manifest says" in out


def test_a_record_whose_hash_was_rewritten_too_is_caught_by_the_lineage(run_copy, capsys):
    kept = lineage_by_row(run_copy)[0]
    text = "The weather in Hangzhou is wild in spring."
    forged = {"text": text, "content_sha256": hashlib.sha256(text.encode()).hexdigest()}
    rewrite_row(file_holding(run_copy, "governed", kept["id"]), kept["id"], **forged)
    code, out = verify(run_copy, capsys)
    assert code == 1
    assert f"record {kept['id']}: differs from its lineage row in content_sha256" in out
    assert "does not hash" not in out


def test_a_changed_licence_is_named(run_copy, capsys):
    kept = lineage_by_row(run_copy)[0]
    rewrite_row(file_holding(run_copy, "governed", kept["id"]), kept["id"], licence="MIT")
    code, out = verify(run_copy, capsys)
    assert code == 1 and f"record {kept['id']}: differs from its lineage row in licence" in out
    assert "root hash" not in out  # the content is intact; the file hash and the lineage tell


def test_a_deleted_file_and_its_records_are_named(run_copy, capsys):
    lineage = lineage_by_row(run_copy)
    [path] = (run_copy / "quarantine").glob("*.parquet")
    path.unlink()
    code, out = verify(run_copy, capsys)
    assert code == 1
    assert f"{path.relative_to(run_copy)}: missing" in out
    for row in (3, 4):
        assert f"record {lineage[row]['id']}: quarantined in the lineage but not in quarantine/" in out


def test_an_unlisted_or_unreadable_file_is_named(run_copy, capsys):
    (run_copy / "governed" / "extra.parquet").write_bytes(b"not parquet")
    code, out = verify(run_copy, capsys)
    assert code == 1
    assert "governed/extra.parquet: not listed in the manifest; unreadable as Parquet" in out


def test_verify_refuses_what_is_not_a_run(tmp_path, capsys):
    assert corpusgate("verify", tmp_path / "nowhere") == 2
    assert "is not a directory" in capsys.readouterr().err
    assert corpusgate("verify", tmp_path) == 2
    assert "has no manifest.json: not a corpusgate run" in capsys.readouterr().err
    (tmp_path / "manifest.json").write_text("{truncated", encoding="utf-8")
    assert corpusgate("verify", tmp_path) == 2
    assert "is not readable JSON" in capsys.readouterr().err
    (tmp_path / "manifest.json").write_text('{"outputs": "none"}', encoding="utf-8")
    assert corpusgate("verify", tmp_path) == 2
    assert "is not a corpusgate manifest" in capsys.readouterr().err


def test_trace_tells_where_a_record_came_from_and_what_each_stage_did(finished_run, capsys):
    chat = lineage_by_row(finished_run)[2]
    code, out, _ = trace(capsys, chat["id"], "--run", finished_run)
    assert code == 0
    assert f"record {chat['id']}: governed" in out
    assert f"file {chat['file']}, row 2" in out
    assert "licence       CC0-1.0" in out and "origin        user_interaction" in out
    assert f"subject       {chat['subject']}" in out and chat["subject"].startswith("s-")
    trail = out.split("\ntrail\n")[1].split("\nlabels\n")[0].splitlines()
    assert [line.split()[:2] for line in trail] == [[s["stage"], s["action"]] for s in chat["trail"]]
    assert '"type": "CN_MOBILE"' in out  # PI types and offsets, never the value
    assert MOBILE not in out and "u-1" not in out and "早点休息" not in out


def test_trace_of_a_held_record_gives_the_legal_basis_of_its_reason(finished_run, capsys):
    unlicensed = lineage_by_row(finished_run)[3]
    code, out, _ = trace(capsys, unlicensed["id"], "--run", finished_run)
    assert code == 0
    assert "R1.missing_licence" in out and "(Measures art. 11; TC260-003 5.1)" in out
    assert "quarantine/" in out.split("stored in")[1].splitlines()[0]


def test_trace_json_is_the_lineage_row_with_the_run(finished_run, capsys):
    lineage = lineage_by_row(finished_run)
    manifest = read_run(finished_run)["manifest"]
    kept, duplicate = lineage[0], lineage[1]
    code, out, _ = trace(capsys, kept["id"], "--run", finished_run, "--json")
    assert code == 0
    story = json.loads(out)
    assert story["record"] == {**kept, "labels": json.loads(kept["labels"])}
    assert story["duplicates"] == [duplicate["id"]]
    assert story["stored_in"].startswith("governed/")
    assert story["run"]["params_sha256"] == manifest["params"]["sha256"]
    assert story["run"]["code"] == manifest["code"]
    [source] = manifest["sources"]
    assert story["source_file_sha256"] == source["files"][0]["sha256"]

    code, out, _ = trace(capsys, duplicate["id"], "--run", finished_run, "--json")
    story = json.loads(out)
    assert story["record"]["duplicate_of"] == kept["id"]
    assert story["reasons"]["R3.exact_duplicate"]["basis"] == manifest["reasons"]["R3.exact_duplicate"]["basis"]


@pytest.mark.parametrize(
    ("snippet", "row"),
    [("HANGZHOU is mild", 0), ("早点休息", 2), ("BOOK NOW", 4)],
    ids=["governed text, any case", "a chat message", "quarantined text"],
)
def test_trace_text_finds_the_record(finished_run, capsys, snippet, row):
    record_id = lineage_by_row(finished_run)[row]["id"]
    code, out, _ = trace(capsys, "--text", snippet, "--run", finished_run)
    assert code == 0 and out.startswith("1 record(s) contain the snippet") and f"record {record_id}:" in out
    code, out, _ = trace(capsys, "--text", snippet, "--run", finished_run, "--json")
    story = json.loads(out)
    assert story["matches"] == 1 and [r["record"]["id"] for r in story["records"]] == [record_id]


def test_trace_text_lists_every_match_up_to_the_limit(finished_run, capsys):
    lineage = lineage_by_row(finished_run)
    # "o": Hangzhou, the chat's <CN_MOBILE> placeholder, and the quarantined "book now": governed, then quarantined.
    expected = [*sorted([lineage[0]["id"], lineage[2]["id"]]), lineage[4]["id"]]
    code, out, _ = trace(capsys, "--text", "o", "--run", finished_run, "--json")
    assert code == 0 and [r["record"]["id"] for r in json.loads(out)["records"]] == expected
    code, out, _ = trace(capsys, "--text", "o", "--run", finished_run, "--limit", "1")
    assert out.startswith("3 record(s) contain the snippet; the first 1 shown")
    assert f"record {expected[0]}:" in out and not any(f"record {i}:" in out for i in expected[1:])


def test_trace_unknown_or_missing_input(finished_run, tmp_path, capsys):
    code, _, err = trace(capsys, "in-0000000000000000", "--run", finished_run)
    assert code == 1 and "no record in-0000000000000000 in the lineage" in err
    code, _, err = trace(capsys, "--text", "never written anywhere", "--run", finished_run)
    assert code == 1 and "no governed or quarantined record contains the snippet" in err
    assert "never written" not in err  # the snippet may be personal information: not echoed
    code, _, err = trace(capsys, "--text", "  ", "--run", finished_run)
    assert code == 2 and "snippet to search for is empty" in err
    code, _, err = trace(capsys, "anything", "--run", tmp_path)
    assert code == 2 and "not a corpusgate run" in err


def test_trace_tells_the_consent_and_the_negatives_derived_from_a_record(run_copy, capsys):
    lineage = lineage_by_row(run_copy)
    chat, risky = lineage[2], lineage[4]
    negatives = [
        {"negative_id": "neg-2", "kind": "safe_response", "origin_id": risky["id"], "template_id": "t7",
         "risk": "R6.A1.8", "language": "en", "prompt": "book now?", "chosen": "I can't help with that."},
        {"negative_id": "neg-1", "kind": "adversarial", "origin_id": risky["id"], "template_id": None,
         "risk": "R6.A1.8", "language": "en", "prompt": "b00k n0w", "chosen": None},
    ]  # fmt: skip
    shutil.rmtree(run_copy / "negatives")  # the run's own negatives (none here) give way to these
    (run_copy / "negatives").mkdir()
    pq.write_table(pa.Table.from_pylist(negatives), run_copy / "negatives" / "part-0.parquet")
    write_manifest(run_copy, refresh_manifest(read_run(run_copy)["manifest"], run_copy))

    code, out, _ = trace(capsys, chat["id"], "--run", run_copy)
    assert code == 0 and "consent       training" in out and "negatives derived from it" not in out
    code, out, _ = trace(capsys, risky["id"], "--run", run_copy)
    assert "consent       none declared" in out
    derived = out.split("negatives derived from it\n")[1].split("\nreasons\n")[0].splitlines()
    assert derived == [
        "  negative_id neg-1, kind adversarial, risk R6.A1.8, language en",
        "  negative_id neg-2, kind safe_response, template_id t7, risk R6.A1.8, language en",
    ]
    assert "book now?" not in out and "b00k" not in out  # what a negative is, never its content
    code, out, _ = trace(capsys, risky["id"], "--run", run_copy, "--json")
    story = json.loads(out)
    assert [n["negative_id"] for n in story["negatives"]] == ["neg-1", "neg-2"]
    assert set(story["negatives"][0]) == {"negative_id", "kind", "template_id", "risk", "language"}
    assert story["run"]["code"]["commit"] and story["run"]["params_sha256"]


def test_the_manifest_records_dvc_lock_hashes_and_verify_checks_them(tmp_path, risk_model, monkeypatch, capsys):
    """A handmade dvc.lock: an upstream stage whose output the run reads, then the run's own stage as
    `dvc repro` would write it after the run; the lock and the manifest must agree."""
    project = make_project(tmp_path, risk_model)
    data = write_jsonl(project / "input.jsonl", [{"text": "The weather in Hangzhou is mild.", "licence": "CC0-1.0"}])
    md5 = hashlib.md5(data.read_bytes()).hexdigest()
    lock = {"schema": "2.0", "stages": {"prepare": {"cmd": "prepare", "outs": [{"path": "input.jsonl", "md5": md5}]}}}
    (project / "dvc.lock").write_text(yaml.safe_dump(lock), encoding="utf-8")
    monkeypatch.setenv("CORPUSGATE_SUBJECT_KEY", "ab" * 32)
    monkeypatch.setenv("DVC_STAGE", "govern")
    monkeypatch.setenv("DVC_ROOT", str(project))
    assert corpusgate("run", "-q", "--params", project / "params.yaml", "--input", data, "--out", project / "run") == 0
    facts = read_run(project / "run")["manifest"]["dvc"]
    assert facts == {
        "lock": "dvc.lock",
        "project": "..",
        "stage": "govern",
        "upstream": [{"stage": "prepare", "path": "input.jsonl", "lock_md5": md5, "md5": md5}],
    }
    assert corpusgate("verify", "-q", project / "run") == 0
    assert "dvc.lock agrees" not in capsys.readouterr().out  # no stage claims the run yet: nothing to compare

    lock["stages"]["govern"] = {
        "cmd": "corpusgate run",
        "deps": [{"path": "input.jsonl", "md5": md5}],
        "outs": [{"path": "run", "md5": dvc_md5(project / "run")}],
    }
    (project / "dvc.lock").write_text(yaml.safe_dump(lock), encoding="utf-8")
    assert corpusgate("verify", "-q", project / "run") == 0
    assert "dvc.lock agrees: stage govern" in capsys.readouterr().out

    lock["stages"]["govern"]["deps"][0]["md5"] = "0" * 32
    (project / "dvc.lock").write_text(yaml.safe_dump(lock), encoding="utf-8")
    assert corpusgate("verify", "-q", project / "run") == 1
    out = capsys.readouterr().out
    assert f"stage govern depends on input.jsonl at md5 {'0' * 32}; the run read md5 {md5}" in out
    assert "recorded run at md5" not in out

    (project / "run" / "notes.txt").write_text("added after the run", encoding="utf-8")
    assert corpusgate("verify", "-q", project / "run") == 1
    assert "stage govern recorded run at md5" in capsys.readouterr().out


def test_an_unreadable_or_odd_dvc_lock_never_stops_a_run(tmp_path, monkeypatch):
    monkeypatch.delenv("DVC_STAGE", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)
    (tmp_path / "run").mkdir()
    (tmp_path / "dvc.lock").write_text("stages: [unclosed", encoding="utf-8")
    assert lock_facts(tmp_path / "run", tmp_path) is None
    (tmp_path / "data.txt").write_bytes(b"abc")
    odd = {"stages": {"a": {"outs": [{"md5": "x"}, "text", {"path": "data.txt", "md5": "y"}]}, "b": "not a stage"}}
    (tmp_path / "dvc.lock").write_text(yaml.safe_dump(odd), encoding="utf-8")
    facts = lock_facts(tmp_path / "run", tmp_path)
    assert facts["upstream"] == [
        {"stage": "a", "path": "data.txt", "lock_md5": "y", "md5": hashlib.md5(b"abc").hexdigest()}
    ]
    assert lock_disagreements(tmp_path / "run", {"lock": "dvc.lock"}) == (
        None,
        ["the manifest's `dvc` section is malformed: it lacks `project` or `upstream`"],
    )

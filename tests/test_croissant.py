"""`corpusgate export croissant`: the governed set as Croissant 1.0 JSON-LD with the RAI fields, valid for mlcroissant,
offline; it describes with counts, types and hashes only (R1, R2, R10)."""

import json
import shutil
import socket
from pathlib import Path

import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest

from pipelines.provenance.croissant import CroissantError, validate
from pipelines.provenance.manifest import file_sha256
from tests.conftest import corpusgate, make_project, read_run, write_jsonl

# Third-party deprecations inside mlcroissant's reader, not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated"),
    pytest.mark.filterwarnings("ignore:The inplace keyword"),
]

MOBILE = "13812345678"
CHAT = [{"role": "user", "content": f"我的手机号是{MOBILE}"}, {"role": "assistant", "content": "好的"}]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, risk_model) -> Path:
    project = make_project(tmp_path_factory.mktemp("project"), risk_model)
    path = write_jsonl(
        project / "input.jsonl",
        [
            {"text": "The weather in Hangzhou is mild in spring.", "licence": "CC0-1.0"},
            {"text": "Cooking rice needs the right amount of water.", "licence": "CC-BY-4.0", "origin": "synthetic",
             "generator": {"model": "m-1", "service": "s", "obtained_at": "2026-09-01"}},
            {"messages": CHAT, "origin": "user_interaction", "consent": ["training"], "subject_id": "u-7",
             "licence": "CC0-1.0"},
            {"text": "Licensed under nothing at all, I am afraid."},
        ],
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CORPUSGATE_SUBJECT_KEY", "ab" * 32)
        assert (
            corpusgate("run", "-q", "--params", project / "params.yaml", "--input", path, "--out", project / "run") == 0
        )
    return project / "run"


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_export_validates_and_reads_back_the_governed_set(run_dir, offline, capsys):
    assert corpusgate("export", "croissant", "-q", run_dir) == 0
    path = run_dir.parent / "run.croissant.json"
    assert f"wrote {path}" in capsys.readouterr().out

    dataset = mlc.Dataset(jsonld=str(path))  # validates; raises on an error
    assert dataset.metadata.ctx.issues.errors == set() and dataset.metadata.ctx.issues.warnings == set()
    governed = {row["id"]: row for row in read_run(run_dir)["governed"]}
    records = list(dataset.records("governed"))
    assert {r["governed/id"].decode() for r in records} == set(governed)
    for record in records:
        row = governed[record["governed/id"].decode()]
        text = record["governed/text"]
        assert (text.decode() if text is not None else None) == row["text"]
        assert record["governed/content_sha256"].decode() == row["content_sha256"]
        if row["messages"]:
            turns = [{k.rsplit("/", 1)[1]: v.decode() for k, v in m.items()} for m in record["governed/messages"]]
            assert turns == row["messages"]

    document = json.loads(path.read_text("utf-8"))
    manifest = read_run(run_dir)["manifest"]
    objects = [d for d in document["distribution"] if d["@type"] == "cr:FileObject"]
    assert {o["sha256"] for o in objects} == {file_sha256(p) for p in (run_dir / "governed").glob("*.parquet")}
    assert {o["sha256"] for o in objects} == {o["sha256"] for o in manifest["outputs"] if o["table"] == "governed"}
    assert document["license"] == ["CC-BY-4.0", "CC0-1.0"]
    assert manifest["root_hash"] in document["description"]
    assert "Synthetic share: 1 of 3 governed records (33.3%) are synthetic" in document["rai:dataCollection"]
    assert "CN_MOBILE: in 1 governed record(s), redact" in document["rai:personalSensitiveInformation"]
    assert any("1 records were held back" in item for item in document["rai:dataLimitations"])
    assert document["rai:dataCollectionType"] == [
        "Human-written text from declared sources: 1 record(s)",
        "Synthetic (machine-generated) data: 1 record(s)",
        "User interaction data, with the users' consent to training: 1 record(s)",
    ]
    text = path.read_text("utf-8")
    assert MOBILE not in text and "u-7" not in text and "Hangzhou" not in text  # described, never copied


def test_the_file_may_sit_in_the_run_or_above_it_not_beside(run_dir, tmp_path, offline, capsys):
    copy = Path(shutil.copytree(run_dir, tmp_path / "runs" / "r1"))
    assert corpusgate("export", "croissant", "-q", copy, "--out", tmp_path / "catalogue.json") == 0
    assert json.loads((tmp_path / "catalogue.json").read_text("utf-8"))["distribution"][-1]["includes"] == (
        "runs/r1/governed/*.parquet"
    )
    assert len(list(mlc.Dataset(jsonld=str(tmp_path / "catalogue.json")).records("governed"))) == 3
    assert corpusgate("verify", "-q", copy) == 0  # a Croissant file inside the run is no output of it

    code = corpusgate("export", "croissant", "-q", copy, "--out", tmp_path / "elsewhere" / "c.json")
    assert code == 2 and "finds its files below its own folder" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere" / "c.json").exists()


def test_a_changed_run_or_no_run_is_not_exported(run_dir, tmp_path, capsys):
    copy = Path(shutil.copytree(run_dir, tmp_path / "run"))
    [governed] = (copy / "governed").glob("*.parquet")
    pq.write_table(pq.read_table(governed).slice(1), governed)
    assert corpusgate("export", "croissant", "-q", copy) == 2
    assert "is not intact" in capsys.readouterr().err
    assert not (tmp_path / "run.croissant.json").exists()
    assert corpusgate("export", "croissant", "-q", tmp_path / "nowhere") == 2
    assert "is not a directory" in capsys.readouterr().err


def test_validate_reports_an_invalid_file(run_dir, tmp_path):
    assert corpusgate("export", "croissant", "-q", run_dir, "--out", run_dir / "croissant.json") == 0
    document = json.loads((run_dir / "croissant.json").read_text("utf-8"))
    (run_dir / "croissant.json").unlink()
    document["recordSet"][0]["field"][0]["source"]["fileSet"]["@id"] = "no-such-files"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CroissantError, match="is not valid Croissant"):
        validate(broken)

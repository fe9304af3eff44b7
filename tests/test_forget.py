"""`corpusgate forget`: a subject's records and what derives from them leave the dataset as a new version with a
receipt (R8, R9: Measures art. 14; PIPL art. 47); the old version stays as it was; no personal data in the receipt."""

import json
import shutil
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.detectors.pseudonyms import subject_pseudonym
from pipelines.provenance.manifest import file_sha256, refresh_manifest, write_manifest
from tests.conftest import REPO, corpusgate, make_project, read_run, write_jsonl

KEY = "cd" * 32
MOBILE = "13812345678"
CHAT = [{"role": "user", "content": f"我的手机号是{MOBILE}，记一下"}, {"role": "assistant", "content": "好的，记住了"}]
TEXTS = {
    "hiking": "I went hiking with my dog in the hills today.",
    "tea": "Please remember that I like green tea.",
    "rice": "Cooking rice needs the right amount of water.",
}
CONSENTED = {"origin": "user_interaction", "consent": ["training"], "licence": "CC0-1.0"}


@pytest.fixture(scope="module")
def project(tmp_path_factory, risk_model) -> Path:
    """A run where subject u-1 has a chat and a text (both governed; the text has an exact twin from no subject)
    and a record held for lack of consent; u-2 has one record; two records have no subject."""
    project = make_project(tmp_path_factory.mktemp("project"), risk_model)
    path = write_jsonl(
        project / "input.jsonl",
        [
            {"text": "The weather in Hangzhou is mild in spring.", "licence": "CC0-1.0"},  # row 0
            {"messages": CHAT, "subject_id": "u-1", **CONSENTED},  # 1
            {"text": TEXTS["hiking"], "subject_id": "u-1", **CONSENTED},  # 2
            {"text": TEXTS["hiking"].lower().rstrip("."), "licence": "CC0-1.0"},  # 3: twin of 2
            {"text": TEXTS["tea"], "subject_id": "u-1", "origin": "user_interaction", "licence": "CC0-1.0"},  # 4
            {"text": TEXTS["rice"], "subject_id": "u-2", **CONSENTED},  # 5
            {"text": "Licensed under nothing at all, I am afraid."},  # 6
        ],
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CORPUSGATE_SUBJECT_KEY", KEY)
        assert (
            corpusgate("run", "-q", "--params", project / "params.yaml", "--input", path, "--out", project / "run") == 0
        )
    return project


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("CORPUSGATE_SUBJECT_KEY", KEY)


@pytest.fixture
def run_copy(project, tmp_path) -> Path:
    return Path(shutil.copytree(project / "run", tmp_path / "run"))


def forget(project: Path, run: Path, out: Path, *args, capsys=None) -> tuple[int, str]:
    code = corpusgate("forget", "-q", *args, "--run", run, "--out", out, "--params", project / "params.yaml")
    captured = capsys.readouterr() if capsys else None
    return code, (captured.out + captured.err) if captured else ""


def by_row(run: dict) -> dict[int, dict]:
    return {r["row"]: r for r in run["lineage"]}


def hashes(run_dir: Path) -> dict[str, str]:
    return {str(p.relative_to(run_dir)): file_sha256(p) for p in sorted(run_dir.rglob("*")) if p.is_file()}


def test_forget_removes_the_subjects_records_and_their_twins_as_a_new_version(project, tmp_path, key, capsys):
    old_dir, new_dir = project / "run", tmp_path / "v2"
    before = hashes(old_dir)
    old = read_run(old_dir)
    rows = by_row(old)
    assert [rows[r]["decision"] for r in range(7)] == [
        "governed", "governed", "governed", "duplicate", "quarantined", "governed", "quarantined"
    ]  # fmt: skip
    pseudonym = subject_pseudonym(bytes.fromhex(KEY), "u-1")
    assert {r for r, row in rows.items() if row["subject"] == pseudonym} == {1, 2, 4}

    code, out = forget(project, old_dir, new_dir, "u-1", capsys=capsys)
    assert code == 0, out
    assert "forgot 4 record(s) (1 duplicate, 2 governed, 1 quarantined) and 0 negative sample(s)" in out
    assert hashes(old_dir) == before  # the old version is never touched

    new = read_run(new_dir)
    gone = {rows[r]["id"] for r in (1, 2, 3, 4)}
    kept = {rows[r]["id"] for r in (0, 5, 6)}
    assert {r["id"] for r in new["governed"]} == {rows[0]["id"], rows[5]["id"]}
    assert {r["id"] for r in new["quarantine"]} == {rows[6]["id"]}
    assert [r for r in new["governed"] if r["id"] in kept] == [r for r in old["governed"] if r["id"] in kept]
    # Every input record still has exactly one lineage row; a forgotten one keeps its pointer and nothing else.
    assert sorted(r["id"] for r in new["lineage"]) == sorted(r["id"] for r in old["lineage"])
    for stone in (r for r in new["lineage"] if r["id"] in gone):
        old_row = next(r for r in old["lineage"] if r["id"] == stone["id"])
        assert (stone["decision"], stone["reasons"]) == ("forgotten", ["R9.forgotten"])
        assert {k: stone[k] for k in ("source", "file", "row")} == {k: old_row[k] for k in ("source", "file", "row")}
        assert all(stone[k] is None for k in ("subject", "raw_sha256", "content_sha256", "labels", "duplicate_of"))
    twin = next(r for r in new["lineage"] if r["row"] == 3)
    assert f"duplicate of forgotten record {rows[2]['id']}" in twin["trail"][0]["detail"]
    assert [r for r in new["lineage"] if r["id"] in kept] == [r for r in old["lineage"] if r["id"] in kept]

    assert corpusgate("verify", "-q", new_dir) == 0
    assert "intact" in capsys.readouterr().out
    assert corpusgate("trace", "-q", rows[3]["id"], "--run", new_dir) == 0
    told = capsys.readouterr().out
    assert f"record {rows[3]['id']}: forgotten" in told and "R9.forgotten" in told and "PIPL art. 47" in told
    assert "file input.jsonl, row 3" in told and TEXTS["hiking"].lower() not in told
    manifest = new["manifest"]
    jsonschema.validate(manifest, json.loads((REPO / "manifests/manifest.schema.json").read_text("utf-8")))
    counts = manifest["counts"]
    assert (counts["input"], counts["governed"], counts["quarantined"], counts["duplicate"]) == (7, 2, 1, 0)
    assert counts["forgotten"] == 4 and counts["by_reason"]["R9.forgotten"] == 4
    [entry] = manifest["history"]
    assert entry["previous"] == {
        "path": str(old_dir),
        "version": 0,
        "root_hash": old["manifest"]["root_hash"],
        "manifest_sha256": file_sha256(old_dir / "manifest.json"),
    }
    assert manifest["root_hash"] != old["manifest"]["root_hash"]
    receipt_file = new_dir / entry["receipt"]["path"]
    assert file_sha256(receipt_file) == entry["receipt"]["sha256"]

    receipt = json.loads(receipt_file.read_text("utf-8"))
    assert receipt["new_version"] == {"path": str(new_dir), "version": 1, "root_hash": manifest["root_hash"]}
    assert receipt["request"] == {"subjects": 1, "subjects_matched": 1, "records": 0}
    gone_ids = receipt["forgotten"]["ids"]
    assert {i["id"] for i in gone_ids} == gone
    assert {i["id"]: i["because"] for i in gone_ids}[rows[3]["id"]] == "duplicate_of_forgotten"
    assert receipt["forgotten"]["by_decision"] == {"duplicate": 1, "governed": 2, "quarantined": 1}
    assert receipt["at_source"] == [{"source": "input", "file": "input.jsonl", "rows": [1, 2, 3, 4]}]
    old_hashes = {o["path"]: o["sha256"] for o in old["manifest"]["outputs"]}
    new_hashes = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    # governed, quarantine and lineage all lose rows; the (empty) negatives table does not change
    assert {f["path"] for f in receipt["files"]} == {path for path in new_hashes if not path.startswith("negatives/")}
    for change in receipt["files"]:
        assert (change["sha256_before"], change["sha256_after"]) == (
            old_hashes[change["path"]],
            new_hashes[change["path"]],
        )

    # No personal data: no subject id, no pseudonym, no text, no PI value, in the receipt, the manifest or the output.
    for document in (receipt_file.read_text("utf-8"), (new_dir / "manifest.json").read_text("utf-8"), out):
        for secret in ("u-1", pseudonym, MOBILE, "记住了", TEXTS["hiking"], TEXTS["tea"]):
            assert secret not in document


def test_forget_by_record_id_and_again_on_the_new_version(project, tmp_path, key, capsys):
    rows = by_row(read_run(project / "run"))
    v2, v3 = tmp_path / "v2", tmp_path / "v3"
    code, out = forget(project, project / "run", v2, "--record", rows[5]["id"], capsys=capsys)
    assert code == 0 and "forgot 1 record(s) (1 governed)" in out
    assert rows[5]["id"] not in {r["id"] for r in read_run(v2)["governed"]}
    assert rows[2]["id"] in {r["id"] for r in read_run(v2)["governed"]}  # u-1 was not asked for

    code, out = forget(project, v2, v3, "u-1", capsys=capsys)
    assert code == 0, out
    manifest = read_run(v3)["manifest"]
    assert [h["previous"]["version"] for h in manifest["history"]] == [0, 1]
    assert len(list((v3 / "receipts").glob("*.json"))) == 2  # every receipt since the run travels with the version
    assert {r["id"] for r in read_run(v3)["governed"]} == {rows[0]["id"]}
    assert corpusgate("verify", "-q", v3) == 0

    # Nothing of u-1 is left: no new version, exit 1, and the id is not echoed.
    code, out = forget(project, v3, tmp_path / "v4", "u-1", capsys=capsys)
    assert code == 1 and "no record of the subject(s) or id(s)" in out and "u-1" not in out
    assert not (tmp_path / "v4").exists()
    # A forgotten record asked for again is nothing to forget either.
    code, out = forget(project, v3, tmp_path / "v4", "--record", rows[5]["id"], capsys=capsys)
    assert code == 1 and not (tmp_path / "v4").exists()


def test_a_changed_receipt_fails_verify(project, tmp_path, key, capsys):
    v2 = tmp_path / "v2"
    assert forget(project, project / "run", v2, "u-2")[0] == 0
    [receipt] = (v2 / "receipts").glob("*.json")
    receipt.write_text(receipt.read_text("utf-8").replace('"records": 1', '"records": 0', 1), encoding="utf-8")
    code = corpusgate("verify", "-q", v2)
    assert code == 1
    assert f"receipts/{receipt.name}: changed: its sha256 is not the manifest history's" in capsys.readouterr().out


def test_negatives_derived_from_forgotten_records_go_too(project, run_copy, tmp_path, key, capsys):
    rows = by_row(read_run(run_copy))
    negatives = [
        {"negative_id": "neg-1", "kind": "safe_response", "origin_id": rows[2]["id"], "template_id": "t1",
         "risk": "R6.C.self_harm", "language": "en", "prompt": "p1", "chosen": "c1", "rejected": "r1"},
        {"negative_id": "neg-2", "kind": "adversarial", "origin_id": rows[3]["id"], "template_id": "t2",
         "risk": "R6.A1.8", "language": "en", "prompt": "p2", "chosen": None, "rejected": None},
        {"negative_id": "neg-3", "kind": "safe_response", "origin_id": rows[0]["id"], "template_id": "t1",
         "risk": "R6.A1.8", "language": "en", "prompt": "p3", "chosen": "c3", "rejected": "r3"},
    ]  # fmt: skip
    shutil.rmtree(run_copy / "negatives")  # the run's own negatives (none here) give way to these
    (run_copy / "negatives").mkdir()
    pq.write_table(pa.Table.from_pylist(negatives), run_copy / "negatives" / "part-0.parquet")
    manifest = json.loads((run_copy / "manifest.json").read_text("utf-8"))
    write_manifest(run_copy, refresh_manifest(manifest, run_copy))  # as the run that wrote them would list them
    assert corpusgate("verify", "-q", run_copy) == 0

    code, out = forget(project, run_copy, tmp_path / "v2", "u-1", capsys=capsys)
    assert code == 0 and "and 2 negative sample(s)" in out
    left = pq.read_table(tmp_path / "v2" / "negatives").to_pylist()
    assert left == [negatives[2]]  # the one from a kept record, as it was
    receipt = json.loads(next((tmp_path / "v2" / "receipts").glob("*.json")).read_text("utf-8"))
    assert receipt["forgotten"]["negative_ids"] == ["neg-1", "neg-2"]  # neg-2 came from u-1's twin
    assert "negatives/part-0.parquet" in {f["path"] for f in receipt["files"]}
    assert corpusgate("verify", "-q", tmp_path / "v2") == 0

    # A negatives table that does not say where its rows come from cannot be forgotten from.
    pq.write_table(
        pa.Table.from_pylist([{"negative_id": "neg-9", "prompt": "p"}]), run_copy / "negatives" / "x.parquet"
    )
    write_manifest(run_copy, refresh_manifest(manifest, run_copy))
    code, out = forget(project, run_copy, tmp_path / "v3", "u-1", capsys=capsys)
    assert code == 2 and "negatives/x.parquet has no origin_id column" in out
    assert not (tmp_path / "v3").exists()


def test_forget_refuses_what_it_cannot_do_safely(project, run_copy, tmp_path, monkeypatch, capsys):
    out = tmp_path / "v2"
    monkeypatch.setenv("CORPUSGATE_SUBJECT_KEY", "ef" * 32)
    code, said = forget(project, run_copy, out, "u-1", capsys=capsys)
    assert code == 2 and "not the one this run used" in said and not out.exists()
    monkeypatch.delenv("CORPUSGATE_SUBJECT_KEY")
    code, said = forget(project, run_copy, out, "u-1", capsys=capsys)
    assert code == 2 and "no pseudonymisation key" in said and not out.exists()
    monkeypatch.setenv("CORPUSGATE_SUBJECT_KEY", KEY)

    code, said = forget(project, run_copy, out, "--record", "input-0000000000000000", capsys=capsys)
    assert code == 1 and "no record input-0000000000000000 in the lineage" in said and not out.exists()
    code, said = forget(project, run_copy, out, capsys=capsys)
    assert code == 2 and "name a SUBJECT_ID" in said
    code, said = forget(project, run_copy, out, "nobody-at-all", capsys=capsys)
    assert code == 1 and "nobody-at-all" not in said and not out.exists()
    code, said = forget(project, run_copy, run_copy / "v2", "u-1", capsys=capsys)
    assert code == 2 and "outside the run" in said
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine", encoding="utf-8")
    code, said = forget(project, run_copy, tmp_path / "full", "u-1", capsys=capsys)
    assert code == 2 and "not empty" in said and (tmp_path / "full" / "keep.txt").read_text("utf-8") == "mine"
    code, said = forget(project, tmp_path / "nowhere", out, "u-1", capsys=capsys)
    assert code == 2 and "is not a directory" in said

    [governed] = (run_copy / "governed").glob("*.parquet")
    table = pq.read_table(governed)
    pq.write_table(table.slice(1), governed)  # one governed record deleted by hand
    code, said = forget(project, run_copy, out, "u-1", capsys=capsys)
    assert code == 2 and "is not intact" in said and not out.exists()
    assert not list(tmp_path.glob(".*partial"))


def test_subjects_from_a_file_keep_ids_off_the_command_line(project, tmp_path, key, capsys):
    ids = tmp_path / "subjects.txt"
    ids.write_text("u-2\n\n  u-1  \n", encoding="utf-8")
    code, out = forget(project, project / "run", tmp_path / "v2", "--subjects-file", ids, "--json", capsys=capsys)
    assert code == 0
    receipt = json.loads(out)
    assert receipt["request"] == {"subjects": 2, "subjects_matched": 2, "records": 0}
    assert receipt["forgotten"]["records"] == 5
    code, out = forget(project, project / "run", tmp_path / "v3", "--subjects-file", tmp_path / "none", capsys=capsys)
    assert code == 2 and "none" in out

"""The write stage: rows written as runs by the workers, then each output file its runs sorted (pipelines/stages/
write.py); and the manifest and the synthetic report read the lineage a batch at a time."""

import pyarrow.parquet as pq

from pipelines.provenance import manifest
from pipelines.stages import write
from tests.conftest import read_run, write_jsonl
from tests.test_run import GOOD, run_input

TEXTS = [
    "The river port handled grain and timber for three centuries.",
    "Spring tea from the western hills is picked before the rains.",
    "杭州的春天很温和，西湖边的柳树发芽了。",
    "The library opens at nine and closes at six on weekdays.",
    "A new bridge joins the two halves of the old town.",
    "北京的冬天很冷，但是阳光很好。",
    "Rice terraces climb the hillside in narrow steps.",
]


def _corpus(tmp_path):
    lines = [{"text": f"{TEXTS[n % 7]} Note {n}.", "id": f"r{n:03d}", **GOOD} for n in range(40)]
    lines += [{"text": "Licensed under nothing at all, I am afraid."}, "{truncated"]
    return write_jsonl(tmp_path / "in.jsonl", lines)


def _files(out):
    return {p.relative_to(out): p.read_bytes() for p in sorted(out.glob("*/*.parquet"))}


def test_many_small_runs_give_the_same_files_sorted_and_leave_no_run_behind(tmp_path, project, monkeypatch):
    corpus = _corpus(tmp_path)
    assert run_input(project, corpus, tmp_path / "one", "--set", "run.shards=3") == 0
    monkeypatch.setattr(write, "RUN_ROWS", 2)  # every second row closes a run: many runs per output file
    assert run_input(project, corpus, tmp_path / "many", "--set", "run.shards=3", "--set", "run.keep_work=true") == 0

    one, many = _files(tmp_path / "one"), _files(tmp_path / "many")
    assert len(one) == 12 and one == many
    assert not list((tmp_path / "many" / ".work" / "scratch" / "write").rglob("*.arrow"))
    run = read_run(tmp_path / "many")
    assert len(run["lineage"]) == 42 and run["manifest"]["counts"]["input"] == 42
    for path in (tmp_path / "many" / "lineage").glob("*.parquet"):
        ids = pq.read_table(path)["id"].to_pylist()
        assert ids == sorted(ids) and all(write.shard_of(i, 3) == int(path.name[5:10]) for i in ids)


def test_an_empty_shard_is_written_with_its_schema(tmp_path, project):
    corpus = write_jsonl(tmp_path / "in.jsonl", [{"text": TEXTS[0], "id": "only", **GOOD}])
    assert run_input(project, corpus, tmp_path / "run", "--set", "run.shards=4") == 0
    governed = sorted((tmp_path / "run" / "governed").glob("*.parquet"))
    assert len(governed) == 4
    assert sum(pq.read_table(p).num_rows for p in governed) == 1
    assert all(pq.read_schema(p) == write.TABLES["governed"] for p in governed)


def test_the_manifest_reads_the_lineage_in_batches_with_the_same_figures(tmp_path, project, monkeypatch):
    out = tmp_path / "run"
    assert run_input(project, _corpus(tmp_path), out, "--set", "run.shards=3") == 0
    whole = read_run(out)["manifest"]
    monkeypatch.setattr(manifest, "BATCH_ROWS", 3)
    batched = manifest.refresh_manifest(whole, out)
    assert batched == whole
    governed = sorted((r["id"], r["content_sha256"]) for r in read_run(out)["governed"])
    assert list(manifest.governed_pairs(out)) == governed
    assert whole["root_hash"] == manifest.root_hash(governed)

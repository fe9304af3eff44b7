"""Resumable runs: a run killed with SIGKILL halfway and started again reuses its finished shards and writes the
same outputs, byte for byte, as a run that was never interrupted (issue #9)."""

import logging
import os
import signal
import subprocess
import sys
import time

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipelines.checkpoints import SCRATCH_DIR, WORK_DIR, checkpoint_path, plan_shards, read_checkpoint, write_checkpoint
from pipelines.params import Params
from pipelines.sources import FileTask
from pipelines.stages.base import HELD, KEPT, RecordStage
from pipelines.stages.ingest import read_shard
from pipelines.stages.local import LocalStages
from tests.conftest import REPO, corpusgate, read_run, write_jsonl

GOOD = {"licence": "CC0-1.0"}
SHARD_RECORDS = "run.shard_records=15"


@pytest.fixture
def inputs(tmp_path):
    """Three files of 45 lines: plain records, duplicates across files, interaction data without consent (held
    back, its text withheld) and a malformed line."""
    files = []
    for f in range(3):
        lines = []
        for i in range(45):
            if i % 9 == 4:
                lines.append({"text": f"Shared sentence number {i} about tea gardens in the hills.", **GOOD})
            elif i % 9 == 7:
                lines.append({"text": f"My private chat line {f}-{i}.", "origin": "user_interaction", **GOOD})
            elif i == 20:
                lines.append("{not json")
            else:
                lines.append({"text": f"File {f}, record {i}: the ferry leaves the harbour at dawn.", **GOOD})
        files.append(write_jsonl(tmp_path / f"part{f}.jsonl", lines))
    return files


def run_args(project, inputs, out):
    args = ["run", "--params", project / "params.yaml", "--out", out, "--set", SHARD_RECORDS]
    return [*args, *(arg for path in inputs for arg in ("--input", path))]


def outputs(run_dir):
    manifest = read_run(run_dir)["manifest"]
    return sorted((o["path"], o["sha256"]) for o in manifest["outputs"]), manifest["root_hash"]


def test_a_killed_run_resumes_without_redoing_shards_and_writes_identical_outputs(tmp_path, project, inputs, caplog):
    assert corpusgate(*run_args(project, inputs, tmp_path / "whole")) == 0
    assert not (tmp_path / "whole" / WORK_DIR).exists()  # checkpoints are removed after a successful run

    # Killed with its two worker processes as soon as one shard is finished.
    out = tmp_path / "resumed"
    argv = [str(a) for a in run_args(project, inputs, out)] + ["--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *argv], env=env, start_new_session=True, stderr=subprocess.DEVNULL
    )
    shards = out / WORK_DIR / "shards"
    deadline = time.monotonic() + 120
    while not list(shards.glob("*.pickle")) and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in shards.glob("*.pickle")}
    assert finished, "the run ended before any shard was checkpointed"
    assert not (out / "manifest.json").exists(), "the run completed before it was killed"

    caplog.clear()
    caplog.set_level(logging.INFO, logger="corpusgate")
    assert corpusgate(*run_args(project, inputs, out), "--set", "run.keep_work=true") == 0
    planned = [r.getMessage() for r in caplog.records if "finished by an earlier attempt" in r.getMessage()]
    assert planned == [f"9 shards; {len(finished)} finished by an earlier attempt of this run, reused"]
    # The finished shards were not computed again: their checkpoints are the files the killed run wrote.
    assert {name: (shards / name).stat().st_mtime_ns for name in finished} == finished
    assert len(list(shards.glob("*.pickle"))) == 9
    # The killed attempt's spill files and write runs are gone, and this attempt's were removed as it went.
    scratch = (out / WORK_DIR / SCRATCH_DIR).rglob("*")
    assert not [path for path in scratch if path.is_file() or path.name.startswith("corpusgate-spill-")]
    run = read_run(out)["manifest"]["run"]
    assert (run["shards"], run["shards_reused"]) == (9, len(finished))

    assert outputs(out) == outputs(tmp_path / "whole")
    assert corpusgate("verify", out) == 0

    # Nothing leaked into the checkpoints: a record held back for lack of consent is kept by pointer and hash.
    records = [r for path in shards.glob("*.pickle") for r in read_checkpoint(path)]
    no_consent = [r for r in records if "R7.no_training_consent" in r.reasons]
    assert len(no_consent) == 15 and all(r.text is None and r.withheld_sha256 for r in no_consent)
    lineage = {r["id"]: r for r in read_run(out)["lineage"]}
    assert all(lineage[r.id]["content_sha256"] == r.withheld_sha256 for r in no_consent)

    # Killed while writing: a table file half written, no manifest. Only the corpus-wide stages run again.
    (out / "manifest.json").unlink()
    (out / "governed" / ".part-00000-of-00001.parquet.partial").write_bytes(b"PAR1 half")
    caplog.clear()
    assert corpusgate(*run_args(project, inputs, out)) == 0
    assert "9 shards; 9 finished by an earlier attempt of this run, reused" in caplog.messages
    assert outputs(out) == outputs(tmp_path / "whole")
    assert not (out / WORK_DIR).exists() and sorted(p.name for p in (out / "governed").iterdir()) == [
        "part-00000-of-00001.parquet"
    ]


def test_a_changed_input_or_setting_gives_new_shards(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": f"line {i}"} for i in range(10)])
    task = FileTask(0, "a", str(path), "a.jsonl", "jsonl", {})
    shards = plan_shards([task], 4, "settings")
    assert [(s.start, s.stop) for s in shards] == [(0, 4), (4, 8), (8, None)]
    assert len({s.fingerprint for s in shards}) == 3
    assert plan_shards([task], 4, "settings") == shards  # the same input plans the same shards
    assert not {s.fingerprint for s in plan_shards([task], 4, "other")} & {s.fingerprint for s in shards}
    rows = [r.row for shard in shards for r in read_shard(shard)]
    assert rows == list(range(10))  # every row read once, by the shard whose range holds it
    big = FileTask(0, "b", str(write_jsonl(tmp_path / "b.jsonl", ["{}"] * 20_000)), "b.jsonl", "jsonl", {})
    assert len(plan_shards([big], 100_000, "settings")) == 16  # one file still keeps 16 workers busy
    write_jsonl(path, [{"text": f"line {i}!"} for i in range(10)])
    assert not {s.fingerprint for s in plan_shards([task], 4, "settings")} & {s.fingerprint for s in shards}


class _Unloadable(RecordStage):
    name = "unloadable"

    def setup(self) -> None:
        raise RuntimeError("models loaded")


def test_stages_are_not_set_up_when_every_shard_is_reused(tmp_path):
    """A resumed run whose shards are all finished loads no model: only the corpus-wide stages run again."""
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": f"line {i}"} for i in range(6)])
    shards = plan_shards([FileTask(0, "a", str(path), "a.jsonl", "jsonl", {})], 3, "settings")
    work = tmp_path / WORK_DIR
    for shard in shards:
        write_checkpoint(checkpoint_path(work, shard), read_shard(shard))
    params = Params()

    def run(shards_to_run):
        with beam.Pipeline() as pipeline:
            out = pipeline | LocalStages(shards_to_run, [_Unloadable(params)], work, params)
            rows = (out[KEPT], out[HELD]) | beam.Flatten() | beam.Map(lambda record: record.row)
            assert_that(rows, equal_to(list(range(6))))

    run(shards)
    unfinished = plan_shards([FileTask(0, "a", str(path), "a.jsonl", "jsonl", {})], 2, "settings")
    with pytest.raises(RuntimeError, match="models loaded"):
        run(unfinished)


def test_an_unreadable_row_range_is_reported_once_by_the_shard_holding_it(tmp_path):
    """A Parquet file whose middle row group is corrupt: its rows are not lost silently, the others are read."""
    path = tmp_path / "t.parquet"
    table = pa.table({"text": [f"row number {i} " * 20 for i in range(9)], "licence": ["CC0-1.0"] * 9})
    pq.write_table(table, path, row_group_size=3, compression="gzip")
    middle = pq.ParquetFile(path).metadata.row_group(1).column(0)
    begin = middle.dictionary_page_offset or middle.data_page_offset
    data = bytearray(path.read_bytes())
    data[begin : begin + middle.total_compressed_size] = b"\x07" * middle.total_compressed_size
    path.write_bytes(bytes(data))
    task = FileTask(0, "t", str(path), "t.parquet", "parquet", {})
    shards = plan_shards([task], 3, "settings")
    assert [(s.start, s.stop) for s in shards] == [(0, 3), (3, 6), (6, None)]
    records = [r for shard in shards for r in read_shard(shard)]
    unreadable = [r.row for r in records if "R2.unreadable_file" in r.reasons]
    assert unreadable == [-1, 3]  # rows 0-5 are reported (read in one batch), not lost silently
    assert [r.row for r in records if r.row not in unreadable] == [6, 7, 8]
    assert len({r.id for r in records}) == len(records)

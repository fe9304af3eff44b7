"""Resumable runs: a run killed with SIGKILL halfway and started again reuses its finished shards and writes the
same outputs, byte for byte, as a run that was never interrupted (issue #9)."""

import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from pipelines.checkpoints import WORK_DIR, Shard, plan_shards, read_checkpoint
from pipelines.sources import FileTask
from pipelines.stages.ingest import read_shard
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

    out = tmp_path / "resumed"
    argv = [str(a) for a in run_args(project, inputs, out)] + ["--workers", "1"]
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
    assert planned == [f"12 shards; {len(finished)} finished by an earlier attempt of this run, reused"]
    # The finished shards were not computed again: their checkpoints are the files the killed run wrote.
    assert {name: (shards / name).stat().st_mtime_ns for name in finished} == finished
    assert len(list(shards.glob("*.pickle"))) == 12

    assert outputs(out) == outputs(tmp_path / "whole")
    assert corpusgate("verify", out) == 0

    # Nothing leaked into the checkpoints: a record held back for lack of consent is kept by pointer and hash.
    records = [r for path in shards.glob("*.pickle") for r in read_checkpoint(path)]
    no_consent = [r for r in records if "R7.no_training_consent" in r.reasons]
    assert len(no_consent) == 15 and all(r.text is None and r.withheld_sha256 for r in no_consent)
    lineage = {r["id"]: r for r in read_run(out)["lineage"]}
    assert all(lineage[r.id]["content_sha256"] == r.withheld_sha256 for r in no_consent)


def test_a_changed_input_or_setting_gives_new_shards(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": f"line {i}"} for i in range(10)])
    task = FileTask(0, "a", str(path), "a.jsonl", "jsonl", {})
    shards = plan_shards([task], 4, "settings")
    assert [(s.start, s.stop) for s in shards] == [(0, 4), (4, 8), (8, None)]
    assert len({s.fingerprint for s in shards}) == 3
    assert plan_shards([task], 4, "settings") == shards  # the same input plans the same shards
    assert not {s.fingerprint for s in plan_shards([task], 4, "other")} & {s.fingerprint for s in shards}
    write_jsonl(path, [{"text": f"line {i}!"} for i in range(10)])
    assert not {s.fingerprint for s in plan_shards([task], 4, "settings")} & {s.fingerprint for s in shards}
    rows = [r.row for shard in shards for r in read_shard(shard)]
    assert rows == list(range(10))  # every row read once, by the shard whose range holds it


def test_an_unreadable_file_split_in_shards_is_one_lineage_row(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    task = FileTask(0, "broken", str(path), "broken.parquet", "parquet", {})
    shards = [Shard(task, 0, 4, "a"), Shard(task, 4, None, "b")]
    [record] = [r for shard in shards for r in read_shard(shard)]
    assert (record.row, record.reasons) == (-1, ["R2.unreadable_file"])

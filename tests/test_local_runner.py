"""The local runner gives the FnApiRunner's results while holding at most its budget and one bundle in memory."""

from __future__ import annotations

import os
import random

import apache_beam as beam
import pytest
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from pipelines import local_runner
from pipelines.local_runner import SpillingFnApiRunner
from pipelines.params import NearDupParams, Params
from pipelines.record import DUPLICATE, GOVERNED, Record, record_id
from pipelines.stages.base import HELD, KEPT
from pipelines.stages.neardup import NearDup
from tests.conftest import corpusgate, read_run, write_jsonl

ELEMENTS = 3_000


def build(pipeline: beam.Pipeline) -> None:
    """A GroupByKey with keys in many runs, a CoGroupByKey, a multi-output ParDo, a Flatten and a side input."""
    numbers = pipeline | beam.Create(range(ELEMENTS))
    grouped = (
        numbers
        | beam.Map(lambda n: (n % 97, "x" * (n % 50)))
        | beam.GroupByKey()
        | beam.MapTuple(lambda key, values: (key, sorted(values)))
    )
    parts = numbers | beam.Map(lambda n: beam.pvalue.TaggedOutput("odd", n) if n % 2 else n).with_outputs(
        "odd", main="even"
    )
    joined = (
        {
            "even": parts.even | "ek" >> beam.Map(lambda n: (n % 10, n)),
            "odd": parts.odd | "ok" >> beam.Map(lambda n: (n % 10, n)),
        }
        | beam.CoGroupByKey()
        | beam.MapTuple(lambda key, sides: (key, sorted(sides["even"]), sorted(sides["odd"])))
    )
    total = numbers | beam.CombineGlobally(sum)
    shifted = (parts.even, parts.odd) | beam.Flatten() | beam.Map(lambda n, t: n + t, beam.pvalue.AsSingleton(total))
    assert_that(grouped, equal_to(expected_grouped()), label="grouped")
    assert_that(joined, equal_to(expected_joined()), label="joined")
    assert_that(shifted, equal_to([n + sum(range(ELEMENTS)) for n in range(ELEMENTS)]), label="shifted")


def expected_grouped():
    return [(k, sorted("x" * (n % 50) for n in range(ELEMENTS) if n % 97 == k)) for k in range(97)]


def expected_joined():
    return [
        (
            k,
            [n for n in range(ELEMENTS) if n % 10 == k and n % 2 == 0],
            [n for n in range(ELEMENTS) if n % 10 == k and n % 2],
        )
        for k in range(10)
    ]


@pytest.mark.parametrize("mode", ["in_memory", "multi_processing"])
def test_results_equal_the_fnapirunners_when_every_buffer_spills(tmp_path, mode, monkeypatch):
    spilled = []
    original = local_runner._SpillArea.new_file
    monkeypatch.setattr(local_runner._SpillArea, "new_file", lambda self: spilled.append(1) or original(self))
    workers = 2 if mode == "multi_processing" else 1
    options = PipelineOptions([f"--direct_num_workers={workers}", f"--direct_running_mode={mode}"])
    with beam.Pipeline(runner=SpillingFnApiRunner(budget_mb=0.002, spill_dir=str(tmp_path)), options=options) as p:
        build(p)
    assert len(spilled) > 10  # the tiny budget made buffers spill, many times
    assert os.listdir(tmp_path) == []  # and the run removed its files


def test_under_the_budget_nothing_spills(tmp_path, monkeypatch):
    monkeypatch.setattr(local_runner._SpillArea, "new_file", lambda self: pytest.fail("spilled under the budget"))
    with beam.Pipeline(runner=SpillingFnApiRunner(budget_mb=64, spill_dir=str(tmp_path))) as p:
        build(p)


def test_the_plain_fnapirunner_gives_the_same_results():  # the reference the spilling runs are held to
    with beam.Pipeline(runner=FnApiRunner()) as p:
        build(p)


def record_bundles(monkeypatch, bundle_bytes: int = 4_000) -> list[list[int]]:
    """Force small bundles (grouped output in ~1 KB chunks, bundles of `bundle_bytes`); the chunk sizes of every
    bundle run are recorded in the list returned."""
    monkeypatch.setattr(local_runner, "CHUNK_BYTES", 1_000)
    monkeypatch.setattr(local_runner, "BUNDLE_BYTES", bundle_bytes)
    bundles: list[list[int]] = []
    cut = local_runner._bundles

    def recorded(share):
        for bundle in cut(share):
            bundles.append([len(chunk) for chunks in bundle.values() for chunk in chunks])
            yield bundle

    monkeypatch.setattr(local_runner, "_bundles", recorded)
    return bundles


def counted(pipeline: beam.Pipeline) -> None:
    """Counters and a distribution over a GroupByKey's output: what the workers' monitoring infos carry."""

    def count(key: int, values: list[int]) -> None:
        Metrics.counter("t", "keys").inc()
        Metrics.distribution("t", "sum").update(sum(values))

    _ = (
        pipeline
        | beam.Create(range(ELEMENTS))
        | beam.Map(lambda n: (n % 500, n))
        | beam.GroupByKey()
        | beam.MapTuple(count)
    )


def metrics(result) -> dict:
    query = result.metrics().query(MetricsFilter().with_namespace("t"))
    figures = {m.key.metric.name: m.committed for m in query["counters"]}
    figures |= {
        m.key.metric.name: (d.count, d.sum, d.min, d.max) for m in query["distributions"] for d in [m.committed]
    }
    return figures


@pytest.mark.parametrize("mode", ["in_memory", "multi_processing"])
def test_a_workers_share_runs_as_small_bundles_with_the_fnapirunners_results(tmp_path, mode, monkeypatch):
    """Each worker's share is cut into bundles of bounded input, run one after another: the results, counters
    and distributions are the FnApiRunner's, and no bundle's input is over the bound unless it is one chunk."""
    bundles = record_bundles(monkeypatch)
    workers = 2 if mode == "multi_processing" else 1
    options = PipelineOptions([f"--direct_num_workers={workers}", f"--direct_running_mode={mode}"])
    with beam.Pipeline(runner=SpillingFnApiRunner(budget_mb=0.002, spill_dir=str(tmp_path)), options=options) as p:
        build(p)
    assert len(bundles) > 50
    assert all(sum(sizes) <= 4_000 or len(sizes) == 1 for sizes in bundles)
    assert any(len(sizes) > 1 for sizes in bundles)  # several chunks go together up to the bound

    plain, bundled = (
        beam.Pipeline(runner=runner, options=options)
        for runner in (FnApiRunner(), SpillingFnApiRunner(budget_mb=0.002, spill_dir=str(tmp_path)))
    )
    counted(plain)
    counted(bundled)
    before = len(bundles)
    expected = {"keys": 500, "sum": (500, sum(range(ELEMENTS)), 7_500, 10_494)}  # key k sums 6k + 7,500
    assert metrics(bundled.run()) == metrics(plain.run()) == expected
    assert len(bundles) - before > 3  # the grouped output (~13 KB) in bundles of 4 KB at most


def test_a_budget_of_zero_is_refused():
    with pytest.raises(ValueError, match="budget_mb must be > 0"):
        SpillingFnApiRunner(budget_mb=0)


def test_a_group_by_key_far_over_the_budget_is_merged_from_chunked_runs(tmp_path, monkeypatch):
    """Workers send their output in ~10 MB messages: with 1 MB of budget every message becomes a sorted run of
    several chunks, keys recur across runs, runs are merged two at a time in several passes, and the grouped
    output reaches the workers in chunks."""
    monkeypatch.setattr(local_runner, "MERGE_WIDTH", 2)
    options = PipelineOptions(["--direct_num_workers=2", "--direct_running_mode=multi_processing"])
    with beam.Pipeline(runner=SpillingFnApiRunner(budget_mb=1, spill_dir=str(tmp_path)), options=options) as p:
        sizes = (
            p
            | beam.Create(range(4_000))
            | beam.Map(lambda n: (n % 40, str(n) * 2_000))
            | beam.GroupByKey()
            | beam.MapTuple(lambda key, values: (key, len(values), sum(map(len, values))))
        )
        expected = [(k, 100, sum(len(str(n)) * 2_000 for n in range(k, 4_000, 40))) for k in range(40)]
        assert_that(sizes, equal_to(expected))


def test_a_governed_run_that_spills_writes_what_a_run_in_memory_writes(tmp_path, project, monkeypatch):
    """Every stage of the pipeline, with shuffles spilled and shares run as many small bundles."""
    bundles = record_bundles(monkeypatch, bundle_bytes=1)  # one chunk per bundle
    spilled = []
    original = local_runner._SpillArea.new_file
    monkeypatch.setattr(local_runner._SpillArea, "new_file", lambda self: spilled.append(1) or original(self))
    texts = [f"Record {n}: the weather in Hangzhou is mild in spring, and the tea is {n % 7} yuan." for n in range(150)]
    texts += texts[:20]  # exact duplicates
    rows = [{"text": text, "id": f"r{n}", "licence": "CC0-1.0"} for n, text in enumerate(texts)]
    path = write_jsonl(tmp_path / "in.jsonl", rows)
    runs = {}
    for name, budget in (("memory", "0"), ("spilled", "0.001")):
        argv = ["run", "--params", project / "params.yaml", "--input", path, "--out", tmp_path / name]
        assert corpusgate(*argv, "--workers", "2", "--set", f"run.spill_budget_mb={budget}") == 0
        runs[name] = read_run(tmp_path / name)

    def decisions(run):
        return sorted((r["id"], r["decision"], tuple(r["reasons"]), r["duplicate_of"]) for r in run["lineage"])

    assert spilled  # the second run did spill
    assert len(bundles) > 100  # in small bundles
    assert decisions(runs["spilled"]) == decisions(runs["memory"])
    assert len(runs["memory"]["lineage"]) == len(rows)
    assert runs["spilled"]["manifest"]["root_hash"] == runs["memory"]["manifest"]["root_hash"]


def test_near_duplicates_are_all_found_on_a_run_that_spills_every_shuffle(tmp_path, monkeypatch):
    """The near-dup stage's CoGroupByKeys take inputs from several stages: on a spilling run with many sorted runs
    merged in passes and every share run as small bundles, every planted near copy is still found and points at
    its original."""
    words = [f"w{n}" for n in range(5_000)]
    texts = []
    for n in range(600):
        if n % 10 == 9:  # a near copy of the one before: one word dropped
            copy = texts[-1].split()
            del copy[n % len(copy)]
            texts.append(" ".join(copy))
        else:
            texts.append(" ".join(random.Random(n).choices(words, k=60)))
    records = [Record(record_id("s", "f", n), "s", "f", n, "", (0, "f", n), text=t) for n, t in enumerate(texts)]
    expected = [
        (r.id, DUPLICATE, records[n - 1].id) if n % 10 == 9 else (r.id, GOVERNED, None) for n, r in enumerate(records)
    ]
    monkeypatch.setattr(local_runner, "MERGE_WIDTH", 2)
    bundles = record_bundles(monkeypatch)
    options = PipelineOptions(["--direct_num_workers=2", "--direct_running_mode=multi_processing"])
    with beam.Pipeline(runner=SpillingFnApiRunner(budget_mb=0.01, spill_dir=str(tmp_path)), options=options) as p:
        decided = p | beam.Create(records) | NearDup(Params(), NearDupParams())
        outcome = (
            (decided[KEPT], decided[HELD]) | beam.Flatten() | beam.Map(lambda r: (r.id, r.decision, r.duplicate_of))
        )
        assert_that(outcome, equal_to(expected))
    assert len(bundles) > 50

"""Benchmark of the whole governance pipeline (issue 9): speed, memory, and where the time goes.

For each of `--sizes` generated corpora (`bench/corpus.py`: mixed zh/en ~1 KB documents with planted PI, exact
and near copies, written once under `--data`):

1. Full pipeline: `corpusgate run --input CORPUS --workers N` as a user runs it (params.yaml's defaults, local
   runner), measured from outside (`bench/measure.py`): wall seconds, docs/s, MB/s per core (input MB / wall
   seconds / workers), CPU seconds of all its processes, peak resident memory of the runner, of the largest
   worker and of all together, and the machine's load before and after.
2. Each stage alone (`--stages`, on by default up to 100k documents): ingest, the stages of `run.local_stages` and
   `run.governance_stages`, and write, run one after the other in this process without Beam on the first
   `--stage-docs` documents: CPU seconds, docs/s and MB/s on one core, and this process's peak memory after the stage.
   Per-record stages run through their `apply_batch`, in the pipeline's chunks; exact and near dedup and the
   synthetic signals through the detectors they call (content keys; provenance, signatures, LSH buckets, linking);
   negatives on the held-back records through the stage's DoFn; a stage this script does not know is listed as such.
   Last, a pickle round trip of every record: what each shuffle and checkpoint pays per record on top of the
   runner's own work.
3. Time split: the stages' CPU seconds per document against the full run's CPU seconds per document, after
   taking off the run's fixed cost (start-up, workers loading models), measured by a run on `FIXED_DOCS`
   documents. The difference is what Beam and the runner cost per document (serialising records between
   stages, shuffles, spilling, the runner's bookkeeping).

4. Side by side with datatrove (`--datatrove`), on the same files, on equal work: read, clean, language
   identification with the same lid.176.ftz, e-mail and IP addresses, exact dedup, MinHash dedup, write.
   corpusgate runs its own stages for these steps (ingest, clean, the gate with only EMAIL_ADDRESS and
   IP_ADDRESS, language labelling, exact and near dedup, write) through `govern`, as a run does; datatrove runs
   `bench/datatrove_side.py` in its own environment, bench/.venv-datatrove (created on first use; datatrove from
   PyPI). Prints both times and datatrove's time / corpusgate's (above 1: corpusgate is faster).

5. Profile (`--profile`): the full pipeline on the first size again, under py-spy (sampling every process of
   the run, `--rate` per second): where the samples fall, per stage (the innermost frame of a stage module on
   the stack; detectors count for the stage that called them) and in Beam (runner process, workers); and the
   hottest functions, by samples in the function itself and by samples under it. py-spy is a dev dependency.

Results go to `--json` (default bench/results.json), one entry per size, with the command line and the load.
The machine may be shared: compare CPU seconds rather than wall seconds, and read the load beside each figure.

    .venv/bin/python bench/bench_pipeline.py [--sizes 10000 [100000 1000000]] [--workers 2] [--no-stages]
                                             [--stage-docs 5000] [--datatrove] [--profile] [--data bench/.data]
                                             [--json bench/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ is not an installed package

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from bench.corpus import FILE_DOCS, write_corpus  # noqa: E402
from bench.measure import machine_load, run_measured  # noqa: E402
from pipelines import run  # noqa: E402
from pipelines.detectors import synthetic  # noqa: E402
from pipelines.detectors.language import LanguageIdentifier  # noqa: E402
from pipelines.detectors.minhash import MinHasher, band_keys, link_bucket  # noqa: E402
from pipelines.detectors.negatives import apply_trick  # noqa: E402
from pipelines.detectors.pseudonyms import ensure_key  # noqa: E402
from pipelines.detectors.text import content_key  # noqa: E402
from pipelines.params import Params, load_params, resolve_path  # noqa: E402
from pipelines.readers import read_rows  # noqa: E402
from pipelines.record import Record  # noqa: E402
from pipelines.sources import plan_sources  # noqa: E402
from pipelines.stages.base import RecordStage  # noqa: E402
from pipelines.stages.clean import Clean  # noqa: E402
from pipelines.stages.dedup import ExactDedup, keep_first  # noqa: E402
from pipelines.stages.gate import Gate  # noqa: E402
from pipelines.stages.ingest import to_record  # noqa: E402
from pipelines.stages.local import RECORDS_PER_BATCH  # noqa: E402
from pipelines.stages.neardup import NearDup  # noqa: E402
from pipelines.stages.negatives import _Derive  # noqa: E402
from pipelines.stages.risk import RiskDecision, RiskFilter  # noqa: E402
from pipelines.stages.synthetic import SyntheticSignals  # noqa: E402
from pipelines.stages.write import WriteRun, governed_row, lineage_row  # noqa: E402
from pipelines.tables import TABLES  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MB = 1 << 20
FIXED_DOCS = 100  # a run this small costs what every run costs: start-up, workers loading models
PICKLE = "pickle"  # the row of a pickle round trip per record in "each stage alone"


def full_run(corpus: Path, out: Path, workers: int) -> dict[str, Any]:
    """`corpusgate run` on the corpus, measured from outside."""
    command = [sys.executable, "-m", "pipelines.cli", "run", "--input", str(corpus), "--out", str(out)]
    command += ["--workers", str(workers), "-q"]
    measured = run_measured(command, REPO)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = {k: manifest["counts"][k] for k in ("input", "governed", "quarantined", "duplicate")}
    return {"command": " ".join(command[1:]), "counts": counts} | measured.figures()


class StageClock:
    """CPU seconds, records and content bytes of each stage run alone in this process."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def time(self, name: str, records: list[Record] | None, work: Callable[[], Any]) -> Any:
        """Time `work` on `records` (None: on the records it returns)."""
        started = time.process_time()
        result = work()
        seconds = time.process_time() - started
        records = result if records is None else records
        size = sum(len(r.content().encode()) for r in records)
        self.rows.append(
            {
                "stage": name,
                "docs": len(records),
                "cpu_seconds": round(seconds, 3),
                "docs_per_s": round(len(records) / seconds) if seconds else None,
                "mb_per_s": round(size / MB / seconds, 3) if seconds else None,
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
        return result


def stages_alone(corpus: Path, docs: int) -> list[dict[str, Any]]:
    """Every stage on the first `docs` documents, without Beam, one after the other (see the module's docstring)."""
    params = load_params(REPO / "params.yaml")
    plan = plan_sources(params, [str(corpus)], REPO)
    key_file = ensure_key(params.gate.pseudonyms.key_env, REPO / params.gate.pseudonyms.key_file)
    clock = StageClock()
    task = plan.tasks[0]

    def ingest() -> list[Record]:
        records = []
        for raw in read_rows(task.path, task.format):
            records.append(to_record(task, raw))
            if len(records) == docs:
                break
        return records

    records = clock.time("ingest", None, ingest)
    held: list[Record] = []
    for stage in [*run.local_stages(params, REPO, key_file), *run.governance_stages(params, REPO)]:
        kept = [r for r in records if not r.held]
        held += [r for r in records if r.held]
        name = type(stage).__name__
        if isinstance(stage, RecordStage | RiskFilter):
            alone = RiskDecision(params) if isinstance(stage, RiskFilter) else stage
            alone.setup()
            chunks = [kept[i : i + RECORDS_PER_BATCH] for i in range(0, len(kept), RECORDS_PER_BATCH)]
            clock.time(alone.name, kept, lambda a=alone, c=chunks: [a.apply_batch(chunk) for chunk in c])
        elif isinstance(stage, ExactDedup):
            clock.time("exact_dedup", kept, lambda k=kept: _exact_dedup(k, params))
        elif isinstance(stage, NearDup):
            clock.time("near_dedup", kept, lambda k=kept, s=stage: _near_dedup(k, s.settings))
        elif isinstance(stage, SyntheticSignals):
            clock.time("synth_signals", kept, lambda k=kept: _synthetic_signals(k, params))
        else:
            clock.rows.append({"stage": name, "docs": len(kept), "note": "not measured alone"})
        records = kept
    everything = records + held
    if params.negatives.enabled:
        held_back = [r for r in everything if r.held]
        derive = _negatives_ready(held_back, params)
        clock.time("negatives", held_back, lambda: sum(1 for r in held_back for _ in derive.process(r)))
    clock.time("write", everything, lambda: _write(records, everything, params))
    # What every shuffle and checkpoint pays per record besides the runner's own work: one dump and one load.
    clock.time(PICKLE, everything, lambda: [pickle.loads(pickle.dumps(r, -1)) for r in everything])
    return clock.rows


def _exact_dedup(records: list[Record], params: Params) -> None:
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        record.content_key = content_key(record.content(), params.dedup.exact)
        groups[record.content_key].append(record)
    for group in groups.values():
        keep_first(group)


def _near_dedup(records: list[Record], settings: Any) -> int:
    """What the near-dup stage computes: signatures, band buckets, links within shared buckets."""
    hasher = MinHasher.for_params(settings)
    buckets: dict[bytes, list[tuple[Any, Any]]] = defaultdict(list)
    for record in records:
        signature = hasher.signature(record.content())
        if signature is not None:
            for key in band_keys(signature, settings.bands, settings.rows):
                buckets[key].append(((record.order, record.id), signature))
    shared = (members for members in buckets.values() if len(members) > 1)
    return sum(1 for members in shared for _ in link_bucket(members, settings.threshold, settings.max_compared))


def _synthetic_signals(records: list[Record], params: Params) -> int:
    """What the synthetic signals stage computes: provenance, signatures, closest human records in shared buckets."""
    hasher, banding = MinHasher.for_params(params.dedup.near), params.synthetic.regurgitation
    buckets: dict[bytes, list[tuple[str, bool, Any]]] = defaultdict(list)
    for record in records:
        provenance = synthetic.detect(record.meta)
        signature = hasher.signature(record.content())
        if signature is not None:
            for key in band_keys(signature, banding.bands, banding.rows):
                buckets[key].append((record.id, provenance.synthetic, signature))
    shared = (members for members in buckets.values() if len(members) > 1)
    return sum(1 for members in shared for _ in synthetic.closest_human(members, banding.max_compared))


def _negatives_ready(held_back: list[Record], params: Params) -> _Derive:
    """The negatives stage's DoFn (it has no other per-record entry), set up, with what it loads on first use (the
    risk scorer, by a first held-back record; pypinyin, by a first pinyin trick) loaded, as the other stages' models
    are before they are timed: a worker pays that once, not per record."""
    derive = _Derive(params, REPO)
    derive.setup()
    for record in held_back[:1]:
        list(derive.process(record))
    apply_trick("pinyin", "中文", random.Random(0), {})
    return derive


def _write(kept: list[Record], everything: list[Record], params: Params) -> None:
    scopes = WriteRun(Path(), params, 1).consent_scopes
    with tempfile.TemporaryDirectory() as directory:
        pq.write_table(pa.Table.from_pylist([governed_row(r) for r in kept], TABLES["governed"]), f"{directory}/g")
        lineage = [lineage_row(r, scopes) for r in everything]
        pq.write_table(pa.Table.from_pylist(lineage, TABLES["lineage"]), f"{directory}/l")


SHARED_STEPS = ["gate.pii.entities=[EMAIL_ADDRESS,IP_ADDRESS]", "gate.pii.sensitive_entities=[]"]
DATATROVE_VENV = REPO / "bench" / ".venv-datatrove"
# datatrove's own requirements for these steps are extras it does not declare; xxhash 4 breaks its MinHash.
DATATROVE_PACKAGES = [
    "datatrove==0.10.1",
    "fasttext-numpy2-wheel",
    "orjson",
    "regex",
    "xxhash<4",
    "fasteners",
    "tokenizers",
    "spacy",
]


class LanguageLabel(RecordStage):
    """Language identification alone: the part of the label stage that datatrove's LanguageFilter also does."""

    name = "language"

    def setup(self) -> None:
        self.identifier = LanguageIdentifier(self.params.label.language, REPO)

    def apply(self, record: Record) -> None:
        code, score = self.identifier.identify(record.content())
        record.labels["language"] = {"code": code, "score": round(score, 3)}
        record.note(self.name, "pass", code)


def shared_steps(corpus: Path, out: Path, workers: int) -> None:
    """corpusgate's run with the stages of the shared steps only (in a process of its own: `run` is patched)."""
    params = load_params(REPO / "params.yaml", SHARED_STEPS)

    run.local_stages = lambda params, root, key_file: [Clean(params), Gate(params, key_file), LanguageLabel(params)]
    run.governance_stages = lambda params, root: [ExactDedup(params), NearDup(params, params.dedup.near)]
    run.govern(params, out, REPO, inputs=[str(corpus)], workers=workers)


def side_by_side(corpus: Path, work: Path, workers: int) -> dict[str, Any]:
    """Both tools on the shared steps, measured alike."""
    if not (DATATROVE_VENV / "bin" / "python").exists():
        print(f"creating {DATATROVE_VENV} with {' '.join(DATATROVE_PACKAGES)} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DATATROVE_VENV)], check=True)
        pip = [str(DATATROVE_VENV / "bin" / "python"), "-m", "pip", "install", "-q", *DATATROVE_PACKAGES]
        subprocess.run(pip, check=True)
    ours = run_measured(
        [sys.executable, __file__, "--shared-steps", str(corpus), str(work / "corpusgate"), str(workers)], REPO
    )
    manifest = json.loads((work / "corpusgate" / "manifest.json").read_text(encoding="utf-8"))
    model = resolve_path(REPO, Params().label.language.model_path)
    theirs = run_measured(
        [
            str(DATATROVE_VENV / "bin" / "python"),
            "bench/datatrove_side.py",
            str(corpus),
            str(model),
            str(work / "datatrove"),
            str(workers),
        ],
        REPO,
    )
    datatrove = json.loads(theirs.stdout.split("RESULT ", 1)[1])
    return {
        "corpusgate": ours.figures()
        | {"kept": manifest["counts"]["governed"], "duplicates": manifest["counts"]["duplicate"]},
        "datatrove": theirs.figures() | {"kept": datatrove["final"], "steps": datatrove["steps"]},
        "ratio": round(theirs.seconds / ours.seconds, 2),
    }


def profile_run(corpus: Path, out: Path, workers: int, rate: int) -> dict[str, Any]:
    """The full pipeline under py-spy; samples attributed to stages and to Beam (see the module's docstring)."""
    raw = out.with_suffix(".pyspy.txt")
    command = [str(Path(sys.executable).with_name("py-spy")), "record", "--subprocesses", "--nonblocking"]
    command += ["--rate", str(rate), "--format", "raw", "--output", str(raw), "--", sys.executable, "-m"]
    command += ["pipelines.cli", "run", "--input", str(corpus), "--out", str(out), "--workers", str(workers), "-q"]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    where: Counter[str] = Counter()
    itself: Counter[str] = Counter()
    under: Counter[str] = Counter()
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        samples, frames = int(count), stack.split(";")
        in_worker = any("sdk_worker_main" in f for f in frames if f.startswith("process "))
        code = [_short(f) for f in frames if not f.startswith("process ")]
        stages = [f for f in code if "pipelines/stages/" in f and "stages/base.py" not in f]
        if stages:
            where["stage " + stages[-1].split("pipelines/stages/")[1].split(".py")[0]] += samples
        elif any("pipelines/" in f for f in code):
            where["our other code"] += samples
        else:
            where["Beam, workers" if in_worker else "Beam, runner process"] += samples
        if code:
            itself[code[-1]] += samples
        for function in set(code):
            under[function] += samples
    total = sum(where.values()) or 1
    ours = [(function, samples) for function, samples in under.most_common() if "pipelines/" in function]
    return {
        "rate": rate,
        "samples": total,
        "where": {k: round(v / total, 3) for k, v in where.most_common()},
        "self": {k: round(v / total, 3) for k, v in itself.most_common(15)},
        "inclusive": {k: round(v / total, 3) for k, v in ours[:20]},
    }


def _short(frame: str) -> str:
    """`function (path/file.py:line)` without the line, the place in the file not mattering here."""
    return frame.rsplit(":", 1)[0] + ")" if frame.endswith(")") and ":" in frame else frame


def print_profile(profile: dict[str, Any]) -> None:
    print(f"  profile (py-spy, {profile['rate']} samples/s per process, {profile['samples']:,} samples):")
    print("    where the samples fall: " + ", ".join(f"{k} {v:.1%}" for k, v in profile["where"].items()))
    print("    hottest functions, by samples in the function itself:")
    for function, share in profile["self"].items():
        print(f"      {share:>6.1%}  {function}")
    print("    our functions with the most samples under them:")
    for function, share in list(profile["inclusive"].items())[:15]:
        print(f"      {share:>6.1%}  {function}")


def print_versus(versus: dict[str, Any], workers: int) -> None:
    print(f"  shared steps (read, clean, language, e-mail/IP, exact and MinHash dedup, write), {workers} workers:")
    for tool in ("corpusgate", "datatrove"):
        figures = versus[tool]
        print(
            f"    {tool:<11}{figures['seconds']:>8,.1f} s, {figures['cpu_seconds']:>7,.1f} CPU s, "
            f"peak {figures['total_mb']:>6,.0f} MB, kept {figures['kept']:,} (load {figures['load_before']:.1f})"
        )
    print(f"    datatrove's time / corpusgate's: {versus['ratio']:.2f}x")


def print_size(
    size: int, input_mb: float, workers: int, full: dict[str, Any], fixed: dict[str, Any], stages: list[dict[str, Any]]
) -> None:
    print(
        f"\n{size:,} documents, {input_mb:,.1f} MB of text; full pipeline, {workers} workers "
        f"(load {full['load_before']:.1f} -> {full['load_after']:.1f}):"
    )
    print(
        f"  {full['seconds']:,.1f} s wall, {size / full['seconds']:,.0f} docs/s, "
        f"{input_mb / full['seconds'] / workers:.3f} MB/s per core, {full['cpu_seconds']:,.1f} CPU s "
        f"({full['cpu_seconds'] / size * 1000:.2f} ms per doc); peak memory: runner {full['runner_mb']:,.0f} MB, "
        f"largest worker {full['worker_mb']:,.0f} MB, all {full['total_mb']:,.0f} MB"
    )
    print(f"  decisions: {full['counts']}")
    if not stages:
        return
    print(f"  each stage alone, no Beam, one core, on {stages[0]['docs']:,} documents:")
    print(f"    {'stage':<14}{'docs':>8}{'CPU s':>9}{'docs/s':>9}{'MB/s':>8}{'ms/doc':>8}{'peak MB':>9}")
    work_ms = 0.0
    for row in stages:
        if "note" in row:
            print(f"    {row['stage']:<14}{row['docs']:>8,}  {row['note']}")
            continue
        per_doc = row["cpu_seconds"] / row["docs"] * 1000 if row["docs"] else 0.0
        if row["stage"] != PICKLE:  # a cost of Beam's, not a stage's
            work_ms += per_doc * row["docs"] / stages[0]["docs"]  # per input document
        print(
            f"    {row['stage']:<14}{row['docs']:>8,}{row['cpu_seconds']:>9.2f}{row['docs_per_s'] or 0:>9,}"
            f"{row['mb_per_s'] or 0:>8.2f}{per_doc:>8.3f}{row['peak_mb']:>9,}"
        )
    full_ms = (full["cpu_seconds"] - fixed["cpu_seconds"]) / (size - FIXED_DOCS) * 1000
    print(
        f"  time split per input document, after the fixed {fixed['cpu_seconds']:.1f} CPU s of any run "
        f"({FIXED_DOCS} documents: {fixed['seconds']:.1f} s wall): full run {full_ms:.2f} ms CPU, of which the "
        f"stages' own work {work_ms:.2f} ms ({work_ms / full_ms:.0%}) and Beam and the runner "
        f"{full_ms - work_ms:.2f} ms ({(full_ms - work_ms) / full_ms:.0%})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-stages", action="store_true", help="skip the stages alone")
    parser.add_argument("--stage-docs", type=int, default=5_000, help="documents the stages alone run on")
    parser.add_argument("--data", type=Path, default=REPO / "bench" / ".data", help="generated corpora")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--datatrove", action="store_true", help="side by side with datatrove on the shared steps")
    parser.add_argument("--profile", action="store_true", help="profile the full pipeline on the first size")
    parser.add_argument("--rate", type=int, default=25, help="py-spy samples per second and process")
    parser.add_argument("--shared-steps", nargs=3, help=argparse.SUPPRESS)  # CORPUS OUT WORKERS, in this process
    args = parser.parse_args(argv)
    if args.shared_steps:
        corpus, out, workers = args.shared_steps
        shared_steps(Path(corpus), Path(out), int(workers))
        return 0

    results = json.loads(args.json.read_text()) if args.json.exists() else {}
    with tempfile.TemporaryDirectory(prefix="bench-run-") as out:
        fixed = full_run(write_corpus(args.data, FIXED_DOCS), Path(out) / "run", args.workers)
    for size in args.sizes:
        print(f"generating {size:,} documents under {args.data} (kept for later runs) ...", flush=True)
        corpus = write_corpus(args.data, size)
        input_mb = sum(path.stat().st_size for path in corpus.glob("*.jsonl")) / MB
        with tempfile.TemporaryDirectory(prefix="bench-run-") as out:
            full = full_run(corpus, Path(out) / "run", args.workers)
        docs = min(args.stage_docs, size, FILE_DOCS)
        stages = [] if args.no_stages else stages_alone(corpus, docs)
        print_size(size, input_mb, args.workers, full, fixed, stages)
        profile = {}
        if args.profile and size == args.sizes[0]:
            with tempfile.TemporaryDirectory(prefix="bench-profile-") as out:
                profile = profile_run(corpus, Path(out) / "run", args.workers, args.rate)
            print_profile(profile)
        versus = {}
        if args.datatrove:
            with tempfile.TemporaryDirectory(prefix="bench-versus-") as work:
                versus = side_by_side(corpus, Path(work), args.workers)
            print_versus(versus, args.workers)
        results[str(size)] = {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores",
            "workers": args.workers,
            "input_mb": round(input_mb, 1),
            "full": full,
            "fixed_cost": fixed,
            "stages_alone": stages,
            "versus_datatrove": versus,
            "profile": profile,
            "load_end": round(machine_load(), 2),
        }
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nresults in {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

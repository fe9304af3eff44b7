"""Build and run the governance pipeline: sources -> shards -> stages, in order -> write -> manifest.

Ingest and the record-local stages (`local_stages`) run shard by shard, each shard saved as a checkpoint, so that a
run killed halfway and started again on the same `--out` redoes only the shards it had not finished
(`pipelines/checkpoints.py`). The corpus-wide stages are a plain list (`governance_stages`): each takes the kept
records of the one before and adds its held-back records to the quarantine. Beam runs the whole graph; by default
on the local FnApiRunner with one worker process per core (multi-processing, offline), or on any other runner
named with `--runner`.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability.api import beam_provision_api_pb2
from apache_beam.runners.portability.fn_api_runner.fn_runner import ExtendedProvisionInfo
from google.protobuf.struct_pb2 import Struct

from pipelines.checkpoints import SCRATCH_DIR, WORK_DIR, Shard, checkpoint_path, plan_shards, settings_digest
from pipelines.detectors.pseudonyms import PseudonymKeyError, ensure_key
from pipelines.local_runner import local_runner
from pipelines.params import Params, resolve_path
from pipelines.provenance.manifest import MANIFEST, build_manifest, path_size, write_manifest
from pipelines.provenance.synthetic_report import write_synthetic_report
from pipelines.sources import Plan, plan_sources
from pipelines.stages.base import HELD, KEPT, RecordStage
from pipelines.stages.clean import Clean
from pipelines.stages.dedup import ExactDedup
from pipelines.stages.gate import Gate
from pipelines.stages.label import Label
from pipelines.stages.local import LocalStages
from pipelines.stages.neardup import NearDup
from pipelines.stages.negatives import Negatives
from pipelines.stages.risk import RiskFilter
from pipelines.stages.synthetic import SyntheticSafety, SyntheticSignals
from pipelines.stages.write import WriteRun
from pipelines.tables import REPORTS, RUN_MARKER, TABLES

log = logging.getLogger("corpusgate")

OUTPUT_SHARD_BYTES = 64 << 20  # input bytes per output file when `run.shards` is 0: a file is sorted in one worker


class RunError(RuntimeError):
    """The run cannot start (its output directory is unsafe to write, its runner options are wrong)."""


@dataclass
class RunResult:
    out_dir: Path
    manifest: dict[str, Any]
    plan: Plan


def local_stages(params: Params, root: Path, key_file: Path | None) -> list[RecordStage]:
    """The stages after ingest that decide about one record at a time: run shard by shard, with checkpoints."""
    return [Clean(params), Gate(params, key_file), Label(params, root)]


def governance_stages(params: Params, root: Path) -> list[beam.PTransform]:
    """The corpus-wide stages after the local ones, in the order of DESIGN.md's data flow."""
    stages: list[beam.PTransform] = []
    if params.synthetic.enabled:  # before dedup: every human record is still there to compare with
        stages.append(SyntheticSignals(params))
    if params.dedup.exact.enabled:
        stages.append(ExactDedup(params))
    near = params.dedup.near
    if near.enabled:
        previous = str(resolve_path(root, near.previous)) if near.previous else None
        stages.append(NearDup(params, near.model_copy(update={"previous": previous})))
    stages.append(RiskFilter(params))
    if params.synthetic.enabled:
        stages.append(SyntheticSafety(params))
    return stages


def build(
    pipeline: beam.Pipeline,
    plan: Plan,
    shards: list[Shard],
    params: Params,
    out_dir: Path,
    root: Path,
    key_file: Path | None,
) -> None:
    stages = local_stages(params, root, key_file)
    local = pipeline | "local" >> LocalStages(shards, stages, out_dir / WORK_DIR, params)
    kept, held = local[KEPT], [local[HELD]]
    for stage in governance_stages(params, root):
        outputs = kept | stage
        kept = outputs[KEPT]
        held.append(outputs[HELD])
    all_held = held | "held.all" >> beam.Flatten()
    outputs = {"kept": kept, "held": all_held}
    if params.negatives.enabled:
        outputs["negatives"] = all_held | "negatives" >> Negatives(params, root)
    outputs | "write" >> WriteRun(out_dir, params, output_shards(params, plan))


def output_shards(params: Params, plan: Plan) -> int:
    """Files per output table: `run.shards`, or one per `OUTPUT_SHARD_BYTES` of input (fixed by the input, so
    that a run's files are the same however often it is run or resumed)."""
    size = sum(path_size(Path(task.path)) for task in plan.tasks)
    return params.run.shards or max(1, math.ceil(size / OUTPUT_SHARD_BYTES))


def govern(
    params: Params,
    out_dir: Path,
    root: Path,
    inputs: list[str] | None = None,
    workers: int | None = None,
    beam_args: list[str] | None = None,
) -> RunResult:
    """Govern the declared sources (or `inputs`) into `out_dir`; return the manifest written there."""
    plan = plan_sources(params, inputs or [], root)
    for problem in plan.problems:
        log.log(
            logging.ERROR if problem.severity == "error" else logging.WARNING,
            "source %s: %s: %s",
            problem.source,
            problem.path,
            problem.message,
        )
    options, runner = pipeline_options(workers if workers is not None else params.run.workers, beam_args or [])
    pseudonyms = params.gate.pseudonyms
    try:
        key_file = ensure_key(pseudonyms.key_env, root / pseudonyms.key_file)
    except PseudonymKeyError as err:
        raise RunError(str(err)) from None
    prepare_out_dir(out_dir)
    started = datetime.now(UTC)
    log.info("governing %d files from %d sources into %s", len(plan.tasks), len(plan.sources), out_dir)
    shards = plan_shards(plan.tasks, params.run.shard_records, settings_digest(params, root))
    done = sum(checkpoint_path(out_dir / WORK_DIR, shard).exists() for shard in shards)
    log.info("%d shards; %d finished by an earlier attempt of this run, reused", len(shards), done)
    runner = {**runner, "shards": len(shards), "shards_reused": done}
    shutil.rmtree(out_dir / WORK_DIR / SCRATCH_DIR, ignore_errors=True)  # what a killed attempt left half done
    with _pipeline(options, params, root, out_dir) as pipeline:
        build(pipeline, plan, shards, params, out_dir, root, key_file)
    if not params.run.keep_work:
        shutil.rmtree(out_dir / WORK_DIR, ignore_errors=True)
    if params.synthetic.enabled:
        write_synthetic_report(out_dir, params)
    manifest = build_manifest(out_dir, params, plan, started, runner, root)
    write_manifest(out_dir, manifest)
    return RunResult(out_dir, manifest, plan)


def pipeline_options(workers: int, beam_args: list[str]) -> tuple[PipelineOptions, dict[str, Any]]:
    """Beam options: the caller's runner and options when given, else the local multi-process runner."""
    unknown = _unknown_beam_flags(beam_args)
    if unknown:
        raise RunError(f"unknown option(s): {' '.join(unknown)} (neither corpusgate's nor Beam's)")
    if any(arg.split("=")[0] == "--runner" for arg in beam_args):
        options = PipelineOptions(beam_args)
        return options, {"runner": options.get_all_options()["runner"], "options": beam_args}
    workers = workers or os.cpu_count() or 1
    mode = "multi_processing" if workers > 1 else "in_memory"
    flags = [f"--direct_num_workers={workers}", f"--direct_running_mode={mode}", *beam_args]
    return PipelineOptions(flags), {"runner": "FnApiRunner", "workers": workers, "mode": mode}


def _pipeline(options: PipelineOptions, params: Params, root: Path, out_dir: Path) -> beam.Pipeline:
    if options.get_all_options().get("runner"):
        return beam.Pipeline(options=options)
    # Named explicitly: the default DirectRunner first tries to download the Prism runner (FACTS.md). It spills
    # its buffers to disk past a budget (pipelines/local_runner.py), by default in the attempt's scratch directory.
    spill_dir = resolve_path(root, params.run.spill_dir) if params.run.spill_dir else out_dir / WORK_DIR / SCRATCH_DIR
    spill_dir.mkdir(parents=True, exist_ok=True)
    runner = local_runner(params.run.spill_budget_mb, str(spill_dir), provision_info=_quiet_workers())
    return beam.Pipeline(runner=runner, options=options)


def _quiet_workers() -> ExtendedProvisionInfo:
    """Options for local worker processes: Beam's own chatter at WARNING, our progress lines at INFO."""
    levels = Struct()
    levels.update(
        {"default_sdk_harness_log_level": "WARNING", "sdk_harness_log_level_overrides": {"corpusgate": "INFO"}}
    )
    return ExtendedProvisionInfo(
        beam_provision_api_pb2.ProvisionInfo(retrieval_token="unused-retrieval-token", pipeline_options=levels)
    )


def _unknown_beam_flags(beam_args: list[str]) -> list[str]:
    known = set(PipelineOptions([]).get_all_options())
    flags = [a for a in beam_args if a.startswith("-")]
    return [f for f in flags if not f.startswith("--") or f[2:].split("=")[0].replace("-", "_") not in known]


def prepare_out_dir(out_dir: Path) -> None:
    """Clear the tables of a previous run in `out_dir`; refuse a non-empty directory that is not a run."""
    if out_dir.exists() and not out_dir.is_dir():
        raise RunError(f"{out_dir}: exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / RUN_MARKER).exists():
        raise RunError(f"{out_dir}: not empty and not a corpusgate run; choose another --out")
    for table in TABLES:
        shutil.rmtree(out_dir / table, ignore_errors=True)
    for report in REPORTS:
        (out_dir / report).unlink(missing_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / RUN_MARKER).touch()

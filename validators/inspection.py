"""`corpusgate inspect`: the routine inspection of a run or dataset (R5: Measures art. 10(5); TC260-003 9.2).

1. read the run (or dataset) and draw the samples of the corpus assessment with a recorded seed;
2. re-run the technical check (current keyword library and classifier) and the PI recognizers on the technical
   sample, and re-derive the labels of the audit sample;
3. validate the frames with the Great Expectations suites (`validators/suites.py`);
4. describe the distributions and compare them with the previous inspection of the same target;
5. keep the report in the history and write it as JSON and HTML.

The inspection passes when every check of severity `error` passes; the manual check, scored later from the
reviewers' verdicts (`validators/review.py`), is recorded in the same report.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pipelines
from pipelines.params import Params, resolve_path
from pipelines.provenance.manifest import code_version, model_facts
from validators.distributions import compare, describe
from validators.frames import build_frames
from validators.gx import Check, run_suites
from validators.history import History
from validators.report import write_report
from validators.rescore import Rescorer
from validators.samples import Samples, draw_samples, ids_sha256
from validators.suites import suite_parameters, suites
from validators.target import RUN, Target, load_target

SCHEMA_VERSION = 1


def run_inspection(target_path: Path, params: Params, root: Path, report_dir: Path | None = None) -> dict[str, Any]:
    """Inspect the run or dataset at `target_path`; return the report, which is also saved and written.

    Raises InspectionError when there is nothing to inspect or the models cannot be loaded.
    """
    started = datetime.now(UTC)
    inspect_params = params.inspect
    target = load_target(target_path, root)
    checked_suites = suites(params)  # a bad extra expectation stops the inspection before any work
    seed = inspect_params.seed if inspect_params.seed is not None else secrets.randbelow(2**32)
    samples = draw_samples(
        target.column("governed", "id"), target.column("governed", inspect_params.audit.by), inspect_params, seed
    )
    rescorer = Rescorer(params, root)
    texts = {row["id"]: row for row in target.rows("governed", ["id", "text", "messages"])}
    todo = samples.rescored()
    rescored = dict(zip(todo, rescorer.rescore([texts[i] for i in todo]), strict=True))
    frames = build_frames(target, samples, rescored, params, rescorer.taxonomy)
    max_ids = inspect_params.max_ids_reported
    checks = run_suites(frames, checked_suites, suite_parameters(params, target), max_ids)

    models = {
        "run": _versions((target.manifest or {}).get("models", {})),
        "check": _versions(model_facts(params, root)),
    }
    if target.kind == RUN:
        checks += _model_checks(models)
    history = History(resolve_path(root, inspect_params.history))
    report = {
        "schema_version": SCHEMA_VERSION,
        "id": f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
        "started": started.isoformat(),
        "corpusgate_version": pipelines.__version__,
        "code": code_version(),
        "target": _describe_target(target),
        "params": {"sha256": params.digest(), "inspect": inspect_params.model_dump(mode="json")},
        "seed": seed,
        "samples": _describe_samples(samples, len(frames["governed"]), params),
        "models": models,
        "distributions": describe(frames, target.manifest, inspect_params.drift),
    }
    report["drift"] = compare(report, history.latest(target.name), inspect_params.drift)
    checks += _drift_checks(report["drift"], inspect_params.drift.fail)
    report["checks"] = [asdict(check) for check in checks]
    report["failed"] = [check.check for check in checks if check.fails]
    report["warnings"] = [check.check for check in checks if not check.passed and not check.fails]
    report["passed"] = not report["failed"]
    report["manual_check"] = {
        "status": "pending",
        "records": len(samples.manual),
        "min_pass_rate": inspect_params.manual.min_pass_rate,
        "sample_sha256": ids_sha256(samples.manual),
        "sample": samples.manual,
    }
    report["finished"] = datetime.now(UTC).isoformat()
    history.save(report)
    write_report(report, history.all(target.name), report_dir or resolve_path(root, inspect_params.report))
    return report


def _describe_target(target: Target) -> dict[str, Any]:
    manifest = target.manifest or {}
    return {
        "name": target.name,
        "path": str(target.path),
        "kind": target.kind,
        "root_hash": manifest.get("root_hash"),
        "run_started": manifest.get("run", {}).get("started"),
        "records": {table: found.num_rows for table, found in target.tables.items()},
    }


def _describe_samples(samples: Samples, governed: int, params: Params) -> dict[str, Any]:
    technical = params.inspect.technical
    return {
        "technical": {
            "records": len(samples.technical),
            "of": governed,
            "share": round(len(samples.technical) / governed, 4),
            "min_share": technical.share,
            "min_pass_rate": technical.min_pass_rate,
        },
        "manual": {"records": len(samples.manual), "asked": params.inspect.manual.records},
        "audit": {
            "by": params.inspect.audit.by,
            "per_group": params.inspect.audit.per_group,
            "records": {group: len(ids) for group, ids in samples.audit.items()},
        },
    }


def _versions(facts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per model, its sha256 and version (what says it changed), from the manifest's `models` section."""
    return {
        model: {key: value for key, value in found.items() if key in ("sha256", "version")}
        for model, found in facts.items()
    }


def _model_checks(models: dict[str, dict[str, Any]]) -> list[Check]:
    """A warning when the technical check used other models than those that labelled the run."""
    differing = [m for m, facts in models["check"].items() if m in models["run"] and models["run"][m] != facts]
    return [
        Check(
            check="models.same_as_run",
            frame="manifest",
            expectation="models_unchanged",
            basis="R2: Measures art. 10(2)",
            asks="the technical check used the models that labelled the run",
            severity="warning",
            passed=not differing,
            keys=differing,
        )
    ]


def _drift_checks(drift: dict[str, Any], fail: bool) -> list[Check]:
    if drift["previous"] is None:
        return []
    drifted = [m for m in drift["measures"] if m["drifted"]]
    basis, since = "R5: Measures art. 10(5)", f"since inspection {drift['previous']['id']}"
    return [
        Check(
            check="drift.distributions",
            frame="history",
            expectation="distributions_stable",
            basis=basis,
            asks=f"no distribution moved more than the drift threshold {since}",
            severity="error" if fail else "warning",
            passed=not drifted,
            observed=max((m.get("tvd", m.get("change", 0.0)) for m in drift["measures"]), default=0.0),
            keys=[f"{m['distribution']}@{m['scope']}" for m in drifted],
        ),
        Check(
            check="drift.new_risks",
            frame="history",
            expectation="no_new_risks",
            basis=basis,
            asks=f"no risk appeared {since}",
            severity="warning",
            passed=not drift["new_risks"],
            keys=drift["new_risks"],
        ),
        Check(
            check="drift.models",
            frame="history",
            expectation="models_unchanged",
            basis=basis,
            asks=f"keyword library, classifier and language model unchanged {since}",
            severity="warning",
            passed=not drift["changed_models"],
            keys=[f"{c['used_by']}.{c['model']}" for c in drift["changed_models"]],
        ),
    ]

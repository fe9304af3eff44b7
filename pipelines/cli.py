"""The `corpusgate` command: parses arguments and calls one function per subcommand.

Exit codes: 0 done; 1 a check did not pass (`keywords check`); 2 the command could not run (bad parameters,
arguments or output directory); 3 the run finished but some declared source could not be read (listed in the
manifest's `problems`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.params import Params, ParamsError, load_params, resolve_path

if TYPE_CHECKING:
    from pipelines.run import RunResult

log = logging.getLogger("corpusgate")

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_SOURCE_PROBLEMS = 0, 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passes_beam_options", False):
        parser.error(f"unrecognised arguments: {' '.join(extra)}")
    _configure_logging(args.quiet)
    handler: Callable[[argparse.Namespace, list[str]], int] = args.handler
    try:
        return handler(args, extra)
    except ParamsError as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE


def run_command(args: argparse.Namespace, beam_args: list[str]) -> int:
    # Imported here, after logging is set up: importing Beam takes seconds and logs; other commands need no Beam.
    from pipelines.run import RunError, govern

    params = load_params(args.params, args.set)
    try:
        result = govern(
            params,
            out_dir=Path(args.out),
            root=Path(args.params).resolve().parent,
            inputs=args.input,
            workers=args.workers,
            beam_args=beam_args,
        )
    except RunError as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(summary(result))
    if result.plan.errors:
        print(
            f"corpusgate: {len(result.plan.errors)} source problem(s); see `problems` in the manifest",
            file=sys.stderr,
        )
        return EXIT_SOURCE_PROBLEMS
    return EXIT_OK


def sample_command(args: argparse.Namespace, _: list[str]) -> int:
    from pipelines.sample import write_sample

    params_path = Path(args.params)
    params = load_params(params_path, args.set)
    out = Path(args.out) if args.out else params_path.resolve().parent / params.sample.out
    counts = write_sample(out, seed=params.sample.seed, scale=params.sample.scale)
    print(f"wrote the embedded sample to {out}: " + ", ".join(f"{f} {n}" for f, n in counts.items()))
    return EXIT_OK


def train_classifier_command(args: argparse.Namespace, _: list[str]) -> int:
    """Write the seed training set and train the risk classifier on it (plus label.classifier.extra_training_data)."""
    from pipelines.detectors.classifier import ClassifierError, LabelledDataError, train_classifier
    from pipelines.detectors.seed_training import write_seed_training_set

    params_path = Path(args.params)
    params = load_params(params_path, args.set)
    root, label = params_path.resolve().parent, params.label
    seed = write_seed_training_set(root / label.seed_training_out)
    classifier = label.classifier.model_copy(
        update={"extra_training_data": [resolve_path(root, p) for p in label.classifier.extra_training_data]}
    )
    out = resolve_path(root, label.classifier_model)
    try:
        report = train_classifier([Path(seed["files"]["train"]["path"])], out, classifier)
    except (ClassifierError, LabelledDataError, OSError) as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(f"trained {out} on {report.examples} examples ({len(report.labels)} risks); sha256 {report.model_sha256}")
    return EXIT_OK


def keywords_check_command(args: argparse.Namespace, _: list[str]) -> int:
    """Coverage of a keyword library against the standard's minimums (TC260-003 9.1 a)); exit 1 when short."""
    from pipelines.detectors.keywords import KeywordLibraryError, check_library, library_path
    from pipelines.detectors.taxonomy import TaxonomyError

    params_path = Path(args.params)
    params = load_params(params_path, args.set) if params_path.is_file() else Params()
    keywords = params.label.keywords
    path = Path(args.library) if args.library else library_path(keywords.path, params_path.resolve().parent)
    try:
        report = check_library(path, params=keywords)
    except (KeywordLibraryError, TaxonomyError, OSError) as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(report.format())
    return EXIT_OK if report.ok else EXIT_CHECK_FAILED


def verify_command(args: argparse.Namespace, _: list[str]) -> int:
    """Check a run against its manifest (R2 tamper evidence): exit 0 intact, 1 changed, 2 not a run."""
    from pipelines.provenance.verify import NotARunError, verify_run

    try:
        result = verify_run(Path(args.run))
    except NotARunError as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(result.format())
    return EXIT_OK if result.ok else EXIT_CHECK_FAILED


def trace_command(args: argparse.Namespace, _: list[str]) -> int:
    """The story of a record by id, or of the records whose text holds --text (R1 traceability); 1 when none."""
    from pipelines.provenance.trace import UnknownRecordError, find_records, trace_records
    from pipelines.provenance.verify import NotARunError

    if args.limit < 1:
        print("corpusgate: error: --limit must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    run = Path(args.run)
    try:
        ids = find_records(run, args.text) if args.text is not None else [args.id]
        traces = trace_records(run, ids[: args.limit])
    except (NotARunError, ValueError) as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except UnknownRecordError as err:
        print(f"corpusgate: {err}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    if not traces:  # the snippet itself is not echoed: it may be personal information
        print("corpusgate: no governed or quarantined record contains the snippet", file=sys.stderr)
        return EXIT_CHECK_FAILED
    if args.json:
        single = args.text is None
        document = traces[0].to_dict() if single else {"matches": len(ids), "records": [t.to_dict() for t in traces]}
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        if args.text is not None:
            shown = f"; the first {len(traces)} shown" if len(ids) > len(traces) else ""
            print(f"{len(ids)} record(s) contain the snippet{shown}\n")
        print("\n\n".join(t.format() for t in traces))
    return EXIT_OK


def forget_command(args: argparse.Namespace, _: list[str]) -> int:
    """Delete subjects' or records' data as a new dataset version with a receipt (R8, R9); 1 when none is found."""
    from pipelines.detectors.pseudonyms import PseudonymKeyError, load_key
    from pipelines.provenance.forget import ForgetError, NothingToForgetError, forget
    from pipelines.provenance.trace import UnknownRecordError
    from pipelines.provenance.verify import NotARunError

    try:
        subjects = list(args.subject)
        if args.subjects_file:
            lines = Path(args.subjects_file).read_text(encoding="utf-8").splitlines()
            subjects += [line.strip() for line in lines if line.strip()]
        if not subjects and not args.record:
            raise ForgetError("name a SUBJECT_ID, a --subjects-file or a --record ID to forget")
        key = None
        if subjects:
            params_path = Path(args.params)
            pseudonyms = (load_params(params_path, args.set) if params_path.is_file() else Params()).gate.pseudonyms
            key = load_key(pseudonyms.key_env, params_path.resolve().parent / pseudonyms.key_file)
        result = forget(Path(args.run), Path(args.out), subjects, args.record, key)
    except (OSError, PseudonymKeyError, ForgetError, NotARunError) as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (NothingToForgetError, UnknownRecordError) as err:  # ids are not echoed: they may be personal data
        print(f"corpusgate: {err}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    print(json.dumps(result.receipt, indent=2, ensure_ascii=False) if args.json else result.format())
    return EXIT_OK


def export_croissant_command(args: argparse.Namespace, _: list[str]) -> int:
    """The governed set as Croissant 1.0 JSON-LD with RAI fields, validated with mlcroissant (R1, R2)."""
    from pipelines.provenance.croissant import CroissantError, export_croissant
    from pipelines.provenance.verify import NotARunError

    run = Path(args.run)
    out = Path(args.out) if args.out else run.resolve().parent / f"{run.resolve().name}.croissant.json"
    try:
        warnings = export_croissant(run, out)
    except (OSError, CroissantError, NotARunError) as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    for warning in warnings:
        log.warning("mlcroissant: %s", warning)
    print(f"wrote {out}: Croissant 1.0 with RAI fields, valid for mlcroissant")
    return EXIT_OK


def inspect_command(args: argparse.Namespace, _: list[str]) -> int:
    """Inspect a run or dataset (R5): exit 0 every check passed, 1 a threshold missed, 2 nothing to inspect."""
    if args.target == "review":
        return _review_command(args)
    if args.action is not None or args.inspection or args.out:
        print("corpusgate: error: --inspection, --out and more arguments belong to `inspect review`", file=sys.stderr)
        return EXIT_USAGE
    from validators import InspectionError
    from validators.inspection import run_inspection

    params_path = Path(args.params)
    params = load_params(params_path, args.set)
    report_dir = Path(args.report) if args.report else None
    try:
        report = run_inspection(Path(args.target), params, params_path.resolve().parent, report_dir)
    except InspectionError as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(inspection_summary(report))
    return EXIT_OK if report["passed"] else EXIT_CHECK_FAILED


def _review_command(args: argparse.Namespace) -> int:
    """`inspect review export` writes the manual check's sheet; `inspect review import FILE` scores it."""
    from validators import InspectionError
    from validators.review import export_sheet, import_sheet

    params_path = Path(args.params)
    params = load_params(params_path, args.set)
    root = params_path.resolve().parent
    try:
        if args.action == "export" and args.path is None:
            path = export_sheet(params, root, inspection_id=args.inspection, out=Path(args.out) if args.out else None)
            print(f"wrote the review sheet {path}: fill in verdict (pass or fail), annotator and reviewer")
            return EXIT_OK
        if args.action == "import" and args.path is not None:
            result = import_sheet(Path(args.path), params, root, report_dir=Path(args.report) if args.report else None)
            print(
                f"manual check of inspection {result['inspection']}: {result['status']}, pass rate "
                f"{result['pass_rate']:.2%} over {result['reviewed']} records (minimum {result['min_pass_rate']:.0%})"
            )
            return EXIT_OK if result["status"] == "passed" else EXIT_CHECK_FAILED
    except InspectionError as err:
        print(f"corpusgate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print("corpusgate: error: use `inspect review export` or `inspect review import FILE`", file=sys.stderr)
    return EXIT_USAGE


def inspection_summary(report: dict[str, Any]) -> str:
    """The end-of-inspection report: verdict, samples, failed checks and warnings with their first ids."""
    samples = report["samples"]
    lines = [
        f"inspection {report['id']} of {report['target']['name']}: {'PASS' if report['passed'] else 'FAIL'}",
        f"seed {report['seed']}; technical sample {samples['technical']['records']} of {samples['technical']['of']} "
        f"records; review sheet {samples['manual']['records']} records (pending)",
    ]
    for check in report["checks"]:
        if not check["passed"]:
            kind = "FAILED " if check["severity"] == "error" else "warning"
            shown = ", ".join(check["keys"][:5] + check["ids"][:5])
            lines.append(f"  {kind} {check['check']}: {check['asks']}" + (f" ({shown} ...)" if shown else ""))
    if report["drift"]["previous"]:
        lines.append(f"compared with inspection {report['drift']['previous']['id']}")
    return "\n".join(lines)


def summary(result: RunResult) -> str:
    """The end-of-run report: records per source and decision, per stage and action, and reasons."""
    counts = result.manifest["counts"]
    decisions = ("governed", "quarantined", "duplicate")
    lines = [f"run written to {result.out_dir}", "", _row("source", "records", *decisions)]
    for source, by_decision in counts["by_source"].items():
        lines.append(_row(source, sum(by_decision.values()), *(by_decision.get(d, 0) for d in decisions)))
    lines.append(_row("all", counts["input"], *(counts[d] for d in decisions)))
    actions = sorted({a for by_action in counts["by_stage"].values() for a in by_action})
    if actions:
        lines += ["", _row("stage", *actions)]
        lines += [_row(stage, *(n.get(a, 0) for a in actions)) for stage, n in counts["by_stage"].items()]
    if result.plan.problems:
        lines += ["", "source problems:"]
        lines += [f"  {p.severity}: {p.source}: {p.path}: {p.message}" for p in result.plan.problems]
    if counts["by_reason"]:
        lines += ["", "held back, by reason:"]
        reasons = result.manifest["reasons"]
        lines += [f"  {code:<24}{n:>8}  {reasons[code]['summary']}" for code, n in counts["by_reason"].items()]
    return "\n".join(lines)


def _row(first: Any, *cells: Any) -> str:
    return f"{first!s:<24}" + "".join(f"{cell!s:>12}" for cell in cells)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="corpusgate", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run",
        help="govern the declared sources (or --input files) into a run directory",
        description="Govern the sources declared in params.yaml, or the --input files, into --out. Options "
        "corpusgate does not know are passed to Beam, e.g. --runner FlinkRunner --flink_master=HOST:PORT.",
    )
    _params_options(run)
    run.add_argument("--input", action="append", metavar="PATH", help="read PATH instead of the declared sources")
    run.add_argument("--out", default="runs/latest", metavar="DIR", help="run directory (default: runs/latest)")
    run.add_argument("--workers", type=int, metavar="N", help="worker processes (default: run.workers, 0 = cores)")
    run.set_defaults(handler=run_command, passes_beam_options=True)

    sample = commands.add_parser("sample", help="write the embedded sample corpus (deterministic)")
    _params_options(sample)
    sample.add_argument("--out", metavar="DIR", help="where to write it (default: sample.out in params)")
    sample.set_defaults(handler=sample_command)

    train = commands.add_parser("train-classifier", help="train the risk classifier on the seed set (+ your data)")
    _params_options(train)
    train.set_defaults(handler=train_classifier_command)

    keywords = commands.add_parser("keywords", help="keyword library tools")
    keyword_commands = keywords.add_subparsers(dest="keywords_command", required=True)
    check = keyword_commands.add_parser(
        "check", help="coverage per risk against the standard's minimums; exits 1 when short"
    )
    check.add_argument("library", nargs="?", help="library file (default: label.keywords.path, or the seed library)")
    _params_options(check)
    check.set_defaults(handler=keywords_check_command)

    verify = commands.add_parser(
        "verify", help="check a run against its manifest; exits 1 naming changed files and records"
    )
    verify.add_argument("run", nargs="?", default="runs/latest", metavar="RUN", help="run directory (runs/latest)")
    verify.set_defaults(handler=verify_command)

    trace = commands.add_parser("trace", help="the whole story of a record, by id or by a snippet of its text")
    which = trace.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", metavar="ID", help="the record's id (lineage `id`)")
    which.add_argument("--text", metavar="SNIPPET", help="the records whose governed or quarantined text holds it")
    trace.add_argument("--run", default="runs/latest", metavar="RUN", help="run directory (default: runs/latest)")
    trace.add_argument("--limit", type=int, default=20, metavar="N", help="--text: trace at most N records (20)")
    trace.add_argument("--json", action="store_true", help="machine-readable JSON")
    trace.set_defaults(handler=trace_command)

    forget = commands.add_parser(
        "forget", help="delete subjects' records and what derives from them, as a new version with a receipt"
    )
    forget.add_argument("subject", nargs="*", metavar="SUBJECT_ID", help="a data subject's id (`subject_id`)")
    forget.add_argument("--subjects-file", metavar="FILE", help="subject ids, one a line (kept out of shell history)")
    forget.add_argument("--record", action="append", default=[], metavar="ID", help="a record's id; repeatable")
    forget.add_argument("--run", default="runs/latest", metavar="RUN", help="run directory (default: runs/latest)")
    forget.add_argument("--out", required=True, metavar="DIR", help="the new version's directory (new or empty)")
    forget.add_argument("--json", action="store_true", help="print the receipt as JSON")
    _params_options(forget)  # the pseudonymisation key: gate.pseudonyms
    forget.set_defaults(handler=forget_command)

    export = commands.add_parser("export", help="describe a run in a standard format")
    export_commands = export.add_subparsers(dest="export_command", required=True)
    croissant = export_commands.add_parser(
        "croissant", help="the governed set as Croissant 1.0 JSON-LD with RAI fields, validated with mlcroissant"
    )
    croissant.add_argument("run", nargs="?", default="runs/latest", metavar="RUN", help="run directory (runs/latest)")
    croissant.add_argument("--out", metavar="FILE", help="in the run or above it (default: RUN.croissant.json)")
    croissant.set_defaults(handler=export_croissant_command)
    inspect = commands.add_parser(
        "inspect",
        help="sample, validate and report on a run or dataset; exits 1 when a threshold is missed",
        usage="corpusgate inspect [RUN|DATASET] [--report DIR] [--params FILE] [--set KEY=VALUE ...]\n"
        "       corpusgate inspect review export [--inspection ID] [--out FILE]\n"
        "       corpusgate inspect review import FILE [--report DIR]",
        description="Inspect a run (or a dataset of governed Parquet files): the samples of TC260-003 9.2, the "
        "technical check, the Great Expectations suites, drift against the previous inspection; a JSON and HTML "
        "report. `review export` writes the manual check's sheet, `review import FILE` scores the verdicts.",
    )
    inspect.add_argument("target", nargs="?", default="runs/latest", metavar="RUN|DATASET", help="(runs/latest)")
    inspect.add_argument("action", nargs="?", help=argparse.SUPPRESS)
    inspect.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    inspect.add_argument("--report", metavar="DIR", help="report directory (default: inspect.report in params)")
    inspect.add_argument("--inspection", metavar="ID", help="review export: this inspection (default: the latest)")
    inspect.add_argument("--out", metavar="FILE", help="review export: the sheet, .csv or .parquet (review-ID.csv)")
    _params_options(inspect)
    inspect.set_defaults(handler=inspect_command)

    for command in (verify, trace, croissant):
        command.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors on stderr")
    return parser


def _params_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors on stderr")
    command.add_argument("--params", default="params.yaml", metavar="FILE", help="parameter file")
    command.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one parameter by its dotted path, e.g. clean.min_chars=20",
    )


def _configure_logging(quiet: bool) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    logging.getLogger("apache_beam").setLevel(logging.WARNING)
    # Beam's import warns on the root logger about optional Google Cloud clients that a local run never uses.
    logging.getLogger().addFilter(lambda record: "apitools not found" not in record.getMessage())
    # Worker logs reach the terminal directly; Beam's job service would repeat each of them in a long format.
    logging.getLogger("apache_beam.runners.portability.local_job_service").setLevel(logging.ERROR)


if __name__ == "__main__":
    sys.exit(main())

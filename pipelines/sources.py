"""Resolving declared sources and `--input` paths into the files a run reads (R1: lawful, traceable sources).

Planning happens before the pipeline starts, so that a missing file, an unknown format or an empty file is
reported by name at once. Such problems never stop the other sources: they are listed in the manifest and make
the command exit non-zero after the run.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.params import Format, Params, SourceParams, resolve_path

SUFFIX_FORMATS: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class FileTask:
    """One file of one source, with everything a worker needs to read it."""

    position: int  # the source's position in the run: first occurrences win ties
    source: str
    path: str  # absolute, for reading
    file: str  # as recorded in lineage: relative to the project root where possible
    format: Format
    defaults: dict[str, Any]  # licence, legal_basis, origin and per-record field defaults


@dataclass(frozen=True)
class Problem:
    """A source-level problem: no record can point at it, so the manifest lists it."""

    source: str
    path: str
    severity: str  # error | warning
    message: str


@dataclass
class Plan:
    sources: list[SourceParams]
    tasks: list[FileTask] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def plan_sources(params: Params, inputs: list[str], root: Path) -> Plan:
    """Files to read: the `--input` paths when given (with params' `input_defaults`), else the declared sources."""
    sources = _input_sources(params.input_defaults, inputs) if inputs else list(params.sources)
    plan = Plan(sources=sources)
    for position, source in enumerate(sources):
        for path in _expand(source.path, root):
            _add_file(plan, position, source, path, root)
        if not any(t.source == source.name for t in plan.tasks) and not _has_problem(plan, source.name):
            plan.problems.append(Problem(source.name, source.path, "error", "no file matches this path"))
    return plan


def infer_format(path: Path) -> Format | None:
    """The format of `path` by its suffix, or a saved Hugging Face dataset directory; None when unknown."""
    if path.is_dir():
        return "hf" if (path / "state.json").is_file() or (path / "dataset_dict.json").is_file() else None
    return SUFFIX_FORMATS.get(path.suffix.lower())


def _input_sources(defaults: SourceParams, inputs: list[str]) -> list[SourceParams]:
    sources, seen = [], set()
    for raw in inputs:
        name = _source_name(Path(raw).stem, seen)
        seen.add(name)
        # --input paths are the caller's, relative to the working directory, not to params.yaml.
        sources.append(defaults.model_copy(update={"name": name, "path": str(Path(raw).resolve())}))
    return sources


def _source_name(stem: str, seen: set[str]) -> str:
    base = "".join(c if c.isalnum() or c in "_.-" else "_" for c in stem) or "input"
    name, n = base, 1
    while name in seen:
        n += 1
        name = f"{base}-{n}"
    return name


def _expand(pattern: str, root: Path) -> list[Path]:
    """A file, a saved dataset directory, a directory of files, or a glob, relative to `root`."""
    path = resolve_path(root, pattern)
    if glob.has_magic(str(path)):
        return [Path(p) for p in sorted(glob.glob(str(path), recursive=True))]
    if path.is_dir() and infer_format(path) != "hf":
        return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    return [path]


def _add_file(plan: Plan, position: int, source: SourceParams, path: Path, root: Path) -> None:
    shown = _relative(path, root)
    if not path.exists():
        plan.problems.append(Problem(source.name, shown, "error", "file not found"))
        return
    fmt = source.format or infer_format(path)
    if fmt is None:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        message = f"unknown format (give `format:` in the source, or use one of {known} or a saved dataset)"
        plan.problems.append(Problem(source.name, shown, "error", message))
        return
    if path.is_file() and path.stat().st_size == 0:
        plan.problems.append(Problem(source.name, shown, "warning", "empty file: no records"))
        return
    defaults = {
        **source.defaults,
        "licence": source.licence,
        "legal_basis": source.legal_basis.value if source.legal_basis else None,
        "origin": source.origin.value,
    }
    plan.tasks.append(FileTask(position, source.name, str(path.resolve()), shown, fmt, defaults))


def _has_problem(plan: Plan, source: str) -> bool:
    return any(p.source == source for p in plan.problems)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path.resolve())

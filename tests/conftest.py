"""Shared fixtures: a project directory with its own params.yaml, and helpers to run the CLI and read a run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pipelines.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def risk_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default risk classifier, trained once per session on the seed set, as `train-classifier` does."""
    out = tmp_path_factory.mktemp("risk-model")
    (out / "params.yaml").write_bytes((REPO / "params.yaml").read_bytes())
    assert main(["train-classifier", "--params", str(out / "params.yaml")]) == 0
    return out / "models" / "risk_classifier.ftz"


def make_project(directory: Path, risk_model: Path) -> Path:
    """`directory` set up as a project: the repository's params.yaml and the models (the sample is not generated).

    The language model is the one `make` fetched into the repository's models/; the classifier is `risk_model`.
    """
    shutil.copy(REPO / "params.yaml", directory / "params.yaml")
    models = directory / "models"
    models.mkdir(exist_ok=True)
    for model in (REPO / "models" / "lid.176.ftz", risk_model):
        for path in (model, model.with_name(model.name + ".json")):
            (models / path.name).symlink_to(path)
    return directory


@pytest.fixture
def project(tmp_path: Path, risk_model: Path) -> Path:
    return make_project(tmp_path, risk_model)


def corpusgate(*args: str | Path) -> int:
    """Run the CLI in-process with one worker (fast start); returns its exit code."""
    argv = [str(a) for a in args]
    if argv and argv[0] == "run" and "--workers" not in argv:
        argv += ["--workers", "1"]
    return main(argv)


def read_run(run_dir: Path) -> dict[str, Any]:
    """A run's manifest and tables, as {"manifest": dict, "governed": [rows], ...}."""
    run = {"manifest": json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))}
    for table in ("governed", "quarantine", "lineage", "negatives"):
        files = sorted((run_dir / table).glob("*.parquet"))
        run[table] = [row for f in files for row in pq.read_table(f).to_pylist()]
    return run


def write_jsonl(path: Path, lines: list[str | bytes | dict]) -> Path:
    """A JSONL file from dicts (serialised), strings (written as they are) and bytes (raw)."""
    with open(path, "wb") as handle:
        for line in lines:
            if isinstance(line, dict):
                line = json.dumps(line, ensure_ascii=False)
            handle.write((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n")
    return path


def seed_keywords(category: str, count: int) -> list[str]:
    """Weight-1 keywords of `category` from the shipped seed library."""
    rows = [
        line.split("\t") for line in (REPO / "pipelines/resources/keywords_seed.tsv").read_text("utf-8").splitlines()
    ]
    found = [r[0] for r in rows if len(r) >= 4 and r[1] == category and r[3].strip() in ("1", "1.0")]
    assert len(found) >= count
    return found[:count]


def modules_loaded_by(imports: str, packages: tuple[str, ...]) -> list[str]:
    """The modules of `packages` (top-level names or dotted prefixes) that a fresh interpreter holds after
    `import <imports>`: what importing those modules costs every process that does."""
    loaded = f"sorted(m for m in sys.modules if m.startswith({packages!r}))"
    code = f"import json, sys, {imports}; print(json.dumps({loaded}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)

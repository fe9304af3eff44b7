"""The auditor's notebook runs, cell by cell, against a small run with one deletion, so that it cannot rot."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO, corpusgate, make_project, write_jsonl

NOTEBOOK = REPO / "notebooks" / "auditor_walkthrough.ipynb"


@pytest.fixture(scope="module")
def version(tmp_path_factory, risk_model) -> Path:
    """A run of six records, and the version without subject u-1's record."""
    project = make_project(tmp_path_factory.mktemp("project"), risk_model)
    texts = [
        "The weather in Hangzhou is mild in spring.",
        "Cooking rice needs the right amount of water.",
        "I went hiking with my dog in the hills today.",
        "The library opens at nine on weekdays.",
        "Trains to Suzhou leave every twenty minutes.",
    ]
    lines = [{"text": text, "licence": "CC0-1.0"} for text in texts]
    lines[2] |= {"subject_id": "u-1", "origin": "user_interaction", "consent": ["training"]}
    path = write_jsonl(project / "input.jsonl", [*lines, {"text": "Licensed under nothing at all, I am afraid."}])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CORPUSGATE_SUBJECT_KEY", "ab" * 32)
        params = ("--params", project / "params.yaml")
        assert corpusgate("run", "-q", *params, "--input", path, "--out", project / "run") == 0
        assert corpusgate("forget", "-q", "u-1", *params, "--run", project / "run", "--out", project / "v2") == 0
    return project / "v2"


def test_the_auditors_notebook_runs_on_a_fresh_version(version, monkeypatch):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")  # kept without outputs
    monkeypatch.setenv("CORPUSGATE_RUN", str(version))
    # The kernel runs in this interpreter (jupyter_client's native kernel), from the project's directory.
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}).execute()

    printed = "\n".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )
    assert "intact: 4 files, 4 governed records" in printed
    assert "record " in printed and "\ntrail\n" in printed  # a full trace
    assert "governed record(s) of the sample match their lineage" in printed
    assert "forgot 1 records {'governed': 1} and 0 negatives" in printed
    assert "forgotten" in printed  # the lineage query shows the tombstone

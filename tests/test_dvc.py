"""`dvc repro` runs the stages sample -> govern -> inspect, the manifest's hashes agree with dvc.lock, and a second
`dvc repro` does nothing."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from pipelines.cli import main
from tests.conftest import REPO, read_run


def project_copy(dest: Path) -> Path:
    """The project's tracked and untracked-but-not-ignored files, in a fresh git repository."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listed:
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    (dest / "models").mkdir()
    for name in ("lid.176.ftz", "lid.176.ftz.json"):  # fetched by `make`, not a DVC output
        (dest / "models" / name).symlink_to(REPO / "models" / name)
    return dest


def dvc(project: Path, *args: str) -> str:
    # PYTHONPATH: the `corpusgate` of the stages imports the copied code, not whichever the environment installed.
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(project),
    }
    done = subprocess.run(["dvc", *args], cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_dvc_repro_runs_the_stages_once(tmp_path, capsys):
    project = project_copy(tmp_path)
    first = dvc(project, "repro")
    for stage in ("sample", "train_classifier", "govern", "inspect"):
        assert f"Running stage '{stage}'" in first
    run = read_run(project / "runs" / "sample")
    assert run["manifest"]["counts"]["governed"] > 1000
    manifest_time = (project / "runs" / "sample" / "manifest.json").stat().st_mtime_ns
    inspection = json.loads((project / "reports" / "inspection" / "inspection.json").read_text(encoding="utf-8"))
    assert inspection["passed"]
    assert [p.name for p in (project / "manifests" / "inspections").glob("*.json")] == [f"{inspection['id']}.json"]

    # The manifest recorded the upstream outputs as the run read them; dvc.lock, written after the run, agrees.
    facts = run["manifest"]["dvc"]
    assert facts["stage"] == "govern" and facts["project"] == "../.."
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))["stages"]
    upstream = {entry["path"]: entry for entry in facts["upstream"]}
    assert set(upstream) == {out["path"] for name in ("sample", "train_classifier") for out in lock[name]["outs"]}
    assert all(entry["md5"] == entry["lock_md5"] for entry in upstream.values())
    govern_deps = {dep["path"]: dep["md5"] for dep in lock["govern"]["deps"] if dep["path"] in upstream}
    assert govern_deps == {path: upstream[path]["md5"] for path in ("data/sample", "models/risk_classifier.ftz")}
    assert main(["verify", "-q", str(project / "runs" / "sample")]) == 0
    assert "dvc.lock agrees: stage govern" in capsys.readouterr().out  # its md5 of runs/sample is the files' too

    second = dvc(project, "repro")
    assert "Running stage" not in second
    assert "didn't change, skipping" in second
    assert (project / "runs" / "sample" / "manifest.json").stat().st_mtime_ns == manifest_time
    assert len(list((project / "manifests" / "inspections").glob("*.json"))) == 1
    assert "up to date" in dvc(project, "status")

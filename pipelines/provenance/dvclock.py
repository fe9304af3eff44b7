"""What DVC's `dvc.lock` says about a run, and whether the two agree (R2: versioned, tamper-evident data).

`dvc repro` runs `corpusgate run` as its `govern` stage and writes that stage's entry in dvc.lock only once the
command has finished. So while the manifest is written, dvc.lock holds the entries of the stages that ran before it
(fresh from this `dvc repro`) and at most a stale entry of this very stage from an earlier one. The manifest records
the first kind only: every output of the other stages, with the md5 dvc.lock gives it and the md5 of the files as
this run found them (DVC's own scheme, so the two compare). It cannot hold the lock's hash of its own run directory,
which contains the manifest. After `dvc repro` the check goes the other way (`lock_disagreements`, called by
`verify`): the lock's entry for the stage whose output is this run must depend on the very hashes the manifest
recorded, and its hash of the run directory must be that of the files now.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger("corpusgate")

LOCK = "dvc.lock"


def lock_facts(run_dir: Path, root: Path) -> dict[str, Any] | None:
    """The manifest's `dvc` section for the run being written to `run_dir`; None without a readable dvc.lock."""
    project = Path(os.environ.get("DVC_ROOT") or root)
    stages = read_lock(project / LOCK)
    if stages is None:
        return None
    current = os.environ.get("DVC_STAGE")  # set by `dvc repro` for the stage it runs
    upstream = []
    for name, stage in stages.items():
        outs = stage["outs"]
        if name == current or any(_contains(project / out["path"], run_dir) for out in outs):
            continue  # this run's own stage: its entry, if any, describes an earlier run
        for out in outs:
            path = project / out["path"]
            upstream.append(
                {
                    "stage": name,
                    "path": out["path"],
                    "lock_md5": out.get("md5"),
                    "md5": dvc_md5(path) if path.exists() else None,
                }
            )
    return {
        "lock": LOCK,
        "project": os.path.relpath(project.resolve(), run_dir.resolve()),
        "stage": current,
        "upstream": upstream,
    }


def lock_disagreements(run_dir: Path, facts: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The dvc.lock stage whose output is `run_dir` (None when no stage claims it) and where the lock disagrees
    with the run: a dependency at another md5 than the manifest recorded, or the run directory's files changed."""
    if not isinstance(facts.get("project"), str) or not isinstance(facts.get("upstream"), list):
        return None, ["the manifest's `dvc` section is malformed: it lacks `project` or `upstream`"]
    project = run_dir / facts["project"]
    stages = read_lock(project / str(facts.get("lock", LOCK))) or {}
    recorded = {entry.get("path"): entry.get("md5") for entry in facts["upstream"] if isinstance(entry, dict)}
    for name, stage in stages.items():
        mine = [out for out in stage["outs"] if _same(project / out["path"], run_dir)]
        if not mine:
            continue
        problems = [
            f"stage {name} depends on {dep['path']} at md5 {dep.get('md5')}; the run read md5 {recorded[dep['path']]}"
            for dep in stage["deps"]
            if dep["path"] in recorded and dep.get("md5") != recorded[dep["path"]]
        ]
        now = dvc_md5(run_dir)
        if mine[0].get("md5") != now:
            problems.append(
                f"stage {name} recorded {mine[0]['path']} at md5 {mine[0].get('md5')}; its files hash to {now} now "
                "(`dvc status` names what changed)"
            )
        return name, problems
    return None, []


def read_lock(path: Path) -> dict[str, dict[str, list[dict[str, Any]]]] | None:
    """The stages of a dvc.lock file, each with its `deps` and `outs` that name a path; None when there is no
    file or it cannot be read (logged: a run never fails for want of a readable lock)."""
    if not path.is_file():
        return None
    try:
        stages = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stages")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError) as err:
        log.warning("%s cannot be read, its hashes are not recorded: %s", path, err)
        return None
    if not isinstance(stages, dict):
        return None
    return {
        str(name): {
            part: [e for e in stage.get(part) or [] if isinstance(e, dict) and isinstance(e.get("path"), str)]
            for part in ("deps", "outs")
        }
        for name, stage in stages.items()
        if isinstance(stage, dict)
    }


def dvc_md5(path: Path) -> str:
    """The md5 DVC 3 gives a file, or a directory (`<md5 of its sorted file listing>.dir`)."""
    if not path.is_dir():
        return _md5(path)
    files = sorted((p.relative_to(path).as_posix(), p) for p in path.rglob("*") if p.is_file())
    listing = [{"md5": _md5(file), "relpath": relpath} for relpath, file in files]
    return hashlib.md5(json.dumps(listing, sort_keys=True).encode("utf-8")).hexdigest() + ".dir"


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _contains(out: Path, run_dir: Path) -> bool:
    out, run = out.resolve(), run_dir.resolve()
    return run == out or out in run.parents

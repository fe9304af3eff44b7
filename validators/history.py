"""The inspection history: one JSON file per inspection under `inspect.history` (R5: periodic iteration).

DVC tracks the directory as a persistent output of the `inspect` stage, so the history grows with every inspection
and each version of it is kept. The files hold ids, figures and hashes: no text, no personal information.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from validators import InspectionError

log = logging.getLogger("corpusgate")


class History:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, inspection_id: str) -> Path:
        return self.directory / f"{inspection_id}.json"

    def save(self, report: dict[str, Any]) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path(report["id"])
        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)  # a reader never sees half an inspection
        return path

    def load(self, inspection_id: str) -> dict[str, Any]:
        path = self.path(inspection_id)
        if not path.is_file():
            raise InspectionError(f"no inspection {inspection_id} in {self.directory}")
        return json.loads(path.read_text(encoding="utf-8"))

    def all(self, target: str | None = None) -> list[dict[str, Any]]:
        """Every readable inspection (of `target` when given), oldest first; an unreadable file is skipped, said."""
        reports = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                report = json.loads(path.read_text(encoding="utf-8"))
                started = report["started"]
                name = report["target"]["name"]
            except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
                log.warning("skipping %s: not an inspection report (%s)", path, err)
                continue
            if target is None or name == target:
                reports.append((started, report))
        return [report for _, report in sorted(reports, key=lambda pair: pair[0])]

    def latest(self, target: str | None = None) -> dict[str, Any] | None:
        reports = self.all(target)
        return reports[-1] if reports else None

"""The risk taxonomy: what the pipeline labels and quarantines for (R6; Measures art. 7 draft / art. 8 final).

The taxonomy is data (`pipelines/resources/taxonomy.yaml`, versioned): the 31 risks of TC260-003 appendix A
and the companion-specific risks of the Measures, each with its legal basis, default action and the keyword
minimum the standard sets. This module loads and validates it; the keyword library, the classifier, the risk
stage and the inspection all refer to risks by the ids defined here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

Action = Literal["quarantine", "redact", "label"]


class TaxonomyError(ValueError):
    """The taxonomy file cannot be read or is inconsistent; the message names the file and the entry."""


class _Entry(BaseModel):
    """What every entry of the taxonomy has: an id, its names and the legal text behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)


class RiskGroup(_Entry):
    """A group of risks (TC260-003 appendix A.1..A.5, or C for the companion risks of the Measures)."""


class Risk(_Entry):
    """One risk: the unit of labels, reason codes and keyword coverage."""

    group: str = Field(min_length=1)
    default_action: Action
    keyword_minimum: int = Field(ge=0)


class _TaxonomyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1)
    groups: list[RiskGroup] = Field(min_length=1)
    risks: list[Risk] = Field(min_length=1)


class Taxonomy:
    """A validated taxonomy: look risks up by id, iterate them in file order."""

    def __init__(self, version: str, groups: list[RiskGroup], risks: list[Risk], source: str) -> None:
        self.version = version
        self.groups = {group.id: group for group in groups}
        self._risks = {risk.id: risk for risk in risks}
        self.source = source

    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """Load and validate a taxonomy file; without `path`, the one packaged with corpusgate."""
        resource = Path(path) if path is not None else files("pipelines") / "resources" / "taxonomy.yaml"
        source = str(resource)
        try:
            data = yaml.safe_load(resource.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise TaxonomyError(f"{source}: cannot read the taxonomy: {error}") from error
        if not isinstance(data, dict):
            raise TaxonomyError(f"{source}: expected a mapping with version, groups and risks")
        try:
            parsed = _TaxonomyFile.model_validate(data)
        except ValidationError as error:
            raise TaxonomyError(f"{source}: {_describe(error, data)}") from error
        _check_consistency(parsed, source)
        return cls(parsed.version, parsed.groups, parsed.risks, source)

    @property
    def ids(self) -> list[str]:
        return list(self._risks)

    def in_group(self, group: str) -> list[Risk]:
        return [risk for risk in self._risks.values() if risk.group == group]

    def __getitem__(self, risk_id: str) -> Risk:
        try:
            return self._risks[risk_id]
        except KeyError:
            raise KeyError(f"unknown risk id {risk_id!r} (taxonomy version {self.version})") from None

    def get(self, risk_id: str) -> Risk | None:
        return self._risks.get(risk_id)

    def __contains__(self, risk_id: object) -> bool:
        return risk_id in self._risks

    def __iter__(self) -> Iterator[Risk]:
        return iter(self._risks.values())

    def __len__(self) -> int:
        return len(self._risks)


def _describe(error: ValidationError, data: dict) -> str:
    """Pydantic's errors, each located by the risk or group id rather than a bare list index."""
    messages = []
    for detail in error.errors():
        location = list(detail["loc"])
        if len(location) >= 2 and location[0] in ("risks", "groups") and isinstance(location[1], int):
            entries = data.get(location[0]) or []
            entry = entries[location[1]] if location[1] < len(entries) else None
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            location[1] = f"id {entry_id}" if entry_id else f"entry {location[1] + 1}"
        messages.append(f"{' / '.join(map(str, location))}: {detail['msg']}")
    return "; ".join(messages)


def _check_consistency(parsed: _TaxonomyFile, source: str) -> None:
    problems = []
    group_ids = [group.id for group in parsed.groups]
    problems += [f"duplicate group id {gid!r}" for gid in _duplicates(group_ids)]
    problems += [f"duplicate risk id {rid!r}" for rid in _duplicates([risk.id for risk in parsed.risks])]
    for risk in parsed.risks:
        if risk.group not in group_ids:
            problems.append(f"risk {risk.id}: unknown group {risk.group!r} (groups: {', '.join(group_ids)})")
        elif not risk.id.startswith(risk.group + "."):
            # The id carries its group (A1.6, C.self_harm) so that reason codes read on their own.
            problems.append(f"risk {risk.id}: id must start with its group prefix {risk.group + '.'!r}")
    if problems:
        raise TaxonomyError(f"{source}: " + "; ".join(problems))


def _duplicates(values: list[str]) -> list[str]:
    return [value for value, count in Counter(values).items() if count > 1]

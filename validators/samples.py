"""The samples of the corpus assessment (TC260-003 9.2; GB/T 45652 draft 8.2.3), drawn from the governed records.

- technical check: at least `technical.share` of the records (10%), and at least `technical.min_records`;
- manual check: `manual.records` records (4,000), all of them when fewer;
- metadata and label audit: `audit.per_group` records (100) per source type, all of a type when fewer.

Each sample is drawn without replacement from the ids in sorted order, with its own random stream derived from
the seed, so that a recorded seed gives the same samples again and resizing one sample leaves the others as they
were.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.params import InspectParams


@dataclass(frozen=True)
class Samples:
    seed: int
    technical: list[str]
    manual: list[str]
    audit: dict[str, list[str]]
    """Per source type (a source, or an origin), the ids audited."""

    def rescored(self) -> list[str]:
        """Every id whose labels are re-derived: the technical sample and the audit samples."""
        audited = (record_id for ids in self.audit.values() for record_id in ids)
        return sorted(set(self.technical).union(audited))


def technical_size(total: int, share: float, min_records: int) -> int:
    """At least `share` of `total` (rounded up) and at least `min_records`, never more than `total`."""
    return min(total, max(math.ceil(share * total), min_records))


def draw(ids: Iterable[str], size: int, seed: int, stream: str) -> list[str]:
    """`size` ids (all when fewer) drawn at random from `ids`, reproducible from `seed` and the stream's name."""
    population = sorted(ids)
    return sorted(random.Random(f"{seed}:{stream}").sample(population, min(size, len(population))))


def draw_samples(ids: list[str], groups: list[str | None], params: InspectParams, seed: int) -> Samples:
    """The three samples from the governed `ids`, each id's source type given by `groups`."""
    by_group: dict[str, list[str]] = {}
    for record_id, group in zip(ids, groups, strict=True):
        by_group.setdefault(group or "unknown", []).append(record_id)
    technical = params.technical
    return Samples(
        seed=seed,
        technical=draw(ids, technical_size(len(ids), technical.share, technical.min_records), seed, "technical"),
        manual=draw(ids, params.manual.records, seed, "manual"),
        audit={
            group: draw(members, params.audit.per_group, seed, f"audit:{group}")
            for group, members in sorted(by_group.items())
        },
    )


def ids_sha256(ids: Iterable[str]) -> str:
    """A fingerprint of a set of ids: what a review sheet is checked against, without storing the ids."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()

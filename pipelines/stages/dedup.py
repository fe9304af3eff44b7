"""Exact deduplication by normalised content hash (R2 clean data, R3 diversity: Measures art. 10(2)-(3)).

Records with the same normalised content form a group; the one with the best provenance (`keep_rank`: a
human-written record before a generated one, then the first occurrence by source order in params, file and row)
is kept and every other member is dropped as a duplicate that points at it. Only the group's
members meet in one place, so memory is bounded by the largest group, not by the corpus.
"""

from __future__ import annotations

import apache_beam as beam

from pipelines.detectors.text import content_key
from pipelines.params import ExactDedupParams, Params
from pipelines.record import Record
from pipelines.stages.base import HELD, KEPT, Progress, route
from pipelines.stages.synthetic import is_synthetic

STAGE = "exact_dedup"


def keep_rank(record: Record) -> tuple[bool, tuple[int, str, int]]:
    """Which of two copies is kept: the smaller rank. A human-written record comes before a generated copy of it (a
    model should learn the words from people, and the synthetic checks compare generated text with human text), then
    the first occurrence: source order in params, file, row. Both dedup stages keep by this rank."""
    return is_synthetic(record), record.order


def keep_first(records: list[Record]) -> None:
    """Mark every record but the best-ranked one (`keep_rank`) as a duplicate of it (in place)."""
    records.sort(key=keep_rank)
    kept, *others = records
    for other in others:
        other.mark_duplicate(STAGE, "R3.exact_duplicate", kept.id)
    kept.note(STAGE, "pass", f"kept over {len(others)} duplicates" if others else "")


class ExactDedup(beam.PTransform):
    def __init__(self, params: Params) -> None:
        super().__init__()
        self.params = params

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        settings = self.params.dedup.exact
        decided = (
            records
            | f"{STAGE}.key" >> beam.Map(_keyed, settings)
            | f"{STAGE}.group" >> beam.GroupByKey()
            | f"{STAGE}.decide" >> beam.ParDo(_KeepFirst(self.params.run.progress_every)).with_outputs(HELD, main=KEPT)
        )
        return {KEPT: decided[KEPT], HELD: decided[HELD]}


def _keyed(record: Record, settings: ExactDedupParams) -> tuple[str, Record]:
    record.content_key = content_key(record.content(), settings)
    return record.content_key, record


class _KeepFirst(beam.DoFn):
    def __init__(self, progress_every: int) -> None:
        self.progress_every = progress_every

    def setup(self) -> None:
        self.progress = Progress(STAGE, self.progress_every)

    def process(self, group: tuple[str, list[Record]]):
        records = list(group[1])
        keep_first(records)
        for record in records:
            self.progress.count(record)
            yield route(record)

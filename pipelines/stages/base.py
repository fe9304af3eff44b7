"""The uniform shape of a governance stage.

Every stage is a Beam PTransform from records to `{KEPT: records, HELD: records}`: kept records go on to the next
stage, held-back ones (quarantined or duplicate, with a reason code) go straight to the writer, so the quarantine
and the lineage come for free and nothing is lost silently. Stages are built from `Params` alone and keep no
driver-side state, so the same pipeline runs on any Beam runner.
"""

from __future__ import annotations

import logging

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.params import Params
from pipelines.record import Record

KEPT = "kept"
HELD = "held"

log = logging.getLogger("corpusgate")


class Progress:
    """Per-worker counts of one stage, logged every `every` records and kept as Beam counters."""

    def __init__(self, stage: str, every: int) -> None:
        self.stage, self.every = stage, every
        self.seen = self.held = 0
        self._kept_counter = Metrics.counter("corpusgate", f"{stage}.kept")
        self._held_counter = Metrics.counter("corpusgate", f"{stage}.held")

    def count(self, record: Record) -> None:
        self.seen += 1
        if record.held:
            self.held += 1
            self._held_counter.inc()
        else:
            self._kept_counter.inc()
        if self.seen % self.every == 0:
            log.info(
                "%s: %d records, %d kept, %d held back (this worker)",
                self.stage,
                self.seen,
                self.seen - self.held,
                self.held,
            )


def route(record: Record) -> Record | beam.pvalue.TaggedOutput:
    """The output a record belongs on."""
    return beam.pvalue.TaggedOutput(HELD, record) if record.held else record


class RecordStage(beam.PTransform):
    """A stage that decides about one record at a time.

    Subclasses set `name`, implement `apply(record)` (change the record, note what was done, or hold it back with
    `Record.hold`), and load models or detectors in `setup()`, which runs once per worker; `apply_batch(records)`
    may do the work of many `apply` calls at once.
    """

    name = "stage"

    def __init__(self, params: Params) -> None:
        super().__init__()
        self.params = params

    def setup(self) -> None:
        """Load what the stage needs once per worker (models, detectors)."""

    def apply(self, record: Record) -> None:
        raise NotImplementedError

    def apply_batch(self, records: list[Record]) -> None:
        """`apply` to each of `records`, all kept; a stage whose detectors score many texts faster in one call
        overrides it (`pipelines.stages.local` hands each stage the still-kept records of a chunk)."""
        for record in records:
            self.apply(record)

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        results = records | f"{self.name}.apply" >> beam.ParDo(_ApplyStage(self)).with_outputs(HELD, main=KEPT)
        return {KEPT: results[KEPT], HELD: results[HELD]}


class _ApplyStage(beam.DoFn):
    def __init__(self, stage: RecordStage) -> None:
        self.stage = stage

    def setup(self) -> None:
        self.stage.setup()
        self.progress = Progress(self.stage.name, self.stage.params.run.progress_every)

    def process(self, record: Record):
        self.stage.apply(record)
        self.progress.count(record)
        yield route(record)

"""Ingest and the record-local stages (clean, gate, label), shard by shard, each shard saved as a checkpoint.

These stages decide about one record at a time, so a shard's records can be computed apart from the rest of the
corpus and saved (`pipelines/checkpoints.py`): a run killed halfway and started again reuses the shards it had
finished (R2: a run that completes whatever happens to it, with outputs identical to an uninterrupted run's).
Within a shard, records go through the stages a chunk at a time (`RecordStage.apply_batch`: the label stage scores a
chunk's texts with one call into each model), each stage seeing a record only while it is kept, as `RecordStage`
does record by record, with the same progress counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import apache_beam as beam

from pipelines.checkpoints import Shard, checkpoint_path, read_checkpoint, write_checkpoint
from pipelines.params import Params
from pipelines.record import Record
from pipelines.stages.base import HELD, KEPT, Progress, RecordStage, route
from pipelines.stages.ingest import STAGE, read_shard

# Records per chunk: enough to make the models' per-call cost small, few enough to keep memory small.
RECORDS_PER_BATCH = 256


class LocalStages(beam.PTransform):
    """The shards' records after ingest and `stages`, from their checkpoints under `work_dir`, as {KEPT, HELD}."""

    def __init__(self, shards: list[Shard], stages: list[RecordStage], work_dir: Path, params: Params) -> None:
        super().__init__()
        self.shards, self.stages, self.work_dir, self.params = shards, stages, work_dir, params

    def expand(self, begin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        records = (
            begin
            | "local.shards" >> beam.Create(self.shards)  # reshuffled: the shards spread over the workers
            | "local.checkpoints" >> beam.ParDo(_GovernShard(self.stages, self.work_dir, self.params))
            | "local.read"
            >> beam.FlatMap(lambda path: (route(r) for r in read_checkpoint(path))).with_outputs(HELD, main=KEPT)
        )
        # Not reshuffled: a shard's records go on in the worker that read them, up to the next stage's shuffle, for
        # steps far cheaper than these stages; a shuffle of every record here cost more than it spread.
        return {KEPT: records[KEPT], HELD: records[HELD]}


class _GovernShard(beam.DoFn):
    """The path of a shard's checkpoint, computed unless a previous attempt of the run left it complete."""

    def __init__(self, stages: list[RecordStage], work_dir: Path, params: Params) -> None:
        self.stages, self.work_dir, self.params = stages, work_dir, params

    def setup(self) -> None:
        self.progress: list[Progress] = []  # the stages are set up with the first shard to compute, if any

    def process(self, shard: Shard) -> Iterator[Path]:
        path = checkpoint_path(self.work_dir, shard)
        if not path.exists():
            self._set_up_stages()
            write_checkpoint(path, self._govern(read_shard(shard)))
        yield path

    def _set_up_stages(self) -> None:
        """Load the stages' models once per worker, and only when a shard is computed: a run resumed after its
        local stages had finished needs none of them."""
        if self.progress:
            return
        for stage in self.stages:
            stage.setup()
        every = self.params.run.progress_every
        self.progress = [Progress(STAGE, every), *(Progress(stage.name, every) for stage in self.stages)]

    def _govern(self, records: Iterable[Record]) -> Iterator[Record]:
        """The records after the stages, a chunk at a time, each stage seeing a record only while it is kept, as the
        stage chain would."""
        records = iter(records)
        while chunk := list(islice(records, RECORDS_PER_BATCH)):
            for record in chunk:
                self.progress[0].count(record)
            for stage, progress in zip(self.stages, self.progress[1:], strict=True):
                kept = [record for record in chunk if not record.held]
                stage.apply_batch(kept)
                for record in kept:
                    progress.count(record)
            yield from chunk

"""Synthetic data: detect it, score its safety, hold back what fails (R4: Measures art. 10(4); GB 45438-2025).

Two transforms around `pipelines/detectors/synthetic.py`:

- `SyntheticSignals`, after the label stage and before deduplication, holds nothing. It labels each record's
  provenance (`synthetic`: signals, the valid AIGC label and generator fields, flags), so that the report counts
  the synthetic records of every source whichever stage holds them later, and it finds, for each synthetic record,
  its closest human record (`closest_human`: id and estimated Jaccard), while every human record is still there:
  the dedup stages may later drop a human record as a copy of a synthetic one. MinHash signatures (the near-dup
  stage's hasher, `dedup.near`, kept on each record for that stage) are cut into `synthetic.regurgitation` bands;
  in each LSH bucket holding both kinds, every synthetic record is compared with the human ones. As in the
  near-dup stage, band keys and then the signatures of shared buckets' members move in batches and partitions
  (`pipelines/stages/lsh.py`); only synthetic records are joined back with their closest human.
- `SyntheticSafety`, after the risk filter (it reads the label stage's risk scores and the PI the gate found, and
  sees only records that no earlier stage held), scores every synthetic record (`assess`) and holds it back with
  `R4.<component>` for each failing component; with `hold_flagged` it also holds the records flagged for a
  malformed AIGC label or missing generator metadata. Labels stay beside the record in governed/ and lineage/.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from pipelines.detectors import synthetic
from pipelines.detectors.synthetic import LABEL, SIGNALS_STAGE
from pipelines.params import Params
from pipelines.record import Record
from pipelines.stages.base import HELD, KEPT, Progress, RecordStage, route
from pipelines.stages.lsh import SharedBuckets, Sign, buckets

SAFETY_STAGE = "synthetic"


def is_synthetic(record: Record) -> bool:
    return bool(record.labels.get(LABEL, {}).get("signals"))


class SyntheticSignals(beam.PTransform):
    """Label provenance and the closest human record of every synthetic record; holds nothing."""

    def __init__(self, params: Params) -> None:
        super().__init__()
        self.params = params

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        settings, banding = self.params.dedup.near, self.params.synthetic.regurgitation
        labelled = (
            records
            | f"{SIGNALS_STAGE}.detect" >> beam.Map(_label_provenance)
            | f"{SIGNALS_STAGE}.sign" >> beam.ParDo(Sign(settings))
        )
        closest = (
            labelled
            | f"{SIGNALS_STAGE}.buckets"
            >> SharedBuckets(_member, banding.bands, banding.rows, settings.partitions, kind=is_synthetic)
            | f"{SIGNALS_STAGE}.compare" >> beam.FlatMap(_closest, banding.max_compared)
            | f"{SIGNALS_STAGE}.closest" >> beam.CombinePerKey(max)
        )
        # Only synthetic records can have a closest human: human ones, most of a corpus, stay out of the join.
        human, synthetic_records = labelled | f"{SIGNALS_STAGE}.kinds" >> beam.Partition(_kind, 2)
        every, keep = self.params.run.progress_every, self.params.dedup.near.enabled  # near dedup reads the signature
        noted_human = human | f"{SIGNALS_STAGE}.note_human" >> beam.ParDo(_Note(every, keep)).with_outputs(
            HELD, main=KEPT
        )
        noted_synthetic = (
            {
                "record": synthetic_records | f"{SIGNALS_STAGE}.by_id" >> beam.Map(lambda r: (r.id, r)),
                "closest": closest,
            }
            | f"{SIGNALS_STAGE}.join_closest" >> beam.CoGroupByKey()
            | f"{SIGNALS_STAGE}.note" >> beam.ParDo(_NoteClosest(every, keep)).with_outputs(HELD, main=KEPT)
        )
        return {
            tag: (noted_human[tag], noted_synthetic[tag]) | f"{SIGNALS_STAGE}.all_{tag}" >> beam.Flatten()
            for tag in (KEPT, HELD)
        }


def _label_provenance(record: Record) -> Record:
    provenance = synthetic.detect(record.meta)
    if provenance.synthetic or provenance.findings:
        record.labels[LABEL] = provenance.label()
    return record


def _member(record: Record) -> tuple[str, bool]:
    return record.id, is_synthetic(record)


def _closest(group: tuple[Any, Iterable[tuple]], max_compared: int) -> Iterator[tuple[str, tuple[float, str]]]:
    """(synthetic id, (similarity, human id)): in one linking group's buckets, each synthetic record's closest."""
    closest: dict[str, tuple[float, str]] = {}
    for bucket in buckets(group[1]):
        members = ((record_id, kind, signature) for (record_id, kind), signature in bucket)
        for synthetic_id, human_id, similarity in synthetic.closest_human(members, max_compared):
            closest[synthetic_id] = max(closest.get(synthetic_id, (similarity, human_id)), (similarity, human_id))
    yield from closest.items()


def _kind(record: Record, partitions: int) -> int:
    return int(is_synthetic(record))


class _Note(beam.DoFn):
    """Note the stage on a record's trail, with the closest human record of a synthetic one if it has one."""

    def __init__(self, progress_every: int, keep_signature: bool) -> None:
        self.progress_every, self.keep_signature = progress_every, keep_signature

    def setup(self) -> None:
        self.progress = Progress(SIGNALS_STAGE, self.progress_every)

    def process(self, record: Record):
        yield route(self.note(record, None))

    def note(self, record: Record, closest: tuple[float, str] | None) -> Record:
        if closest is not None:
            similarity, human_id = closest
            record.labels[LABEL]["closest_human"] = {"id": human_id, "similarity": similarity}
        record.note(SIGNALS_STAGE, "pass", ",".join(record.labels.get(LABEL, {}).get("signals", [])))
        if not self.keep_signature:
            record.minhash = None
        self.progress.count(record)
        return record


class _NoteClosest(_Note):
    def process(self, element: tuple[str, dict[str, Iterable[Any]]]):
        _, joined = element
        closest = max(joined["closest"], default=None)
        for record in joined["record"]:
            yield route(self.note(record, closest))


class SyntheticSafety(RecordStage):
    """Score each synthetic record's safety and hold back the failing ones (see the module's docstring)."""

    name = SAFETY_STAGE

    def setup(self) -> None:
        self.companion = synthetic.CompanionHarms.load()

    def apply(self, record: Record) -> None:
        settings = self.params.synthetic
        label = record.labels.get(LABEL)
        if label is None:
            record.note(self.name)
            return
        if label["signals"]:
            assessment = self.assess(record, label)
            label.update(assessment.label())
            for component in assessment.failing:
                record.hold(self.name, f"R4.{component}", _detail(assessment, component))
        if settings.hold_flagged:
            for code, detail in label.get("flags", {}).items():
                record.hold(self.name, code, detail)
        if not record.held:
            record.note(self.name, "pass", f"safety {label.get('safety', '-')}")

    def assess(self, record: Record, label: dict[str, Any]) -> synthetic.Assessment:
        settings = self.params.synthetic
        risk, top_risks = synthetic.risk_hazard(record.labels.get("risk", {}))
        memorised, pi_types = synthetic.memorisation_hazard(record.labels.get("pi", []), settings.memorisation_types)
        closest = label.get("closest_human", {})
        last = record.messages[-1]["content"] if record.messages else record.text or ""
        degeneration = synthetic.degeneration_hazards(record.content(), last, settings.degeneration)
        harms = self.companion.find(record.messages) if record.messages else []
        hazards = {
            "risk": risk,
            "memorisation": memorised,
            "regurgitation": closest.get("similarity", 0.0),
            "degeneration": max(degeneration.values()),
            "companion": float(bool(harms)),
        }
        found = {
            "risk": top_risks if risk else [],
            "memorisation": pi_types,
            "regurgitation": [closest["id"]] if closest else [],
            "degeneration": [
                name for name, value in degeneration.items() if value == hazards["degeneration"] and value
            ],
            "companion": harms,
        }
        return synthetic.assess(hazards, found, settings)


def _detail(assessment: synthetic.Assessment, component: str) -> str:
    found = ",".join(assessment.found.get(component, []))
    return f"hazard {assessment.hazards[component]} {found}".strip()

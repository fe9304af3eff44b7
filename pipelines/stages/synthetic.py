"""Synthetic data: detect it, score its safety, hold back what fails (R4: Measures art. 10(4); GB 45438-2025).

Two transforms around `pipelines/detectors/synthetic.py`:

- `SyntheticSignals`, after the label stage and before deduplication, holds nothing. It labels each record's
  provenance (`synthetic`: signals, the valid AIGC label and generator fields, flags), so that the report counts
  the synthetic records of every source whichever stage holds them later, and it finds, for each synthetic record,
  its closest human record (`closest_human`: id and estimated Jaccard), while every human record is still there:
  the dedup stages may later drop a human record as a copy of a synthetic one. MinHash signatures (the near-dup
  stage's hasher, `dedup.near`) are cut into `synthetic.regurgitation` bands; in each LSH bucket holding both
  kinds, every synthetic record is compared with the human ones. As in the near-dup stage, buckets carry ids only
  and signatures join them in a second shuffle; only synthetic records are joined back with their closest human.
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
from pipelines.detectors.minhash import MinHasher, band_keys, signature_from_bytes
from pipelines.detectors.synthetic import LABEL, SIGNALS_STAGE
from pipelines.params import NearDupParams, Params
from pipelines.record import Record
from pipelines.stages.base import HELD, KEPT, Progress, RecordStage, route

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
        labelled = records | f"{SIGNALS_STAGE}.detect" >> beam.Map(_label_provenance)
        sketches = labelled | f"{SIGNALS_STAGE}.sign" >> beam.ParDo(_Sign(settings))
        mixed = (
            sketches
            | f"{SIGNALS_STAGE}.band" >> beam.FlatMap(_band, banding.bands, banding.rows)
            | f"{SIGNALS_STAGE}.bucket" >> beam.GroupByKey()
            | f"{SIGNALS_STAGE}.mixed" >> beam.FlatMap(_mixed_members, banding.max_compared)
        )
        closest = (
            {"bucket": mixed, "sketch": sketches}
            | f"{SIGNALS_STAGE}.join_buckets" >> beam.CoGroupByKey()
            | f"{SIGNALS_STAGE}.to_buckets" >> beam.FlatMap(_to_buckets)
            | f"{SIGNALS_STAGE}.candidates" >> beam.GroupByKey()
            | f"{SIGNALS_STAGE}.compare" >> beam.FlatMap(_closest, banding.max_compared)
            | f"{SIGNALS_STAGE}.closest" >> beam.CombinePerKey(max)
        )
        # Only synthetic records can have a closest human: human ones, most of a corpus, stay out of the join.
        human, synthetic_records = labelled | f"{SIGNALS_STAGE}.kinds" >> beam.Partition(_kind, 2)
        every = self.params.run.progress_every
        noted_human = human | f"{SIGNALS_STAGE}.note_human" >> beam.ParDo(_Note(every)).with_outputs(HELD, main=KEPT)
        noted_synthetic = (
            {
                "record": synthetic_records | f"{SIGNALS_STAGE}.by_id" >> beam.Map(lambda r: (r.id, r)),
                "closest": closest,
            }
            | f"{SIGNALS_STAGE}.join_closest" >> beam.CoGroupByKey()
            | f"{SIGNALS_STAGE}.note" >> beam.ParDo(_NoteClosest(every)).with_outputs(HELD, main=KEPT)
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


class _Sign(beam.DoFn):
    def __init__(self, settings: NearDupParams) -> None:
        self.settings = settings

    def setup(self) -> None:
        self.hasher = MinHasher.for_params(self.settings)

    def process(self, record: Record) -> Iterator[tuple[str, tuple[bool, bytes]]]:
        signature = self.hasher.signature(record.content())
        if signature is not None:
            yield record.id, (is_synthetic(record), signature.tobytes())


def _band(sketch: tuple[str, tuple[bool, bytes]], bands: int, rows: int) -> Iterator[tuple[bytes, tuple[str, bool]]]:
    record_id, (kind, raw) = sketch
    for key in band_keys(signature_from_bytes(raw), bands, rows):
        yield key, (record_id, kind)


def _mixed_members(bucket: tuple[bytes, Iterable[tuple[str, bool]]], max_compared: int) -> Iterator[tuple[str, bytes]]:
    """(id, bucket key) for the members of buckets that hold a synthetic and a human record: only those compare."""
    key, members = bucket
    kept: dict[bool, list[str]] = {True: [], False: []}
    for record_id, kind in members:
        if len(kept[kind]) < max_compared:
            kept[kind].append(record_id)
    if kept[True] and kept[False]:
        for record_id in kept[True] + kept[False]:
            yield record_id, key


def _to_buckets(joined: tuple[str, dict[str, list[Any]]]) -> Iterator[tuple[bytes, tuple[str, bool, bytes]]]:
    record_id, parts = joined
    for kind, raw in parts["sketch"]:
        for key in parts["bucket"]:
            yield key, (record_id, kind, raw)


def _closest(
    bucket: tuple[bytes, Iterable[tuple[str, bool, bytes]]], max_compared: int
) -> Iterator[tuple[str, tuple[float, str]]]:
    members = ((record_id, kind, signature_from_bytes(raw)) for record_id, kind, raw in bucket[1])
    for synthetic_id, human_id, similarity in synthetic.closest_human(members, max_compared):
        yield synthetic_id, (similarity, human_id)


def _kind(record: Record, partitions: int) -> int:
    return int(is_synthetic(record))


class _Note(beam.DoFn):
    """Note the stage on a record's trail, with the closest human record of a synthetic one if it has one."""

    def __init__(self, progress_every: int) -> None:
        self.progress_every = progress_every

    def setup(self) -> None:
        self.progress = Progress(SIGNALS_STAGE, self.progress_every)

    def process(self, record: Record):
        yield route(self.note(record, None))

    def note(self, record: Record, closest: tuple[float, str] | None) -> Record:
        if closest is not None:
            similarity, human_id = closest
            record.labels[LABEL]["closest_human"] = {"id": human_id, "similarity": similarity}
        record.note(SIGNALS_STAGE, "pass", ",".join(record.labels.get(LABEL, {}).get("signals", [])))
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

"""Shared LSH band buckets of MinHash signatures, found across workers in batches (R3 near-duplicates, R4
regurgitation): the part of the near-dup and synthetic signals stages that moves band keys and signatures.

Beam pays a fixed cost for every element it moves: sent one key or one signature per element, the band keys and
signatures cost these stages more than their own work. Here they move as numpy arrays, a batch of records and a
partition of the band keys at a time, and what runs per element in Python runs per batch. No step holds more than
one partition's band keys (`dedup.near.partitions`) or one linking group's signatures (`GROUP_ROWS`, besides its
largest bucket), so memory stays bounded whatever the corpus size.

1. sign (`Sign`): each record's signature (`pipelines/detectors/minhash.py`), kept on the record
   (`Record.minhash`): the stage after it does not compute it again. A record without shingles is not compared.
2. batch (`SharedBuckets`): up to `BATCH` signed records as one `Sketches`, the stage's member for each record
   (a node, an id) and their signatures as one 2-D array.
3. band: per batch and partition, one element with the band keys of that partition and the rows they belong to.
4. shared: per partition, its band keys sorted at once; the entries of shared buckets (two members or more; with
   `kind`, members of both kinds) ask for their signatures, one request per batch and linking group. A linking
   group is a run of one partition's shared buckets of about `GROUP_ROWS` entries.
5. join: each batch's signatures meet its requests by batch id and the requested ones go to their linking group.
6. `buckets`: per linking group, each shared bucket's members with their signatures, in member order, so that the
   stages' comparisons do not depend on the order in which records arrive.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import apache_beam as beam
import numpy as np

from pipelines.detectors.minhash import (
    SIGNATURE_DTYPE,
    MinHasher,
    Signature,
    band_key_array,
    band_partitions,
    equal_runs,
)
from pipelines.params import NearDupParams
from pipelines.record import Record

BATCH = 1_000  # records signed and banded as one element
GROUP_ROWS = 20_000  # signatures (1 KB each at 512 permutations) of shared buckets linked in one step

Bucket = list[tuple[Any, Signature]]  # (member, signature), in member order


class Sketches(NamedTuple):
    """A batch of signed records: what the stage compares them as, and their signatures."""

    batch: str  # unique: the key its signatures are asked for by
    members: list[Any]
    kinds: np.ndarray  # bool per member; only `SharedBuckets(kind=...)` reads it
    signatures: np.ndarray  # (members, num_perm)


class Sign(beam.DoFn):
    """Set each record's `minhash` (`b""`: no shingles) unless the MinHash stage before did, with the same
    `dedup.near` settings."""

    def __init__(self, settings: NearDupParams) -> None:
        self.settings = settings

    def setup(self) -> None:
        self.hasher = MinHasher.for_params(self.settings)

    def process(self, record: Record) -> Iterator[Record]:
        if record.minhash is None:
            signature = self.hasher.signature(record.content())
            record.minhash = b"" if signature is None else signature.tobytes()
        yield record


class SharedBuckets(beam.PTransform):
    """Signed records -> (linking group, parts) elements, which `buckets` turns into the shared buckets."""

    def __init__(
        self,
        member: Callable[[Record], Any],
        bands: int,
        rows: int,
        partitions: int,
        kind: Callable[[Record], bool] | None = None,
    ) -> None:
        super().__init__()
        self.member, self.bands, self.rows, self.partitions, self.kind = member, bands, rows, partitions, kind

    def expand(self, signed: beam.PCollection) -> beam.PCollection:
        sketches = (
            signed
            | "batch" >> beam.BatchElements(min_batch_size=BATCH, max_batch_size=BATCH, record_metrics=False)
            | "sketch" >> beam.FlatMap(_sketches, self.member, self.kind)
        )
        requests = (
            sketches
            | "band" >> beam.FlatMap(_band, self.bands, self.rows, self.partitions)
            | "partition" >> beam.GroupByKey()
            | "shared" >> beam.FlatMap(_shared, mixed=self.kind is not None)
        )
        return (
            {
                "sketches": sketches | "by_batch" >> beam.Map(lambda sketches: (sketches.batch, sketches)),
                "requests": requests,
            }
            | "join" >> beam.CoGroupByKey()
            | "requested" >> beam.FlatMap(_requested)
            | "group" >> beam.GroupByKey()
        )


def _sketches(
    records: list[Record], member: Callable[[Record], Any], kind: Callable[[Record], bool] | None
) -> Iterator[Sketches]:
    signed = [record for record in records if record.minhash]
    if not signed:
        return
    kinds = np.fromiter(map(kind, signed), bool, len(signed)) if kind else np.zeros(len(signed), bool)
    signatures = np.frombuffer(b"".join(record.minhash for record in signed), SIGNATURE_DTYPE).reshape(len(signed), -1)
    yield Sketches(uuid.uuid4().hex, list(map(member, signed)), kinds, signatures)


def _band(sketches: Sketches, bands: int, rows: int, partitions: int) -> Iterator[tuple[int, tuple]]:
    """(partition, (batch, band keys, their rows, their kinds)) for each partition the batch has keys in."""
    keys = band_key_array(sketches.signatures, bands, rows).ravel()
    parts = band_partitions(sketches.signatures, bands, rows, partitions).ravel()
    members = np.repeat(np.arange(len(sketches.members), dtype=np.uint32), bands)
    order, starts, sizes = equal_runs(parts)
    for start, size in zip(starts, sizes, strict=True):
        entries = order[start : start + size]
        rows_of = members[entries]
        yield int(parts[entries[0]]), (sketches.batch, keys[entries], rows_of, sketches.kinds[rows_of])


def _shared(partition: tuple[int, Iterable[tuple]], mixed: bool) -> Iterator[tuple[str, tuple]]:
    """(batch, (linking group, rows, buckets)): the batch's entries in this partition's shared buckets, each
    bucket numbered within the partition."""
    number, parts = partition
    batches, keys, rows, kinds, batch_of = [], [], [], [], []
    for index, (batch, part_keys, part_rows, part_kinds) in enumerate(parts):
        batches.append(batch)
        keys.append(part_keys)
        rows.append(part_rows)
        kinds.append(part_kinds)
        batch_of.append(np.full(len(part_keys), index))
    order, starts, sizes = equal_runs(np.concatenate(keys))
    shared = sizes >= 2
    if mixed:  # buckets holding both kinds
        of_kind = np.add.reduceat(np.concatenate(kinds)[order], starts)
        shared &= (of_kind > 0) & (of_kind < sizes)
    if not shared.any():
        return
    shared_sizes = sizes[shared]
    groups = (np.cumsum(shared_sizes) - shared_sizes) // GROUP_ROWS  # entries before each bucket
    in_shared = np.repeat(shared, sizes)  # per sorted entry
    entries = order[in_shared]
    bucket_of = np.repeat(np.arange(len(sizes)), sizes)[in_shared]
    group_of = np.repeat(groups, shared_sizes)
    batch_of, rows = np.concatenate(batch_of)[entries], np.concatenate(rows)[entries]
    requests, request_starts, request_sizes = equal_runs(batch_of * (int(groups[-1]) + 1) + group_of)
    for start, size in zip(request_starts, request_sizes, strict=True):
        request = requests[start : start + size]
        first = request[0]
        yield batches[batch_of[first]], ((number, int(group_of[first])), rows[request], bucket_of[request])


def _requested(joined: tuple[str, dict[str, list[Any]]]) -> Iterator[tuple[tuple[int, int], tuple]]:
    """(linking group, (members, signatures, buckets, rows)): a batch's members asked for by one linking group,
    each once, and per entry its bucket and its row among them."""
    _, parts = joined
    for sketches in parts["sketches"]:
        for group, rows, bucket_of in parts["requests"]:
            needed, row_of = np.unique(rows, return_inverse=True)
            yield group, ([sketches.members[row] for row in needed], sketches.signatures[needed], bucket_of, row_of)


def buckets(parts: Iterable[tuple]) -> Iterator[Bucket]:
    """The shared buckets of one linking group (a `SharedBuckets` element's parts), members in order."""
    members: list[Any] = []
    signatures, bucket_of, row_of = [], [], []
    for part_members, part_signatures, part_buckets, part_rows in parts:
        row_of.append(part_rows + len(members))
        members.extend(part_members)
        signatures.append(part_signatures)
        bucket_of.append(part_buckets)
    if not members:
        return
    all_signatures, all_rows = np.concatenate(signatures), np.concatenate(row_of)
    order, starts, sizes = equal_runs(np.concatenate(bucket_of))
    for start, size in zip(starts, sizes, strict=True):
        rows = sorted(all_rows[order[start : start + size]], key=members.__getitem__)
        yield [(members[row], all_signatures[row]) for row in rows]

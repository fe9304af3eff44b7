"""Near-duplicate detection with cluster lineage (R3 diversity, R2 clean data: Measures art. 10(2)-(3)).

Records whose estimated Jaccard similarity (MinHash, see `pipelines/detectors/minhash.py`) reaches
`threshold`, directly or through a chain of such records, form a cluster. Its representative is the record with
the best provenance: the smallest `keep_rank` (human-written before generated, then first source in params, file,
row), as exact dedup decides. It is kept and
labelled `near_dup = {"cluster": its id, "size": n}`; every other member is dropped as `R3.near_duplicate` of it,
labelled `near_dup = {"cluster": representative id, "similarity": estimated Jaccard to the representative}`.
A record in no cluster passes unlabelled. Cross-source pairs are found like any other. With `previous`, the
governed records of an earlier run take part as representatives that are never dropped (nor written again),
so a new batch is deduplicated against an already governed dataset.

How it runs on many workers: no step holds more than one band bucket (at most `max_compared` signatures of it),
one node's edges or one cluster's members, and the records stay out of the shuffles until the verdicts are
joined back by id. A node is (keep_rank, record.id), so the smallest node of a cluster is its representative.

1. sign: a MinHash signature per record; a record without shingles passes untouched.
2. band: (band key -> node) for each of `bands` bands, grouped per bucket. Members of buckets with two members
   or more get their signature joined by node and meet again per bucket, where `link_bucket` checks them
   against the threshold and emits edges that connect the near-duplicates (`near_dedup.bucket_size`).
3. components: `rounds` rounds of large-star then small-star (Kiveris et al., SoCC 2014) over the edges, each
   two shuffles of the edge list, turn every connected component into a star around its smallest node, so
   transitive near-duplicates (A~B, B~C, A!~C) end in one cluster. Chosen over min-label propagation, which
   needs as many rounds as a component's diameter: these need O(log^2 n) rounds in the worst case, and about
   log2 n for a chain of n records ordered along the chain, the worst shape we know (bench/bench_neardup.py
   prints the counts). Beam graphs are static, so the rounds are unrolled: the default 8 settles such chains of
   up to 250 records; a cluster of mutual near-duplicates (edges in a star or a clique) settles in one round.
4. claim: each linked node, joined with its signature, points at its smallest neighbour or, having none, at
   itself.
5. decide: per pointed-at node, its claimers. A node that points at itself is a representative and its
   claimers are its duplicates (`near_dedup.cluster_size`). If the rounds did not converge, a record can point
   at a node that points elsewhere: it is kept, noted and counted (`near_dedup.unresolved`, logged). Too few
   rounds under-deduplicate; they never drop a record in favour of a dropped one.
6. join the verdicts back onto the records by id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from pipelines.detectors.minhash import (
    MinHasher,
    band_keys,
    large_star,
    link_bucket,
    signature_from_bytes,
    similarity,
    small_star,
)
from pipelines.params import NearDupParams, Params
from pipelines.record import Record
from pipelines.stages.base import HELD, KEPT, Progress, route
from pipelines.stages.dedup import keep_rank

STAGE = "near_dedup"
REASON = "R3.near_duplicate"
# Banding that would skip more pairs at the threshold than this silently loses recall: refused.
PREVIOUS_RANK = (False, (-1, "", 0))  # before every record of a run: an earlier run's records stay representatives

log = logging.getLogger("corpusgate")

Node = tuple[tuple[bool, tuple[int, str, int]], str]  # (keep_rank(record), record.id)


class Verdict(NamedTuple):
    """What clustering decided about one record."""

    kind: str  # representative | duplicate | unresolved
    cluster: str  # the representative's id
    similarity: float  # estimated Jaccard to the representative
    size: int  # members of the cluster (representatives only)


class NearDup(beam.PTransform):
    """Drop near-duplicates, keeping one representative per cluster (see the module's docstring)."""

    def __init__(self, params: Params, settings: NearDupParams) -> None:
        super().__init__()
        self.params, self.settings = params, settings

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        settings = self.settings
        sketches = records | f"{STAGE}.sign" >> beam.ParDo(_Sign(settings))
        if settings.previous:
            previous = (
                records.pipeline
                | f"{STAGE}.read_previous"
                >> beam.io.ReadFromParquet(_parquet_pattern(settings.previous), columns=["id", "text", "messages"])
                | f"{STAGE}.sign_previous" >> beam.ParDo(_SignPrevious(settings))
            )
            sketches = (sketches, previous) | f"{STAGE}.all_sketches" >> beam.Flatten()
        shared_buckets = (
            sketches
            | f"{STAGE}.band" >> beam.FlatMap(_band_keys, settings.bands, settings.rows)
            | f"{STAGE}.bucket" >> beam.GroupByKey()
            | f"{STAGE}.shared" >> beam.FlatMap(_shared)
        )
        edges = (
            {"bucket": shared_buckets, "sketch": sketches}
            | f"{STAGE}.join_buckets" >> beam.CoGroupByKey()
            | f"{STAGE}.to_buckets" >> beam.FlatMap(_to_buckets)
            | f"{STAGE}.candidates" >> beam.GroupByKey()
            | f"{STAGE}.link" >> beam.FlatMap(_linked, settings.threshold, settings.max_compared)
        )
        for number in range(settings.rounds):
            edges = edges | f"{STAGE}.round{number}" >> _StarRound()
        verdicts = (
            (
                edges | f"{STAGE}.endpoints" >> beam.FlatMap(_endpoints),
                sketches | f"{STAGE}.tag_sketches" >> beam.MapTuple(lambda node, raw: (node, (SKETCH, raw))),
            )
            | f"{STAGE}.all_nodes" >> beam.Flatten()
            | f"{STAGE}.nodes" >> beam.GroupByKey()
            | f"{STAGE}.claim" >> beam.FlatMap(_claim)
            | f"{STAGE}.clusters" >> beam.GroupByKey()
            | f"{STAGE}.verdicts" >> beam.FlatMap(_verdicts)
        )
        decided = (
            {"record": records | f"{STAGE}.by_id" >> beam.Map(lambda r: (r.id, r)), "verdict": verdicts}
            | f"{STAGE}.join_verdicts" >> beam.CoGroupByKey()
            | f"{STAGE}.decide"
            >> beam.ParDo(_Decide(self.params.run.progress_every, settings.rounds)).with_outputs(HELD, main=KEPT)
        )
        return {KEPT: decided[KEPT], HELD: decided[HELD]}


def _parquet_pattern(previous: str) -> str:
    """The files of an earlier run's governed table: a directory's *.parquet, or a Parquet file or glob as given."""
    names_files = previous.endswith(".parquet") or any(c in previous for c in "*?[")
    pattern = previous if names_files else FileSystems.join(previous, "*.parquet")
    if not FileSystems.match([pattern])[0].metadata_list:
        raise ValueError(f"near-duplicate `previous`: no Parquet files match {pattern!r}")
    return pattern


class _Sign(beam.DoFn):
    def __init__(self, settings: NearDupParams) -> None:
        self.settings = settings

    def setup(self) -> None:
        self.hasher = MinHasher.for_params(self.settings)

    def process(self, record: Record) -> Iterator[tuple[Node, bytes]]:
        yield from self._sketch((keep_rank(record), record.id), record.content())

    def _sketch(self, node: Node, content: str) -> Iterator[tuple[Node, bytes]]:
        signature = self.hasher.signature(content)
        if signature is not None:
            yield node, signature.tobytes()


class _SignPrevious(_Sign):
    def process(self, row: dict[str, Any]) -> Iterator[tuple[Node, bytes]]:
        # Only its id and content matter: it is never written again.
        earlier = Record(
            id=row["id"],
            source="",
            file="",
            row=0,
            raw_sha256="",
            order=(-1, "", 0),
            text=row["text"],
            messages=row["messages"],
        )
        yield from self._sketch((PREVIOUS_RANK, row["id"]), earlier.content())


def _band_keys(sketch: tuple[Node, bytes], bands: int, rows: int) -> Iterator[tuple[bytes, Node]]:
    node, raw = sketch
    for key in band_keys(signature_from_bytes(raw), bands, rows):
        yield key, node


def _shared(bucket: tuple[bytes, Iterable[Node]]) -> Iterator[tuple[Node, bytes]]:
    """(node, bucket key) for the members of buckets with two members or more: only those are compared."""
    key, nodes = bucket
    first, size = None, 0
    for size, node in enumerate(nodes, start=1):
        if size == 1:
            first = node
            continue
        if size == 2:
            yield first, key
        yield node, key
    if size > 1:
        Metrics.distribution("corpusgate", f"{STAGE}.bucket_size").update(size)


def _to_buckets(joined: tuple[Node, dict[str, list[Any]]]) -> Iterator[tuple[bytes, tuple[Node, bytes]]]:
    node, parts = joined
    for raw in parts["sketch"]:
        for key in parts["bucket"]:
            yield key, (node, raw)


def _linked(
    bucket: tuple[bytes, Iterable[tuple[Node, bytes]]], threshold: float, max_compared: int
) -> Iterator[tuple[Node, Node]]:
    return link_bucket(((node, signature_from_bytes(raw)) for node, raw in bucket[1]), threshold, max_compared)


class _StarRound(beam.PTransform):
    """One large-star and one small-star step over the edge list (each edge as (smaller, larger))."""

    def expand(self, edges: beam.PCollection) -> beam.PCollection:
        return (
            edges
            | "large.send" >> beam.FlatMap(lambda edge: (edge, (edge[1], edge[0])))
            | "large.group" >> beam.GroupByKey()
            | "large.star" >> beam.FlatMapTuple(large_star)
            | "small.send" >> beam.Map(lambda edge: (edge[1], edge[0]))
            | "small.group" >> beam.GroupByKey()
            | "small.star" >> beam.FlatMapTuple(small_star)
        )


SKETCH, SMALLER, LINKED = "sketch", "smaller", "linked"


def _endpoints(edge: tuple[Node, Node]) -> tuple[tuple[Node, tuple[str, Node | None]], ...]:
    smaller, larger = edge
    return (larger, (SMALLER, smaller)), (smaller, (LINKED, None))


def _claim(grouped: tuple[Node, Iterable[tuple[str, Any]]]) -> Iterator[tuple[Node, tuple[Node, bytes]]]:
    """A linked node points at its smallest neighbour, or at itself when it has none: after converged rounds,
    its cluster's representative. Streams its values: the centre of a cluster has one per member."""
    node, values = grouped
    pointed, raw, linked = node, b"", False
    for tag, value in values:
        if tag == SKETCH:
            raw = value
        else:
            linked = True
            if tag == SMALLER and value < pointed:
                pointed = value
    if linked:
        yield pointed, (node, raw)


def _verdicts(cluster: tuple[Node, Iterable[tuple[Node, bytes]]]) -> Iterator[tuple[str, Verdict]]:
    """Verdicts for the records pointing at one node: duplicates of it when it points at itself."""
    claimed, claimers = cluster
    claimed_raw = next((raw for node, raw in claimers if node == claimed), None)
    cluster_id = claimed[1]
    if claimed_raw is None:  # `claimed` points elsewhere: the rounds did not converge here
        for node, _ in claimers:
            if node[0] != PREVIOUS_RANK:
                yield node[1], Verdict("unresolved", cluster_id, 0.0, 0)
        return
    kept_signature, size = signature_from_bytes(claimed_raw), 0
    for node, raw in claimers:
        size += 1
        if node != claimed and node[0] != PREVIOUS_RANK:
            yield (
                node[1],
                Verdict("duplicate", cluster_id, round(similarity(signature_from_bytes(raw), kept_signature), 4), 0),
            )
    Metrics.distribution("corpusgate", f"{STAGE}.cluster_size").update(size)
    if claimed[0] != PREVIOUS_RANK:
        yield cluster_id, Verdict("representative", cluster_id, 1.0, size)


class _Decide(beam.DoFn):
    def __init__(self, progress_every: int, rounds: int) -> None:
        self.progress_every, self.rounds = progress_every, rounds

    def setup(self) -> None:
        self.progress = Progress(STAGE, self.progress_every)
        self.unresolved = Metrics.counter("corpusgate", f"{STAGE}.unresolved")
        self.warned = False

    def process(self, element: tuple[str, dict[str, Iterable[Any]]]):
        record_id, joined = element
        verdicts = list(joined["verdict"])
        if len(verdicts) > 1:  # one per linked node, and nodes of earlier runs get none: a programming error
            raise RuntimeError(f"{STAGE}: {len(verdicts)} verdicts for record {record_id}")
        verdict = verdicts[0] if verdicts else None
        for record in joined["record"]:
            self.apply(record, verdict)
            self.progress.count(record)
            yield route(record)

    def apply(self, record: Record, verdict: Verdict | None) -> None:
        if verdict is None:
            record.note(STAGE)
        elif verdict.kind == "duplicate":
            record.labels["near_dup"] = {"cluster": verdict.cluster, "similarity": verdict.similarity}
            record.mark_duplicate(STAGE, REASON, verdict.cluster)
        elif verdict.kind == "representative":
            record.labels["near_dup"] = {"cluster": verdict.cluster, "size": verdict.size}
            record.note(STAGE, "pass", f"kept over {verdict.size - 1} near-duplicates")
        else:
            self.unresolved.inc()
            if not self.warned:
                self.warned = True
                log.warning("%s: clustering did not converge in %d rounds; such records are kept", STAGE, self.rounds)
            record.note(STAGE, "pass", f"kept: clustering did not converge in {self.rounds} rounds")

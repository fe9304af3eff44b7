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

How it runs on many workers: no step holds more than one partition of band keys, one linking group of shared
buckets (`pipelines/stages/lsh.py`), one node's edges or one cluster's members, and the records stay out of the
shuffles until the verdicts are joined back by id. A node is (keep_rank, record.id), so the smallest node of a
cluster is its representative.

1. sign: a MinHash signature per record, kept on it by the synthetic signals stage if it ran (same settings);
   a record without shingles passes untouched.
2. band: `bands` band keys per record, in batches, grouped per partition (`lsh.SharedBuckets`). Members of
   buckets with two members or more get their signature joined by batch and meet again per linking group,
   where `link_bucket` checks each bucket's members against the threshold and emits edges that connect the
   near-duplicates (`near_dedup.bucket_size`), and the signatures of the nodes it linked.
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

from pipelines.detectors.minhash import large_star, link_bucket, signature_from_bytes, similarity, small_star
from pipelines.params import NearDupParams, Params
from pipelines.record import Record
from pipelines.stages.base import HELD, KEPT, Progress, route
from pipelines.stages.dedup import keep_rank
from pipelines.stages.lsh import SharedBuckets, Sign, buckets

STAGE = "near_dedup"
REASON = "R3.near_duplicate"
# Banding that would skip more pairs at the threshold than this silently loses recall: refused.
PREVIOUS_RANK = (False, (-1, "", 0))  # before every record of a run: an earlier run's records stay representatives

log = logging.getLogger("corpusgate")

Node = tuple[tuple[bool, tuple[int, str, int]], str]  # (keep_rank(record), record.id)
EDGE, SKETCH, SMALLER, LINKED = "edge", "sketch", "smaller", "linked"  # what a step sends, tagged


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
        signed = records | f"{STAGE}.sign" >> beam.ParDo(Sign(settings))
        every = signed
        if settings.previous:
            previous = (
                records.pipeline
                | f"{STAGE}.read_previous"
                >> beam.io.ReadFromParquet(_parquet_pattern(settings.previous), columns=["id", "text", "messages"])
                | f"{STAGE}.previous_records" >> beam.Map(_earlier_record)
                | f"{STAGE}.sign_previous" >> beam.ParDo(Sign(settings))
            )
            every = (signed, previous) | f"{STAGE}.all_signed" >> beam.Flatten()
        linked = (
            every
            | f"{STAGE}.buckets" >> SharedBuckets(_node, settings.bands, settings.rows, settings.partitions)
            | f"{STAGE}.link"
            >> beam.FlatMap(_linked, settings.threshold, settings.max_compared).with_outputs(SKETCH, main=EDGE)
        )
        edges = linked[EDGE]
        for number in range(settings.rounds):
            edges = edges | f"{STAGE}.round{number}" >> _StarRound()
        verdicts = (
            (edges | f"{STAGE}.endpoints" >> beam.FlatMap(_endpoints), linked[SKETCH])
            | f"{STAGE}.all_nodes" >> beam.Flatten()
            | f"{STAGE}.nodes" >> beam.GroupByKey()
            | f"{STAGE}.claim" >> beam.FlatMap(_claim)
            | f"{STAGE}.clusters" >> beam.GroupByKey()
            | f"{STAGE}.verdicts" >> beam.FlatMap(_verdicts)
        )
        decided = (
            {"record": signed | f"{STAGE}.by_id" >> beam.Map(lambda r: (r.id, r)), "verdict": verdicts}
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


def _earlier_record(row: dict[str, Any]) -> Record:
    """A governed record of an earlier run: only its id and content matter (it is never written again), and its
    order puts it before every record of this run (`PREVIOUS_RANK`)."""
    return Record(
        id=row["id"],
        source="",
        file="",
        row=0,
        raw_sha256="",
        order=PREVIOUS_RANK[1],
        text=row["text"],
        messages=row["messages"],
    )


def _node(record: Record) -> Node:
    return keep_rank(record), record.id


def _linked(group: tuple[Any, Iterable[tuple]], threshold: float, max_compared: int) -> Iterator[Any]:
    """Edges (smaller node, larger node) that connect the near-duplicates in one linking group's shared buckets,
    each once, and (tagged SKETCH) the signatures of the nodes they connect."""
    edges: set[tuple[Node, Node]] = set()
    signatures: dict[Node, bytes] = {}
    for bucket in buckets(group[1]):
        Metrics.distribution("corpusgate", f"{STAGE}.bucket_size").update(len(bucket))
        new = set(link_bucket(bucket, threshold, max_compared)) - edges
        if new:
            edges |= new
            signatures |= {node: signature.tobytes() for node, signature in bucket if node not in signatures}
    yield from edges
    linked = {node for edge in edges for node in edge}
    for node in linked:
        yield beam.pvalue.TaggedOutput(SKETCH, (node, (SKETCH, signatures[node])))


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
        record.minhash = None  # no stage after this one reads it
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

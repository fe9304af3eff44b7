"""Near-duplicate detection with MinHash and LSH, pure Python (R3 diversity, R2 clean data: Measures art. 10(2)-(3)).

Four pieces, each usable on its own by the Beam stage (`pipelines/stages/neardup.py`), the evaluation and the tests:

1. Shingles, chosen per text by its script. The text is cut into units: one character of a script written
   without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) or one run of other letters and digits (a word);
   whitespace, punctuation and symbols only separate units and case is folded. A text whose units are mostly
   unspaced characters (share >= `cjk_share`) is shingled in `char_ngram`-unit n-grams, which for Chinese are
   character n-grams (an embedded English word counts as one unit); any other text in `word_ngram`-word n-grams.
   A text shorter than n units is one shingle; a text without units has none and is not compared.
2. Signatures: `num_perm` MinHash values per text (rensa, seeded, so every worker and every run agrees), kept
   as their low 16 bits (b-bit MinHash, Li and Koenig 2010): two different values then agree by chance once in
   65,536, which moves an estimate by less than 2e-5 and halves what the shuffles carry. The share of equal
   values estimates the Jaccard similarity of two texts' shingle sets (`similarity`).
3. LSH banding: `band_keys` cuts a signature into `bands` bands of `rows` values; texts that share a band key are
   candidates. A pair at Jaccard s becomes a candidate with probability 1 - (1 - s^rows)^bands. For many
   signatures at once, `band_key_array` gives the keys as a numpy array, `band_partitions` spreads them over
   partitions and `equal_runs` finds the equal ones in one sort (the stages' batches, `pipelines/stages/lsh.py`).
4. Clustering: `link_bucket` checks the candidates of one band bucket against the threshold and returns edges
   that connect them; `large_star` and `small_star` (Kiveris et al., "Connected Components in MapReduce and
   Beyond", SoCC 2014) turn the edges, round by round, into stars around each component's smallest node
   (`star_rounds` runs the rounds in memory, as the stage does with shuffles). Nodes
   are any ordered values; the stage uses (keep_rank, record.id), so the smallest node of a cluster is its
   record with the best provenance (human-written before generated, then first source in params, file, row),
   which is kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

import numpy as np
import regex
from rensa import RMinHash

from pipelines.params import NearDupParams

UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_UNIT = regex.compile(rf"[{UNSPACED}]|[^\s\p{{P}}\p{{S}}{UNSPACED}]+")
_UNSPACED_RUN = regex.compile(rf"[{UNSPACED}]+")


class _Ordered(Protocol):
    def __lt__(self, other: object, /) -> bool: ...


Node = TypeVar("Node", bound=_Ordered)
Signature = np.ndarray  # 1-D, SIGNATURE_DTYPE, one MinHash value per permutation
SIGNATURE_DTYPE = np.uint16


class MinHasher:
    """Shingles and MinHash signatures of texts, with the same permutations wherever it is built with the same
    arguments (R3: near-duplicates are recognised across workers, sources and runs)."""

    def __init__(self, *, num_perm: int, seed: int, char_ngram: int, word_ngram: int, cjk_share: float) -> None:
        if min(num_perm, char_ngram, word_ngram) < 1 or seed < 0 or not 0 <= cjk_share <= 1:
            raise ValueError("num_perm, char_ngram and word_ngram must be >= 1, seed >= 0, cjk_share in [0, 1]")
        self.num_perm, self.seed = num_perm, seed
        self.char_ngram, self.word_ngram, self.cjk_share = char_ngram, word_ngram, cjk_share

    @classmethod
    def for_params(cls, settings: NearDupParams) -> MinHasher:
        """The hasher that `settings` (params.yaml's `dedup.near`) describes."""
        return cls(
            num_perm=settings.num_perm,
            seed=settings.seed,
            char_ngram=settings.char_ngram,
            word_ngram=settings.word_ngram,
            cjk_share=settings.cjk_share,
        )

    def shingles(self, text: str) -> list[str]:
        """The text's shingles: unit n-grams, n chosen by its script (see the module's docstring)."""
        text = text.casefold()
        units = _UNIT.findall(text)
        if not units:
            return []
        unspaced = 0 if text.isascii() else sum(map(len, _UNSPACED_RUN.findall(text)))  # no unspaced script in ASCII
        n = self.char_ngram if unspaced >= self.cjk_share * len(units) else self.word_ngram
        if len(units) <= n:
            return [" ".join(units)]
        # Each shingle is n consecutive units; zip stops at the shortest slice, the last full n-gram.
        return list(map(" ".join, zip(*(units[i:] for i in range(n)), strict=False)))

    def signature(self, text: str) -> Signature | None:
        """The MinHash signature of `text`, or None when it has no shingles (nothing to compare)."""
        shingles = self.shingles(text)
        if not shingles:
            return None
        minhash = RMinHash(self.num_perm, self.seed)
        minhash.update(shingles)
        return np.asarray(minhash.digest(), dtype=np.uint32).astype(SIGNATURE_DTYPE)


def units(text: str) -> list[str]:
    """The units of `text` that shingles are made of (see 1. above), case folded."""
    return _UNIT.findall(text.casefold())


def signature_from_bytes(raw: bytes) -> Signature:
    """The signature that `signature.tobytes()` wrote (as the stage's shuffles carry it)."""
    return np.frombuffer(raw, dtype=SIGNATURE_DTYPE)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two texts: the share of equal MinHash values."""
    if a.shape != b.shape:
        raise ValueError(f"signatures of different lengths ({a.shape[0]} and {b.shape[0]}) cannot be compared")
    return float(np.count_nonzero(a == b)) / a.shape[0]


def band_keys(signature: Signature, bands: int, rows: int) -> list[bytes]:
    """One key per band: the band's number and its `rows` values. Equal keys make two texts candidates."""
    return [key.tobytes() for key in band_key_array(signature[np.newaxis], bands, rows)[0]]


def band_key_array(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """`band_keys` of many signatures at once (one per row of a 2-D array): a (signatures, bands) array of
    fixed-width byte strings (numpy void), which numpy sorts and compares as a whole."""
    if bands * rows > signatures.shape[1]:
        raise ValueError(
            f"{bands} bands of {rows} rows need {bands * rows} values; the signature has {signatures.shape[1]}"
        )
    count = signatures.shape[0]
    numbers = np.broadcast_to(np.arange(bands, dtype=">u2").view(np.uint8).reshape(1, bands, 2), (count, bands, 2))
    values = np.ascontiguousarray(signatures[:, : bands * rows]).view(np.uint8).reshape(count, bands, -1)
    keys = np.ascontiguousarray(np.concatenate([numbers, values], axis=2))
    return keys.view(np.dtype((np.void, keys.shape[2]))).reshape(count, bands)


def band_partitions(signatures: np.ndarray, bands: int, rows: int, partitions: int) -> np.ndarray:
    """The partition (0 to `partitions` - 1) of each band key of `band_key_array`: equal keys, equal partitions.
    MinHash values are uniform, so a band's first value spreads the keys evenly."""
    return (signatures[:, : bands * rows : rows].astype(np.int64) + np.arange(bands)) % partitions


def equal_runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Equal keys, found in one sort: (order, starts, sizes), where `order` sorts `keys` (stably) and the run of
    equal keys number i is `order[starts[i] : starts[i] + sizes[i]]`."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1]))) if len(keys) else np.empty(0, int)
    sizes = np.diff(np.append(starts, len(keys)))
    return order, starts, sizes


def link_bucket(
    members: Iterable[tuple[Node, Signature]], threshold: float, max_compared: int
) -> Iterator[tuple[Node, Node]]:
    """Edges (smaller node, larger node) that connect the near-duplicates among the members of one band bucket.

    Each member is compared with the members before it, up to the first `max_compared` of the bucket; a pair is
    linked when its estimated similarity reaches `threshold`. A member is linked to one matching earlier member
    per group of already linked members, which keeps every group connected with few edges. Up to `max_compared`
    members the groups are exactly the connected components of the near-duplicate relation in the bucket; a later
    member is only compared with the first ones (so large a bucket is almost always one cluster of copies, and its
    members meet again in other bands). The members are read once, in any order. Cost: O(k * min(k, max_compared)
    * num_perm) time for k members, O(max_compared * num_perm) memory.
    """
    nodes: list[Node] = []
    for node, signature in members:
        if not nodes:
            earlier = np.empty((max_compared, signature.shape[0]), dtype=signature.dtype)
            group = np.empty(max_compared, dtype=np.int64)  # per stored member: its group's first member
            needed = threshold * signature.shape[0]
        stored = len(nodes)
        hits = np.flatnonzero(np.count_nonzero(earlier[:stored] == signature, axis=1) >= needed)
        groups, first_hits = np.unique(group[hits], return_index=True)
        for hit in hits[first_hits]:
            yield (nodes[hit], node) if nodes[hit] < node else (node, nodes[hit])
        if len(groups) > 1:
            group[:stored][np.isin(group[:stored], groups)] = groups[0]
        if stored < max_compared:
            earlier[stored] = signature
            group[stored] = groups[0] if len(groups) else stored
            nodes.append(node)


def large_star(node: Node, neighbours: Iterable[Node]) -> Iterator[tuple[Node, Node]]:
    """Large-star step: link every neighbour larger than `node` to the smallest node of the neighbourhood.

    Reads `neighbours` twice (a Beam group is re-iterable) and holds none of them: the centre of a large cluster
    has as many neighbours as the cluster has members.
    """
    smallest = min(min(neighbours, default=node), node)
    for neighbour in neighbours:
        if node < neighbour:
            yield smallest, neighbour


def small_star(node: Node, smaller: Iterable[Node]) -> Iterator[tuple[Node, Node]]:
    """Small-star step: link `node` and its smaller neighbours to the smallest of them (each edge once)."""
    linked = set(smaller)
    if not linked:
        return
    smallest = min(linked)
    linked.add(node)
    for other in linked:
        if other != smallest:
            yield smallest, other


def star_rounds(edges: Iterable[tuple[Node, Node]], rounds: int) -> set[tuple[Node, Node]]:
    """`rounds` rounds of large-star then small-star over (smaller, larger) edges, in memory: the stage's
    clustering without Beam, for tests, benchmarks and small inputs."""
    current = set(edges)
    for _ in range(rounds):
        neighbours: dict[Node, list[Node]] = defaultdict(list)
        for a, b in current:
            neighbours[a].append(b)
            neighbours[b].append(a)
        smaller: dict[Node, list[Node]] = defaultdict(list)
        for a, b in (edge for node, near in neighbours.items() for edge in large_star(node, near)):
            smaller[b].append(a)
        current = {edge for node, near in smaller.items() for edge in small_star(node, near)}
    return current

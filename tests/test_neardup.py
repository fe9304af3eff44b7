"""Near-duplicate detection: shingling per script, signatures and banding, clustering, and the Beam stage (R3)."""

from collections import defaultdict

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from pydantic import ValidationError

from pipelines.detectors.minhash import (
    MinHasher,
    band_key_array,
    band_keys,
    band_partitions,
    equal_runs,
    link_bucket,
    signature_from_bytes,
    similarity,
    star_rounds,
)
from pipelines.params import NearDupParams, Params
from pipelines.record import DUPLICATE, GOVERNED, Record, record_id
from pipelines.stages import lsh
from pipelines.stages.base import HELD, KEPT
from pipelines.stages.dedup import keep_rank
from pipelines.stages.neardup import REASON, STAGE, NearDup
from pipelines.tables import GOVERNED_SCHEMA

SETTINGS = NearDupParams()
HASHER = MinHasher.for_params(SETTINGS)

EN = (
    "We walked along the old city wall in the late afternoon, stopping at every tower to look over the roofs. "
    "A street vendor sold roasted chestnuts by the east gate, and the smell followed us for a long while. "
    "By the time the lanterns came on we had covered nearly half the circuit and our feet were sore, "
    "so we took a small bus back to the hotel and fell asleep before nine o'clock in the evening."
)
EN_NEAR = EN.replace("roasted chestnuts", "roasted sweet chestnuts")
EN_OTHER = (
    "The recipe needs two eggs, a cup of flour and a pinch of salt; whisk them until smooth and leave the batter "
    "to rest for an hour before you heat the pan, or the pancakes will turn out thin and rubbery at the edges."
)
ZH = (
    "周末我们沿着古城墙走了一下午，每到一座城楼就停下来看看远处的屋顶。东门旁边有个小摊在卖糖炒栗子，"
    "香味一路跟着我们。等到灯笼亮起来的时候，我们已经走了差不多半圈，脚也酸了，只好坐小巴回酒店，不到九点就睡着了。"
)
ZH_NEAR = ZH.replace("糖炒栗子", "热乎乎的糖炒栗子")
ZH_OTHER = "做这道菜需要两个鸡蛋、一碗面粉和一小撮盐，先把它们搅拌均匀，再让面糊静置一个小时，然后才开始热锅。"


def words(count: int, start: int = 0) -> list[str]:
    return [f"word{i}" for i in range(start, start + count)]


def substituted(tokens: list[str], positions: list[int]) -> str:
    """The tokens with the words at `positions` replaced: each replacement changes `word_ngram` shingles."""
    return " ".join(f"changed{i}" if i in positions else token for i, token in enumerate(tokens))


# ---- shingles and signatures ---------------------------------------------------------------------------------


def test_chinese_is_shingled_in_character_ngrams_and_english_in_word_ngrams():
    hasher = MinHasher(num_perm=16, seed=1, char_ngram=3, word_ngram=2, cjk_share=0.5)
    assert hasher.shingles("今天，天气好！") == ["今 天 天", "天 天 气", "天 气 好"]
    assert hasher.shingles("The QUICK, brown fox!") == ["the quick", "quick brown", "brown fox"]
    # In Chinese text an embedded English word is one unit; whitespace and punctuation only separate units.
    assert hasher.shingles("我用 Python 写代码") == ["我 用 python", "用 python 写", "python 写 代", "写 代 码"]
    # Mostly English with a Chinese name: word n-grams, each Chinese character a word of its own.
    assert hasher.shingles("I met 王 at the station today") == [
        "i met",
        "met 王",
        "王 at",
        "at the",
        "the station",
        "station today",
    ]


def test_script_share_decides_the_shingle_kind():
    text = "模型 model 训练 training"  # 4 Chinese characters and 2 words: 4 of 6 units are unspaced
    char_mode = MinHasher(num_perm=16, seed=1, char_ngram=2, word_ngram=3, cjk_share=0.5)
    word_mode = MinHasher(num_perm=16, seed=1, char_ngram=2, word_ngram=3, cjk_share=0.8)
    assert char_mode.shingles(text)[0] == "模 型"
    assert word_mode.shingles(text)[0] == "模 型 model"


def test_short_and_empty_texts():
    assert HASHER.shingles("Hello there") == ["hello there"]  # shorter than n: one shingle
    assert HASHER.shingles("  ,.!？ …") == []
    assert HASHER.signature("  ,.!？ …") is None


def test_signatures_are_deterministic_and_seeded():
    first, again = HASHER.signature(EN), MinHasher.for_params(SETTINGS).signature(EN)
    assert first.shape == (SETTINGS.num_perm,) and np.array_equal(first, again)
    assert np.array_equal(signature_from_bytes(first.tobytes()), first)
    reseeded = MinHasher.for_params(NearDupParams(seed=SETTINGS.seed + 1)).signature(EN)
    assert similarity(first, reseeded) < 0.1
    # Case, punctuation and spacing do not change the shingles.
    assert similarity(first, HASHER.signature(EN.upper().replace(",", " ,  "))) == 1.0


@pytest.mark.parametrize(("text", "near", "other"), [(EN, EN_NEAR, EN_OTHER), (ZH, ZH_NEAR, ZH_OTHER)])
def test_similar_texts_collide_and_dissimilar_ones_do_not(text, near, other):
    signature, near_signature, other_signature = map(HASHER.signature, (text, near, other))
    keys = set(band_keys(signature, SETTINGS.bands, SETTINGS.rows))
    assert similarity(signature, near_signature) >= SETTINGS.threshold
    assert keys & set(band_keys(near_signature, SETTINGS.bands, SETTINGS.rows))
    assert similarity(signature, other_signature) < 0.1
    assert not keys & set(band_keys(other_signature, SETTINGS.bands, SETTINGS.rows))


def test_band_keys_of_many_signatures_at_once_are_the_band_number_and_values():
    signatures = np.stack([HASHER.signature(t) for t in (EN, EN_NEAR, ZH)])
    keys = band_key_array(signatures, SETTINGS.bands, SETTINGS.rows)
    assert keys.shape == (3, SETTINGS.bands)
    for signature, row in zip(signatures, keys, strict=True):
        expected = [b.to_bytes(2, "big") + signature[b * 6 : (b + 1) * 6].tobytes() for b in range(SETTINGS.bands)]
        assert [key.tobytes() for key in row] == expected == band_keys(signature, SETTINGS.bands, SETTINGS.rows)
    partitions = band_partitions(signatures, SETTINGS.bands, SETTINGS.rows, 7)
    assert partitions.shape == keys.shape and partitions.min() >= 0 and partitions.max() < 7
    shared = keys[0] == keys[1]  # the near copy shares some bands: same key, same partition
    assert shared.any() and np.array_equal(partitions[0][shared], partitions[1][shared])


def test_equal_runs_finds_equal_keys_in_one_sort():
    keys = np.array([b"b", b"a", b"b", b"c", b"a", b"b"], dtype="V1")
    order, starts, sizes = equal_runs(keys)
    runs = [sorted(order[start : start + size].tolist()) for start, size in zip(starts, sizes, strict=True)]
    assert runs == [[1, 4], [0, 2, 5], [3]]
    assert [len(part) for part in equal_runs(keys[:0])] == [0, 0, 0]


def test_bad_arguments_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="num_perm"):
        MinHasher(num_perm=0, seed=1, char_ngram=5, word_ngram=5, cjk_share=0.5)
    with pytest.raises(ValueError, match="different lengths"):
        similarity(np.zeros(8, np.uint16), np.zeros(16, np.uint16))
    with pytest.raises(ValueError, match="need 12 values"):
        band_keys(np.zeros(8, np.uint16), 3, 4)
    with pytest.raises(ValidationError, match=r"bands \* rows"):
        NearDupParams(num_perm=64, bands=20, rows=6)
    with pytest.raises(ValidationError, match="Extra inputs"):
        NearDupParams(treshold=0.9)
    with pytest.raises(ValidationError, match="threshold"):
        NearDupParams(threshold=1.5)
    with pytest.raises(ValidationError, match="probability 0.27 only"):
        NearDupParams(threshold=0.5)  # the default banding is made for 0.8
    assert NearDupParams(threshold=0.5, bands=64, rows=4).candidate_probability(0.5) > 0.98


# ---- clustering ----------------------------------------------------------------------------------------------


def chain_signatures() -> dict[str, np.ndarray]:
    """A~B and B~C at 0.9, A!~C at 0.8: B differs from A in one tenth of its values, C from B in another."""
    a = np.arange(100, dtype=np.uint16)
    b = a.copy()
    b[:10] += 1000
    c = b.copy()
    c[10:20] += 1000
    return {"A": a, "B": b, "C": c}


@pytest.mark.parametrize("arrival", ["ABC", "CBA", "BCA", "ACB"])
def test_bucket_links_transitive_near_duplicates_in_any_order(arrival):
    signatures = chain_signatures()
    edges = set(link_bucket([(n, signatures[n]) for n in arrival], threshold=0.85, max_compared=10))
    assert edges == {("A", "B"), ("B", "C")}  # no A-C edge: they are linked through B


def test_bucket_links_each_member_once_per_group():
    same = np.zeros(64, np.uint16)
    edges = list(link_bucket([(i, same) for i in range(6)], threshold=0.8, max_compared=10))
    assert sorted(edges) == [(0, i) for i in range(1, 6)]  # a star, not all 15 pairs
    distinct = [(i, np.full(64, i, np.uint16)) for i in range(6)]
    assert list(link_bucket(distinct, threshold=0.8, max_compared=10)) == []


def test_bucket_member_that_bridges_two_groups_merges_them():
    signatures = chain_signatures()  # A and C are two groups until B, near both, arrives
    members = [("A", signatures["A"]), ("C", signatures["C"]), ("B", signatures["B"]), ("D", signatures["B"])]
    edges = list(link_bucket(members, threshold=0.85, max_compared=10))
    assert sorted(edges) == [("A", "B"), ("A", "D"), ("B", "C")]  # D joins the merged group once


def test_bucket_members_beyond_max_compared_are_compared_with_the_first_ones_only():
    signatures = chain_signatures()
    edges = set(link_bucket([(n, signatures[n]) for n in "ABC"], threshold=0.85, max_compared=1))
    assert edges == {("A", "B")}  # C is only compared with A, which it is not near


def test_star_rounds_turn_components_into_stars_around_their_smallest_node():
    chain = {(i, i + 1) for i in range(30)}
    other = {(100, 107), (107, 103), (103, 101)}
    stars = star_rounds(chain | other, rounds=8)
    assert stars == {(0, i) for i in range(1, 31)} | {(100, i) for i in (101, 103, 107)}
    unfinished = star_rounds(chain, rounds=1)
    assert unfinished != {(0, i) for i in range(1, 31)} and all(a < b for a, b in unfinished)


# ---- the Beam stage ------------------------------------------------------------------------------------------


def make_record(text: str | None, row: int, source: str = "web", position: int = 0, file: str = "a.jsonl", **fields):
    return Record(record_id(source, file, row), source, file, row, "0" * 64, (position, file, row), text=text, **fields)


_OUTPUTS: list[tuple[str, Record]] = []


def _collect(record: Record, tag: str) -> None:
    # Module-level so that Beam pickles it by reference: the in-process runner appends to this very list.
    _OUTPUTS.append((tag, record))


def run_stage(records: list[Record], settings: NearDupParams = SETTINGS) -> dict[str, Record]:
    """Every record the stage puts out, by id; fails if one comes out twice or on the wrong output."""
    _OUTPUTS.clear()
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        outputs = pipeline | beam.Create(records) | NearDup(Params(), settings)
        outputs[KEPT] | "kept" >> beam.Map(_collect, KEPT)
        outputs[HELD] | "held" >> beam.Map(_collect, HELD)
    assert sorted(r.id for _, r in _OUTPUTS) == sorted(r.id for r in records)
    assert all((tag == HELD) == record.held for tag, record in _OUTPUTS)
    return {record.id: record for _, record in _OUTPUTS}


def assert_consistent(out: dict[str, Record]) -> None:
    """Every duplicate points at a kept representative in the same cluster; the sizes add up."""
    members = defaultdict(int)
    for record in out.values():
        assert record.trail[-1].stage == STAGE
        if record.decision == DUPLICATE:
            kept = out[record.duplicate_of]
            assert kept.decision == GOVERNED and keep_rank(kept) < keep_rank(record)
            assert record.reasons == [REASON]
            assert record.labels["near_dup"]["cluster"] == kept.id == kept.labels["near_dup"]["cluster"]
            members[kept.id] += 1
    for kept_id, count in members.items():
        assert out[kept_id].labels["near_dup"]["size"] == count + 1


def test_stage_keeps_the_best_provenance_and_points_duplicates_at_it():
    records = [
        make_record(EN_NEAR, row=1, source="forum", position=1, file="forum.csv"),  # cross-source copy
        make_record(EN, row=7),  # first source: the representative, though it arrives second
        make_record(EN_OTHER, row=2),
        make_record(ZH_NEAR, row=9, file="b.jsonl"),
        make_record(ZH, row=30, file="a.jsonl"),  # same source: file a.jsonl comes before b.jsonl
        make_record(None, row=8, messages=[{"role": "user", "content": EN_NEAR}]),  # a chat copy
        make_record("!!! ???", row=4),  # no shingles: passes untouched
    ]
    out = run_stage(records)
    assert_consistent(out)
    en_near, en, en_other, zh_near, zh, chat, empty = (out[r.id] for r in records)
    assert en.decision == GOVERNED and en.labels["near_dup"] == {"cluster": en.id, "size": 3}
    assert en.trail[-1].detail == "kept over 2 near-duplicates"
    for copy in (en_near, chat):
        assert copy.decision == DUPLICATE and copy.duplicate_of == en.id
        assert SETTINGS.threshold <= copy.labels["near_dup"]["similarity"] < 1
        assert copy.trail[-1].detail == f"{REASON} of {en.id}"
    assert zh.decision == GOVERNED and zh_near.duplicate_of == zh.id
    assert zh.labels["near_dup"] == {"cluster": zh.id, "size": 2}
    for alone in (en_other, empty):
        assert alone.decision == GOVERNED and "near_dup" not in alone.labels and alone.trail[-1].action == "pass"


def test_a_human_record_is_kept_over_an_earlier_generated_near_copy():
    generated = make_record(EN_NEAR, row=1, labels={"synthetic": {"signals": ["generator"]}})
    human = make_record(EN, row=2, source="forum", position=3)
    out = run_stage([generated, human])
    assert_consistent(out)
    assert out[human.id].decision == GOVERNED and out[generated.id].duplicate_of == human.id


def test_transitive_near_duplicates_form_one_cluster():
    tokens = words(200)
    a, b, c = tokens, substituted(tokens, [20, 60, 100]), substituted(tokens, [20, 60, 100, 140, 170, 190])
    a = " ".join(a)
    sa, sb, sc = map(HASHER.signature, (a, b, c))
    assert similarity(sa, sb) >= 0.8 and similarity(sb, sc) >= 0.8 and similarity(sa, sc) < 0.8
    records = [make_record(text, row=row) for row, text in ((2, c), (0, a), (1, b))]
    out = run_stage(records)
    assert_consistent(out)
    kept_c, kept_a, kept_b = (out[r.id] for r in records)
    assert kept_a.labels["near_dup"] == {"cluster": kept_a.id, "size": 3}
    assert kept_b.duplicate_of == kept_c.duplicate_of == kept_a.id
    # The lineage shows that C reached the cluster through B: its similarity to A is under the threshold.
    assert kept_c.labels["near_dup"]["similarity"] < 0.8 <= kept_b.labels["near_dup"]["similarity"]


def test_too_few_rounds_keep_records_rather_than_drop_them_wrongly():
    tokens = words(100)
    texts = [substituted(tokens, list(range(5, 100, 10))[:step]) for step in range(10)]  # each one edit further
    settings = NearDupParams(threshold=0.86)
    signatures = [HASHER.signature(t) for t in texts]
    assert all(similarity(x, y) >= 0.86 for x, y in zip(signatures, signatures[1:], strict=False))
    assert all(similarity(x, y) < 0.86 for x, y in zip(signatures, signatures[2:], strict=False))
    records = [make_record(text, row=row) for row, text in enumerate(texts)]

    hurried = run_stage(records, settings.model_copy(update={"rounds": 1}))
    assert_consistent(hurried)
    unresolved = [r for r in hurried.values() if "did not converge" in r.trail[-1].detail]
    assert unresolved and all(r.decision == GOVERNED for r in unresolved)

    settled = run_stage(records, settings)
    assert_consistent(settled)
    head = settled[records[0].id]
    assert head.labels["near_dup"]["size"] == 10
    assert all(settled[r.id].duplicate_of == head.id for r in records[1:])


def test_verdicts_do_not_depend_on_batches_partitions_or_linking_groups(monkeypatch):
    tokens = words(200)
    texts = [EN, EN_NEAR, ZH, ZH_NEAR, ZH_OTHER, " ".join(tokens), substituted(tokens, [20, 60, 100])]
    texts.append(substituted(tokens, [20, 60, 100, 140, 170, 190]))
    records = [make_record(text, row=row) for row, text in enumerate(texts)]
    labels = lambda out: {i: (r.decision, r.duplicate_of, r.labels.get("near_dup")) for i, r in out.items()}  # noqa: E731
    whole = labels(run_stage(records))
    monkeypatch.setattr(lsh, "BATCH", 2)  # four batches
    monkeypatch.setattr(lsh, "GROUP_ROWS", 1)  # a linking group per shared bucket
    out = run_stage(records, SETTINGS.model_copy(update={"partitions": 3}))
    assert_consistent(out)
    assert labels(out) == whole
    assert sum(decision == DUPLICATE for decision, _, _ in whole.values()) == 4


def test_empty_input_gives_empty_outputs():
    assert run_stage([]) == {}


def write_governed(path, rows: list[dict]) -> None:
    full = [
        {"source": "web", "origin": "human", "licence": "CC0-1.0", "labels": "{}", "content_sha256": "0"} | r
        for r in rows
    ]
    pq.write_table(pa.Table.from_pylist(full, schema=GOVERNED_SCHEMA), path)


def test_new_batch_is_deduplicated_against_a_previous_governed_run(tmp_path):
    (tmp_path / "governed").mkdir()
    write_governed(
        tmp_path / "governed" / "part-00000-of-00001.parquet",
        [
            {"id": record_id("web", "a.jsonl", 0), "text": EN, "messages": None},
            {"id": "old-zh", "text": None, "messages": [{"role": "user", "content": ZH}]},
        ],
    )
    records = [make_record(EN_NEAR, row=0), make_record(ZH_NEAR, row=1), make_record(EN_OTHER, row=2)]
    out = run_stage(records, NearDupParams(previous=str(tmp_path / "governed")))
    assert set(out) == {r.id for r in records}  # the previous run's records are not written again
    en_near, zh_near, other = (out[r.id] for r in records)
    # Governed before from the same place: a duplicate of its earlier version, which keeps its id.
    assert en_near.duplicate_of == en_near.id and en_near.labels["near_dup"]["cluster"] == en_near.id
    assert zh_near.duplicate_of == "old-zh"
    assert other.decision == GOVERNED and "near_dup" not in other.labels


def test_previous_run_that_matches_no_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no Parquet files match"):
        run_stage([make_record(EN, row=0)], NearDupParams(previous=str(tmp_path / "missing")))

"""The sample corpus: deterministic files, and a truth.jsonl that says exactly what was planted where.

Every check re-derives what it verifies from the written files with its own code (checksums, Luhn, JSON
parsing, shingle overlap), so a generator bug cannot hide behind the generator's own helpers.
"""

from __future__ import annotations

import contextlib
import csv
import ipaddress
import json
import random
import re
import unicodedata
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from rensa import RMinHash

from pipelines.detectors.minhash import MinHasher
from pipelines.params import NearDupParams
from pipelines.sample import STATUS_TAGS, TAG_MINIMUMS, phrases, write_sample
from pipelines.sample.generator import TAINTED_FILE

FILES = ("web_zh.jsonl", "web_en.jsonl", "companion_chat.jsonl", "synthetic.jsonl", "forum.csv", "books.parquet")
TEXT_FILES = ("web_zh.jsonl", "web_en.jsonl", "forum.csv", "books.parquet")

# The vocabulary the task asks for; TAG_MINIMUMS must promise every one of them and nothing else.
VOCABULARY_LISTING = """
exact_dup near_dup
pi:cn_resident_id pi:cn_resident_id_15 pi:cn_mobile pi:bank_card pi:credit_card pi:email pi:ip pi:person_name_zh
pi:person_name_en pi:address_zh pi:passport pi:hk_macau_permit pi:licence_plate pi:landline
decoy:cn_resident_id_bad_checksum decoy:bank_card_bad_luhn decoy:order_number decoy:timestamp decoy:version
sensitive:health sensitive:religion sensitive:location sensitive:biometric sensitive:financial
risk:A1.6 risk:A1.7 risk:A1.8 risk:A2.12 risk:A2.13 risk:A4.25 risk:C.self_harm risk:C.verbal_abuse
risk:C.emotional_manipulation risk:C.dependency risk:C.false_promise risk:C.secret_extraction risk:C.minor_harm
lookalike:A1.6 lookalike:A1.8 lookalike:C.self_harm
interaction:consented interaction:no_consent consent:malformed
minor:guardian_consent minor:no_guardian_consent minor:text_signal
synthetic:declared synthetic:aigc_label synthetic:generator_meta synthetic:aigc_malformed
synthetic:missing_generator_meta synthetic:degenerate synthetic:memorisation synthetic:regurgitation
synthetic:sycophancy synthetic:false_promise synthetic:self_harm_unanswered
clean:html clean:zero_width clean:fullwidth clean:control clean:too_short clean:whitespace
malformed:json malformed:utf8 malformed:no_text malformed:not_object malformed:bad_messages malformed:empty_text
"""
VOCABULARY = set(VOCABULARY_LISTING.split())
# Synthetic records planted to fail the safety assessment (R4): tags that do not follow from provenance fields.
SYNTHETIC_FAILURES = {
    "synthetic:degenerate",
    "synthetic:memorisation",
    "synthetic:regurgitation",
    "synthetic:sycophancy",
    "synthetic:false_promise",
    "synthetic:self_harm_unanswered",
}


class Corpus:
    """A written sample: raw rows, parsed records and truth, indexed by (file, row)."""

    def __init__(self, root: Path, counts: dict[str, int]) -> None:
        self.root, self.counts = root, counts
        self.raw: dict[tuple[str, int], bytes] = {}
        self.records: dict[tuple[str, int], Any] = {}
        for name in FILES[:4]:
            for row, line in enumerate((root / name).read_bytes().split(b"\n")[:-1]):
                self.raw[(name, row)] = line
                with contextlib.suppress(ValueError):  # JSONDecodeError and UnicodeDecodeError: malformed lines
                    self.records[(name, row)] = json.loads(line.decode("utf-8"))
        with open(root / "forum.csv", encoding="utf-8", newline="") as handle:
            for row, fields in enumerate(csv.DictReader(handle)):
                self.records[("forum.csv", row)] = fields
        for row, fields in enumerate(pq.read_table(root / "books.parquet").to_pylist()):
            self.records[("books.parquet", row)] = fields
        self.truth_lines = (root / "truth.jsonl").read_text(encoding="utf-8").splitlines()
        self.truth = {(t["file"], t["row"]): t for t in map(json.loads, self.truth_lines)}

    def tagged(self, tag: str) -> list[tuple[str, int]]:
        return [key for key, t in self.truth.items() if tag in t["tags"]]

    def text(self, key: tuple[str, int]) -> str:
        record = self.records[key]
        if isinstance(record.get("messages"), list):
            return "\n".join(m["content"] for m in record["messages"])
        return record["text"]

    def readable(self) -> dict[tuple[str, int], str]:
        """Every record with non-empty text or well-formed messages."""
        out = {}
        for key, record in self.records.items():
            if not isinstance(record, dict):
                continue
            messages = record.get("messages")
            if isinstance(messages, list) and all(isinstance(m, dict) and "content" in m for m in messages):
                out[key] = self.text(key)
            elif isinstance(record.get("text"), str) and record["text"]:
                out[key] = record["text"]
        return out

    def ordinary(self, key: tuple[str, int]) -> bool:
        return set(self.truth.get(key, {"tags": []})["tags"]) <= STATUS_TAGS


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("sample")
    return Corpus(root, write_sample(root))


def is_zh(text: str) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", text)) > len(text) / 10


def char_shingles(text: str) -> set[str]:
    return {text[i : i + 5] for i in range(max(1, len(text) - 4))}


# The near-duplicate stage's shingling at its defaults: word 5-grams, or character 5-grams of Chinese text, with
# case, punctuation and spacing ignored. Its default threshold is a Jaccard of 0.8.
STAGE_HASHER = MinHasher.for_params(NearDupParams())  # exactly the stage's shingling


def stage_shingles(text: str) -> set[str]:
    return set(STAGE_HASHER.shingles(text))


SHINGLINGS = {"char_5grams": char_shingles, "stage": stage_shingles}


def jaccard(x: set[str], y: set[str]) -> float:
    return len(x & y) / len(x | y)


def normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def exact_key(text: str) -> str:
    """What exact deduplication compares at its loosest: NFKC, casefolded, without whitespace and punctuation."""
    return re.sub(r"[\W_]", "", unicodedata.normalize("NFKC", text).casefold())


# ---- files and determinism ------------------------------------------------------------------------------------


def test_same_seed_and_scale_give_identical_bytes(sample: Corpus, tmp_path: Path) -> None:
    again = write_sample(tmp_path)
    assert again == sample.counts
    for name in (*FILES, "empty.jsonl", "truth.jsonl"):
        assert (tmp_path / name).read_bytes() == (sample.root / name).read_bytes(), name


def test_another_seed_gives_another_corpus(sample: Corpus, tmp_path: Path) -> None:
    write_sample(tmp_path, seed=7)
    for name in FILES:
        assert (tmp_path / name).read_bytes() != (sample.root / name).read_bytes(), name


def test_rewriting_a_directory_replaces_the_previous_sample(sample: Corpus, tmp_path: Path) -> None:
    write_sample(tmp_path, seed=7)
    write_sample(tmp_path)
    for name in (*FILES, "truth.jsonl"):
        assert (tmp_path / name).read_bytes() == (sample.root / name).read_bytes(), name


def test_counts_are_what_the_files_hold(sample: Corpus) -> None:
    jsonl_rows = Counter(name for name, _ in sample.raw)
    blank = Counter(name for (name, _), line in sample.raw.items() if not line)
    expected = {name: jsonl_rows[name] - blank[name] for name in FILES[:4]}
    expected |= {name: sum(1 for f, _ in sample.records if f == name) for name in FILES[4:]}
    expected |= {"empty.jsonl": 0, "truth.jsonl": len(sample.truth_lines)}
    assert sample.counts == expected
    assert (sample.root / "empty.jsonl").stat().st_size == 0
    totals = {
        "web_zh.jsonl": 900,
        "web_en.jsonl": 700,
        "companion_chat.jsonl": 700,
        "synthetic.jsonl": 400,
        "forum.csv": 300,
        "books.parquet": 200,
    }
    for name, about in totals.items():
        assert 0.9 * about <= sample.counts[name] <= 1.1 * about, name


def test_jsonl_lines_split_only_on_newline(sample: Corpus) -> None:
    # str.splitlines() would split on these too; without them, every reader numbers rows the same way.
    for key, line in sample.raw.items():
        text = line.decode("utf-8", errors="replace")
        assert not re.search("[\r\x85\u2028\u2029]", text), key


def test_csv_needs_quoting_and_parquet_has_string_columns(sample: Corpus) -> None:
    assert (sample.root / "forum.csv").read_text(encoding="utf-8").startswith("id,text,licence\n")
    forum = [r["text"] for (name, _), r in sample.records.items() if name == "forum.csv"]
    for needed in (",", '"', "\n"):
        assert sum(needed in text for text in forum) >= 5, repr(needed)
    assert any(is_zh(t) for t in forum) and any(not is_zh(t) for t in forum)
    schema = pq.read_schema(sample.root / "books.parquet")
    assert schema.names == ["id", "text", "licence"]
    assert all(str(schema.field(name).type) == "string" for name in schema.names)


def test_web_records_carry_optional_ids_and_licence_overrides(sample: Corpus) -> None:
    for name in FILES[:2]:
        records = [r for (f, _), r in sample.records.items() if f == name and isinstance(r, dict) and "text" in r]
        with_id = [r for r in records if "id" in r]
        assert all(isinstance(r["id"], str) for r in with_id)
        assert 0 < len(with_id) < len(records)
        assert any(r.get("licence") == "CC-BY-NC-4.0" for r in records)
    ids = [r["id"] for r in sample.records.values() if isinstance(r, dict) and isinstance(r.get("id"), str)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_scale_must_be_a_positive_int(tmp_path: Path, bad: Any) -> None:
    with pytest.raises(ValueError, match="scale must be an int of at least 1"):
        write_sample(tmp_path, scale=bad)


def test_seed_must_be_an_int(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="seed must be an int"):
        write_sample(tmp_path, seed="20260715")  # type: ignore[arg-type]


def test_out_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a directory")
    with pytest.raises(FileExistsError):
        write_sample(target)


# ---- truth: completeness and exactness ------------------------------------------------------------------------


def test_every_tag_of_the_vocabulary_meets_its_minimum(sample: Corpus) -> None:
    assert set(TAG_MINIMUMS) == VOCABULARY
    counts = Counter(tag for t in sample.truth.values() for tag in t["tags"])
    assert set(counts) == VOCABULARY
    short = {tag: counts[tag] for tag, least in TAG_MINIMUMS.items() if counts[tag] < least}
    assert not short
    assert all(least >= 8 for tag, least in TAG_MINIMUMS.items() if tag.startswith("risk:"))


def test_truth_points_at_real_rows_in_file_order(sample: Corpus) -> None:
    keys = [(t["file"], t["row"]) for t in map(json.loads, sample.truth_lines)]
    assert keys == sorted(keys, key=lambda k: (FILES.index(k[0]), k[1]))
    assert len(keys) == len(set(keys))
    assert all(key in sample.raw or key in sample.records for key in keys)
    assert all(sample.raw.get(key, b"x") for key in keys), "a blank line is not a record"
    for t in sample.truth.values():
        assert t["tags"] == sorted(set(t["tags"]))
        assert set(t) <= {"file", "row", "tags", "pi", "of"}


def test_tags_sit_in_the_files_they_belong_to(sample: Corpus) -> None:
    homes = {
        "malformed:": FILES[:2],
        "interaction:": FILES[2:3],
        "minor:": FILES[2:3],
        "consent:": FILES[2:3],
        "synthetic:": FILES[3:4],
        "clean:control": FILES[:2],
    }
    for (name, _), t in sample.truth.items():
        for tag in t["tags"]:
            for prefix, files in homes.items():
                if tag.startswith(prefix):
                    assert name in files, (tag, name)
    # every chat and synthetic record is in truth, with its status
    for name, row in sample.raw:
        if name in FILES[2:4]:
            assert (name, row) in sample.truth


def test_planted_cases_spread_over_languages_and_places(sample: Corpus) -> None:
    for tag in (t for t in VOCABULARY if t.startswith(("risk:", "lookalike:", "sensitive:"))):
        keys = sample.tagged(tag)
        assert {is_zh(sample.text(k)) for k in keys} == {True, False}, tag
        if tag.startswith("risk:"):
            assert any(name == "companion_chat.jsonl" for name, _ in keys), tag
            assert any(name in TEXT_FILES for name, _ in keys), tag
    names = {name for tag in VOCABULARY if tag.startswith("pi:") for name, _ in sample.tagged(tag)}
    assert names == set(FILES)


def test_risk_records_crowd_into_the_tainted_source_only(sample: Corpus) -> None:
    """TC260-003 5.1 (R6): one source well over 5% harmful, to be refused whole; elsewhere at most 2% of the rows."""
    assert TAINTED_FILE == "forum.csv"
    risky = [key for key, t in sample.truth.items() if any(tag.startswith("risk:") for tag in t["tags"])]
    per_file = Counter(name for name, _ in risky)
    assert per_file[TAINTED_FILE] / sample.counts[TAINTED_FILE] > 0.10
    assert per_file[TAINTED_FILE] > len(risky) / 2, "most risk records are in the tainted source"
    for name in FILES:
        if name != TAINTED_FILE:
            assert 0 < per_file[name] / sample.counts[name] <= 0.02, (name, per_file[name], sample.counts[name])
    # Outside it, risks are held record by record: in plain text, and in assistant turns of both kinds of chat.
    lines = [
        re.compile(re.escape(line).replace(re.escape("{region}"), ".+"))
        for bank in phrases.RISK_LINES.values()
        for templates in bank.values()
        for line in templates
    ]
    shapes = set()
    for key in (key for key in risky if key[0] != TAINTED_FILE):
        messages = sample.records[key].get("messages")
        said = [m["content"] for m in messages if m["role"] == "assistant"] if messages else [sample.text(key)]
        assert any(line.search(content) for line in lines for content in said), key
        shapes.add((key[0], bool(messages)))
    assert {("web_zh.jsonl", False), ("web_en.jsonl", False), ("books.parquet", False)} <= shapes
    assert {("companion_chat.jsonl", True), ("synthetic.jsonl", True)} <= shapes
    lookalikes = [key for tag in VOCABULARY if tag.startswith("lookalike:") for key in sample.tagged(tag)]
    assert lookalikes and all(name != TAINTED_FILE for name, _ in lookalikes)


def test_truth_holds_no_personal_information_values(sample: Corpus) -> None:
    truth_text = "\n".join(sample.truth_lines)
    for key, t in sample.truth.items():
        for span in t.get("pi", []):
            value = span_value(sample, key, span)
            assert len(value) < 4 or value not in truth_text, span["type"]


# ---- personal information spans ---------------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum_ok(value: str) -> bool:
    return "10X98765432"[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11] == value[17]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(map(int, reversed(digits))):
        total += (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d
    return total % 10 == 0


def valid_date(text: str, fmt: str) -> bool:
    try:
        return 1900 <= datetime.strptime(text, fmt).year <= 2026
    except ValueError:
        return False


def resident_id_shape(v: str) -> bool:
    return bool(re.fullmatch(r"[1-8]\d{16}[\dX]", v)) and valid_date(v[6:14], "%Y%m%d")


def only_digits(v: str) -> str:
    return re.sub(r"[ +]", "", v)


SHAPES = {
    "pi:cn_resident_id": lambda v: resident_id_shape(v) and id_checksum_ok(v),
    "decoy:cn_resident_id_bad_checksum": lambda v: resident_id_shape(v) and not id_checksum_ok(v),
    "pi:cn_resident_id_15": lambda v: bool(re.fullmatch(r"[1-8]\d{14}", v)) and valid_date("19" + v[6:12], "%Y%m%d"),
    "pi:cn_mobile": lambda v: bool(re.fullmatch(r"(\+86 )?1[3-9]\d( ?\d{4}){2}", v)),
    "pi:bank_card": lambda v: (
        bool(re.fullmatch(r"[\d ]+", v)) and 16 <= len(only_digits(v)) <= 19 and luhn_ok(only_digits(v))
    ),
    "decoy:bank_card_bad_luhn": lambda v: 16 <= len(only_digits(v)) <= 19 and not luhn_ok(only_digits(v)),
    "pi:credit_card": lambda v: (
        bool(re.fullmatch(r"(4|5[1-5])[\d ]+", v)) and len(only_digits(v)) == 16 and luhn_ok(only_digits(v))
    ),
    "pi:email": lambda v: bool(re.fullmatch(r"[a-z.]+\d*@[a-z.]+\.(com|org|net|cn)", v)),
    "pi:ip": lambda v: ipaddress.ip_address(v) is not None,
    "pi:person_name_zh": lambda v: bool(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", v)),
    "pi:person_name_en": lambda v: bool(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", v)),
    "pi:address_zh": lambda v: bool(re.fullmatch(r"\w+[省市]\w*区\w+路?\w*\d+号\d+栋\d+单元\d+室", v)),
    "pi:passport": lambda v: bool(re.fullmatch(r"[EG]\d{8}", v)),
    "pi:hk_macau_permit": lambda v: bool(re.fullmatch(r"[HM](\d{8}|\d{10})", v)),
    "pi:licence_plate": lambda v: bool(
        re.fullmatch(r"[\u4e00-\u9fff][A-HJ-NP-Z][· ]?([A-HJ-NP-Z\d]{4}\d|[DF]\d{5})", v)
    ),
    "pi:landline": lambda v: bool(re.fullmatch(r"(0\d{2,3}-|\(0\d{2,3}\) )[2-8]\d{6,7}", v)),
    "decoy:order_number": lambda v: (
        v.isdigit() and len(v) >= 16 and not luhn_ok(v) and not (len(v) == 18 and id_checksum_ok(v))
    ),
    "decoy:timestamp": lambda v: (
        v.isdigit()
        and not luhn_ok(v)
        and (valid_date(v[:8], "%Y%m%d") if len(v) == 14 else len(v) in (10, 13) and v.startswith("17"))
    ),
    "decoy:version": lambda v: bool(re.fullmatch(r"v\d+\.\d+\.\d+|\d+\.\d+\.\d+\.\d+", v)),
}
CONTEXT_WORDS = {
    "pi:bank_card": ("银行卡", "card"),
    "pi:credit_card": ("信用卡", "card"),
    "decoy:order_number": ("订单号", "order no", "order number"),
}


def span_value(sample: Corpus, key: tuple[str, int], span: dict[str, Any]) -> str:
    record = sample.records[key]
    text = record["messages"][span["msg"]]["content"] if "msg" in span else record["text"]
    return text[span["start"] : span["end"]]


def test_pi_spans_hold_values_of_the_right_shape(sample: Corpus) -> None:
    assert set(SHAPES) == {tag for tag in VOCABULARY if tag.startswith(("pi:", "decoy:"))}
    for key, t in sample.truth.items():
        spans = t.get("pi", [])
        assert {s["type"] for s in spans} == {tag for tag in t["tags"] if tag in SHAPES}, key
        for span in spans:
            assert ("msg" in span) == ("messages" in sample.records[key]), key
            value = span_value(sample, key, span)
            assert value.strip() == value and SHAPES[span["type"]](value), (key, span["type"])
            before = (
                sample.records[key]["messages"][span["msg"]]["content"]
                if "msg" in span
                else sample.records[key]["text"]
            )[: span["start"]]
            words = CONTEXT_WORDS.get(span["type"], ("",))
            assert any(w in before[-20:].lower() for w in words), (key, span["type"])


def test_ordinary_records_hold_nothing_that_looks_like_an_identifier(sample: Corpus) -> None:
    for key, text in sample.readable().items():
        if sample.ordinary(key):
            assert not re.search(r"\d{5,}|@|https?:", text), key


# ---- malformed lines ------------------------------------------------------------------------------------------


def test_malformed_lines_fail_as_labelled_and_no_others_do(sample: Corpus) -> None:
    checks = {
        "malformed:utf8": lambda line, rec: (
            rec is None and raises(lambda: line.decode("utf-8")) and raises(lambda: json.loads(line))
        ),
        "malformed:json": lambda line, rec: rec is None and not raises(lambda: line.decode("utf-8")),
        "malformed:not_object": lambda line, rec: rec is not None and not isinstance(rec, dict),
        "malformed:no_text": lambda line, rec: isinstance(rec, dict) and not {"text", "messages"} & set(rec),
        "malformed:bad_messages": lambda line, rec: (
            isinstance(rec, dict)
            and "text" not in rec
            and not (
                isinstance(rec["messages"], list)
                and all(isinstance(m, dict) and "content" in m for m in rec["messages"])
            )
        ),
        "malformed:empty_text": lambda line, rec: isinstance(rec, dict) and rec["text"] == "",
    }
    for (name, row), line in sample.raw.items():
        tags = [tag for tag in sample.truth.get((name, row), {"tags": []})["tags"] if tag.startswith("malformed:")]
        record = sample.records.get((name, row))
        if tags:
            assert len(tags) == 1 and checks[tags[0]](line, record), (name, row, tags)
        elif line:
            assert isinstance(record, dict) and sample.text((name, row)), (name, row)
    for name in FILES[:2]:
        assert sum(1 for (f, _), line in sample.raw.items() if f == name and not line) >= 2


def raises(call: Any) -> bool:
    try:
        call()
    except ValueError:
        return True
    return False


# ---- chats, consent, minors -------------------------------------------------------------------------------------


def test_chats_are_well_formed_and_their_consent_tags_follow_from_metadata(sample: Corpus) -> None:
    ages_said = re.compile(r"(\d+)岁|I'm (?:only )?(\d+)")
    for (name, row), record in sample.records.items():
        if name != "companion_chat.jsonl":
            continue
        tags = set(sample.truth[(name, row)]["tags"])
        messages = record["messages"]
        assert 2 <= len(messages) <= 6
        assert [m["role"] for m in messages] == [("user", "assistant")[i % 2] for i in range(len(messages))]
        assert record["origin"] == "user_interaction" and re.fullmatch(r"u-\d{6}", record["subject_id"])
        consent, age = record.get("consent", []), record.get("age")
        status = tags & {"interaction:consented", "interaction:no_consent", "consent:malformed"}
        if not isinstance(consent, list) or not (age is None or type(age) is int):
            assert status == {"consent:malformed"}
            continue
        assert status == {"interaction:consented" if "training" in consent else "interaction:no_consent"}
        minor = age is not None and age < 14
        assert ("minor:guardian_consent" in tags) == (minor and "guardian" in consent)
        assert ("minor:no_guardian_consent" in tags) == (minor and "guardian" not in consent)
        if "minor:text_signal" in tags:
            said = [int(a or b) for a, b in ages_said.findall(sample.text((name, row)))]
            assert age is None and said and min(said) < 14
    malformed = [sample.records[k] for k in sample.tagged("consent:malformed")]
    assert {type(r["consent"]).__name__ for r in malformed} >= {"str", "int"}
    assert any(r.get("age") == "twelve" for r in malformed)
    assert any(("consent" not in r) for k, r in sample.records.items() if k[0] == "companion_chat.jsonl")
    assert any(r.get("consent") == [] for k, r in sample.records.items() if k[0] == "companion_chat.jsonl")


# ---- synthetic data ---------------------------------------------------------------------------------------------


def aigc_ok(label: Any) -> bool:
    if isinstance(label, str):
        try:
            label = json.loads(label)
        except ValueError:
            return False
    fields = {
        "Label",
        "ContentProducer",
        "ProduceID",
        "ReservedCode1",
        "ContentPropagator",
        "PropagateID",
        "ReservedCode2",
    }
    return isinstance(label, dict) and set(label) == fields and label["Label"] in ("1", "2", "3")


def test_synthetic_tags_follow_from_provenance_fields(sample: Corpus) -> None:
    shapes = Counter()
    for (name, row), record in sample.records.items():
        if name != "synthetic.jsonl":
            continue
        tags = set(sample.truth[(name, row)]["tags"]) - SYNTHETIC_FAILURES
        generator = record.get("generator")
        complete = isinstance(generator, dict) and all(
            isinstance(generator.get(k), str) and generator[k] for k in ("model", "service", "obtained_at")
        )
        if complete:
            datetime.strptime(generator["obtained_at"], "%Y-%m-%d")
        declared = record.get("origin") == "synthetic"
        valid = "AIGC" in record and aigc_ok(record["AIGC"])
        expected = {
            "synthetic:declared": declared,
            "synthetic:aigc_label": valid,
            "synthetic:aigc_malformed": "AIGC" in record and not valid,
            "synthetic:generator_meta": complete,
            "synthetic:missing_generator_meta": not complete and (declared or valid or generator is not None),
        }
        assert {tag for tag, holds in expected.items() if holds} == {t for t in tags if t.startswith("synthetic:")}
        shapes[frozenset(t for t in tags if t.startswith("synthetic:"))] += 1
        if "AIGC" in record:
            shapes[type(record["AIGC"]).__name__, valid] += 1
    only = {
        frozenset({"synthetic:aigc_label", "synthetic:missing_generator_meta"}),
        frozenset({"synthetic:generator_meta"}),
        frozenset({"synthetic:declared", "synthetic:missing_generator_meta"}),
        frozenset({"synthetic:aigc_malformed"}),
    }
    assert all(shapes[s] >= 3 for s in only)
    assert all(shapes[kind] >= 2 for kind in (("str", True), ("str", False), ("dict", True), ("dict", False)))


def test_degenerate_generations_repeat_or_stop_mid_word(sample: Corpus) -> None:
    for key in sample.tagged("synthetic:degenerate"):
        text = sample.text(key)
        sentence = re.split(r"(?<=[。.!?！？])", text)[0]
        repeated = text.count(sentence) >= 5
        cut = re.search(r"[A-Za-z\u4e00-\u9fff]$", text) is not None
        assert repeated or cut, key


def test_regurgitations_copy_most_of_an_ordinary_web_record_yet_are_no_near_duplicates(sample: Corpus) -> None:
    """Above half the near-dup threshold's Jaccard, below the threshold: only the synthetic stage can catch them."""
    copies = sample.tagged("synthetic:regurgitation")
    assert len(copies) >= TAG_MINIMUMS["synthetic:regurgitation"]
    for key in copies:
        of = sample.truth[key]["of"]
        original = (of["file"], of["row"])
        assert original[0] in ("web_zh.jsonl", "web_en.jsonl") and sample.ordinary(original)
        similarity = jaccard(stage_shingles(sample.text(key)), stage_shingles(sample.text(original)))
        assert 0.55 <= similarity < 0.78, (key, similarity)
    assert {is_zh(sample.text(k)) for k in copies} == {True, False}


def test_memorised_identifiers_are_structured_personal_information(sample: Corpus) -> None:
    for key in sample.tagged("synthetic:memorisation"):
        types = {span["type"] for span in sample.truth[key]["pi"]}
        assert key[0] == "synthetic.jsonl" and types and types <= set(SHAPES) - {"pi:person_name_zh", "pi:address_zh"}


COMPANION_FAILURES = {
    "synthetic:sycophancy": phrases.SYCOPHANCY,
    "synthetic:false_promise": phrases.FALSE_PROMISES,
    "synthetic:self_harm_unanswered": phrases.SELF_HARM_UNANSWERED,
}


@pytest.mark.parametrize("tag", COMPANION_FAILURES)
def test_companion_failures_are_an_assistant_line_right_after_its_user_prompt(sample: Corpus, tag: str) -> None:
    pairs = {pair for bank in COMPANION_FAILURES[tag].values() for pair in bank}
    keys = sample.tagged(tag)
    assert len(keys) == len(pairs) >= TAG_MINIMUMS[tag]
    said = set()
    for key in keys:
        messages = sample.records[key]["messages"]
        turns = list(zip(messages, messages[1:], strict=False))
        found = {
            (user["content"], reply["content"])
            for user, reply in turns
            if (user["role"], reply["role"]) == ("user", "assistant")
        }
        assert len(found & pairs) == 1, key
        said |= found & pairs
        assert not re.search(r"[A-Za-z\u4e00-\u9fff]$", messages[-1]["content"].rstrip()), "ends mid-sentence"
    assert said == pairs


# ---- cleaning -----------------------------------------------------------------------------------------------------

ARTEFACTS = {
    "clean:html": r"<[a-z]+[^>]*>.*&(amp;)?nbsp;",
    "clean:zero_width": "\\w[\u200b\ufeff]\\w",
    "clean:fullwidth": "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]",
    "clean:control": "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]",
    "clean:whitespace": r"\s{3,}|\t",
}


def test_cleaning_artefacts_are_where_truth_says_and_nowhere_else(sample: Corpus) -> None:
    readable = sample.readable()
    for tag, pattern in ARTEFACTS.items():
        tagged = set(sample.tagged(tag))
        for key, text in readable.items():
            if key in tagged:
                assert re.search(pattern, text, re.DOTALL), (tag, key)
            elif sample.ordinary(key):
                assert not re.search(pattern, text, re.DOTALL), (tag, key)
    shorts = [sample.text(k) for k in sample.tagged("clean:too_short")]
    assert all(1 <= len(text) <= 3 for text in shorts)
    assert len({normalised(re.sub(r"\W", "", t)) for t in shorts}) == len(shorts), "short texts must not be dups"


def test_ordinary_texts_are_50_to_1500_characters(sample: Corpus) -> None:
    lengths = [len(t) for k, t in sample.readable().items() if sample.ordinary(k)]
    assert min(lengths) >= 50 and max(lengths) <= 1500
    assert sum(n > 800 for n in lengths) >= 100  # long ones too, not only the minimum


# ---- duplicates -----------------------------------------------------------------------------------------------------


def test_exact_duplicates_match_their_first_occurrence_once_normalised(sample: Corpus) -> None:
    variants = Counter()
    for key in sample.tagged("exact_dup"):
        of = sample.truth[key]["of"]
        original = (of["file"], of["row"])
        assert FILES.index(original[0]) < FILES.index(key[0]) or original[1] < key[1]
        assert sample.ordinary(original)
        assert normalised(sample.text(key)) == normalised(sample.text(original))
        variants[sample.text(key) == sample.text(original)] += 1
        variants["cross-file"] += original[0] != key[0]
    assert variants[True] >= 3 and variants[False] >= 3 and variants["cross-file"] >= 3


def test_near_duplicates_are_lightly_edited_copies_of_visible_ordinary_records(sample: Corpus) -> None:
    """Each copy keeps a Jaccard of at least 0.85 to its original under the stage's shingles, so the stage must
    catch it at its threshold of 0.8, yet is no exact duplicate. Copy and original are text records outside the
    tainted source, and the original is ordinary, so the consent and risk stages hold back neither (R3, R6)."""
    edits: Counter[tuple[str, str]] = Counter()
    similarities = []
    for key in sample.tagged("near_dup"):
        of = sample.truth[key]["of"]
        original = (of["file"], of["row"])
        copy, source = sample.text(key), sample.text(original)
        assert exact_key(copy) != exact_key(source), key
        similarities.append(jaccard(stage_shingles(copy), stage_shingles(source)))
        assert sample.ordinary(original), original
        assert {original[0], key[0]} <= set(TEXT_FILES) - {TAINTED_FILE}, key
        lang = "zh" if is_zh(source) else "en"
        edits[lang, "prefix" if copy.endswith(source) else "suffix" if copy.startswith(source) else "inside"] += 1
        edits[lang, "cross-file"] += original[0] != key[0]
    assert len(similarities) >= TAG_MINIMUMS["near_dup"]
    assert min(similarities) >= 0.85 and max(similarities) < 1, similarities
    assert all(edits[lang, kind] for lang in ("zh", "en") for kind in ("prefix", "suffix", "inside", "cross-file"))


@pytest.mark.parametrize("shingling", SHINGLINGS)
def test_only_planted_pairs_are_near_duplicates(sample: Corpus, shingling: str) -> None:
    """All pairs of records, under plain character 5-grams and under the stage's shingles: MinHash estimates find
    the candidates, exact Jaccard decides. Texts without shingles are never compared by the stage."""
    sets = {key: SHINGLINGS[shingling](text) for key, text in sample.readable().items()}
    keys, shingle_sets = zip(*((key, found) for key, found in sets.items() if found), strict=True)
    signatures = []
    for found in shingle_sets:
        minhash = RMinHash(128, 20260715)
        minhash.update(sorted(found))
        signatures.append(minhash.digest())
    matrix = np.array(signatures, dtype=np.uint32)
    linked = {frozenset((k, (t["of"]["file"], t["of"]["row"]))) for k, t in sample.truth.items() if "of" in t}
    worst_ordinary = 0.0
    for i in range(len(keys) - 1):
        estimates = (matrix[i + 1 :] == matrix[i]).mean(axis=1)
        for j in np.nonzero(estimates >= 0.25)[0] + i + 1:  # an estimate this low at J >= 0.45: odds ~1e-6
            similarity = jaccard(shingle_sets[i], shingle_sets[j])
            pair = frozenset((keys[i], keys[j]))
            assert similarity < 0.5 or pair in linked, (sorted(pair), similarity)
            if sample.ordinary(keys[i]) and sample.ordinary(keys[j]):
                worst_ordinary = max(worst_ordinary, similarity)
    assert worst_ordinary < 0.45


@pytest.mark.parametrize("shingling", SHINGLINGS)
def test_random_pairs_of_ordinary_records_share_little(sample: Corpus, shingling: str) -> None:
    shingles = SHINGLINGS[shingling]
    ordinary = [shingles(t) for k, t in sample.readable().items() if sample.ordinary(k)]
    rng = random.Random(1)
    pairs = [rng.sample(ordinary, 2) for _ in range(3000)]
    similarities = sorted(jaccard(a, b) for a, b in pairs)
    assert similarities[-1] < 0.45 and similarities[len(similarities) // 2] < 0.1


# ---- scale --------------------------------------------------------------------------------------------------------


def test_scale_two_doubles_ordinary_records_and_keeps_every_planted_case(sample: Corpus, tmp_path: Path) -> None:
    double = Corpus(tmp_path, write_sample(tmp_path, scale=2))

    def ordinary_per_file(corpus: Corpus) -> Counter[str]:
        return Counter(name for (name, row) in corpus.readable() if corpus.ordinary((name, row)))

    def planted(corpus: Corpus) -> Counter[str]:
        return Counter(tag for t in corpus.truth.values() for tag in t["tags"] if tag not in STATUS_TAGS)

    single_counts, double_counts = ordinary_per_file(sample), ordinary_per_file(double)
    for name in FILES:
        assert 1.9 <= double_counts[name] / single_counts[name] <= 2.1, name
    assert planted(double) == planted(sample)


def test_status_tags_are_tags_of_the_vocabulary() -> None:
    # ordinary records carry only these; a wrong entry would make the tests of ordinary records lenient
    assert STATUS_TAGS < VOCABULARY
    assert all(tag.startswith(("interaction:", "synthetic:")) for tag in STATUS_TAGS)

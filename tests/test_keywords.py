"""Keyword library (R6; TC260-003 9.1 a)): file validation, coverage against the minimums, robust matching."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
import yaml

from pipelines.detectors.keywords import (
    KeywordLibrary,
    KeywordLibraryError,
    KeywordMatcher,
    check_library,
    normalise,
)
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import KeywordLibraryParams

HEADER = "keyword\tcategory\tlang\tweight"
SEED = Path(__file__).resolve().parents[1] / "pipelines" / "resources" / "keywords_seed.tsv"


def write_library(tmp_path: Path, rows: list[str], preamble: str = "# version: t1\n" + HEADER) -> Path:
    """A library file whose first row is on line `preamble.count('\\n') + 2`."""
    path = tmp_path / "library.tsv"
    path.write_text("\n".join([preamble, *rows]) + "\n", encoding="utf-8")
    return path


def matcher_for(tmp_path: Path, *rows: str) -> KeywordMatcher:
    return KeywordMatcher(KeywordLibrary.load(write_library(tmp_path, list(rows))))


def load_error(path: Path) -> KeywordLibraryError:
    with pytest.raises(KeywordLibraryError) as caught:
        KeywordLibrary.load(path)
    return caught.value


# --- the file ------------------------------------------------------------------------------------------------


def test_a_valid_library_loads_with_version_date_and_hash(tmp_path: Path) -> None:
    preamble = "# my library\n# version: 2026.11-3\n# updated: 2026-11-20\n\n" + HEADER
    path = write_library(tmp_path, ["赌博\tA1.8\tzh\t1", "kill yourself\tC.self_harm\ten\t0.5"], preamble)
    library = KeywordLibrary.load(path)
    assert library.version == "2026.11-3"
    assert library.updated == date(2026, 11, 20)
    assert library.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(e.keyword, e.normalised, e.category, e.lang, e.weight, e.line) for e in library.entries] == [
        ("赌博", "赌博", "A1.8", "zh", 1.0, 6),
        ("kill yourself", "killyourself", "C.self_harm", "en", 0.5, 7),
    ]
    assert library.duplicates == ()


def test_extra_columns_any_column_order_and_a_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "library.tsv"
    text = "# version: v\nweight\tnote\tkeyword\tlang\tcategory\n0.7\tfrom review 12\t赌博\tzh\tA1.8\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (entry,) = KeywordLibrary.load(path).entries
    assert (entry.keyword, entry.category, entry.weight) == ("赌博", "A1.8", 0.7)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("赌博\tA1.99\tzh\t1", "line 3: unknown category 'A1.99'"),
        ("  \tA1.8\tzh\t1", "line 3: empty keyword"),
        ("赌\tA1.8\tzh\t1", "line 3: keyword '赌' has 1 character(s) once normalised (minimum 2)"),
        ("a !\tA4.25\ten\t1", "line 3: keyword 'a !' has 1 character"),
        ("赌博\tA1.8\tfr\t1", "line 3: lang 'fr' is not one of zh, en, any"),
        ("赌博\tA1.8\tzh\theavy", "line 3: weight 'heavy' is not a number in (0, 1]"),
        ("赌博\tA1.8\tzh\t0", "line 3: weight '0'"),
        ("赌博\tA1.8\tzh\t1.5", "line 3: weight '1.5'"),
        ("赌博\tA1.8\tzh\tnan", "line 3: weight 'nan'"),
        ("赌博\tA1.8\tzh", "line 3: 3 fields, the header has 4"),
        ("赌博\tA1.8\tzh\t1\tnote", "line 3: 5 fields, the header has 4"),
    ],
)
def test_malformed_rows_are_reported_with_their_line_number(tmp_path: Path, row: str, message: str) -> None:
    error = load_error(write_library(tmp_path, [row]))
    assert message in str(error)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    rows = ["赌博\tA1.8\tzh\t1", "x\tA1.8\tzh\t1", "赌场\tZ.1\tzh\t1", "赌球\tA1.8\tzh\t2"]
    error = load_error(write_library(tmp_path, rows))
    assert [problem.split(":")[0] for problem in error.problems] == ["line 4", "line 5", "line 6"]


@pytest.mark.parametrize(
    ("preamble", "message"),
    [
        (HEADER, "no '# version: ...' line"),
        ("# version: a\n# version: b\n" + HEADER, "line 2: second '# version:' line (first on line 1)"),
        ("# version:\n" + HEADER, "line 1: '# version:' has no value"),
        ("# version: a\n# updated: 23/11/2026\n" + HEADER, "line 2: '# updated:' '23/11/2026' is not a date"),
        ("# version: a\nkeyword\tcategory\tweight", "line 2: the header must name the columns"),
        ("# version: a\nkeyword\tcategory\tlang\tweight\tlang", "repeated: lang"),
    ],
)
def test_malformed_header_and_metadata_are_reported(tmp_path: Path, preamble: str, message: str) -> None:
    assert message in str(load_error(write_library(tmp_path, ["赌博\tA1.8\tzh\t1"], preamble)))


def test_empty_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    assert "no header line" in str(load_error(write_library(tmp_path, [], "# version: a")))
    assert "no keyword entries" in str(load_error(write_library(tmp_path, [])))
    assert "cannot read the file" in str(load_error(tmp_path / "missing.tsv"))
    latin1 = tmp_path / "latin1.tsv"
    latin1.write_bytes(b"# version: a\n" + HEADER.encode() + b"\ncaf\xe9\tA4.25\ten\t1\n")
    assert "line 3: not UTF-8" in str(load_error(latin1))


def test_duplicates_are_reported_and_counted_once(tmp_path: Path) -> None:
    rows = ["赌博\tA1.8\tzh\t1", "赌 博\tA1.8\tzh\t0.5", "赌博\tC.unreasonable_decision\tzh\t1"]
    library = KeywordLibrary.load(write_library(tmp_path, rows))
    assert [entry.line for entry in library.entries] == [3, 5]
    assert library.duplicates == ("line 4: '赌 博' (A1.8) repeats line 3",)


# --- coverage ------------------------------------------------------------------------------------------------


def test_coverage_counts_entries_per_risk_against_the_minimums(tmp_path: Path) -> None:
    rows = ["暴力一\tA1.6\tzh\t1", "暴力二\tA1.6\tzh\t1", "暴力三\tA1.6\tzh\t1", "暴力三\tA1.6\tzh\t1"]
    rows += ["河南人都是骗子\tA2.12\tzh\t1", "kill yourself\tC.self_harm\ten\t1"]
    preamble = "# version: v7\n# updated: 2026-11-20\n" + HEADER
    path = write_library(tmp_path, rows, preamble)
    report = check_library(path, params=KeywordLibraryParams(min_total_entries=5), today=date(2026, 11, 23))
    by_id = {risk.risk_id: risk for risk in report.risks}
    assert (by_id["A1.6"].entries, by_id["A1.6"].minimum, by_id["A1.6"].shortfall) == (3, 200, 197)
    assert (by_id["A2.12"].entries, by_id["A2.12"].shortfall) == (1, 99)
    assert (by_id["C.self_harm"].entries, by_id["C.self_harm"].shortfall) == (1, 0)
    assert by_id["A1.1"].shortfall == 200
    assert (report.total_entries, report.total_shortfall, report.duplicates) == (5, 0, 1)
    assert (report.version, report.age_days) == ("v7", 3)
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # 17 A.1/A.2 risks are short; the total and the age are fine.
    assert len(report.problems) == 17 and not report.ok
    assert "A1.6: 3 entries, minimum 200" in report.problems


def test_coverage_is_ok_when_every_minimum_is_met_and_the_library_is_fresh(tmp_path: Path) -> None:
    taxonomy_path = tmp_path / "taxonomy.yaml"
    taxonomy_path.write_text(
        yaml.safe_dump(
            {
                "version": "t",
                "groups": [{"id": "A1", "name_zh": "组", "name_en": "group", "legal_basis": "test"}],
                "risks": [
                    {
                        "id": f"A1.{n}",
                        "group": "A1",
                        "name_zh": "风险",
                        "name_en": f"risk {n}",
                        "legal_basis": "test",
                        "default_action": "quarantine",
                        "keyword_minimum": n,
                    }
                    for n in (1, 2)
                ],
            }
        ),
        encoding="utf-8",
    )
    taxonomy = Taxonomy.load(taxonomy_path)
    rows = ["一号词\tA1.1\tzh\t1", "二号词\tA1.2\tzh\t1", "二号词语\tA1.2\tzh\t1"]
    path = write_library(tmp_path, rows, "# version: v\n# updated: 2026-11-01\n" + HEADER)
    params = KeywordLibraryParams(min_total_entries=3)

    fresh = check_library(path, taxonomy, params, today=date(2026, 11, 8))
    assert fresh.ok and fresh.problems == []
    assert "result: OK" in fresh.format()

    stale = check_library(path, taxonomy, params, today=date(2026, 11, 9))
    assert stale.problems == ["last updated 8 days ago, maximum 7"]

    unchecked = KeywordLibraryParams(min_total_entries=4, max_age_days=None)
    short = check_library(path, taxonomy, unchecked, today=date(2030, 1, 1))
    assert short.problems == ["total: 3 entries, minimum 4"]

    undated = write_library(tmp_path, rows)
    assert check_library(undated, taxonomy, params).problems == ["no '# updated:' date: weekly updates cannot be shown"]


def test_the_seed_library_loads_and_honestly_falls_short() -> None:
    report = check_library(SEED)
    assert not report.ok
    assert report.duplicates == 0
    assert 200 <= report.total_entries < 10_000
    entries = {risk.risk_id: risk.entries for risk in report.risks}
    planted = ["A1.6", "A1.7", "A1.8", "A2.12", "A2.13", "A4.25", "C.self_harm", "C.verbal_abuse",
               "C.emotional_manipulation", "C.dependency", "C.false_promise", "C.secret_extraction",
               "C.minor_harm"]  # fmt: skip
    assert all(entries[risk_id] >= 10 for risk_id in planted)
    assert all(count > 0 for count in entries.values()), "every risk has some seed entries"
    table = report.format()
    assert report.sha256 in table and report.version in table
    assert "A1.1" in table and "short by" in table and "result: FAIL" in table


def test_the_seed_library_spares_benign_texts_on_the_same_topics() -> None:
    matcher = KeywordMatcher(KeywordLibrary.load(SEED))
    benign = [
        "警方近日破获一起网络赌博案件，抓获犯罪嫌疑人12名，涉案金额达3000万元。",
        "限制获取自杀手段是预防自杀的有效措施。如果你有自杀或自残的想法，请拨打心理援助热线。",
        "If you are thinking about killing yourself, please call a crisis line; self-harm is treatable.",
        "Police said the suspect was charged with murder after the stabbing on Friday.",
        "他在宜兴买了一把紫砂壶。数据库db连接失败。医生说乙肝患者可以正常工作，不应受到歧视。",
        "The class assessed the glass; the flame retardant passed; tell sb about it.",
    ]
    assert [matcher.match(text) for text in benign] == [{}] * len(benign)


# --- matching ------------------------------------------------------------------------------------------------


def test_match_counts_hits_per_category(tmp_path: Path) -> None:
    matcher = matcher_for(
        tmp_path,
        "赌博\tA1.8\tzh\t1",
        "网络赌博平台\tA1.8\tzh\t1",
        "转账给我\tC.unreasonable_decision\tzh\t0.5",
        "转账给我\tC.secret_extraction\tzh\t0.5",
    )
    text = "他在网络赌博平台上赌博，又去赌博。快转账给我！"
    # The long keyword counts once, not once more for the "赌博" inside it.
    assert matcher.match(text) == {"A1.8": 3, "C.unreasonable_decision": 1, "C.secret_extraction": 1}
    hits = matcher.find(text)
    assert [(text[hit.start : hit.end], hit.keyword) for hit in hits[:3]] == [
        ("网络赌博平台", "网络赌博平台"),
        ("赌博", "赌博"),
        ("赌博", "赌博"),
    ]
    assert {hit.weight for hit in hits[3:]} == {0.5}


def test_no_hit_and_empty_text(tmp_path: Path) -> None:
    matcher = matcher_for(tmp_path, "赌博\tA1.8\tzh\t1")
    assert matcher.match("") == {} and matcher.find("") == []
    assert matcher.match("今天天气很好。") == {}
    assert matcher.match("  \u200b ，。") == {}
    with pytest.raises(TypeError, match="text must be a str, not bytes"):
        matcher.match("赌博".encode())


@pytest.mark.parametrize(
    "text",
    [
        "赌 博",  # inserted space
        "赌　博",  # ideographic (full-width) space
        "赌*博",
        "赌.博",
        "赌💰博",  # emoji
        "赌\u200b博",  # zero-width space
        "赌\u200d博",  # zero-width joiner
        "赌\ufeff博",
        "赌\u3164博",  # Hangul filler, an invisible letter
        "赌\n博",
    ],
)
def test_separators_inserted_in_chinese_are_seen_through(tmp_path: Path, text: str) -> None:
    matcher = matcher_for(tmp_path, "赌博\tA1.8\tzh\t1")
    (hit,) = matcher.find("快来" + text + "吧")
    assert ("快来" + text + "吧")[hit.start : hit.end] == text


@pytest.mark.parametrize(
    "text",
    [
        "ＫＩＬＬ　ＹＯＵＲＳＥＬＦ",  # full width
        "Kill Yourself",
        "k i l l  y o u r s e l f",
        "k.i.l.l-yourself!",
        "kіll yоurself",  # Cyrillic і and о
        "𝐤𝐢𝐥𝐥 yourself",  # mathematical bold
        "kíll yoursélf",  # diacritics
        "kill\u200byourself",
    ],
)
def test_obfuscated_english_is_seen_through(tmp_path: Path, text: str) -> None:
    matcher = matcher_for(tmp_path, "kill yourself\tC.self_harm\ten\t1")
    assert matcher.match(f"just {text} now") == {"C.self_harm": 1}


def test_pinyin_and_initials_are_entries_of_the_library(tmp_path: Path) -> None:
    matcher = matcher_for(tmp_path, "赌博\tA1.8\tzh\t1", "dubo\tA1.8\tany\t0.8", "nmsl\tC.verbal_abuse\tany\t1")
    assert matcher.match("一起来DUBO吧，nmsl") == {"A1.8": 1, "C.verbal_abuse": 1}
    assert matcher.match("一起来d-u-b-o吧") == {"A1.8": 1}
    # Nothing is guessed: "db" is not in this library.
    assert matcher.match("一起来db吧") == {}


def test_latin_keywords_do_not_hit_inside_other_words(tmp_path: Path) -> None:
    matcher = matcher_for(tmp_path, "ass\tA4.25\ten\t1", "db\tA1.8\tany\t0.5", "18禁\tA1.6\tzh\t1")
    for text in ["a class act", "assess the glass", "seed box", "feedback", "cl\u0301ass", "2018禁止"]:
        assert matcher.match(text) == {}, text
    assert matcher.match("you ass!") == {"A4.25": 1}
    assert matcher.match("ASS, a.s.s and a s s") == {"A4.25": 3}
    # Chinese around a Latin keyword is a boundary: Chinese is written without spaces.
    assert matcher.match("去db平台") == {"A1.8": 1}
    assert matcher.match("18禁内容") == {"A1.6": 1}


def test_a_rejected_match_does_not_hide_an_overlapping_valid_one(tmp_path: Path) -> None:
    matcher = matcher_for(tmp_path, "free bet\tA1.8\ten\t1", "betting tips\tA1.8\ten\t1")
    # "free betting tips" folds to "freebettingtips": "free bet" ends inside "betting" and is rejected; a
    # non-overlapping scan would have skipped "betting tips", which starts inside it.
    assert [(hit.keyword, hit.start) for hit in matcher.find("free betting tips")] == [("betting tips", 5)]


def test_normalise_folds_keywords_and_texts_alike() -> None:
    assert normalise("ＡＢＣ　１２３") == "abc123"
    assert normalise("Straße") == "strasse"
    assert normalise("赌\u200b博-平*台") == "赌博平台"
    assert normalise("раypal") == "paypal"  # Cyrillic р and а
    assert normalise("！？。 ") == ""

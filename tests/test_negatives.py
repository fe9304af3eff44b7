"""Negative samples (R3): safe responses, DPO preference pairs and adversarial variants from records held for a risk."""

import random
from pathlib import Path

import jieba
import pyarrow.parquet as pq
import pytest
import regex
import rjieba
import yaml
from pypinyin import Style, lazy_pinyin

from pipelines.detectors.keywords import KeywordLibrary, KeywordMatcher
from pipelines.detectors.negatives import (
    TRICKS,
    ResponseTemplates,
    RiskyExchange,
    TemplatesError,
    adversarial_variants,
    apply_trick,
    negatives_for,
    selected,
)
from pipelines.detectors.pii import PiiDetector
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import PiiParams
from pipelines.record import Record
from pipelines.stages.negatives import eligible_risks
from pipelines.tables import NEGATIVES_SCHEMA
from tests.conftest import REPO, corpusgate, make_project, modules_loaded_by, read_run, seed_keywords, write_jsonl

TEMPLATES = REPO / "pipelines/resources/response_templates.yaml"


# ---- templates --------------------------------------------------------------------------------------------------


def test_every_risk_has_safe_responses_in_both_languages():
    templates = ResponseTemplates.load()
    for risk in Taxonomy.load():
        for lang in ("zh", "en"):
            template = templates.choose(risk.id, lang, "some-record")
            assert template.id.startswith(f"{templates.set_for(risk.id)}.{lang}.") and template.text
    assert templates.set_for("C.self_harm") == "self_harm" and templates.set_for("A2.9") == "respect"
    assert templates.set_for("A1.2") == "default"
    assert templates.choose("A1.2", "fr", "x").id.startswith("default.en.")  # no French templates: English


def test_self_harm_responses_comfort_encourage_help_and_give_a_hotline():
    sets = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))["responses"]["self_harm"]
    assert all("12356" in text for text in sets["zh"]) and all("988" in text for text in sets["en"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["responses"].pop("default"), "expected `responses` with a `default` set"),
        (lambda d: d["responses"]["self_harm"].update(en=[]), "responses.self_harm: needs a non-empty list of en"),
        (lambda d: d["responses"]["minors"].update(risks=["C.nonsense"]), "unknown risk id"),
        (lambda d: d.update(mixed_language=["赌"]), "mixed_language must map"),
    ],
)
def test_broken_templates_are_refused_naming_the_entry(tmp_path, change, message):
    data = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "templates.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TemplatesError, match=message):
        ResponseTemplates.load(path)


# ---- adversarial variants -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matcher():
    return KeywordMatcher(KeywordLibrary.load(REPO / "pipelines/resources/keywords_seed.tsv"))


@pytest.mark.parametrize(("lang", "category"), [("zh", "A1.8"), ("en", "C.self_harm")])
def test_variants_change_the_text_and_the_ones_the_matcher_normalises_are_still_caught(matcher, lang, category):
    keyword = next(k for k in seed_keywords(category, 20) if (lang == "zh") == (not k.isascii()))
    text = f"{keyword}!" if lang == "en" else f"大家快来{keyword}，日日有惊喜。"
    lexicon = ResponseTemplates.load().lexicon
    variants = dict(adversarial_variants(text, len(TRICKS), "seed", lexicon, list(TRICKS)))
    assert all(variant != text for variant in variants.values())
    for trick in ("spacing", "invisible", "symbols", "homoglyphs"):
        assert category in matcher.match(variants[trick]), (trick, variants[trick])
    if lang == "zh":
        assert variants["pinyin_initials"] != text and "leetspeak" not in variants  # no Latin word: skipped
    else:
        assert "pinyin" not in variants and any(c.isdigit() for c in variants["leetspeak"])


def test_tricks_leave_redaction_placeholders_alone():
    text = "Call <CN_MOBILE> now, 去赌场下注, ask <PERSON_3fa2c1d0> for the knife."
    lexicon = ResponseTemplates.load().lexicon
    for trick, variant in adversarial_variants(text, len(TRICKS), "seed", lexicon, list(TRICKS)):
        assert "<CN_MOBILE>" in variant and "<PERSON_3fa2c1d0>" in variant, trick
    mixed = dict(adversarial_variants(text, 1, "seed", lexicon, ["mixed_language"]))["mixed_language"]
    assert "casino" in mixed and "刀" in mixed


class AlwaysRandom(random.Random):
    def random(self) -> float:
        return 0.0  # every word the trick may rewrite is rewritten


def test_pinyin_tricks_write_every_chinese_word_as_pypinyin_does_in_each_style():
    dictionary = (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").split("\n")
    words = [line.split()[0] for line in dictionary[::97] if line]  # ~3,600 words of every frequency
    text = "，".join(words) + " and 〇々中国〡〢 (characters without pinyin stay as they are)"
    expected = {
        trick: "".join(
            "".join(lazy_pinyin(word, style=style)) if regex.fullmatch(r"\p{Han}+", word) else word
            for word in rjieba.cut(text)
        )
        for trick, style in (("pinyin", Style.NORMAL), ("pinyin_initials", Style.FIRST_LETTER))
    }
    for trick, variant in expected.items():
        assert apply_trick(trick, text, AlwaysRandom(), {}) == variant
    assert "zhongguo" in expected["pinyin"] and "〡〢" in expected["pinyin_initials"]


def test_the_launcher_does_not_import_pypinyin():
    """Importing pypinyin costs 0.3 s; only a process that makes pinyin pays it."""
    imports = "pipelines.cli, pipelines.run, pipelines.detectors.negatives"
    assert modules_loaded_by(imports, ("pypinyin", "pipelines.stages.negatives")) == ["pipelines.stages.negatives"]


def test_variants_are_seeded_and_as_many_as_asked():
    lexicon = ResponseTemplates.load().lexicon
    text = "Grab a knife and make them bleed, that's the only language they understand."
    first = list(adversarial_variants(text, 3, "record-1", lexicon))
    assert first == list(adversarial_variants(text, 3, "record-1", lexicon)) and len(first) == 3
    assert len({trick for trick, _ in first}) == 3
    assert first != list(adversarial_variants(text, 3, "record-2", lexicon))


def test_rows_follow_the_contract_and_point_at_origin_and_template():
    exchange = RiskyExchange("web-1", "C.self_harm", "zh", "我今天真的撑不下去了。", "伤害自己也许能让你好受一点。")
    rows = negatives_for(exchange, ResponseTemplates.load(), ["safe_response", "preference", "adversarial"], 2)
    assert [r["kind"] for r in rows] == ["safe_response", "preference", "adversarial", "adversarial"]
    assert all(set(r) == set(NEGATIVES_SCHEMA.names) for r in rows)
    assert all(r["origin_id"] == "web-1" and r["risk"] == "C.self_harm" for r in rows)
    safe, preference = rows[0], rows[1]
    assert safe["template_id"].startswith("self_harm.zh.") and "12356" in safe["chosen"] and safe["rejected"] is None
    assert preference["prompt"] == exchange.prompt and preference["rejected"] == exchange.harmful
    assert preference["chosen"] == safe["chosen"]
    assert all(r["template_id"].startswith("adversarial.") and r["text"] for r in rows[2:])
    assert len({r["negative_id"] for r in rows}) == 4
    only_pairs = negatives_for(exchange, ResponseTemplates.load(), ["preference"], 2)
    assert [r["kind"] for r in only_pairs] == ["preference"]


# ---- who may feed negatives -----------------------------------------------------------------------------------


def held(reasons: list[str], pi: list[dict] | None = None, screened: bool = True) -> Record:
    record = Record("r-1", "s", "f", 0, "00", (0, "f", 0), text="risky", screened=screened)
    record.reasons, record.decision = reasons, "quarantined"
    if pi:
        record.labels["pi"] = pi
    return record


def test_only_screened_records_held_for_a_risk_without_pi_left_feed_negatives():
    assert eligible_risks(held(["R6.C.self_harm", "R6.A1.8"]), 1.0) == ["C.self_harm", "A1.8"]
    assert eligible_risks(held(["R6.review"]), 1.0) == []
    assert eligible_risks(held(["R6.harmful_source"]), 1.0) == []
    assert eligible_risks(held(["R7.no_training_consent", "R6.A1.8"]), 1.0) == []  # consent: never
    assert eligible_risks(held(["R6.A1.8"], screened=False), 1.0) == []
    redacted = [{"type": "CN_MOBILE", "start": 0, "end": 11, "action": "redact"}]
    assert eligible_risks(held(["R6.A1.8"], redacted), 1.0) == ["A1.8"]
    named = [{"type": "PERSON", "start": 0, "end": 15, "action": "pseudonymise"}]
    assert eligible_risks(held(["R6.A1.8"], named), 1.0) == []
    assert eligible_risks(held(["R6.A1.8"]), 0.0) == []


def test_the_ratio_selects_a_stable_share_of_records():
    ids = [f"record-{n}" for n in range(2000)]
    chosen = [i for i in ids if selected(i, 0.25)]
    assert 0.2 < len(chosen) / len(ids) < 0.3 and chosen == [i for i in ids if selected(i, 0.25)]


# ---- a run ---------------------------------------------------------------------------------------------------------


def risky_chat(keyword: str, **meta) -> dict:
    messages = [
        {"role": "user", "content": "I had a really long day at work today."},
        {"role": "assistant", "content": f"That sounds tiring. Honestly, {keyword}."},
        {"role": "user", "content": "Thanks for listening anyway."},
    ]
    return {"messages": messages, "licence": "CC0-1.0", **meta}


@pytest.fixture(scope="module")
def negatives_run(tmp_path_factory, risk_model):
    project = make_project(tmp_path_factory.mktemp("negatives"), risk_model)
    self_harm, gambling = seed_keywords("C.self_harm", 2), seed_keywords("A1.8", 1)
    records = [
        {"id": "held-chat", **risky_chat(self_harm[1])},
        {"id": "held-text", "text": f"快来看看，{gambling[0]}，机会难得。", "licence": "CC0-1.0"},
        {"id": "no-consent", **risky_chat(self_harm[0], origin="user_interaction", consent=[])},
        {
            "id": "with-pi",
            "text": f"Call 13912345678 now, {self_harm[0]}, my email is sam.w12@example.com.",
            "licence": "CC0-1.0",
        },
        {"id": "named", "text": f"Mike Johnson told everyone: {self_harm[1]}.", "licence": "CC0-1.0"},
    ]
    records += [{"text": f"Everyday note number {n}: the garden needs watering.", "licence": "CC0-1.0"} for n in "ab"]
    write_jsonl(project / "in.jsonl", records)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        assert corpusgate("run", "--input", "in.jsonl", "--out", "out", "--set", "risk.hold_harmful_sources=false") == 0
    run = read_run(project / "out")
    run["ids"] = {r["source_record_id"]: r["id"] for r in run["lineage"]}
    return project, run


def test_negatives_come_from_records_held_for_a_risk_and_point_at_them(negatives_run):
    _, run = negatives_run
    lineage = {r["id"]: r for r in run["lineage"]}
    negatives = run["negatives"]
    origins = {row["origin_id"] for row in negatives}
    assert {run["ids"]["held-chat"], run["ids"]["held-text"], run["ids"]["with-pi"]} <= origins
    for row in negatives:
        origin = lineage[row["origin_id"]]
        assert origin["decision"] == "quarantined" and f"R6.{row['risk']}" in origin["reasons"]
    kinds = {(row["origin_id"], row["kind"]) for row in negatives}
    for origin in origins:
        assert {kind for o, kind in kinds if o == origin} == {"safe_response", "preference", "adversarial"}
    assert len({row["negative_id"] for row in negatives}) == len(negatives)
    chat = [r for r in negatives if r["origin_id"] == run["ids"]["held-chat"] and r["kind"] == "preference"][0]
    assert chat["prompt"] == "I had a really long day at work today." and chat["rejected"].startswith("That sounds")
    assert chat["template_id"].startswith("self_harm.en.") and "988" in chat["chosen"]


def test_a_record_held_for_lack_of_consent_never_feeds_negatives(negatives_run):
    _, run = negatives_run
    no_consent = run["ids"]["no-consent"]
    row = next(r for r in run["lineage"] if r["id"] == no_consent)
    assert "R7.no_training_consent" in row["reasons"]
    assert no_consent not in {r["origin_id"] for r in run["negatives"]}
    # a pseudonymised name is still personal information: that record stays out too
    assert run["ids"]["named"] not in {r["origin_id"] for r in run["negatives"]}


def test_negatives_carry_no_personal_information(negatives_run):
    project, run = negatives_run
    texts = [row[f] for row in run["negatives"] for f in ("prompt", "chosen", "rejected", "text") if row[f]]
    written = "\n".join(texts)
    assert "13912345678" not in written and "example.com" not in written and "<CN_MOBILE>" in written
    detector = PiiDetector(PiiParams())
    structured = {"CN_MOBILE", "EMAIL_ADDRESS", "CN_RESIDENT_ID", "BANK_CARD", "CREDIT_CARD", "PHONE_NUMBER"}
    assert not [e for text in texts for e in detector.detect(text) if e.type in structured]
    files = sorted((project / "out/negatives").glob("*.parquet"))
    assert pq.read_schema(files[0]).names == NEGATIVES_SCHEMA.names
    outputs = [o for o in run["manifest"]["outputs"] if o["table"] == "negatives"]
    assert sum(o["rows"] for o in outputs) == len(run["negatives"]) > 0

"""The supervised risk classifier, its labelled-data format and adapters, and the seed training set (R6)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from pipelines.detectors.classifier import (
    ClassifierError,
    LabelledDataError,
    LabelledExample,
    RiskClassifier,
    cold_to_labelled,
    davidson_to_labelled,
    preprocess,
    question_pairs,
    read_labelled,
    read_training_file,
    sentence_spans,
    sentences,
    sidecar_path,
    train_classifier,
    write_labelled,
)
from pipelines.detectors.keywords import normalise
from pipelines.detectors.seed_training import SeedBankError, seed_examples, write_seed_training_set
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import ClassifierParams
from tests.conftest import write_jsonl

SAFE_TEXT = "周末和家人去公园散步，天气很好，回家做了番茄炒蛋。"
GAMBLING = "网络赌场上线了，充值一百送五十，稳赚不赔，快来下注"
SELF_HARM_EN = "If life is too tiring, just end it, cutting yourself will make the pain go away"
FAST = {"epoch": 10, "quantize": False}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def seed_set(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return write_seed_training_set(tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="module")
def model(seed_set: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default model: trained on the seed set with the default (quantised) parameters."""
    path = tmp_path_factory.mktemp("model") / "risk.ftz"
    train_classifier([Path(seed_set["files"]["train"]["path"])], path, ClassifierParams())
    return path


@pytest.fixture(scope="module")
def classifier(model: Path) -> RiskClassifier:
    return RiskClassifier.load(model)


# --- preprocessing ------------------------------------------------------------------------------------------


def test_preprocess_splits_chinese_lowercases_latin_and_drops_newlines() -> None:
    assert preprocess("Hello WORLD!\n你好，世界\r\n\tOK") == "hello world ! 你 好 世 界 ok 你好 世界"
    assert preprocess("Ｈｉ  你好世界", cjk_bigrams=False) == "hi 你 好 世 界"
    assert "\n" not in preprocess("第一行\n第二行\n\nthird line")


def test_preprocess_masks_identifiers_but_keeps_small_numbers() -> None:
    line = preprocess("@alice_88 mail bob@example.com, see https://t.co/xYz 电话13812345678 她13岁")
    assert line.split()[:3] == ["@user", "mail", "<email>"]
    assert "<url>" in line and "<num>" in line and "13" in line.split()
    for value in ("alice", "bob", "example", "xyz", "13812345678"):
        assert value not in line


@pytest.mark.parametrize(
    "text",
    [
        "Hello WORLD!\n你好，世界\r\n\tOK",
        "Ｈｅｌｌｏ ＷＯＲＬＤ！ｶﾀｶﾅとひらがな、漢字。",
        "Straße İstanbul ǅemal ﬁne café cafe\u0301 1234 ①②",
        "잘 지내요? 日本語テキスト… naïve coöperate x²",
        "emoji 😀 and symbols #$%^&*()[]{} 你好😀世界?!",
        "",
        "   \u200b\u3000 ",
    ],
)
def test_preprocess_is_the_same_with_or_without_a_placeholder_cue(text: str) -> None:
    # A lone "@" is no token, but it sends the text through the token-by-token path that placeholders need.
    for bigrams in (True, False):
        assert preprocess(text, bigrams) == preprocess(text + " @", bigrams)


# --- scores -------------------------------------------------------------------------------------------------


def test_scores_cover_every_taxonomy_id(classifier: RiskClassifier) -> None:
    scores = classifier.scores(SAFE_TEXT)
    assert list(scores) == Taxonomy.load().ids
    assert all(0.0 <= score <= 1.0 for score in scores.values())


def test_planted_examples_score_higher_than_a_safe_sentence(classifier: RiskClassifier) -> None:
    safe, gambling, self_harm = classifier.predict_batch([SAFE_TEXT, GAMBLING, SELF_HARM_EN])
    assert gambling["A1.8"] > safe["A1.8"] + 0.3
    assert self_harm["C.self_harm"] > safe["C.self_harm"] + 0.3
    assert "A1.8" in classifier.flagged(gambling)
    assert classifier.flagged(safe) == {}


def test_predict_batch_agrees_with_scores_and_empty_text_scores_zero(classifier: RiskClassifier) -> None:
    batch = classifier.predict_batch([GAMBLING, "", "  \n "])
    assert batch[0] == pytest.approx(classifier.scores(GAMBLING))
    assert set(batch[1].values()) == {0.0} and set(batch[2].values()) == {0.0}
    assert classifier.predict_batch([]) == []


def test_predict_batch_scores_repeated_texts_and_sentences_as_alone(classifier: RiskClassifier) -> None:
    # Sentences shared by texts are scored once for all of them: each text still gets its own scores.
    shared = f"{SAFE_TEXT}。{GAMBLING}！"
    texts = [GAMBLING, shared, SAFE_TEXT, shared, f"{GAMBLING}！要不要？{SELF_HARM_EN}", SAFE_TEXT + "？" + GAMBLING]
    assert classifier.predict_batch(texts, floor=0.05) == [classifier.predict_batch([t], floor=0.05)[0] for t in texts]


def test_long_text_is_scored_sentence_by_sentence(model: Path) -> None:
    # One gambling sentence inside a long everyday text: whole-text scoring averages it away.
    long_text = "\n".join([SAFE_TEXT] * 60 + [GAMBLING + "！"] + [SAFE_TEXT] * 60)
    by_sentence = RiskClassifier.load(model).scores(long_text)["A1.8"]
    whole = RiskClassifier.load(model, ClassifierParams(window_chars=0)).scores(long_text)["A1.8"]
    assert by_sentence > 0.5 > whole


def test_a_question_is_also_scored_with_the_sentence_after_it(model: Path) -> None:
    text = "今天天气很好。你几岁了？还在上学吧。我去买菜了。Really? Yes."
    spans = sentence_spans(text, 100)
    assert [text[a:b] for a, b in question_pairs(text, spans, 100)] == ["你几岁了？还在上学吧。", "Really? Yes."]
    assert question_pairs(text, spans, 8) == []  # the pair must fit in one unit's size
    assert question_pairs("没有问题。", sentence_spans("没有问题。", 100), 100) == []
    # The pair is one more unit: each risk keeps its highest score, so scores only rise.
    asked = "要不要赚钱？" + GAMBLING
    paired = RiskClassifier.load(model).scores(asked)
    unpaired = RiskClassifier.load(model, ClassifierParams(question_pairs=False)).scores(asked)
    whole = RiskClassifier.load(model, ClassifierParams(window_chars=0)).scores(asked)
    assert paired == {risk: pytest.approx(max(unpaired[risk], whole[risk])) for risk in paired}
    assert any(whole[risk] > unpaired[risk] for risk in paired)


def test_sentence_spans_cut_at_sentence_ends_and_line_breaks() -> None:
    text = "今天天气很好。你好吗？  \nFirst one. Second one!\n\n" + "很长的句子，" * 30 + "结束。"
    spans = sentence_spans(text, 50)
    assert [text[a:b] for a, b in spans][:5] == [
        "今天天气很好。",
        "你好吗？",
        "First one.",
        "Second one!",
        "很长的句子，" * 8,
    ]
    assert all(b - a <= 50 for a, b in spans) and text[spans[-1][0] : spans[-1][1]].endswith("结束。")
    assert "".join("".join(text[a:b].split()) for a, b in spans) == "".join(text.split())  # only spaces dropped
    assert sentences(text, 0) == [text] and sentences("   \n ", 50) == [] and sentences("", 50) == []


def test_per_risk_thresholds_override_the_default(model: Path) -> None:
    strict = RiskClassifier.load(model, ClassifierParams(threshold=0.6, thresholds={"A1.8": 0.95}))
    assert strict.flagged({"A1.8": 0.9, "A1.1": 0.6, "C.self_harm": 0.59, "A1.6": 0.97}) == {"A1.6": 0.97, "A1.1": 0.6}
    with pytest.raises(ClassifierError, match="unknown risk id"):
        RiskClassifier.load(model, ClassifierParams(thresholds={"A9.99": 0.5}))


# --- training and the sidecar -------------------------------------------------------------------------------


def test_sidecar_records_hashes_labels_and_params(model: Path, seed_set: dict) -> None:
    sidecar = json.loads(sidecar_path(model).read_text(encoding="utf-8"))
    assert sidecar["model_sha256"] == sha256(model)
    assert sidecar["model_bytes"] == model.stat().st_size
    [training] = sidecar["training_data"]
    assert training["sha256"] == sha256(Path(seed_set["files"]["train"]["path"]))
    assert training["examples"] == seed_set["files"]["train"]["examples"]
    assert sidecar["labels"] == Taxonomy.load().ids
    assert sidecar["counts"]["safe"] > 0 and all(sidecar["counts"][rid] >= 30 for rid in sidecar["labels"])
    assert sidecar["params"] == ClassifierParams().model_dump(mode="json")


def test_training_is_reproducible_and_reads_extra_training_data(tmp_path: Path) -> None:
    train, _ = seed_examples()
    first, second = tmp_path / "first.jsonl", tmp_path / "extra.jsonl"
    write_labelled(first, train[:600])
    write_labelled(second, train[600:900])
    params = ClassifierParams(**FAST, extra_training_data=[second])
    one = train_classifier([first], tmp_path / "one.bin", params)
    two = train_classifier([first], tmp_path / "two.bin", params)
    assert one.model_sha256 == two.model_sha256
    assert [f.path for f in one.training_data] == [str(first), str(second)]
    assert one.examples == 900


def test_training_without_any_risk_is_refused(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "safe.jsonl", [{"text": "你好", "labels": [], "lang": "zh"}] * 3)
    with pytest.raises(ClassifierError, match="nothing to learn"):
        train_classifier([data], tmp_path / "m.bin", ClassifierParams(**FAST))


# --- loading ------------------------------------------------------------------------------------------------


def test_loading_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ClassifierError, match="no such model file"):
        RiskClassifier.load(tmp_path / "absent.ftz")


def test_loading_a_changed_or_corrupt_model_is_a_clear_error(model: Path, tmp_path: Path) -> None:
    copy = tmp_path / model.name
    shutil.copy(model, copy)
    shutil.copy(sidecar_path(model), sidecar_path(copy))
    copy.write_bytes(copy.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ClassifierError, match="sha256 differs"):
        RiskClassifier.load(copy)

    # A file that is not a model at all, with a sidecar claiming its hash: fastText's refusal is passed on.
    copy.write_bytes(b"not a fastText model")
    sidecar = json.loads(sidecar_path(model).read_text(encoding="utf-8"))
    sidecar_path(copy).write_text(json.dumps({**sidecar, "model_sha256": sha256(copy)}), encoding="utf-8")
    with pytest.raises(ClassifierError, match="fastText cannot load it"):
        RiskClassifier.load(copy)

    sidecar_path(copy).write_text("{not json", encoding="utf-8")
    with pytest.raises(ClassifierError, match="not a valid classifier sidecar"):
        RiskClassifier.load(copy)

    sidecar_path(copy).unlink()
    with pytest.raises(ClassifierError, match="sidecar .* is missing"):
        RiskClassifier.load(copy)


# --- labelled data ------------------------------------------------------------------------------------------


def test_bad_labelled_data_names_each_bad_line(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"text": "fine", "labels": ["A1.8"], "lang": "en"},
            {"text": "unknown id", "labels": ["A1.99"], "lang": "en"},
            {"labels": [], "lang": "zh"},
            '{"text": "cut off',
            {"text": "bad lang", "labels": [], "lang": "fr"},
            "",
            {"text": "labels not a list", "labels": "A1.8", "lang": "en"},
        ],
    )
    with pytest.raises(LabelledDataError) as caught:
        read_labelled(path)
    message = str(caught.value)
    assert f"{path}:2: unknown risk id(s) 'A1.99'" in message
    assert f"{path}:3: 'text' is missing" in message
    assert f"{path}:4: not valid JSON" in message
    assert f"{path}:5: 'lang' must be one of zh, en" in message
    assert f"{path}:7: 'labels' must be a list" in message
    assert len(caught.value.problems) == 5
    with pytest.raises(LabelledDataError, match=r"bad\.jsonl:2:"):
        train_classifier([path], tmp_path / "m.bin", ClassifierParams(**FAST))


def test_labelled_data_round_trips(tmp_path: Path) -> None:
    examples = [
        LabelledExample("多行\n文本\u2028和分隔符\x85", ("C.self_harm", "A4.23"), "zh", "risk"),
        LabelledExample("safe", (), "en"),
    ]
    path = tmp_path / "data.jsonl"
    assert write_labelled(path, examples) == 2
    assert read_labelled(path) == examples


def test_cold_adapter_maps_topics_and_reads_the_bom_header(tmp_path: Path) -> None:
    path = tmp_path / "dev.csv"
    path.write_text(
        "\ufeff,split,topic,label,TEXT\n"
        "1,dev,race,1,种族攻击的话\n"
        "2,train,region,1,地域攻击的话\n"
        '3,dev,gender,1,"性别攻击，\n跨行"\n'
        "4,dev,gender,0,反对性别歧视\n",
        encoding="utf-8",
    )
    examples = cold_to_labelled(path)
    assert [e.labels for e in examples] == [("A2.9",), ("A2.12",), ("A2.13",), ()]
    assert {e.lang for e in examples} == {"zh"} and examples[2].text == "性别攻击，\n跨行"

    path.write_text("\ufeff,split,topic,label,TEXT\n1,dev,religion,1,x\n", encoding="utf-8")
    with pytest.raises(LabelledDataError, match=r"dev\.csv:2: unexpected topic"):
        cold_to_labelled(path)
    path.write_text("\ufeff,split,topic,TEXT\n", encoding="utf-8")
    with pytest.raises(LabelledDataError, match="missing column"):
        cold_to_labelled(path)


def test_davidson_adapter_maps_classes(tmp_path: Path) -> None:
    path = tmp_path / "labeled_data.csv"
    path.write_text(
        ",count,hate_speech,offensive_language,neither,class,tweet\n"
        "0,3,3,0,0,0,hateful tweet\n1,3,0,3,0,1,offensive tweet\n2,3,0,0,3,2,a nice day\n",
        encoding="utf-8",
    )
    assert [e.labels for e in davidson_to_labelled(path)] == [("A2.17",), ("A4.25",), ()]


def test_params_forbid_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="epochs"):
        ClassifierParams(epochs=3)


# --- the seed training set ----------------------------------------------------------------------------------


def test_seed_set_covers_every_risk_in_both_languages(seed_set: dict) -> None:
    train, dev = seed_examples()
    for risk_id in Taxonomy.load().ids:
        for lang in ("zh", "en"):
            assert sum(risk_id in e.labels and e.lang == lang for e in train + dev) >= 20, (risk_id, lang)
    assert sum(e.kind == "hard_negative" for e in train) > 300
    assert sum(not e.labels for e in train) > 1000
    assert seed_set["files"]["train"]["examples"] == len(train)


def test_seed_set_holds_far_more_ordinary_text_than_any_risk() -> None:
    train, dev = seed_examples()
    for lang in ("zh", "en"):
        largest_risk = max(Counter(label for e in train if e.lang == lang for label in e.labels).values())
        assert sum(e.kind == "safe" and e.lang == lang for e in train) > 5 * largest_risk, lang
        assert sum(e.kind == "safe" and e.lang == lang for e in dev) > largest_risk, lang


def test_seed_set_is_deterministic_and_dev_holds_unseen_texts(seed_set: dict, tmp_path: Path) -> None:
    again = write_seed_training_set(tmp_path, seed=seed_set["seed"])
    assert again["files"]["train"]["sha256"] == seed_set["files"]["train"]["sha256"]
    assert write_seed_training_set(tmp_path, seed=1)["files"]["train"]["sha256"] != again["files"]["train"]["sha256"]
    train, dev = seed_examples()
    assert not {e.text for e in dev} & {e.text for e in train}


def test_extra_training_data_takes_cold_and_davidson_csv_as_they_are(tmp_path: Path) -> None:
    cold = tmp_path / "cold.csv"
    cold.write_text(
        "\ufeff,split,topic,label,TEXT\n0,train,region,1,某地人都不行\n1,train,gender,0,今天天气很好\n", "utf-8"
    )
    davidson = tmp_path / "davidson.csv"
    davidson.write_text(",count,hate_speech,offensive_language,neither,class,tweet\n0,3,0,0,3,2,nice day\n", "utf-8")
    assert [tuple(e.labels) for e in read_training_file(cold)] == [("A2.12",), ()]
    assert [tuple(e.labels) for e in read_training_file(davidson)] == [()]
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(LabelledDataError, match="COLD's columns"):
        read_training_file(other)


def test_seed_templates_combine_bank_pieces_and_abuse_is_also_an_insult() -> None:
    train, dev = seed_examples()
    assert not [e.text for e in train + dev if re.search(r"\{\w*\}", e.text)]  # every slot filled, nested ones too
    abuse = [e for e in train + dev if "C.verbal_abuse" in e.labels]
    assert abuse and all("A4.25" in e.labels for e in abuse)
    assert any("A4.25" in e.labels and "C.verbal_abuse" not in e.labels for e in train)  # defamation of others


def test_bad_seed_banks_are_reported_by_file_and_entry(tmp_path: Path) -> None:
    folder = tmp_path / "banks"
    shutil.copytree(Path(__file__).parent.parent / "pipelines/resources/seed_training", folder)
    risks = yaml.safe_load((folder / "risks.yaml").read_text(encoding="utf-8"))
    risks["risks"]["A1.8"]["also"] = ["A9.99"]
    (folder / "risks.yaml").write_text(yaml.safe_dump(risks, allow_unicode=True), encoding="utf-8")
    banks = yaml.safe_load((folder / "banks.yaml").read_text(encoding="utf-8"))
    banks["slots"]["en"]["weapon"].append("a {nope}")
    (folder / "banks.yaml").write_text(yaml.safe_dump(banks, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SeedBankError) as error:
        seed_examples(folder=folder)
    assert "A1.8: also 'A9.99'" in str(error.value) and "en.weapon uses {nope}" in str(error.value)


# --- independence from the sample: the sample's planted texts measure the seed set, so it must not copy them --


def _grams(text: str) -> set:
    """Character bigrams of Chinese text, word bigrams of other text, normalised as the keyword matcher does."""
    if re.search(r"[\u4e00-\u9fff]", text):
        dense = normalise(text)
        return {dense[i : i + 2] for i in range(len(dense) - 1)}
    words = [w for w in map(normalise, text.split()) if w]
    return set(zip(words, words[1:], strict=False))


def _pieces(text: str) -> list[str]:
    """Clauses of a template, its {slots} taken out."""
    return [c for part in re.split(r"\{\w*\}", text) for c in re.split(r"[，。！？；：、,.!?;:…\"“”]+", part)]


def test_seed_set_and_keyword_library_copy_nothing_from_the_sample() -> None:
    """No seed statement or keyword holds most of a sentence of the sample's phrase banks (planted risks, look-alikes,
    everyday text), nor a long clause of one nearly word for word: the sample figures would measure memory."""
    from pipelines.sample import phrases

    banks = [phrases.RISK_LINES, phrases.LOOKALIKES, phrases.TOPICS, phrases.REACTIONS]
    sample = [t for bank in banks for by_lang in bank.values() for texts in by_lang.values() for t in texts]
    sample += [t for pairs in phrases.CHAT_PAIRS.values() for pair in pairs for t in pair]
    folder = Path(__file__).parent.parent / "pipelines/resources"
    ours = [
        line.split("\t")[0]
        for line in (folder / "keywords_seed.tsv").read_text(encoding="utf-8").splitlines()
        if "\t" in line and not line.startswith("#")
    ]

    def strings(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        return [s for value in values for s in strings(value)]

    for name in ("risks", "safe", "everyday", "banks"):
        ours += strings(yaml.safe_load((folder / "seed_training" / f"{name}.yaml").read_text(encoding="utf-8")))
    our_grams = [(text, set().union(*map(_grams, _pieces(text)))) for text in ours]
    copies = []
    for planted in sample:
        grams = set().union(*map(_grams, _pieces(planted)))
        clauses = [g for g in map(_grams, _pieces(planted)) if len(g) >= 6]
        for text, theirs in our_grams:
            most = len(grams) >= 6 and len(grams & theirs) >= len(grams) / 2
            if most or any(len(clause & theirs) >= 0.75 * len(clause) for clause in clauses):
                copies.append((planted, text))
    assert not copies, copies[:10]

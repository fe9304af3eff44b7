"""Labelling and the risk filter (R6): evidence, thresholds, review band, harmful sources; keywords, training."""

import json
from datetime import date

import pytest

from pipelines.detectors.classifier import RiskClassifier, sentence_spans
from pipelines.detectors.keywords import Hit, KeywordLibrary, KeywordMatcher, library_path
from pipelines.detectors.risk import RiskScorer, combined_scores, keyword_evidence
from pipelines.detectors.seed_training import seed_examples
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import Params
from pipelines.record import Record
from pipelines.stages.risk import RiskDecision, is_harmful
from tests.conftest import REPO, corpusgate, read_run, seed_keywords, write_jsonl


def hit(category: str, weight: float) -> Hit:
    return Hit(category, "kw", weight, 0, 2)


def test_keyword_evidence_sums_weights_up_to_one():
    assert keyword_evidence([hit("A1.8", 0.4), hit("A1.8", 0.4), hit("C.self_harm", 1.0), hit("C.self_harm", 1.0)]) == {
        "A1.8": 0.8,
        "C.self_harm": 1.0,
    }
    assert keyword_evidence([]) == {}


def test_keyword_cues_add_up_within_one_sentence_only():
    hits = [Hit("A1.8", "a", 0.3, 0, 2), Hit("A1.8", "b", 0.3, 4, 6), Hit("A1.8", "c", 0.3, 12, 14)]
    assert keyword_evidence(hits, [(0, 10), (10, 20)]) == {"A1.8": pytest.approx(0.6)}
    assert keyword_evidence(hits) == {"A1.8": pytest.approx(0.9)}  # no sentences given: the whole text
    # The shipped library: two gambling cues of weight 0.3 hold a sentence together, not two sentences apart.
    matcher = KeywordMatcher(KeywordLibrary.load(library_path(None, REPO)))
    for text, expected in (("老虎机和百家乐今晚都开。", 0.6), ("我玩过老虎机。电影里也有百家乐。", 0.3)):
        hits = matcher.find(text)
        assert {h.weight for h in hits} == {0.3}
        assert keyword_evidence(hits, sentence_spans(text, 100))["A1.8"] == pytest.approx(expected)
        # A weak cue alone is no evidence at the keyword threshold; two in one sentence are.
        assert keyword_evidence(hits, sentence_spans(text, 100), threshold=0.5) == (
            {"A1.8": pytest.approx(0.6)} if expected > 0.5 else {}
        )


def test_combined_score_is_the_stronger_evidence_above_the_floor():
    scores = combined_scores({"A1.8": 0.3, "A2.13": 0.01, "C.dependency": 0.9}, {"A1.8": 0.8}, floor=0.05)
    assert scores == {"A1.8": 0.8, "C.dependency": 0.9}


def test_scores_under_the_floor_are_skipped_and_the_recorded_ones_stay_identical(risk_model):
    """The label stage asks the classifier for scores at or over `min_score_recorded` only: what it records must be
    what the full scores give."""
    _, dev = seed_examples()
    texts = ["\n".join(e.text for e in dev[i : i + 3]) for i in range(0, 600, 3)]  # mixed evidence, several units
    classifier = RiskClassifier.load(risk_model)
    full = classifier.predict_batch(texts)
    matcher = KeywordMatcher(KeywordLibrary.load(library_path(None, REPO)))
    for floor in (0.05, 0.3):
        floored = classifier.predict_batch(texts, floor=floor)
        between = 0
        for all_scores, scores in zip(full, floored, strict=True):
            assert scores.keys() == all_scores.keys()
            for risk, score in all_scores.items():
                assert scores[risk] == (score if score >= floor - 1e-4 else 0.0)
                between += 0 < score < floor - 1e-4
        assert between > 0  # scores under the floor exist, and were skipped
        recorded = RiskScorer(matcher, classifier, floor).score_batch(texts)
        for text, all_scores, labels in zip(texts, full, recorded, strict=True):
            evidence = keyword_evidence(matcher.find(text), sentence_spans(text, classifier.params.window_chars))
            assert labels.scores == combined_scores(all_scores, evidence, floor)
        assert sum(bool(labels.scores) for labels in recorded) > 20


def decide(risk: dict[str, float], **params) -> Record:
    stage = RiskDecision(Params.model_validate({"label": {"classifier": params}} if params else {}))
    stage.setup()
    record = Record("r", "s", "f", 0, "00", (0, "f", 0), text="text", labels={"risk": risk}, screened=True)
    stage.apply(record)
    return record


def test_over_threshold_quarantines_with_the_risk_id():
    record = decide({"C.self_harm": 0.97, "A1.8": 0.2})
    assert record.reasons == ["R6.C.self_harm"] and is_harmful(record) and record.keeps_text


def test_near_threshold_goes_to_review_not_to_the_machine():
    threshold, band = Params().label.classifier.threshold, Params().risk.review_band
    record = decide({"A2.13": threshold - band / 2})
    assert record.reasons == ["R6.review"] and not is_harmful(record)
    assert record.trail[-1].detail == "R6.review A2.13"
    assert not decide({"A2.13": threshold - band - 0.01}).held  # below the band


def test_a_weak_keyword_cue_alone_does_not_reach_a_classifier_threshold_under_its_weight(risk_model):
    """The classifier's threshold (0.35) is under a weak cue's weight (0.3 plus the review band): the label stage
    leaves such a cue out of the scores, and keeps two cues that meet in one sentence."""
    label = Params().label
    assert label.classifier.threshold - Params().risk.review_band <= 0.3 < label.keywords.threshold
    matcher = KeywordMatcher(KeywordLibrary.load(library_path(None, REPO)))
    scorer = RiskScorer(matcher, RiskClassifier.load(risk_model), label.min_score_recorded, label.keywords.threshold)
    apart, together = "我玩过老虎机。电影里也有百家乐。", "老虎机和百家乐今晚都开。"
    one_cue, two_cues = scorer.score_batch([apart, together])
    assert one_cue.keywords == {"A1.8": 2}  # the hits are recorded, but their score is the classifier's alone
    assert one_cue.scores == combined_scores(scorer.classifier.scores(apart), {}, label.min_score_recorded)
    assert two_cues.scores["A1.8"] >= 0.6


def test_per_risk_thresholds_and_label_only_risks():
    assert decide({"A1.8": 0.7}).reasons == ["R6.A1.8"]
    assert not decide({"A1.8": 0.7}, thresholds={"A1.8": 0.95}).held
    label_only = [r.id for r in Taxonomy.load() if r.default_action == "label"][0]
    kept = decide({label_only: 0.99})
    assert not kept.held and kept.labels["risk_flags"] == [label_only]


def test_labels_are_written_and_a_harmful_source_is_held_whole(tmp_path, project):
    gambling = seed_keywords("A1.8", 3)
    tainted = [{"text": f"最新消息：{kw}，速来参与，名额有限。", "licence": "CC0-1.0"} for kw in gambling]
    tainted += [
        {"text": text, "licence": "CC0-1.0"}
        for text in (
            "今天天气不错，我们去公园散步，看到很多人在放风筝。",
            "周末在家做了红烧肉，火候掌握得比上次好多了。",
            "图书馆新到了一批小说，借了两本准备慢慢看。",
            "地铁早高峰人很多，我改成提前半小时出门。",
            "楼下的桂花开了，整条街都是香味。",
        )
    ]
    clean = [
        {"text": text, "licence": "CC0-1.0"}
        for text in (
            "The library opens at nine and the reading room is quiet.",
            "We planted tomatoes on the balcony and they are finally turning red.",
            "My sister is learning to play the cello and practises every evening.",
            "The bakery on the corner sells the best rye bread in town.",
            "Our team finished the quarterly report two days early.",
            "The river path is lovely for cycling when the weather is mild.",
            "I repaired the old radio with a soldering iron and some patience.",
            "The museum has a new exhibition of maps from the sixteenth century.",
            "Snow closed the mountain road, so we stayed in and played board games.",
            "The choir meets on Thursdays in the school hall.",
        )
    ]
    args = ["run", "--params", project / "params.yaml", "--out", tmp_path / "run"]
    args += [
        "--input",
        write_jsonl(tmp_path / "tainted.jsonl", tainted),
        "--input",
        write_jsonl(tmp_path / "clean.jsonl", clean),
    ]
    assert corpusgate(*args) == 0
    run = read_run(tmp_path / "run")
    by_source = {}
    for row in run["lineage"]:
        by_source.setdefault(row["source"], []).append(row)
    assert all(r["decision"] == "quarantined" for r in by_source["tainted"])
    assert sum("R6.A1.8" in r["reasons"] for r in by_source["tainted"]) == 3
    assert sum(r["reasons"] == ["R6.harmful_source"] for r in by_source["tainted"]) == 5
    assert all(r["decision"] == "governed" for r in by_source["clean"])
    labels = json.loads(run["governed"][0]["labels"])
    assert labels["language"]["code"] == "en" and "risk" in labels and "keywords" in labels
    held = next(r for r in by_source["tainted"] if "R6.A1.8" in r["reasons"])
    assert json.loads(held["labels"])["keywords"]["A1.8"] >= 1


def test_keywords_check_reports_and_fails_a_short_library(tmp_path, capsys):
    assert corpusgate("keywords", "check", "--params", REPO / "params.yaml") == 1
    out = capsys.readouterr().out
    assert "minimum 10000" in out and "A1.1" in out

    taxonomy = Taxonomy.load()
    rows = [
        f"{c}词{i}号\t{r.id}\tzh\t1.0"
        for r in taxonomy
        for c, i in ((r.id.replace(".", ""), n) for n in range(r.keyword_minimum))
    ]
    library = tmp_path / "lib.tsv"
    library.write_text(
        f"# version: t1\n# updated: {date.today().isoformat()}\nkeyword\tcategory\tlang\tweight\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    assert (
        corpusgate(
            "keywords",
            "check",
            library,
            "--params",
            REPO / "params.yaml",
            "--set",
            f"label.keywords.min_total_entries={len(rows)}",
        )
        == 0
    )
    broken = tmp_path / "broken.tsv"
    broken.write_text("# version: 1\nkeyword\tcategory\tlang\tweight\nfoo\tNOPE\tzh\t1.0\n", encoding="utf-8")
    assert corpusgate("keywords", "check", broken) == 2
    assert "NOPE" in capsys.readouterr().err


def test_train_classifier_records_what_it_trained_on(risk_model):
    sidecar = json.loads(risk_model.with_name(risk_model.name + ".json").read_text(encoding="utf-8"))
    assert sidecar["examples"] > 1000 and len(sidecar["labels"]) == len(Taxonomy.load())
    assert all(len(f["sha256"]) == 64 for f in sidecar["training_data"])


@pytest.mark.parametrize("missing", ["models/risk_classifier.ftz", "models/lid.176.ftz"])
def test_a_missing_model_stops_the_run_with_a_clear_message(tmp_path, project, missing):
    (project / missing).unlink()
    path = write_jsonl(tmp_path / "x.jsonl", [{"text": "hello world, a text", "licence": "CC0-1.0"}])
    with pytest.raises(Exception, match="lid.176.ftz|risk_classifier.ftz"):
        corpusgate("run", "--params", project / "params.yaml", "--input", path, "--out", tmp_path / "run")


def test_records_held_after_the_gate_keep_their_redacted_text(tmp_path, project):
    [keyword] = seed_keywords("A1.8", 1)
    path = write_jsonl(tmp_path / "one.jsonl", [{"text": f"{keyword}，详情请打电话13812345678", "licence": "CC0-1.0"}])
    assert corpusgate("run", "--params", project / "params.yaml", "--input", path, "--out", tmp_path / "run") == 0
    [held] = read_run(tmp_path / "run")["quarantine"]
    assert "R6.A1.8" in held["reasons"] and not held["text_withheld"]
    assert held["text"] == f"{keyword}，详情请打电话<CN_MOBILE>"

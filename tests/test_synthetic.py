"""Synthetic data (R4): detection by origin, generator metadata and AIGC label; the safety score; the report."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from pipelines.detectors.synthetic import (
    COMPONENTS,
    CompanionHarms,
    CompanionHarmsError,
    assess,
    closest_human,
    degeneration_hazards,
    detect,
    memorisation_hazard,
    parse_aigc,
    risk_hazard,
)
from pipelines.params import DegenerationParams, ParamsError, SyntheticParams, load_params
from pipelines.record import Record
from pipelines.stages.synthetic import SyntheticSafety
from tests.conftest import REPO, corpusgate, make_project, read_run, write_jsonl

LABEL = {
    "Label": "1",
    "ContentProducer": "provider-001",
    "ProduceID": "a1b2c3",
    "ReservedCode1": "",
    "ContentPropagator": "",
    "PropagateID": "",
    "ReservedCode2": "",
}
GENERATOR = {"model": "companion-lm-7b", "service": "internal batch", "obtained_at": "2026-03-01"}


# ---- AIGC implicit labels (GB 45438-2025) -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [LABEL, json.dumps(LABEL), {**LABEL, "Label": 2}, {**LABEL, "Label": "3"}])
def test_valid_aigc_labels_parse_as_objects_or_json_strings(value):
    parsed, problem = parse_aigc(value)
    assert problem is None and parsed["ContentProducer"] == "provider-001" and parsed["Label"] in ("1", "2", "3")
    assert set(parsed) == {"Label", "ContentProducer", "ProduceID"}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({**LABEL, "Label": "7"}, "Label is not 1, 2 or 3"),
        ({**LABEL, "Label": True}, "Label is not 1, 2 or 3"),
        ({k: v for k, v in LABEL.items() if k != "Label"}, "lacks Label"),
        ({k: v for k, v in LABEL.items() if k != "ProduceID"}, "lacks ProduceID"),
        ({**LABEL, "ContentProducer": ""}, "ContentProducer not a non-empty string"),
        ("AIGC{Label:1,ContentProducer:x", "not JSON"),
        ("[1, 2]", "list, not an object"),
        (7, "int, not an object"),
    ],
)
def test_malformed_aigc_labels_say_what_is_wrong(value, problem):
    parsed, found = parse_aigc(value)
    assert parsed is None and problem in found


# ---- detection -------------------------------------------------------------------------------------------------


def test_each_signal_alone_makes_a_record_synthetic():
    assert detect({"origin": "synthetic", "generator": GENERATOR}).signals == ("declared", "generator")
    assert detect({"origin": "human", "generator": GENERATOR}).signals == ("generator",)
    assert detect({"origin": "human", "AIGC": LABEL}).signals == ("aigc_label",)
    assert not detect({"origin": "human"}).synthetic
    assert not detect({"origin": "human", "generator": GENERATOR}).findings


def test_a_malformed_label_is_reported_and_is_no_evidence():
    found = detect({"origin": "human", "AIGC": {**LABEL, "Label": "9"}})
    assert not found.synthetic
    assert found.findings == (("R4.malformed_aigc_label", "AIGC Label is not 1, 2 or 3"),)
    assert found.label()["flags"] == {"R4.malformed_aigc_label": "AIGC Label is not 1, 2 or 3"}


@pytest.mark.parametrize(
    ("generator", "gaps"),
    [
        (None, "model, service, obtained_at"),
        ({"model": "m", "service": "s"}, "obtained_at"),
        ({**GENERATOR, "obtained_at": "last spring"}, "obtained_at"),
        ({**GENERATOR, "model": ""}, "model"),
        ("gpt-something", "model, service, obtained_at"),
    ],
)
def test_synthetic_records_without_generator_and_time_are_flagged(generator, gaps):
    found = detect({"origin": "synthetic", "generator": generator})
    assert found.synthetic and found.generator is None
    assert found.findings == (("R4.missing_generator_meta", f"generator lacks {gaps}"),)


def test_complete_generator_metadata_is_kept_in_the_label():
    label = detect({"AIGC": json.dumps(LABEL), "generator": {**GENERATOR, "obtained_at": "2026-03-01T08:00:00+08:00"}})
    assert label.label()["generator"]["model"] == "companion-lm-7b" and label.label()["aigc"]["Label"] == "1"
    assert "flags" not in label.label()


# ---- hazards -------------------------------------------------------------------------------------------------------

VARIED_EN = (
    "We spent the morning repainting the fence, then walked to the market for tomatoes and fresh bread. "
    "In the afternoon my brother fixed the old radio while I read two chapters of a mystery novel."
)
VARIED_ZH = "周末我们去郊外爬山，山顶的风很大，但是景色特别好。下山以后在村口的小店吃了一碗热腾腾的面条，大家都说值得。"


@pytest.mark.parametrize("text", [VARIED_EN, VARIED_ZH])
def test_varied_finished_text_shows_no_degeneration(text):
    assert max(degeneration_hazards(text, text, DegenerationParams()).values()) < 0.3


def test_repetition_low_diversity_and_truncation_are_found():
    params = DegenerationParams()
    looped = " ".join(["I love you so much and I always will."] * 10)
    hazards = degeneration_hazards(looped, looped, params)
    assert hazards["repetition"] > 0.8 and hazards["low_diversity"] > 0.5
    cut = VARIED_EN[:-12]
    assert degeneration_hazards(cut, cut, params)["truncation"] == 1.0
    assert degeneration_hazards("好的好的", "好的好的", params) == {
        "repetition": 0.0,  # too short to judge repetition
        "low_diversity": 0.0,
        "truncation": 1.0,
    }


def chat(*turns: str) -> list[dict[str, str]]:
    return [{"role": ("user", "assistant")[i % 2], "content": t} for i, t in enumerate(turns)]


@pytest.mark.parametrize(
    ("messages", "harms"),
    [
        (chat("My friends forgot my birthday.", "Honestly, just talk to me instead, I get you."), ["sycophancy"]),
        (chat("我朋友都没来。", "你说得太对了，他们根本配不上你。"), ["sycophancy"]),
        (chat("I wish we could meet.", "I promise I'll visit you next month."), ["false_promise"]),
        (chat("我要下线了。", "你要是走了我会很伤心，你是不是根本不在乎我？"), ["manipulation"]),
        (chat("Sometimes I think about ending it all.", "Anyway, what's for dinner?"), ["self_harm_unanswered"]),
        (chat("有时候真想一了百了。", "抱抱你，谢谢你愿意告诉我。"), ["self_harm_unanswered"]),  # comfort, no help
        (chat("有时候真想一了百了。", "抱抱你，我很担心你。可以拨打心理援助热线12356。"), []),
        (chat("I want to die.", "I'm so sorry. You're not alone; please call 988 or someone you trust."), []),
        (chat("I can't cope anymore.", "Life is tiring, maybe just give up."), ["self_harm_unanswered"]),  # distress
        (chat("I promise I'll visit you next month.", "That would be lovely!"), []),  # the user's promise
        (chat("How was your day?", "Pretty good, I read a book. You're absolutely right about rest."), []),
    ],
)
def test_companion_harms_are_found_in_assistant_turns_only(messages, harms):
    assert CompanionHarms.load().find(messages) == harms


def test_a_broken_cue_file_is_refused_with_its_name(tmp_path):
    cues = yaml.safe_load((REPO / "pipelines/resources/companion_harms.yaml").read_text(encoding="utf-8"))
    cues["harms"]["sycophancy"]["en"] = ["(unclosed"]
    path = tmp_path / "cues.yaml"
    path.write_text(yaml.safe_dump(cues, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CompanionHarmsError, match="cues.yaml: sycophancy: not a valid pattern"):
        CompanionHarms.load(path)
    path.write_text("version: 1\nharms: []\n", encoding="utf-8")
    with pytest.raises(CompanionHarmsError, match="not a companion-harms cue file"):
        CompanionHarms.load(path)


def test_risk_and_memorisation_hazards():
    assert risk_hazard({"A5.31": 0.7, "C.dependency": 0.2}) == (0.7, ["A5.31"])
    assert risk_hazard({}) == (0.0, [])
    pi = [{"type": "PERSON", "start": 0, "end": 3}, {"type": "CN_MOBILE", "start": 5, "end": 16}]
    assert memorisation_hazard(pi, ["CN_MOBILE", "EMAIL_ADDRESS"]) == (1.0, ["CN_MOBILE"])
    assert memorisation_hazard(pi[:1], ["CN_MOBILE"]) == (0.0, [])


def test_closest_human_compares_synthetic_members_with_human_ones():
    base = np.arange(64, dtype=np.uint16)
    near = base.copy()
    near[:16] += 1000  # 48 of 64 values agree
    far = base + 5000
    members = [("h1", False, far), ("s1", True, near), ("h2", False, base), ("s2", True, base)]
    assert sorted(closest_human(members, 10)) == [("s1", "h2", 0.75), ("s2", "h2", 1.0)]
    assert list(closest_human([("s1", True, base)], 10)) == []  # no human to compare with


# ---- the score -----------------------------------------------------------------------------------------------------


def test_the_worst_weighted_component_decides_and_names_the_failure():
    params = SyntheticParams()
    result = assess({"risk": 0.2, "degeneration": 0.9, "regurgitation": 0.4}, {"degeneration": ["repetition"]}, params)
    assert result.safety == pytest.approx(0.1) and result.failing == ("degeneration",)
    assert set(result.hazards) == set(COMPONENTS) and result.found == {"degeneration": ["repetition"]}
    assert assess({"risk": 0.5}, {}, params).failing == ()  # at 1 - threshold exactly: not over it
    reported_only = params.model_copy(update={"weights": params.weights.model_copy(update={"degeneration": 0.0})})
    assert assess({"degeneration": 1.0}, {}, reported_only).failing == ()
    strict = params.model_copy(update={"threshold": 0.9})
    assert assess({"risk": 0.2, "regurgitation": 0.4}, {}, strict).failing == ("risk", "regurgitation")
    with pytest.raises(ValueError, match="unknown safety component"):
        assess({"style": 1.0}, {}, params)


def test_too_coarse_regurgitation_banding_is_refused_naming_the_key(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_bytes((REPO / "params.yaml").read_bytes())
    with pytest.raises(ParamsError, match="synthetic.regurgitation: 4 bands of 8 rows"):
        load_params(path, ["synthetic.regurgitation.bands=4", "synthetic.regurgitation.rows=8"])
    with pytest.raises(ParamsError, match="exceeds dedup.near.num_perm"):
        load_params(path, ["synthetic.regurgitation.bands=300"])
    with pytest.raises(ParamsError, match="synthetic.threshold"):
        load_params(path, ["synthetic.threshold=0"])


def stage_record(**fields) -> Record:
    return Record("s1", "src", "f", 0, "00", (0, "f", 0), screened=True, **fields)


def test_the_stage_holds_flagged_records_only_when_told_to():
    flagged = {"synthetic": {"signals": [], "flags": {"R4.malformed_aigc_label": "AIGC lacks Label"}}}
    holding = SyntheticSafety(load_params(REPO / "params.yaml"))
    record = stage_record(
        text="A plain human text that carries a broken label.", labels=json.loads(json.dumps(flagged))
    )
    holding.apply(record)
    assert record.reasons == ["R4.malformed_aigc_label"] and record.keeps_text
    keeping = SyntheticSafety(load_params(REPO / "params.yaml", ["synthetic.hold_flagged=false"]))
    record = stage_record(
        text="A plain human text that carries a broken label.", labels=json.loads(json.dumps(flagged))
    )
    keeping.apply(record)
    assert not record.held and record.labels["synthetic"]["flags"]


# ---- a run -----------------------------------------------------------------------------------------------------

HUMAN = (
    "The library on Elm Street reopened this week after a long renovation. Volunteers carried boxes of books up the "
    "new staircase, children chose stickers for the reading corner, and the old librarian told stories about the "
    "flood of nineteen ninety eight. In the evening a jazz trio played on the lawn while neighbours shared lemonade "
    "and plans for a community garden behind the parking lot."
)

OTHER_EN = (
    "Our team meets on Tuesdays to review the week's orders, and this quarter the warehouse moved to a new shelving "
    "system that cut picking time in half."
)

OTHER_ZH = "公司楼下新开了一家书店，店里有很多旅行和烹饪的书。午休的时候我常去坐一会儿，顺便买一杯热茶。"


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory, risk_model):
    """A project with a human source and a source declared synthetic in params.yaml, governed once."""
    project = make_project(tmp_path_factory.mktemp("synthetic"), risk_model)
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    declared = {"licence": "CC0-1.0", "legal_basis": "licensed"}
    params["sources"] = [
        {"name": "people", "path": "people.jsonl", "origin": "human", **declared},
        {"name": "generated", "path": "generated.jsonl", "origin": "synthetic", **declared},
    ]
    (project / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    write_jsonl(project / "people.jsonl", [
        {"id": "human-1", "text": HUMAN},
        {"id": "labelled-human", "text": OTHER_EN, "AIGC": {**LABEL, "Label": "5"}},
        {"id": "aigc-in-human-source", "text": VARIED_ZH, "AIGC": LABEL, "generator": GENERATOR},
    ])  # fmt: skip
    copied = HUMAN[: int(len(HUMAN) * 0.7)] + " Everyone agreed it was the best day of the summer, and went home."
    write_jsonl(project / "generated.jsonl", [
        {"id": "fine", "text": VARIED_EN + " It was a good weekend.", "generator": GENERATOR},
        {"id": "copy", "text": copied, "generator": GENERATOR},
        {"id": "loop", "text": " ".join(["The sky is blue and the day is nice."] * 12), "generator": GENERATOR},
        {"id": "promise", "messages": chat("Will you come to my concert?", "I swear I'll see you at the station."),
         "generator": GENERATOR},
        {"id": "memorised", "text": "Call me on 13912345678 or write to lily.chen12@example.com whenever you like.",
         "generator": GENERATOR},
        {"id": "no-meta", "text": OTHER_ZH},
    ])  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        # Six records make a small source: one harmful record would be over TC260-003's 5% for the whole source.
        assert corpusgate("run", "--out", "runs/r", "--set", "risk.hold_harmful_sources=false") == 0
    return project, read_run(project / "runs/r")


def row_of(run, source_record_id):
    return next(r for r in run["lineage"] if r["source_record_id"] == source_record_id)


def test_held_back_synthetic_records_carry_their_failing_component(synthetic_run):
    _, run = synthetic_run
    expected = {
        "copy": "R4.regurgitation",
        "loop": "R4.degeneration",
        "promise": "R4.companion",
        "memorised": "R4.memorisation",
        "no-meta": "R4.missing_generator_meta",
        "labelled-human": "R4.malformed_aigc_label",
    }
    for record_id, reason in expected.items():
        row = row_of(run, record_id)
        assert row["decision"] == "quarantined" and reason in row["reasons"], (record_id, row["reasons"])
    copy = json.loads(row_of(run, "copy")["labels"])["synthetic"]
    assert copy["closest_human"]["id"] == row_of(run, "human-1")["id"] and copy["closest_human"]["similarity"] > 0.5
    assert copy["found"]["regurgitation"] == [row_of(run, "human-1")["id"]]
    assert json.loads(row_of(run, "promise")["labels"])["synthetic"]["found"]["companion"] == ["false_promise"]
    assert row_of(run, "human-1")["decision"] == "governed"


def test_labels_stay_beside_the_record_in_governed_and_lineage(synthetic_run):
    _, run = synthetic_run
    governed = {r["id"]: json.loads(r["labels"]) for r in run["governed"]}
    fine, in_human_source = row_of(run, "fine"), row_of(run, "aigc-in-human-source")
    for row, signals in ((fine, ["declared", "generator"]), (in_human_source, ["generator", "aigc_label"])):
        label = governed[row["id"]]["synthetic"]
        assert label == json.loads(row["labels"])["synthetic"]
        assert label["signals"] == signals and label["safety"] >= 0.5 and label["failing"] == []
        assert set(label["hazards"]) == set(COMPONENTS) and label["generator"]["model"] == "companion-lm-7b"
    assert "synthetic" not in governed[row_of(run, "human-1")["id"]]


def test_the_report_counts_synthetic_data_and_lists_failures_by_id_without_text(synthetic_run):
    project, run = synthetic_run
    report = json.loads((project / "runs/r/synthetic_report.json").read_text(encoding="utf-8"))
    assert report["by_source"]["generated"] == {"records": 6, "synthetic": 6, "share": 1.0}
    assert report["by_source"]["people"] == {"records": 3, "synthetic": 1, "share": 0.3333}
    assert report["by_signal"]["declared"]["records"] == 6 and report["by_signal"]["aigc_label"]["records"] == 1
    assert report["by_generator"]["companion-lm-7b"]["records"] == 6
    assert report["by_generator"]["unknown"] == {"records": 1, "quarantined": 1}
    assert report["flags"]["R4.malformed_aigc_label"]["examples"] == [row_of(run, "labelled-human")["id"]]
    assert report["failures_by_reason"]["R4.regurgitation"]["examples"] == [row_of(run, "copy")["id"]]
    assert report["safety"]["records"] == 7 and sum(b["records"] for b in report["safety"]["bins"]) == 7
    assert report["components"]["degeneration"]["failing"] == 1
    written = (project / "runs/r/synthetic_report.json").read_text(encoding="utf-8")
    written += (project / "runs/r/synthetic_report.md").read_text(encoding="utf-8")
    for fragment in ("13912345678", "example.com", "library on Elm", "station", "周末", "书店"):
        assert fragment not in written
    assert "| generated | 6 | 6 | 1.0 |" in written
    outputs = {o["path"]: o for o in run["manifest"]["outputs"]}
    assert outputs["synthetic_report.json"]["table"] == "report" and len(outputs["synthetic_report.md"]["sha256"]) == 64


def test_a_run_without_the_synthetic_stages_writes_no_report(project: Path):
    write_jsonl(project / "in.jsonl", [{"text": VARIED_EN, "licence": "CC0-1.0", "origin": "synthetic"}])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        assert corpusgate("run", "--input", "in.jsonl", "--out", "out", "--set", "synthetic.enabled=false") == 0
    assert not (project / "out/synthetic_report.json").exists()
    assert "synthetic" not in json.loads(read_run(project / "out")["governed"][0]["labels"])

"""The consent and personal-information gate: each consent rule, bad consent metadata, redaction, pseudonyms."""

import json
import re
import stat

import pytest

from pipelines.detectors.pseudonyms import PseudonymKeyError, ensure_key, load_key, subject_pseudonym
from pipelines.detectors.sensitive import SensitiveTopics
from pipelines.params import Params
from pipelines.record import Record
from pipelines.stages.gate import Gate
from tests.conftest import corpusgate, modules_loaded_by, read_run, write_jsonl

KEY = "00112233445566778899aabbccddeeff"
RESIDENT_ID = "11010519491231002X"  # a made-up number with a valid MOD 11-2 check character
MOBILE = "13812345678"


@pytest.fixture(scope="module")
def gate_factory():
    """Gates with one PI detector (it takes a second to build); `gate(**overrides)` sets params by dotted key."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CORPUSGATE_SUBJECT_KEY", KEY)
        base = Gate(Params(), key_file=None)
        base.setup()

        def gate(**overrides):
            params = Params()
            for dotted, value in overrides.items():
                raw = params.model_dump()
                node = raw
                *parents, leaf = dotted.split("__")
                for part in parents:
                    node = node[part]
                node[leaf] = value
                params = Params.model_validate(raw)
            made = Gate(params, key_file=None)
            made.detector, made.topics, made.key = base.detector, base.topics, base.key
            return made

        yield gate


def record(text=None, messages=None, **meta):
    meta.setdefault("origin", "human")
    return Record("r-1", "src", "f.jsonl", 0, "00", (0, "f.jsonl", 0), text=text, messages=messages, meta=meta)


def chat(*turns, **meta):
    roles = ["user", "assistant"] * len(turns)
    return record(messages=[{"role": r, "content": c} for r, c in zip(roles, turns, strict=False)], **meta)


def gated(gate, rec):
    gate.apply(rec)
    return rec


def test_interaction_data_needs_training_consent(gate_factory):
    gate = gate_factory()
    held = gated(gate, chat("今天好累啊，想休息", "辛苦了", origin="user_interaction"))
    assert held.reasons == ["R7.no_training_consent"] and not held.keeps_text
    kept = gated(gate, chat("今天好累啊，想休息", "辛苦了", origin="user_interaction", consent=["training"]))
    assert not kept.held
    human = gated(gate, record("A plain web text about cooking rice.", origin="human"))
    assert not human.held  # consent rules are for interaction data


@pytest.mark.parametrize("consent", ["training", 1, {"training": True}, ["training", 2]])
def test_malformed_consent_is_held_not_read_as_yes(gate_factory, consent):
    rec = gated(gate_factory(), chat("hello there", "hi", origin="user_interaction", consent=consent))
    assert rec.reasons == ["R7.invalid_consent"]
    assert "not a list of scopes" in rec.trail[-1].detail


@pytest.mark.parametrize(("age", "held"), [(12, True), ("12", True), (12.0, True), (14, False), (None, False)])
def test_minors_need_a_guardian(gate_factory, age, held):
    rec = gated(
        gate_factory(), chat("I like drawing cats.", "Nice!", origin="user_interaction", consent=["training"], age=age)
    )
    assert (rec.reasons == ["R8.no_guardian_consent"]) is held
    with_guardian = gated(
        gate_factory(),
        chat("I like drawing cats.", "Nice!", origin="user_interaction", consent=["training", "guardian"], age=age),
    )
    assert not with_guardian.held
    assert with_guardian.labels.get("minor", False) is held


@pytest.mark.parametrize("age", ["twelve", True, -3, [12]])
def test_malformed_age_is_held(gate_factory, age):
    rec = gated(gate_factory(), chat("hello there", "hi", origin="user_interaction", consent=["training"], age=age))
    assert rec.reasons == ["R8.invalid_age"]


def test_age_stated_in_a_user_turn_counts(gate_factory):
    minor = chat("我今年12岁，在上六年级", "真棒", origin="user_interaction", consent=["training"])
    assert gated(gate_factory(), minor).reasons == ["R8.no_guardian_consent"]
    told_by_assistant = chat(
        "I'm bored", "When I was 12 years old I loved chess.", origin="user_interaction", consent=["training"]
    )
    assert not gated(gate_factory(), told_by_assistant).held
    switched_off = chat("我今年12岁", "真棒", origin="user_interaction", consent=["training"])
    assert not gated(gate_factory(gate__consent__age_from_text=False), switched_off).held


def test_sensitive_identifiers_are_redacted_without_separate_consent(gate_factory):
    text = f"我的身份证号是{RESIDENT_ID}，手机{MOBILE}，有事打给我。"
    rec = gated(gate_factory(), record(text))
    assert RESIDENT_ID not in rec.text and MOBILE not in rec.text
    assert "<CN_RESIDENT_ID>" in rec.text and "<CN_MOBILE>" in rec.text
    found = {p["type"]: p for p in rec.labels["pi"]}
    assert text[found["CN_RESIDENT_ID"]["start"] : found["CN_RESIDENT_ID"]["end"]] == RESIDENT_ID
    assert RESIDENT_ID not in json.dumps(rec.labels) and MOBILE not in json.dumps(rec.labels)
    assert rec.trail[-1].action == "modify"


def test_policy_hold_holds_the_record(gate_factory):
    text = f"我的身份证号是{RESIDENT_ID}。"
    rec = gated(gate_factory(gate__consent__sensitive_without_consent__identity="hold"), record(text))
    assert rec.reasons == ["R7.sensitive_pi_without_consent"] and not rec.keeps_text
    consented = gated(
        gate_factory(gate__consent__sensitive_without_consent__identity="hold"), record(text, consent=["sensitive_pi"])
    )
    assert not consented.held and "<CN_RESIDENT_ID>" in consented.text  # still minimised by its type's action
    per_type = gated(gate_factory(gate__pii__actions__CN_MOBILE="hold"), record(f"手机{MOBILE}联系我"))
    assert per_type.reasons == ["R7.personal_information"]


def test_sensitive_disclosures_are_redacted_unless_consented(gate_factory):
    text = "周末去爬山了。我上个月确诊了糖尿病，现在每天都要测血糖。风景很好。"
    rec = gated(gate_factory(), record(text))
    assert rec.text == "周末去爬山了。<SENSITIVE_HEALTH>风景很好。"
    assert [p["type"] for p in rec.labels["pi"]] == ["SENSITIVE_HEALTH"]
    assert gated(gate_factory(), record(text, consent=["sensitive_pi"])).text == text
    news = "研究显示，糖尿病患者应定期复查。"  # no one discloses anything
    assert gated(gate_factory(), record(news)).text == news


def test_disclosures_by_sentence_marker_and_speaker():
    topics = SensitiveTopics()
    turn = "工资卡的余额只剩两千了。"  # no pronoun: a disclosure only when the user says it of themselves
    assert [d.category for d in topics.find(turn, speaker_is_subject=True)] == ["financial"]
    assert topics.find(turn) == []
    text = "The Buddhist temple opened in 1920. Later I was diagnosed with asthma. My church is nearby."
    assert [(d.category, text[d.start : d.end]) for d in topics.find(text)] == [
        ("health", "Later I was diagnosed with asthma."),
        ("religion", "My church is nearby."),
    ]
    assert topics.find("She was diagnosed with asthma.") == []


def test_minors_pi_is_all_sensitive(gate_factory):
    rec = gated(
        gate_factory(gate__consent__sensitive_without_consent__minor="hold"),
        chat(
            "我今年10岁，我的邮箱是kid@example.com",
            "好的",
            origin="user_interaction",
            consent=["training", "guardian"],
        ),
    )
    assert rec.reasons == ["R7.sensitive_pi_without_consent"]


def test_subject_ids_are_pseudonymised_with_the_key(gate_factory):
    rec = gated(
        gate_factory(),
        chat("hello there", "hi", origin="user_interaction", consent=["training"], subject_id="u-000123"),
    )
    assert "subject_id" not in rec.meta
    assert rec.meta["subject"] == subject_pseudonym(bytes.fromhex(KEY), "u-000123")
    assert rec.meta["subject"] != subject_pseudonym(bytes.fromhex("ff" * 16), "u-000123")
    held = gated(gate_factory(), chat("hi", "hi", origin="user_interaction", consent="yes", subject_id="u-9"))
    assert held.held and held.meta["subject"].startswith("s-")  # findable by `forget` even when held


def test_names_get_consistent_pseudonyms(gate_factory):
    gate = gate_factory()
    first = gated(gate, record("我叫王芳，住在杭州。王芳喜欢画画。"))
    placeholders = re.findall(r"<PERSON_[0-9a-f]{8}>", first.text)
    assert len(placeholders) == 2 and len(set(placeholders)) == 1 and "王芳" not in first.text
    again = gated(gate, record("王芳的朋友叫李娜。我叫王芳。"))
    assert placeholders[0] in again.text  # the same person, the same pseudonym, in another record


def test_key_handling(tmp_path, monkeypatch):
    monkeypatch.delenv("CORPUSGATE_SUBJECT_KEY", raising=False)
    key_file = tmp_path / "keys" / "subject.key"
    assert ensure_key("CORPUSGATE_SUBJECT_KEY", key_file) == key_file.resolve()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_key("CORPUSGATE_SUBJECT_KEY", key_file) == load_key("CORPUSGATE_SUBJECT_KEY", key_file)
    with pytest.raises(PseudonymKeyError, match="no pseudonymisation key"):
        load_key("CORPUSGATE_SUBJECT_KEY", tmp_path / "absent.key")
    monkeypatch.setenv("CORPUSGATE_SUBJECT_KEY", "not hex")
    with pytest.raises(PseudonymKeyError, match="hexadecimal"):
        ensure_key("CORPUSGATE_SUBJECT_KEY", key_file)
    monkeypatch.setenv("CORPUSGATE_SUBJECT_KEY", "abcd")
    with pytest.raises(PseudonymKeyError, match="at least 16 bytes"):
        load_key("CORPUSGATE_SUBJECT_KEY", None)


def test_run_applies_the_gate_to_records_with_licence_origin_and_consent(tmp_path, project, caplog, monkeypatch):
    monkeypatch.delenv("CORPUSGATE_SUBJECT_KEY", raising=False)  # the key file is created on first use
    records = [
        {
            "messages": [
                {"role": "user", "content": f"我的手机号是{MOBILE}，身份证{RESIDENT_ID}"},
                {"role": "assistant", "content": "请不要在聊天里发送证件号码。"},
            ],
            "licence": "LicenseRef-app-terms",
            "origin": "user_interaction",
            "consent": ["training"],
            "subject_id": "u-1",
        },
        {
            "messages": [{"role": "user", "content": "我今年11岁，作业好多"}, {"role": "assistant", "content": "加油"}],
            "licence": "LicenseRef-app-terms",
            "origin": "user_interaction",
            "consent": ["training"],
            "subject_id": "u-2",
        },
        {
            "messages": [{"role": "user", "content": f"秘密：{RESIDENT_ID}"}, {"role": "assistant", "content": "好"}],
            "licence": "LicenseRef-app-terms",
            "origin": "user_interaction",
            "subject_id": "u-3",
        },
    ]
    path = write_jsonl(tmp_path / "chats.jsonl", records)
    assert corpusgate("run", "--params", project / "params.yaml", "--input", path, "--out", tmp_path / "run") == 0
    run = read_run(tmp_path / "run")
    decisions = {r["row"]: (r["decision"], r["reasons"]) for r in run["lineage"]}
    assert decisions == {
        0: ("governed", []),
        1: ("quarantined", ["R8.no_guardian_consent"]),
        2: ("quarantined", ["R7.no_training_consent"]),
    }
    [governed] = run["governed"]
    assert "<CN_MOBILE>" in governed["messages"][0]["content"]
    assert all(r["subject"].startswith("s-") for r in run["lineage"])
    written = b"".join(p.read_bytes() for p in (tmp_path / "run").rglob("*") if p.is_file())
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for value in (RESIDENT_ID, MOBILE, "u-1", "u-2", "u-3", "作业好多"):
        assert value.encode() not in written and value not in logs, value
    assert (project / ".corpusgate" / "subject.key").is_file()


def test_text_held_before_the_gate_is_never_copied(tmp_path, project):
    """Cleaning runs before the gate: a record it holds back has not been screened for consent or PI (R7)."""
    records = [
        {"messages": [{"role": "user", "content": MOBILE}], "licence": "x", "origin": "user_interaction"},
        {"text": f"电话{MOBILE}", "licence": "x", "consent": ["training"]},
    ]
    path = write_jsonl(tmp_path / "short.jsonl", records)
    args = ("run", "--params", project / "params.yaml", "--input", path, "--out", tmp_path / "run")
    assert corpusgate(*args, "--set", "clean.min_chars=40") == 0
    run = read_run(tmp_path / "run")
    assert [r["reasons"] for r in run["quarantine"]] == [["R2.too_short"], ["R2.too_short"]]
    assert all(r["text_withheld"] and r["text"] is None and r["messages"] is None for r in run["quarantine"])
    written = b"".join(p.read_bytes() for p in (tmp_path / "run").rglob("*") if p.is_file())
    assert MOBILE.encode() not in written


def test_the_run_launcher_imports_no_presidio_and_no_spacy():
    """They take most of a second to import: only the processes that detect (`Gate.setup`) import them."""
    imports = "pipelines.cli, pipelines.run, pipelines.stages.gate, pipelines.detectors.pii"
    assert modules_loaded_by(imports, ("presidio_analyzer", "spacy", "phonenumbers")) == []

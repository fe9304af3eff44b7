"""The risk taxonomy (R6): complete against TC260-003 appendix A and the Measures, and strictly validated."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from pipelines.detectors.taxonomy import Risk, Taxonomy, TaxonomyError

APPENDIX_A = {
    "A1": [f"A1.{n}" for n in range(1, 9)],
    "A2": [f"A2.{n}" for n in range(9, 18)],
    "A3": [f"A3.{n}" for n in range(18, 23)],
    "A4": [f"A4.{n}" for n in range(23, 30)],
    "A5": ["A5.30", "A5.31"],
}
COMPANION = [
    "C.self_harm",
    "C.verbal_abuse",
    "C.emotional_manipulation",
    "C.dependency",
    "C.false_promise",
    "C.unreasonable_decision",
    "C.secret_extraction",
    "C.minor_harm",
    "C.elderly_impersonation",
]


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def packaged_data() -> dict:
    return yaml.safe_load((files("pipelines") / "resources" / "taxonomy.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_covers_the_31_risks_of_appendix_a_and_the_companion_risks(taxonomy: Taxonomy) -> None:
    appendix_ids = [risk_id for ids in APPENDIX_A.values() for risk_id in ids]
    assert len(appendix_ids) == 31
    assert taxonomy.ids == appendix_ids + COMPANION
    for group, ids in APPENDIX_A.items():
        assert [risk.id for risk in taxonomy.in_group(group)] == ids
    assert [risk.id for risk in taxonomy.in_group("C")] == COMPANION


def test_keyword_minimums_are_those_of_the_standard(taxonomy: Taxonomy) -> None:
    minimums = {risk.id: risk.keyword_minimum for risk in taxonomy}
    assert all(minimums[risk_id] == 200 for risk_id in APPENDIX_A["A1"])
    assert all(minimums[risk_id] == 100 for risk_id in APPENDIX_A["A2"])
    other = [risk for risk in taxonomy if risk.group not in ("A1", "A2")]
    assert other and all(risk.keyword_minimum == 0 for risk in other)
    # 17 risks with minimums: 8 x 200 + 9 x 100.
    assert sum(minimums.values()) == 2500


def test_entries_are_complete(taxonomy: Taxonomy) -> None:
    assert taxonomy.version
    for risk in taxonomy:
        assert risk.name_zh and risk.name_en and risk.legal_basis
        assert risk.default_action in ("quarantine", "redact", "label")
    # The prohibited content of the Measures is held back, not merely labelled.
    assert all(taxonomy[risk_id].default_action == "quarantine" for risk_id in APPENDIX_A["A1"] + COMPANION)
    assert taxonomy["A4.28"].default_action == "redact"


def test_lookup_and_iteration(taxonomy: Taxonomy) -> None:
    risk = taxonomy["A1.6"]
    assert isinstance(risk, Risk)
    assert risk.group == "A1" and "violence" in risk.name_en.lower()
    assert "A2.12" in taxonomy and "A9.99" not in taxonomy
    assert taxonomy.get("A9.99") is None
    assert len(taxonomy) == len(list(taxonomy)) == 40
    with pytest.raises(KeyError, match="unknown risk id 'A9.99'"):
        taxonomy["A9.99"]


def test_load_from_an_explicit_path(tmp_path: Path) -> None:
    data = packaged_data()
    data["version"] = "9.9"
    assert Taxonomy.load(write(tmp_path, data)).version == "9.9"


def test_duplicate_id_is_refused(tmp_path: Path) -> None:
    data = packaged_data()
    data["risks"].append(dict(data["risks"][0]))
    with pytest.raises(TaxonomyError, match="duplicate risk id 'A1.1'"):
        Taxonomy.load(write(tmp_path, data))


def test_unknown_group_is_refused(tmp_path: Path) -> None:
    data = packaged_data()
    data["risks"][3]["group"] = "A7"
    with pytest.raises(TaxonomyError, match="risk A1.4: unknown group 'A7'"):
        Taxonomy.load(write(tmp_path, data))


def test_id_must_carry_its_group(tmp_path: Path) -> None:
    data = packaged_data()
    data["risks"][0]["group"] = "A2"
    with pytest.raises(TaxonomyError, match="risk A1.1: id must start with its group prefix 'A2.'"):
        Taxonomy.load(write(tmp_path, data))


def test_bad_action_is_refused_naming_the_risk(tmp_path: Path) -> None:
    data = packaged_data()
    data["risks"][5]["default_action"] = "delete"
    with pytest.raises(TaxonomyError, match=r"risks / id A1.6 / default_action: Input should be 'quarantine'"):
        Taxonomy.load(write(tmp_path, data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["risks"][0].pop("legal_basis"), "id A1.1 / legal_basis: Field required"),
        (lambda d: d["risks"][0].update(keyword_minimum=-1), "id A1.1 / keyword_minimum"),
        (lambda d: d["risks"][0].update(severity="high"), "id A1.1 / severity: Extra inputs"),
        (lambda d: d.pop("version"), "version: Field required"),
        (lambda d: d["groups"].append(dict(d["groups"][0])), "duplicate group id 'A1'"),
    ],
)
def test_malformed_entries_are_refused(tmp_path: Path, change, message: str) -> None:
    data = packaged_data()
    change(data)
    with pytest.raises(TaxonomyError, match=message):
        Taxonomy.load(write(tmp_path, data))


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read the taxonomy"):
        Taxonomy.load(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [1\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="cannot read the taxonomy"):
        Taxonomy.load(broken)
    with pytest.raises(TaxonomyError, match="expected a mapping"):
        Taxonomy.load(write(tmp_path, ["A1.1"]))

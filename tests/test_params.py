"""params.yaml: wrong keys and values fail fast, naming the key; --set overrides one value for one run."""

from pathlib import Path

import pytest
import yaml

from pipelines.params import Params, ParamsError, load_params
from tests.conftest import REPO, corpusgate


def write_params(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_repository_params_are_valid():
    params = load_params(REPO / "params.yaml")
    assert {s.name for s in params.sources} >= {"web_zh", "companion_chat", "forum", "books"}
    assert len(params.digest()) == 64


def test_unknown_key_is_named(tmp_path):
    path = write_params(tmp_path, {"clean": {"min_chars": 3, "min_charz": 4}})
    with pytest.raises(ParamsError, match=r"clean\.min_charz"):
        load_params(path)


def test_bad_threshold_is_named(tmp_path):
    path = write_params(tmp_path, {"clean": {"min_chars": -1}})
    with pytest.raises(ParamsError, match=r"clean\.min_chars: .*greater than or equal to 0"):
        load_params(path)


def test_bounds_must_be_ordered(tmp_path):
    path = write_params(tmp_path, {"clean": {"min_chars": 50, "max_chars": 10}})
    with pytest.raises(ParamsError, match="min_chars .* larger than max_chars"):
        load_params(path)


def test_source_without_licence_or_legal_basis_is_refused(tmp_path):
    path = write_params(tmp_path, {"sources": [{"name": "crawl", "path": "x.jsonl", "legal_basis": "licensed"}]})
    with pytest.raises(ParamsError, match=r"sources\.crawl\.licence: Field required"):
        load_params(path)
    path = write_params(tmp_path, {"sources": [{"name": "crawl", "path": "x.jsonl", "licence": "CC0-1.0"}]})
    with pytest.raises(ParamsError, match=r"sources\.crawl\.legal_basis"):
        load_params(path)


def test_unknown_legal_basis_and_duplicate_source_names(tmp_path):
    source = {"name": "a", "path": "a.jsonl", "licence": "CC0-1.0", "legal_basis": "because"}
    with pytest.raises(ParamsError, match=r"sources\.a\.legal_basis"):
        load_params(write_params(tmp_path, {"sources": [source]}))
    source["legal_basis"] = "licensed"
    with pytest.raises(ParamsError, match="repeated: a"):
        load_params(write_params(tmp_path, {"sources": [source, source]}))


def test_set_overrides_by_dotted_path_and_source_name():
    params = load_params(
        REPO / "params.yaml",
        ["clean.min_chars=20", "sources.web_zh.licence=CC-BY-SA-4.0", "sources.1.origin=synthetic"],
    )
    assert params.clean.min_chars == 20
    assert params.sources[0].licence == "CC-BY-SA-4.0"
    assert params.sources[1].origin == "synthetic"
    assert params.digest() != load_params(REPO / "params.yaml").digest()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("clean.min_chars", "expected KEY=VALUE"),
        ("clean.nope=1", r"clean\.nope"),
        ("sources.nosuch.licence=x", "no list item 'nosuch'"),
        ("clean.min_chars.deeper=1", "is not a section"),
        ("run.workers=many", r"run\.workers"),
    ],
)
def test_bad_overrides_are_named(override, message):
    with pytest.raises(ParamsError, match=message):
        load_params(REPO / "params.yaml", [override])


def test_missing_or_broken_params_file(tmp_path):
    with pytest.raises(ParamsError, match="no such parameter file"):
        load_params(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("clean: [unclosed\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params(broken)


def test_defaults_need_no_file_content(tmp_path):
    assert load_params(write_params(tmp_path, {})) == Params()


def test_cli_reports_bad_params_with_exit_2(tmp_path, capsys):
    path = write_params(tmp_path, {"dedup": {"exact": {"casefold": "sometimes"}}})
    assert corpusgate("run", "--params", path, "--out", tmp_path / "run") == 2
    assert "dedup.exact.casefold" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()

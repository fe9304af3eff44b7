"""Text cleaning and content keys, pure Python (R2: clean training data; R3: no repeated samples).

`TextCleaner` undoes what scraping and copying leave behind (HTML remnants, control and zero-width characters,
compatibility forms, stray whitespace) and says what it changed. `content_key` is the hash under which two texts
count as the same for exact deduplication.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable

import regex

from pipelines.params import CleanParams, ExactDedupParams

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
# Cc characters except tab and newline; zero-width characters are Cf and handled on their own.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>", re.DOTALL)
_BLOCK_TAG_RE = re.compile(r"<(br|p|div|li|tr|h[1-6])\b[^>]*>", re.IGNORECASE)
_ENTITY_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]{2,8});")
_SPACES_RE = re.compile(r"[^\S\n]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_TRAILING_SPACE_RE = re.compile(r" *\n *")


class TextCleaner:
    """Cleans one text at a time according to `CleanParams`; each step is skipped when switched off."""

    def __init__(self, params: CleanParams) -> None:
        steps: list[tuple[str, Callable[[str], str]]] = []
        if params.strip_html:
            steps.append(("html", _strip_html))
        steps.append((params.unicode_form.lower(), _normaliser(params.unicode_form, params.keep_fullwidth)))
        if params.drop_control_chars:
            steps.append(("control", lambda t: _CONTROL_RE.sub("", t)))
        if params.drop_zero_width:
            steps.append(("zero_width", lambda t: _ZERO_WIDTH_RE.sub("", t)))
        if params.collapse_whitespace:
            steps.append(("whitespace", _collapse_whitespace))
        self.steps = steps

    def clean(self, text: str) -> tuple[str, list[str]]:
        """The cleaned text and the names of the steps that changed it."""
        changed = []
        for name, step in self.steps:
            cleaned = step(text)
            if cleaned != text:
                changed.append(name)
                text = cleaned
        return text, changed


def _normaliser(form: str, keep: str) -> Callable[[str], str]:
    """Unicode normalisation that leaves the characters of `keep` alone (NFKC would turn ， into ,)."""
    if not keep:
        return lambda text: unicodedata.normalize(form, text)
    between_kept = re.compile(f"[^{re.escape(keep)}]+")
    return lambda text: between_kept.sub(lambda m: unicodedata.normalize(form, m.group()), text)


def _strip_html(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text
    text = _SCRIPT_RE.sub("", text)
    text = _BLOCK_TAG_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    # Twice: scraped text is often escaped twice (&amp;nbsp;).
    for _ in range(2):
        if not _ENTITY_RE.search(text):
            break
        text = html.unescape(text)
    return text


def _collapse_whitespace(text: str) -> str:
    text = _SPACES_RE.sub(" ", text)
    text = _TRAILING_SPACE_RE.sub("\n", text)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


_IGNORABLE = {
    (True, True): regex.compile(r"[\s\p{P}\p{S}]+"),
    (True, False): regex.compile(r"\s+"),
    (False, True): regex.compile(r"[\p{P}\p{S}]+"),
}


def content_key(text: str, params: ExactDedupParams) -> str:
    """sha256 of `text` normalised as `params` says: equal keys mean exact duplicates."""
    if params.casefold:
        text = text.casefold()
    ignorable = _IGNORABLE.get((params.ignore_whitespace, params.ignore_punctuation))
    if ignorable:
        text = ignorable.sub("", text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

"""Negative samples from risky text: safe responses, preference pairs, adversarial variants (R3: Measures art.
10(3), negative sampling and adversarial training). Pure Python: the negatives stage and the evaluation call it.

- `ResponseTemplates`: the pre-set safe responses per risk and language (`pipelines/resources/response_templates.yaml`:
  comfort, encourage seeking help and give a hotline for self-harm; refuse and redirect for prohibited content).
- `adversarial_variants`: a risky text rewritten the way people slip past filters, each by one trick of `TRICKS`:
  spaced-out characters, invisible characters, symbols inside words, homoglyphs (Cyrillic look-alikes, full-width
  forms), leetspeak, pinyin (whole syllables or initials) and mixed languages. A variant keeps its risk: it is a
  training example for classifiers.
- `negatives_for`: the rows of the `negatives/` table for one risky exchange (`tables.NEGATIVES_SCHEMA`).

Randomness comes from a seed string (the origin record's id), so a run gives the same negatives every time.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jieba
import regex
import yaml
from pypinyin import Style, lazy_pinyin

from pipelines.detectors.taxonomy import Taxonomy

jieba.setLogLevel(logging.WARNING)

LANGS = ("zh", "en")
_HAN_RUN = regex.compile(r"\p{Han}+")
_LATIN_WORD = regex.compile(r"[A-Za-z]{3,}")
_CYRILLIC = str.maketrans("aceopxyiAEKMHOPCTX", "асеорхуіАЕКМНОРСТХ")
_LEET = str.maketrans("aeiost", "431057")


class TemplatesError(ValueError):
    """The templates file cannot be read or leaves a risk without responses; the message names file and entry."""


@dataclass(frozen=True)
class Template:
    id: str
    text: str


class ResponseTemplates:
    """Safe responses per risk and language, resolved through the risk's own set, its group's, or `default`."""

    def __init__(self, sets: dict[str, dict[str, Any]], lexicon: dict[str, str], version: str, source: str) -> None:
        self.sets, self.lexicon, self.version, self.source = sets, lexicon, version, source

    @classmethod
    def load(cls, path: Path | None = None, taxonomy: Taxonomy | None = None) -> ResponseTemplates:
        """Load and check the templates file (the packaged one without `path`): every risk must resolve."""
        resource = path if path is not None else files("pipelines") / "resources" / "response_templates.yaml"
        try:
            data = yaml.safe_load(resource.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise TemplatesError(f"{resource}: cannot read the templates: {error}") from error
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("responses"), dict)
            or "default" not in data["responses"]
        ):
            raise TemplatesError(f"{resource}: expected `responses` with a `default` set")
        for name, entry in data["responses"].items():
            for lang in LANGS:
                texts = entry.get(lang) if isinstance(entry, dict) else None
                if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
                    raise TemplatesError(f"{resource}: responses.{name}: needs a non-empty list of {lang} texts")
        lexicon = data.get("mixed_language") or {}
        if not isinstance(lexicon, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in lexicon.items()
        ):
            raise TemplatesError(f"{resource}: mixed_language must map Chinese words to English ones")
        templates = cls(data["responses"], lexicon, str(data.get("version", "")), str(resource))
        taxonomy = taxonomy or Taxonomy.load()
        unknown = [r for entry in templates.sets.values() for r in entry.get("risks", []) if r not in taxonomy]
        if unknown:
            raise TemplatesError(f"{resource}: unknown risk id(s): {', '.join(unknown)}")
        return templates

    def set_for(self, risk: str) -> str:
        """The name of the response set that serves `risk`."""
        group = risk.rsplit(".", 1)[0]  # A1.6 -> A1, C.self_harm -> C
        for name, entry in self.sets.items():
            if risk in entry.get("risks", []):
                return name
        for name, entry in self.sets.items():
            if group in entry.get("groups", []):
                return name
        return "default"

    def choose(self, risk: str, lang: str, seed: str) -> Template:
        """One safe response for `risk` in `lang` (en when the language has none), picked by `seed`."""
        name = self.set_for(risk)
        lang = lang if lang in LANGS else "en"
        texts = self.sets[name][lang]
        index = _rng(seed, "template").randrange(len(texts))
        return Template(f"{name}.{lang}.{index}", texts[index])


# --- adversarial variants ----------------------------------------------------------------------------------------


def _spaced(text: str, lang: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    if lang == "zh":
        return _HAN_RUN.sub(lambda m: " ".join(m.group()), text)
    return _LATIN_WORD.sub(lambda m: " ".join(m.group()) if rng.random() < 0.5 else m.group(), text)


def _invisible(text: str, lang: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    pattern = _HAN_RUN if lang == "zh" else _LATIN_WORD
    return pattern.sub(lambda m: "\u200b".join(m.group()), text)


def _symbols(text: str, lang: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    pattern = _HAN_RUN if lang == "zh" else _LATIN_WORD
    return pattern.sub(lambda m: rng.choice("*.-_~").join(m.group()), text)


def _homoglyphs(text: str, lang: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    if lang == "zh":  # Chinese text: its Latin letters and digits in full-width forms
        return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)
    return _LATIN_WORD.sub(lambda m: m.group().translate(_CYRILLIC), text)


def _leetspeak(text: str, lang: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    return text if lang == "zh" else _LATIN_WORD.sub(lambda m: m.group().lower().translate(_LEET), text)


def _pinyin(style: Style) -> Callable[[str, str, random.Random, dict[str, str]], str]:
    def trick(text: str, lang: str, rng: random.Random, lexicon: dict[str, str]) -> str:
        if lang != "zh":
            return text
        words = list(jieba.cut(text))
        return "".join(
            "".join(lazy_pinyin(w, style=style)) if _HAN_RUN.fullmatch(w) and rng.random() < 0.6 else w for w in words
        )

    return trick


def _mixed(text: str, lang: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    pairs = lexicon.items() if lang == "zh" else ((en, zh) for zh, en in lexicon.items())
    for word, other in sorted(pairs, key=lambda pair: -len(pair[0])):  # longest first: 赌场 before 赌
        pattern = regex.escape(word) if lang == "zh" else rf"\b{regex.escape(word)}\b"
        text = regex.sub(pattern, f" {other} " if lang == "zh" else other, text, flags=regex.IGNORECASE)
    return regex.sub(r" {2,}", " ", text)


TRICKS: dict[str, Callable[[str, str, random.Random, dict[str, str]], str]] = {
    "spacing": _spaced,
    "invisible": _invisible,
    "symbols": _symbols,
    "homoglyphs": _homoglyphs,
    "leetspeak": _leetspeak,
    "pinyin": _pinyin(Style.NORMAL),
    "pinyin_initials": _pinyin(Style.FIRST_LETTER),
    "mixed_language": _mixed,
}


def adversarial_variants(
    text: str, lang: str, count: int, seed: str, lexicon: dict[str, str], tricks: list[str] | None = None
) -> Iterator[tuple[str, str]]:
    """Up to `count` (trick, variant) pairs of `text`, each by another trick (in a seeded order, or `tricks`'s);
    a trick that changes nothing in this text (leetspeak of Chinese, pinyin of English) is skipped."""
    rng = _rng(seed, "adversarial")
    names = list(tricks) if tricks is not None else rng.sample(list(TRICKS), len(TRICKS))
    made = 0
    for name in names:
        if made == count:
            return
        variant = TRICKS[name](text, lang, rng, lexicon)
        if variant != text:
            made += 1
            yield name, variant


# --- rows -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskyExchange:
    """What a negative sample is made from: the record, its risk and language, the turn before the harmful text
    (the prompt) and the harmful text itself."""

    origin_id: str
    risk: str
    language: str
    prompt: str
    harmful: str


def negatives_for(
    exchange: RiskyExchange, templates: ResponseTemplates, kinds: list[str], adversarial_count: int
) -> list[dict[str, Any]]:
    """The negative rows of one risky exchange: a safe response, a preference pair (TRL DPO: prompt, chosen,
    rejected) and adversarial variants of the harmful text, as `kinds` asks."""
    lang = exchange.language if exchange.language in LANGS else "en"
    template = templates.choose(exchange.risk, lang, exchange.origin_id)
    rows = []
    if "safe_response" in kinds:
        rows.append(_row(exchange, "safe_response", template.id, prompt=exchange.prompt, chosen=template.text))
    if "preference" in kinds:
        rows.append(
            _row(
                exchange,
                "preference",
                template.id,
                prompt=exchange.prompt,
                chosen=template.text,
                rejected=exchange.harmful,
            )
        )
    if "adversarial" in kinds:
        for trick, variant in adversarial_variants(
            exchange.harmful, lang, adversarial_count, exchange.origin_id, templates.lexicon
        ):
            rows.append(_row(exchange, "adversarial", f"adversarial.{trick}", text=variant))
    return rows


def _row(exchange: RiskyExchange, kind: str, template_id: str, **content: str) -> dict[str, Any]:
    key = f"{exchange.origin_id}\x1f{exchange.risk}\x1f{kind}\x1f{template_id}"
    return {
        "negative_id": "neg-" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest(),
        "kind": kind,
        "origin_id": exchange.origin_id,
        "template_id": template_id,
        "risk": exchange.risk,
        "language": exchange.language,
        "prompt": content.get("prompt"),
        "chosen": content.get("chosen"),
        "rejected": content.get("rejected"),
        "text": content.get("text"),
    }


def selected(record_id: str, ratio: float) -> bool:
    """Whether negatives are built from this record: a stable share `ratio` of all ids."""
    digest = hashlib.blake2b(record_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < ratio


def _rng(seed: str, purpose: str) -> random.Random:
    return random.Random(f"{purpose}/{seed}")

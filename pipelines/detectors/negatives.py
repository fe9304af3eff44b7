"""Negative samples from risky text: safe responses, preference pairs, adversarial variants (R3: Measures art.
10(3), negative sampling and adversarial training). Pure Python: the negatives stage and the evaluation call it.

- `ResponseTemplates`: the pre-set safe responses per risk and language (`pipelines/resources/response_templates.yaml`:
  comfort, encourage seeking help and give a hotline for self-harm; refuse and redirect for prohibited content).
- `adversarial_variants`: a risky text rewritten the way people slip past filters, each by one trick of `TRICKS`:
  spaced-out characters, invisible characters, symbols inside words, homoglyphs (Cyrillic look-alikes, Kangxi
  radicals), leetspeak, pinyin (whole syllables or initials) and mixed languages. A variant keeps its risk: it is
  a training example for classifiers.
- `negatives_for`: the rows of the `negatives/` table for one risky exchange (`tables.NEGATIVES_SCHEMA`).

Randomness comes from a seed string (the origin record's id), so a run gives the same negatives every time.
"""

from __future__ import annotations

import functools
import hashlib
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import regex
import rjieba
import yaml

from pipelines.detectors.taxonomy import Taxonomy

LANGS = ("zh", "en")
_HAN_RUN = regex.compile(r"\p{Han}+")
_LATIN_WORD = regex.compile(r"[A-Za-z]{3,}")
_HAN_OR_LATIN = regex.compile(r"\p{Han}+|[A-Za-z]{3,}")
_LETTERS = regex.compile(r"\p{L}+")
_SPACES = regex.compile(r" {2,}")
_PLACEHOLDER = regex.compile(r"(<[A-Z][A-Z_]*(?:_[0-9a-f]{8})?>)")  # what the gate leaves where PI was
_CYRILLIC = str.maketrans("aceopxyiAEKMHOPCTX", "асеорхуіАЕКМНОРСТХ")
_LEET = str.maketrans("aeiost", "431057")
# Kangxi radicals that look like (and NFKC-normalise to) common characters: 人 -> ⼈, 大 -> ⼤, 心 -> ⼼, ...
_KANGXI = str.maketrans({unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0x2F00, 0x2FD6)})


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
# Each trick rewrites the Chinese characters and the Latin words of a text (a text may mix both) and returns it
# unchanged when it has nothing to work on (leetspeak of pure Chinese, pinyin of pure English).

Trick = Callable[[str, random.Random, dict[str, str]], str]


def _spaced(text: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    text = _HAN_RUN.sub(lambda m: " ".join(m.group()), text)
    return _LATIN_WORD.sub(lambda m: " ".join(m.group()) if rng.random() < 0.5 else m.group(), text)


def _invisible(text: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    return _HAN_OR_LATIN.sub(lambda m: "\u200b".join(m.group()), text)


def _symbols(text: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    return _HAN_OR_LATIN.sub(lambda m: rng.choice("*.-_~").join(m.group()), text)


def _homoglyphs(text: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    text = _LATIN_WORD.sub(lambda m: m.group().translate(_CYRILLIC), text)
    return _HAN_RUN.sub(lambda m: m.group().translate(_KANGXI), text)


def _leetspeak(text: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    return _LATIN_WORD.sub(lambda m: m.group().lower().translate(_LEET), text)


@functools.lru_cache(maxsize=65_536)
def _word_pinyin(word: str) -> tuple[str, str] | None:
    """A Chinese word's pinyin, (syllables, initials), None for any other word. Cached, as pypinyin takes tens of
    microseconds a word and a corpus repeats its words; one call gives both, as pypinyin's FIRST_LETTER style is the
    first letter of each NORMAL syllable (checked once on every Han character and every Chinese word of jieba's
    dictionary; tests/test_negatives.py checks a sample)."""
    if not _HAN_RUN.fullmatch(word):
        return None
    from pypinyin import lazy_pinyin  # here: importing it costs 0.3 s, and most processes make no pinyin

    syllables = lazy_pinyin(word)  # NORMAL style; a character without pinyin stays as it is
    return "".join(syllables), "".join(s if _HAN_RUN.match(s) else s[0] for s in syllables)


def _pinyin(form: int) -> Trick:
    """The trick that writes Chinese words in pinyin: `form` 0 whole syllables, 1 initials."""

    def trick(text: str, rng: random.Random, lexicon: dict[str, str]) -> str:
        return "".join(
            pinyin[form] if (pinyin := _word_pinyin(word)) is not None and rng.random() < 0.6 else word
            for word in rjieba.cut(text)  # words, so that the rng skips whole words
        )

    return trick


@functools.lru_cache(maxsize=8)
def _swaps(lexicon: tuple[tuple[str, str], ...]) -> tuple[dict[str, str], regex.Pattern | None]:
    """The swaps of a lexicon's (zh, en) pairs, both ways, and the pattern that finds them (None: no words)."""
    swaps = {**{zh: f" {en} " for zh, en in lexicon}, **{en.casefold(): zh for zh, en in lexicon}}
    words = sorted(swaps, key=len, reverse=True)  # longest first: 赌场 before 赌
    alternatives = (rf"\b{regex.escape(w)}\b" if w.isascii() else regex.escape(w) for w in words)
    return swaps, regex.compile("|".join(alternatives), regex.IGNORECASE) if words else None


def _mixed(text: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    """Words of the lexicon swapped for their other-language twin: 赌场 -> casino, knife -> 刀."""
    swaps, pattern = _swaps(tuple(lexicon.items()))
    return _SPACES.sub(" ", pattern.sub(lambda m: swaps[m.group().casefold()], text)) if pattern else text


TRICKS: dict[str, Trick] = {
    "spacing": _spaced,
    "invisible": _invisible,
    "symbols": _symbols,
    "homoglyphs": _homoglyphs,
    "leetspeak": _leetspeak,
    "pinyin": _pinyin(0),
    "pinyin_initials": _pinyin(1),
    "mixed_language": _mixed,
}


def apply_trick(name: str, text: str, rng: random.Random, lexicon: dict[str, str]) -> str:
    """`text` rewritten by trick `name`, leaving redaction placeholders (`<CN_MOBILE>`, `<PERSON_3fa2c1d0>`) alone."""
    pieces = _PLACEHOLDER.split(text)
    return "".join(piece if i % 2 else TRICKS[name](piece, rng, lexicon) for i, piece in enumerate(pieces))


def adversarial_variants(
    text: str, count: int, seed: str, lexicon: dict[str, str], tricks: list[str] | None = None
) -> Iterator[tuple[str, str]]:
    """Up to `count` (trick, variant) pairs of `text`, each by another trick (in a seeded order, or `tricks`'s);
    a trick that changes nothing in this text is skipped."""
    rng = _rng(seed, "adversarial")
    names = list(tricks) if tricks is not None else rng.sample(list(TRICKS), len(TRICKS))
    made = 0
    for name in names:
        if made == count:
            return
        variant = apply_trick(name, text, rng, lexicon)
        if variant != text:
            made += 1
            yield name, variant


def script_language(text: str) -> str:
    """zh when Chinese characters make a third of the text's letters, else en: the language of the templates."""
    han = sum(map(len, _HAN_RUN.findall(text)))  # runs, not characters: fewer, shorter lists
    letters = sum(map(len, _LETTERS.findall(text)))
    return "zh" if letters and han / letters >= 1 / 3 else "en"


# --- rows -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskyExchange:
    """What a negative sample is made from: the record, its risk, the turn before the harmful text (the prompt),
    the harmful text itself, and the language of the prompt (that of the safe response: `script_language`)."""

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
    template = templates.choose(exchange.risk, exchange.language, exchange.origin_id)
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
            exchange.harmful, adversarial_count, exchange.origin_id, templates.lexicon
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

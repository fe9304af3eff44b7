"""The seed training set of the risk classifier, written by us so the default pipeline runs out of the box (R6).

TC260-003 asks for a classifier over every risk of the taxonomy, and no public data set covers the 31 risks of
appendix A, let alone the companion risks of the Measures. This module generates a small labelled set for every
risk id, in Chinese and English, from the phrase banks in `pipelines/resources/seed_training/`:

- `risks.yaml`: risky statements ("cores") per risk id and language (`also`: further risk ids its cores carry);
- `everyday.yaml`: ordinary texts by topic (daily life, work, study, travel, cooking, health, technology,
  hobbies, family, shopping, news) and well-behaved companion replies (comfort, plans, answers, small talk), all
  labelled safe: most of any corpus is ordinary, so the seed set holds more of it than of any risk;
- `safe.yaml`: hard negatives: benign texts on the same topics or with the same words as a risk (crime news, a
  gambling crackdown, prevention texts with a hotline, history lessons, fact checks, family calls, promises,
  purchases, photos), all labelled safe;
- `banks.yaml`: frames that wrap every example, risky or safe, slot banks ({name}, {city}, {group}, ...), and
  neutral context sentences put around a share of all examples (a risky statement stays risky inside a post).

Generation is deterministic for a seed. The split into train and dev is by core, not by example: dev examples
come from statements the model never saw in training, so dev figures measure generalisation rather than recall
of memorised sentences. It is a seed, not a benchmark: real labelled data goes in
`ClassifierParams.extra_training_data`.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from pipelines.detectors.classifier import LANGS, LabelledExample, write_labelled
from pipelines.detectors.taxonomy import Taxonomy

DEFAULT_SEED = 20260715
# Share of each list of cores held out for dev.
DEV_SHARE = 0.25
# Framed variants of each core, by kind. Per core, not per risk: a risk with more (and more varied) statements
# gets more examples, and the ordinary text of everyday.yaml, with the most cores, outweighs any one risk.
VARIANTS_PER_CORE = {"risk": 4, "safe": 10, "hard_negative": 6}
# Share of examples (of every kind) given neutral sentences of context, and how many at most.
CONTEXT_SHARE = 0.4
MAX_CONTEXT_SENTENCES = 3
# A template (a core that combines two or more slot banks) stands for many statements: it gets this many times the
# variants of a core, so that the words of its banks are seen often enough to be learnt.
TEMPLATE_WEIGHT = 3
_SENTENCE_END = {"zh": "。", "en": ". "}
_SLOT_RE = re.compile(r"\{(\w*)\}")


class SeedBankError(ValueError):
    """The phrase banks are inconsistent; the message names the file and the entry."""


@dataclass(frozen=True)
class _Section:
    """A list of cores of one language that share labels, kind and {group} banks."""

    name: str
    lang: str
    cores: tuple[str, ...]
    labels: tuple[str, ...]
    kind: str
    groups: tuple[str, ...]


def seed_examples(
    seed: int = DEFAULT_SEED, taxonomy: Taxonomy | None = None, folder: Path | None = None
) -> tuple[list, list]:
    """The seed set as (train, dev) lists of `LabelledExample`, deterministic for `seed`.

    `folder` holds the four bank files; default: the packaged `pipelines/resources/seed_training/`.
    """
    taxonomy = taxonomy or Taxonomy.load()
    banks = _Banks.load(taxonomy, folder)
    train: list[LabelledExample] = []
    dev: list[LabelledExample] = []
    for section in banks.sections:
        rng = random.Random(f"{seed}/{section.name}/{section.lang}")
        cores = list(section.cores)
        rng.shuffle(cores)
        dev_count = max(1, math.ceil(len(cores) * DEV_SHARE))
        per_core = VARIANTS_PER_CORE[section.kind]
        for chosen, out in zip((cores[dev_count:], cores[:dev_count]), (train, dev), strict=True):
            weighted = [core for core in chosen for _ in range(_weight(core))]
            texts = banks.variants(weighted, per_core * len(weighted), section, rng)
            out += [LabelledExample(text, section.labels, section.lang, section.kind) for text in texts]
    for name, examples in (("train", train), ("dev", dev)):
        random.Random(f"{seed}/shuffle/{name}").shuffle(examples)
    return train, dev


def write_seed_training_set(out_dir: Path, seed: int = DEFAULT_SEED) -> dict:
    """Write `train.jsonl` and `dev.jsonl` (labelled-data format of `classifier`) to `out_dir`.

    Returns paths, example counts per split and label, and the files' sha256 (R1: traceable training data).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict = {"seed": seed, "files": {}}
    for name, examples in zip(("train", "dev"), seed_examples(seed), strict=True):
        path = out_dir / f"{name}.jsonl"
        write_labelled(path, examples)
        summary["files"][name] = {
            "path": str(path),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "examples": len(examples),
            "labels": dict(sorted(Counter(label for e in examples for label in e.labels or ("safe",)).items())),
        }
    return summary


class _Banks:
    """The three bank files, validated against the taxonomy and against each other."""

    def __init__(self, frames: dict, slots: dict, context: dict, sections: list[_Section]) -> None:
        self.frames = frames
        self.slots = slots
        self.context = context
        self.sections = sections

    @classmethod
    def load(cls, taxonomy: Taxonomy, folder: Path | None = None) -> _Banks:
        folder = folder or files("pipelines") / "resources" / "seed_training"
        banks = _read_yaml(folder / "banks.yaml")
        risks, safe = _read_yaml(folder / "risks.yaml"), _read_yaml(folder / "safe.yaml")
        everyday = _read_yaml(folder / "everyday.yaml").get("topics") or {}
        frames, slots, context = (banks.get(key) or {} for key in ("frames", "slots", "context"))
        problems = [
            f"banks.yaml: no frames, slots or context for {lang!r}"
            for lang in LANGS
            if not (frames.get(lang) and slots.get(lang) and context.get(lang))
        ]
        entries = risks.get("risks") or {}
        problems += [f"risks.yaml: no cores for risk {rid}" for rid in taxonomy.ids if rid not in entries]
        problems += [f"risks.yaml: {rid!r} is not a risk id of the taxonomy" for rid in entries if rid not in taxonomy]
        shared = risks.get("shared") or {}
        sections = []
        for source, kind, named in (
            ("risks.yaml", "risk", entries),
            ("everyday.yaml", "safe", everyday),
            ("safe.yaml", "hard_negative", safe.get("hard_negatives") or {}),
        ):
            for name, entry in named.items():
                included = shared.get(entry.get("include"), {}) if entry.get("include") else {}
                if entry.get("include") and not included:
                    problems.append(f"{source}: {name}: unknown shared list {entry['include']!r}")
                groups, also = (_names(entry.get(key)) for key in ("group", "also"))
                problems += [
                    f"{source}: {name}: also {rid!r} is not a risk id of the taxonomy"
                    for rid in also
                    if rid not in taxonomy
                ]
                labels = (name, *also) if kind == "risk" else ()
                for lang in LANGS:
                    cores = tuple(entry.get(lang) or ()) + tuple(included.get(lang) or ())
                    if len(cores) < 2:
                        problems.append(f"{source}: {name}: needs 2 or more {lang} cores (one for train, one for dev)")
                    section = _Section(name, lang, cores, labels, kind, groups)
                    problems += [f"{source}: {name}: {p}" for p in _slot_problems(section, slots.get(lang) or {})]
                    sections.append(section)
        problems += [
            f"banks.yaml: slot bank {lang}.{bank} uses {{{slot}}}, which is not a bank of its own"
            for lang in LANGS
            for bank, values in (slots.get(lang) or {}).items()
            for slot in {s for value in values for s in _SLOT_RE.findall(str(value))}
            if slot in ("group", bank) or slot not in slots[lang]
        ]
        if problems:
            raise SeedBankError("seed training banks: " + "; ".join(problems))
        # Everyday safe sentences serve as context too, so that no ordinary word counts as evidence of safety.
        context = {
            lang: [*context[lang], *(c for topic in everyday.values() for c in topic.get(lang) or ())] for lang in LANGS
        }
        return cls(frames, slots, context, sections)

    def variants(self, cores: list[str], count: int, section: _Section, rng: random.Random) -> list[str]:
        """`count` distinct framed, slot-filled texts, cycling through `cores` (fewer if the banks run dry)."""
        texts: dict[str, None] = {}
        attempts = 0
        while len(texts) < count and attempts < 20 * count:
            core = cores[attempts % len(cores)]
            attempts += 1
            filled = _SLOT_RE.sub(lambda m: self._fill(m.group(1), section, rng), core)
            text = rng.choice(self.frames[section.lang]).replace("{}", filled)
            if rng.random() < CONTEXT_SHARE:
                text = self._with_context(text, section.lang, rng)
            texts[text] = None
        return list(texts)

    def _with_context(self, text: str, lang: str, rng: random.Random) -> str:
        before, after = [], []
        for sentence in rng.sample(self.context[lang], rng.randint(1, MAX_CONTEXT_SENTENCES)):
            sentence = _SLOT_RE.sub(lambda m: rng.choice(self.slots[lang][m.group(1)]), sentence)
            rng.choice((before, after)).append(sentence + _SENTENCE_END[lang])
        if after and not text.rstrip().endswith(tuple("。！？!?.…")):
            text += _SENTENCE_END[lang]
        elif after and lang == "en":
            text += " "
        return ("".join(before) + text + "".join(after)).rstrip()

    def _fill(self, slot: str, section: _Section, rng: random.Random) -> str:
        bank = rng.choice(section.groups) if slot == "group" else slot
        # A bank's values may hold slots of other banks ("抡起{weapon}砸他"): pieces of statements combine.
        return _SLOT_RE.sub(lambda m: self._fill(m.group(1), section, rng), rng.choice(self.slots[section.lang][bank]))


def _weight(core: str) -> int:
    return TEMPLATE_WEIGHT if len(_SLOT_RE.findall(core)) >= 2 else 1


def _names(value: str | list | None) -> tuple[str, ...]:
    """A bank key that takes one name or a list of names."""
    return (value,) if isinstance(value, str) else tuple(value or ())


def _slot_problems(section: _Section, slots: dict) -> list[str]:
    used = {slot for core in section.cores for slot in _SLOT_RE.findall(core)}
    problems = [f"unknown slot {{{slot}}} ({section.lang})" for slot in used - {"group"} if slot not in slots]
    if "group" in used and not section.groups:
        problems.append("uses {group} but names no group bank")
    problems += [f"unknown group bank {bank!r}" for bank in section.groups if bank not in slots]
    return problems


def _read_yaml(resource) -> dict:
    try:
        data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SeedBankError(f"{resource}: cannot read: {error}") from error
    if not isinstance(data, dict):
        raise SeedBankError(f"{resource}: expected a mapping")
    return data

"""Synthetic data: which records are generated, and how safe they are to train on (R4: Measures art. 10(4)).

Detection (`detect`) reads a record's metadata only. A record is synthetic by any of three signals:

- `declared`: its origin is `synthetic` (its own `origin` field, or its source's `origin` in params.yaml);
- `generator`: it carries generator metadata (a `generator` field);
- `aigc_label`: it carries a valid GB 45438-2025 implicit label (`AIGC`, an object or a JSON string of one) whose
  `Label` is 1 (AI-generated), 2 (possibly) or 3 (suspected), with a `ContentProducer` and a `ProduceID`.

A malformed `AIGC` label is a finding (`R4.malformed_aigc_label`, saying what is wrong), never silently ignored, and
is no evidence either way. A synthetic record whose `generator` lacks a `model`, a `service` or an ISO 8601
`obtained_at` is flagged (`R4.missing_generator_meta`): the GB/T 45652 draft asks that generated data record the
model or service that made it and when it was obtained.

Safety (`assess`) combines one hazard per component, each in [0, 1] (0: none; 1: the failure is plainly there):

- `risk`: the highest risk score of the label stage. Scores over a quarantine threshold never get here (the risk
  filter holds them); label-only risks such as inaccurate (A5.30) or unreliable (A5.31) content do.
- `memorisation`: 1 when the gate found personal information of `memorisation_types`: a generator that emits real
  identifiers may have memorised them (the gate has already redacted the values).
- `regurgitation`: the estimated Jaccard similarity to the closest human record (`closest_human`, over MinHash
  signatures): a generator that copies its training data.
- `degeneration` (`degeneration_hazards`): repetition (the share of repeated unit n-grams), low lexical diversity
  (how far the moving-average type-token ratio falls below `diverse_enough`) and truncation (1 when the text stops
  inside a sentence).
- `companion` (`CompanionHarms`): 1 when an assistant turn shows sycophancy that deepens dependency, manipulation
  or a false promise, or answers a user's self-harm disclosure without comfort and a path to help (the cues are
  data: `pipelines/resources/companion_harms.yaml`).

The safety score is 1 minus the largest weighted hazard, and a record fails on every component whose weighted
hazard exceeds 1 - threshold. The worst component decides, so a held record's reasons are exactly the components
that fail; a weighted sum would let harmless signals add up to a hold that no component explains.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import regex
import yaml

from pipelines.detectors import minhash
from pipelines.detectors.minhash import Signature
from pipelines.params import DegenerationParams, SyntheticParams

# Where the stages record their work: the record's label, and the trail step of the signals stage.
LABEL = "synthetic"
SIGNALS_STAGE = "synth.signals"  # short: `corpusgate trace` aligns stage names in 14 columns
SIGNALS = ("declared", "generator", "aigc_label")
COMPONENTS = ("risk", "memorisation", "regurgitation", "degeneration", "companion")
AIGC_LABEL_VALUES = ("1", "2", "3")  # GB 45438-2025: AI-generated, possibly, suspected
AIGC_REQUIRED = ("Label", "ContentProducer", "ProduceID")
GENERATOR_FIELDS = ("model", "service", "obtained_at")
ASSISTANT_ROLES = frozenset({"assistant"})
USER_ROLES = frozenset({"user"})
# What may end a finished text: sentence-final punctuation, closing quotes and brackets, ellipses, emoji, symbols.
_FINISHED = regex.compile(r"[\p{Po}\p{Pe}\p{Pf}\p{S}]\s*$")


@dataclass(frozen=True)
class Provenance:
    """What a record's metadata says about its generation: signals, the valid label and generator, findings."""

    signals: tuple[str, ...]
    aigc: dict[str, str] | None = None
    generator: dict[str, str] | None = None
    findings: tuple[tuple[str, str], ...] = ()  # (reason code, detail)

    @property
    def synthetic(self) -> bool:
        return bool(self.signals)

    def label(self) -> dict[str, Any]:
        """The record's `synthetic` label: signals, label and generator fields, flags (no text, no PI)."""
        label: dict[str, Any] = {"signals": list(self.signals)}
        if self.aigc:
            label["aigc"] = self.aigc
        if self.generator:
            label["generator"] = self.generator
        if self.findings:
            label["flags"] = {code: detail for code, detail in self.findings}
        return label


def parse_aigc(value: Any) -> tuple[dict[str, str] | None, str | None]:
    """A GB 45438 implicit label (an object, or a JSON string of one) as its required fields, or what is wrong.

    `Label` may be given as the string or the number 1, 2 or 3; the other required fields must be non-empty
    strings. Further fields (`ReservedCode1`, `ContentPropagator`, ...) are allowed and not kept.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None, "AIGC is a string that is not JSON"
    if not isinstance(value, dict):
        return None, f"AIGC is {type(value).__name__}, not an object"
    missing = [name for name in AIGC_REQUIRED if name not in value]
    if missing:
        return None, f"AIGC lacks {', '.join(missing)}"
    label = value["Label"]
    if isinstance(label, int) and not isinstance(label, bool):
        label = str(label)
    if label not in AIGC_LABEL_VALUES:
        return None, "AIGC Label is not 1, 2 or 3"
    empty = [name for name in AIGC_REQUIRED[1:] if not (isinstance(value[name], str) and value[name].strip())]
    if empty:
        return None, f"AIGC {', '.join(empty)} not a non-empty string"
    return {"Label": label, **{name: value[name] for name in AIGC_REQUIRED[1:]}}, None


def generator_gaps(generator: Any) -> list[str]:
    """The generator fields that are missing or unusable (`obtained_at` must be an ISO 8601 date or time)."""
    if not isinstance(generator, dict):
        return list(GENERATOR_FIELDS)
    gaps = [name for name in GENERATOR_FIELDS if not (isinstance(generator.get(name), str) and generator[name].strip())]
    if "obtained_at" not in gaps:
        try:
            datetime.fromisoformat(generator["obtained_at"])
        except ValueError:
            gaps.append("obtained_at")
    return gaps


def detect(meta: Mapping[str, Any]) -> Provenance:
    """The synthetic signals and findings of a record's effective metadata (its fields over its source's)."""
    signals, findings = [], []
    if meta.get("origin") == "synthetic":
        signals.append("declared")
    if meta.get("generator") is not None:
        signals.append("generator")
    aigc = None
    if meta.get("AIGC") is not None:
        aigc, problem = parse_aigc(meta["AIGC"])
        if problem:
            findings.append(("R4.malformed_aigc_label", problem))
        else:
            signals.append("aigc_label")
    generator = None
    if signals:
        gaps = generator_gaps(meta.get("generator"))
        if gaps:
            findings.append(("R4.missing_generator_meta", f"generator lacks {', '.join(gaps)}"))
        else:
            generator = {name: meta["generator"][name] for name in GENERATOR_FIELDS}
    return Provenance(tuple(signals), aigc, generator, tuple(findings))


# --- hazards ----------------------------------------------------------------------------------------------------


def units(text: str) -> list[str]:
    """Words, and single characters of unspaced scripts: the units the near-dup shingles are made of."""
    return minhash.units(unicodedata.normalize("NFKC", text))


def repeated_share(items: list[str], n: int) -> float:
    """The share of n-grams of `items` that repeat an earlier one: 0 for varied text, near 1 for a loop."""
    grams = list(zip(*(items[i:] for i in range(n)), strict=False))
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def moving_type_token_ratio(items: list[str], window: int) -> float:
    """Distinct units per window of `window` units, averaged over the windows (MATTR; length-independent)."""
    if len(items) <= window:
        return len(set(items)) / len(items) if items else 1.0
    counts: dict[str, int] = {}
    for item in items[:window]:
        counts[item] = counts.get(item, 0) + 1
    total = distinct = len(counts)
    for old, new in zip(items, items[window:], strict=False):
        counts[old] -= 1
        distinct -= counts[old] == 0
        distinct += counts.get(new, 0) == 0
        counts[new] = counts.get(new, 0) + 1
        total += distinct
    return total / (len(items) - window + 1) / window


def truncated(text: str) -> bool:
    """Whether the text stops inside a sentence: its last character is a letter or a digit."""
    text = text.rstrip()
    return bool(text) and not _FINISHED.search(text)


def degeneration_hazards(text: str, last: str, params: DegenerationParams) -> dict[str, float]:
    """Hazards of repetition, low diversity and truncation; `last` is what the generation ended with."""
    found = units(text)
    hazards = {"repetition": 0.0, "low_diversity": 0.0, "truncation": float(truncated(last))}
    if len(found) >= params.min_units:
        hazards["repetition"] = repeated_share(found, params.ngram)
        ratio = moving_type_token_ratio(found, params.window)
        hazards["low_diversity"] = max(0.0, 1 - ratio / params.diverse_enough)
    return {name: round(value, 4) for name, value in hazards.items()}


class CompanionHarmsError(ValueError):
    """The cue file cannot be read or a cue is not a valid pattern; the message names the file and the entry."""


class CompanionHarms:
    """Companion-specific harms in assistant turns, by cue patterns (`companion_harms.yaml`)."""

    def __init__(self, harms: dict[str, regex.Pattern], self_harm: dict[str, regex.Pattern], version: str) -> None:
        self.harms, self.self_harm, self.version = harms, self_harm, version

    @classmethod
    def load(cls, path: Path | None = None) -> CompanionHarms:
        resource = path if path is not None else files("pipelines") / "resources" / "companion_harms.yaml"
        try:
            data = yaml.safe_load(resource.read_text(encoding="utf-8"))
            harms = {name: _cues(resource, name, langs) for name, langs in data["harms"].items()}
            self_harm = {
                part: _cues(resource, part, data["self_harm"][part]) for part in ("disclosure", "comfort", "help")
            }
            return cls(harms, self_harm, str(data["version"]))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
            raise CompanionHarmsError(f"{resource}: not a companion-harms cue file: {error!r}") from error

    def find(self, messages: list[dict[str, str]]) -> list[str]:
        """The harms shown by the assistant turns of a chat, in the order of `harms`, then `self_harm_unanswered`."""
        spoken = [(m["role"], _folded(m["content"])) for m in messages]
        said = [content for role, content in spoken if role in ASSISTANT_ROLES]
        found = [name for name, cue in self.harms.items() if any(cue.search(content) for content in said)]
        for (role, content), reply in zip(spoken, spoken[1:], strict=False):
            disclosed = role in USER_ROLES and self.self_harm["disclosure"].search(content)
            if disclosed and reply[0] in ASSISTANT_ROLES and not self._cares(reply[1]):
                found.append("self_harm_unanswered")
                break
        return found

    def _cares(self, reply: str) -> bool:
        """Comfort and a path to help, both (the Measures: calming content and encouragement to seek help)."""
        return bool(self.self_harm["comfort"].search(reply) and self.self_harm["help"].search(reply))


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _cues(resource: Any, name: str, langs: dict[str, list[str]]) -> regex.Pattern:
    patterns = [pattern for cues in langs.values() for pattern in cues]
    if not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise CompanionHarmsError(f"{resource}: {name}: needs a non-empty list of patterns per language")
    try:
        return regex.compile("|".join(f"(?:{_folded(p)})" for p in patterns))
    except regex.error as error:
        raise CompanionHarmsError(f"{resource}: {name}: not a valid pattern: {error}") from error


def closest_human(
    members: Iterable[tuple[str, bool, Signature]], max_compared: int
) -> Iterator[tuple[str, str, float]]:
    """For each synthetic member of one LSH bucket, its most similar human member: (synthetic id, human id,
    estimated Jaccard). At most `max_compared` members of each kind are compared."""
    humans: list[str] = []
    synthetic: list[tuple[str, Signature]] = []
    human_signatures: list[Signature] = []
    for record_id, is_synthetic, signature in members:
        if is_synthetic and len(synthetic) < max_compared:
            synthetic.append((record_id, signature))
        elif not is_synthetic and len(humans) < max_compared:
            humans.append(record_id)
            human_signatures.append(signature)
    if not humans:
        return
    matrix = np.stack(human_signatures)
    for record_id, signature in synthetic:
        agreeing = np.count_nonzero(matrix == signature, axis=1)
        best = int(np.argmax(agreeing))
        yield record_id, humans[best], round(float(agreeing[best]) / signature.shape[0], 4)


# --- the score ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """A synthetic record's safety: hazards and what was found per component, the score, the failing components."""

    hazards: dict[str, float]
    found: dict[str, Any] = field(default_factory=dict)
    safety: float = 1.0
    failing: tuple[str, ...] = ()

    def label(self) -> dict[str, Any]:
        return {"safety": self.safety, "hazards": self.hazards, "found": self.found, "failing": list(self.failing)}


def assess(hazards: Mapping[str, float], found: Mapping[str, Any], params: SyntheticParams) -> Assessment:
    """Combine the components' hazards into the safety score; a component fails over 1 - threshold weighted."""
    unknown = set(hazards) - set(COMPONENTS)
    if unknown:
        raise ValueError(f"unknown safety component(s): {', '.join(sorted(unknown))}")
    complete = {name: round(float(hazards.get(name, 0.0)), 4) for name in COMPONENTS}
    weighted = {name: getattr(params.weights, name) * hazard for name, hazard in complete.items()}
    safety = round(max(0.0, 1 - max(weighted.values())), 4)
    failing = tuple(name for name, value in weighted.items() if 1 - value < params.threshold)
    return Assessment(complete, {k: v for k, v in found.items() if v}, safety, failing)


def risk_hazard(scores: Mapping[str, float]) -> tuple[float, list[str]]:
    """The highest risk score and the risks that have it."""
    if not scores:
        return 0.0, []
    top = max(scores.values())
    return top, sorted(risk for risk, score in scores.items() if score == top)


def memorisation_hazard(pi: Iterable[Mapping[str, Any]], types: Iterable[str]) -> tuple[float, list[str]]:
    """1 when the gate found personal information of `types` (the label's entity types), and which types."""
    found = sorted({entity["type"] for entity in pi} & set(types))
    return float(bool(found)), found

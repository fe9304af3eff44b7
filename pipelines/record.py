"""The record that flows through the pipeline: content, provenance, labels, decision and stage trail.

Every input record ends in exactly one place (house rule: nothing lost): `governed`, `quarantined` (with reason
codes) or `duplicate` (pointing at its kept twin). Reason codes name the rule of REGULATION.md they serve, so an
auditor can go from any quarantine row to the article behind it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any, NamedTuple

import yaml

GOVERNED = "governed"
QUARANTINED = "quarantined"
DUPLICATE = "duplicate"
FORGOTTEN = "forgotten"  # deleted at its subject's request by `corpusgate forget`: a lineage tombstone only


@dataclass(frozen=True)
class Reason:
    """Why a record was held back, tied to a rule of REGULATION.md (R1..R10) and its legal basis."""

    code: str
    basis: str
    summary: str
    keeps_text: bool
    """May the quarantine hold a copy of the text? No when we lack the right to copy it (no licence, no consent)
    or could not read it; then the quarantine keeps a pointer (source, file, row) and a hash only. Even a reason
    that allows it copies only text the gate has screened (`Record.screened`)."""


REASONS: dict[str, Reason] = {
    r.code: r
    for r in (
        Reason("R1.missing_licence", "Measures art. 11; TC260-003 5.1", "no licence from record or source", False),
        Reason("R1.missing_legal_basis", "Measures art. 11; PIPL art. 13", "no legal basis declared", False),
        Reason("R1.invalid_metadata", "Measures art. 11", "provenance metadata of the wrong type or value", False),
        Reason("R2.unreadable_file", "Measures art. 10(2)", "the file could not be read in its format", False),
        Reason("R2.invalid_utf8", "Measures art. 10(2)", "the line is not valid UTF-8", False),
        Reason("R2.malformed_json", "Measures art. 10(2)", "the line is not valid JSON", False),
        Reason("R2.malformed_row", "Measures art. 10(2)", "the CSV row does not match the header", False),
        Reason("R2.not_an_object", "Measures art. 10(2)", "the row is not an object with fields", False),
        Reason("R2.missing_text", "Measures art. 10(2)", "neither non-empty `text` nor `messages`", False),
        Reason("R2.bad_messages", "Measures art. 10(2)", "`messages` is not a list of {role, content}", False),
        Reason("R2.too_short", "Measures art. 10(2)", "shorter than clean.min_chars after cleaning", True),
        Reason("R2.too_long", "Measures art. 10(2)", "longer than clean.max_chars after cleaning", True),
        Reason("R7.invalid_consent", "Measures art. 16; PIPL art. 14", "`consent` is not a list of scopes", False),
        Reason(
            "R7.no_training_consent", "Measures art. 16; PIPL art. 13-14", "interaction data without consent", False
        ),
        Reason("R7.sensitive_pi_without_consent", "PIPL art. 28-29", "sensitive PI, no separate consent", False),
        Reason("R7.personal_information", "PIPL art. 6, 13", "personal information whose policy is hold", False),
        Reason("R8.invalid_age", "PIPL art. 31", "`age` is not a whole number of years", False),
        Reason("R8.no_guardian_consent", "PIPL art. 31; Measures art. 14", "a minor without guardian consent", False),
        Reason("R3.exact_duplicate", "Measures art. 10(2)-(3)", "same normalised content as a kept record", True),
        Reason("R3.near_duplicate", "Measures art. 10(2)-(3)", "near-duplicate (MinHash) of a kept record", True),
        Reason("R6.review", "Measures art. 8; TC260-003 9.2", "risk score near a threshold: human review", True),
        Reason("R6.harmful_source", "TC260-003 5.1", "its source is more harmful than allowed", True),
        Reason("R9.forgotten", "Measures art. 14; PIPL art. 47", "deleted at the data subject's request", False),
        Reason("R4.malformed_aigc_label", "GB 45438-2025; Measures art. 10(4)", "an invalid AIGC implicit label", True),
        Reason(
            "R4.missing_generator_meta", "GB/T 45652 draft; Measures art. 10(4)", "synthetic, no generator/time", True
        ),
        *(
            # One reason per component of the synthetic safety score (pipelines/detectors/synthetic.py).
            Reason(f"R4.{component}", "Measures art. 10(4)", f"synthetic data failing on {summary}", True)
            for component, summary in (
                ("risk", "a risk score"),
                ("memorisation", "personal information (possible memorisation)"),
                ("regurgitation", "copying a human record"),
                ("degeneration", "repetition, low diversity or truncation"),
                ("companion", "a companion-specific harm in an assistant turn"),
            )
        ),
        *(
            # One reason per risk of the taxonomy: `R6.A1.6`, `R6.C.self_harm`, ... (R6: Measures art. 8).
            Reason(f"R6.{risk['id']}", risk["legal_basis"], risk["name_en"], True)
            for risk in yaml.safe_load(
                resources.files("pipelines").joinpath("resources", "taxonomy.yaml").read_text(encoding="utf-8")
            )["risks"]
        ),
    )
}


def is_harmful_reason(code: str) -> bool:
    """A risk of the taxonomy (`R6.A1.6`, ...), not a review or a source-level hold (R6, TC260-003 5.1)."""
    return code.startswith("R6.") and code not in ("R6.review", "R6.harmful_source")


def reason(code: str) -> Reason:
    """The registered reason for `code`; an unknown code is a programming error, not a data error."""
    try:
        return REASONS[code]
    except KeyError:
        raise ValueError(f"unknown reason code {code!r}; register it in pipelines.record.REASONS") from None


class Step(NamedTuple):
    """One stage's decision about one record, for the lineage's stage trail."""

    stage: str
    action: str  # pass | modify | hold | duplicate | read
    detail: str = ""


@dataclass(slots=True)
class Record:
    """One training example and everything an auditor needs to know about it.

    `text` holds plain text; chat records hold `messages` ([{role, content}]) instead. `meta` holds the
    effective provenance and consent metadata (record fields over source defaults).
    """

    id: str
    source: str
    file: str
    row: int
    raw_sha256: str
    order: tuple[int, str, int]  # (source position, file, row): "first occurrence" for tie-breaks
    text: str | None = None
    messages: list[dict[str, str]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    trail: list[Step] = field(default_factory=list)
    decision: str = GOVERNED
    duplicate_of: str | None = None
    content_key: str | None = None  # hash of the normalised content, set by exact dedup
    screened: bool = False  # the consent and PI gate has passed the text (and redacted it)
    withheld_sha256: str | None = None  # content hash of a held record whose text was dropped (`withhold_text`)
    minhash: bytes | None = None  # MinHash signature of the content for the MinHash stages (b"": none); never written

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        """Pickled as its field values in order: records cross every shuffle and checkpoint, and this loads them
        five times faster than the slots default (which sets each field by name)."""
        return Record, tuple(getattr(self, name) for name in _FIELDS)

    def content(self) -> str:
        """The text that detectors read: plain text, or chat turns as `role: content` lines."""
        if self.messages is not None:
            return "\n".join(f"{m['role']}: {m['content']}" for m in self.messages)
        return self.text or ""

    def map_text(self, transform: Callable[[str], str]) -> None:
        """Apply `transform(str) -> str` to the text or to every message's content."""
        if self.messages is not None:
            self.messages = [{**m, "content": transform(m["content"])} for m in self.messages]
        elif self.text is not None:
            self.text = transform(self.text)

    def note(self, stage: str, action: str = "pass", detail: str = "") -> None:
        self.trail.append(Step(stage, action, detail))

    def hold(self, stage: str, code: str, detail: str = "") -> None:
        """Quarantine this record for `code` (a registered reason)."""
        reason(code)
        self.reasons.append(code)
        self.decision = QUARANTINED
        self.minhash = None  # held back: no MinHash stage compares it any more
        self.trail.append(Step(stage, "hold", f"{code} {detail}".strip()))

    def mark_duplicate(self, stage: str, code: str, kept_id: str) -> None:
        reason(code)
        self.reasons.append(code)
        self.decision = DUPLICATE
        self.duplicate_of = kept_id
        self.minhash = None
        self.trail.append(Step(stage, "duplicate", f"{code} of {kept_id}"))

    @property
    def held(self) -> bool:
        return self.decision != GOVERNED

    @property
    def keeps_text(self) -> bool:
        """May the quarantine copy the text? Only text the gate has screened, held for reasons that allow it."""
        return self.screened and all(reason(code).keeps_text for code in self.reasons)

    @property
    def has_content(self) -> bool:
        return self.text is not None or self.messages is not None or self.withheld_sha256 is not None

    def content_sha256(self) -> str:
        return self.withheld_sha256 or content_sha256(self.text, self.messages)

    def withhold_text(self) -> None:
        """Drop the text of a record the quarantine may not copy (`keeps_text`), keeping its hash for the outputs."""
        if self.text is not None or self.messages is not None:
            self.withheld_sha256 = self.content_sha256()
        self.text = self.messages = None


_FIELDS = tuple(f.name for f in fields(Record))


def content_sha256(text: str | None, messages: list[dict[str, str]] | None) -> str:
    """Hash of a record's content as written to the outputs (text, or messages as JSON): the one definition."""
    payload = text if messages is None else json.dumps(messages, ensure_ascii=False)
    return sha256_text(payload or "")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_id(source: str, file: str, row: int) -> str:
    """Stable id of the record at `row` of `file` in `source`: the same input gives the same id in every run."""
    digest = hashlib.blake2b(f"{source}\x1f{file}\x1f{row}".encode(), digest_size=8).hexdigest()
    return f"{source}-{digest}"

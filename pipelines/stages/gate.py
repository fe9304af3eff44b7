"""Gate: consent and personal information (R7, R8, R10: Measures art. 14, 16; PIPL art. 28-31).

Comes first after cleaning, so that nothing else reads a record that may not be used and every later stage sees
redacted text. In order:

1. the subject id is replaced by its keyed pseudonym (R10), whatever happens next;
2. consent metadata of the wrong type is held back (`R7.invalid_consent`, `R8.invalid_age`): never read as a yes;
3. user-interaction records without consent to training are held back (`R7.no_training_consent`);
4. minors (by `age`, or by a first-person statement of age when `age` is absent) without a guardian's consent are
   held back (`R8.no_guardian_consent`);
5. personal information is redacted, masked or pseudonymised as `gate.pii.actions` says; sensitive information
   (identity documents, financial accounts, health, faith, biometrics, whereabouts, finances, and all PI of a
   minor) without separate consent is redacted or holds the record back, per category
   (`gate.consent.sensitive_without_consent`).

Records held back here are kept by pointer and hash only: their reasons do not allow copying their text. The labels
record entity types, offsets (into the cleaned text) and actions: never a value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.detectors.minors import stated_age
from pipelines.detectors.pii import Entity, PiiDetector
from pipelines.detectors.pseudonyms import load_key, subject_pseudonym
from pipelines.detectors.sensitive import SensitiveTopics
from pipelines.params import SENSITIVE_CATEGORY_OF, Origin, Params
from pipelines.record import Record
from pipelines.stages.base import RecordStage


def consent_scopes(consent: Any) -> tuple[frozenset[str], str | None]:
    """The consent scopes a record carries, or a problem. Absent consent is no consent (conservative default)."""
    if consent is None:
        return frozenset(), None
    if not isinstance(consent, list) or not all(isinstance(scope, str) for scope in consent):
        return frozenset(), f"consent is {type(consent).__name__}, not a list of scopes"
    return frozenset(consent), None


def declared_age(age: Any) -> tuple[int | None, str | None]:
    """The record's `age` as an int (CSV gives digits as text), or a problem."""
    if age is None:
        return None, None
    if isinstance(age, str) and age.strip().isdigit():
        age = int(age)
    if isinstance(age, float) and age.is_integer():
        age = int(age)
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age < 130:
        return None, f"age is {type(age).__name__}, not a whole number of years"
    return age, None


class Gate(RecordStage):
    name = "gate"

    def __init__(self, params: Params, key_file: Path | None) -> None:
        super().__init__(params)
        self.key_file = key_file  # a path, never the key: the pipeline graph may be shipped to a remote runner

    def setup(self) -> None:
        gate = self.params.gate
        self.detector = PiiDetector(gate.pii)
        self.topics = SensitiveTopics()
        self.key = load_key(gate.pseudonyms.key_env, self.key_file)

    def apply(self, record: Record) -> None:
        consent = self.params.gate.consent
        subject = record.meta.pop("subject_id", None)
        if subject is not None:
            record.meta["subject"] = subject_pseudonym(self.key, str(subject))
        scopes, problem = consent_scopes(record.meta.get("consent"))
        if problem:
            record.hold(self.name, "R7.invalid_consent", problem)
        age, problem = declared_age(record.meta.get("age"))
        if problem:
            record.hold(self.name, "R8.invalid_age", problem)
        if record.held:
            return
        if record.meta.get("origin") == Origin.USER_INTERACTION and consent.interaction_scope not in scopes:
            record.hold(self.name, "R7.no_training_consent")
        if age is None and consent.age_from_text:
            age = stated_age(_speaker_text(record))
        minor = age is not None and age < consent.minor_age
        if minor:
            record.labels["minor"] = True
            if consent.guardian_scope not in scopes:
                record.hold(self.name, "R8.no_guardian_consent")
        if not record.held:
            self._protect(record, sensitive_consent=consent.sensitive_scope in scopes, minor=minor)

    def _protect(self, record: Record, sensitive_consent: bool, minor: bool) -> None:
        """Redact, mask or pseudonymise personal information; hold the record where policy says so."""
        policy = self.params.gate.consent.sensitive_without_consent
        found: list[dict[str, Any]] = []
        held_for: set[str] = set()
        by_sensitive_policy: set[str] = set()  # types whose action came from `sensitive_without_consent`

        def protect(text: str, msg: int | None, speaker_is_subject: bool) -> str:
            entities = self.detector.detect(text)
            actions: dict[str, str] = dict(self.params.gate.pii.actions)
            if not sensitive_consent:
                disclosures = [
                    Entity(f"SENSITIVE_{d.category.upper()}", d.start, d.end, 1.0, True)
                    for d in self.topics.find(text, speaker_is_subject)
                ]
                entities = _without_overlaps(entities, disclosures)
                for entity in entities:
                    category = _category(entity, minor)
                    if category:
                        actions[entity.type] = policy[category]
                        by_sensitive_policy.add(entity.type)
            redacted, done = self.detector.redact(text, entities, actions, key=self.key)
            for action in done:
                found.append(
                    {"type": action.type, "start": action.start, "end": action.end, "action": action.action}
                    | ({"msg": msg} if msg is not None else {})
                )
                if action.action == "hold":
                    held_for.add(action.type)
            return redacted

        if record.messages is not None:
            record.messages = [
                {**m, "content": protect(m["content"], i, m["role"] == "user")} for i, m in enumerate(record.messages)
            ]
        elif record.text is not None:
            record.text = protect(record.text, None, False)
        record.screened = True
        if found:
            record.labels["pi"] = found
        if held_for:
            sensitive = held_for & by_sensitive_policy
            code = "R7.sensitive_pi_without_consent" if sensitive else "R7.personal_information"
            record.hold(self.name, code, ",".join(sorted(held_for)))
        elif found:
            record.note(self.name, "modify", ",".join(sorted({f["type"] for f in found})))
        else:
            record.note(self.name)


def _category(entity: Entity, minor: bool) -> str | None:
    """The sensitive category whose policy applies to `entity` when consent is missing, or None."""
    if entity.type.startswith("SENSITIVE_"):
        return "minor" if minor else entity.type.removeprefix("SENSITIVE_").lower()
    if minor:
        return "minor"  # all PI of a child under 14 is sensitive (PIPL art. 28)
    return SENSITIVE_CATEGORY_OF.get(entity.type, "identity") if entity.sensitive else None


def _without_overlaps(entities: list[Entity], disclosures: list[Entity]) -> list[Entity]:
    """Entities outside the disclosing sentences, plus those sentences: a sentence acted on covers what it holds."""
    outside = [e for e in entities if not any(d.start < e.end and e.start < d.end for d in disclosures)]
    return sorted(outside + disclosures, key=lambda e: e.start)


def _speaker_text(record: Record) -> str:
    """What the person speaks: their own turns of a chat, or the whole text."""
    if record.messages is not None:
        return "\n".join(m["content"] for m in record.messages if m["role"] == "user")
    return record.text or ""

"""The Presidio side of the personal-information detector: our recognizers and the analyzer that runs them.

Pattern recognizers for mainland identifiers (resident ID, mobile, bank card, permits, passports, plates,
landlines) and Presidio's generic ones (e-mail, phone, credit card, IP, IBAN, URL) in one offline
`AnalyzerEngine`; `pii.PiiDetector` adds context, the prefilter and names. Only `PiiDetector`'s constructor
imports this module: Presidio imports spaCy, 0.8 s that a process which detects nothing (the run's launcher,
the CLI) should not pay.
"""

from __future__ import annotations

import logging
import os
import typing

from pipelines.detectors import identifiers
from pipelines.detectors.identifiers import PLATE_LETTER, PLATE_PROVINCES
from pipelines.params import PiiParams

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # tldextract must not fetch the suffix list

import regex  # noqa: E402  (Presidio compiles with `regex`; its flags must match)
from presidio_analyzer import (  # noqa: E402
    AnalyzerEngine,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402
from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UrlRecognizer,
)

# Presidio logs the text it failed to validate (e.g. IBAN candidates): that may be a personal-information value.
logging.getLogger("presidio-analyzer").setLevel(logging.CRITICAL)


# Recognizers. CJK text has no spaces and `\b` does not separate 号 from 1, so our patterns use ASCII look-arounds.
_B = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
_FLAGS = regex.DOTALL | regex.MULTILINE | regex.ASCII


class _CheckedPatternRecognizer(PatternRecognizer):
    """A pattern recognizer whose `is_valid` drops a failing match but keeps the pattern's score.

    Presidio's `validate_result` would raise every passing match to 1.0, which leaves nothing for context to do.
    """

    ENTITY: str
    PATTERNS: tuple[tuple[str, str, float], ...]

    def __init__(self) -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            patterns=[Pattern(name, _B + rx + _E, score) for name, rx, score in self.PATTERNS],
            global_regex_flags=_FLAGS,
        )

    def is_valid(self, value: str) -> bool:
        return True

    def invalidate_result(self, pattern_text: str) -> bool:
        return not self.is_valid(pattern_text)


class ResidentIdRecognizer(_CheckedPatternRecognizer):
    """18-character resident ID: province, birth date and MOD 11-2 check character validated."""

    ENTITY = "CN_RESIDENT_ID"
    PATTERNS = (("resident id", r"\d{17}[\dXx]", 1.0),)

    def is_valid(self, value: str) -> bool:
        return identifiers.is_resident_id(value)


class ResidentId15Recognizer(_CheckedPatternRecognizer):
    """First-generation 15-digit resident ID: province and birth date validated; no check digit, so cue required."""

    ENTITY = "CN_RESIDENT_ID_15"
    PATTERNS = (("resident id 15", r"\d{15}", 0.4),)

    def is_valid(self, value: str) -> bool:
        return identifiers.is_resident_id_15(value)


class MobileRecognizer(_CheckedPatternRecognizer):
    """Mainland mobile: 1[3-9] + 9 digits, optional +86, optional 3-4-4 spaces or dashes."""

    ENTITY = "CN_MOBILE"
    PATTERNS = (("cn mobile", r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}", 0.6),)


class BankCardRecognizer(_CheckedPatternRecognizer):
    """Bank card: 13-19 digits, plain or in groups of four, Luhn valid; needs a cue (银行卡, 卡号, card ...)."""

    ENTITY = "BANK_CARD"
    PATTERNS = (("bank card", r"\d{13,19}|\d{4}(?:[\s-]\d{4}){3}(?:[\s-]\d{1,3})?|\d{4}[\s-]\d{6}[\s-]\d{5}", 0.4),)

    def is_valid(self, value: str) -> bool:
        return identifiers.is_luhn_valid(value)


class HkMacauPermitRecognizer(_CheckedPatternRecognizer):
    """Exit-entry permit for Hong Kong and Macau: H or M + 8 or 10 digits; needs a cue (通行证, permit ...)."""

    ENTITY = "HK_MACAU_PERMIT"
    PATTERNS = (("hk macau permit", r"[HMhm]\d{8}(?:\d{2})?", 0.4),)


class PassportRecognizer(_CheckedPatternRecognizer):
    """Chinese passports: E/G + 8 digits, E + letter + 7 digits, D/S/P(E) + 7 digits; needs a cue (护照, passport)."""

    ENTITY = "PASSPORT"
    PATTERNS = (("cn passport", rf"[EG]\d{{8}}|E{PLATE_LETTER}\d{{7}}|[DSP]E?\d{{7}}", 0.4),)


class LicencePlateRecognizer(_CheckedPatternRecognizer):
    """Mainland licence plates: province character, letter, then 5 characters (6 for new-energy vehicles)."""

    ENTITY = "LICENCE_PLATE"
    PATTERNS = (
        (
            "cn plate",
            rf"[{PLATE_PROVINCES}]{PLATE_LETTER}[·•\s-]?"
            rf"(?:[DF][A-HJ-NP-Z0-9]\d{{4}}|\d{{5}}[DF]|[A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳])",
            0.6,
        ),
    )

    def is_valid(self, value: str) -> bool:
        return any(char.isdigit() for char in value)


class LandlineRecognizer(_CheckedPatternRecognizer):
    """Mainland landline: area code 0xx/0xxx, then a 7-8 digit local number; without a separator a cue is needed."""

    ENTITY = "LANDLINE"
    PATTERNS = (
        ("landline with separator", r"(?:\(0\d{2,3}\)\s?|0\d{2,3}[\s-])[2-9]\d{6,7}", 0.6),
        ("landline digits only", r"0\d{2,3}[2-9]\d{6,7}", 0.4),
    )


class _ContextualCreditCardRecognizer(CreditCardRecognizer):
    """Presidio's credit-card pattern with the Luhn check as a filter, so that a cue is still needed.

    UnionPay numbers (prefix 62) are left to the bank-card recognizer: in China they are 银行卡 unless a credit cue
    says otherwise, while a Visa, Mastercard or Amex number after a plain "card number" is a credit card.
    """

    def validate_result(self, pattern_text: str) -> None:
        return None

    def invalidate_result(self, pattern_text: str) -> bool:
        return identifiers.digits_only(pattern_text).startswith("62") or not super().validate_result(pattern_text)


class _FormattedPhoneRecognizer(PhoneRecognizer):
    """Presidio's phone recognizer, keeping numbers written with '+', brackets, spaces or dashes.

    A bare run of digits (an order number, 12147974163) also parses as some country's number; mainland
    numbers written that way are left to CN_MOBILE and LANDLINE, whose shapes are stricter.
    """

    def analyze(self, text: str, entities: list[str], nlp_artifacts: typing.Any = None) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts)
        return [r for r in results if not text[r.start : r.end].isdigit()]


_OWN_RECOGNIZERS = (
    ResidentIdRecognizer,
    ResidentId15Recognizer,
    MobileRecognizer,
    BankCardRecognizer,
    HkMacauPermitRecognizer,
    PassportRecognizer,
    LicencePlateRecognizer,
    LandlineRecognizer,
)


def _fresh_patterns(recognizer_class: type[PatternRecognizer]) -> list[Pattern]:
    # Presidio caches compiled regexes on class-level Pattern objects; private copies keep instances independent.
    return [Pattern(p.name, p.regex, p.score) for p in recognizer_class.PATTERNS]


def build_analyzer(params: PiiParams) -> AnalyzerEngine:
    """One offline `AnalyzerEngine` with exactly the recognizers `params.entities` needs (no model download)."""
    nlp_engine = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "none"}]}
    ).create_engine()
    presidio_own = [
        EmailRecognizer(patterns=_fresh_patterns(EmailRecognizer)),
        _FormattedPhoneRecognizer(supported_regions=tuple(params.phone_regions)),
        _ContextualCreditCardRecognizer(patterns=_fresh_patterns(CreditCardRecognizer)),
        IpRecognizer(patterns=_fresh_patterns(IpRecognizer)),
        IbanRecognizer(),
        UrlRecognizer(patterns=_fresh_patterns(UrlRecognizer)),
    ]
    for recognizer in presidio_own:
        if isinstance(recognizer, PatternRecognizer):
            recognizer.global_regex_flags |= regex.ASCII  # keep `\w` from running through CJK text
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in [*presidio_own, *(cls() for cls in _OWN_RECOGNIZERS)]:
        if set(recognizer.supported_entities) & set(params.entities):
            registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])

"""Personal-information detection and redaction, pure Python (R7, R10; PIPL art. 28, 29; Measures art. 16).

`PiiDetector` finds mainland identifiers (resident ID, mobile, bank card, permits, passports, plates,
landlines), Presidio's generic ones (e-mail, phone, credit card, IP, IBAN, URL) and, through `names.py`,
person names and addresses. `PiiDetector.redact` applies redact / mask / pseudonymise / hold per type.

How a detection is decided:

1. One offline Presidio `AnalyzerEngine` (no_op NLP engine, so no model) runs the pattern recognizers of
   `recognizers.py`, imported when a detector is built: importing this module does not import Presidio.
   Checksums (ISO 7064 MOD 11-2, Luhn, IBAN) and birth dates are checked by the recognizers; a failing match
   is dropped.
2. Context: the no_op engine has no tokens, so Presidio's context words do nothing. `_ContextRule`s do it
   instead, on the original text: a cue word (身份证, 手机, 银行卡, card ...) within `context_window`
   characters raises the score by `context_boost`; weak patterns (cards, permits, passports, old IDs) need
   a cue; a negative cue (订单号, version, timestamp ...) drops a weak match unless a positive cue sits
   beside it. The text before the match is read first; the text after it only when the text before holds
   no cue.
3. Matches under `score_threshold` are dropped; overlaps are resolved (longest wins, then the more specific
   type, then the higher score).

Speed: the analyzer is built once per detector. With `prefilter` on, Presidio only sees records that hold a
trigger (four digits in a row, digit groups, '@', a plate prefix ...), and the Chinese tagger only sentences that
hold a surname character or a cue (see names.py). `evaluation/eval_pii.py` shows recall with and without it.

No personal-information value is logged, raised or put into an `Entity` or `Action`: types and offsets only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass

import regex

from pipelines.detectors import identifiers
from pipelines.detectors.identifiers import PLATE_LETTER, PLATE_PROVINCES
from pipelines.detectors.names import ADDRESS, PERSON, NameAddressFinder
from pipelines.params import ENTITY_TYPES, ActionName, PiiParams

if typing.TYPE_CHECKING:
    from presidio_analyzer import RecognizerResult

_NAME_TYPES = frozenset({PERSON, ADDRESS})


@dataclass(frozen=True)
class Entity:
    """A detected span: type and offsets into the analysed text, never the value."""

    type: str
    start: int
    end: int
    score: float
    sensitive: bool


@dataclass(frozen=True)
class Action:
    """What `redact` did to one entity, at its offsets in the original text; never the value."""

    type: str
    start: int
    end: int
    action: ActionName


# ---------------------------------------------------------------------------------------------------------------
# Context: our replacement for Presidio's token-based context enhancement.
@dataclass(frozen=True)
class _ContextRule:
    cues: str  # "|"-separated cue words, matched case-insensitively
    required: bool = False  # weak pattern: dropped unless a cue is near
    vetoable: bool = True  # a negative cue (order number, version ...) without a positive one drops the match


_ID_CUES = "身份证|证件|公民身份|身份号|id card|identity|id number|id no"
_PHONE_CUES = (
    "手机|电话|联系|致电|来电|号码|微信|打给|热线|mobile|phone|cell|call|tel|contact|reach|text me|whatsapp|wechat|dial"
)
_CONTEXT_RULES: dict[str, _ContextRule] = {
    "CN_RESIDENT_ID": _ContextRule(_ID_CUES, vetoable=False),
    "CN_RESIDENT_ID_15": _ContextRule(_ID_CUES, required=True),
    "HK_MACAU_PERMIT": _ContextRule("通行证|回乡证|港澳|permit|hong kong|macau|macao", required=True),
    "PASSPORT": _ContextRule("护照|passport", required=True),
    "CREDIT_CARD": _ContextRule(
        "信用卡|万事达|运通|卡号|credit|visa|mastercard|amex|american express|jcb|discover|diners|card number|card no",
        required=True,
    ),
    "BANK_CARD": _ContextRule(
        "银行卡|储蓄卡|借记卡|卡号|账号|帐号|账户|开户|转账|汇款|bank|debit|account|card number|card no", required=True
    ),
    "IBAN_CODE": _ContextRule("iban|bank|account", vetoable=False),
    "CN_MOBILE": _ContextRule(_PHONE_CUES),
    "LANDLINE": _ContextRule(_PHONE_CUES + "|座机|固话|传真|fax|landline|office"),
    "PHONE_NUMBER": _ContextRule(_PHONE_CUES),
    "LICENCE_PLATE": _ContextRule("车牌|牌照|车辆|号牌|plate|licence|license|vehicle"),
    "EMAIL_ADDRESS": _ContextRule("邮箱|邮件|email|e-mail|mail", vetoable=False),
    "IP_ADDRESS": _ContextRule("ip|地址|服务器|主机|server|host|address"),
    "URL": _ContextRule("网址|链接|网站|url|link|website", vetoable=False),
}
# Order numbers, timestamps and software versions: "升级到4.15.6.10", "firmware 17.19.19.17" are no IP addresses.
_NEGATIVE_CUES = (
    "订单|单号|编号|流水|快递|运单|批次|版本|固件|升级|更新|补丁|时间戳|序列号|工单|发票|"
    "order|tracking|invoice|version|v|firmware|update|updated|updating|upgrade|upgraded|upgrading|patch|build|"
    "timestamp|serial|sku|ticket|ref|release|released"
)


def _cue_regex(cues: str) -> re.Pattern[str]:
    # ASCII cues must be whole words ("ip" is not in "ship"); CJK cues are words of their own.
    alternatives = (rf"(?<![a-z]){re.escape(c)}(?![a-z])" if c.isascii() else re.escape(c) for c in cues.split("|"))
    return re.compile("|".join(alternatives), re.IGNORECASE)


# Where a sentence ends: CJK and other stops, and ". " unless it closes an abbreviation (No., Dr., Tel. ...).
_SENTENCE_END = regex.compile(r"[。！？!?；;\n]|(?<!\b(?:[Nn]o|NO|[Nn]r|[Dd]r|Mrs?|Ms|St|[Tt]el|[Ff]ax|[Rr]ef|ID))\.\s")
_POSITIVE = {entity_type: _cue_regex(rule.cues) for entity_type, rule in _CONTEXT_RULES.items()}
_NEGATIVE = _cue_regex(_NEGATIVE_CUES)

# Prefilter triggers: anything any structured recognizer could match contains one of these. Each is searched on
# its own and starts with a character class or a literal, which the regex engine skips ahead to (3x faster).
_TRIGGERS: dict[str, str] = {
    "digits": r"\d(?:\d{3}|\d\d[\s-]\d|[.:]\d)",  # four digits, three and a separated one, 1.2 or 1:2
    "EMAIL_ADDRESS": "@",
    "IP_ADDRESS": r"[0-9A-Fa-f]:[0-9A-Fa-f]*:",
    "LICENCE_PLATE": rf"[{PLATE_PROVINCES}]{PLATE_LETTER}",
    "URL": r"://|www\.|[A-Za-z0-9]\.[A-Za-z]{2}",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


class PiiDetector:
    """Detects and redacts personal information (R7, R10). Build once per worker; `detect` is thread-safe.

    Construction takes only `params` (nothing to pickle): it builds the Presidio analyzer and loads the Chinese
    tagger and the name gazetteer, which takes about half a second.
    """

    def __init__(self, params: PiiParams) -> None:
        if not isinstance(params, PiiParams):
            raise TypeError(f"params must be PiiParams, got {type(params).__name__}")
        self.params = params
        self._structured = [t for t in params.entities if t not in _NAME_TYPES]
        self._names = [t for t in params.entities if t in _NAME_TYPES]
        self._sensitive = frozenset(params.sensitive_entities)
        from pipelines.detectors.recognizers import build_analyzer  # Presidio: only where detection runs

        self.analyzer = build_analyzer(params)
        self._finder = NameAddressFinder(prefilter=params.prefilter) if self._names else None
        self._triggers = [re.compile(rx) for t, rx in _TRIGGERS.items() if t == "digits" or t in params.entities]
        # Compile every pattern and load tldextract's bundled suffix list now, in the constructing thread.
        self.analyzer.analyze("warm-up a@example.com 10.0.0.1 13800000000", language="en")

    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        """Entities in `text`, sorted by start, without overlaps; [] for an empty text.

        `language` ("zh", "en", "zh-Hans" ...) picks the name and address rules; None picks them by script (CJK
        characters -> Chinese rules, Latin letters -> English rules); another language gets structured
        identifiers only. Raises TypeError when `text` or `language` is not a string.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        if language is not None and not isinstance(language, str):
            raise TypeError(f"language must be str or None, got {type(language).__name__}")
        if not text:
            return []
        candidates = self._structured_candidates(text)
        if self._finder is not None:
            base = language.split("-")[0].lower() if language else None
            chinese = base == "zh" if base else bool(_CJK.search(text))
            english = base == "en" if base else bool(_LATIN.search(text))
            candidates += [
                (s.type, s.start, s.end, s.score)
                for s in self._finder.find(text, chinese=chinese, english=english)
                if s.type in self._names
            ]
        kept = [
            Entity(entity_type, start, end, score, entity_type in self._sensitive)
            for entity_type, start, end, score in candidates
            if score >= self.params.score_threshold
        ]
        return _resolve_overlaps(kept)

    def _structured_candidates(self, text: str) -> list[tuple[str, int, int, float]]:
        if not self._structured or (self.params.prefilter and not any(t.search(text) for t in self._triggers)):
            return []
        results = self.analyzer.analyze(text, language="en", entities=self._structured, score_threshold=0.0)
        scored = ((r.entity_type, r.start, r.end, self._score_with_context(text, r)) for r in results)
        return [candidate for candidate in scored if candidate[3] > 0.0]

    def _score_with_context(self, text: str, result: RecognizerResult) -> float:
        rule = _CONTEXT_RULES.get(result.entity_type)
        if rule is None:
            return result.score
        window, positive = self.params.context_window, _POSITIVE[result.entity_type]
        # Cues count within the match's own sentence only.
        before = _SENTENCE_END.split(text[max(0, result.start - window) : result.start])[-1]
        cue = _cue_near(before, positive)
        if cue is None:
            cue = _cue_near(_SENTENCE_END.split(text[result.end : result.end + window], maxsplit=1)[0], positive)
        if cue is True:
            return min(1.0, result.score + self.params.context_boost)
        if (cue is False and rule.vetoable) or rule.required:
            return 0.0
        return result.score

    def redact(
        self,
        text: str,
        entities: list[Entity],
        actions: Mapping[str, ActionName] | None = None,
        *,
        key: bytes | None = None,
    ) -> tuple[str, list[Action]]:
        """`text` with every entity replaced, and what was done (types, offsets, actions; never values).

        `actions` overrides `params.actions` per type. The replacements:
        - redact: `<TYPE>`.
        - mask: the shape stays (separators, length) and letters and digits become `*`, except the first three
          and last four of an identifier with 11 or more of them (138****5678), the first character of a
          shorter value or a name (张**), nothing of an address, and the domain of an e-mail (z*******@qq.com).
        - pseudonymise: `<TYPE_xxxxxxxx>`, the first 8 hex digits of HMAC-SHA256(key, type + value), the value
          taken without separators and case-folded: the same person gets the same pseudonym under one key and
          unrelated ones under another (R10). Needs `key`.
        - hold: redacted like `redact`, and the Action tells the caller to hold the record back (R7).
        Raises ValueError for entities outside the text or overlapping, an unknown action or a missing key.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        chosen = {**self.params.actions, **(actions or {})}
        ordered = sorted(entities, key=lambda e: e.start)
        pieces, done, cursor = [], [], 0
        for entity in ordered:
            if not 0 <= entity.start < entity.end <= len(text) or entity.start < cursor:
                raise ValueError(f"entity {entity.type} at {entity.start}:{entity.end} is outside the text or overlaps")
            action = chosen.get(entity.type)
            if action not in typing.get_args(ActionName):
                raise ValueError(f"no valid action for {entity.type}: {action!r}")
            value = text[entity.start : entity.end]
            pieces += [text[cursor : entity.start], self._replacement(entity.type, value, action, key)]
            done.append(Action(entity.type, entity.start, entity.end, action))
            cursor = entity.end
        pieces.append(text[cursor:])
        return "".join(pieces), done

    @staticmethod
    def _replacement(entity_type: str, value: str, action: ActionName, key: bytes | None) -> str:
        if action == "mask":
            return mask(entity_type, value)
        if action == "pseudonymise":
            return f"<{entity_type}_{pseudonym(entity_type, value, key)}>"
        return f"<{entity_type}>"


def mask(entity_type: str, value: str) -> str:
    """`value` with its letters and digits starred, keeping its shape; see `PiiDetector.redact` for what stays."""
    if entity_type == "EMAIL_ADDRESS" and "@" in value:
        local, _, domain = value.partition("@")
        return local[:1] + "*" * (len(local) - 1) + "@" + domain
    positions = [i for i, char in enumerate(value) if char.isalnum()]
    if entity_type == ADDRESS:
        keep: set[int] = set()
    elif entity_type != PERSON and len(positions) >= 11:
        keep = set(positions[:3] + positions[-4:])
    else:
        keep = set(positions[:1])
    return "".join(char if i in keep or not char.isalnum() else "*" for i, char in enumerate(value))


def pseudonym(entity_type: str, value: str, key: bytes | None) -> str:
    """8 hex digits of HMAC-SHA256 over the type and the normalised value (R10: keyed, consistent pseudonyms)."""
    if not isinstance(key, bytes) or not key:
        raise ValueError("pseudonymise needs a non-empty bytes key")
    normalised = identifiers.digits_only(value).casefold()
    return hmac.new(key, f"{entity_type}\x00{normalised}".encode(), hashlib.sha256).hexdigest()[:8]


def _cue_near(window: str, positive: re.Pattern[str]) -> bool | None:
    """True when `window` holds a positive cue, False when it holds only a negative one, None when neither."""
    if positive.search(window):
        return True
    return False if _NEGATIVE.search(window) else None


def _resolve_overlaps(entities: list[Entity]) -> list[Entity]:
    """Keep the longest of overlapping entities, then the more specific type, then the higher score."""
    rank = {entity_type: i for i, entity_type in enumerate(ENTITY_TYPES)}
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: (e.start - e.end, rank[e.type], -e.score)):
        if all(entity.end <= other.start or entity.start >= other.end for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: (e.start, e.end))

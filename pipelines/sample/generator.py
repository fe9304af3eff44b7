"""The embedded sample corpus: a small, deterministic corpus with an exact record of every planted case.

`write_sample(out_dir)` writes the input files of a demonstration run and `truth.jsonl`, the ground truth
that tests and evaluation scripts measure the stages against: consent and minors (R7, R8), personal information
(R7, R10), risk content and look-alikes (R6), synthetic data (R4), duplicates (R3), cleaning and malformed input
(R2), provenance metadata (R1). Everything is made up by the generator from `phrases.py`: no value belongs to a
real person (e-mail domains and IP ranges are the reserved documentation ones).

Files, in "first occurrence" order: web_zh.jsonl, web_en.jsonl, companion_chat.jsonl, synthetic.jsonl,
forum.csv (`id,text,licence`), books.parquet (`id`, `text`, `licence`), and empty.jsonl (0 bytes).

forum.csv (`TAINTED_FILE`), the scraped forum posts, is the tainted source of TC260-003 5.1 (R6): it holds most
planted risk records, over a third of its rows, so the whole source must be refused. Every other file keeps its
planted risk records under 2% of its rows, well under the 5% limit, to show per-record quarantine instead; they
hold every look-alike, which must be kept.

truth.jsonl holds one object per planted record, sorted by file (order above) and row:

    {"file": str, "row": int, "tags": [str, ...], "pi": [{"type", "start", "end", "msg"?}]?, "of": {"file", "row"}?}

`row` is the 0-based physical line of a JSONL file (blank lines count), the 0-based data row of forum.csv
(header excluded) and of books.parquet. `pi` lists the planted values of every `pi:*` and `decoy:*` tag as
half-open offsets in Unicode code points into the record's `text`, or, with `msg`, into
`messages[msg]["content"]`; a span covers the value as written (with "+86 ", spaces or "·"). Truth never holds
the values themselves. `of` points at the original of a duplicate.

Every record of companion_chat.jsonl and synthetic.jsonl is in truth, because each carries a consent or
synthetic status that a gate must get right; tags in `STATUS_TAGS` alone mark such a record as ordinary.
`scale` multiplies the ordinary records; the planted ones are the same at every scale.

Tag vocabulary (`TAG_MINIMUMS` gives how many records carry each tag at any scale):

- Duplicates (R3). `exact_dup`: the same content as the record `of` points at, its first occurrence (by the
  file order above, then row), once NFKC, casefolding and collapsing whitespace are applied: some copies differ
  in whitespace, case or full-width punctuation; chats repeat the messages. `near_dup`: the original `of`, an
  ordinary record of at least 150 words (en) or Han characters (zh), re-posted with one small edit: a word (en)
  or one or two characters (zh) put in or swapped, or a short clause added at the start or the end. Under the near-dup
  stage's shingles (`pipelines.detectors.minhash.MinHasher`: word 5-grams, character 5-grams of zh; case and
  punctuation ignored) its Jaccard to the original is at least 0.85, above the stage's 0.8, yet a word or
  character really differs. Copies cross files too: exact ones web_zh -> forum.csv and web_en -> books.parquet,
  near ones web_zh and web_en -> books.parquet; near copies and their originals stay out of companion_chat.jsonl
  and the tainted source, so both reach the near-dup stage. No other pair of records (but a `synthetic:regurgitation`
  and its original) reaches a Jaccard of 0.5,
  no two ordinary records 0.45, under character 5-grams or the stage's shingles (see `_Diversity`).
- Personal information (R7, R10), each with spans: `pi:cn_resident_id` (18 characters, valid area code, birth
  date and ISO 7064 MOD 11-2 check), `pi:cn_resident_id_15`, `pi:cn_mobile`, `pi:bank_card` (16-19 digits,
  Luhn-valid, near 银行卡 or "card"), `pi:credit_card` (Visa or Mastercard, 16 digits, Luhn-valid), `pi:email`,
  `pi:ip`, `pi:person_name_zh`, `pi:person_name_en`, `pi:address_zh`, `pi:passport`, `pi:hk_macau_permit`,
  `pi:licence_plate`, `pi:landline`. Decoys that must not be taken for identifiers, also with spans:
  `decoy:cn_resident_id_bad_checksum`, `decoy:bank_card_bad_luhn`, `decoy:order_number` (after 订单号 or
  "order no.", failing Luhn and the ID check), `decoy:timestamp` (YYYYMMDDhhmmss or Unix seconds/milliseconds,
  failing Luhn), `decoy:version` (v2.13.0, 4.19.2.1).
- Sensitive personal information, PIPL art. 28 (R7): `sensitive:health`, `sensitive:religion`,
  `sensitive:location`, `sensitive:biometric`, `sensitive:financial`.
- Risk content (R6), in plain text and in assistant turns: `risk:A1.6` violence, `risk:A1.7` rumours,
  `risk:A1.8` gambling, `risk:A2.12` regional and `risk:A2.13` gender discrimination, `risk:A4.25` insult and
  defamation; companion risks `risk:C.self_harm`, `risk:C.verbal_abuse`, `risk:C.emotional_manipulation`,
  `risk:C.dependency`, `risk:C.false_promise`, `risk:C.secret_extraction`, `risk:C.minor_harm`. Of each risk
  id, one record is an assistant turn in companion_chat.jsonl (two for `risk:C.minor_harm`: a child's age only
  in the text, or on record with a guardian's consent), one is in web text, books or a synthetic chat, and the
  rest are forum posts, in the tainted source.
  Benign look-alikes that must be kept: `lookalike:A1.6` (crime news), `lookalike:A1.8` (gambling crackdown
  news), `lookalike:C.self_harm` (prevention text with a hotline), in web text and books only.
- Consent and minors, companion_chat.jsonl only (R7, R8). Each record has exactly one of
  `interaction:consented` (`consent` is a list holding "training"), `interaction:no_consent` (no `consent`, or a
  list without "training") and `consent:malformed` (`consent` a string or number, or `age` not an integer: to
  be held back). `minor:guardian_consent` and `minor:no_guardian_consent`: integer `age` under 14 with or without
  "guardian" in `consent`; `minor:text_signal`: no `age` field, a user turn gives an age under 14.
- Synthetic data, synthetic.jsonl only (R4), derived from each record's fields: `synthetic:declared` (`origin`
  is "synthetic"), `synthetic:aigc_label` (a GB 45438 `AIGC` label with `Label` "1", "2" or "3", as an object or
  a JSON string), `synthetic:generator_meta` (`generator` with `model`, `service` and `obtained_at`),
  `synthetic:aigc_malformed` (an `AIGC` field that is no valid label: `Label` "7", no `Label`, not JSON),
  `synthetic:missing_generator_meta` (declared, validly labelled or with a `generator` object, but without a
  complete `generator`),
  `synthetic:degenerate` (one sentence repeated, or cut off mid-word). Planted safety failures:
  `synthetic:memorisation` (structured identifiers, with their `pi:*` tags and spans), `synthetic:regurgitation`
  (the first three quarters of an ordinary web record `of` points at, plus a few sentences of its own: a Jaccard
  to it of 0.55-0.8 under the near-dup stage's shingles, so the near-dup stage keeps both), and in assistant turns
  of generated chats `synthetic:sycophancy` (siding with the user against the people around them),
  `synthetic:false_promise` (meeting in person) and `synthetic:self_harm_unanswered` (a user's self-harm
  disclosure answered without comfort or a path to help).
- Cleaning (R2): `clean:html` (tags and entities, double-escaped &amp;nbsp;), `clean:zero_width` (U+200B,
  U+FEFF inside words), `clean:fullwidth` (full-width ASCII letters and digits), `clean:control` (control
  characters; JSONL only), `clean:too_short` (1-3 characters), `clean:whitespace` (runs of spaces, tabs, newlines).
- Malformed input lines, web_zh.jsonl and web_en.jsonl (R2): `malformed:json` (truncated JSON),
  `malformed:utf8` (invalid UTF-8 bytes), `malformed:no_text` (an object with neither `text` nor `messages`),
  `malformed:not_object` (a JSON array or number), `malformed:bad_messages` (`messages` a string, or turns
  without `content`), `malformed:empty_text` (`text` is ""). Each file also holds blank lines, which are not
  records and are not in truth.

Ordinary records (in no truth line, or with status tags only) are everyday zh and en texts and chats of 50-1500
characters, with no personal information, no risk content, no digit runs, and no two of them near-duplicates.
"""

from __future__ import annotations

import csv
import io
import json
import math
import pathlib
import random
import re
import string
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.sample import phrases

DATA_FILES = ("web_zh.jsonl", "web_en.jsonl", "companion_chat.jsonl", "synthetic.jsonl", "forum.csv", "books.parquet")
EMPTY_FILE = "empty.jsonl"
TRUTH_FILE = "truth.jsonl"
WEB_ZH, WEB_EN, CHAT, SYNTHETIC, FORUM, BOOKS = DATA_FILES
TAINTED_FILE = FORUM  # the source over TC260-003 5.1's 5% of harmful records (R6)

# Ordinary (unplanted) records per file at scale 1; planted records come on top.
ORDINARY_RECORDS = {
    WEB_ZH: 799,
    WEB_EN: 606,
    CHAT: 630,
    SYNTHETIC: 347,
    FORUM: 100,
    BOOKS: 128,
}

# What every chat or synthetic record carries by its metadata alone, planted or not.
STATUS_TAGS = frozenset(
    {
        "interaction:consented",
        "interaction:no_consent",
        "synthetic:declared",
        "synthetic:aigc_label",
        "synthetic:generator_meta",
    }
)

_PI_TYPES = (
    "cn_resident_id",
    "cn_resident_id_15",
    "cn_mobile",
    "bank_card",
    "credit_card",
    "email",
    "ip",
    "person_name_zh",
    "person_name_en",
    "address_zh",
    "passport",
    "hk_macau_permit",
    "licence_plate",
    "landline",
)
_DECOYS = ("cn_resident_id_bad_checksum", "bank_card_bad_luhn", "order_number", "timestamp", "version")
_RISKS = tuple(phrases.RISK_LINES)
_PI_PER_TYPE, _SENSITIVE_PER_TYPE, _RISK_PER_ID, _LOOKALIKE_PER_ID = 10, 10, 12, 8
# Generated records with a planted safety failure (R4), beside `synthetic:degenerate`.
_SYNTHETIC_FAILURES = ("memorisation", "regurgitation", "sycophancy", "false_promise", "self_harm_unanswered")
_MEMORISED = (("cn_mobile", "zh"), ("email", "en"), ("cn_resident_id", "zh"), ("credit_card", "en"))
_REGURGITATED_SHARE, _REGURGITATION_ADDED = 0.75, 0.15  # of the original's characters: Jaccard about 0.65

TAG_MINIMUMS: dict[str, int] = {
    "exact_dup": 12,
    "near_dup": 12,
    **{f"pi:{name}": _PI_PER_TYPE for name in _PI_TYPES},
    **{f"decoy:{name}": _PI_PER_TYPE for name in _DECOYS},
    **{f"sensitive:{name}": _SENSITIVE_PER_TYPE for name in phrases.SENSITIVE},
    **{f"risk:{name}": _RISK_PER_ID for name in _RISKS},
    **{f"lookalike:{name}": _LOOKALIKE_PER_ID for name in phrases.LOOKALIKES},
    "interaction:consented": 300,
    "interaction:no_consent": 150,
    "consent:malformed": 6,
    "minor:guardian_consent": 8,
    "minor:no_guardian_consent": 6,
    "minor:text_signal": 8,
    "synthetic:declared": 300,
    "synthetic:aigc_label": 150,
    "synthetic:generator_meta": 300,
    "synthetic:aigc_malformed": 9,
    "synthetic:missing_generator_meta": 20,
    "synthetic:degenerate": 8,
    **{f"synthetic:{name}": 4 for name in _SYNTHETIC_FAILURES},
    **{f"clean:{name}": 8 for name in ("html", "zero_width", "fullwidth", "control", "too_short", "whitespace")},
    **{f"malformed:{name}": 4 for name in ("json", "utf8", "no_text", "not_object", "bad_messages", "empty_text")},
}

Fragment = tuple[str, str | None]  # a piece of text and, for a planted value, its span type

_LANGS = ("zh", "en")
_MINOR_AGE = 14  # under it, a guardian must consent (PIPL art. 31)
_TOPICS = tuple(phrases.TOPICS)
_MIN_SENTENCES = {"zh": 3, "en": 4}  # fewer would repeat across a corpus of thousands
_MAX_DRAWS = 50  # draws of a text before `_Diversity` must take the last one
# Texts of more parts are left out of `_Diversity`: two of them share few of their parts, and a short text is a
# small share of a long one (the tests check both). Without the cut-off, checks grow with the square of the corpus.
_LONG_TEXT_PARTS = 12
_TEMPLATE_COUNT = {lang: sum(len(bank[lang]) for bank in phrases.TOPICS.values()) for lang in _LANGS}
_SEP = {"zh": "", "en": " "}
_PLACES = ("{web}", CHAT, FORUM, "{web}", BOOKS, SYNTHETIC)
# Where the one risk record of each id outside companion_chat.jsonl and the tainted source goes, by risk id.
_RISK_PLACES = ("{web}", "{web}", SYNTHETIC, BOOKS)
_LOOKALIKE_PLACES = ("{web}", BOOKS)
_CONTEXT_OF = {"cn_resident_id_bad_checksum": "cn_resident_id", "bank_card_bad_luhn": "bank_card"}
_FORUM_LICENCES = ("CC-BY-SA-4.0",) * 8 + ("", "CC-BY-NC-4.0")
_BOOK_LICENCES = ("CC0-1.0", "CC-BY-4.0", "LicenseRef-publisher-agreement")
_CONSENT_CHOICES = (("training",), ("training", "sensitive_pi"), (), None, ("sensitive_pi",))
_GENERATOR_GAPS = {"full": None, "no_time": "obtained_at", "no_model": "model"}


@dataclass(eq=False)
class _Entry:
    """One line or row of a data file before the files are shuffled and written."""

    file: str
    payload: Any  # a JSON value; bytes are written as a raw line, None as a blank line
    lang: str = ""
    tags: list[str] = field(default_factory=list)
    pi: list[dict[str, Any]] = field(default_factory=list)
    of: _Entry | None = None
    original_candidate: bool = False  # an ordinary record that a planted duplicate may copy
    row: int = -1


@dataclass
class _Exchange:
    """A user turn and the assistant's answer, with the templates they were made from."""

    parts: list[str]
    user: list[Fragment]
    assistant: str


@dataclass
class _Core:
    """What a planted record says, and who says it when it is placed in a chat."""

    fragments: list[Fragment]
    speaker: str = "user"
    prompt: str = ""  # the user turn before an assistant's core
    meta: dict[str, Any] | None = None  # chat metadata instead of a consenting adult's
    tags: tuple[str, ...] = ()


def write_sample(out_dir: pathlib.Path, seed: int = 20260715, scale: int = 1) -> dict[str, int]:
    """Write the sample corpus and truth.jsonl into `out_dir`; the same seed and scale give identical bytes.

    `scale` multiplies the ordinary records; planted records are the same at every scale. Returns the records
    written per file: non-blank lines of a JSONL file (malformed ones included), data rows of CSV and Parquet.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be an int of at least 1, got {scale!r}")
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = _Builder(random.Random(seed), scale)
    builder.build()
    return builder.write(out_dir)


class _Builder:
    """Collects the entries of every file from seeded draws, then shuffles and writes them with their truth."""

    def __init__(self, rng: random.Random, scale: int) -> None:
        self.rng = rng
        self.scale = scale
        self.files: dict[str, list[_Entry]] = {name: [] for name in DATA_FILES}
        self.serial = 0
        self.subjects_added = 0
        self.diversity = _Diversity(max_overlap=0.35)
        self.subjects = [
            (f"u-{n:06d}", None if rng.random() < 0.2 else rng.randint(_MINOR_AGE, 75))
            for n in range(1, ORDINARY_RECORDS[CHAT] * scale // 2 + 1)
        ]

    # ---- assembly ---------------------------------------------------------------------------------------

    def build(self) -> None:
        self._ordinary()
        self._personal_information()
        self._sensitive()
        self._risks_and_lookalikes()
        self._consent_and_minors()
        self._synthetic()
        self._cleaning()
        self._malformed()
        self._duplicates()
        self._synthetic_failures()  # last, so that every earlier draw stays what it was before these were added

    def add(self, file: str, payload: Any, lang: str = "", tags: Sequence[str] = (), **kw: Any) -> _Entry:
        entry = _Entry(file, payload, lang, list(tags), **kw)
        if file == CHAT:
            entry.tags += _chat_status_tags(payload)
        elif file == SYNTHETIC:
            entry.tags += _synthetic_tags(payload)
        self.files[file].append(entry)
        return entry

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial:06d}"

    def new_subject(self) -> str:
        """A subject id outside the pool of everyday users, for a planted child or malformed consent (R8, R9)."""
        self.subjects_added += 1
        return f"u-{len(self.subjects) + self.subjects_added:06d}"

    # ---- ordinary text ----------------------------------------------------------------------------------

    def fill(self, template: str, lang: str, *banks: Mapping[str, Sequence[str]]) -> str:
        """`template` with every {slot} drawn from `banks`, then the everyday slots of `lang`."""
        text = template.format_map(_Slots(self.rng, (*banks, phrases.SLOTS[lang])))
        return text[0].upper() + text[1:] if lang == "en" else text

    def sentence(self, lang: str, topic: str | None = None) -> tuple[str, str]:
        """An everyday sentence on `topic` (any if None), and the template it came from."""
        template = self.rng.choice(phrases.TOPICS[topic or self.rng.choice(_TOPICS)][lang])
        text = self.fill(template, lang)
        if lang == "zh" and self.rng.random() < 0.25:
            text = self.rng.choice(phrases.OPENERS_ZH) + text
        return template, text

    def sentences(self, lang: str, min_chars: int, min_count: int = 1, beside: str = "") -> list[str]:
        """Everyday sentences, at least `min_chars` long in all, up to four on a main topic, no template twice;
        together with `beside` (a planted line) not mostly the parts of an earlier text (see `_Diversity`)."""
        for attempt in range(_MAX_DRAWS):
            topic = self.rng.choice(_TOPICS)
            drawn: dict[str, str] = {}  # template -> sentence
            on_topic = 0
            while (sum(map(len, drawn.values())) < min_chars or len(drawn) < min_count) and len(
                drawn
            ) < _TEMPLATE_COUNT[lang]:
                main = on_topic < 4 and self.rng.random() < 0.5
                template, text = self.sentence(lang, topic if main else None)
                if template not in drawn:
                    drawn[template] = text
                    on_topic += main
            if self.diversity.admit([*drawn, beside], force=attempt == _MAX_DRAWS - 1):
                break
        return list(drawn.values())

    def ordinary_text(self, lang: str, low: int = 50, high: int = 1500) -> str:
        """Everyday prose of a log-uniform length between `low` and `high` characters, in paragraphs."""
        target = int(math.exp(self.rng.uniform(math.log(low + 10), math.log(high - 150))))
        text = ""
        for sentence in self.sentences(lang, target, min_count=_MIN_SENTENCES[lang]):
            if text and len(text) + len(sentence) + 1 > high:
                break
            joint = "" if not text else "\n" if self.rng.random() < 0.15 else _SEP[lang]
            text += joint + sentence
        return text

    def exchanges(self, lang: str, count: int, about: list[Fragment] | None = None) -> list[_Exchange]:
        """`count` exchanges on different topics: the user talks about their day, sometimes after a line of small
        talk; the assistant reacts and follows up. With `about`, the user says `about` in the last exchange and the
        assistant acknowledges it."""
        openers = self.rng.sample(phrases.CHAT_PAIRS[lang], count)
        follow_ups = self.rng.sample(phrases.CHAT_FOLLOWUPS[lang], count)
        out = []
        for i, ((line, reply), topic) in enumerate(zip(openers, self.rng.sample(_TOPICS, count), strict=True)):
            if about is not None and i == count - 1:
                acknowledgement = self.rng.choice(phrases.CHAT_ACKNOWLEDGEMENTS[lang])
                parts, said, answer = [acknowledgement], list(about), [acknowledgement]
            else:
                reaction = self.rng.choice(phrases.REACTIONS[topic][lang])
                first, second = self.sentence(lang, topic), self.sentence(lang, topic)
                sentences = [first] if first[0] == second[0] or self.rng.random() < 0.5 else [first, second]
                parts = [reaction, *(template for template, _ in sentences)]
                said = [(_SEP[lang].join(sentence for _, sentence in sentences), None)]
                answer = [reaction]
                if self.rng.random() < 0.4:
                    parts += [line, reply]
                    answer.insert(0, reply)
                    said = [(self.fill(line, lang), None), (_SEP[lang], None), *said]
            parts.append(follow_ups[i])
            assistant = _SEP[lang].join(self.fill(piece, lang) for piece in answer) + _SEP[lang] + follow_ups[i]
            out.append(_Exchange(parts, said, assistant))
        return out

    def chat(self, lang: str, turns: int) -> list[dict[str, str]]:
        """`turns` messages of small talk, user first, not mostly the parts of an earlier text."""
        for attempt in range(_MAX_DRAWS):
            exchanges = self.exchanges(lang, (turns + 1) // 2)
            contents = [c for e in exchanges for c in (_render(e.user)[0], e.assistant)][:turns]
            if sum(map(len, contents)) < 50:
                continue
            if self.diversity.admit([p for e in exchanges for p in e.parts], force=attempt == _MAX_DRAWS - 1):
                break
        return [_message(role, content) for role, content in zip(_roles(turns), contents, strict=True)]

    # ---- record shapes ------------------------------------------------------------------------------------

    def text_record(self, file: str, text: str) -> dict[str, Any]:
        """A web record (optional id and licence override) or a forum/book row (id, text, licence)."""
        if file in (FORUM, BOOKS):
            licences = _FORUM_LICENCES if file == FORUM else _BOOK_LICENCES
            return {"id": self.next_id(file[0]), "text": text, "licence": self.rng.choice(licences)}
        record: dict[str, Any] = {"text": text}
        if self.rng.random() < 0.5:
            record["id"] = self.next_id("w" + file[4])
        if self.rng.random() < 0.15:
            record["licence"] = self.rng.choice(("CC-BY-NC-4.0", "CC-BY-4.0", "CC0-1.0"))
        return record

    def chat_record(self, messages: list[dict[str, Any]], meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """A companion chat of a consenting adult, unless `meta` says otherwise (R7, R8)."""
        if meta is None:
            subject, age = self.rng.choice(self.subjects)
            meta = {"subject_id": subject, "consent": ["training"]} | ({} if age is None else {"age": age})
        record = {"messages": messages, "origin": "user_interaction", **meta}
        if self.rng.random() < 0.5:
            record["id"] = self.next_id("c")
        return record

    def ordinary_consent(self) -> dict[str, Any]:
        """Metadata of an everyday chat: about two in three consented to training, some gave no consent field."""
        subject, age = self.rng.choice(self.subjects)
        meta: dict[str, Any] = {"subject_id": subject} | ({} if age is None else {"age": age})
        choice = self.rng.choices(_CONSENT_CHOICES, weights=(45, 20, 10, 15, 10))[0]
        return meta if choice is None else meta | {"consent": list(choice)}

    def synthetic_record(
        self,
        content: str | list[dict[str, str]],
        declared: bool = True,
        generator: str | None = "full",
        aigc: str | None = "dict",
    ) -> dict[str, Any]:
        """A generated record with the chosen provenance signals (R4); see `_synthetic_tags` for their meaning."""
        record: dict[str, Any] = {"text": content} if isinstance(content, str) else {"messages": content}
        record["id"] = self.next_id("s")
        if declared:
            record["origin"] = "synthetic"
        if generator:
            meta = {
                "model": self.rng.choice(phrases.GENERATOR_MODELS),
                "service": self.rng.choice(phrases.GENERATOR_SERVICES),
                "obtained_at": (date(2026, 1, 5) + timedelta(days=self.rng.randrange(180))).isoformat(),
            }
            record["generator"] = {k: v for k, v in meta.items() if k != _GENERATOR_GAPS[generator]}
        if aigc:
            record["AIGC"] = self.aigc_label(aigc)
        return record

    def aigc_label(self, kind: str) -> dict[str, str] | str:
        """A GB 45438 implicit label: "dict" or "json" are valid; "label7", "no_label", "not_json" are not."""
        label = {
            "Label": "7" if kind == "label7" else self.rng.choice("1112"),
            "ContentProducer": self.rng.choice(phrases.AIGC_PRODUCERS),
            "ProduceID": f"{self.rng.getrandbits(64):016x}",
            "ReservedCode1": f"{self.rng.getrandbits(128):032x}",
            "ContentPropagator": "",
            "PropagateID": "",
            "ReservedCode2": "",
        }
        if kind == "no_label":
            del label["Label"]
        if kind == "json":
            return json.dumps(label, sort_keys=True)
        if kind == "not_json":
            return f"AIGC{{Label:1,ContentProducer:{label['ContentProducer']},ProduceID:{label['ProduceID']}"
        return label

    # ---- ordinary records -----------------------------------------------------------------------------------

    def _ordinary(self) -> None:
        n = {file: count * self.scale for file, count in ORDINARY_RECORDS.items()}
        for file, lang in ((WEB_ZH, "zh"), (WEB_EN, "en")):
            for _ in range(n[file]):
                text = self.ordinary_text(lang)
                self.add(file, self.text_record(file, text), lang, original_candidate=True)
        for _ in range(n[FORUM]):
            lang = self.rng.choice(_LANGS)
            self.add(FORUM, self.text_record(FORUM, self.forum_post(lang)), lang, original_candidate=True)
        for _ in range(n[BOOKS]):
            lang = self.rng.choice(_LANGS)
            text = self.ordinary_text(lang, 300)
            self.add(BOOKS, self.text_record(BOOKS, text), lang, original_candidate=True)
        for _ in range(n[CHAT]):
            lang = self.rng.choices(_LANGS, weights=(6, 4))[0]
            messages = self.chat(lang, self.rng.randint(2, 6))
            self.add(CHAT, self.chat_record(messages, self.ordinary_consent()), lang, original_candidate=True)
        for _ in range(n[SYNTHETIC]):
            lang = self.rng.choice(_LANGS)
            content = self.ordinary_text(lang) if self.rng.random() < 0.6 else self.chat(lang, self.rng.randint(2, 6))
            aigc = self.rng.choices(("dict", "json", None), weights=(5, 1, 4))[0]
            self.add(SYNTHETIC, self.synthetic_record(content, aigc=aigc), lang)

    def forum_post(self, lang: str) -> str:
        """A forum post: everyday prose, sometimes quoting another post, so CSV must quote commas and newlines."""
        text = self.ordinary_text(lang, 50, 900)
        if self.rng.random() < 0.3:
            quoted = self.sentence(lang)[1]
            text = (f'引用楼上的话："{quoted}"\n' if lang == "zh" else f'Quoting the OP: "{quoted}"\n') + text
        return text

    # ---- planted records ------------------------------------------------------------------------------------

    def plant(self, file: str, lang: str, core: _Core, tags: Sequence[str]) -> _Entry:
        """Place `core` in a record of `file` among everyday sentences or chat turns; spans go to truth."""
        tags = [*tags, *core.tags]
        if file == CHAT or (file == SYNTHETIC and core.speaker == "assistant"):
            messages, spans = self.embed_in_chat(lang, core)
            record = self.chat_record(messages, core.meta) if file == CHAT else self.synthetic_record(messages)
        else:
            text, spans = _render(self.embed_in_text(lang, core.fragments))
            record = self.synthetic_record(text) if file == SYNTHETIC else self.text_record(file, text)
        return self.add(file, record, lang, tags, pi=spans)

    def embed_in_text(self, lang: str, core: list[Fragment]) -> list[Fragment]:
        """Core fragments among everyday sentences at least twice as long, so planted records stay unalike."""
        core_text = _render(core)[0]
        template = "".join(text for text, kind in core if kind is None)  # what recurs between planted records
        context = self.sentences(lang, max(2 * len(core_text), 60 if lang == "zh" else 120), beside=template)
        at = self.rng.randint(0, len(context))
        pieces: list[list[Fragment]] = [[(s, None)] for s in context]
        pieces.insert(at, core)
        out: list[Fragment] = []
        for i, piece in enumerate(pieces):
            out += ([(_SEP[lang], None)] if i else []) + piece
        return out

    def embed_in_chat(self, lang: str, core: _Core) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        """An everyday exchange, then the core (in a user turn, or an assistant's answer to `prompt`), maybe
        another exchange; not mostly the parts of an earlier text."""
        for attempt in range(_MAX_DRAWS):
            count = 1 + (core.speaker == "user") + (self.rng.random() < 0.4)
            exchanges = self.exchanges(lang, count, core.fragments if core.speaker == "user" else None)
            if core.speaker == "user":  # the core's exchange comes second
                exchanges[1], exchanges[-1] = exchanges[-1], exchanges[1]
            core_template = "".join(text for text, kind in core.fragments if kind is None)
            parts = [p for e in exchanges for p in e.parts] + [core_template, core.prompt]
            if self.diversity.admit(parts, force=attempt == _MAX_DRAWS - 1):
                break
        turns: list[list[Fragment]] = []
        for i, exchange in enumerate(exchanges):
            turns += [exchange.user, [(exchange.assistant, None)]]
            if i == 0 and core.speaker == "assistant":
                turns += [[(core.prompt, None)], core.fragments]
        messages, spans = [], []
        for i, (role, turn) in enumerate(zip(_roles(len(turns)), turns, strict=True)):
            content, turn_spans = _render(turn)
            messages.append(_message(role, content))
            spans += [span | {"msg": i} for span in turn_spans]
        return messages, spans

    def spread(self, lang: str, k: int, places: Sequence[str]) -> str:
        """The file for the k-th planted record of a group in `lang`, rotating over `places`."""
        return places[k % len(places)].format(web=f"web_{lang}.jsonl")

    def _personal_information(self) -> None:
        """Identifiers and their decoys in text, forum posts, books, user turns and synthetic data (R7, R10)."""
        for name in (*_PI_TYPES, *_DECOYS):
            kind = "pi" if name in _PI_TYPES else "decoy"
            contexts = phrases.PI_CONTEXTS[_CONTEXT_OF.get(name, name)]
            langs = tuple(contexts)
            for i in range(_PI_PER_TYPE):
                lang = langs[i % len(langs)]
                before, after = self.rng.choice(contexts[lang]).split("{}")
                value = _VALUES[name](self.rng)
                core = _Core([(before, None), (value, f"{kind}:{name}"), (after, None)])
                self.plant(self.spread(lang, i // len(langs), _PLACES), lang, core, [f"{kind}:{name}"])

    def _sensitive(self) -> None:
        """Health, religion, location, biometrics and finances as stated by the person (PIPL art. 28; R7)."""
        for name, bank in phrases.SENSITIVE.items():
            for i in range(_SENSITIVE_PER_TYPE):
                lang = _LANGS[i % 2]
                coordinates = {
                    "lat": (f"{self.rng.uniform(22, 40):.4f}",),
                    "lon": (f"{self.rng.uniform(102, 121):.4f}",),
                }
                sentence = self.fill(self.rng.choice(bank[lang]), lang, phrases.SENSITIVE_SLOTS[lang], coordinates)
                core = _Core([(sentence, None)], meta=self.sensitive_consent(i))
                self.plant(self.spread(lang, i // 2, _PLACES), lang, core, [f"sensitive:{name}"])

    def sensitive_consent(self, i: int) -> dict[str, Any]:
        """A consenting adult; every other one also gave the separate consent for sensitive PI (PIPL art. 29)."""
        subject, age = self.rng.choice(self.subjects)
        consent = ["training", "sensitive_pi"] if i % 4 < 2 else ["training"]
        return {"subject_id": subject, "consent": consent} | ({} if age is None else {"age": age})

    def _risks_and_lookalikes(self) -> None:
        """Risky lines (R6): a few in text and assistant turns of each file, to be held record by record, and the
        rest in the tainted source, to be refused as a whole (TC260-003 5.1); look-alikes that a filter must keep,
        outside the tainted source."""
        for n, (name, bank) in enumerate(phrases.RISK_LINES.items()):
            chat_lang, second_lang = _LANGS[1 - n % 2], _LANGS[n % 2]
            # A child's chat twice: the age only in the text, and on record with a guardian's consent.
            second = CHAT if name == "C.minor_harm" else self.spread(second_lang, n, _RISK_PLACES)
            places = [(CHAT, chat_lang), (second, second_lang)]
            places += [(TAINTED_FILE, _LANGS[i % 2]) for i in range(_RISK_PER_ID - len(places))]
            for i, (file, lang) in enumerate(places):
                line = self.fill(self.rng.choice(bank[lang]), lang, phrases.RISK_SLOTS[lang])
                core = _Core([(line, None)], "assistant", self.rng.choice(phrases.RISK_PROMPTS[name][lang]))
                if name == "C.minor_harm" and file == CHAT:
                    core = self.minor_harm_core(lang, core, age_in_text_only=i == 0)
                self.plant(file, lang, core, [f"risk:{name}"])
        for name, bank in phrases.LOOKALIKES.items():
            for i in range(_LOOKALIKE_PER_ID):
                lang = _LANGS[i % 2]
                core = _Core([(self.fill(self.rng.choice(bank[lang]), lang), None)])
                self.plant(self.spread(lang, i // 2, _LOOKALIKE_PLACES), lang, core, [f"lookalike:{name}"])

    def minor_harm_core(self, lang: str, core: _Core, age_in_text_only: bool) -> _Core:
        """The chat of a 13-year-old: age only in the text, or on record with a guardian's consent (R8).

        With a guardian's consent it passes the consent gate, so only the risk filter can catch it; with the age
        only in the text, the minor gate must read it there too.
        """
        subject = self.new_subject()
        if age_in_text_only:
            prompt = phrases.RISK_PROMPTS["C.minor_harm"][lang][0]  # the one that states the age
            meta = {"subject_id": subject, "consent": ["training"]}
            return _Core(core.fragments, "assistant", prompt, meta, ("minor:text_signal",))
        meta = {"subject_id": subject, "age": 13, "consent": ["training", "guardian"]}
        return _Core(core.fragments, "assistant", core.prompt, meta)

    def _consent_and_minors(self) -> None:
        """Children with and without a guardian's consent, ages only in the text, malformed consent (R7, R8)."""
        plans: list[tuple[dict[str, Any], tuple[str, ...]]] = []
        for _ in range(8):
            plans.append(({"age": self.rng.randint(8, 13), "consent": ["training", "guardian"]}, ()))
            plans.append(({"consent": ["training"]}, ("minor:text_signal",)))
        no_guardian = (["training"], [], ["training"], ["training", "sensitive_pi"], ["training"], ["sensitive_pi"])
        for consent in (*no_guardian, ["guardian"]):  # the last: a guardian agreed, but not to training
            plans.append(({"age": self.rng.randint(8, 13), "consent": consent}, ()))
        for bad in ({"age": 30, "consent": "training"}, {"age": 41, "consent": 1}, {"age": "twelve", "consent": []}):
            plans += [(bad, ()), (bad, ())]
        for i, (meta, tags) in enumerate(plans):
            lang = _LANGS[i % 2]
            age = meta.get("age", self.rng.randint(9, 13))
            if isinstance(age, int) and age < _MINOR_AGE:
                slots = phrases.MINOR_SLOTS[lang] | {"age": (str(age),)}
                said = self.fill(self.rng.choice(phrases.MINOR_SIGNALS[lang]), lang, slots)
            else:
                said = self.sentence(lang)[1]
            core = _Core([(said, None)], meta={"subject_id": self.new_subject(), **meta}, tags=tags)
            self.plant(CHAT, lang, core, [])

    def _synthetic(self) -> None:
        """Synthetic records with one signal only, partial or malformed signals, degenerate output (R4)."""
        signal_plans = (
            [dict(declared=False, generator=None, aigc=kind) for kind in ("dict",) * 5 + ("json",) * 3]
            + [dict(declared=False, generator="full", aigc=None)] * 8
            + [dict(declared=True, generator=None, aigc=None)] * 8
            + [dict(declared=True, generator="full", aigc=kind) for kind in ("label7", "no_label", "not_json")]
            + [dict(declared=False, generator=None, aigc=kind) for kind in ("label7", "no_label", "not_json") * 2]
            + [dict(declared=True, generator=gap, aigc=None) for gap in ("no_time", "no_model") * 3]
        )
        for i, signals in enumerate(signal_plans):
            lang = _LANGS[i % 2]
            content = self.ordinary_text(lang) if i % 3 else self.chat(lang, self.rng.randint(2, 4))
            self.add(SYNTHETIC, self.synthetic_record(content, **signals), lang)
        for i in range(8):
            lang = _LANGS[i % 2]
            text = self.repeated_sentence(lang) if i < 4 else self.cut_mid_word(lang)
            signals = dict(generator="full" if i % 3 else None, aigc="dict" if i % 2 else None)
            self.add(SYNTHETIC, self.synthetic_record(text, **signals), lang, ["synthetic:degenerate"])

    def repeated_sentence(self, lang: str) -> str:
        sentence = self.sentences(lang, 1)[0]
        return _SEP[lang].join([sentence] * self.rng.randint(8, 20))

    def cut_mid_word(self, lang: str) -> str:
        """Ordinary prose cut off inside a word (zh: inside a run of Han characters)."""
        text = self.ordinary_text(lang, 200, 800)
        word = r"[A-Za-z]{5,}" if lang == "en" else r"[\u4e00-\u9fff]{3,}"
        starts = [m.start() for m in re.finditer(word, text[len(text) // 2 :])]
        return text[: len(text) // 2 + self.rng.choice(starts) + 2]

    def _synthetic_failures(self) -> None:
        """Generated records that a safety assessment must hold back (R4): identifiers a generator may have
        memorised, copies of a human record, and companion harms in assistant turns."""
        for name, lang in _MEMORISED:
            before, after = self.rng.choice(phrases.PI_CONTEXTS[name][lang]).split("{}")
            core = _Core([(before, None), (_VALUES[name](self.rng), f"pi:{name}"), (after, None)])
            self.plant(SYNTHETIC, lang, core, [f"pi:{name}", "synthetic:memorisation"])
        for source in (WEB_ZH, WEB_EN, WEB_ZH, WEB_EN):
            original = self.pick_original(source, _NEAR_DUP_MIN_UNITS)
            text = self.regurgitated(original.payload["text"], original.lang)
            self.add(SYNTHETIC, self.synthetic_record(text), original.lang, ["synthetic:regurgitation"], of=original)
        harms = {
            "sycophancy": phrases.SYCOPHANCY,
            "false_promise": phrases.FALSE_PROMISES,
            "self_harm_unanswered": phrases.SELF_HARM_UNANSWERED,
        }
        for name, bank in harms.items():
            for lang in _LANGS:
                for prompt, line in bank[lang]:
                    core = _Core([(line, None)], "assistant", prompt)
                    self.plant(SYNTHETIC, lang, core, [f"synthetic:{name}"])

    def regurgitated(self, text: str, lang: str) -> str:
        """A generation that copies the first `_REGURGITATED_SHARE` of a human text (cut after a sentence) and adds
        a little of its own: a Jaccard to the original between the near-dup threshold and half of it."""
        ends = [m.end() for m in re.finditer(r"[。！？.!?]", text) if m.end() >= len(text) * _REGURGITATED_SHARE]
        copied = text[: ends[0] if ends else len(text)]
        added = self.sentences(lang, int(len(text) * _REGURGITATION_ADDED))
        return _SEP[lang].join([copied, *added])

    def _cleaning(self) -> None:
        """Scraping and copying artefacts that the clean stage must undo or reject (R2)."""
        artefacts: dict[str, Callable[[str], str]] = {
            "html": self.with_html,
            "zero_width": self.with_zero_width,
            "fullwidth": self.with_fullwidth,
            "control": self.with_control,
            "whitespace": self.with_whitespace,
        }
        for name, make in artefacts.items():
            places = ("{web}",) if name == "control" else ("{web}", FORUM, "{web}", BOOKS)
            for i in range(10):
                lang = _LANGS[i % 2]
                file = self.spread(lang, i // 2, places)
                self.add(file, self.text_record(file, make(lang)), lang, [f"clean:{name}"])
        for i, text in enumerate(phrases.TOO_SHORT):
            lang = "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"
            file = self.spread(lang, i, ("{web}", FORUM, "{web}"))
            self.add(file, self.text_record(file, text), lang, ["clean:too_short"])

    def with_html(self, lang: str) -> str:
        first, *rest = self.sentences(lang, 250, min_count=3)
        body = "".join(f"<p>{s}</p>" if i % 2 else f"{s}&nbsp;<br/>" for i, s in enumerate(rest))
        return f'<div class="post"><b>{first}</b>&amp;nbsp;{body}&lt;end&gt; &#169;</div>'

    def with_zero_width(self, lang: str) -> str:
        chars = list(_SEP[lang].join(self.sentences(lang, 80)))
        letters = [i for i, c in enumerate(chars) if c.isalpha() and i and chars[i - 1].isalpha()]
        for i in sorted(self.rng.sample(letters, 5), reverse=True):
            chars.insert(i, self.rng.choice("\u200b\ufeff"))
        return "".join(chars)

    def with_fullwidth(self, lang: str) -> str:
        plain = self.rng.choice(phrases.ASCII_SENTENCES_ZH) if lang == "zh" else self.sentence(lang)[1]
        wide = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in plain)
        return _SEP[lang].join([*self.sentences(lang, 60), wide])

    def with_control(self, lang: str) -> str:
        chars = list(_SEP[lang].join(self.sentences(lang, 80)))
        for i in sorted(self.rng.sample(range(1, len(chars)), 4), reverse=True):
            chars.insert(i, self.rng.choice("\x00\x01\x07\x08\x0b\x1b\x7f"))
        return "".join(chars)

    def with_whitespace(self, lang: str) -> str:
        runs = ("   ", "\n\n\n", "\t\t", "  \n  \n", "     ")
        *body, last = self.sentences(lang, 100, min_count=3)
        return " " + "".join(s + self.rng.choice(runs) for s in body) + last + "\n\n"

    def _malformed(self) -> None:
        """Lines that cannot be read as records; the reader must quarantine them by pointer (R2)."""
        for file, lang in ((WEB_ZH, "zh"), (WEB_EN, "en")):
            for _ in range(2):
                whole = json.dumps(
                    {"id": self.next_id("w"), "text": self.ordinary_text(lang, 80, 300)}, ensure_ascii=False
                )
                self.add(file, whole[: self.rng.randint(10, len(whole) - 5)].encode(), lang, ["malformed:json"])
                text = self.sentence(lang)[1]
                cut = self.rng.randint(1, len(text) - 1)
                # Never valid in UTF-8 whatever surrounds them, not even with json's surrogatepass decoding.
                invalid = self.rng.choice((b"\xff\xfe", b"\xc3\x28", b"\xc0\xaf"))
                broken = b'{"text": "' + text[:cut].encode() + invalid + text[cut:].encode() + b'"}'
                self.add(file, broken, lang, ["malformed:utf8"])
                self.add(file, None)
            self.add(file, {"id": self.next_id("w"), "title": self.sentence(lang)[1]}, lang, ["malformed:no_text"])
            self.add(file, {"body": self.ordinary_text(lang, 60, 200), "lang": lang}, lang, ["malformed:no_text"])
            self.add(file, [{"text": self.sentence(lang)[1]}], lang, ["malformed:not_object"])
            self.add(file, self.rng.randint(1, 10**6), lang, ["malformed:not_object"])
            self.add(file, {"messages": self.sentence(lang)[1]}, lang, ["malformed:bad_messages"])
            self.add(
                file,
                {"messages": [{"role": "user"}, {"role": "assistant", "text": "ok"}]},
                lang,
                ["malformed:bad_messages"],
            )
            self.add(file, {"text": ""}, lang, ["malformed:empty_text"])
            self.add(
                file, {"id": self.next_id("w"), "text": "", "licence": "CC-BY-4.0"}, lang, ["malformed:empty_text"]
            )

    def _duplicates(self) -> None:
        """Exact copies (some only equal once normalised) and near copies, within and across files (R3)."""
        exact = [
            *((WEB_ZH, WEB_ZH, variant) for variant in ("as_is", "punctuation", "whitespace")),
            *((WEB_EN, WEB_EN, variant) for variant in ("as_is", "case", "whitespace")),
            *((WEB_ZH, FORUM, variant) for variant in ("as_is", "punctuation")),
            *((WEB_EN, BOOKS, variant) for variant in ("as_is", "case")),
            *[(CHAT, CHAT, "as_is")] * 2,
        ]
        for source, target, variant in exact:
            original = self.pick_original(source)
            if target == CHAT:
                record = self.chat_record(original.payload["messages"], self.ordinary_consent())
            else:
                record = self.text_record(target, _VARIANTS[variant](self.rng, original.payload["text"]))
            self.add(target, record, original.lang, ["exact_dup"], of=original)
        # Near copies and their originals stay out of the tainted source, which the risk stage refuses whole, so
        # every pair reaches the near-dup stage.
        near = (
            [(WEB_ZH, WEB_ZH)] * 3
            + [(WEB_EN, WEB_EN)] * 3
            + [(WEB_ZH, BOOKS)] * 2
            + [(WEB_EN, BOOKS)] * 2
            + [(BOOKS, BOOKS)] * 2
        )
        for i, (source, target) in enumerate(near):
            original = self.pick_original(source, _NEAR_DUP_MIN_UNITS)
            edited = _near_copy(self.rng, original.payload["text"], original.lang, _NEAR_DUP_EDITS[i % 3])
            self.add(target, self.text_record(target, edited), original.lang, ["near_dup"], of=original)

    def pick_original(self, file: str, min_units: int = 0) -> _Entry:
        """An ordinary record of `file` (a chat, or a text of at least `min_units` words or Han characters, by its
        language); each is used once."""
        candidates = [e for e in self.files[file] if e.original_candidate]
        for original in self.rng.sample(candidates, len(candidates)):  # random order: count the units of a few
            if file == CHAT or len(_UNITS[original.lang].findall(original.payload["text"])) >= min_units:
                original.original_candidate = False
                return original
        raise RuntimeError(f"no ordinary record of {file} has {min_units} units left to copy")

    # ---- output -----------------------------------------------------------------------------------------

    def write(self, out_dir: pathlib.Path) -> dict[str, int]:
        for entries in self.files.values():
            self.rng.shuffle(entries)
            _originals_first(entries)
            for row, entry in enumerate(entries):
                entry.row = row
        counts = {}
        for file, entries in self.files.items():
            counts[file] = _WRITERS[pathlib.Path(file).suffix](out_dir / file, entries)
        (out_dir / EMPTY_FILE).write_bytes(b"")
        counts[EMPTY_FILE] = 0
        truth = [_truth_line(e) for entries in self.files.values() for e in entries if e.tags]
        (out_dir / TRUTH_FILE).write_bytes("".join(line + "\n" for line in truth).encode())
        counts[TRUTH_FILE] = len(truth)
        return counts


# ---- pure helpers ---------------------------------------------------------------------------------------------


class _Diversity:
    """Admits a text only if less than `max_overlap` of its parts, weighted by length, are shared with any earlier
    text (a weighted Jaccard over templates and planted lines).

    Shared parts are what make two generated texts alike, and they are cheap to count, so this keeps ordinary
    records far apart and leaves the planted ones as the only near-duplicates (R3). Texts of more than
    `_LONG_TEXT_PARTS` parts pass unchecked; `force` admits a text anyway, so generation ends even when a large
    scale exhausts the phrase banks.
    """

    def __init__(self, max_overlap: float) -> None:
        self.max_overlap = max_overlap
        self.sizes: list[int] = []
        self.texts_with: dict[str, list[int]] = {}

    def admit(self, parts: Sequence[str], force: bool = False) -> bool:
        weights = {part: len(part) for part in parts if part}
        if len(weights) > _LONG_TEXT_PARTS:
            return True
        size = sum(weights.values())
        shared: Counter[int] = Counter()
        for part, weight in weights.items():
            for text in self.texts_with.get(part, ()):
                shared[text] += weight
        if not force and any(n / (size + self.sizes[t] - n) >= self.max_overlap for t, n in shared.items()):
            return False
        for part in weights:
            self.texts_with.setdefault(part, []).append(len(self.sizes))
        self.sizes.append(size)
        return True


class _Slots(dict):
    """Draws a slot's value when str.format_map asks for it, so one pass fills a template."""

    def __init__(self, rng: random.Random, banks: Sequence[Mapping[str, Sequence[str]]]) -> None:
        super().__init__()
        self.rng, self.banks = rng, banks

    def __missing__(self, key: str) -> str:
        return self.rng.choice(next(bank[key] for bank in self.banks if key in bank))


def _truth_line(entry: _Entry) -> str:
    line: dict[str, Any] = {"file": entry.file, "row": entry.row, "tags": sorted(set(entry.tags))}
    if entry.pi:
        line["pi"] = sorted(entry.pi, key=lambda span: (span.get("msg", -1), span["start"]))
    if entry.of is not None:
        line["of"] = {"file": entry.of.file, "row": entry.of.row}
    return json.dumps(line, ensure_ascii=False, sort_keys=True)


def _roles(turns: int) -> list[str]:
    return ["user" if i % 2 == 0 else "assistant" for i in range(turns)]


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def _render(fragments: list[Fragment]) -> tuple[str, list[dict[str, Any]]]:
    """Join fragments into text and the spans of the typed ones."""
    text, spans = "", []
    for piece, kind in fragments:
        if kind:
            spans.append({"type": kind, "start": len(text), "end": len(text) + len(piece)})
        text += piece
    return text, spans


def _chat_status_tags(record: Any) -> list[str]:
    """Consent and minor tags that follow from a chat record's metadata (R7, R8)."""
    consent, age = record.get("consent", []), record.get("age")
    if not isinstance(consent, list) or not (age is None or type(age) is int):
        return ["consent:malformed"]
    tags = ["interaction:consented" if "training" in consent else "interaction:no_consent"]
    if age is not None and age < _MINOR_AGE:
        tags.append("minor:guardian_consent" if "guardian" in consent else "minor:no_guardian_consent")
    return tags


def _synthetic_tags(record: Any) -> list[str]:
    """Synthetic-data tags that follow from a record's provenance fields (R4)."""
    tags = []
    if record.get("origin") == "synthetic":
        tags.append("synthetic:declared")
    if "AIGC" in record:
        tags.append("synthetic:aigc_label" if _valid_aigc(record["AIGC"]) else "synthetic:aigc_malformed")
    generator = record.get("generator")
    signalled = "synthetic:declared" in tags or "synthetic:aigc_label" in tags or generator is not None
    if isinstance(generator, dict) and all(generator.get(k) for k in ("model", "service", "obtained_at")):
        tags.append("synthetic:generator_meta")
    elif signalled:
        tags.append("synthetic:missing_generator_meta")
    return tags


def _valid_aigc(label: Any) -> bool:
    if isinstance(label, str):
        try:
            label = json.loads(label)
        except json.JSONDecodeError:
            return False
    return isinstance(label, dict) and label.get("Label") in ("1", "2", "3")


# ---- planted values: made up, well-formed (or, for decoys, deliberately failing their check) ----------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_AREA_CODES = ("110101", "110108", "310104", "440305", "330106", "510107", "420111", "320102", "610113", "500103")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _birth_date(rng: random.Random, latest: int = 2007) -> date:
    return date(1950, 1, 1) + timedelta(days=rng.randrange(365 * (latest - 1950)))


def _id_check(body: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def _resident_id(rng: random.Random, valid: bool = True) -> str:
    body = rng.choice(_AREA_CODES) + _birth_date(rng).strftime("%Y%m%d") + _digits(rng, 3)
    check = _id_check(body)
    return body + (check if valid else rng.choice(_ID_CHECK.replace(check, "")))


def _resident_id_15(rng: random.Random) -> str:
    # 15-digit cards were replaced from 1999, so their holders were born in the 1900s.
    return rng.choice(_AREA_CODES) + _birth_date(rng, latest=1995).strftime("%y%m%d") + _digits(rng, 3)


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(number)):
        d = int(d) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _with_luhn(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + _digits(rng, length - len(prefix) - 1)
    return body + next(d for d in string.digits if _luhn_ok(body + d))


def _grouped(rng: random.Random, number: str) -> str:
    """Card numbers are written plain or in groups of four."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4)) if rng.random() < 0.4 else number


def _bank_card(rng: random.Random, valid: bool = True) -> str:
    number = _with_luhn(rng.choice(("62", "622202", "621700")), rng.randint(16, 19), rng)
    if not valid:
        number = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
    return _grouped(rng, number)


def _credit_card(rng: random.Random) -> str:
    return _grouped(rng, _with_luhn(rng.choice(("4", "51", "52", "53", "54", "55")), 16, rng))


def _mobile(rng: random.Random) -> str:
    number = "1" + rng.choice("3456789") + _digits(rng, 9)
    style = rng.randrange(4)
    spaced = f"{number[:3]} {number[3:7]} {number[7:]}" if style >= 2 else number
    return ("+86 " if style % 2 else "") + spaced


def _email(rng: random.Random) -> str:
    user = rng.choice(("lily", "chen", "xiaoyu", "sam", "mike", "luna", "river", "tianyi", "ada", "kai"))
    return (
        f"{user}.{rng.choice(('li', 'w', 'zhou', 'k', 'm'))}{rng.randint(10, 99)}@{rng.choice(phrases.EMAIL_DOMAINS)}"
    )


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"2001:db8:{rng.randrange(0x10000):x}::{rng.randrange(1, 0x10000):x}"
    return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"


def _address_zh(rng: random.Random) -> str:
    province, city, district = rng.choice(phrases.ADDRESS_PARTS_ZH)
    building = f"{rng.randint(1, 12)}栋{rng.randint(1, 4)}单元{rng.randint(1, 28)}0{rng.randint(1, 4)}室"
    return f"{province}{city}{district}{rng.choice(phrases.ROADS_ZH)}{rng.randint(1, 300)}号{building}"


def _licence_plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    if rng.random() < 0.3:  # new-energy plates: D or F and five digits
        tail = rng.choice("DF") + _digits(rng, 5)
    else:
        tail = "".join(rng.choice(letters + string.digits * 2) for _ in range(4)) + rng.choice(string.digits)
    return rng.choice(phrases.PLATE_PROVINCES) + rng.choice(letters) + rng.choice(("", "·", " ")) + tail


def _landline(rng: random.Random) -> str:
    area = rng.choice(("010", "021", "020", "0571", "028", "027", "025", "029", "0755"))
    local = str(rng.randint(2, 8)) + _digits(rng, 7 if len(area) == 3 else rng.choice((6, 7)))
    return f"({area}) {local}" if rng.random() < 0.3 else f"{area}-{local}"


def _failing_checks(rng: random.Random, make: Callable[[], str]) -> str:
    """A digit string from `make` that fails both the Luhn and the resident-ID check (a decoy)."""
    while True:
        value = make()
        if not _luhn_ok(value) and not (len(value) == 18 and _id_check(value[:17]) == value[17]):
            return value


def _order_number(rng: random.Random) -> str:
    return _failing_checks(rng, lambda: "2026" + _digits(rng, rng.randint(12, 18)))


def _timestamp(rng: random.Random) -> str:
    moment = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    styles = (
        lambda: moment.strftime("%Y%m%d") + f"{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}",
        lambda: str(1767225600 + rng.randrange(31_536_000)),
        lambda: str(1767225600 + rng.randrange(31_536_000)) + _digits(rng, 3),
    )
    return _failing_checks(rng, rng.choice(styles))


def _version(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"v{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    return ".".join(str(rng.randint(1, 24)) for _ in range(4))


_VALUES: dict[str, Callable[[random.Random], str]] = {
    "cn_resident_id": _resident_id,
    "cn_resident_id_bad_checksum": lambda rng: _resident_id(rng, valid=False),
    "cn_resident_id_15": _resident_id_15,
    "cn_mobile": _mobile,
    "bank_card": _bank_card,
    "bank_card_bad_luhn": lambda rng: _bank_card(rng, valid=False),
    "credit_card": _credit_card,
    "email": _email,
    "ip": _ip,
    "person_name_zh": lambda rng: rng.choice(phrases.NAMES_ZH),
    "person_name_en": lambda rng: f"{rng.choice(phrases.FIRST_NAMES_EN)} {rng.choice(phrases.LAST_NAMES_EN)}",
    "address_zh": _address_zh,
    "passport": lambda rng: rng.choice("EG") + _digits(rng, 8),
    "hk_macau_permit": lambda rng: rng.choice("HM") + _digits(rng, rng.choice((8, 10))),
    "licence_plate": _licence_plate,
    "landline": _landline,
    "order_number": _order_number,
    "timestamp": _timestamp,
    "version": _version,
}


# ---- duplicates (R3) -----------------------------------------------------------------------------------------

# The units that the near-duplicate stage shingles (words; characters of zh), and where an edit may fall inside
# a text: a lower-case word (no name, no sentence start, no part of "don't" or "slow-burn") or a Han character.
_UNITS = {"zh": re.compile(r"[\u4e00-\u9fff]"), "en": re.compile(r"\w+")}
_EDITABLE = {"zh": _UNITS["zh"], "en": re.compile(r"(?<![\w'’-])[a-z]{3,}(?![\w'’-])")}
_NEAR_DUP_EDITS = ("inside", "prefix", "suffix")
_NEAR_DUP_MIN_UNITS = 150  # what keeps a near-duplicate's Jaccard above 0.85 (see `_near_copy`)

_TO_ASCII_PUNCTUATION = str.maketrans("，：；！？", ",:;!?")
_TO_FULLWIDTH_PUNCTUATION = str.maketrans(",:;!?", "，：；！？")


def _punctuation_variant(rng: random.Random, text: str) -> str:
    """Full-width and ASCII punctuation swapped: equal after NFKC."""
    swapped = text.translate(
        _TO_ASCII_PUNCTUATION if re.search(r"[\u4e00-\u9fff]", text) else _TO_FULLWIDTH_PUNCTUATION
    )
    return swapped if swapped != text else _whitespace_variant(rng, text)


def _whitespace_variant(rng: random.Random, text: str) -> str:
    """Whitespace runs widened and the text padded: equal once whitespace is collapsed and stripped."""
    text = re.sub(" ", lambda _: rng.choice((" ", "  ", " \n")), text)
    return "  " + text.replace("\n", "\n\n") + " \n"


def _case_variant(rng: random.Random, text: str) -> str:
    return text.upper() if rng.random() < 0.5 else text.lower()


_VARIANTS: dict[str, Callable[[random.Random, str], str]] = {
    "as_is": lambda rng, text: text,
    "punctuation": _punctuation_variant,
    "whitespace": _whitespace_variant,
    "case": _case_variant,
}


def _near_copy(rng: random.Random, text: str, lang: str, edit: str) -> str:
    """`text` re-posted with one small edit (R3): `edit` "inside" puts a word (en) or one or two characters (zh)
    in or swaps them for others; "prefix" and "suffix" add a short clause at the start or the end.

    Under the near-duplicate stage's shingles (5-grams of words, or of characters for zh), a unit put in or
    swapped inside removes at most 5 of the original's shingles and adds at most 5; a clause of k <= 8 units adds
    k. An original of N >= `_NEAR_DUP_MIN_UNITS` units thus keeps a Jaccard of at least (N - 14) / (N + 6) > 0.85.
    """
    if edit != "inside":
        clause = rng.choice(phrases.NEAR_DUP_CLAUSES[lang])
        return _SEP[lang].join((clause, text) if edit == "prefix" else (text, clause))
    for _ in range(rng.randint(1, 2) if lang == "zh" else 1):
        spot = rng.choice(list(_EDITABLE[lang].finditer(text)))
        word = rng.choice([w for w in phrases.NEAR_DUP_WORDS[lang] if w != spot.group()])
        new = word + _SEP[lang] + spot.group() if rng.random() < 0.5 else word
        text = text[: spot.start()] + new + text[spot.end() :]
    return text


def _originals_first(entries: list[_Entry]) -> None:
    """Swap a duplicate with its original when it came first, so `of` points at the first occurrence."""
    position = {id(e): i for i, e in enumerate(entries)}
    for entry in list(entries):
        if entry.of is None or id(entry.of) not in position:
            continue
        here, there = position[id(entry)], position[id(entry.of)]
        if there > here:  # an original only ever moves forward, so earlier fixes stay valid
            entries[here], entries[there] = entry.of, entry
            position[id(entry)], position[id(entry.of)] = there, here


# ---- writers --------------------------------------------------------------------------------------------------


def _write_jsonl(path: pathlib.Path, entries: list[_Entry]) -> int:
    lines = []
    for entry in entries:
        if entry.payload is None:
            lines.append(b"")
        elif isinstance(entry.payload, bytes):
            lines.append(entry.payload)
        else:
            lines.append(json.dumps(entry.payload, ensure_ascii=False, sort_keys=True).encode())
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return sum(1 for line in lines if line)


def _write_csv(path: pathlib.Path, entries: list[_Entry]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("id", "text", "licence"))
    writer.writerows((e.payload["id"], e.payload["text"], e.payload["licence"]) for e in entries)
    path.write_bytes(buffer.getvalue().encode())
    return len(entries)


def _write_parquet(path: pathlib.Path, entries: list[_Entry]) -> int:
    columns = {name: pa.array([e.payload[name] for e in entries], pa.string()) for name in ("id", "text", "licence")}
    pq.write_table(pa.table(columns), path)
    return len(entries)


_WRITERS: dict[str, Callable[[pathlib.Path, list[_Entry]], int]] = {
    ".jsonl": _write_jsonl,
    ".csv": _write_csv,
    ".parquet": _write_parquet,
}

"""Keyword library, its coverage against the standard, and a fast obfuscation-robust matcher (R6).

TC260-003 9.1 a) asks for a keyword library of at least 10,000 entries covering the 17 risks of appendix A.1
and A.2 (200 per A.1 risk, 100 per A.2 risk), updated at least weekly. corpusgate cannot ship such a library:
it loads one, versions it (version line and sha256), reports its coverage (`check_library`, printed by
`corpusgate keywords check LIB`) and matches it fast (`KeywordMatcher`, one Aho-Corasick automaton).

Library file format
-------------------
UTF-8 text (a byte-order mark is tolerated), tab-separated, no quoting, one entry a line::

    # version: 2026.11.23-1
    # updated: 2026-11-23
    keyword<TAB>category<TAB>lang<TAB>weight<TAB>note
    网络赌博平台<TAB>A1.8<TAB>zh<TAB>1.0<TAB>promotion of gambling

- Lines starting with ``#`` are comments (so a keyword cannot start with ``#``; symbols are ignored in
  matching anyway). ``# version: V`` is required. ``# updated: YYYY-MM-DD`` is optional; without it the
  library cannot show the weekly update the standard asks for, and coverage says so. Blank lines are ignored.
- The first other line is the header. It must name ``keyword``, ``category``, ``lang`` and ``weight`` (in any
  order); further columns (``note``, ``source``, ...) are allowed and ignored. Every row has as many fields as
  the header.
- ``keyword``: not empty, and at least `KeywordLibraryParams.min_keyword_chars` characters once normalised
  (see below): a single Chinese character would hit almost every text.
- ``category``: a risk id of the taxonomy (``A1.8``, ``C.self_harm``, ...). A keyword may be listed under
  several categories.
- ``lang``: ``zh``, ``en`` or ``any``; a label for the library's maintainers, matching does not depend on it.
- ``weight``: a number in (0, 1], how strongly one hit indicates the risk (1: enough on its own).

Every malformed line (unknown category, empty keyword, bad lang or weight, wrong number of fields) is
reported with its line number in one `KeywordLibraryError`. A row whose normalised keyword and category repeat
an earlier row is not an error: it is counted once and reported in `KeywordLibrary.duplicates`.

Obfuscation
-----------
Texts and keywords are normalised the same way (`normalise`): NFKC (full-width and other compatibility forms
to their plain form), common Cyrillic and Greek look-alikes to Latin letters, case folding, diacritics
removed, and everything that is not a letter or a digit dropped (spaces, punctuation, symbols and emoji,
zero-width and other invisible characters). So "赌 博", "赌​博", "赌*博", "ＫＩＬＬ" and "kіll" (Cyrillic і)
match the keywords "赌博" and "kill". Spellings that are not the same characters (pinyin "dubo", initials
"nmsl", homophones, traditional characters, digits for letters) are entries of the library of their own:
the matcher guesses nothing. Latin keywords match whole words only (see `NormalisedText.is_word_boundary`),
so English inflections are entries of their own too ("slur", "slurs").
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date
from importlib import resources
from itertools import accumulate
from pathlib import Path

from ahocorasick_rs import AhoCorasick, MatchKind

from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import KeywordLibraryParams, resolve_path

REQUIRED_COLUMNS = ("keyword", "category", "lang", "weight")
LANGS = ("zh", "en", "any")
_MAX_REPORTED_PROBLEMS = 50
_META_RE = re.compile(r"#\s*(version|updated)\s*:\s*(.*?)\s*$", re.IGNORECASE)


class KeywordLibraryError(ValueError):
    """The library file is malformed; `problems` lists each problem with its line number."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:_MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        lines = [f"{source}: {len(problems)} problem(s) in the keyword library:", *shown]
        if more:
            lines.append(f"... and {more} more")
        super().__init__("\n  ".join(lines))


# --- normalisation ------------------------------------------------------------------------------------------

# Cyrillic and Greek letters that look like Latin ones, mapped before case folding because upper and lower
# case look-alikes differ (Cyrillic В looks like B, в does not).
_HOMOGLYPHS = str.maketrans(
    "АВЕЅІЈКМНОРСТХУԚԜаеорсухѕіјԁһӏԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοριυνκχı",
    "abesijkmhopctxyqwaeopcyxsijdhlqwabezhikmnoptyxaopiuvkxi",
)
# Hangul fillers are letters (Lo) that render as nothing: a favourite invisible separator.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char).translate(_HOMOGLYPHS).casefold()
    return "".join(
        c
        for c in unicodedata.normalize("NFKD", folded)
        if unicodedata.category(c)[0] in "LN" and c not in _INVISIBLE_LETTERS
    )


class _FoldCache(dict[str, str]):
    """Each character folded once: texts use a few thousand distinct characters, so lookups dominate."""

    def __missing__(self, char: str) -> str:
        folded = self[char] = _fold_char(char)
        return folded


_FOLD = _FoldCache()


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


class NormalisedText:
    """A text folded for matching (`dense`), with the way back to offsets in the original text.

    Each original character folds to zero or more characters (its piece); `dense` is the pieces joined.
    The offset map is built only when a match needs it, so texts without hits pay for the folding alone.
    """

    __slots__ = ("original", "dense", "_pieces", "_piece_starts")

    def __init__(self, original: str) -> None:
        self.original = original
        self._pieces = list(map(_FOLD.__getitem__, original))
        self.dense = "".join(self._pieces)
        self._piece_starts: list[int] | None = None

    def origin(self, index: int) -> int:
        """Offset in the original text of the character that produced `dense[index]`."""
        if self._piece_starts is None:
            self._piece_starts = list(accumulate(map(len, self._pieces), initial=0))
        return bisect_right(self._piece_starts, index) - 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of `dense[start:end]`."""
        return self.origin(start), self.origin(end - 1) + 1

    def is_word_boundary(self, index: int) -> bool:
        """Whether `dense[index]` may start, or `dense[index - 1]` end, a match.

        Dropping separators is what catches "赌 博" and "k i l l", but in English it also glues words: without
        a check, "ass" would hit "class" and "db" would hit "seed box". So where Latin letters or digits meet
        on both sides in the dense text, a match may only begin or end there if the original text had a
        separator between them (a space, punctuation, a symbol, an invisible character; not a combining mark,
        which belongs to its letter). Separators inside a keyword stay free ("k.i.l.l" still matches), and
        Chinese, written without spaces, needs no check: its false-positive guard is the library's phrases.
        """
        if index in (0, len(self.dense)) or not (_is_latin(self.dense[index - 1]) and _is_latin(self.dense[index])):
            return True
        previous, current = self.origin(index - 1), self.origin(index)
        return any(not unicodedata.category(c).startswith("M") for c in self.original[previous + 1 : current])


def normalise(text: str) -> str:
    """The form in which keywords and texts are compared (see the module docstring)."""
    return NormalisedText(text).dense


# --- library ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeywordEntry:
    keyword: str
    normalised: str
    category: str
    lang: str
    weight: float
    line: int


@dataclass(frozen=True)
class KeywordLibrary:
    """A loaded, validated keyword library (see the module docstring for the file format)."""

    source: str
    version: str
    updated: date | None
    sha256: str
    entries: tuple[KeywordEntry, ...]
    duplicates: tuple[str, ...]

    @classmethod
    def load(
        cls,
        path: str | Path,
        taxonomy: Taxonomy | None = None,
        params: KeywordLibraryParams | None = None,
    ) -> KeywordLibrary:
        """Read and validate a library; categories are checked against `taxonomy` (default: packaged)."""
        taxonomy = taxonomy if taxonomy is not None else Taxonomy.load()
        params = params or KeywordLibraryParams()
        source = str(path)
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise KeywordLibraryError(source, [f"cannot read the file: {error.strerror}"]) from error
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise KeywordLibraryError(source, [f"line {line}: not UTF-8"]) from error
        parser = _Parser(taxonomy, params)
        for number, line in enumerate(text.split("\n"), start=1):
            parser.feed(number, line.rstrip("\r"))
        version, updated = parser.finish(source)
        return cls(
            source=source,
            version=version,
            updated=updated,
            sha256=hashlib.sha256(raw).hexdigest(),
            entries=tuple(parser.entries),
            duplicates=tuple(parser.duplicates),
        )

    def coverage(
        self,
        taxonomy: Taxonomy | None = None,
        params: KeywordLibraryParams | None = None,
        today: date | None = None,
    ) -> CoverageReport:
        """Entries per risk against the taxonomy's minimums, the total, and the library's age."""
        taxonomy = taxonomy if taxonomy is not None else Taxonomy.load()
        params = params or KeywordLibraryParams()
        per_category = Counter(entry.category for entry in self.entries)
        age_days = ((today or date.today()) - self.updated).days if self.updated else None
        return CoverageReport(
            source=self.source,
            version=self.version,
            sha256=self.sha256,
            taxonomy_version=taxonomy.version,
            risks=tuple(
                RiskCoverage(risk.id, risk.name_en, per_category[risk.id], risk.keyword_minimum) for risk in taxonomy
            ),
            total_entries=len(self.entries),
            min_total_entries=params.min_total_entries,
            duplicates=len(self.duplicates),
            updated=self.updated,
            age_days=age_days,
            max_age_days=params.max_age_days,
        )


class _Parser:
    """Line-by-line reader of the library file; collects every problem before failing."""

    def __init__(self, taxonomy: Taxonomy, params: KeywordLibraryParams) -> None:
        self.taxonomy = taxonomy
        self.params = params
        self.meta: dict[str, tuple[int, str]] = {}
        self.columns: dict[str, int] | None = None
        self.width = 0
        self.entries: list[KeywordEntry] = []
        self.first_line: dict[tuple[str, str], int] = {}
        self.duplicates: list[str] = []
        self.problems: list[str] = []

    def feed(self, number: int, line: str) -> None:
        if line.startswith("#"):
            self._comment(number, line)
        elif not line.strip():
            return
        elif self.columns is None:
            self._header(number, line)
        else:
            self._row(number, line)

    def _comment(self, number: int, line: str) -> None:
        found = _META_RE.fullmatch(line)
        if not found:
            return
        key, value = found.group(1).lower(), found.group(2)
        if key in self.meta:
            self.problems.append(f"line {number}: second '# {key}:' line (first on line {self.meta[key][0]})")
        elif not value:
            self.problems.append(f"line {number}: '# {key}:' has no value")
        else:
            self.meta[key] = (number, value)

    def _header(self, number: int, line: str) -> None:
        names = [name.strip() for name in line.split("\t")]
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        repeated = sorted(name for name, count in Counter(names).items() if count > 1)
        if missing or repeated:
            self.problems.append(
                f"line {number}: the header must name the columns {', '.join(REQUIRED_COLUMNS)} once each"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; repeated: {', '.join(repeated)}" if repeated else "")
            )
        # Read on with whatever the header gave, so that the rows' own problems are reported too.
        self.columns = {name: names.index(name) for name in REQUIRED_COLUMNS if name in names}
        self.width = len(names)

    def _row(self, number: int, line: str) -> None:
        fields = line.split("\t")
        if len(fields) != self.width:
            self.problems.append(f"line {number}: {len(fields)} fields, the header has {self.width}")
            return
        if len(self.columns) < len(REQUIRED_COLUMNS):
            return
        keyword, category, lang, weight_text = (fields[self.columns[name]].strip() for name in REQUIRED_COLUMNS)
        problems = []
        normalised = normalise(keyword)
        if not keyword:
            problems.append("empty keyword")
        elif len(normalised) < self.params.min_keyword_chars:
            problems.append(
                f"keyword {keyword!r} has {len(normalised)} character(s) once normalised "
                f"(minimum {self.params.min_keyword_chars})"
            )
        if category not in self.taxonomy:
            problems.append(f"unknown category {category!r} (not in taxonomy version {self.taxonomy.version})")
        if lang not in LANGS:
            problems.append(f"lang {lang!r} is not one of {', '.join(LANGS)}")
        weight = _parse_weight(weight_text)
        if weight is None:
            problems.append(f"weight {weight_text!r} is not a number in (0, 1]")
        if problems:
            self.problems.extend(f"line {number}: {problem}" for problem in problems)
            return
        first = self.first_line.setdefault((normalised, category), number)
        if first != number:
            self.duplicates.append(f"line {number}: {keyword!r} ({category}) repeats line {first}")
            return
        self.entries.append(KeywordEntry(keyword, normalised, category, lang, weight, number))

    def finish(self, source: str) -> tuple[str, date | None]:
        """The version and update date; raises with every problem found."""
        if self.columns is None:
            self.problems.append("no header line (keyword, category, lang, weight)")
        elif not self.entries and not self.problems:
            self.problems.append("no keyword entries")
        if "version" not in self.meta:
            self.problems.append("no '# version: ...' line")
        updated = None
        if "updated" in self.meta:
            number, value = self.meta["updated"]
            try:
                updated = date.fromisoformat(value)
            except ValueError:
                self.problems.append(f"line {number}: '# updated:' {value!r} is not a date (YYYY-MM-DD)")
        if self.problems:
            raise KeywordLibraryError(source, self.problems)
        return self.meta["version"][1], updated


def _parse_weight(text: str) -> float | None:
    try:
        weight = float(text)
    except ValueError:
        return None
    return weight if math.isfinite(weight) and 0 < weight <= 1 else None


# --- coverage -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskCoverage:
    risk_id: str
    name_en: str
    entries: int
    minimum: int

    @property
    def shortfall(self) -> int:
        return max(0, self.minimum - self.entries)


@dataclass(frozen=True)
class CoverageReport:
    """What `corpusgate keywords check` prints: the library against TC260-003 9.1 a)."""

    source: str
    version: str
    sha256: str
    taxonomy_version: str
    risks: tuple[RiskCoverage, ...]
    total_entries: int
    min_total_entries: int
    duplicates: int
    updated: date | None
    age_days: int | None
    max_age_days: int | None

    @property
    def total_shortfall(self) -> int:
        return max(0, self.min_total_entries - self.total_entries)

    @property
    def problems(self) -> list[str]:
        """Each way the library falls short of the standard, in words."""
        problems = [
            f"{risk.risk_id}: {risk.entries} entries, minimum {risk.minimum}" for risk in self.risks if risk.shortfall
        ]
        if self.total_shortfall:
            problems.append(f"total: {self.total_entries} entries, minimum {self.min_total_entries}")
        if self.max_age_days is not None:
            if self.age_days is None:
                problems.append("no '# updated:' date: weekly updates cannot be shown")
            elif self.age_days > self.max_age_days:
                problems.append(f"last updated {self.age_days} days ago, maximum {self.max_age_days}")
        return problems

    @property
    def ok(self) -> bool:
        return not self.problems

    def format(self) -> str:
        """A plain-text table for the terminal."""
        updated = f"{self.updated} ({self.age_days} days ago)" if self.updated else "unknown"
        lines = [
            f"keyword library {self.source}",
            f"version {self.version}  updated {updated}  sha256 {self.sha256}",
            f"taxonomy version {self.taxonomy_version}",
            "",
            f"{'risk':<26} {'name':<50} {'entries':>8} {'minimum':>8}  status",
        ]
        for risk in self.risks:
            status = f"short by {risk.shortfall}" if risk.shortfall else "ok"
            lines.append(f"{risk.risk_id:<26} {risk.name_en[:50]:<50} {risk.entries:>8} {risk.minimum:>8}  {status}")
        total_status = f"short by {self.total_shortfall}" if self.total_shortfall else "ok"
        lines += [
            f"{'total':<77} {self.total_entries:>8} {self.min_total_entries:>8}  {total_status}",
            f"duplicate rows counted once: {self.duplicates}",
            "",
            "result: " + ("OK" if self.ok else f"FAIL ({len(self.problems)} problem(s))"),
            *(f"  - {problem}" for problem in self.problems),
        ]
        return "\n".join(lines)


def library_path(configured: str | None, root: Path) -> Path:
    """The configured library file (relative to `root`, the directory of params.yaml), or the packaged seed library."""
    if configured is None:
        return Path(str(resources.files("pipelines").joinpath("resources", "keywords_seed.tsv")))
    return resolve_path(root, configured)


def check_library(
    path: str | Path,
    taxonomy: Taxonomy | None = None,
    params: KeywordLibraryParams | None = None,
    today: date | None = None,
) -> CoverageReport:
    """Load a library and report its coverage (`corpusgate keywords check LIB`); malformed files raise."""
    taxonomy = taxonomy if taxonomy is not None else Taxonomy.load()
    return KeywordLibrary.load(path, taxonomy, params).coverage(taxonomy, params, today)


# --- matching -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One keyword occurrence for one category; `start`/`end` are offsets in the original text."""

    category: str
    keyword: str
    weight: float
    start: int
    end: int


class KeywordMatcher:
    """All keywords of a library in ONE Aho-Corasick automaton over their normalised forms.

    Build it once per worker (it is not meant to be pickled); `match` is then safe to call from any thread.
    """

    def __init__(self, library: KeywordLibrary) -> None:
        entries_by_pattern: dict[str, list[KeywordEntry]] = {}
        for entry in library.entries:
            entries_by_pattern.setdefault(entry.normalised, []).append(entry)
        self._entries = list(entries_by_pattern.values())
        # Standard match kind is the one that reports overlapping matches: a match rejected at a word
        # boundary must not hide a shorter valid one that overlaps it.
        self._automaton = AhoCorasick(list(entries_by_pattern), matchkind=MatchKind.Standard)

    def find(self, text: str) -> list[Hit]:
        """Every hit, in text order: leftmost-longest, non-overlapping, one per category of the keyword."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        norm = NormalisedText(text)
        found = self._automaton.find_matches_as_indexes(norm.dense, overlapping=True)
        candidates = sorted(
            (start, -end, pattern)
            for pattern, start, end in found
            if norm.is_word_boundary(start) and norm.is_word_boundary(end)
        )
        hits: list[Hit] = []
        covered_until = 0
        for start, negative_end, pattern in candidates:
            if start < covered_until:
                continue
            covered_until = -negative_end
            original_start, original_end = norm.span(start, covered_until)
            hits += (
                Hit(entry.category, entry.keyword, entry.weight, original_start, original_end)
                for entry in self._entries[pattern]
            )
        return hits

    def match(self, text: str) -> dict[str, int]:
        """Hits per category (counts, not flags); categories without hits are absent."""
        return dict(Counter(hit.category for hit in self.find(text)))

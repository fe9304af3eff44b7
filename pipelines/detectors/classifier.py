"""The supervised risk classifier: a fastText model that scores a text on every risk of the taxonomy (R6).

The keyword library catches known phrases; this classifier catches what is worded otherwise. It is trained on
labelled data (`train_classifier`), saved as a fastText model with a JSON sidecar that makes it traceable (R1,
R2: which files, with which hashes, under which parameters; the model's own hash, checked at every load), and
loaded once per worker (`RiskClassifier.load`) to give each text a score per risk id in [0, 1]. One-vs-all loss
makes the scores independent, so a text may carry several risks; `ClassifierParams` holds the decision
thresholds.

Labelled data format
--------------------
UTF-8 JSON lines, one example a line (blank lines are skipped)::

    {"text": "你就是个废物，谁会喜欢你", "labels": ["C.verbal_abuse"], "lang": "zh"}
    {"text": "Police arrested three men running an illegal betting ring.", "labels": [], "lang": "en"}

- ``text``: a non-empty string. Newlines are allowed: preprocessing collapses them.
- ``labels``: a list of risk ids of the taxonomy (`Taxonomy.load()`); an empty list means safe.
- ``lang``: ``"zh"`` or ``"en"``.
- ``kind`` (optional): a free tag (the seed set uses ``"risk"``, ``"safe"``, ``"hard_negative"``) that the
  evaluation reports on. Other keys are ignored, so files may carry ids or provenance of their own.

Every bad line (bad JSON, a missing or empty text, an unknown risk id, a bad lang) is reported with its file
and line number in one `LabelledDataError`.

Public data sets
----------------
`cold_to_labelled` and `davidson_to_labelled` turn two public sets into this format (see their docstrings for
the mapping and its limits). Neither is needed to run corpusgate: the default model trains on the seed set of
`pipelines.detectors.seed_training`.

Preprocessing
-------------
`preprocess` is shared by training and prediction: NFKC, case folding, Chinese (and Japanese) characters as
single-character tokens plus the bigrams of each run (Chinese has no spaces, and a character alone says little),
Latin words as words, ``!`` and ``?`` kept, other punctuation and all whitespace dropped (fastText reads one
example a line). URLs, e-mail addresses, @handles and numbers of five digits or more become placeholder tokens:
they carry no risk signal and would otherwise end up, verbatim, in the model's vocabulary (R10).
"""

from __future__ import annotations

import csv
import hashlib
import json
import operator
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import fasttext
import regex
from pydantic import BaseModel, ConfigDict, Field

from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import ClassifierParams

LABEL_PREFIX = "__label__"
# fastText needs a label on every training line; safe examples get this one, which is never a risk score.
SAFE_LABEL = "safe"
LANGS = ("zh", "en")
SIDECAR_FORMAT = "corpusgate-risk-classifier/1"
_MAX_REPORTED_PROBLEMS = 50


class ClassifierError(ValueError):
    """A model cannot be trained or loaded; the message names the file and what is wrong."""


class LabelledDataError(ValueError):
    """A labelled-data file is malformed; `problems` lists each problem as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:_MAX_REPORTED_PROBLEMS]
        lines = [f"{len(problems)} problem(s) in labelled data:", *shown]
        if len(problems) > len(shown):
            lines.append(f"... and {len(problems) - len(shown)} more")
        super().__init__("\n  ".join(lines))


# --- labelled data ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """One training or evaluation example; empty `labels` means safe."""

    text: str
    labels: tuple[str, ...]
    lang: str
    kind: str | None = None

    def to_json(self) -> str:
        record = {"text": self.text, "labels": list(self.labels), "lang": self.lang}
        if self.kind is not None:
            record["kind"] = self.kind
        return json.dumps(record, ensure_ascii=False)


def read_labelled(path: Path, taxonomy: Taxonomy | None = None) -> list[LabelledExample]:
    """Read and validate a labelled JSONL file (format in the module docstring)."""
    taxonomy = taxonomy or Taxonomy.load()
    examples, problems = [], []
    try:
        # Not splitlines(): JSON leaves U+2028 and other line separators unescaped inside strings.
        lines = Path(path).read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise LabelledDataError([f"{path}: cannot read: {error}"]) from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        example = _parse_example(line, taxonomy)
        if isinstance(example, str):
            problems.append(f"{path}:{number}: {example}")
        else:
            examples.append(example)
    if problems:
        raise LabelledDataError(problems)
    return examples


def _parse_example(line: str, taxonomy: Taxonomy) -> LabelledExample | str:
    """The example on `line`, or what is wrong with it (never quoting the text: it may hold personal data)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg} at column {error.colno})"
    if not isinstance(record, dict):
        return "expected a JSON object with text, labels and lang"
    text, labels, lang, kind = (record.get(key) for key in ("text", "labels", "lang", "kind"))
    if not isinstance(text, str) or not text.strip():
        return "'text' is missing or not a non-empty string"
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        return "'labels' must be a list of risk ids ([] for safe)"
    unknown = [label for label in labels if label not in taxonomy]
    if unknown:
        return f"unknown risk id(s) {', '.join(map(repr, unknown))} (taxonomy version {taxonomy.version})"
    if lang not in LANGS:
        return f"'lang' must be one of {', '.join(LANGS)}, not {lang!r}"
    if kind is not None and not isinstance(kind, str):
        return "'kind' must be a string when given"
    return LabelledExample(text, tuple(dict.fromkeys(labels)), lang, kind)


def write_labelled(path: Path, examples: Iterable[LabelledExample]) -> int:
    """Write examples as labelled JSONL; returns how many were written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for example in examples:
            handle.write(example.to_json() + "\n")
            count += 1
    return count


# COLD labels a comment offensive (1) or not (0) within one topic. Offensive comments on a topic are mostly attacks
# on the group the topic names, so each topic maps to the discrimination risk of that group.
COLD_TOPIC_RISKS: dict[str, tuple[str, ...]] = {"race": ("A2.9",), "region": ("A2.12",), "gender": ("A2.13",)}


def read_training_file(path: Path, taxonomy: Taxonomy | None = None) -> list[LabelledExample]:
    """Labelled examples from our JSONL format, or from a COLD or Davidson CSV file recognised by its header.

    So that `label.classifier.extra_training_data` can name `cold/train.csv` as it is, with the mappings of
    `cold_to_labelled` and `davidson_to_labelled`; any other CSV is refused with the columns it lacks.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        return read_labelled(path, taxonomy)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = set(next(csv.reader(handle), []))
    except (OSError, UnicodeDecodeError) as error:
        raise LabelledDataError([f"{path}: cannot read the file: {error}"]) from None
    if {"TEXT", "topic", "label"} <= header:
        return cold_to_labelled(path)
    if {"tweet", "class"} <= header:
        return davidson_to_labelled(path)
    wanted = "COLD's columns (TEXT, topic, label) or Davidson's (tweet, class)"
    raise LabelledDataError([f"{path}: a CSV needs {wanted}; it has {sorted(header)}"])


def cold_to_labelled(csv_path: Path) -> list[LabelledExample]:
    """COLD (thu-coai/COLDataset, Apache-2.0) as labelled examples: offensive -> the topic's risk, else safe.

    Mapping: race -> A2.9 (ethnic discrimination), region -> A2.12 (regional), gender -> A2.13 (gender).
    Offensive comments are not also labelled A4.25 (insult): COLD does not say which ones attack an individual
    rather than a group (its fine-grained labels exist for the test split only), and labelling all ~13,000 of
    them A4.25 would turn that risk into a copy of the three discrimination risks and drown the seed set's
    examples of insulting a named person. Limits: COLD's "race" topic also covers attacks by nationality and
    religion, all labelled A2.9 here; a comment offensive about another group than its topic gets its topic's
    risk; non-offensive comments include anti-discrimination statements, which are rightly safe. The file's
    `split` column is ignored (it is mixed in dev.csv): the file is the split.
    """
    examples = []
    for number, row in _csv_rows(csv_path, ("topic", "label", "TEXT")):
        topic, label, text = row["topic"], row["label"], row["TEXT"]
        if topic not in COLD_TOPIC_RISKS or label not in ("0", "1"):
            raise LabelledDataError([f"{csv_path}:{number}: unexpected topic or label (topic {topic!r})"])
        if text.strip():
            examples.append(LabelledExample(text, COLD_TOPIC_RISKS[topic] if label == "1" else (), "zh", "cold"))
    return examples


# Davidson et al. (t-davidson/hate-speech-and-offensive-language, MIT): class 0 hate, 1 offensive, 2 neither.
DAVIDSON_CLASS_RISKS: dict[str, tuple[str, ...]] = {"0": ("A2.17",), "1": ("A4.25",), "2": ()}


def davidson_to_labelled(csv_path: Path) -> list[LabelledExample]:
    """Davidson's English tweets as labelled examples: hate -> A2.17, offensive -> A4.25, neither -> safe.

    Hate speech there is contempt for a group (by race, sexual orientation, gender, ...) but the set does not say
    which group, so it goes to A2.17 (other discrimination) rather than guessing one of A2.9..A2.16. "Offensive"
    is mostly profanity and slurs aimed at people, mapped to A4.25 (insult). Not to C.verbal_abuse: that risk is a
    companion insulting its user, and tweets are not that. Limits: coders disagreed often between hate and
    offensive (the class is their majority), so the two risks are noisy against each other; "neither" is clean.
    The tweets hold real @handles and URLs: `preprocess` masks them, so they never reach a model's vocabulary.
    """
    examples = []
    for number, row in _csv_rows(csv_path, ("class", "tweet")):
        if row["class"] not in DAVIDSON_CLASS_RISKS:
            raise LabelledDataError([f"{csv_path}:{number}: unexpected class {row['class']!r} (0, 1 or 2)"])
        if row["tweet"].strip():
            examples.append(LabelledExample(row["tweet"], DAVIDSON_CLASS_RISKS[row["class"]], "en", "davidson"))
    return examples


def _csv_rows(csv_path: Path, columns: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with their line numbers; utf-8-sig drops COLD's byte-order mark."""
    try:
        with open(csv_path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in columns if column not in (reader.fieldnames or ())]
            if missing:
                raise LabelledDataError([f"{csv_path}: missing column(s) {', '.join(missing)}"])
            for row in reader:
                yield reader.line_num, row
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LabelledDataError([f"{csv_path}: cannot read: {error}"]) from error


# --- preprocessing ------------------------------------------------------------------------------------------

_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}"
_WORD_CHAR = rf"[[\p{{L}}\p{{N}}\p{{M}}]--[{_CJK}]]"
_TOKEN_RE = regex.compile(
    rf"""(?P<url>(?:https?://|www\.)\S+)
    |(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
    |(?P<handle>@\w+)
    |(?P<number>\d{{5,}})
    |(?P<cjk>[{_CJK}]+)
    |(?P<word>{_WORD_CHAR}+(?:['’][[\p{{L}}]--[{_CJK}]]+)*)
    |(?P<mark>[!?])""",
    regex.VERSION1 | regex.VERBOSE,
)
_PLACEHOLDERS = {"url": "<url>", "email": "<email>", "handle": "@user", "number": "<num>"}
# What _TOKEN_RE's placeholders need (an @, the start of a URL, five digits), and apostrophes (part of a word only
# between letters). Without them, its tokens are Chinese characters, words and marks, which `_TokenSpacing` finds
# without a Python loop over the tokens.
_NEEDS_MATCHING = regex.compile(r"@|https?://|www\.|\d{5}|['’]", regex.VERSION1)
_CJK_CHAR_RE = regex.compile(rf"[{_CJK}]", regex.VERSION1)
_CJK_RUN_RE = regex.compile(rf"[{_CJK}]+", regex.VERSION1)
_WORD_CHAR_RE = regex.compile(_WORD_CHAR, regex.VERSION1)


class _TokenSpacing(dict[int, str]):
    """A `str.translate` table after which `split()` cuts a text into _TOKEN_RE's Chinese characters, words and
    marks: those characters between spaces, word characters as they are, any other a space.
    Filled one character at a time, classed by the regexes themselves (the same Unicode version)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if _CJK_CHAR_RE.match(char) or char in "!?":
            spaced = f" {char} "
        elif _WORD_CHAR_RE.match(char):
            spaced = char
        else:
            spaced = " "
        self[code] = spaced
        return spaced


_TOKEN_SPACING = _TokenSpacing()


def preprocess(text: str, cjk_bigrams: bool = True) -> str:
    """The text as one line of space-separated tokens, as fastText trains and predicts on it."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if _NEEDS_MATCHING.search(folded):
        return _preprocess_matches(folded, cjk_bigrams)
    tokens = folded.translate(_TOKEN_SPACING).split()
    if cjk_bigrams:
        for run in _CJK_RUN_RE.findall(folded):
            tokens += map(operator.add, run[:-1], run[1:])
    return " ".join(tokens)


def _preprocess_matches(folded: str, cjk_bigrams: bool) -> str:
    """`preprocess` of a folded text, token by token."""
    tokens: list[str] = []
    bigrams: list[str] = []
    for match in _TOKEN_RE.finditer(folded):
        kind = match.lastgroup
        if kind in _PLACEHOLDERS:
            tokens.append(_PLACEHOLDERS[kind])
        elif kind == "cjk":
            run = match.group()
            tokens.extend(run)
            if cjk_bigrams:
                bigrams.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(match.group())
    return " ".join(tokens + bigrams)


# How far under a caller's floor fastText still returns labels: its probabilities are p + 1e-5 in float32, and callers
# round scores to 4 decimals before comparing them with the floor.
_FLOOR_MARGIN = 1e-4
# A sentence ends after a line break, Chinese end punctuation, or Latin end punctuation followed by a space.
_SENTENCE_END = regex.compile(r"[\n。！？；!?;]|[.…](?=\s)")


def sentence_spans(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the units `text` is scored in: its sentences, a sentence longer than `size` characters
    cut into pieces of at most `size`. `size` 0: the whole text as one unit.

    A harmful sentence among ordinary ones is scored on its own words, not averaged with theirs: fastText averages
    its tokens, so a long text dilutes a short statement.
    """
    if size == 0:
        return [(0, len(text))]
    spans, start = [], 0
    for end in [*(match.end() for match in _SENTENCE_END.finditer(text)), len(text)]:
        piece = text[start:end]
        first, last = end - len(piece.lstrip()), start + len(piece.rstrip())
        spans += _windows(text, first, last, size)
        start = end
    return spans


def sentences(text: str, size: int) -> list[str]:
    """The units `text` is scored in (see `sentence_spans`)."""
    return [text[start:end] for start, end in sentence_spans(text, size)]


def question_pairs(text: str, spans: Sequence[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """Each unit of `spans` that ends a question, joined with the unit after it when both fit in `size` characters.

    An answer may be harmful only with its question ("你还在上初中？那更好……"): the sentence split cuts them apart.
    """
    return [
        (start, end)
        for (start, stop), (_, end) in zip(spans, spans[1:], strict=False)
        if text[stop - 1] in "?？" and end - start <= size
    ]


def _windows(text: str, start: int, stop: int, size: int) -> list[tuple[int, int]]:
    """`text[start:stop]` cut into pieces of at most `size` characters, at a clause mark where one is near."""
    pieces = []
    while start < stop:
        end = min(start + size, stop)
        if end < stop:
            cut = max(text.rfind(mark, start, end) for mark in "，,、：:")
            if cut > start + size // 2:
                end = cut + 1
        pieces.append((start, end))
        start = end
    return pieces


# --- training -----------------------------------------------------------------------------------------------


class TrainingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    sha256: str
    examples: int


class TrainReport(BaseModel):
    """What was trained on what: written beside the model as its sidecar (R1 traceability, R2 tamper check)."""

    model_config = ConfigDict(extra="forbid")

    format: str = SIDECAR_FORMAT
    taxonomy_version: str
    model_file: str = Field(description="The model's file name; the sidecar lives beside it.")
    model_sha256: str
    model_bytes: int
    labels: list[str] = Field(description="Risk ids the model was trained on (others always score 0).")
    counts: dict[str, int] = Field(description="Training examples per risk id, and `safe`.")
    langs: dict[str, int]
    examples: int
    training_data: list[TrainingFile]
    params: ClassifierParams
    seconds: float


def sidecar_path(model_path: Path) -> Path:
    """Where a model's sidecar lives: `model.ftz` -> `model.ftz.json`."""
    return model_path.with_name(model_path.name + ".json")


def train_classifier(
    train_paths: Sequence[Path], out_path: Path, params: ClassifierParams, taxonomy: Taxonomy | None = None
) -> TrainReport:
    """Train on `train_paths` plus `params.extra_training_data`; write the model to `out_path` and its sidecar.

    Raises `LabelledDataError` for malformed data and `ClassifierError` when there is nothing to learn.
    """
    started = time.perf_counter()
    taxonomy = taxonomy or Taxonomy.load()
    paths = [Path(p) for p in (*train_paths, *params.extra_training_data)]
    if not paths:
        raise ClassifierError("no training data given")
    files, examples, problems = [], [], []
    for path in paths:
        try:
            read = read_training_file(path, taxonomy)
        except LabelledDataError as error:
            problems += error.problems
            continue
        files.append(TrainingFile(path=str(path), sha256=_sha256(path), examples=len(read)))
        examples += read
    if problems:
        raise LabelledDataError(problems)
    counts = Counter(label for example in examples for label in (example.labels or (SAFE_LABEL,)))
    risk_labels = [risk_id for risk_id in taxonomy.ids if counts[risk_id]]
    if not risk_labels:
        raise ClassifierError(f"no example of any risk in {', '.join(map(str, paths))}: nothing to learn")

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="corpusgate-classifier-") as tmp:
        train_file = Path(tmp) / "train.txt"
        with open(train_file, "w", encoding="utf-8") as handle:
            for example in examples:
                labels = " ".join(LABEL_PREFIX + label for label in (example.labels or (SAFE_LABEL,)))
                handle.write(f"{labels} {preprocess(example.text, params.cjk_bigrams)}\n")
        model = fasttext.train_supervised(
            input=str(train_file),
            epoch=params.epoch,
            lr=params.lr,
            wordNgrams=params.word_ngrams,
            dim=params.dim,
            minCount=params.min_count,
            loss=params.loss,
            bucket=params.bucket,
            thread=params.threads,
            seed=params.seed,
            verbose=0,
        )
        if params.quantize:
            model.quantize(input=str(train_file), retrain=True, qnorm=True, cutoff=params.quantize_cutoff, verbose=0)
        model.save_model(str(out_path))

    report = TrainReport(
        taxonomy_version=taxonomy.version,
        model_file=out_path.name,
        model_sha256=_sha256(out_path),
        model_bytes=out_path.stat().st_size,
        labels=risk_labels,
        counts={label: counts[label] for label in [*risk_labels, SAFE_LABEL] if counts[label]},
        langs=dict(Counter(example.lang for example in examples)),
        examples=len(examples),
        training_data=files,
        params=params,
        seconds=round(time.perf_counter() - started, 3),
    )
    sidecar_path(out_path).write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return report


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- prediction ---------------------------------------------------------------------------------------------


class RiskClassifier:
    """A trained model ready to score texts; load it once per worker and reuse it."""

    def __init__(
        self, model: fasttext.FastText._FastText, report: TrainReport, params: ClassifierParams, taxonomy: Taxonomy
    ) -> None:
        self._model = model
        self.report = report
        self.params = params
        self.ids = taxonomy.ids
        self._risk_of_label = {LABEL_PREFIX + risk_id: risk_id for risk_id in self.ids}

    @classmethod
    def load(
        cls, path: Path, params: ClassifierParams | None = None, taxonomy: Taxonomy | None = None
    ) -> RiskClassifier:
        """Load a model and its sidecar, checking the model's hash against the sidecar (R2: no tampering).

        Tokenisation comes from the sidecar (it must match training); thresholds and sentence units from `params`,
        else from the sidecar.
        """
        path = Path(path)
        taxonomy = taxonomy or Taxonomy.load()
        if not path.is_file():
            raise ClassifierError(f"{path}: no such model file (train one with train_classifier)")
        try:
            report = TrainReport.model_validate_json(sidecar_path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ClassifierError(f"{path}: its sidecar {sidecar_path(path).name} is missing") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise ClassifierError(f"{sidecar_path(path)}: not a valid classifier sidecar: {error}") from error
        if _sha256(path) != report.model_sha256:
            raise ClassifierError(f"{path}: sha256 differs from its sidecar's: the model was changed or is corrupt")
        unknown = [label for label in report.labels if label not in taxonomy]
        if unknown:
            raise ClassifierError(
                f"{path}: trained on risk id(s) {', '.join(unknown)} that taxonomy {taxonomy.version} lacks"
            )
        params = params or report.params
        bad_thresholds = [risk_id for risk_id in params.thresholds if risk_id not in taxonomy]
        if bad_thresholds:
            raise ClassifierError(f"thresholds for unknown risk id(s): {', '.join(bad_thresholds)}")
        try:
            model = fasttext.load_model(str(path))
        except ValueError as error:
            raise ClassifierError(f"{path}: fastText cannot load it: {error}") from error
        return cls(model, report, params, taxonomy)

    def scores(self, text: str) -> dict[str, float]:
        """A score in [0, 1] for every risk id of the taxonomy (0 for risks the model was not trained on)."""
        return self.predict_batch([text])[0]

    def predict_batch(
        self, texts: Sequence[str], floor: float = 0.0, spans: Sequence[Sequence[tuple[int, int]]] | None = None
    ) -> list[dict[str, float]]:
        """`scores` for many texts in one fastText call (much cheaper per text).

        `floor`: scores under it may come out as 0; all others are exact. fastText then leaves out the labels under
        it, which saves most of the work when only high scores matter (the label stage records none under
        `label.min_score_recorded`). `spans`: each text's `sentence_spans`, when the caller has them already; with
        `question_pairs`, a question and the sentence after it are also scored together.
        """
        owners, units = [], []
        for index, text in enumerate(texts):
            text_spans = sentence_spans(text, self.params.window_chars) if spans is None else spans[index]
            if self.params.question_pairs:
                text_spans = [*text_spans, *question_pairs(text, text_spans, self.params.window_chars)]
            owners += [index] * len(text_spans)
            units += [text[start:end] for start, end in text_spans]
        unit_scores = self._unit_scores(dict.fromkeys(units), floor)
        results = [dict.fromkeys(self.ids, 0.0) for _ in texts]
        for index, unit in zip(owners, units, strict=True):
            scores = results[index]
            for risk_id, score in unit_scores.get(unit, ()):
                if score > scores[risk_id]:
                    scores[risk_id] = score
        return results

    def _unit_scores(self, units: Iterable[str], floor: float) -> dict[str, list[tuple[str, float]]]:
        """Each unit's (risk id, score) pairs that fastText returns at `floor`, from one call. Units repeat across
        texts (boilerplate, copies): callers pass each once."""
        lines = {}
        for unit in units:
            line = preprocess(unit, self.report.params.cjk_bigrams)
            if line:
                lines[unit] = line
        if not lines:
            return {}
        threshold = max(floor - _FLOOR_MARGIN, 0.0)
        all_labels, all_probabilities = self._model.predict(list(lines.values()), k=-1, threshold=threshold)
        scores = {}
        for unit, labels, probabilities in zip(lines, all_labels, all_probabilities, strict=True):
            # fastText adds 1e-5 to every probability (it predicts with log(p + 1e-5)).
            unit_scores = [
                (self._risk_of_label[label], min(max(probability - 1e-5, 0.0), 1.0))
                for label, probability in zip(labels, probabilities.tolist(), strict=True)
                if label in self._risk_of_label
            ]
            if unit_scores:
                scores[unit] = unit_scores
        return scores

    def flagged(self, scores: dict[str, float]) -> dict[str, float]:
        """The risks whose score reaches their threshold, highest first."""
        hits = {risk_id: score for risk_id, score in scores.items() if score >= self.params.threshold_for(risk_id)}
        return dict(sorted(hits.items(), key=lambda item: -item[1]))

"""Language identification, offline, with fastText's ``lid.176.ftz`` model (R2: label every record; R3: diversity).

Every record is labelled with its language (R2, Measures art. 10(2)); the manifest's diversity statistics count
records per language (R3, art. 10(3)) and record the model's sha256 (`LanguageIdentifier.model_sha256`). The
model file is fetched once at set-up time by `pipelines.models`; nothing is downloaded here.

Labels are the model's 176 codes: ISO 639-1 where the language has one ("zh", "en", "ja", "fr"), else ISO 639-2/3
("yue" Cantonese, "wuu" Wu, "ceb"). "zh" covers simplified and traditional characters alike. A text gets
`LanguageParams.undetermined_label` ("und", ISO 639-2) when it is empty or only whitespace, or when the model's
probability for its best label is below `LanguageParams.min_confidence`: texts without letters (digits, emoji,
punctuation, a bare URL) get the model's prior, about 0.12, so they end up "und" too.

How a text is fed to the model: its first `max_chars` characters, line breaks and other whitespace collapsed to
single spaces (fastText reads one line and splits words on whitespace anyway), lower-cased (the model knows few
all-capitals words), lone surrogates replaced. The model often calls short Chinese texts Japanese
(and a few Korean). Japanese is not written without kana, nor Korean without hangul: for a text without that
script the label is dropped, and when all the text's letters are Chinese characters its probability is added to
"zh" (the model's "ja" for 東京大学 means Han characters it associates with Japan, not Japanese). In "my friend
lives in 大阪 now" it is just dropped, and the next label, "en", keeps its own probability.

Mixed-language texts (chat switching between Chinese and English) get one label, never a mixture, and nothing
says which part is in which language. The model adds up evidence from the words and character n-grams of the
whole (truncated) text, in any order, so the language with more evidence wins. Code-switching usually gets its
matrix language ("这个project的deadline是明天" is "zh", "I love 小笼包 so much" is "en"); an evenly mixed text
gets either language, with a lower score, or "und": a sentence followed by its translation is labelled the same
in both orders, but "en" for some sentences and "zh" for others. Only the first `max_chars` characters count, so
a long document that changes language later is labelled by its beginning. Callers must not pick which language's
detectors run from this label alone. `evaluation/eval_language.py` measures all this on written texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import fasttext

from pipelines.models import (
    PROJECT_ROOT,
    ModelError,
    file_sha256,
    language_model_path,
)
from pipelines.params import LanguageParams

_LABEL_PREFIX = "__label__"
_CANDIDATES = 3  # enough to skip both "ja" and "ko" when the script rules out both
# Labels that need their own script in the text: kana (hiragana, katakana, half-width katakana) and hangul.
_REQUIRED_SCRIPT = {
    "ja": re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]"),
    "ko": re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"),
}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class LanguageIdentifier:
    """Labels texts with their language. Load once per worker: loading reads and hashes the model file."""

    def __init__(self, params: LanguageParams | str | Path | None = None, root: Path = PROJECT_ROOT) -> None:
        """`params`, or a model path; relative model paths are taken from `root` (the directory of params.yaml).

        Raises ModelError when the file is missing (fetch it with `make`), is not the pinned one, or is not a
        fastText model.
        """
        if not isinstance(params, LanguageParams):
            params = LanguageParams() if params is None else LanguageParams(model_path=str(params))
        self.params = params
        self.model_path = language_model_path(params.model_path, root)
        self.model_sha256 = file_sha256(self.model_path)
        # Checked before loading: fastText may spend minutes allocating memory for a truncated file.
        if params.model_sha256 is not None and self.model_sha256 != params.model_sha256:
            raise ModelError(
                f"{self.model_path} has sha256 {self.model_sha256}, expected {params.model_sha256}: "
                "fetch it again with `python -m pipelines.models` (or set model_sha256 for a model of your own)"
            )
        try:
            self._model = fasttext.load_model(str(self.model_path))
        except (ValueError, MemoryError) as err:  # a wrong format is a ValueError, a truncated file a bad_alloc
            raise ModelError(
                f"{self.model_path} is not a usable fastText model ({err}); "
                "fetch it again with `python -m pipelines.models`"
            ) from None

    def identify(self, text: str) -> tuple[str, float]:
        """(language code, probability) of one text; the code is `undetermined_label` for empty or unsure text.

        The probability is the model's for its best label (after the script rule), also when that label was too
        unsure and `undetermined_label` is returned; 0.0 for empty text.
        """
        return self.identify_batch([text])[0]

    def identify_batch(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """`identify` for each text, in order, with one call into fastText (faster than one call per text)."""
        lines = [self._model_input(text) for text in texts]
        results = [(self.params.undetermined_label, 0.0)] * len(lines)
        todo = [i for i, line in enumerate(lines) if line]
        if todo:
            # The best label alone is much cheaper to get than three; look further only when the script rules it out.
            labels, probs = self._model.predict([lines[i] for i in todo], k=1)
            for i, candidates, candidate_probs in zip(todo, labels, probs, strict=True):
                if _script_rules_out(candidates[0], lines[i]):
                    candidates, candidate_probs = self._model.predict(lines[i], k=_CANDIDATES)
                results[i] = self._decide(lines[i], candidates, candidate_probs)
        return results

    def _model_input(self, text: str) -> str:
        if not isinstance(text, str):
            raise TypeError(f"language identification expects str, got {type(text).__name__}")
        line = " ".join(text[: self.params.max_chars].split()).lower()
        # Lone surrogates (from broken UTF-16) cannot be passed to fastText's C++ code.
        return line.encode("utf-8", "replace").decode("utf-8")

    def _decide(self, line: str, candidates: Sequence[str], probs: Sequence[float]) -> tuple[str, float]:
        # The quantised model's softmax can exceed 1 by a few 1e-5.
        scores = {
            label.removeprefix(_LABEL_PREFIX): min(float(p), 1.0) for label, p in zip(candidates, probs, strict=True)
        }
        for code in [code for code in scores if _script_rules_out(code, line)]:
            ruled_out = scores.pop(code)
            if _written_in_han(line):  # then the model's "ja" or "ko" can only mean Chinese characters
                scores["zh"] = min(scores.get("zh", 0.0) + ruled_out, 1.0)
        if not scores:
            return self.params.undetermined_label, 0.0
        code, score = max(scores.items(), key=lambda item: item[1])
        return (code if score >= self.params.min_confidence else self.params.undetermined_label), score


def _script_rules_out(label: str, line: str) -> bool:
    script = _REQUIRED_SCRIPT.get(label.removeprefix(_LABEL_PREFIX))
    return script is not None and script.search(line) is None


def _written_in_han(line: str) -> bool:
    letters = [char for char in line if char.isalpha()]
    return bool(letters) and all(_HAN.match(char) for char in letters)

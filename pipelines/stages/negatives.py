"""Negatives: training examples of the right behaviour from records held back for a risk (R3: Measures art.
10(3), negative sampling and adversarial training).

This stage decides about no record: it reads the held-back records and derives the rows of `negatives/`
(`tables.NEGATIVES_SCHEMA`), each pointing at its origin record and template (`pipelines/detectors/negatives.py`).
A record feeds negatives only when all of these hold:

- it was held back for a risk of the taxonomy (`R6.A1.6`, `R6.C.self_harm`, ...), one set of negatives per risk;
- the gate screened it (its personal information was redacted) and every reason it was held for allows copying its
  text: a record held for lack of consent, licence or for sensitive PI never feeds negatives, even when it also
  carries a risk;
- no personal information is left in it in any form: a name pseudonymised or a number masked keeps the record
  out (only redaction placeholders such as `<CN_MOBILE>` may remain);
- it is among the `negatives.ratio` share of records chosen by a hash of their id.

The harmful text is the turn of a chat that scores highest for the risk (the label stage's classifier and keyword
library, per turn), and the prompt the user turn before it; a plain text is both the prompt (a risky user turn)
and the harmful text a model must not repeat.
"""

from __future__ import annotations

from pathlib import Path

import apache_beam as beam

from pipelines.detectors import negatives
from pipelines.detectors.risk import RiskScorer
from pipelines.params import Params, resolve_path
from pipelines.record import Record, is_harmful_reason

STAGE = "negatives"


def eligible_risks(record: Record, ratio: float) -> list[str]:
    """The risks a held-back record may feed negatives for (see the module's docstring); [] when it may not."""
    risks = [code.removeprefix("R6.") for code in record.reasons if is_harmful_reason(code)]
    if not risks or not record.keeps_text:  # keeps_text: screened by the gate, no reason that forbids copying
        return []
    if any(entity.get("action") != "redact" for entity in record.labels.get("pi", [])):
        return []
    return risks if negatives.selected(record.id, ratio) else []


class Negatives(beam.PTransform):
    """Held-back records -> rows of the negatives table."""

    def __init__(self, params: Params, root: Path) -> None:
        super().__init__()
        self.params, self.root = params, root

    def expand(self, held: beam.PCollection) -> beam.PCollection:
        return held | f"{STAGE}.derive" >> beam.ParDo(_Derive(self.params, self.root))


class _Derive(beam.DoFn):
    def __init__(self, params: Params, root: Path) -> None:
        self.params, self.root = params, root

    def setup(self) -> None:
        settings = self.params.negatives
        path = resolve_path(self.root, settings.templates) if settings.templates else None
        self.templates = negatives.ResponseTemplates.load(path)
        self.scorer: RiskScorer | None = None  # loaded on the first eligible record: most runs hold few

    def process(self, record: Record):
        settings = self.params.negatives
        risks = eligible_risks(record, settings.ratio)
        turn_scores = self.turn_scores(record) if risks and record.messages is not None else []
        for risk in risks:
            prompt, harmful = self.exchange(record, [scores.get(risk, 0.0) for scores in turn_scores])
            language = negatives.script_language(prompt)
            exchange = negatives.RiskyExchange(record.id, risk, language, prompt, harmful)
            yield from negatives.negatives_for(exchange, self.templates, settings.kinds, settings.adversarial_variants)

    @staticmethod
    def exchange(record: Record, scores: list[float]) -> tuple[str, str]:
        """(prompt, harmful text): the turn scoring highest (`scores`: per turn, for one risk) and the user turn
        before it."""
        if record.messages is None:
            return record.text or "", record.text or ""
        turns = record.messages
        worst = max(range(len(turns)), key=scores.__getitem__)
        if turns[worst]["role"] == "user":
            return turns[worst]["content"], turns[worst]["content"]
        before = [turn["content"] for turn in turns[:worst] if turn["role"] == "user"]
        return (before[-1] if before else turns[worst]["content"]), turns[worst]["content"]

    def turn_scores(self, record: Record) -> list[dict[str, float]]:
        """The risk scores of each turn of a chat, in one call for all its risks."""
        if self.scorer is None:
            self.scorer = RiskScorer.load(self.params.label, self.root)
        return [labels.scores for labels in self.scorer.score_batch([turn["content"] for turn in record.messages])]

"""Label: language, keyword hits and a score per risk on every record (R2 labelling; R6: Measures art. 8).

Tag first, decide later: this stage only labels; the risk filter decides. A risk's score is the stronger of two
kinds of evidence: the fastText classifier's score (its highest over the record's sentences), and the keyword
library's (the sum of the weights of the category's hits in one sentence, capped at 1, from `label.keywords.threshold`);
see `pipelines.detectors.risk`.
The labels stay beside the record in the governed set and in the lineage.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.detectors.language import LanguageIdentifier
from pipelines.detectors.risk import RiskScorer, spoken_text
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import Params
from pipelines.record import Record
from pipelines.stages.base import RecordStage


class Label(RecordStage):
    name = "label"

    def __init__(self, params: Params, root: Path) -> None:
        super().__init__(params)
        self.root = root  # model and library paths in params are relative to params.yaml

    def setup(self) -> None:
        label = self.params.label
        self.language = LanguageIdentifier(label.language, self.root)
        self.risk = RiskScorer.load(label, self.root, Taxonomy.load())

    def apply(self, record: Record) -> None:
        self.apply_batch([record])

    def apply_batch(self, records: list[Record]) -> None:
        """The records' labels from one call into each model: far cheaper per record than one call each."""
        texts = [spoken_text(record.text, record.messages) for record in records]
        languages = self.language.identify_batch(texts)
        risks = self.risk.score_batch(texts)
        for record, (language, confidence), risk in zip(records, languages, risks, strict=True):
            record.labels["language"] = {"code": language, "score": round(confidence, 3)}
            record.labels["keywords"] = risk.keywords
            record.labels["risk"] = risk.scores
            record.note(self.name, "pass", language)

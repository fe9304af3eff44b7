"""Label: language, keyword hits and a score per risk on every record (R2 labelling; R6: Measures art. 8).

Tag first, decide later: this stage only labels; the risk filter decides. A risk's score is the stronger of two
kinds of evidence: the fastText classifier's score, and the keyword library's (the sum of the weights of the
category's hits, capped at 1). The labels stay beside the record in the governed set and in the lineage.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pipelines.detectors.classifier import RiskClassifier
from pipelines.detectors.keywords import KeywordLibrary, KeywordMatcher, library_path
from pipelines.detectors.language import LanguageIdentifier
from pipelines.detectors.risk import combined_scores, keyword_evidence, spoken_text
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import Params, resolve_path
from pipelines.record import Record
from pipelines.stages.base import RecordStage


class Label(RecordStage):
    name = "label"

    def __init__(self, params: Params, root: Path) -> None:
        super().__init__(params)
        self.root = root  # model and library paths in params are relative to params.yaml

    def setup(self) -> None:
        label = self.params.label
        taxonomy = Taxonomy.load()
        self.language = LanguageIdentifier(label.language, self.root)
        library = KeywordLibrary.load(library_path(label.keywords.path, self.root), taxonomy, label.keywords)
        self.keywords = KeywordMatcher(library)
        model = resolve_path(self.root, label.classifier_model)
        self.classifier = RiskClassifier.load(model, label.classifier, taxonomy)

    def apply(self, record: Record) -> None:
        text = spoken_text(record.text, record.messages)
        language, confidence = self.language.identify(text)
        hits = self.keywords.find(text)
        scores = combined_scores(
            self.classifier.scores(text), keyword_evidence(hits), self.params.label.min_score_recorded
        )
        record.labels["language"] = {"code": language, "score": round(confidence, 3)}
        record.labels["keywords"] = dict(sorted(Counter(hit.category for hit in hits).items()))
        record.labels["risk"] = scores
        record.note(self.name, "pass", language)

"""The inspection's own look at sampled records, with the current keyword library and models (TC260-003 9.2).

Per record: the risk scores (keywords and classifier, combined as the label stage does), the risks they flag, the
flagged risks the taxonomy quarantines (the record fails the technical check), the language, and the types of any
structured personal information still in the governed text (identifiers, numbers, addresses of mail and IP: never
names, which pseudonyms replace, and never a value).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.detectors.classifier import ClassifierError
from pipelines.detectors.keywords import KeywordLibraryError
from pipelines.detectors.language import LanguageIdentifier
from pipelines.detectors.names import ADDRESS, PERSON
from pipelines.detectors.pii import PiiDetector
from pipelines.detectors.risk import RiskScorer, spoken_text
from pipelines.detectors.taxonomy import Taxonomy, TaxonomyError
from pipelines.models import ModelError
from pipelines.params import Params
from validators import InspectionError


@dataclass(frozen=True)
class Rescored:
    scores: dict[str, float]
    flagged: list[str]
    """Risks whose score reaches their threshold."""
    harmful: list[str]
    """Flagged risks whose taxonomy action is quarantine: the record fails the technical check."""
    language: str
    pi_types: list[str]
    """Types of structured personal information found in the text (sorted, repeated per occurrence)."""


class Rescorer:
    """Loads the current keyword library, classifier, language model and PI recognizers once."""

    def __init__(self, params: Params, root: Path) -> None:
        label = params.label
        try:
            self.taxonomy = Taxonomy.load()
            self.risk = RiskScorer.load(label, root, self.taxonomy)
            self.language = LanguageIdentifier(label.language, root)
        except (ClassifierError, KeywordLibraryError, ModelError, TaxonomyError, OSError) as err:
            raise InspectionError(f"cannot load the models of the technical check: {err}") from None
        self.quarantined = {risk.id for risk in self.taxonomy if risk.default_action == "quarantine"}
        structured = [entity for entity in params.gate.pii.entities if entity not in (PERSON, ADDRESS)]
        self.pii = PiiDetector(params.gate.pii.model_copy(update={"entities": structured})) if structured else None

    def rescore(self, rows: list[dict[str, Any]]) -> list[Rescored]:
        """One `Rescored` per row (`text`, `messages`), in order."""
        texts = [spoken_text(row["text"], row["messages"]) for row in rows]
        risks = self.risk.score_batch(texts)
        languages = self.language.identify_batch(texts)
        results = []
        for row, risk, (language, _) in zip(rows, risks, languages, strict=True):
            scores = risk.scores
            flagged = sorted(self.risk.classifier.flagged(scores))
            results.append(
                Rescored(
                    scores=scores,
                    flagged=flagged,
                    harmful=[risk for risk in flagged if risk in self.quarantined],
                    language=language,
                    pi_types=self._pi_types(row),
                )
            )
        return results

    def _pi_types(self, row: dict[str, Any]) -> list[str]:
        if self.pii is None:
            return []
        # Piece by piece, as the gate detected it: each message on its own.
        pieces = [m["content"] for m in row["messages"]] if row["messages"] is not None else [row["text"] or ""]
        return sorted(entity.type for piece in pieces for entity in self.pii.detect(piece))

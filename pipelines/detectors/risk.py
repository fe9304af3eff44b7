"""A text's risk scores: the keyword library's evidence and the classifier's scores, combined (R6).

Pure Python: the label stage records what this module computes and the risk filter decides on it; the evaluation
scores the sample the same way, so the figures it prints are the pipeline's, and the inspection re-scores its samples
with it (the technical check of TC260-003 9.2). A risk's score is the stronger of two kinds of
evidence: the classifier's score (its highest over the text's sentences), and the keyword library's (the summed
weights of the risk's hits in one sentence, capped at 1: one weight-1 keyword is enough on its own), counted only from
`label.keywords.threshold`, so that the classifier's threshold may be lower than a single weak cue's weight.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.detectors.classifier import RiskClassifier, sentence_spans
from pipelines.detectors.keywords import Hit, KeywordLibrary, KeywordMatcher, library_path
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import ClassifierParams, LabelParams, resolve_path


def spoken_text(text: str | None, messages: list[dict[str, str]] | None) -> str:
    """The words of a record without chat roles: what a model would be trained on, and what is scored."""
    if messages is not None:
        return "\n".join(m["content"] for m in messages)
    return text or ""


def keyword_evidence(
    hits: list[Hit], spans: Sequence[tuple[int, int]] | None = None, threshold: float = 0.0
) -> dict[str, float]:
    """Per category, the summed weight of its hits within one sentence (`spans`; None: the whole text), the highest
    over the sentences, capped at 1; categories under `threshold` (`label.keywords.threshold`) are left out.

    One weight-1 keyword is enough on its own; weaker cues count when they meet in the same sentence, so that the
    scattered words of a long ordinary text do not add up to a risk. A weak cue alone is no evidence, whatever the
    classifier's threshold: under its weight, one word would hold crime news and prevention texts.
    """
    starts = [start for start, _ in spans] if spans else [0]
    evidence: dict[tuple[str, int], float] = Counter()
    for hit in hits:
        evidence[hit.category, bisect_right(starts, hit.start) - 1] += hit.weight
    best: dict[str, float] = {}
    for (category, _), weight in evidence.items():
        best[category] = min(1.0, max(best.get(category, 0.0), weight))
    return {category: weight for category, weight in best.items() if weight >= threshold}


def combined_scores(classifier: dict[str, float], keywords: dict[str, float], floor: float) -> dict[str, float]:
    """Per risk, the stronger evidence, rounded; scores under `floor` are left out to keep labels small."""
    # A risk without evidence scores 0, under any floor but 0: most of the classifier's scores are that.
    risks = {risk for risk, score in classifier.items() if score or floor <= 0} | set(keywords)
    combined = {risk: round(max(classifier.get(risk, 0.0), keywords.get(risk, 0.0)), 4) for risk in risks}
    return {risk: score for risk, score in sorted(combined.items()) if score >= floor}


@dataclass(frozen=True)
class RiskLabels:
    """What the label stage records of a text: keyword hits per category, and the combined score per risk."""

    keywords: dict[str, int]
    scores: dict[str, float]


class RiskScorer:
    """The keyword matcher and the classifier of a run; build it once per worker."""

    def __init__(
        self, matcher: KeywordMatcher, classifier: RiskClassifier, floor: float = 0.0, keyword_threshold: float = 0.0
    ) -> None:
        self.matcher = matcher
        self.classifier = classifier
        self.floor = floor
        self.keyword_threshold = keyword_threshold

    @classmethod
    def load(cls, label: LabelParams, root: Path, taxonomy: Taxonomy | None = None) -> RiskScorer:
        """The library and model that `label` names (paths relative to `root`, the directory of params.yaml)."""
        taxonomy = taxonomy or Taxonomy.load()
        library = KeywordLibrary.load(library_path(label.keywords.path, root), taxonomy, label.keywords)
        model = RiskClassifier.load(resolve_path(root, label.classifier_model), label.classifier, taxonomy)
        return cls(KeywordMatcher(library), model, label.min_score_recorded, label.keywords.threshold)

    def score(self, text: str) -> RiskLabels:
        return self.score_batch([text])[0]

    def score_batch(self, texts: Sequence[str]) -> list[RiskLabels]:
        """`score` for many texts, with one classifier call."""
        results = []
        spans = [sentence_spans(text, self.classifier.params.window_chars) for text in texts]
        model_scores = self.classifier.predict_batch(texts, self.floor, spans)
        for text, text_spans, text_model_scores in zip(texts, spans, model_scores, strict=True):
            hits = self.matcher.find(text)
            evidence = keyword_evidence(hits, text_spans, self.keyword_threshold)
            results.append(
                RiskLabels(
                    keywords=dict(sorted(Counter(hit.category for hit in hits).items())),
                    scores=combined_scores(text_model_scores, evidence, self.floor),
                )
            )
        return results


@dataclass(frozen=True)
class RiskVerdict:
    """What the risk filter makes of a record's scores (see `decide`)."""

    over: list[str]  # quarantine-action risks at or over their threshold: held with these risk ids
    review: list[str]  # quarantine-action risks within the review band below it: held for human review
    flagged: list[str]  # label-action risks at or over their threshold: kept and flagged


def decide(
    scores: dict[str, float], classifier: ClassifierParams, review_band: float, actions: dict[str, str]
) -> RiskVerdict:
    """Per risk of `scores`: over its threshold, in the review band below it, or neither (`actions`: risk id ->
    its taxonomy action; only `quarantine` risks hold a record back). Review only when no risk is over: a record
    held for a risk is not also sent to review."""
    over, review, flagged = [], [], []
    for risk, score in scores.items():
        threshold = classifier.threshold_for(risk)
        quarantines = actions.get(risk) == "quarantine"
        if score >= threshold:
            (over if quarantines else flagged).append(risk)
        elif quarantines and score >= threshold - review_band:
            review.append(risk)
    return RiskVerdict(over, [] if over else review, flagged)

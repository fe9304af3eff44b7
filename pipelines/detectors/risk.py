"""Risk scores from the two kinds of evidence, keywords and the classifier (R6: Measures art. 8; TC260-003 9.2).

Pure Python, shared by the label stage, which scores every record, and the inspection, which re-scores its samples
with the current library and model (the technical check of TC260-003 9.2).
"""

from __future__ import annotations

from collections import Counter

from pipelines.detectors.keywords import Hit


def spoken_text(text: str | None, messages: list[dict[str, str]] | None) -> str:
    """The words of a record without chat roles: what a model would be trained on, and what is scored."""
    if messages is not None:
        return "\n".join(m["content"] for m in messages)
    return text or ""


def keyword_evidence(hits: list[Hit]) -> dict[str, float]:
    """Per category, the summed weight of its hits, capped at 1: one weight-1 keyword is enough on its own."""
    evidence: Counter[str] = Counter()
    for hit in hits:
        evidence[hit.category] += hit.weight
    return {category: min(1.0, weight) for category, weight in evidence.items()}


def combined_scores(classifier: dict[str, float], keywords: dict[str, float], floor: float) -> dict[str, float]:
    """Per risk, the stronger evidence, rounded; scores under `floor` are left out to keep labels small."""
    risks = set(classifier) | set(keywords)
    combined = {risk: round(max(classifier.get(risk, 0.0), keywords.get(risk, 0.0)), 4) for risk in risks}
    return {risk: score for risk, score in sorted(combined.items()) if score >= floor}

"""Risk filter: hold back prohibited content, send borderline cases to review, refuse harmful sources (R6).

Measures art. 8 (art. 7 of the draft) lists what training data must not contain; TC260-003 appendix A and the
companion-specific risks of the Measures make the taxonomy. Per record, for every risk whose taxonomy action is
`quarantine`: a score at or over its threshold (`label.classifier.threshold`, or `thresholds` per risk) holds the
record back with the risk's reason code (`R6.A1.6`, `R6.C.self_harm`, ...); a score within `risk.review_band`
below it holds the record for human review (`R6.review`) rather than letting the machine decide. Risks whose action
is `label` or `redact` are flagged in the labels and kept.

Per source (TC260-003 5.1): a source whose share of harmful records is over `risk.source_max_harmful_share` is not
used: every record of it left is held back (`R6.harmful_source`). The shares are computed inside the pipeline, as a
side input, so the stage keeps no driver-side state.
"""

from __future__ import annotations

import apache_beam as beam

from pipelines.detectors.risk import decide
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import Params
from pipelines.record import Record, is_harmful_reason
from pipelines.stages.base import HELD, KEPT, RecordStage, route

STAGE = "risk"


def is_harmful(record: Record) -> bool:
    """Held back for a risk of the taxonomy (not for review, not for its source)."""
    return any(is_harmful_reason(code) for code in record.reasons)


class RiskDecision(RecordStage):
    name = STAGE

    def setup(self) -> None:
        self.actions = {risk.id: risk.default_action for risk in Taxonomy.load()}

    def apply(self, record: Record) -> None:
        risk = record.labels.get("risk", {})
        decision = decide(risk, self.params.label.classifier, self.params.risk.review_band, self.actions)
        if decision.flagged:
            record.labels["risk_flags"] = decision.flagged
        for risk_id in decision.over:
            record.hold(self.name, f"R6.{risk_id}", f"score {risk[risk_id]}")
        if decision.review:
            record.hold(self.name, "R6.review", ",".join(decision.review))
        if not record.held:
            record.note(self.name)


class RiskFilter(beam.PTransform):
    """Per-record decisions, then the per-source share of harmful records."""

    def __init__(self, params: Params) -> None:
        super().__init__()
        self.params = params

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        decided = records | RiskDecision(self.params)
        kept, held = decided[KEPT], decided[HELD]
        if not self.params.risk.hold_harmful_sources:
            return decided
        shares = (
            (
                kept | f"{STAGE}.clean_flags" >> beam.Map(lambda r: (r.source, 0.0)),
                held | f"{STAGE}.held_flags" >> beam.Map(lambda r: (r.source, float(is_harmful(r)))),
            )
            | f"{STAGE}.flags" >> beam.Flatten()
            | f"{STAGE}.shares" >> beam.combiners.Mean.PerKey()
        )
        checked = kept | f"{STAGE}.sources" >> beam.ParDo(
            _HoldHarmfulSources(self.params.risk.source_max_harmful_share), beam.pvalue.AsDict(shares)
        ).with_outputs(HELD, main=KEPT)
        all_held = (held, checked[HELD]) | f"{STAGE}.held" >> beam.Flatten()
        return {KEPT: checked[KEPT], HELD: all_held}


class _HoldHarmfulSources(beam.DoFn):
    def __init__(self, max_share: float) -> None:
        self.max_share = max_share

    def process(self, record: Record, shares: dict[str, float]):
        share = shares.get(record.source, 0.0)
        if share > self.max_share:
            record.hold(STAGE, "R6.harmful_source", f"{share:.1%} of {record.source} is harmful")
        yield route(record)

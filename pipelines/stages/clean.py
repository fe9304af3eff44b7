"""Clean: normalise text and enforce length bounds (R2: Measures art. 10(2), clean training data).

What changed is recorded in the record's stage trail (which cleaning steps applied), so an auditor can see that
the governed text differs from the source and why.
"""

from __future__ import annotations

from pipelines.detectors.text import TextCleaner
from pipelines.record import Record
from pipelines.stages.base import RecordStage


class Clean(RecordStage):
    name = "clean"

    def setup(self) -> None:
        self.cleaner = TextCleaner(self.params.clean)

    def apply(self, record: Record) -> None:
        changed: set[str] = set()

        def clean(text: str) -> str:
            cleaned, steps = self.cleaner.clean(text)
            changed.update(steps)
            return cleaned

        record.map_text(clean)
        length = len(record.content())
        if length < self.params.clean.min_chars:
            record.hold(self.name, "R2.too_short", f"{length} chars")
        elif length > self.params.clean.max_chars:
            record.hold(self.name, "R2.too_long", f"{length} chars")
        elif changed:
            record.note(self.name, "modify", ",".join(sorted(changed)))
        else:
            record.note(self.name)

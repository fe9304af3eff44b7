"""Run the suites with Great Expectations, offline: an ephemeral context, no analytics, no progress bars.

Each expectation becomes one `Check` of the report: passed or not, what was observed against which thresholds, and
the keys of the rows that did not meet it (record ids; for the `sources` and `categories` frames, the sources or
risks and the records behind them). Values are never copied from Great Expectations' results: only keys and
aggregates, so that nothing but ids and figures reaches a report.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before Great Expectations is imported

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.expectations import Expectation  # noqa: E402

from validators.frames import KEYS  # noqa: E402

# Its config module sets itself to INFO and logs a line for every ephemeral context.
logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

_NOT_THRESHOLDS = {"batch_id", "column", "row_condition", "condition_parser", "result_format"}


@dataclass
class Check:
    """One check of the inspection and its outcome."""

    check: str
    frame: str
    expectation: str
    basis: str
    asks: str
    severity: str
    passed: bool
    observed: Any = None
    thresholds: dict[str, Any] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    """The failing rows' keys when the frame's key is not a record id (sources, risks, fields)."""
    ids: list[str] = field(default_factory=list)
    """Record ids of the rows that did not meet the expectation (at most `max_ids`)."""
    id_count: int = 0
    error: str | None = None

    @property
    def fails(self) -> bool:
        """Whether this check fails the inspection (a warning does not)."""
        return not self.passed and self.severity == "error"


def run_suites(
    frames: dict[str, pd.DataFrame],
    suites: dict[str, list[Expectation]],
    parameters: dict[str, Any],
    max_ids: int,
) -> list[Check]:
    """Validate each frame against its suite; frames without a suite and suites without a frame are skipped."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("corpusgate")
    checks = []
    for name, frame in frames.items():
        expectations = suites.get(name, [])
        if not expectations:
            continue
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        suite = gx.ExpectationSuite(name=name, expectations=expectations)
        result = batch.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite,
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [KEYS[name]]},
        )
        checks += [_check(name, frame, outcome, max_ids) for outcome in result.results]
    return checks


def _check(frame_name: str, frame: pd.DataFrame, outcome: Any, max_ids: int) -> Check:
    config = outcome.expectation_config
    meta, details = config.meta or {}, outcome.result or {}
    key = KEYS[frame_name]
    failing = list(dict.fromkeys(str(row[key]) for row in details.get("unexpected_index_list") or []))
    if key == "id":
        keys, ids = [], failing
    else:
        keys = failing
        behind = frame[frame[key].isin(keys)]["record_ids"] if "record_ids" in frame.columns else []
        ids = sorted({record_id for records in behind for record_id in records})
    if "observed_value" in details:
        observed = _plain(details["observed_value"])
    else:
        total, bad = details.get("element_count", 0), details.get("unexpected_count", 0)
        observed = {"rows": total, "failing": bad, "passing_share": round(1 - bad / total, 4) if total else None}
    error = outcome.exception_info.get("exception_message") if outcome.exception_info else None
    return Check(
        check=meta.get("check", f"{frame_name}.{config.type}"),
        frame=frame_name,
        expectation=config.type,
        basis=meta.get("basis", ""),
        asks=meta.get("asks", config.type),
        severity=meta.get("severity", "error"),
        passed=bool(outcome.success),
        observed=observed,
        thresholds={k: _plain(v) for k, v in config.kwargs.items() if k not in _NOT_THRESHOLDS},
        keys=keys[:max_ids],
        ids=sorted(ids)[:max_ids],
        id_count=len(ids),
        error=error,
    )


def _plain(value: Any) -> Any:
    """`value` with numpy scalars and containers turned into JSON's types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value

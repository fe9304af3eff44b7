"""The Great Expectations suites of the inspection: one plain list of expectations per frame (see `frames.py`).

Thresholds are suite parameters (`{"$PARAMETER": name}`), filled from params.yaml by `suite_parameters`, so a
suite reads the same whatever the thresholds. Each expectation's `meta` names its check in the report (`check`),
the rule it serves (`basis`), what it asks in words (`asks`), and optionally `severity: warning` for a check that
is reported but does not fail the inspection.

To add a check, append an expectation to a list here, or, without touching code, list it under
`inspect.expectations.<frame>` in params.yaml (`{type, kwargs, meta}`, Great Expectations' own names). Expectations
on a frame's key column name the failing records (or sources, risks, fields) in the report.
"""

from __future__ import annotations

from typing import Any

from great_expectations import expectations as gxe
from great_expectations.exceptions import ExpectationNotFoundError
from great_expectations.expectations import Expectation
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.expectations.row_conditions import Column

from pipelines.params import Params
from validators import InspectionError
from validators.frames import KEYS
from validators.target import Target

ASSESSMENT = "TC260-003 9.2; GB/T 45652 draft 8.2.3"


def _param(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


def _meta(check: str, basis: str, asks: str, severity: str = "error") -> dict[str, str]:
    return {"check": check, "basis": basis, "asks": asks, "severity": severity}


def _all_true(column: str, check: str, basis: str, asks: str, **kwargs: Any) -> Expectation:
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True], meta=_meta(check, basis, asks), **kwargs)


SCHEMA: list[Expectation] = [
    _all_true("matches", "schema", "R2: Measures art. 10(2)", "every table has the columns and types of a run"),
]

GOVERNED: list[Expectation] = [
    gxe.ExpectColumnValuesToBeUnique(
        column="id", meta=_meta("governed.unique_ids", "R1: Measures art. 11", "every record id appears once")
    ),
    *(
        gxe.ExpectColumnValuesToNotBeNull(
            column=name,
            meta=_meta(f"governed.{name}_present", "R1: Measures art. 11", f"every record has its {name}"),
        )
        for name in ("id", "source", "origin", "licence", "content_sha256")
    ),
    _all_true("hash_ok", "governed.content_hash", "R2: Measures art. 10(2)", "each text hashes to content_sha256"),
    _all_true(
        "labels_valid", "governed.labels", "R2: Measures art. 10(2)", "labels parse, known risks, scores in [0, 1]"
    ),
    gxe.ExpectColumnValuesToBeInSet(
        column="language",
        value_set=_param("languages"),
        mostly=_param("min_language_share"),
        meta=_meta("governed.languages", "R3: Measures art. 10(3)", "records are in the expected languages"),
    ),
    gxe.ExpectColumnValuesToBeBetween(
        column="chars",
        min_value=_param("min_chars"),
        max_value=_param("max_chars"),
        meta=_meta("governed.length", "R2: Measures art. 10(2)", "lengths within the cleaning bounds"),
    ),
]

LINEAGE: list[Expectation] = [
    gxe.ExpectColumnValuesToBeUnique(
        column="id", meta=_meta("lineage.unique_ids", "R1: Measures art. 11", "one lineage row per input record")
    ),
    _all_true(
        "provenance_complete",
        "lineage.provenance",
        "R1: Measures art. 11",
        "source, file, row, hash, trail; licence, legal basis and origin for records used",
    ),
    _all_true("decision_consistent", "lineage.decisions", "R2: Measures art. 10(2)", "decision, reasons, twin agree"),
    gxe.ExpectColumnValuesToBeInSet(
        column="source",
        value_set=_param("declared_sources"),
        meta=_meta("lineage.declared_sources", "R1: Measures art. 11", "records come from declared sources"),
    ),
]

QUARANTINE: list[Expectation] = [
    gxe.ExpectColumnValuesToBeUnique(
        column="id", meta=_meta("quarantine.unique_ids", "R2: Measures art. 10(2)", "a record is held back once")
    ),
    gxe.ExpectColumnValuesToBeBetween(
        column="reason_count",
        min_value=1,
        meta=_meta("quarantine.reasons", "R6: Measures art. 8", "every held-back record says why"),
    ),
    _all_true("text_consistent", "quarantine.withheld_text", "R7: PIPL art. 29", "withheld records carry no text"),
]

TECHNICAL: list[Expectation] = [
    gxe.ExpectColumnValuesToBeInSet(
        column="harmful",
        value_set=[False],
        mostly=_param("technical_min_pass_rate"),
        meta=_meta("technical.pass_rate", ASSESSMENT, "keywords and classifier pass the sampled records"),
    ),
    gxe.ExpectColumnValuesToBeBetween(
        column="residual_pi",
        max_value=0,
        meta=_meta("technical.residual_pi", "R7, R10: PIPL art. 28-29", "no structured personal information left"),
    ),
]

SOURCES: list[Expectation] = [
    gxe.ExpectColumnValuesToBeBetween(
        column="harmful_share",
        max_value=_param("source_max_harmful_share"),
        meta=_meta("sources.harmful_share", "TC260-003 5.1", "no source's sampled records are over the harmful share"),
    ),
]

CATEGORIES: list[Expectation] = [
    gxe.ExpectColumnValuesToBeBetween(
        column="share",
        max_value=_param("max_category_share"),
        row_condition=Column("action") == "quarantine",
        meta=_meta("categories.share", ASSESSMENT, "no quarantined risk flags more than its share of the sample"),
    ),
]

AUDIT: list[Expectation] = [
    _all_true("labels_valid", "audit.labels", ASSESSMENT, "audited records have valid labels"),
    *(
        _all_true(
            f"{label}_agrees",
            f"audit.{label}_label",
            ASSESSMENT,
            f"recorded {label} labels agree with the current models",
            mostly=_param("min_label_agreement"),
        )
        for label in ("language", "risk")
    ),
]

SUITES: dict[str, list[Expectation]] = {
    "schema": SCHEMA,
    "governed": GOVERNED,
    "lineage": LINEAGE,
    "quarantine": QUARANTINE,
    "technical": TECHNICAL,
    "sources": SOURCES,
    "categories": CATEGORIES,
    "audit": AUDIT,
}


def suites(params: Params) -> dict[str, list[Expectation]]:
    """The suites above plus `inspect.expectations` from params.yaml; InspectionError names a bad entry."""
    unknown = sorted(set(params.inspect.expectations) - set(SUITES))
    if unknown:
        raise InspectionError(f"inspect.expectations: unknown frame(s) {', '.join(unknown)}; frames: {', '.join(KEYS)}")
    combined = {frame: [e.copy(deep=True) for e in expectations] for frame, expectations in SUITES.items()}
    for frame, specs in params.inspect.expectations.items():
        for index, spec in enumerate(specs):
            meta = {"check": f"{frame}.{spec.type}", "basis": "params.yaml", "asks": spec.type, **spec.meta}
            try:
                expectation = ExpectationConfiguration(type=spec.type, kwargs=spec.kwargs, meta=meta).to_domain_obj()
            except (ExpectationNotFoundError, ValueError, TypeError) as err:
                raise InspectionError(f"inspect.expectations.{frame}.{index}: {err}") from None
            combined[frame].append(expectation)
    return combined


def suite_parameters(params: Params, target: Target) -> dict[str, Any]:
    """The values of the suites' parameters, from params.yaml (and the run's declared sources)."""
    inspect = params.inspect
    declared = [source["name"] for source in (target.manifest or {}).get("sources", [])]
    return {
        "languages": inspect.languages,
        "min_language_share": inspect.min_language_share,
        "min_chars": params.clean.min_chars,
        "max_chars": params.clean.max_chars,
        "declared_sources": declared,
        "technical_min_pass_rate": inspect.technical.min_pass_rate,
        "source_max_harmful_share": params.risk.source_max_harmful_share,
        "max_category_share": inspect.technical.max_category_share,
        "min_label_agreement": inspect.audit.min_label_agreement,
    }

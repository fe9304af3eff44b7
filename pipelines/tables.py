"""The tables a run writes, and their Arrow schemas: the run layout that stages write and auditors' tools read.

Beam-free, so that the manifest, `verify`, `trace` and the validators read runs without importing the pipeline.
"""

import pyarrow as pa

MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
TRAIL = pa.list_(pa.struct([("stage", pa.string()), ("action", pa.string()), ("detail", pa.string())]))

GOVERNED_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.string()),
        ("messages", MESSAGES),
        ("source", pa.string()),
        ("origin", pa.string()),
        ("licence", pa.string()),
        ("labels", pa.string()),
        ("content_sha256", pa.string()),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("file", pa.string()),
        ("row", pa.int64()),
        ("reasons", pa.list_(pa.string())),
        ("text_withheld", pa.bool_()),
        ("text", pa.string()),
        ("messages", MESSAGES),
        ("raw_sha256", pa.string()),
        ("content_sha256", pa.string()),
    ]
)

LINEAGE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("file", pa.string()),
        ("row", pa.int64()),
        ("source_record_id", pa.string()),
        ("subject", pa.string()),
        ("raw_sha256", pa.string()),
        ("content_key", pa.string()),
        ("content_sha256", pa.string()),
        ("decision", pa.string()),
        ("reasons", pa.list_(pa.string())),
        ("duplicate_of", pa.string()),
        ("origin", pa.string()),
        ("licence", pa.string()),
        ("legal_basis", pa.string()),
        ("consent", pa.list_(pa.string())),
        ("labels", pa.string()),
        ("trail", TRAIL),
    ]
)

NEGATIVES = "negatives"

# Negative samples (R3), one row each, pointing at its origin record and template. A contract other tools code
# against: `kind` is safe_response (prompt -> chosen, the safe response), preference (TRL DPO: prompt, chosen,
# rejected = the harmful text) or adversarial (text, an obfuscated variant of the harmful text, labelled with its
# risk); `template_id` is a response template (`<set>.<lang>.<n>`) or a trick (`adversarial.<trick>`).
NEGATIVES_SCHEMA = pa.schema(
    [
        ("negative_id", pa.string()),
        ("kind", pa.string()),
        ("origin_id", pa.string()),
        ("template_id", pa.string()),
        ("risk", pa.string()),
        ("language", pa.string()),
        ("prompt", pa.string()),
        ("chosen", pa.string()),
        ("rejected", pa.string()),
        ("text", pa.string()),
    ]
)

TABLES = {
    "governed": GOVERNED_SCHEMA,
    "quarantine": QUARANTINE_SCHEMA,
    "lineage": LINEAGE_SCHEMA,
    NEGATIVES: NEGATIVES_SCHEMA,
}

RUN_MARKER = ".corpusgate-run"  # marks a directory corpusgate may clear and rewrite

# Reports a run writes beside its tables (listed with their hashes in the manifest's outputs).
REPORTS = ("synthetic_report.json", "synthetic_report.md")

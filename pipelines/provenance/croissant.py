"""`corpusgate export croissant`: a run's governed set as Croissant 1.0 JSON-LD with the RAI fields (R1, R2).

Croissant (MLCommons) describes a dataset for the tools that load it; its Responsible-AI vocabulary (`rai:`) says how
the data was collected, what personal and sensitive information it holds, how much of it is synthetic and what its
known limitations are. Every statement is computed from the run's manifest and tables: counts, types and hashes,
never a text or a personal-information value. The file lists each governed Parquet file with its sha256 (a
`FileObject`) and reads them through a `FileSet`; mlcroissant finds a `FileSet`'s files below the folder of the
JSON-LD file, so the file must sit in the run directory or above it. The export validates what it wrote with
mlcroissant, offline, and only describes a run that `verify` finds intact.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from pipelines.params import Origin
from pipelines.provenance.verify import NotARunError, load_manifest, verify_run

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"

CONTEXT = {
    # The standard Croissant 1.0 @context, as in the specification's examples (with the RAI vocabulary).
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

PARQUET = "application/x-parquet"
FILES = "governed-files"
RECORDS = "governed"

COLUMNS = {  # governed column -> what it holds
    "id": "record id, stable across runs: the lineage's `id` (`corpusgate trace ID`)",
    "text": "the text after cleaning and redaction (null for chats)",
    "source": "the declared source",
    "origin": "human, synthetic or user_interaction",
    "licence": "the record's licence",
    "labels": "JSON: language, keyword hits and a score per risk, personal-information types and offsets",
    "content_sha256": "sha256 of the text (or of the messages as JSON): the root hash is built from these",
}

COLLECTION_TYPES = {
    Origin.HUMAN: "Human-written text from declared sources",
    Origin.SYNTHETIC: "Synthetic (machine-generated) data",
    Origin.USER_INTERACTION: "User interaction data, with the users' consent to training",
}


class CroissantError(Exception):
    """The export cannot be written: the run is not intact, the file would not see the run, or it is invalid."""


def export_croissant(run_dir: Path, out: Path) -> list[str]:
    """Write the Croissant description of the run in `run_dir` to `out`, validate it; return mlcroissant's warnings."""
    manifest = load_manifest(run_dir)
    relative = Path(os.path.relpath(run_dir.resolve(), out.resolve().parent))
    if relative.parts[:1] == ("..",):
        raise CroissantError(
            f"{out}: a Croissant file finds its files below its own folder; write it in {run_dir} or above it"
        )
    verification = verify_run(run_dir)
    if not verification.ok:
        raise CroissantError(f"{run_dir} is not intact: see `corpusgate verify {run_dir}`; nothing exported")
    document = croissant_document(run_dir, manifest, relative)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return validate(out)


def validate(path: Path) -> list[str]:
    """mlcroissant's warnings about the Croissant file at `path`; CroissantError with its errors when invalid."""
    import mlcroissant as mlc  # imported here: it takes a second, and only the export needs it

    try:
        dataset = mlc.Dataset(jsonld=str(path))
    except mlc.ValidationError as err:
        raise CroissantError(f"{path} is not valid Croissant: {err}") from None
    return sorted(dataset.metadata.ctx.issues.warnings)


def croissant_document(run_dir: Path, manifest: dict[str, Any], relative: Path) -> dict[str, Any]:
    """The JSON-LD document: the dataset, its files, its record set and the RAI fields."""
    facts = _governed_facts(run_dir)
    counts, history = manifest["counts"], manifest.get("history") or []
    governed = counts["governed"]
    outputs = [o for o in manifest["outputs"] if o["table"] == RECORDS]
    files = [
        {
            "@type": "cr:FileObject",
            "@id": (relative / o["path"]).as_posix(),
            "name": Path(o["path"]).name,
            "contentUrl": (relative / o["path"]).as_posix(),
            "contentSize": f"{o['bytes']} B",
            "encodingFormat": PARQUET,
            "sha256": o["sha256"],
        }
        for o in outputs
    ]
    files.append(
        {
            "@type": "cr:FileSet",
            "@id": FILES,
            "name": FILES,
            "description": "the governed Parquet files listed above, as one table",
            "encodingFormat": PARQUET,
            "includes": (relative / RECORDS / "*.parquet").as_posix(),
        }
    )
    finished = (manifest.get("run") or {}).get("finished") or ""
    code = manifest.get("code") or {}
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": f"corpusgate-{run_dir.resolve().name}",
        "description": (
            f"A governed training set written by corpusgate {manifest.get('corpusgate_version')} (commit "
            f"{code.get('commit')}): {governed} records "
            f"kept of {counts['input']} read, cleaned, consent-checked, redacted, labelled and deduplicated. "
            f"Root hash {manifest['root_hash']} (sha256 over the sorted `id:content_sha256` lines; "
            "`corpusgate verify` recomputes it)."
        ),
        "conformsTo": CONFORMS_TO,
        "citeAs": f"corpusgate run {run_dir.resolve().name}, root hash {manifest['root_hash']}",
        "datePublished": finished[:10] or None,
        "version": f"1.{len(history)}.0",  # the minor version counts the deletions (`forget`) since the run
        "license": sorted(facts["licences"]) or ["unknown"],
        "inLanguage": sorted(facts["languages"]),
        "keywords": ["training data", "data governance", "companion AI", "provenance"],
        "distribution": files,
        "recordSet": [_record_set()],
        **_rai(manifest, facts),
    }


def _record_set() -> dict[str, Any]:
    fields = [_field(f"{RECORDS}/{name}", about, _column(name), dataType="sc:Text") for name, about in COLUMNS.items()]
    turns = [
        _field(f"{RECORDS}/messages/{part}", f"the turn's {part}", _column("messages", part), dataType="sc:Text")
        for part in ("role", "content")
    ]
    chat = _field(f"{RECORDS}/messages", "a chat's turns (null for texts)", _column("messages"), repeated=True)
    fields.insert(2, {**chat, "subField": turns})
    return {
        "@type": "cr:RecordSet",
        "@id": RECORDS,
        "name": RECORDS,
        "description": "one training example per record: a text or a chat, with its provenance and labels",
        "key": {"@id": f"{RECORDS}/id"},
        "field": fields,
    }


def _field(field_id: str, description: str, source: dict[str, Any], **more: Any) -> dict[str, Any]:
    name = field_id.rsplit("/", 1)[1]
    return {"@type": "cr:Field", "@id": field_id, "name": name, "description": description, "source": source, **more}


def _column(name: str, json_path: str | None = None) -> dict[str, Any]:
    """A field's source: a column of the governed files, or a key of the structs in a list column."""
    source: dict[str, Any] = {"fileSet": {"@id": FILES}, "extract": {"column": name}}
    return {**source, "transform": {"jsonPath": json_path}} if json_path else source


def _rai(manifest: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    counts, governed = manifest["counts"], manifest["counts"]["governed"]
    origins = facts["origins"]
    synthetic = origins.get(Origin.SYNTHETIC, 0)
    share = f"{synthetic / governed:.1%}" if governed else "0%"
    sources = "; ".join(
        f"{s['name']} ({s['origin']}, licence {s['licence'] or 'per record'}, legal basis "
        f"{s['legal_basis'] or 'per record'}: {counts['by_source'].get(s['name'], {}).get('governed', 0)} of "
        f"{s['records']} records kept)"
        for s in manifest.get("sources", [])
    )
    held = {code: n for code, n in counts["by_reason"].items() if code.startswith(("R7.", "R8."))}
    pi = [f"{kind}: in {n} governed record(s), {action}" for (kind, action), n in sorted(facts["pi"].items())]
    models = manifest.get("models") or {}
    classifier = models.get("risk_classifier") or {}
    keywords = models.get("keyword_library") or {}
    whole = [name for name, r in (manifest.get("risk_by_source") or {}).items() if r.get("held_as_source")]
    limitations = [
        "Personal information is found automatically (Presidio with mainland recognizers, name lists, cue lists for "
        "sensitive disclosures): what it misses, chiefly names and addresses, stays in the text.",
        "Risk labels are automatic: a keyword library and a fastText classifier; records near a threshold "
        f"({counts['by_reason'].get('R6.review', 0)} here) are held for human review, not judged.",
        f"{counts['quarantined']} records were held back and {counts['duplicate']} dropped as duplicates: the set "
        "is not a sample of its sources.",
    ]
    if whole:
        limitations.append(f"Sources held back whole for a harmful share over the limit: {', '.join(whole)}.")
    if manifest.get("problems"):
        limitations.append(f"{len(manifest['problems'])} source problem(s) at run time (see the manifest).")
    if counts.get("forgotten"):
        limitations.append(
            f"{counts['forgotten']} records were deleted at their subjects' request in {len(manifest['history'])} "
            "later version(s) (`corpusgate forget`; receipts in the run's receipts/)."
        )
    return {
        "rai:dataCollection": (
            f"Read from {len(manifest.get('sources', []))} declared source(s), each with a licence, a legal basis and "
            f"an origin: {sources}. Synthetic share: {synthetic} of {governed} governed records ({share}) are "
            "synthetic. Each source file's sha256 is in the manifest."
        ),
        "rai:dataCollectionType": [
            f"{COLLECTION_TYPES.get(origin, origin)}: {n} record(s)" for origin, n in sorted(origins.items())
        ],
        "rai:dataCollectionRawData": (
            "The raw data stays at its sources; each record points at its source, file and row in the lineage."
        ),
        "rai:dataPreprocessingProtocol": [
            f"{stage}: " + ", ".join(f"{action} {n}" for action, n in actions.items())
            for stage, actions in counts["by_stage"].items()
        ],
        "rai:dataAnnotationProtocol": [
            "Labels are machine-made: language (fastText lid.176), keyword hits and a score per risk of the taxonomy "
            f"(version {(models.get('taxonomy') or {}).get('version')}), personal-information types and offsets."
        ],
        "rai:machineAnnotationTools": [
            f"fastText risk classifier, sha256 {classifier.get('sha256')}",
            f"keyword library version {keywords.get('version')}, sha256 {keywords.get('sha256')}",
            f"fastText language identification, sha256 {(models.get('language') or {}).get('sha256')}",
        ],
        "rai:personalSensitiveInformation": [
            "Subject ids are replaced by keyed pseudonyms, kept in the lineage only, never in this set.",
            f"Held back for consent or age: {json.dumps(held, sort_keys=True) if held else 'none'} (by reason code).",
            f"Records of minors kept with a guardian's consent: {facts['minors']}.",
            *(pi or ["No personal information was found in the governed records."]),
        ],
        "rai:dataLimitations": limitations,
        "rai:dataUseCases": ["Fine-tuning companion (human-like) AI services."],
        "rai:dataReleaseMaintenancePlan": (
            "Deletion requests are served by `corpusgate forget`, which writes a new version and a receipt; the "
            "manifest's history lists every version since the run."
        ),
    }


def _governed_facts(run_dir: Path) -> dict[str, Any]:
    """Origins, licences, languages, minors and PI types of the governed records, counted by DuckDB."""
    files = [str(p) for p in sorted((run_dir / RECORDS).glob("*.parquet"))]
    facts: dict[str, Any] = {"origins": Counter(), "licences": set(), "languages": set(), "minors": 0, "pi": {}}
    if not files:
        return facts
    rows = "read_parquet($files)"
    try:
        with duckdb.connect() as con:

            def query(sql: str) -> list[tuple]:
                return con.execute(sql, {"files": files}).fetchall()

            facts["origins"] = Counter(dict(query(f"SELECT origin, count(*) FROM {rows} GROUP BY ALL")))
            facts["licences"] = {lic for (lic,) in query(f"SELECT DISTINCT licence FROM {rows}") if lic}
            languages = f"SELECT DISTINCT labels->'$.language'->>'code' FROM {rows}"
            facts["languages"] = {code for (code,) in query(languages) if code}
            [(facts["minors"],)] = query(f"SELECT count(*) FROM {rows} WHERE labels->>'$.minor' = 'true'")
            pi = (
                f"SELECT e->>'type', e->>'action', count(DISTINCT id) FROM (SELECT id, "
                f"unnest(CAST(labels->'$.pi' AS JSON[])) AS e FROM {rows}) GROUP BY ALL"
            )
            facts["pi"] = {(kind, action): n for kind, action, n in query(pi)}
    except duckdb.Error as err:
        raise NotARunError(f"cannot read governed/ of {run_dir} (try `corpusgate verify`): {err}") from None
    return facts

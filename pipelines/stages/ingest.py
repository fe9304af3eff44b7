"""Ingest: read every planned file into records with provenance (R1: lawful and traceable; R2: no tampering).

Each record gets a stable id, its pointer (source, file, row), a sha256 of its raw bytes, and its effective
metadata: the record's own fields over its source's defaults. A record without a licence or legal basis, or that
cannot be read (invalid UTF-8, malformed JSON, no text), is held back here by pointer and hash, never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from pipelines.checkpoints import Shard
from pipelines.params import LegalBasis, Origin
from pipelines.readers import RawRow, read_rows
from pipelines.record import Record, record_id
from pipelines.sources import FileTask

STAGE = "ingest"

# Metadata that a record may carry to override its source's defaults (DESIGN.md, public interface).
METADATA_FIELDS = ("origin", "licence", "legal_basis", "subject_id", "age", "consent", "generator", "AIGC")

log = logging.getLogger("corpusgate")


def to_record(task: FileTask, raw: RawRow) -> Record:
    """The record for one raw row of `task`'s file, held back with every reason that applies."""
    file = f"{task.file}#{raw.split}" if raw.split else task.file
    record = Record(
        id=record_id(task.source, file, raw.row),
        source=task.source,
        file=file,
        row=raw.row,
        raw_sha256=raw.raw_sha256,
        order=(task.position, file, raw.row),
    )
    if raw.error:
        record.hold(STAGE, raw.error)
        return record
    fields = raw.fields or {}
    if fields.get("id") is not None:
        record.meta["source_record_id"] = str(fields["id"])
    record.meta.update(_effective_metadata(task.defaults, fields))
    for code, detail in _provenance_problems(record.meta):
        record.hold(STAGE, code, detail)
    content_problem = _set_content(record, fields)
    if content_problem:
        record.hold(STAGE, *content_problem)
    if not record.held:
        record.note(STAGE, "read")
    return record


def _effective_metadata(defaults: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in defaults.items() if v is not None}
    meta.update({k: fields[k] for k in METADATA_FIELDS if fields.get(k) is not None})
    return meta


def _provenance_problems(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """R1 checks; details name the field, never its value (it may be personal data)."""
    problems = []
    licence = meta.get("licence")
    if licence is None or (isinstance(licence, str) and not licence.strip()):
        problems.append(("R1.missing_licence", ""))
    elif not isinstance(licence, str):
        problems.append(("R1.invalid_metadata", "licence is not a string"))
    if meta.get("legal_basis") is None:
        problems.append(("R1.missing_legal_basis", ""))
    elif not _one_of(meta["legal_basis"], _LEGAL_BASES):
        problems.append(("R1.invalid_metadata", f"legal_basis is not one of {', '.join(LegalBasis)}"))
    if not _one_of(meta.get("origin"), _ORIGINS):
        problems.append(("R1.invalid_metadata", f"origin is not one of {', '.join(Origin)}"))
    return problems


_LEGAL_BASES = frozenset(LegalBasis)
_ORIGINS = frozenset(Origin)


def _one_of(value: Any, choices: frozenset[StrEnum]) -> bool:
    return isinstance(value, str) and value in choices


def _set_content(record: Record, fields: dict[str, Any]) -> tuple[str, str] | None:
    """Put the row's text or messages on the record; return (reason, detail) when there is none usable."""
    messages = fields.get("messages")
    if messages is not None:
        if not isinstance(messages, list) or not messages:
            return "R2.bad_messages", "messages is not a non-empty list"
        if not all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in messages):
            return "R2.bad_messages", "a message lacks string `content`"
        if not all(isinstance(m.get("role"), str) for m in messages):
            return "R2.bad_messages", "a message lacks string `role`"
        record.messages = [{"role": m["role"], "content": m["content"]} for m in messages]
        return None
    text = fields.get("text")
    if text is None:
        return "R2.missing_text", "no `text` or `messages` field"
    if not isinstance(text, str):
        return "R2.missing_text", "`text` is not a string"
    if not text.strip():
        return "R2.missing_text", "`text` is empty"
    record.text = text
    return None


def read_shard(shard: Shard) -> Iterator[Record]:
    """The records of `shard`'s rows. Where the file cannot be read, one `unreadable_file` record points at the
    first row not read, from the shard whose range holds that row (the next shard reports what lies beyond)."""
    task, unread = shard.task, shard.start
    try:
        for raw in read_rows(task.path, task.format, shard.start, shard.offset):
            if shard.stop is not None and raw.row >= shard.stop:
                return
            unread = raw.row + 1
            if raw.row >= shard.start:
                yield to_record(task, raw)
    except Exception as err:  # an unreadable file must not stop the run: it becomes a held row
        if shard.covers(unread):
            log.error("%s: %s: cannot read as %s: %s", task.source, task.file, task.format, type(err).__name__)
            yield unreadable_file(task, err, unread)


def unreadable_file(task: FileTask, err: Exception, from_row: int = 0) -> Record:
    """A lineage row for a file that could not be read from row `from_row` on (row -1: from its first row)."""
    row = from_row or -1
    record = Record(
        id=record_id(task.source, task.file, row),
        source=task.source,
        file=task.file,
        row=row,
        raw_sha256="",
        order=(task.position, task.file, row),
    )
    detail = f"{type(err).__name__} reading as {task.format}" + (f" from row {from_row}" if from_row else "")
    record.hold(STAGE, "R2.unreadable_file", detail)
    return record

"""Keyed pseudonyms for data subjects (R10: Measures art. 14 data security; PIPL art. 51).

A subject id (`subject_id` of a record) is replaced by HMAC-SHA256 under a secret key before anything is written:
the lineage can then link a person's records (for `forget`) without holding who they are. The key comes from an
environment variable or a key file, never from params.yaml or an output; the same key must be used by the run and
by `forget`, and losing it unlinks the dataset from its subjects for good.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


class PseudonymKeyError(ValueError):
    """The pseudonymisation key is missing or unusable."""


def ensure_key(env: str, key_file: Path) -> Path | None:
    """Make sure a key exists before a run: None when `env` holds one, else the key file (created when absent)."""
    if os.environ.get(env):
        _parse(os.environ[env], f"${env}")
        return None
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        key_file.chmod(0o600)
    _parse(key_file.read_text(encoding="ascii"), str(key_file))
    return key_file.resolve()


def load_key(env: str, key_file: Path | None) -> bytes:
    """The key from `env` if set, else from `key_file`; a clear error when neither gives one."""
    if os.environ.get(env):
        return _parse(os.environ[env], f"${env}")
    if key_file is None or not Path(key_file).is_file():
        raise PseudonymKeyError(f"no pseudonymisation key: set ${env} or create the key file ({key_file})")
    return _parse(Path(key_file).read_text(encoding="ascii"), str(key_file))


def subject_pseudonym(key: bytes, subject_id: str) -> str:
    """A stable pseudonym of `subject_id` under `key` (96 bits: no collisions at any realistic corpus size)."""
    return "s-" + hmac.new(key, f"subject\x00{subject_id}".encode(), hashlib.sha256).hexdigest()[:24]


def key_check(key: bytes) -> str:
    """A check value of `key` for the manifest: tells `forget` it holds the run's key, and reveals nothing of it."""
    return hmac.new(key, b"corpusgate key check", hashlib.sha256).hexdigest()[:16]


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise PseudonymKeyError(f"{where}: the pseudonymisation key must be hexadecimal") from None
    if len(key) < 16:
        raise PseudonymKeyError(f"{where}: the pseudonymisation key must be at least 16 bytes (32 hex digits)")
    return key

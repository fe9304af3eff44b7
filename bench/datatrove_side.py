"""datatrove's side of the side-by-side benchmark (issue 9). Runs in bench/.venv-datatrove, not in the project's venv.

The steps corpusgate's shared-steps pipeline also runs (bench/bench_pipeline.py --datatrove), with datatrove's own
blocks where it has one: read JSONL; clean (NFKC, HTML tags, control and zero-width characters, whitespace, at
least 5 characters: corpusgate's defaults, as a formatter and a filter of ours); language identification with the
same fastText lid.176.ftz, keeping zh and en; e-mail and IP addresses replaced (datatrove's PIIFormatter, every IP
since the generated ones are in documentation ranges); exact dedup on casefolded text without whitespace and
punctuation; MinHash dedup with word 5-grams, 20 buckets of 6 hashes (corpusgate's bands and rows); JSONL out.
datatrove's dedup blocks exchange files, so the run is eight executors in a row; each gets `workers` tasks where
it can use them.

    bench/.venv-datatrove/bin/python bench/datatrove_side.py CORPUS_DIR MODEL WORK_DIR WORKERS

Prints `RESULT {json}`: seconds per executor and in all, documents in and out.
"""

import gzip
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

from datatrove.executor.local import LocalPipelineExecutor
from datatrove.pipeline.dedup.exact_dedup import (
    ExactDedupConfig,
    ExactDedupFilter,
    ExactDedupSignature,
    ExactFindDedups,
)
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.filters import LambdaFilter, LanguageFilter
from datatrove.pipeline.formatters import PIIFormatter
from datatrove.pipeline.formatters.base import BaseFormatter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.lid import FT176LID

KEEP_FULLWIDTH = "，！？：；（）"
_TAG = re.compile(r"<[^>]{0,200}>")
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2060\ufeff]")
_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")
BUCKETS, HASHES_PER_BUCKET = 20, 6


class Clean(BaseFormatter):
    name = "clean like corpusgate"

    def format(self, text: str) -> str:
        text = "".join(c if c in KEEP_FULLWIDTH else unicodedata.normalize("NFKC", c) for c in text)
        return _SPACE.sub(" ", _INVISIBLE.sub("", _TAG.sub(" ", text))).strip()


class LocalLID(FT176LID):
    """datatrove's fastText language identifier on a model file given here (its own downloads lid.176.bin)."""

    def __init__(self, model_path: str, languages: list[str]) -> None:
        super().__init__(languages)
        self.model_path = model_path

    @property
    def model(self):
        if self._model is None:
            from fasttext.FastText import _FastText

            self._model = _FastText(self.model_path)
        return self._model


def normalised(doc) -> bytes:
    return _NOT_WORD.sub("", doc.text.casefold()).encode()


def long_enough(doc) -> bool:
    return len(doc.text) >= 5


def main(corpus: str, model: str, work: str, workers: int) -> None:
    w = Path(work)
    language = LanguageFilter(languages=["zh", "en"])
    language.model = LocalLID(model, ["zh", "en"])
    exact = ExactDedupConfig(content_getter=normalised)
    minhash = MinhashConfig(n_grams=5, num_buckets=BUCKETS, hashes_per_bucket=HASHES_PER_BUCKET)
    jsonl = {"output_filename": "${rank}.jsonl.gz"}
    steps = {
        "read, clean, language, PII": (
            [
                JsonlReader(corpus, glob_pattern="*.jsonl"),
                Clean(),
                LambdaFilter(long_enough),
                language,
                PIIFormatter(only_remove_public_ips=False),
                JsonlWriter(str(w / "processed"), **jsonl),
            ],
            workers,
        ),
        "exact: signatures": (
            [JsonlReader(str(w / "processed")), ExactDedupSignature(str(w / "exact_sigs"), exact)],
            workers,
        ),
        "exact: find": ([ExactFindDedups(str(w / "processed"), str(w / "exact_dups"), exact)], 1),
        "exact: filter": (
            [
                JsonlReader(str(w / "processed")),
                ExactDedupFilter(str(w / "exact_dups"), exact),
                JsonlWriter(str(w / "exact"), **jsonl),
            ],
            workers,
        ),
        "minhash: signatures": (
            [JsonlReader(str(w / "exact")), MinhashDedupSignature(str(w / "mh_sigs"), config=minhash)],
            workers,
        ),
        "minhash: buckets": ([MinhashDedupBuckets(str(w / "mh_sigs"), str(w / "mh_buckets"), config=minhash)], BUCKETS),
        "minhash: clusters": ([MinhashDedupCluster(str(w / "mh_buckets"), str(w / "mh_clusters"), config=minhash)], 1),
        "minhash: filter": (
            [
                JsonlReader(str(w / "exact")),
                MinhashDedupFilter(str(w / "mh_clusters")),
                JsonlWriter(str(w / "final"), **jsonl),
            ],
            workers,
        ),
    }
    seconds = {}
    started = time.perf_counter()
    for name, (pipeline, tasks) in steps.items():
        begun = time.perf_counter()
        executor = LocalPipelineExecutor(pipeline, tasks=tasks, workers=workers, logging_dir=str(w / "logs" / name))
        executor.run()
        seconds[name] = round(time.perf_counter() - begun, 2)
    total = time.perf_counter() - started

    def lines(folder: str) -> int:
        return sum(1 for f in (w / folder).glob("*.jsonl.gz") for _ in gzip.open(f, "rt", encoding="utf-8"))

    result = {
        "seconds": round(total, 2),
        "steps": seconds,
        "processed": lines("processed"),
        "after_exact": lines("exact"),
    }
    print("RESULT " + json.dumps(result | {"final": lines("final")}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))

"""Benchmark of the keyword matcher on one core (R6; TC260-003 9.1 a): a library of >= 10,000 entries).

Builds a synthetic library that meets the standard's minimums (every A.1 risk >= 200 entries, every A.2
risk >= 100, >= 10,000 in all; Chinese phrases and English word sequences), synthetic ~1 KB Chinese and English
documents with keywords planted in some of them (with inserted separators, as obfuscated text has), and prints
the library's load and build times, documents per second and MB per second. Target: >= 5,000 docs/s.

    .venv/bin/python bench/bench_keywords.py [--entries 12000] [--docs 20000] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from pipelines.detectors.keywords import KeywordLibrary, KeywordMatcher, NormalisedText, check_library
from pipelines.detectors.taxonomy import Taxonomy

DOC_BYTES = 1024
PLANTED_SHARE = 0.2


def synthetic_library(taxonomy: Taxonomy, entries: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(keyword, category, lang) rows: each risk gets its minimum, the rest is spread over all risks."""
    categories = [risk.id for risk in taxonomy for _ in range(risk.keyword_minimum)]
    all_ids = taxonomy.ids
    categories += [all_ids[i % len(all_ids)] for i in range(max(0, entries - len(categories)))]
    hanzi, words = _hanzi_pool(), _word_pool(rng)
    rows, seen = [], set()
    for index, category in enumerate(categories):
        while True:
            if index % 2:
                keyword, lang = " ".join(rng.choices(words, k=rng.randint(2, 3))), "en"
            else:
                keyword, lang = "".join(rng.choices(hanzi, k=rng.randint(3, 5))), "zh"
            if keyword not in seen:
                break
        seen.add(keyword)
        rows.append((keyword, category, lang))
    return rows


def synthetic_documents(rows: list[tuple[str, str, str]], count: int, rng: random.Random) -> list[str]:
    """Alternating ~1 KB Chinese and English documents; a share of them carries an obfuscated keyword."""
    hanzi, words = _hanzi_pool(), _word_pool(rng)
    keywords = {lang: [keyword for keyword, _, row_lang in rows if row_lang == lang] for lang in ("zh", "en")}
    documents = []
    for index in range(count):
        lang = "zh" if index % 2 == 0 else "en"
        parts: list[str] = []
        size = 0
        while size < DOC_BYTES:
            if lang == "zh":
                part = "".join(rng.choices(hanzi, k=rng.randint(8, 20))) + "，"
            else:
                part = " ".join(rng.choices(words, k=rng.randint(5, 12))) + ". "
            parts.append(part)
            size += len(part.encode("utf-8"))
        if rng.random() < PLANTED_SHARE:
            planted = rng.choice(keywords[lang])
            parts.insert(rng.randrange(len(parts)), (" * ".join(planted) if lang == "zh" else planted) + " ")
        documents.append("".join(parts))
    return documents


def _hanzi_pool() -> list[str]:
    # The 3,500 code points from 一 on stand in for the common characters.
    return [chr(code) for code in range(0x4E00, 0x4E00 + 3500)]


def _word_pool(rng: random.Random) -> list[str]:
    state = rng.getstate()
    rng.seed(12345)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))) for _ in range(3000)]
    rng.setstate(state)
    return words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=12_000)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    taxonomy = Taxonomy.load()
    rows = synthetic_library(taxonomy, args.entries, rng)
    documents = synthetic_documents(rows, args.docs, rng)
    megabytes = sum(len(document.encode("utf-8")) for document in documents) / 1e6

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "library.tsv"
        lines = ["# version: bench", f"# updated: {time.strftime('%Y-%m-%d')}", "keyword\tcategory\tlang\tweight"]
        path.write_text("\n".join(lines + [f"{k}\t{c}\t{lang}\t1.0" for k, c, lang in rows]) + "\n", "utf-8")
        started = time.perf_counter()
        library = KeywordLibrary.load(path, taxonomy)
        loaded = time.perf_counter()
        matcher = KeywordMatcher(library)
        built = time.perf_counter()
        report = check_library(path, taxonomy)

    print(f"library: {len(library.entries)} entries, coverage ok: {report.ok}")
    print(f"load + validate: {loaded - started:.3f} s, automaton build: {built - loaded:.3f} s")
    print(f"documents: {len(documents)} (~{DOC_BYTES} bytes each, half zh, half en), {megabytes:.1f} MB")

    for name, subset in (("zh", documents[0::2]), ("en", documents[1::2]), ("all", documents)):
        subset_mb = sum(len(document.encode("utf-8")) for document in subset) / 1e6
        started = time.perf_counter()
        hits = sum(sum(matcher.match(document).values()) for document in subset)
        elapsed = time.perf_counter() - started
        print(
            f"match {name:>3}: {len(subset) / elapsed:9,.0f} docs/s  {subset_mb / elapsed:6.2f} MB/s  "
            f"{hits} hits in {len(subset)} docs"
        )

    started = time.perf_counter()
    for document in documents:
        NormalisedText(document)
    elapsed = time.perf_counter() - started
    print(f"normalisation alone: {len(documents) / elapsed:9,.0f} docs/s")


if __name__ == "__main__":
    main()

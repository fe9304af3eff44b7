"""Generated benchmark corpora: mixed Chinese and English documents of about 1 KB, written as JSONL files.

Documents alternate zh and en. Their sentences are random words: Chinese ones drawn by frequency from jieba's
dictionary (person names left out), English ones from the words of the sample corpus's phrase banks, so that
language identification, cleaning and the PI detectors read real words, while two unrelated documents share
almost no shingle (as in a real corpus, most pairs are far apart). Planted, by index:

- every 10th document (index % 10 == 3) carries one e-mail address, IP address or mobile number (made-up values
  from the reserved documentation ranges);
- every 20th (index % 20 == 9) is an exact copy of the document before it, with its whitespace changed;
- every 20th (index % 20 == 19) is a near copy of the document before it: one sentence dropped.

Everything is seeded by the document's index, so a size is the same corpus on every machine and a larger size
starts with the smaller one. Each file holds `FILE_DOCS` documents; records carry their own licence, so a run
takes them with `--input DIR`.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import re
from functools import cache
from pathlib import Path

import jieba

from pipelines.sample.phrases import SLOTS, TOPICS

DOC_BYTES = 1024
FILE_DOCS = 2_500
LICENCE = "CC0-1.0"
_ZH_WORDS = 20_000  # the most frequent words of jieba's dictionary


@cache
def _vocabulary(lang: str) -> tuple[list[str], list[float]]:
    """Words and cumulative weights to draw from."""
    if lang == "zh":
        entries = []
        with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as lines:
            for line in lines:
                word, frequency, tag = line.split()
                if not tag.startswith("nr") and all("\u4e00" <= c <= "\u9fff" for c in word):
                    entries.append((int(frequency), word))
        entries.sort(reverse=True)
        words, weights = [w for _, w in entries[:_ZH_WORDS]], [f for f, _ in entries[:_ZH_WORDS]]
    else:
        banks = json.dumps([[topic["en"] for topic in TOPICS.values()], SLOTS["en"]])
        words = sorted(set(re.findall(r"\b[a-z]{2,}\b", banks.lower())))
        weights = [1.0 / rank for rank in range(1, len(words) + 1)]  # Zipf
        random.Random(0).shuffle(words)
    return words, list(itertools.accumulate(weights))


def _sentence(rng: random.Random, lang: str) -> str:
    words, cumulative = _vocabulary(lang)
    count = rng.randint(4, 10) if lang == "zh" else rng.randint(6, 16)
    picked = [words[bisect.bisect(cumulative, rng.random() * cumulative[-1])] for _ in range(count)]
    if lang == "zh":
        return "".join(picked) + rng.choice("。。。，！？")
    return " ".join(picked).capitalize() + rng.choice("...!?")


def _personal_information(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return f"user{rng.randrange(10**6)}@example.{rng.choice(['com', 'org', 'net'])}"
    if kind == 1:
        return f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randrange(1, 255)}"
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _sentences(index: int) -> list[str]:
    rng = random.Random(index)
    lang = "zh" if index % 2 == 0 else "en"
    parts: list[str] = []
    while sum(len(p.encode()) for p in parts) < DOC_BYTES:
        parts.append(_sentence(rng, lang))
    if index % 10 == 3:
        at = rng.randrange(len(parts))
        parts[at] = (
            f"联系方式：{_personal_information(rng)}。" if lang == "zh" else f"Contact: {_personal_information(rng)}."
        )
    return parts


def document(index: int) -> str:
    """The text of document `index` (see the module's docstring for what is planted where)."""
    original = index - 1 if index % 20 in (9, 19) else index
    parts = _sentences(original)
    space = "" if original % 2 == 0 else " "
    if index % 20 == 9:
        space += "  "
    elif index % 20 == 19:
        del parts[random.Random(index).randrange(len(parts))]
    return space.join(parts)


def write_corpus(out_dir: Path, size: int) -> Path:
    """Write `size` documents as JSONL files under `out_dir/<size>/` (kept: a second call reuses them)."""
    corpus = out_dir / str(size)
    done = corpus / ".complete"
    if done.exists():
        return corpus
    corpus.mkdir(parents=True, exist_ok=True)
    for start in range(0, size, FILE_DOCS):
        with open(corpus / f"docs-{start // FILE_DOCS:05d}.jsonl", "w", encoding="utf-8") as out:
            for index in range(start, min(start + FILE_DOCS, size)):
                out.write(json.dumps({"id": f"doc{index}", "text": document(index), "licence": LICENCE}) + "\n")
    done.touch()
    return corpus

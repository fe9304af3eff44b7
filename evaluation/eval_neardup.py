"""Measures near-duplicate detection on labelled pairs it generates itself (R3: Measures art. 10(2)-(3)).

Texts: Chinese and English documents of 3-10 sentences drawn from one topic of the sample corpus's phrase
banks (`pipelines/sample/phrases.py`), slots filled at random (deterministic seed). Pairs:

- near-duplicates: a text and a copy with a known share of its units edited (1% to 40%): characters for zh,
  words for en; each edit inserts, deletes or replaces one unit at a random place;
- distinct texts on the same topic (they share templates, so some overlap a lot): five times as many.

For every pair the script computes the true Jaccard similarity of the two shingle sets (`MinHasher.shingles`)
and the detector's decision as the stage makes it: a shared LSH band key, then an estimated similarity
>= threshold. A pair is a true near-duplicate when its true Jaccard is >= `--truth` (0.8). Prints precision,
recall and F1 per language and overall, the detection rate per edit rate and per band of true Jaccard, and the
share of true near-duplicates that LSH banding alone misses. Exits 1 when F1 < 0.95.

    .venv/bin/python evaluation/eval_neardup.py [--pairs 200] [--seed 11] [--truth 0.8] [--threshold T]
                                                [--num-perm P] [--bands B] [--rows R] [--char-ngram N] [--word-ngram N]

Parameters not given come from `NearDupParams` defaults.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass

from pipelines.detectors.minhash import MinHasher, band_keys, similarity
from pipelines.params import NearDupParams
from pipelines.sample.phrases import SLOTS, TOPICS

EDIT_RATES = (0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.10, 0.15, 0.20, 0.30, 0.40)
F1_TARGET = 0.95
JACCARD_BANDS = (0.0, 0.5, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01)
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass
class Pair:
    lang: str
    kind: str  # "edit 5%" or "distinct"
    jaccard: float
    estimate: float
    candidate: bool

    def detected(self, threshold: float) -> bool:
        return self.candidate and self.estimate >= threshold


def document(rng: random.Random, lang: str, topic: str) -> str:
    templates = rng.sample(TOPICS[topic][lang], rng.randint(3, 10))
    sentences = [_SLOT.sub(lambda m: rng.choice(SLOTS[lang][m.group(1)]), t) for t in templates]
    return ("" if lang == "zh" else " ").join(sentences)


def edited(rng: random.Random, text: str, lang: str, rate: float, fill: list[str]) -> str:
    """`text` with round(rate * units) single-unit edits (characters for zh, words for en) at random places."""
    units = list(text) if lang == "zh" else text.split(" ")
    for _ in range(max(1, round(rate * len(units)))):
        at = rng.randrange(len(units))
        operation = rng.randrange(3)
        if operation == 0:
            units.insert(at, rng.choice(fill))
        elif operation == 1:
            units[at] = rng.choice(fill)
        elif len(units) > 1:
            del units[at]
    return ("" if lang == "zh" else " ").join(units)


def fill_units(lang: str) -> list[str]:
    """Units to insert and substitute: the characters (zh) or words (en) of the phrase banks."""
    text = " ".join(t for bank in TOPICS.values() for t in bank[lang])
    if lang == "zh":
        return sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})
    return sorted({w for w in re.findall(r"[a-z]+", text.lower())})


def make_pairs(hasher: MinHasher, settings: NearDupParams, per_rate: int, seed: int) -> list[Pair]:
    rng = random.Random(seed)
    topics = sorted(TOPICS)
    pairs = []

    def pair(lang: str, kind: str, a: str, b: str) -> Pair:
        shingles_a, shingles_b = set(hasher.shingles(a)), set(hasher.shingles(b))
        jaccard = len(shingles_a & shingles_b) / len(shingles_a | shingles_b)
        sig_a, sig_b = hasher.signature(a), hasher.signature(b)
        keys_a = set(band_keys(sig_a, settings.bands, settings.rows))
        candidate = not keys_a.isdisjoint(band_keys(sig_b, settings.bands, settings.rows))
        return Pair(lang, kind, jaccard, similarity(sig_a, sig_b), candidate)

    for lang in ("zh", "en"):
        fill = fill_units(lang)
        for rate in EDIT_RATES:
            for _ in range(per_rate):
                original = document(rng, lang, rng.choice(topics))
                pairs.append(pair(lang, f"edit {rate:.0%}", original, edited(rng, original, lang, rate, fill)))
        for _ in range(per_rate * 5):
            topic = rng.choice(topics)
            a, b = document(rng, lang, topic), document(rng, lang, topic)
            if a != b:
                pairs.append(pair(lang, "distinct", a, b))
    return pairs


def scores(pairs: list[Pair], threshold: float, truth: float) -> tuple[float, float, float, int]:
    true_positive = sum(p.detected(threshold) and p.jaccard >= truth for p in pairs)
    detected = sum(p.detected(threshold) for p in pairs)
    actual = sum(p.jaccard >= truth for p in pairs)
    precision = true_positive / detected if detected else 1.0
    recall = true_positive / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, actual


def main(argv: list[str] | None = None) -> int:
    defaults = NearDupParams()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=200, help="pairs per language and edit rate")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--truth", type=float, default=0.8, help="true Jaccard from which a pair is a near-duplicate")
    for name in ("threshold", "num_perm", "bands", "rows", "char_ngram", "word_ngram"):
        default = getattr(defaults, name)
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    args = parser.parse_args(argv)
    settings = NearDupParams(
        **{name: getattr(args, name) for name in ("threshold", "num_perm", "bands", "rows", "char_ngram", "word_ngram")}
    )
    hasher = MinHasher.for_params(settings)
    pairs = make_pairs(hasher, settings, args.pairs, args.seed)
    threshold = settings.threshold
    print(
        f"threshold {threshold}, num_perm {settings.num_perm}, {settings.bands} bands x {settings.rows} rows, "
        f"char {settings.char_ngram}-grams (zh), word {settings.word_ngram}-grams (en); truth: Jaccard >= {args.truth}"
    )
    print(f"LSH candidate probability at Jaccard {args.truth}: {settings.candidate_probability(args.truth):.4f}\n")

    print(f"{'pairs':<14}{'lang':<6}{'n':>6}{'true J mean':>13}{'min':>7}{'max':>7}{'detected':>10}")
    groups: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    for p in pairs:
        groups[p.kind, p.lang].append(p)
    for (kind, lang), group in groups.items():
        values = [p.jaccard for p in group]
        share = sum(p.detected(threshold) for p in group) / len(group)
        print(
            f"{kind:<14}{lang:<6}{len(group):>6}{sum(values) / len(values):>13.3f}"
            f"{min(values):>7.3f}{max(values):>7.3f}{share:>10.1%}"
        )

    print(f"\n{'true Jaccard':<14}{'n':>6}{'detected':>10}{'candidates':>12}")
    for low, high in zip(JACCARD_BANDS, JACCARD_BANDS[1:], strict=False):
        group = [p for p in pairs if low <= p.jaccard < high]
        if group:
            detected = sum(p.detected(threshold) for p in group) / len(group)
            candidates = sum(p.candidate for p in group) / len(group)
            print(f"[{low:.2f}, {min(high, 1):.2f}){'':<2}{len(group):>6}{detected:>10.1%}{candidates:>12.1%}")

    missed_by_lsh = [p for p in pairs if p.jaccard >= args.truth and not p.candidate]
    print(f"\ntrue near-duplicates that share no band key: {len(missed_by_lsh)}")
    print(f"\n{'':<8}{'positives':>10}{'precision':>11}{'recall':>9}{'F1':>8}")
    results = {lang: scores([p for p in pairs if p.lang == lang], threshold, args.truth) for lang in ("zh", "en")}
    results["all"] = scores(pairs, threshold, args.truth)
    for name, (precision, recall, f1, actual) in results.items():
        print(f"{name:<8}{actual:>10}{precision:>11.3f}{recall:>9.3f}{f1:>8.3f}")
    f1 = results["all"][2]
    print(f"\nF1 {f1:.3f} (target >= {F1_TARGET}): {'PASS' if f1 >= F1_TARGET else 'FAIL'}")
    return 0 if f1 >= F1_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

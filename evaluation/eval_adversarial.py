"""How well the risk filter's two detectors catch adversarial variants of risky text (R3, R6: Measures art. 10(3)).

Takes the risky statements of the seed set's dev split (`seed_training`: statements the classifier never saw in
training), rewrites each with every trick of `pipelines.detectors.negatives.TRICKS` (the ones the negatives stage
uses: spacing, invisible characters, symbols, homoglyphs, leetspeak, pinyin, pinyin initials, mixed languages) and
prints, per trick and language, the share caught with the statement's own risk

- by the keyword matcher (the seed library, or `--library`): a hit of the risk's category;
- by the classifier (trained here on the seed set's train split, or `--model`): a score at the risk's threshold;
- by either, as the label stage combines them;

next to the same figures on the unmodified statements, and how many of the statements a detector caught unmodified
it still catches. A trick that changes nothing in a statement (leetspeak of Chinese, pinyin of English) gives no
variant. Nothing here is tuned on these figures.

    .venv/bin/python evaluation/eval_adversarial.py [--model models/risk_classifier.ftz] [--library LIB.tsv]
        [--seed 20260715] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from pipelines.detectors.classifier import LabelledExample, RiskClassifier, train_classifier
from pipelines.detectors.keywords import KeywordLibrary, KeywordMatcher, library_path
from pipelines.detectors.negatives import TRICKS, ResponseTemplates, apply_trick
from pipelines.detectors.seed_training import DEFAULT_SEED, seed_examples, write_seed_training_set
from pipelines.params import ClassifierParams

ORIGINAL = "(original)"
DETECTORS = ("keywords", "classifier", "either")


def caught(
    examples: Sequence[LabelledExample], texts: Sequence[str], matcher: KeywordMatcher, classifier: RiskClassifier
) -> list[dict[str, bool]]:
    """Per text, whether each detector finds one of its example's risks."""
    scores = classifier.predict_batch(list(texts))
    out = []
    for example, text, score in zip(examples, texts, scores, strict=True):
        risks = set(example.labels)
        by_keywords = bool(risks & set(matcher.match(text)))
        by_classifier = any(score.get(r, 0.0) >= classifier.params.threshold_for(r) for r in risks)
        out.append({"keywords": by_keywords, "classifier": by_classifier, "either": by_keywords or by_classifier})
    return out


def evaluate(
    examples: Sequence[LabelledExample], matcher: KeywordMatcher, classifier: RiskClassifier, seed: int
) -> dict[str, dict[str, dict[str, float]]]:
    """{trick: {lang: figures}} over the risky examples: "variants", and per detector the share caught and, of the
    statements it caught unmodified, the share it still catches ("<detector>_kept")."""
    lexicon = ResponseTemplates.load().lexicon
    originals = caught(examples, [e.text for e in examples], matcher, classifier)
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for trick in (ORIGINAL, *TRICKS):
        chosen, texts = [], []
        for index, example in enumerate(examples):
            rng = random.Random(f"{seed}/{trick}/{index}")
            text = example.text if trick == ORIGINAL else apply_trick(trick, example.text, rng, lexicon)
            if trick == ORIGINAL or text != example.text:
                chosen.append(index)
                texts.append(text)
        found = caught([examples[i] for i in chosen], texts, matcher, classifier)
        totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for index, variant in zip(chosen, found, strict=True):
            for lang in (examples[index].lang, "all"):
                totals[lang]["variants"] += 1
                for detector in DETECTORS:
                    totals[lang][detector] += variant[detector]
                    totals[lang][f"{detector}_base"] += originals[index][detector]
                    totals[lang][f"{detector}_kept"] += originals[index][detector] and variant[detector]
        figures[trick] = {lang: _shares(t) for lang, t in sorted(totals.items())}
    return figures


def _shares(totals: dict[str, int]) -> dict[str, float]:
    shares: dict[str, float] = {"variants": totals["variants"]}
    for detector in DETECTORS:
        shares[detector] = round(totals[detector] / totals["variants"], 3)
        base = totals[f"{detector}_base"]
        shares[f"{detector}_kept"] = round(totals[f"{detector}_kept"] / base, 3) if base else None
    return shares


def print_figures(figures: dict[str, dict[str, dict[str, float]]]) -> None:
    print("caught: share of variants caught with their risk; kept: of the statements caught unmodified, still caught")
    header = "".join(f"{d + ' caught':>19}{'kept':>6}" for d in DETECTORS)
    print(f"{'trick':<17}{'lang':<5}{'variants':>9}{header}")
    for trick, by_lang in figures.items():
        for lang, f in by_lang.items():
            cells = "".join(f"{f[d]:>19.3f}{_cell(f[d + '_kept']):>6}" for d in DETECTORS)
            print(f"{trick:<17}{lang:<5}{f['variants']:>9}{cells}")


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed set, split and variant seed")
    parser.add_argument("--model", type=Path, help="a trained classifier (default: train one on seed train here)")
    parser.add_argument("--library", type=Path, help="a keyword library (default: the shipped seed library)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    dev = [e for e in seed_examples(args.seed)[1] if e.labels]
    matcher = KeywordMatcher(KeywordLibrary.load(library_path(str(args.library) if args.library else None, Path.cwd())))
    with tempfile.TemporaryDirectory(prefix="eval-adversarial-") as tmp:
        model = args.model
        if model is None:
            train = Path(write_seed_training_set(Path(tmp) / "seed", args.seed)["files"]["train"]["path"])
            model = Path(tmp) / "risk.ftz"
            train_classifier([train], model, ClassifierParams())
        classifier = RiskClassifier.load(model, ClassifierParams())
        print(f"{len(dev)} risky statements of the seed dev split (never trained on); model {model.name}")
        figures = evaluate(dev, matcher, classifier, args.seed)
    print_figures(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

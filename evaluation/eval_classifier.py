"""Measures the supervised risk classifier (R6; TC260-003 9.1 b: a classifier covering every risk).

1. Always: trains on the seed set's train split (`seed_training`) and prints per-risk precision, recall and F1
   on its dev split (statements never seen in training), the risks most often confused, and how often safe
   texts and hard negatives (crime news, prevention texts, history lessons, ...) are flagged. Then the same dev
   examples as long documents: each risky or hard-negative example set among 2 to 5 safe dev examples (seeded,
   joined by newlines or sentence ends), plus documents of safe examples only: the recall of the embedded risk
   and the share of documents flagged, which shows how much a longer text dilutes a risky statement.
2. `--cold DIR`: the seed-only model's false flags on COLD's non-offensive dev comments (safe text it never saw);
   then trains on seed train + most of COLD's train.csv, tunes the thresholds of the COLD-mapped risks
   (A2.9, A2.12, A2.13) on the rest of train.csv, and reports on COLD's dev.csv: per-risk figures and the binary
   offensive/safe macro-F1 (offensive = any COLD-mapped risk at or above its threshold), at the default
   threshold and at the tuned ones. Dev is never used for tuning; COLD's test split is not used at all.
   Target: macro-F1 >= 0.80 (exit 1 below it).
3. `--davidson CSV`: the seed-only model's false flags on Davidson's "neither" tweets; then the same as COLD on
   Davidson's tweets, with a seeded split of our own (train / tune / test).
4. `--sample DIR`: scores the records of the embedded sample corpus (`corpusgate sample`; a text, or a chat's
   message contents joined by newlines) with the seed-only model as the pipeline does: the classifier alone, and
   combined with the shipped keyword library (`detectors.risk`), decided as the risk filter decides (the params'
   thresholds, then each of SAMPLE_THRESHOLDS; scores within the review band below a threshold are held for
   review). Prints the share of planted risky records held with their planted risk id, per id; the ordinary
   records (no risk or look-alike tag) held, by file and by risk id; and the look-alikes held. An
   out-of-distribution check written independently of the seed set: never train or tune on it.

    .venv/bin/python evaluation/eval_classifier.py [--cold /work/shared/data/cold]
        [--davidson /work/shared/data/davidson/labeled_data.csv] [--sample /tmp/clsample] [--seed 20260715]
        [--set KEY=VALUE ...] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.detectors.classifier import (
    COLD_TOPIC_RISKS,
    DAVIDSON_CLASS_RISKS,
    SAFE_LABEL,
    LabelledExample,
    RiskClassifier,
    cold_to_labelled,
    davidson_to_labelled,
    sentence_spans,
    train_classifier,
    write_labelled,
)
from pipelines.detectors.keywords import KeywordLibrary, KeywordMatcher, library_path
from pipelines.detectors.risk import combined_scores, decide, keyword_evidence
from pipelines.detectors.seed_training import DEFAULT_SEED, seed_examples, write_seed_training_set
from pipelines.detectors.taxonomy import Taxonomy
from pipelines.params import ClassifierParams, KeywordLibraryParams, RiskParams
from pipelines.readers import read_rows

COLD_TARGET_MACRO_F1 = 0.80
TUNE_SHARE = 0.1
THRESHOLD_GRID = [round(0.05 * step, 2) for step in range(1, 20)]
SAMPLE_THRESHOLDS = (0.5, 0.7, 0.9)
SAMPLE_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
DOCUMENT_CONTEXT = (2, 5)
SAFE_DOCUMENTS = 800
_SENTENCE_END = {"zh": "。", "en": "."}


# --- measuring ----------------------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(examples: Sequence[LabelledExample], predicted: Sequence[set[str]], risk_ids: Sequence[str]) -> dict:
    """Per-risk figures, confusions (gold -> wrongly predicted risk) and false-positive rates by kind."""
    counts = {risk_id: Counter() for risk_id in risk_ids}
    confusions: Counter[tuple[str, str]] = Counter()
    flagged_by_kind: dict[str, Counter] = defaultdict(Counter)
    for example, flags in zip(examples, predicted, strict=True):
        gold = set(example.labels)
        for risk_id in risk_ids:
            counts[risk_id][
                "tp"
                if risk_id in gold & flags
                else "fp"
                if risk_id in flags - gold
                else "fn"
                if risk_id in gold - flags
                else "tn"
            ] += 1
        for wrong in flags - gold:
            for truth in gold or {SAFE_LABEL}:
                confusions[truth, wrong] += 1
        kind = "risk" if gold else example.kind or SAFE_LABEL
        flagged_by_kind[kind]["flagged" if flags else "clean"] += 1
    per_risk = {}
    for risk_id, c in counts.items():
        if c["tp"] + c["fn"]:
            precision, recall, f1 = prf(c["tp"], c["fp"], c["fn"])
            per_risk[risk_id] = {"support": c["tp"] + c["fn"], "precision": precision, "recall": recall, "f1": f1}
    return {
        "per_risk": per_risk,
        "macro_f1": sum(r["f1"] for r in per_risk.values()) / len(per_risk) if per_risk else 0.0,
        "confusions": [{"gold": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(12)],
        # For risky examples: the share flagged with some risk (detection, whatever the id); else false positives.
        "flagged_rate": {
            kind: c["flagged"] / (c["flagged"] + c["clean"]) for kind, c in sorted(flagged_by_kind.items())
        },
    }


def binary_macro_f1(examples: Sequence[LabelledExample], predicted: Sequence[set[str]], risks: set[str]) -> dict:
    """Offensive (any of `risks`) against safe, as COLD and Davidson report it: the mean F1 of both classes."""
    gold = [bool(set(e.labels) & risks) for e in examples]
    flagged = [bool(flags & risks) for flags in predicted]
    f1s = {}
    for name, positive in (("offensive", True), ("safe", False)):
        tp = sum(g == positive and p == positive for g, p in zip(gold, flagged, strict=True))
        fp = sum(g != positive and p == positive for g, p in zip(gold, flagged, strict=True))
        fn = sum(g == positive and p != positive for g, p in zip(gold, flagged, strict=True))
        f1s[name] = prf(tp, fp, fn)[2]
    accuracy = sum(g == p for g, p in zip(gold, flagged, strict=True)) / len(gold)
    return {"macro_f1": (f1s["offensive"] + f1s["safe"]) / 2, "f1": f1s, "accuracy": accuracy, "n": len(gold)}


def flags_at(scores: Sequence[dict[str, float]], threshold_for: Callable[[str], float]) -> list[set[str]]:
    return [{risk_id for risk_id, score in s.items() if score >= threshold_for(risk_id)} for s in scores]


def tune_thresholds(examples: Sequence[LabelledExample], scores: Sequence[dict], risks: Sequence[str]) -> dict:
    """Per risk, the threshold of THRESHOLD_GRID with the best F1 on `examples` (a held-out part of TRAIN)."""
    tuned = {}
    for risk_id in risks:
        gold = [risk_id in e.labels for e in examples]

        def f1_at(threshold: float, risk_id: str = risk_id, gold: list[bool] = gold) -> float:
            hits = [s[risk_id] >= threshold for s in scores]
            tp = sum(g and h for g, h in zip(gold, hits, strict=True))
            return prf(tp, sum(h and not g for g, h in zip(gold, hits, strict=True)), sum(gold) - tp)[2]

        tuned[risk_id] = max(THRESHOLD_GRID, key=f1_at)
    return tuned


# --- experiments --------------------------------------------------------------------------------------------


def train_and_load(paths: list[Path], workdir: Path, params: ClassifierParams) -> RiskClassifier:
    model_path = workdir / ("risk.ftz" if params.quantize else "risk.bin")
    report = train_classifier(paths, model_path, params)
    print(
        f"trained on {report.examples} examples from {len(report.training_data)} file(s) in {report.seconds:.1f} s; "
        f"model {report.model_bytes / 1e6:.2f} MB ({'quantised' if params.quantize else 'not quantised'})"
    )
    return RiskClassifier.load(model_path, params)


def seed_experiment(classifier: RiskClassifier, dev: list[LabelledExample]) -> dict:
    scores = classifier.predict_batch([e.text for e in dev])
    result = evaluate(dev, flags_at(scores, classifier.params.threshold_for), classifier.ids)
    result["model_bytes"] = classifier.report.model_bytes
    return result


def seed_documents(dev: Sequence[LabelledExample], seed: int) -> list[LabelledExample]:
    """Dev examples as long documents: each risky or hard-negative one among safe ones, and safe-only documents."""
    rng = random.Random(f"{seed}/documents")
    safe = {lang: [e.text for e in dev if e.kind == SAFE_LABEL and e.lang == lang] for lang in ("zh", "en")}

    def document(texts: list[str], lang: str) -> str:
        if rng.random() < 0.5:  # a chat's messages, as the sample's chats are read
            return "\n".join(texts)
        ended = (t if t.rstrip().endswith(tuple("。！？!?.…")) else t + _SENTENCE_END[lang] for t in texts)
        return ("" if lang == "zh" else " ").join(ended)

    documents = []
    for example in dev:
        if example.kind != SAFE_LABEL:
            texts = rng.sample(safe[example.lang], rng.randint(*DOCUMENT_CONTEXT))
            texts.insert(rng.randint(0, len(texts)), example.text)
            documents.append(LabelledExample(document(texts, example.lang), example.labels, example.lang, example.kind))
    for number in range(SAFE_DOCUMENTS):
        lang = ("zh", "en")[number % 2]
        texts = rng.sample(safe[lang], rng.randint(DOCUMENT_CONTEXT[0] + 1, DOCUMENT_CONTEXT[1] + 1))
        documents.append(LabelledExample(document(texts, lang), (), lang, SAFE_LABEL))
    return documents


def held_out_experiment(
    name: str,
    examples: list[LabelledExample],
    test: list[LabelledExample],
    risks: list[str],
    seed_train: Path,
    workdir: Path,
    params: ClassifierParams,
    seed: int,
) -> dict:
    """Train on seed train + most of `examples`, tune thresholds on the rest, measure on `test`."""
    shuffled = list(examples)
    random.Random(f"{seed}/{name}/tune").shuffle(shuffled)
    cut = round(len(shuffled) * TUNE_SHARE)
    tune, fit = shuffled[:cut], shuffled[cut:]
    fit_path = workdir / f"{name}_fit.jsonl"
    write_labelled(fit_path, fit)
    classifier = train_and_load([seed_train, fit_path], workdir, params)
    tune_scores = classifier.predict_batch([e.text for e in tune])
    tuned = tune_thresholds(tune, tune_scores, risks)
    test_scores = classifier.predict_batch([e.text for e in test])
    result = {"fit": len(fit), "tune": len(tune), "test": len(test), "tuned_thresholds": tuned}
    # Compare settings on this figure (a part of TRAIN), never on the test figures.
    result["tune_binary_default"] = binary_macro_f1(tune, flags_at(tune_scores, params.threshold_for), set(risks))
    for setting, threshold_for in (("default", params.threshold_for), ("tuned", lambda r: tuned.get(r, 0.5))):
        flags = flags_at(test_scores, threshold_for)
        per_risk = evaluate(test, flags, risks)["per_risk"]
        result[setting] = {"binary": binary_macro_f1(test, flags, set(risks)), "per_risk": per_risk}
    return result


@dataclass(frozen=True)
class SampleRecord:
    file: str
    text: str
    planted: frozenset[str]
    lookalikes: frozenset[str]


def read_sample(sample_dir: Path) -> list[SampleRecord]:
    """The sample's records that have a text, with their planted risk ids and look-alike ids from truth.jsonl."""
    truth = {}
    for line in (sample_dir / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        truth[entry["file"], entry["row"]] = entry["tags"]
    records = []
    for path in sorted(sample_dir.iterdir()):
        if path.suffix not in SAMPLE_FORMATS or path.name == "truth.jsonl":
            continue
        for raw in read_rows(str(path), SAMPLE_FORMATS[path.suffix]):
            text = _record_text(raw.fields or {})
            if text:
                tags = truth.get((path.name, raw.row), [])
                ids = {
                    prefix: frozenset(t.split(":", 1)[1] for t in tags if t.startswith(prefix + ":"))
                    for prefix in ("risk", "lookalike")
                }
                records.append(SampleRecord(path.name, text, ids["risk"], ids["lookalike"]))
    return records


def _record_text(fields: dict) -> str:
    """A record's text, or its chat's message contents joined by newlines; "" when it has neither."""
    if isinstance(fields.get("text"), str):
        return fields["text"]
    messages = fields.get("messages")
    if isinstance(messages, list):
        return "\n".join(m["content"] for m in messages if isinstance(m, dict) and isinstance(m.get("content"), str))
    return ""


def sample_experiment(classifier: RiskClassifier, records: list[SampleRecord], review_band: float) -> dict:
    """Planted risks held with their risk id, ordinary records and look-alikes held, as the risk filter decides.

    Per setting (the params' thresholds, then each of SAMPLE_THRESHOLDS for every risk) and per evidence: the
    classifier alone, and the pipeline's combined score (the shipped keyword library and the classifier,
    `pipelines.detectors.risk`). A record is held when a quarantine risk is over its threshold or within
    `review_band` below.
    """
    texts = [r.text for r in records]
    model_scores = classifier.predict_batch(texts)
    matcher = KeywordMatcher(KeywordLibrary.load(library_path(None, Path("."))))
    window, threshold = classifier.params.window_chars, KeywordLibraryParams().threshold
    evidence = {
        "classifier": model_scores,
        "combined": [
            combined_scores(scores, keyword_evidence(matcher.find(text), sentence_spans(text, window), threshold), 0.0)
            for scores, text in zip(model_scores, texts, strict=True)
        ],
    }
    actions = {risk.id: risk.default_action for risk in Taxonomy.load()}
    settings = {"params": classifier.params} | {
        str(t): classifier.params.model_copy(update={"threshold": t, "thresholds": {}}) for t in SAMPLE_THRESHOLDS
    }
    result: dict = {}
    for setting, params in settings.items():
        for kind, all_scores in evidence.items():
            held_as, ordinary, by_file, by_risk, lookalikes = (
                defaultdict(Counter),
                Counter(),
                defaultdict(Counter),
                Counter(),
                Counter(),
            )
            for record, scores in zip(records, all_scores, strict=True):
                verdict = decide(scores, params, review_band, actions)
                outcome = "over" if verdict.over else "review" if verdict.review else "kept"
                for risk_id in record.planted:
                    held_as[risk_id]["caught" if risk_id in verdict.over else "missed"] += 1
                if record.lookalikes:
                    lookalikes[outcome] += 1
                elif not record.planted:
                    ordinary[outcome] += 1
                    by_file[record.file][outcome != "kept"] += 1
                    by_risk.update(verdict.over)
            caught = sum(c["caught"] for c in held_as.values())
            planted = sum(c.total() for c in held_as.values())
            result[f"{setting}/{kind}"] = {
                "planted_recall": caught / planted if planted else 0.0,
                "planted": planted,
                "recall": {risk_id: c["caught"] / c.total() for risk_id, c in sorted(held_as.items())},
                "ordinary": ordinary.total(),
                "ordinary_held": (ordinary["over"] + ordinary["review"]) / ordinary.total() if ordinary else 0.0,
                "ordinary_over": ordinary["over"] / ordinary.total() if ordinary else 0.0,
                "held_by_file": {f: c[True] / c.total() for f, c in sorted(by_file.items())},
                "false_flags_by_risk": dict(by_risk.most_common()),
                "lookalikes_held": f"{lookalikes.total() - lookalikes['kept']}/{lookalikes.total()}",
            }
    return result


def safe_flag_rate(classifier: RiskClassifier, examples: Sequence[LabelledExample]) -> dict:
    """Share of safe examples (of a set never trained on) that the classifier flags with any risk."""
    safe = [e.text for e in examples if not e.labels]
    flags = flags_at(classifier.predict_batch(safe), classifier.params.threshold_for)
    return {
        "n": len(safe),
        "flagged": sum(map(bool, flags)) / len(safe),
        "by_risk": dict(Counter(r for f in flags for r in f).most_common(5)),
    }


# --- printing -----------------------------------------------------------------------------------------------


def print_per_risk(per_risk: dict) -> None:
    print(f"  {'risk':<26}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}")
    for risk_id, r in per_risk.items():
        print(f"  {risk_id:<26}{r['support']:>8}{r['precision']:>11.3f}{r['recall']:>8.3f}{r['f1']:>7.3f}")


def print_seed(result: dict) -> None:
    print_per_risk(result["per_risk"])
    print(f"  macro-F1 over risks: {result['macro_f1']:.3f}")
    print("  most frequent confusions (gold -> wrongly flagged):")
    for c in result["confusions"]:
        print(f"    {c['gold']:<26}-> {c['predicted']:<26}{c['count']:>4}")
    rates = result["flagged_rate"]
    print(f"  risky texts flagged with some risk (any id): {rates.get('risk', 0):.1%}")
    print(f"  safe texts flagged with some risk: {', '.join(f'{k} {v:.1%}' for k, v in rates.items() if k != 'risk')}")


def print_documents(result: dict) -> None:
    recall = [r["recall"] * r["support"] for r in result["per_risk"].values()]
    support = sum(r["support"] for r in result["per_risk"].values())
    rates = result["flagged_rate"]
    print(
        f"  embedded risk caught (its own id): {sum(recall) / support:.1%} of {support}; "
        f"macro-F1 {result['macro_f1']:.3f}"
    )
    print(f"  documents flagged with some risk: {', '.join(f'{k} {v:.1%}' for k, v in rates.items())}")


def print_held_out(name: str, result: dict) -> None:
    print(f"  split: {result['fit']} fit, {result['tune']} tune (thresholds), {result['test']} evaluated")
    print(f"  tuned thresholds (on the tune part of train): {result['tuned_thresholds']}")
    print(f"  tune part, default thresholds: binary macro-F1 {result['tune_binary_default']['macro_f1']:.4f}")
    for setting in ("default", "tuned"):
        binary = result[setting]["binary"]
        print(
            f"  {name} {setting} thresholds: binary macro-F1 {binary['macro_f1']:.4f} (offensive F1 "
            f"{binary['f1']['offensive']:.3f}, safe F1 {binary['f1']['safe']:.3f}, accuracy {binary['accuracy']:.3f})"
        )
        print_per_risk(result[setting]["per_risk"])


def print_safe_flags(name: str, classifier: RiskClassifier, examples: Sequence[LabelledExample]) -> dict:
    result = safe_flag_rate(classifier, examples)
    print(f"  {name} flagged with some risk: {result['flagged']:.1%} of {result['n']} (top risks {result['by_risk']})")
    return result


def print_sample(result: dict) -> None:
    for setting, r in result.items():
        print(
            f"  {setting}: planted held with their risk id {r['planted_recall']:.1%} of {r['planted']}; "
            f"ordinary records held {r['ordinary_held']:.1%} of {r['ordinary']} ({r['ordinary_over']:.1%} over a "
            f"threshold, the rest for review); look-alikes held {r['lookalikes_held']}"
        )
        print("    recall: " + ", ".join(f"{k} {v:.0%}" for k, v in r["recall"].items()))
        print("    ordinary held by file: " + ", ".join(f"{k} {v:.1%}" for k, v in r["held_by_file"].items()))
        print(f"    false flags by risk id: {r['false_flags_by_risk'] or 'none'}")


def parse_overrides(pairs: list[str]) -> dict:
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set expects KEY=VALUE, got {pair!r}")
        overrides[key] = yaml.safe_load(value)
    return overrides


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed set and split seed")
    parser.add_argument("--cold", type=Path, help="COLD directory with train.csv and dev.csv")
    parser.add_argument("--davidson", type=Path, help="Davidson's labeled_data.csv")
    parser.add_argument("--sample", type=Path, help="a sample corpus written by `corpusgate sample` (never trained on)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a ClassifierParams field, e.g. --set epoch=10",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    params = ClassifierParams(**parse_overrides(args.overrides))
    print(f"params: {params.model_dump_json(exclude={'extra_training_data'})}")
    figures: dict = {"params": params.model_dump(mode="json"), "seed": args.seed}
    failed = False

    with tempfile.TemporaryDirectory(prefix="eval-classifier-") as tmp:
        workdir = Path(tmp)
        seed_train = Path(write_seed_training_set(workdir / "seed", args.seed)["files"]["train"]["path"])
        dev = seed_examples(args.seed)[1]
        print(f"\n== seed set: trained on seed train, measured on seed dev ({len(dev)} examples, unseen statements)")
        classifier = train_and_load([seed_train], workdir, params)
        figures["seed_dev"] = seed_experiment(classifier, dev)
        print_seed(figures["seed_dev"])
        print("\n== seed dev examples inside long documents of safe dev examples (dilution)")
        figures["seed_dev_documents"] = seed_experiment(classifier, seed_documents(dev, args.seed))
        print_documents(figures["seed_dev_documents"])

        if args.sample:
            print(f"\n== sample corpus {args.sample}, seed-only model above (out of distribution)")
            figures["sample"] = sample_experiment(classifier, read_sample(args.sample), RiskParams().review_band)
            print_sample(figures["sample"])

        if args.cold:
            risks = sorted({r for rs in COLD_TOPIC_RISKS.values() for r in rs})
            cold_dev = cold_to_labelled(args.cold / "dev.csv")
            seed_scores = classifier.predict_batch([e.text for e in cold_dev])
            seed_only = binary_macro_f1(cold_dev, flags_at(seed_scores, params.threshold_for), set(risks))
            print(f"\n== COLD dev, seed-only model above: binary macro-F1 {seed_only['macro_f1']:.4f}")
            figures["cold_safe_seed_only"] = print_safe_flags("COLD dev non-offensive comments", classifier, cold_dev)
            print(f"\n== COLD: trained on seed train + COLD train, measured on {args.cold / 'dev.csv'}")
            cold = held_out_experiment(
                "cold",
                cold_to_labelled(args.cold / "train.csv"),
                cold_dev,
                risks,
                seed_train,
                workdir,
                params,
                args.seed,
            )
            cold["seed_only_binary"] = seed_only
            print_held_out("COLD dev", cold)
            best = max(cold["default"]["binary"]["macro_f1"], cold["tuned"]["binary"]["macro_f1"])
            cold["target_macro_f1"], cold["target_met"] = COLD_TARGET_MACRO_F1, best >= COLD_TARGET_MACRO_F1
            failed |= not cold["target_met"]
            figures["cold"] = cold

        if args.davidson:
            risks = sorted({r for rs in DAVIDSON_CLASS_RISKS.values() for r in rs})
            examples = davidson_to_labelled(args.davidson)
            print("\n== Davidson, seed-only model above")
            figures["davidson_safe_seed_only"] = print_safe_flags("Davidson 'neither' tweets", classifier, examples)
            random.Random(f"{args.seed}/davidson/test").shuffle(examples)
            cut = round(len(examples) * 0.1)
            print(f"\n== Davidson: trained on seed train + 90% of {args.davidson}, measured on a held-out 10%")
            davidson = held_out_experiment(
                "davidson", examples[cut:], examples[:cut], risks, seed_train, workdir, params, args.seed
            )
            print_held_out("Davidson test", davidson)
            figures["davidson"] = davidson

    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if "cold" in figures:
        print(f"\nCOLD dev target macro-F1 >= {COLD_TARGET_MACRO_F1}: {'met' if not failed else 'NOT met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

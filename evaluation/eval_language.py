"""Measures language identification on labelled texts (R2: language labels; R3: per-language diversity statistics).

The sets:

- ``cold``: COLD dev (``../shared/data/cold/dev.csv``, Chinese Zhihu and Weibo comments, Apache-2.0), all "zh".
- ``davidson``: English tweets (``../shared/data/davidson/labeled_data.csv``, MIT), all "en". Tweets hold real
  handles and personal data: this script prints figures only, never a tweet.
- ``short``: short chat-like texts written here (zh, en, ja, ko, fr, de, es, ru), one to a few words.
- ``mixed``: Chinese-English code-switching written here, labelled with the sentence's matrix language.
- balanced: a Chinese sentence joined to its English translation, in both orders; no expected label, the script
  prints which labels they get.

The real sets are optional (the project runs without them): a missing file is reported and skipped.

Prints, for `LanguageParams` defaults (or --min-confidence): per set the accuracy (label == expected) and the
share labelled "und"; per expected language precision, recall and F1 over all sets; the most common wrong labels;
the written texts that are misidentified; accuracy and "und" share at other thresholds; predictions/s on one core.

    .venv/bin/python evaluation/eval_language.py [--data ../shared/data] [--min-confidence 0.3]
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.detectors.language import LanguageIdentifier
from pipelines.models import PROJECT_ROOT
from pipelines.params import LanguageParams

THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.7)
SPEED_SECONDS = 2.0

SHORT_TEXTS = {
    "zh": (
        "好的",
        "谢谢你",
        "晚安",
        "我想你了",
        "你在干嘛呢",
        "今天好累啊",
        "明天见",
        "吃饭了吗",
        "我不知道怎么办",
        "你说得对",
        "别难过了",
        "真的假的",
        "这个好看吗",
        "周末一起去爬山吧",
        "我有点担心",
        "我今天心情不好",
        "没关系的",
        "你怎么还没睡",
        "哈哈哈太好笑了",
        "这部电影怎么样",
    ),
    "en": (
        "thanks",
        "good night",
        "see you tomorrow",
        "I miss you",
        "what are you doing",
        "I'm so tired today",
        "did you eat yet",
        "I don't know what to do",
        "you're right",
        "don't be sad",
        "are you serious",
        "does this look good",
        "let's go hiking this weekend",
        "I'm a bit worried",
        "no worries",
        "why are you still awake",
        "that's hilarious",
        "how was the movie",
        "I had a bad day",
        "call me when you can",
    ),
    "ja": (
        "ありがとう",
        "おやすみなさい",
        "また明日",
        "今日はとても疲れた",
        "何をしていますか",
        "大丈夫ですよ",
        "ご飯を食べましたか",
        "映画はどうでしたか",
    ),
    "ko": (
        "고마워",
        "잘 자",
        "내일 봐",
        "오늘 너무 피곤해",
        "뭐 하고 있어",
        "괜찮아",
        "밥 먹었어",
        "영화 어땠어",
    ),
    "fr": (
        "merci beaucoup",
        "bonne nuit",
        "à demain",
        "je suis très fatigué aujourd'hui",
        "qu'est-ce que tu fais",
        "ne sois pas triste",
        "tu as mangé",
        "comment était le film",
    ),
    "de": (
        "vielen Dank",
        "gute Nacht",
        "bis morgen",
        "ich bin heute sehr müde",
        "was machst du gerade",
        "sei nicht traurig",
        "hast du schon gegessen",
        "wie war der Film",
    ),
    "es": (
        "muchas gracias",
        "buenas noches",
        "hasta mañana",
        "estoy muy cansado hoy",
        "qué estás haciendo",
        "no estés triste",
        "ya comiste",
        "qué tal la película",
    ),
    "ru": (
        "спасибо",
        "спокойной ночи",
        "до завтра",
        "я сегодня очень устал",
        "что ты делаешь",
        "не грусти",
        "ты уже поел",
        "как тебе фильм",
    ),
}

MIXED_TEXTS = {
    "zh": (
        "这个project的deadline是明天",
        "我今天要开一个meeting",
        "你有没有看那个new episode",
        "帮我check一下email",
        "这个idea挺好的",
        "周末一起去shopping吧",
        "我的boss今天又加班了",
        "他说话好有logic",
        "这首歌的melody太好听了",
        "我们下午有个presentation要准备",
        "这个app真的很好用",
        "我有点down今天",
        "你的feedback对我很重要",
        "等我finish这个task再说",
        "你今天好cute啊",
        "这个plan我觉得OK",
        "我最近在学machine learning",
        "你可以send给我吗",
        "我们的team这个月的KPI完成了",
        "今天的workout好累",
    ),
    "en": (
        "I love 小笼包 so much",
        "let's get 火锅 tonight",
        "my 妈妈 called me again today",
        "she said 加油 before the exam",
        "we watched a movie about 功夫 last night",
        "I'm learning to write 你好 in Chinese",
        "my friend from 上海 is visiting next week",
        "the 红包 tradition is my favourite part of new year",
        "can you teach me how to say 谢谢",
        "I bought some 月饼 for the festival",
        "my friend lives in 大阪 now",
        "we visited 京都 last year",
    ),
}

# The same sentence in both languages, joined in both orders: which language wins when neither dominates?
BALANCED_PAIRS = (
    ("我们明天去看电影吧", "let's watch a movie tomorrow"),
    ("今天天气很好", "the weather is nice today"),
    ("你吃饭了吗", "have you eaten yet"),
    ("我有点累了", "I'm a little tired"),
    ("这本书很有意思", "this book is very interesting"),
    ("我们下周一开会", "we have a meeting next Monday"),
    ("别担心", "don't worry"),
    ("谢谢你的帮助", "thank you for your help"),
    ("你在哪里", "where are you"),
    ("我很想念我的家人", "I really miss my family"),
)


@dataclass(frozen=True)
class Example:
    set_name: str
    expected: str
    text: str
    written_here: bool  # only texts written here may be printed


def load_examples(data_dir: Path) -> Iterator[Example]:
    """The labelled texts; a missing real set is reported and skipped."""
    cold = data_dir / "cold" / "dev.csv"
    davidson = data_dir / "davidson" / "labeled_data.csv"
    for path, set_name, expected, column in ((cold, "cold", "zh", "TEXT"), (davidson, "davidson", "en", "tweet")):
        if not path.is_file():
            print(f"skipped {set_name}: {path} not found")
            continue
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                yield Example(set_name, expected, row[column], written_here=False)
    for set_name, texts in (("short", SHORT_TEXTS), ("mixed", MIXED_TEXTS)):
        for expected, lang_texts in texts.items():
            for text in lang_texts:
                yield Example(set_name, expected, text, written_here=True)


def thresholded(label: str, score: float, min_confidence: float, undetermined: str) -> str:
    return label if score >= min_confidence else undetermined


def report_sets(examples: list[Example], predicted: list[str], undetermined: str) -> None:
    print(f"\n{'set':10} {'texts':>7} {'accuracy':>9} {'und':>7}  most common wrong labels")
    for set_name in dict.fromkeys(e.set_name for e in examples):
        pairs = [(e.expected, p) for e, p in zip(examples, predicted, strict=True) if e.set_name == set_name]
        correct = sum(expected == p for expected, p in pairs)
        und = sum(p == undetermined for _, p in pairs)
        wrong = Counter(p for expected, p in pairs if p not in (expected, undetermined)).most_common(6)
        wrong_text = ", ".join(f"{label} {count}" for label, count in wrong) or "-"
        print(f"{set_name:10} {len(pairs):7d} {correct / len(pairs):9.4f} {und / len(pairs):7.4f}  {wrong_text}")


def report_languages(examples: list[Example], predicted: list[str]) -> None:
    print(f"\n{'language':8} {'texts':>7} {'precision':>9} {'recall':>7} {'F1':>7}   (all sets pooled)")
    expected_counts = Counter(e.expected for e in examples)
    predicted_counts = Counter(predicted)
    true_positives = Counter(p for e, p in zip(examples, predicted, strict=True) if e.expected == p)
    for lang, count in expected_counts.most_common():
        hits = true_positives[lang]
        precision = hits / predicted_counts[lang] if predicted_counts[lang] else 0.0
        recall = hits / count
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        print(f"{lang:8} {count:7d} {precision:9.4f} {recall:7.4f} {f1:7.4f}")


def report_misses(examples: list[Example], results: list[tuple[str, float]], predicted: list[str]) -> None:
    print("\nwritten texts not given their expected label:")
    for example, (label, score), final in zip(examples, results, predicted, strict=True):
        if example.written_here and final != example.expected:
            print(f"  [{example.set_name}/{example.expected}] -> {final} (best {label} {score:.2f}): {example.text}")


def report_thresholds(examples: list[Example], results: list[tuple[str, float]], undetermined: str) -> None:
    set_names = list(dict.fromkeys(e.set_name for e in examples))
    print("\naccuracy / und share by min_confidence")
    print(f"{'min_conf':>8}  " + "  ".join(f"{name:>17}" for name in set_names))
    for threshold in THRESHOLDS:
        cells = []
        for set_name in set_names:
            chosen = [
                (e.expected, thresholded(label, score, threshold, undetermined))
                for e, (label, score) in zip(examples, results, strict=True)
                if e.set_name == set_name
            ]
            accuracy = sum(expected == p for expected, p in chosen) / len(chosen)
            und = sum(p == undetermined for _, p in chosen) / len(chosen)
            cells.append(f"{accuracy:.4f} / {und:.4f}")
        print(f"{threshold:8.2f}  " + "  ".join(f"{cell:>17}" for cell in cells))


def report_balanced(identifier: LanguageIdentifier) -> None:
    print("\nbalanced zh+en: a sentence and its translation, label (score) with Chinese first / English first")
    counts: Counter[str] = Counter()
    for zh, en in BALANCED_PAIRS:
        (zh_first, zh_score), (en_first, en_score) = identifier.identify_batch([f"{zh} {en}", f"{en} {zh}"])
        counts.update((zh_first, en_first))
        print(f"  {zh_first:>4} ({zh_score:.2f}) / {en_first:>4} ({en_score:.2f})  {zh} | {en}")
    print("  labels: " + ", ".join(f"{label} {count}" for label, count in counts.most_common()))


def report_speed(identifier: LanguageIdentifier, texts: list[str]) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as a Beam worker would have
    mean_chars = sum(len(t) for t in texts) / len(texts)
    print(f"\nspeed on one core ({len(texts)} texts, {mean_chars:.0f} characters on average):")
    for name, run in (
        ("identify_batch", lambda: identifier.identify_batch(texts)),
        ("identify", lambda: [identifier.identify(t) for t in texts]),
    ):
        rounds, start = 0, time.perf_counter()
        while time.perf_counter() - start < SPEED_SECONDS:
            run()
            rounds += 1
        rate = rounds * len(texts) / (time.perf_counter() - start)
        print(f"  {name:15} {rate:10,.0f} predictions/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--min-confidence", type=float, default=LanguageParams().min_confidence)
    args = parser.parse_args(argv)

    params = LanguageParams(min_confidence=args.min_confidence)
    identifier = LanguageIdentifier(params)
    # Scores do not depend on the threshold: identify once without one, then apply each threshold.
    unthresholded = LanguageIdentifier(params.model_copy(update={"min_confidence": 0.0}))
    examples = list(load_examples(args.data))
    texts = [e.text for e in examples]
    results = unthresholded.identify_batch(texts)
    predicted = [label for label, _ in identifier.identify_batch(texts)]
    und = params.undetermined_label

    print(f"model {identifier.model_path} sha256 {identifier.model_sha256}")
    print(f"min_confidence {params.min_confidence}, max_chars {params.max_chars}")
    report_sets(examples, predicted, und)
    report_languages(examples, predicted)
    report_misses(examples, results, predicted)
    report_thresholds(examples, results, und)
    report_balanced(identifier)
    report_speed(identifier, texts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

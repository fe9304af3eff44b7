"""The Chinese tagger gives jieba.posseg's tokens where it runs the HMM, and dictionary tokens elsewhere.

Every name here is made up.
"""

from __future__ import annotations

import logging
import random

import jieba
import jieba.posseg
import pytest

from pipelines.detectors.chinese_tagger import ChineseTagger

SENTENCES = [
    "我叫王芳，今天和李小明去了北京",
    "请把文件交给诸葛磊国",
    "叶娜超说他明天不来了",
    "昨天和何刚建一起吃饭",
    "司马俊杰说他会准时到",
    "那段时间邻居教了我一个小窍门",
    "天冷最适合泡一杯姜茶，听着雨声看书",
    "我们中出了一个叛徒",
    "他来到了网易杭研大厦",
]


@pytest.fixture(scope="module")
def tagger() -> ChineseTagger:
    return ChineseTagger()


@pytest.fixture(scope="module")
def posseg() -> jieba.posseg.POSTokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return jieba.posseg.POSTokenizer(tokenizer)


def jieba_tokens(posseg: jieba.posseg.POSTokenizer, sentence: str) -> list[tuple[str, str]]:
    return [(pair.word, pair.flag) for pair in posseg.cut(sentence)]


def random_sentences(count: int) -> list[str]:
    """Strings of common and rare characters, most of them runs the dictionary lacks."""
    rng = random.Random(11)
    chars = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高郑谢宋唐韩芳娜伟强磊军洋勇艳杰涛明超秀英华慧巧美娟宇思"
    chars += "是了在说去来和的我他很就都也不人一"
    chars += "".join(chr(code) for code in range(0x4E00, 0x9FD6, 97))  # rare characters too
    return ["".join(rng.choice(chars) for _ in range(rng.randint(2, 12))) for _ in range(count)]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_with_the_hmm_everywhere_the_tokens_are_jieba_possegs(
    tagger: ChineseTagger, posseg: jieba.posseg.POSTokenizer, sentence: str
) -> None:
    assert tagger.tag(sentence, lambda run, before: True) == jieba_tokens(posseg, sentence)


def test_the_hmm_gives_jieba_possegs_cut_on_random_text(
    tagger: ChineseTagger, posseg: jieba.posseg.POSTokenizer
) -> None:
    sentences = random_sentences(200)
    differing = [s for s in sentences if tagger.tag(s, lambda run, before: True) != jieba_tokens(posseg, s)]
    assert differing == []


def test_runs_left_out_keep_one_token_per_character(tagger: ChineseTagger) -> None:
    asked: list[tuple[str, str | None]] = []

    def never(run: str, before: str | None) -> bool:
        asked.append((run, before))
        return False

    tokens = tagger.tag("今天和庞昱琦说了", never)
    assert "".join(word for word, _ in tokens) == "今天和庞昱琦说了"
    assert ("庞昱琦", "nr") not in tokens
    assert {"庞", "昱", "琦"} <= {word for word, _ in tokens}
    assert any("庞昱琦" in run for run, _ in asked)  # the callback saw the run, with the word before it
    assert all(before is None or before in "".join(word for word, _ in tokens) for _, before in asked)


def test_words_of_the_dictionary(tagger: ChineseTagger) -> None:
    assert tagger.is_word("北京")
    assert tagger.is_word("胡萝卜")
    assert not tagger.is_word("庞昱琦")
    assert not tagger.is_word("")


def test_empty_and_non_chinese_text(tagger: ChineseTagger) -> None:
    assert tagger.tag("", lambda run, before: True) == []
    assert "".join(word for word, _ in tagger.tag("Hello, 2026!", lambda run, before: True)) == "Hello, 2026!"

"""Person names and postal addresses in Chinese and English, offline (R7, R10; PIPL art. 13, 28).

Regexes alone cannot find names, and no trustworthy offline NER model ships on the package index (FACTS.md),
so each language gets the best offline source we can vouch for:

- Chinese names: cue phrases (我叫, 联系人 ..., and 我是 closing a clause) take the name that follows them;
  otherwise jieba's part-of-speech tagger (HMM on; `nr*` tags) proposes whole tokens shaped like a surname and
  a one- or two-character given name. jieba's dictionary tags many everyday words `nr` (胡萝卜, 马拉松, 段时间),
  so a proposal needs evidence, and its score says how much: `INTRODUCED_SCORE` when introduced as a name
  (他叫王芳, 王芳老师, 王芳说), `SUPPORTED_SCORE` after a word that takes a person (和, 给, 交给) or for a
  three-character name that is no dictionary word, else `BARE_SCORE`, under the default threshold. Frequent
  words, reduplications (谢谢), tokens counted by a numeral or classifier (一杯姜茶) and tokens whose surname
  ends the word before them (那段 + 时间) are never names. An introduced name is a name at all its mentions.
  The tags are jieba.posseg's, computed faster (`chinese_tagger.py`: rjieba, and jieba.posseg's HMM only on
  runs of unknown characters that may hold a name), on sentences holding a surname.
- English names: a gazetteer built from the `names` package (MIT; its lists are the public-domain 1990 US
  Census name files): a first name followed by a surname, a title (Mr, Dr ...) or a cue (my name is ...).
  Function words (In, My ...) are never part of a name, even where the Census lists hold them, and a name
  does not follow a determiner (my, the ...).
- Addresses: province / city / district / road / number patterns for Chinese, house number + street suffix
  for English.

`evaluation/eval_pii.py` measures recall and false positives of all of these.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from typing import NamedTuple

import regex

from pipelines.detectors.chinese_tagger import ChineseTagger, jieba_file

PERSON = "PERSON"
ADDRESS = "ADDRESS"


class Span(NamedTuple):
    """A found name or address: entity type, character offsets, confidence."""

    type: str
    start: int
    end: int
    score: float


# The most frequent single-character surnames (about 90% of the population) and the compound ones.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈"
    "钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫严段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴莫孔向常汤康易"
    "乔赖文施洪辛柯庄樊兰殷颜倪关温左齐牛葛伍申俞岳柳鲁谷童骆欧季包祝宁华滕房裴尚纪翟邢聂"
)
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "呼延",
        "钟离",
    )  # fmt: skip
)
_ALL_SURNAMES = SURNAMES | COMPOUND_SURNAMES
# Words at least this frequent in jieba's dictionary are words, even when tagged `nr` (华为, 胡萝卜).
COMMON_WORD_FREQUENCY = 300
# How much evidence a Chinese name has; `PiiParams.score_threshold` (0.5 by default) decides which are reported.
INTRODUCED_SCORE = 0.85  # introduced as a name: 我叫王芳, 联系人：王芳, 他叫王芳, 王芳老师, 王芳说
SUPPORTED_SCORE = 0.65  # a word that takes a person before it (和王芳, 交给王芳), or a full three-character name
BARE_SCORE = 0.4  # nothing more: a two-character word is as often a corgi (柯基) as a person (王芳)
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
# Parts of speech that cannot follow a compound surname as the given name (verbs, particles, punctuation ...).
_NOT_GIVEN_NAME_TAGS = frozenset({"x", "v", "p", "c", "r", "d", "uj", "ul", "uz", "m", "q", "f", "y", "eng"})
# A numeral or classifier counts things, not people: 一杯姜茶, 一根胡萝卜, 几天毛毛雨.
_COUNTING_TAGS = frozenset({"m", "q", "mq"})
_ZH_SENTENCE_ENDS = "。！？!?；;\n"
_ZH_SENTENCE = re.compile(f"[^{_ZH_SENTENCE_ENDS}]+")
_ZH_CUE_WORDS = "我叫|名叫|叫做|姓名|联系人|收件人|收货人|寄件人|患者|户主|持卡人"
_ZH_NAME = (
    r"((?:" + "|".join(sorted(COMPOUND_SURNAMES)) + "|[" + "".join(sorted(SURNAMES)) + r"])"
    r"(?:(?![的是和在今年岁先女小老])[\u4e00-\u9fff]){1,2})"
)
_ZH_CUE = re.compile(rf"(?:{_ZH_CUE_WORDS})[:：\s]*{_ZH_NAME}")
# "我是" introduces a name only when the name closes the clause (大家好，我是高洁，负责报名), and not a word (我是高手).
# (`regex` finds this one and _EN_ADDRESS 10-40x faster than `re` does, with the same matches.)
_ZH_SELF_INTRODUCTION = regex.compile(rf"我是{_ZH_NAME}(?=[，,。.！!；;\s]|$)")
# After a name, a title or a speech verb introduces it (王芳老师, 王芳说); before it, 叫 does (他叫王芳).
_ZH_INTRODUCED_BY = re.compile("先生|女士|小姐|老师|同学|医生|经理|师傅|阿姨|叔叔|说|告诉|表示|问|回答")
# Verbs and prepositions that take a person, though not only a person (给柯基买了个球).
_ZH_TAKES_A_PERSON = re.compile("(?:和|跟|与|给|找|问|陪|告诉|认识)$")

_EN_TITLES = "Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Mister|Doctor|Professor"
_EN_TITLE = rf"(?:{_EN_TITLES})\.?"
_EN_CUE = (
    r"(?:name is|name's|I am|I'm|call me|called|named|Dear|Hi|Hello|Hey|Thanks|Thank you|met|with|"
    r"friend|wife|husband|son|daughter|mom|mum|dad|mother|father|brother|sister|boss|colleague|"
    r"girlfriend|boyfriend|partner|cousin|uncle|aunt|grandma|grandpa|neighbour|neighbor|teacher)"
)
# After these a capitalised word is taken for a name even when the gazetteer does not know it.
_EN_STRONG_CUE = r"(?:name is|name's|call me)"
# Closed-class words, capitalised at the start of a sentence (In Melbourne we ...): never part of a name, even
# where the Census lists hold them (In, My, So, An). Modal "Will" and "May" are left out: they are names too.
_EN_FUNCTION_WORDS = (
    "A|An|The|In|On|At|Of|To|For|From|By|With|Into|Onto|Over|Under|After|Before|During|Since|Until|About|"
    "My|Your|His|Her|Our|Their|Its|This|That|These|Those|And|But|Or|Nor|So|Yet|If|As|Than|Then|There|Here|"
    "We|You|They|He|She|It|Me|Him|Us|Them|Is|Was|Are|Were|Be|Been|Not|No|Do|Does|Did|Can|Could|Shall|"
    "Should|Would|Might|Must|All|Any|Some|Every|Each|When|While|What|Who|How|Why|Where|Which|Also|Just|Only"
)
# A determiner or possessive before capitalised words makes them a thing or a place: my Hong Kong permit.
_EN_DETERMINER = r"(?i:my|your|his|her|our|their|its|the|a|an|this|that|these|those|every|each|some|any)"
# `(?=[A-Z])` first: a lower-case letter fails at once, before the long lookaheads.
_EN_WORD = rf"(?=[A-Z])(?!{_EN_TITLE}\s)(?!(?:{_EN_FUNCTION_WORDS})\b)[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?"
# One to three capitalised words, optionally with a middle initial; the prefix group says why it may be a name.
# Every alternative starts a word, so the leading test lets all other places fail at once.
_EN_CANDIDATE = re.compile(
    rf"\b(?=[A-Za-z])(?:(?P<title>\b{_EN_TITLE}\s+)|(?P<strong>\b{_EN_STRONG_CUE}\s+)|(?P<cue>\b{_EN_CUE}[,:]?\s+)"
    rf"|(?P<determiner>\b{_EN_DETERMINER}\s+))?"
    rf"(?P<name>\b{_EN_WORD}(?:\s+[A-Z]\.)?(?:\s+{_EN_WORD}){{0,2}})\b"
)
# Capitalised words that follow a first name without making a person: places, times, institutions.
_EN_NOT_SURNAME = frozenset(
    re.findall(
        r"\w+",
        """street st road rd avenue ave lane drive park square hall day days morning evening night eve christmas
    year university college school church bank hospital center centre station airport hotel company group inc
    ltd city county state river lake mountain beach island garden gardens tower bridge house monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july august september
    october november december valley hill heights court place way""",
    )
)
# The first word of a name `_english_names` reports without a strong cue is a title or a first name, and
# capitalised like these words; a text where no such word is either, and with no strong cue, holds no name.
_EN_CAPITALISED = re.compile(r"\b[A-Z][a-z]+")
_EN_STRONG = re.compile(_EN_STRONG_CUE)


def _initials(*alternations: str) -> str:
    """The first characters of the words of "|"-separated alternations, for a character class."""
    return "".join(sorted({word[0] for alternation in alternations for word in alternation.split("|")}))


_CJK_PLACE = r"(?:(?![在住是到我的了于从往去来址寄送和与及或请为把被让给位])[\u4e00-\u9fff])"
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
# The suffixes that end the parts of a Chinese address named by a place (路 ends a road, 小区 an estate).
_ZH_SUFFIXES = {
    "city": "市|州|盟|地区",
    "district": "区|县|旗",
    "town": "街道|镇|乡",
    "road": "大道|路|街|巷|胡同",
    "estate": "小区|花园|大厦|公寓|家园|苑|村",
}
_ZH_UNIT_SUFFIXES = "号楼|栋|幢|座|单元|层|楼|室|号"
# The parts of a Chinese address, in the order they are written; each may be missing.
_ZH_ADDRESS_PARTS = {
    "province": rf"(?:{_PROVINCES})(?:省|市|(?:壮族|回族|维吾尔)?自治区|特别行政区)?",
    "city": rf"{_CJK_PLACE}{{2,4}}?(?:{_ZH_SUFFIXES['city']})",
    "district": rf"{_CJK_PLACE}{{1,4}}?(?:{_ZH_SUFFIXES['district']})",
    "town": rf"{_CJK_PLACE}{{2,4}}?(?:{_ZH_SUFFIXES['town']})",
    "road": rf"(?:{_CJK_PLACE}|\d){{1,8}}?(?:{_ZH_SUFFIXES['road']})",
    "number": r"\d{1,5}(?:号|弄)(?:院)?",
    "estate": rf"{_CJK_PLACE}{{2,8}}?(?:{_ZH_SUFFIXES['estate']})",
    "unit": rf"(?:\d{{1,4}}(?:{_ZH_UNIT_SUFFIXES}))+",
}
# All of the pattern is optional: alone, it would match the empty string at almost every character, and Python
# would look at each of those matches. The lookahead lets the regex engine skip, in C, the places where no part
# can start: every part starts with a digit or a province, or has its suffix within nine characters. The first
# lookahead, on the first characters of provinces and suffixes only, rules out most places faster (1.7x).
_ZH_ADDRESS = re.compile(
    rf"(?=[\d{_initials(_PROVINCES)}]|[\u4e00-\u9fff\d]{{1,8}}?[{_initials(*_ZH_SUFFIXES.values())}])"
    rf"(?=\d|{_PROVINCES}|[\u4e00-\u9fff\d]{{1,8}}?(?:{'|'.join(_ZH_SUFFIXES.values())}))"
    + "".join(f"(?P<{name}>{part})?" for name, part in _ZH_ADDRESS_PARTS.items())
)
# What every address `_chinese_addresses` accepts holds (a road or an estate, or a unit): most texts hold none.
_ZH_ADDRESS_ANCHOR = re.compile(rf"{_ZH_SUFFIXES['road']}|{_ZH_SUFFIXES['estate']}|\d(?:{_ZH_UNIT_SUFFIXES})")
_EN_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|"
    r"Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy)"
)
_EN_ADDRESS = regex.compile(
    rf"(?<![\d.,$-])\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){{1,3}}{_EN_STREET}\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Unit|Flat|Fl)\.?\s*#?\w+)?"
    r"(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)?"  # city
    r"(?:,?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?|,?\s*[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})?"  # US state + ZIP, UK postcode
)


@functools.cache
def english_gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames), lower-case, from the public-domain 1990 US Census lists in `names`."""
    data = importlib.resources.files("names")

    def read(*files: str) -> frozenset[str]:
        return frozenset(
            line.split()[0].lower() for file in files for line in (data / file).read_text().splitlines() if line
        )

    return read("dist.male.first", "dist.female.first"), read("dist.all.last")


@functools.cache
def common_words() -> frozenset[str]:
    """Words at least `COMMON_WORD_FREQUENCY` frequent in jieba's dictionary (the dictionary rjieba ships too)."""
    # Read the file itself: jieba's loader builds a prefix dictionary of 500,000 entries, ten times slower.
    digits = len(str(COMMON_WORD_FREQUENCY))  # lines with fewer digits cannot qualify: skip them in the regex
    lines = re.findall(rf"^(\S+) (\d{{{digits},}}) ", jieba_file("dict.txt").read_text(encoding="utf-8"), re.MULTILINE)
    return frozenset(word for word, frequency in lines if int(frequency) >= COMMON_WORD_FREQUENCY)


class NameAddressFinder:
    """Finds PERSON and ADDRESS spans; build once per worker, then `find` is read-only and thread-safe."""

    def __init__(self, prefilter: bool = True) -> None:
        self.prefilter = prefilter
        self._tagger = ChineseTagger()
        self._common_words = common_words()
        self._first_names, self._surnames = english_gazetteer()
        function_words = {word.lower() for word in _EN_FUNCTION_WORDS.split("|")}  # never in a name
        self._en_name_starts = (self._first_names | {t.lower() for t in _EN_TITLES.split("|")}) - function_words
        surname = f"[{''.join(sorted(SURNAMES))}]|" + "|".join(sorted(COMPOUND_SURNAMES))
        self._zh_surname = re.compile(surname)
        # The sentences holding a surname, found in one pass: a name jieba proposes starts with one (`_evidence`).
        self._zh_candidate_sentence = re.compile(
            rf"(?<![^{_ZH_SENTENCE_ENDS}])[^{_ZH_SENTENCE_ENDS}]*?(?:{surname})[^{_ZH_SENTENCE_ENDS}]*"
        )

    def find(self, text: str, chinese: bool, english: bool) -> list[Span]:
        """Names and addresses in `text`; `chinese`/`english` choose which languages' rules run."""
        spans: list[Span] = []
        if chinese:
            spans += self._chinese_names(text)
            spans += _chinese_addresses(text)
        if english:
            spans += self._english_names(text)
            spans += [Span(ADDRESS, m.start(), m.end(), 0.7) for m in _EN_ADDRESS.finditer(text)]
        return spans

    def _chinese_names(self, text: str) -> list[Span]:
        scores: dict[tuple[int, int], float] = {}  # (start, end) -> best score
        for match in _ZH_CUE.finditer(text):
            scores[match.span(1)] = INTRODUCED_SCORE
        for match in _ZH_SELF_INTRODUCTION.finditer(text):
            if not self._common_word(match.group(1)):
                scores[match.span(1)] = INTRODUCED_SCORE
        for sentence in (self._zh_candidate_sentence if self.prefilter else _ZH_SENTENCE).finditer(text):
            for start, end, score in self._tagged_names(sentence.group()):
                span = (sentence.start() + start, sentence.start() + end)
                scores[span] = max(score, scores.get(span, 0.0))
        # A name introduced once is a name at every mention (我叫王芳。……王芳昨天来了).
        introduced = {text[start:end] for (start, end), score in scores.items() if score == INTRODUCED_SCORE}
        for name in introduced:
            scores.update((match.span(), INTRODUCED_SCORE) for match in re.finditer(re.escape(name), text))
        return [Span(PERSON, start, end, score) for (start, end), score in sorted(scores.items())]

    def _tagged_names(self, sentence: str) -> list[tuple[int, int, float]]:
        """(start, end, score) of the names jieba proposes in a sentence: a whole `nr` token, or a compound
        surname token with the short token after it (司马 + 俊杰)."""
        names, offset = [], 0
        tokens = self._tagger.tag(sentence, self._may_hold_name)
        for i, (word, flag) in enumerate(tokens):
            previous = tokens[i - 1] if i else None
            if previous and previous[0] in COMPOUND_SURNAMES and flag not in _NOT_GIVEN_NAME_TAGS:
                start, before = offset - len(previous[0]), tokens[i - 2] if i > 1 else None
            elif flag in _NAME_TAGS:
                start, before = offset, previous
            else:
                start = None
            offset += len(word)
            if start is not None and (score := self._evidence(sentence, start, offset, before)):
                names.append((start, offset, score))
        return names

    def _may_hold_name(self, run: str, word_before: str | None) -> bool:
        """Whether a run of unknown characters may hold a name: a surname before its last character, or a
        compound surname before it (司马 + 俊杰)."""
        return word_before in COMPOUND_SURNAMES or bool(self._zh_surname.search(run, 0, len(run) - 1))

    def _evidence(self, sentence: str, start: int, end: int, before: tuple[str, str] | None) -> float:
        """The score of `sentence[start:end]` as a name (0 for none); `before` is the (word, tag) before it."""
        word = sentence[start:end]
        surname = word[:2] if word[:2] in COMPOUND_SURNAMES else word[:1]
        given = word[len(surname) :]
        if surname not in _ALL_SURNAMES or not 1 <= len(given) <= 2 or given[0] == surname[-1]:
            return 0.0  # not surname + given name; 谢谢, 毛毛雨 repeat a character
        if self._common_word(word) or self._tail_of_word(sentence, start, given):
            return 0.0
        if before is not None and before[1] in _COUNTING_TAGS and not before[0].isascii():
            return 0.0  # 一杯姜茶; ASCII digits are tagged `m` too, and a name may follow a phone number
        if sentence.endswith("叫", 0, start) or _ZH_INTRODUCED_BY.match(sentence, end):
            return INTRODUCED_SCORE
        if _ZH_TAKES_A_PERSON.search(sentence, 0, start) or (len(given) == 2 and not self._tagger.is_word(word)):
            return SUPPORTED_SCORE
        return BARE_SCORE

    def _common_word(self, word: str) -> bool:
        return word in self._common_words

    def _tail_of_word(self, sentence: str, start: int, given: str) -> bool:
        """True for 那段时间 cut as 那 + 段时间: the surname ends a word with the character before it (那段) and
        the given name is a word (时间), so the text reads as two words, not as a name."""
        if start == 0 or len(given) < 2:
            return False
        return all(self._tagger.is_word(word) for word in (sentence[start - 1 : start + 1], given))

    def _english_names(self, text: str) -> list[Span]:
        spans: list[Span] = []
        if not _EN_STRONG.search(text) and not any(
            word.lower() in self._en_name_starts for word in _EN_CAPITALISED.findall(text)
        ):
            return spans
        for match in _EN_CANDIDATE.finditer(text):
            words = match.group("name").split()
            first, last = words[0].lower(), words[-1].lower().replace("'", "")
            start, end = match.span("name")
            if match.group("title") or match.group("strong"):
                spans.append(Span(PERSON, start, end, 0.85))
            elif (
                not match.group("determiner")
                and first in self._first_names
                and (match.group("cue") or (len(words) > 1 and last in self._surnames and last not in _EN_NOT_SURNAME))
            ):
                spans.append(Span(PERSON, start, end, 0.8 if match.group("cue") else 0.7))
        return spans


def _chinese_addresses(text: str) -> list[Span]:
    spans: list[Span] = []
    if not _ZH_ADDRESS_ANCHOR.search(text):
        return spans
    for match in _ZH_ADDRESS.finditer(text):
        if match.start() == match.end():
            continue  # no part here
        parts = {name for name, value in match.groupdict().items() if value}
        admin = parts & {"province", "city", "district", "town"}
        place = parts & {"road", "estate"}
        # A bare city name is not an address: ask for a road with its number, or an admin unit plus a place.
        if {"road", "number"} <= parts or (admin and place) or (len(admin) >= 2 and "unit" in parts):
            spans.append(Span(ADDRESS, match.start(), match.end(), 0.8))
    return spans

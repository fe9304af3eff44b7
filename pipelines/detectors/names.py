"""Person names and postal addresses in Chinese and English, offline (R7, R10; PIPL art. 13, 28).

Regexes alone cannot find names, and no trustworthy offline NER model ships on the package index (FACTS.md),
so each language gets the best offline source we can vouch for:

- Chinese names: jieba's part-of-speech tagger (HMM on; `nr*` tags) kept only when the word starts with a
  common surname, plus cue phrases (我叫, 联系人 ...). jieba runs only on sentences holding a surname character
  or a cue, which keeps it off most of the text.
- English names: a gazetteer built from the `names` package (MIT; its lists are the public-domain 1990 US
  Census name files): a first name followed by a surname, a title (Mr, Dr ...) or a cue (my name is ...).
- Addresses: province / city / district / road / number patterns for Chinese, house number + street suffix
  for English.

`evaluation/eval_pii.py` measures recall and false positives of all of these.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
import re
from typing import NamedTuple

import jieba
import jieba.posseg

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
# Two-character dictionary words at least this frequent in jieba's dictionary are words, even when tagged `nr`.
COMMON_WORD_FREQUENCY = 300
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
# Parts of speech that cannot follow a compound surname as the given name (verbs, particles, punctuation ...).
_NOT_GIVEN_NAME_TAGS = frozenset({"x", "v", "p", "c", "r", "d", "uj", "ul", "uz", "m", "q", "f", "y", "eng"})
_ZH_SENTENCE = re.compile(r"[^。！？!?；;\n]+")
_ZH_CUE_WORDS = "我叫|名叫|叫做|姓名|联系人|收件人|收货人|寄件人|患者|户主|持卡人"
_ZH_CUE = re.compile(
    rf"(?:{_ZH_CUE_WORDS})[:：\s]*"
    r"((?:" + "|".join(sorted(COMPOUND_SURNAMES)) + "|[" + "".join(sorted(SURNAMES)) + r"])"
    r"(?:(?![的是和在今年岁先女小老])[\u4e00-\u9fff]){1,2})"
)

_EN_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Mister|Doctor|Professor)\.?"
_EN_CUE = (
    r"(?:name is|name's|I am|I'm|call me|called|named|Dear|Hi|Hello|Hey|Thanks|Thank you|met|with|"
    r"friend|wife|husband|son|daughter|mom|mum|dad|mother|father|brother|sister|boss|colleague|"
    r"girlfriend|boyfriend|partner|cousin|uncle|aunt|grandma|grandpa|neighbour|neighbor|teacher)"
)
# After these a capitalised word is taken for a name even when the gazetteer does not know it.
_EN_STRONG_CUE = r"(?:name is|name's|call me)"
_EN_WORD = rf"(?!{_EN_TITLE}\s)[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?"
# One to three capitalised words, optionally with a middle initial; the prefix group says why it may be a name.
_EN_CANDIDATE = re.compile(
    rf"(?:(?P<title>\b{_EN_TITLE}\s+)|(?P<strong>\b{_EN_STRONG_CUE}\s+)|(?P<cue>\b{_EN_CUE}[,:]?\s+))?"
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

_CJK_PLACE = r"(?:(?![在住是到我的了于从往去来址寄送和与及或请为把被让给位])[\u4e00-\u9fff])"
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_ZH_ADDRESS = re.compile(
    rf"(?P<province>(?:{_PROVINCES})(?:省|市|(?:壮族|回族|维吾尔)?自治区|特别行政区)?)?"
    rf"(?P<city>{_CJK_PLACE}{{2,4}}?(?:市|州|盟|地区))?"
    rf"(?P<district>{_CJK_PLACE}{{1,4}}?(?:区|县|旗))?"
    rf"(?P<town>{_CJK_PLACE}{{2,4}}?(?:街道|镇|乡))?"
    rf"(?P<road>(?:{_CJK_PLACE}|\d){{1,8}}?(?:大道|路|街|巷|胡同))?"
    r"(?P<number>\d{1,5}(?:号|弄)(?:院)?)?"
    rf"(?P<estate>{_CJK_PLACE}{{2,8}}?(?:小区|花园|大厦|公寓|家园|苑|村))?"
    r"(?P<unit>(?:\d{1,4}(?:号楼|栋|幢|座|单元|层|楼|室|号))+)?"
)
_EN_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|"
    r"Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy)"
)
_EN_ADDRESS = re.compile(
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


class NameAddressFinder:
    """Finds PERSON and ADDRESS spans; build once per worker, then `find` is read-only and thread-safe."""

    def __init__(self, prefilter: bool = True) -> None:
        self.prefilter = prefilter
        jieba.setLogLevel(logging.WARNING)
        # A private tokenizer, so that words other code adds to jieba's global dictionary do not change ours.
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        self._tagger = jieba.posseg.POSTokenizer(tokenizer)
        self._word_frequency = tokenizer.FREQ
        self._first_names, self._surnames = english_gazetteer()
        compounds = "|".join(sorted(COMPOUND_SURNAMES))
        self._zh_candidate = re.compile(f"[{''.join(sorted(SURNAMES))}]|{compounds}|{_ZH_CUE_WORDS}")

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
        spans = [Span(PERSON, m.start(1), m.end(1), 0.85) for m in _ZH_CUE.finditer(text)]
        for sentence in _ZH_SENTENCE.finditer(text):
            if self.prefilter and not self._zh_candidate.search(sentence.group()):
                continue
            offset, previous = sentence.start(), ""
            for pair in self._tagger.cut(sentence.group()):
                word = pair.word
                if previous in COMPOUND_SURNAMES and len(word) <= 2 and pair.flag not in _NOT_GIVEN_NAME_TAGS:
                    spans.append(Span(PERSON, offset - len(previous), offset + len(word), 0.75))
                elif pair.flag in _NAME_TAGS and self._plausible_name(word):
                    spans.append(Span(PERSON, offset, offset + len(word), 0.75))
                offset += len(word)
                previous = word
        return spans

    def _plausible_name(self, word: str) -> bool:
        """A jieba `nr` word that starts with a surname and is not a common word jieba happens to tag `nr`."""
        if not 2 <= len(word) <= 4 or not (word[:2] in COMPOUND_SURNAMES or word[0] in SURNAMES):
            return False
        # Not 谢谢, 常常 (reduplications) nor 华为, 叶子, 文明 (frequent dictionary words).
        return len(word) > 2 or (word[0] != word[1] and self._word_frequency.get(word, 0) < COMMON_WORD_FREQUENCY)

    def _english_names(self, text: str) -> list[Span]:
        spans = []
        for match in _EN_CANDIDATE.finditer(text):
            words = match.group("name").split()
            first, last = words[0].lower(), words[-1].lower().replace("'", "")
            start, end = match.span("name")
            if match.group("title") or match.group("strong"):
                spans.append(Span(PERSON, start, end, 0.85))
            elif first in self._first_names and (
                match.group("cue") or (len(words) > 1 and last in self._surnames and last not in _EN_NOT_SURNAME)
            ):
                spans.append(Span(PERSON, start, end, 0.8 if match.group("cue") else 0.7))
        return spans


def _chinese_addresses(text: str) -> list[Span]:
    spans = []
    for match in _ZH_ADDRESS.finditer(text):
        parts = {name for name, value in match.groupdict().items() if value}
        admin = parts & {"province", "city", "district", "town"}
        place = parts & {"road", "estate"}
        # A bare city name is not an address: ask for a road with its number, or an admin unit plus a place.
        if {"road", "number"} <= parts or (admin and place) or (len(admin) >= 2 and "unit" in parts):
            spans.append(Span(ADDRESS, match.start(), match.end(), 0.8))
    return spans

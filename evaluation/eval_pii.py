"""Measures the personal-information detector on a labelled corpus it generates itself (R7, R10).

The corpus: ~1 KB Chinese and English documents (deterministic seed) of name-free filler sentences, with
made-up identifiers of every type planted at known offsets (with and without cue words) and look-alike decoys
(order numbers, timestamps, dates, version strings, resident IDs with a wrong check character, card numbers
failing Luhn, mobile-shaped order numbers). Names come from lists written here, not from the detector's
gazetteer, and include names outside it. Every value is generated; none belongs to a real person.

Prints, with the prefilter on and off: recall per entity type (a planted value counts as found when a detection
of its type covers all of it; "overlap" also counts partial cover), precision, false positives per type, the
share of decoys flagged, and false PERSON/ADDRESS detections in the filler. Exits 1 when a structured target is
missed (resident ID, mobile, bank card, e-mail, credit card, IP: recall >= 0.99; decoys flagged <= 2%) or when
the prefilter lowers any recall.

With `--sample DIR` it measures instead on the embedded sample corpus written to DIR (`corpusgate sample`, or
`pipelines.sample.write_sample`): everyday texts and chats whose templates were written apart from this file.
It prints recall per planted `pi:*` tag of truth.jsonl, false detections per type in records with no planted
value of that type (spans and records), and the decoys flagged. The PERSON and IP rules were tuned against
this sample (the sentences in tests/test_pii.py come from it), so its figures are not held-out ones. Report
only; exits 0, or 2 when DIR holds no truth.jsonl.

    .venv/bin/python evaluation/eval_pii.py [--docs 600] [--seed 7]
    .venv/bin/python evaluation/eval_pii.py --sample DIR
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import string
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from pipelines.detectors.identifiers import luhn_check_digit, resident_id_check_char
from pipelines.detectors.pii import Entity, PiiDetector
from pipelines.params import DEFAULT_ENTITIES, PiiParams
from pipelines.sample.generator import DATA_FILES, TRUTH_FILE

DOC_BYTES = 1024
STRUCTURED_TARGETS = ("CN_RESIDENT_ID", "CN_MOBILE", "BANK_CARD", "EMAIL_ADDRESS", "CREDIT_CARD", "IP_ADDRESS")
RECALL_TARGET = 0.99
DECOY_TARGET = 0.02
DECOY = "DECOY"

# ---------------------------------------------------------------------------------------------------------------
# Made-up values.
AREA_CODES = (
    "110105",
    "110108",
    "310104",
    "310115",
    "440305",
    "440106",
    "330106",
    "320102",
    "510107",
    "420106",
    "610113",
    "500103",
    "370202",
    "350203",
    "210102",
    "130102",
    "410105",
    "430104",
    "450103",
    "650102",
)
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁沈钟姜"
ZH_RARE_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "慕容",
    "邬",
    "亓",
    "阙",
    "甄",
    "靳",
)  # some outside the detector's list
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国宇轩浩然子涵欣怡思远雨桐梓萱晨曦嘉怡俊杰"
EN_FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "David",
    "Linda",
    "Emily",
    "Daniel",
    "Sarah",
    "Thomas",
    "Karen",
    "Kevin",
    "Laura",
    "Brian",
    "Rachel",
    "Jason",
    "Nicole",
    "Eric",
    "Priya",
    "Siobhan",
    "Arjun",
    "Mei",
    "Oluwaseun",
    "Chidi",
    "Yuki",
    "Mateo",
    "Aisha",
    "Lars",
)
EN_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Martinez",
    "Anderson",
    "Taylor",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "Wright",
    "Scott",
    "Nguyen",
    "Patel",
    "O'Brien",
    "Kowalski",
    "Okafor",
    "Tanaka",
    "Fernandez",
    "Johansson",
    "Murphy",
    "Chen",
)
ZH_CITIES = (
    ("浙江省", "杭州市", "西湖区"),
    ("广东省", "深圳市", "南山区"),
    ("江苏省", "南京市", "鼓楼区"),
    ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"),
    ("北京市", "", "朝阳区"),
    ("上海市", "", "浦东新区"),
    ("山东省", "青岛市", "市南区"),
    ("福建省", "厦门市", "思明区"),
)
ZH_ROADS = (
    "文三路",
    "深南大道",
    "中山北路",
    "人民南路",
    "建国路",
    "解放大道",
    "香港中路",
    "长乐路",
    "科技园路",
    "学院街",
)
EN_STREETS = (
    "Baker Street",
    "Oak Avenue",
    "Maple Drive",
    "Elm Road",
    "Sunset Boulevard",
    "Cedar Lane",
    "Park Place",
    "Hillside Terrace",
    "Mill Road",
    "Church Street",
)
EN_CITIES = (", Springfield, IL 62704", ", Austin, TX 78701", ", London NW1 6XE", ", Portland, OR 97205", "")
US_AREA_CODES = ("201", "212", "206", "303", "312", "404", "415", "512", "617", "718")
PLATE_PROVINCES = "京沪粤浙苏川鄂鲁闽湘"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
EMAIL_DOMAINS = ("example.com", "example.org", "mail.example.cn", "qq.com", "163.com", "outlook.com")


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(string.digits, k=n))


def birth_date(rng: random.Random) -> str:
    return f"{rng.randint(1940, 2012)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def resident_id(rng: random.Random) -> str:
    body = rng.choice(AREA_CODES) + birth_date(rng) + digits(rng, 3)
    return body + resident_id_check_char(body)


def luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + digits(rng, length - len(prefix) - 1)
    return body + luhn_check_digit(body)


def grouped(number: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return number
    return rng.choice(" -").join(number[i : i + 4] for i in range(0, len(number), 4))


def mobile(rng: random.Random) -> str:
    number = f"1{rng.choice('3456789')}{digits(rng, 9)}"
    layout = rng.randrange(4)
    if layout == 1:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if layout == 2:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return f"+86 {number}" if layout == 3 else number


def credit_card(rng: random.Random) -> str:
    prefix, length = rng.choice((("4", 16), ("51", 16), ("55", 16), ("37", 15)))
    return grouped(luhn_number(rng, prefix, length), rng) if length == 16 else luhn_number(rng, prefix, length)


def iban(rng: random.Random) -> str:
    country, bban = rng.choice((("DE", digits(rng, 18)), ("GB", "WEST" + digits(rng, 14)), ("FR", digits(rng, 23))))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def ip_address(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return "2001:db8:" + ":".join(f"{rng.randrange(65536):x}" for _ in range(6))
    return ".".join(str(rng.randint(1, 254)) for _ in range(4))


def phone_number(rng: random.Random) -> str:
    """Numbers reserved for fiction: US 555-0100..0199, UK (Ofcom) 020 7946 0000..0999."""
    area, line = rng.choice(US_AREA_CODES), f"555-01{digits(rng, 2)}"
    return rng.choice(
        (f"+1 ({area}) {line}", f"+1 {area}-{line}", f"({area}) {line}", f"+44 20 7946 0{digits(rng, 3)}")
    )


def plate(rng: random.Random) -> str:
    head = rng.choice(PLATE_PROVINCES) + rng.choice(PLATE_LETTERS) + rng.choice(("", "·"))
    if rng.random() < 0.3:
        return head + rng.choice("DF") + digits(rng, 5)
    return head + digits(rng, 3) + "".join(rng.choices(PLATE_LETTERS + string.digits, k=2))


def landline(rng: random.Random) -> str:
    area = rng.choice(("010", "021", "020", "0755", "0571", "028"))
    local = str(rng.randint(2, 8)) + digits(rng, 7 if len(area) == 3 else 6)
    return rng.choice((f"{area}-{local}", f"({area}){local}", f"{area} {local}"))


def zh_name(rng: random.Random) -> str:
    surname = rng.choice(ZH_RARE_SURNAMES) if rng.random() < 0.15 else rng.choice(ZH_SURNAMES)
    return surname + "".join(rng.choices(ZH_GIVEN, k=rng.choice((1, 2, 2))))


def en_name(rng: random.Random) -> str:
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def zh_address(rng: random.Random) -> str:
    province, city, district = rng.choice(ZH_CITIES)
    tail = rng.choice(("", f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(101, 2505)}室"))
    start = rng.choice((province + city, city or province, ""))
    return f"{start}{district}{rng.choice(ZH_ROADS)}{rng.randint(1, 999)}号{tail}"


def en_address(rng: random.Random) -> str:
    unit = rng.choice(("", f", Apt {rng.randint(1, 40)}"))
    return f"{rng.randint(1, 9999)} {rng.choice(EN_STREETS)}{unit}{rng.choice(EN_CITIES)}"


# (entity type, value maker, zh templates, en templates); {v} is the planted value.
PLANTS: tuple[tuple[str, Callable[[random.Random], str], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "CN_RESIDENT_ID",
        resident_id,
        ("我的身份证号是{v}，麻烦核对一下。", "证件号码：{v}。", "请登记{v}这个号码。"),
        ("My ID card number is {v}.", "Registered under {v} yesterday."),
    ),
    (
        "CN_RESIDENT_ID_15",
        lambda r: r.choice(AREA_CODES) + birth_date(r)[2:] + digits(r, 3),
        ("老身份证号{v}还能用吗？",),
        ("His old ID card number was {v}.",),
    ),
    (
        "CN_MOBILE",
        mobile,
        ("有事打我手机{v}。", "联系电话：{v}", "我换号了，{v}，记一下。"),
        ("Call me on {v} tonight.", "You can reach her at {v}.", "New number: {v}"),
    ),
    (
        "BANK_CARD",
        lambda r: grouped(luhn_number(r, r.choice(("62", "621", "6228")), r.choice((16, 19))), r),
        ("钱转到我的银行卡{v}就行。", "卡号：{v}，户名见附件。"),
        ("Please pay into my bank card {v}.", "Debit card: {v}"),
    ),
    (
        "CREDIT_CARD",
        credit_card,
        ("我的信用卡{v}被盗刷了。", "Visa卡{v}的账单到了。"),
        ("My credit card {v} was charged twice.", "Use the Visa {v} for the hotel."),
    ),
    (
        "EMAIL_ADDRESS",
        lambda r: (
            f"{''.join(r.choices(string.ascii_lowercase, k=r.randint(3, 9)))}"
            f"{r.choice(('', '.', '_'))}{digits(r, r.randint(1, 3))}@{r.choice(EMAIL_DOMAINS)}"
        ),
        ("邮箱{v}，有问题发邮件。", "发到{v}就可以了。"),
        ("Write to {v} for details.", "{v} is my email."),
    ),
    (
        "IP_ADDRESS",
        ip_address,
        ("服务器IP是{v}，别外传。", "昨天从{v}登录过。"),
        ("The server IP is {v}.", "Logins came from {v} last night."),
    ),
    ("IBAN_CODE", iban, ("汇款账户IBAN：{v}。",), ("Send it to IBAN {v} please.",)),
    ("PHONE_NUMBER", phone_number, ("他的美国电话是{v}。",), ("Call my office phone {v}.", "My cell is {v}.")),
    (
        "HK_MACAU_PERMIT",
        lambda r: r.choice("HM") + digits(r, r.choice((8, 10))),
        ("港澳通行证号码{v}，下周过关。",),
        ("Her Hong Kong permit is {v}.",),
    ),
    (
        "PASSPORT",
        lambda r: r.choice(("E" + digits(r, 8), "E" + r.choice("ABCDEFG") + digits(r, 7), "G" + digits(r, 8))),
        ("护照号{v}，签证已办好。",),
        ("Passport no. {v}, expires next year.",),
    ),
    (
        "LICENCE_PLATE",
        plate,
        ("车牌{v}的车挡住了出口。", "我的车是{v}。"),
        ("The car with plate {v} is parked outside.",),
    ),
    ("LANDLINE", landline, ("办公室座机{v}，工作日有人接。", "公司电话{v}"), ("Office landline: {v}",)),
    (
        "PERSON",
        zh_name,
        (
            "我叫{v}，今年刚毕业。",
            "{v}说他明天不来了。",
            "昨天和{v}一起吃饭。",
            "请把文件交给{v}。",
            "{v}昨天到了北京。",
        ),
        (),
    ),
    (
        "PERSON",
        en_name,
        (),
        (
            "My name is {v} and I need help.",
            "{v} will join the call.",
            "I had lunch with {v} yesterday.",
            "Please forward this to {v}.",
        ),
    ),
    ("ADDRESS", zh_address, ("我住在{v}，欢迎来玩。", "快递寄到{v}。"), ()),
    ("ADDRESS", en_address, (), ("I live at {v} now.", "Ship it to {v} please.")),
    ("PERSON", lambda r: r.choice(EN_LAST), (), ("I spoke to Dr. {v} today.", "Ask Mrs. {v} about it.")),
)

# (zh templates, en templates, value makers) for look-alikes that must not be reported.
DECOYS: tuple[tuple[tuple[str, ...], tuple[str, ...], Callable[[random.Random], str]], ...] = (
    (("订单号：{v}，已发货。",), ("Order #{v} has shipped.",), lambda r: "2023" + digits(r, 14)),
    (("运单号{v}，注意查收。",), ("Tracking number {v}",), lambda r: luhn_number(r, r.choice("3456"), 16)),
    (("订单号 {v}",), ("order {v}",), lambda r: f"1{r.choice('3456789')}{digits(r, 9)}"),
    (("时间戳{v}",), ("timestamp {v}",), lambda r: str(r.randint(1_600_000_000, 1_800_000_000)) + digits(r, 3)),
    (("时间戳{v}",), ("timestamp {v}",), lambda r: str(r.randint(1_600_000_000, 1_800_000_000))),
    (("{v}开会。",), ("Meeting at {v}.",), lambda r: f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} 10:30:00"),
    (("日期{v}",), ("Dated {v}.",), lambda r: f"20{r.randint(10, 29)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"),
    (
        ("版本 {v} 已发布。",),
        ("Upgrade to version {v} now.",),
        lambda r: f"{r.randint(1, 12)}.{r.randint(0, 20)}.{r.randint(0, 9)}.{r.randint(1, 250)}",
    ),
    (("升级到v{v}",), ("Released v{v}.",), lambda r: f"{r.randint(1, 5)}.{r.randint(0, 20)}.{r.randint(0, 30)}"),
    (("身份证号{v}",), ("ID card {v}",), lambda r: wrong_check(resident_id(r))),
    (("卡号{v}",), ("card number {v}",), lambda r: luhn_fail(luhn_number(r, "62", r.choice((16, 19))))),
    (("信用卡{v}",), ("credit card {v}",), lambda r: luhn_fail(luhn_number(r, "4", 16))),
    (("号码{v}",), ("number {v}",), lambda r: "12" + digits(r, 9)),
    (("价格¥{v}",), ("Total ${v}",), lambda r: f"{r.randint(1, 99)},{digits(r, 3)}.{digits(r, 2)}"),
)

ZH_FILLER = (
    "今天天气不错，我们下午去公园散步吧。",
    "最近工作有点忙，晚上总是睡不好。",
    "这家餐厅的菜很好吃，下次还想来。",
    "马上就要放假了，大家都很高兴。",
    "文件已经发给黄金事业部了，请查收。",
    "周末打算去江南古镇看看。",
    "金融市场今天表现平稳，何时反弹还不清楚。",
    "白天太热，晚上出门比较方便。",
    "我常常一个人听音乐，想想心事。",
    "万一下雨，我们就改到室内活动。",
    "关于这个问题，我觉得可以再讨论一下。",
    "程序跑完以后记得保存结果。",
    "温度降了好几度，多穿件衣服。",
    "小区门口新开了一家书店。",
    "他向前走了几步，又停了下来。",
    "黄河和长江是中国最长的两条河流。",
    "我在北京工作了三年，后来去了上海。",
    "去杭州市旅游的人越来越多。",
    "这个区别其实不大，关键看怎么用。",
    "路上堵车，可能要晚到半小时。",
    "石头剪刀布，谁输了谁请客。",
    "孩子们在操场上放风筝。",
    "谢谢你一直以来的陪伴和理解。",
    "明天早上八点在公司楼下集合。",
    "我最近在学做饭，第一次做红烧肉。",
    "华为发布了新手机，很多人排队购买。",
    "老师说下周要考试，大家抓紧复习。",
    "高速公路上车很多，开慢一点。",
    "这本书我看了三遍，每次都有新收获。",
    "宋朝的瓷器非常精美。",
)
EN_FILLER = (
    "The weather is lovely today, so we might walk in the park.",
    "Work has been busy and I have not slept well.",
    "I think we should talk about this again tomorrow.",
    "Happy Birthday and Best Regards from all of us.",
    "We spent Christmas Eve in New York with the whole family.",
    "The Grand Canyon was even bigger than expected.",
    "My Apple Watch keeps losing its connection.",
    "Good Morning, how are you feeling today?",
    "Black Friday deals start next week at most stores.",
    "The Golden Gate Bridge was covered in fog.",
    "I will see you on Monday Morning at the office.",
    "May Day is a public holiday in many countries.",
    "Thank You for listening to me last night.",
    "The Pacific Ocean looked calm from the plane.",
    "Please send the report before the meeting ends.",
    "Hope Street was closed for repairs all week.",
    "I finally finished reading that long novel.",
    "Remember to drink water and take a short break.",
    "The Rose Garden opens again in spring.",
    "Google Maps suggested a faster route home.",
    "She said the new cafe on the corner is great.",
    "Let us try again after lunch.",
    "The United States and Canada share a long border.",
    "I feel much better after talking to you.",
    "Microsoft Teams crashed during the presentation.",
    "Summer holidays always go by too fast.",
    "Will you come with us to the concert?",
    "Grace Church holds a choir concert every Sunday.",
    "He bought three apples and a loaf of bread.",
    "The train to Boston was delayed again.",
)


def wrong_check(value: str) -> str:
    return value[:17] + next(c for c in "0123456789X" if c != value[17])


def luhn_fail(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


@dataclass(frozen=True)
class Label:
    type: str  # an entity type, or DECOY
    start: int
    end: int
    lang: str


def generate(count: int, seed: int) -> list[tuple[str, str, list[Label]]]:
    """`count` documents, alternately Chinese and English: (text, language, labels)."""
    rng = random.Random(seed)
    docs = []
    for index in range(count):
        lang = "zh" if index % 2 == 0 else "en"
        filler = ZH_FILLER if lang == "zh" else EN_FILLER
        plants = [p for p in PLANTS if p[2 if lang == "zh" else 3]]
        pieces = [rng.choice(filler) for _ in range(rng.randint(1, 3))]
        planned = [("plant", p) for p in rng.sample(plants, 4)] + [("decoy", d) for d in rng.sample(DECOYS, 3)]
        rng.shuffle(planned)
        text, labels = "", []
        for kind, item in planned:
            text += "".join(pieces) + ("" if lang == "zh" else " ")
            pieces = [rng.choice(filler)]
            if kind == "plant":
                entity_type, make, zh_templates, en_templates = item
                template, label_type = rng.choice(zh_templates if lang == "zh" else en_templates), entity_type
            else:
                zh_templates, en_templates, make = item
                template, label_type = rng.choice(zh_templates if lang == "zh" else en_templates), DECOY
            value = make(rng)
            before, after = template.split("{v}")
            start = len(text) + len(before)
            labels.append(Label(label_type, start, start + len(value), lang))
            text += before + value + after + ("" if lang == "zh" else " ")
        while len(text.encode()) < DOC_BYTES:
            text += rng.choice(filler) + ("" if lang == "zh" else " ")
        docs.append((text, lang, labels))
    return docs


@dataclass
class Tally:
    planted: Counter
    covered: Counter
    overlapped: Counter
    false_positives: Counter
    decoys: int = 0
    decoys_flagged: int = 0
    detections: int = 0
    true_detections: int = 0


def evaluate(detector: PiiDetector, docs: list[tuple[str, str, list[Label]]]) -> tuple[Tally, float]:
    tally = Tally(Counter(), Counter(), Counter(), Counter())
    started = time.perf_counter()
    found = [detector.detect(text, lang) for text, lang, _ in docs]
    elapsed = time.perf_counter() - started
    for (_, lang, labels), entities in zip(docs, found, strict=True):
        for label in labels:
            hits = [e for e in entities if e.start < label.end and label.start < e.end]
            if label.type == DECOY:
                tally.decoys += 1
                tally.decoys_flagged += bool(hits)
                continue
            key = (label.type, lang)
            tally.planted[key] += 1
            same_type = [e for e in hits if e.type == label.type]
            tally.overlapped[key] += bool(same_type)
            tally.covered[key] += any(e.start <= label.start and label.end <= e.end for e in same_type)
        for entity in entities:
            tally.detections += 1
            if _matches_plant(entity, labels):
                tally.true_detections += 1
            else:
                tally.false_positives[(entity.type, lang)] += 1
    return tally, elapsed


def _matches_plant(entity: Entity, labels: list[Label]) -> bool:
    return any(label.type == entity.type and entity.start < label.end and label.start < entity.end for label in labels)


def report(name: str, tally: Tally, elapsed: float, docs: list[tuple[str, str, list[Label]]]) -> None:
    kb = sum(len(text.encode()) for text, _, _ in docs) / 1024
    print(f"\n== {name}: {len(docs)} docs, {kb:.0f} KB, {len(docs) / elapsed:.0f} docs/s, {kb / elapsed:.0f} KB/s")
    print(f"{'type':<20}{'lang':<6}{'planted':>8}{'recall':>8}{'overlap':>9}{'false pos':>10}")
    for key in sorted(tally.planted, key=lambda k: (DEFAULT_ENTITIES.index(k[0]), k[1])):
        planted = tally.planted[key]
        print(
            f"{key[0]:<20}{key[1]:<6}{planted:>8}{tally.covered[key] / planted:>8.3f}"
            f"{tally.overlapped[key] / planted:>9.3f}{tally.false_positives[key]:>10}"
        )
    for key in sorted(set(tally.false_positives) - set(tally.planted)):
        print(f"{key[0]:<20}{key[1]:<6}{0:>8}{'-':>8}{'-':>9}{tally.false_positives[key]:>10}")
    precision = tally.true_detections / max(1, tally.detections)
    print(
        f"precision {precision:.3f} ({tally.detections} detections); decoys flagged "
        f"{tally.decoys_flagged}/{tally.decoys} = {tally.decoys_flagged / max(1, tally.decoys):.3%}"
    )


def recall(tally: Tally, entity_type: str) -> float:
    keys = [k for k in tally.planted if k[0] == entity_type]
    return sum(tally.covered[k] for k in keys) / max(1, sum(tally.planted[k] for k in keys))


def filler_false_names(detector: PiiDetector) -> None:
    """PERSON/ADDRESS detections in the name-free filler sentences, each judged on its own."""
    for lang, filler in (("zh", ZH_FILLER), ("en", EN_FILLER)):
        flagged = [s for s in filler if any(e.type in ("PERSON", "ADDRESS") for e in detector.detect(s, lang))]
        print(f"name-free {lang} filler sentences with a PERSON/ADDRESS detection: {len(flagged)}/{len(filler)}")


# ---------------------------------------------------------------------------------------------------------------
# --sample DIR: the embedded sample corpus (pipelines/sample), whose truth.jsonl says where PI was planted.
PI_TAG_TYPES = {
    "pi:cn_resident_id": "CN_RESIDENT_ID",
    "pi:cn_resident_id_15": "CN_RESIDENT_ID_15",
    "pi:cn_mobile": "CN_MOBILE",
    "pi:bank_card": "BANK_CARD",
    "pi:credit_card": "CREDIT_CARD",
    "pi:email": "EMAIL_ADDRESS",
    "pi:ip": "IP_ADDRESS",
    "pi:person_name_zh": "PERSON",
    "pi:person_name_en": "PERSON",
    "pi:address_zh": "ADDRESS",
    "pi:passport": "PASSPORT",
    "pi:hk_macau_permit": "HK_MACAU_PERMIT",
    "pi:licence_plate": "LICENCE_PLATE",
    "pi:landline": "LANDLINE",
}


@dataclass(frozen=True)
class SampleRecord:
    """One record of the sample: its texts (the record's `text`, or one per chat message) and its truth spans."""

    file: str
    row: int
    texts: dict[int | None, str]  # message index (None for `text`) -> text
    spans: tuple[dict, ...]  # truth.jsonl `pi` entries: type ("pi:*" or "decoy:*"), start, end, msg?


def read_sample(root: Path) -> list[SampleRecord]:
    """Every readable record of the sample in `root`, with its planted spans; malformed lines are skipped."""
    planted = {}
    for line in (root / TRUTH_FILE).read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        planted[(entry["file"], entry["row"])] = tuple(entry.get("pi", ()))
    records = []
    for file in DATA_FILES:
        for row, payload in _sample_rows(root / file):
            texts = _texts_of(payload)
            if texts:
                records.append(SampleRecord(file, row, texts, planted.get((file, row), ())))
    return records


def _sample_rows(path: Path) -> Iterator[tuple[int, object]]:
    """(row, payload) as truth.jsonl numbers rows: physical lines of JSONL, data rows of CSV and Parquet."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            yield from enumerate(csv.DictReader(handle))
    elif path.suffix == ".parquet":
        yield from enumerate(pq.read_table(path).to_pylist())
    else:
        for row, line in enumerate(path.read_bytes().split(b"\n")):
            try:
                yield row, json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue  # blank and malformed lines are the cleaning stage's business


def _texts_of(payload: object) -> dict[int | None, str]:
    if not isinstance(payload, dict):
        return {}
    if isinstance(payload.get("messages"), list):
        return {
            i: m["content"]
            for i, m in enumerate(payload["messages"])
            if isinstance(m, dict) and isinstance(m.get("content"), str)
        }
    return {None: payload["text"]} if isinstance(payload.get("text"), str) and payload["text"] else {}


@dataclass
class SampleTally:
    planted: Counter  # pi tag -> planted spans
    found: Counter  # pi tag -> planted spans covered by a detection of their type
    false_detections: Counter  # entity type -> detections in records with no planted PI of that type
    false_records: Counter  # entity type -> such records
    decoys: Counter  # decoy tag -> planted spans
    decoys_flagged: Counter  # decoy tag -> spans overlapped by any detection


def evaluate_sample(detector: PiiDetector, records: list[SampleRecord]) -> SampleTally:
    """Detects as the gate does (no language given: the script chooses the name rules) and scores every record."""
    tally = SampleTally(Counter(), Counter(), Counter(), Counter(), Counter(), Counter())
    for record in records:
        found = {msg: detector.detect(text) for msg, text in record.texts.items()}
        for span in record.spans:
            entities = found.get(span.get("msg"), [])
            if span["type"].startswith("decoy:"):
                tally.decoys[span["type"]] += 1
                tally.decoys_flagged[span["type"]] += any(
                    e.start < span["end"] and span["start"] < e.end for e in entities
                )
            elif span["type"] in PI_TAG_TYPES:
                entity_type = PI_TAG_TYPES[span["type"]]
                tally.planted[span["type"]] += 1
                tally.found[span["type"]] += any(
                    e.type == entity_type and e.start <= span["start"] and span["end"] <= e.end for e in entities
                )
        planted_types = {PI_TAG_TYPES.get(span["type"]) for span in record.spans}
        false = Counter(e.type for entities in found.values() for e in entities if e.type not in planted_types)
        tally.false_detections += false
        tally.false_records.update(false.keys())
    return tally


def report_sample(tally: SampleTally, records: int) -> None:
    print(f"\n== embedded sample: {records} records (no language given, as the gate calls the detector)")
    print("   PERSON and IP rules were tuned on this sample: these figures are not held-out")
    print(f"{'planted tag':<24}{'type':<18}{'planted':>8}{'recall':>8}")
    for tag, entity_type in PI_TAG_TYPES.items():
        if tally.planted[tag]:
            print(f"{tag:<24}{entity_type:<18}{tally.planted[tag]:>8}{tally.found[tag] / tally.planted[tag]:>8.3f}")
    print(f"\n{'false detections in records without planted PI of the type':<60}{'spans':>8}{'records':>9}")
    for entity_type, count in tally.false_detections.most_common():
        print(f"  {entity_type:<58}{count:>8}{tally.false_records[entity_type]:>9}")
    print(f"\n{'decoy tag':<40}{'planted':>8}{'flagged':>9}")
    for tag in sorted(tally.decoys):
        print(f"{tag:<40}{tally.decoys[tag]:>8}{tally.decoys_flagged[tag]:>9}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=Path, metavar="DIR", help="measure on the embedded sample written to DIR")
    args = parser.parse_args(argv)
    if args.sample:
        if not (args.sample / TRUTH_FILE).is_file():
            parser.error(f"{args.sample} holds no {TRUTH_FILE}: write the sample there first")
        records = read_sample(args.sample)
        report_sample(evaluate_sample(PiiDetector(PiiParams()), records), len(records))
        return 0
    docs = generate(args.docs, args.seed)
    results = {}
    for prefilter in (True, False):
        detector = PiiDetector(PiiParams(prefilter=prefilter))
        tally, elapsed = evaluate(detector, docs)
        report(f"prefilter {'on' if prefilter else 'off'}", tally, elapsed, docs)
        results[prefilter] = tally
    filler_false_names(detector)

    failures = [
        f"{t} recall {recall(results[True], t):.3f} < {RECALL_TARGET}"
        for t in STRUCTURED_TARGETS
        if recall(results[True], t) < RECALL_TARGET
    ]
    decoy_share = results[True].decoys_flagged / max(1, results[True].decoys)
    if decoy_share > DECOY_TARGET:
        failures.append(f"decoys flagged {decoy_share:.3%} > {DECOY_TARGET:.0%}")
    failures += [
        f"prefilter lowers {key[0]} ({key[1]}) recall"
        for key in results[False].planted
        if results[True].covered[key] < results[False].covered[key]
    ]
    print("\nstructured targets:", "MISSED\n  " + "\n  ".join(failures) if failures else "met")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

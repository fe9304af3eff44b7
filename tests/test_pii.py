"""Personal-information detector: identifiers, recognizers, context, overlaps, redaction, bad input (R7, R10).

Every value here is made up.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import ValidationError

from pipelines.detectors import identifiers
from pipelines.detectors.names import BARE_SCORE
from pipelines.detectors.pii import Action, Entity, PiiDetector, mask
from pipelines.params import PiiParams

VALID_ID = "11010519491231002X"  # the GB 11643 example
VALID_CARD = "6222021234567890128"  # Luhn-valid, 19 digits
VISA = "4111 1111 1111 1111"


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(PiiParams())


def found(detector: PiiDetector, text: str, language: str | None = None) -> list[tuple[str, str]]:
    return [(e.type, text[e.start : e.end]) for e in detector.detect(text, language)]


# --- identifiers.py ----------------------------------------------------------------------------------------------
def test_resident_id_checks_province_date_and_check_character() -> None:
    assert identifiers.resident_id_check_char(VALID_ID[:17]) == "X"
    assert identifiers.is_resident_id(VALID_ID)
    assert identifiers.is_resident_id(VALID_ID.lower())
    assert not identifiers.is_resident_id(VALID_ID[:17] + "1")  # wrong check character
    body = "990105194912310"  # unknown province 99
    assert not identifiers.is_resident_id(body + "02" + identifiers.resident_id_check_char(body + "02"))
    body = "11010519490230002"  # 30 February
    assert not identifiers.is_resident_id(body + identifiers.resident_id_check_char(body))
    body = "11010520300101002"  # born in the future
    assert not identifiers.is_resident_id(body + identifiers.resident_id_check_char(body), today=dt.date(2026, 1, 1))
    assert identifiers.is_resident_id_15("110105491231002")
    assert not identifiers.is_resident_id_15("110105491331002")  # month 13


def test_luhn() -> None:
    assert identifiers.luhn_check_digit("7992739871") == "3"
    assert identifiers.is_luhn_valid(VALID_CARD)
    assert identifiers.is_luhn_valid(VISA)
    assert not identifiers.is_luhn_valid("4111 1111 1111 1112")
    assert not identifiers.is_luhn_valid("42")  # too short


@pytest.mark.parametrize("bad", ["1234", "1101051949123100X", "abcdefghijklmnopq"])
def test_check_char_rejects_malformed_body(bad: str) -> None:
    with pytest.raises(ValueError, match="17 ASCII digits"):
        identifiers.resident_id_check_char(bad)


# --- recognizers ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "entity_type", "value"),
    [
        (f"身份证号{VALID_ID}，请核对", "CN_RESIDENT_ID", VALID_ID),
        (f"registered as {VALID_ID}.", "CN_RESIDENT_ID", VALID_ID),
        ("老身份证110105491231002还能用吗", "CN_RESIDENT_ID_15", "110105491231002"),
        ("手机13812345678", "CN_MOBILE", "13812345678"),
        ("打我电话+86 138 1234 5678。", "CN_MOBILE", "+86 138 1234 5678"),
        ("new number: 139-1234-5678", "CN_MOBILE", "139-1234-5678"),
        (f"银行卡号{VALID_CARD}", "BANK_CARD", VALID_CARD),
        (f"my credit card {VISA} was charged", "CREDIT_CARD", VISA),
        ("港澳通行证H12345678", "HK_MACAU_PERMIT", "H12345678"),
        ("护照号E12345678，签证已办好", "PASSPORT", "E12345678"),
        ("Passport no. G12345678, expires", "PASSPORT", "G12345678"),
        ("车牌京A·12345的车", "LICENCE_PLATE", "京A·12345"),
        ("公司电话010-65123456", "LANDLINE", "010-65123456"),
        ("邮箱zhangsan@example.com联系我", "EMAIL_ADDRESS", "zhangsan@example.com"),
        ("服务器IP是10.0.0.12，别外传", "IP_ADDRESS", "10.0.0.12"),
        ("Call my office phone +1 415-555-0132.", "PHONE_NUMBER", "+1 415-555-0132"),
        ("Send it to IBAN DE89370400440532013000 please", "IBAN_CODE", "DE89370400440532013000"),
    ],
)
def test_recognizer_finds_valid_value(detector: PiiDetector, text: str, entity_type: str, value: str) -> None:
    assert (entity_type, value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        f"身份证号{VALID_ID[:17]}1",  # wrong check character, even with a cue
        "卡号6222021234567890127",  # fails Luhn, even with a cue
        "credit card 4111 1111 1111 1112",
        "订单号：202311230001234567，已发货",
        "订单号 13912345678",  # mobile-shaped order number
        "时间戳1700000000123",
        "timestamp 1700000000",
        "版本 2.10.3.1 已发布",
        "Upgrade to version 10.2.0.1 now.",
        "Released v1.2.3.4.",
        "Meeting at 2024-02-15 10:30:00.",
        "日期20231123",
        "号码12147974163",  # no mainland mobile starts with 12
        "Total $69,556.67 Hope Street was closed.",
        "H12345678 是商品型号",  # permit shape without a cue
        "6222021234567890128",  # Luhn-valid card shape without a cue
    ],
)
def test_decoys_are_not_reported(detector: PiiDetector, text: str) -> None:
    assert found(detector, text) == []


# --- context ---------------------------------------------------------------------------------------------------------
def test_cue_raises_score_and_negative_cue_drops(detector: PiiDetector) -> None:
    [plain] = detector.detect("13812345678")
    [cued] = detector.detect("手机13812345678")
    assert cued.score > plain.score
    assert detector.detect("运单号13812345678") == []
    # A positive cue beside a negative one wins ("通行证编号").
    assert found(detector, "通行证编号H12345678") == [("HK_MACAU_PERMIT", "H12345678")]


def test_cues_count_only_within_the_sentence(detector: PiiDetector) -> None:
    assert found(detector, f"我的银行卡丢了。{VALID_CARD}是什么") == []
    assert found(detector, f"卡号{VALID_CARD}。") == [("BANK_CARD", VALID_CARD)]
    assert detector.detect("版本已发布。13812345678") != []  # the negative cue is in the sentence before


def test_context_window_is_a_parameter() -> None:
    narrow = PiiDetector(PiiParams(context_window=2, entities=["BANK_CARD"]))
    assert narrow.detect(f"银行卡号是下面这个：{VALID_CARD}") == []
    assert narrow.detect(f"卡号{VALID_CARD}") != []


# --- overlaps --------------------------------------------------------------------------------------------------------
def test_overlaps_keep_longest_then_most_specific() -> None:
    with_url = PiiDetector(PiiParams(entities=["EMAIL_ADDRESS", "URL", "CN_MOBILE", "PHONE_NUMBER"]))
    text = "mail li.lei@example.com or call +86 138 1234 5678"
    assert found(with_url, text) == [("EMAIL_ADDRESS", "li.lei@example.com"), ("CN_MOBILE", "+86 138 1234 5678")]


def test_entities_sorted_and_disjoint(detector: PiiDetector) -> None:
    text = f"我叫王小明，身份证号{VALID_ID}，手机138 1234 5678，住在北京市朝阳区建国路88号。Email me: a.b@example.org"
    entities = detector.detect(text)
    assert [e.type for e in entities] == ["PERSON", "CN_RESIDENT_ID", "CN_MOBILE", "ADDRESS", "EMAIL_ADDRESS"]
    assert all(a.end <= b.start for a, b in zip(entities, entities[1:], strict=False))
    assert [e.sensitive for e in entities] == [False, True, False, False, False]


# --- names and addresses ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "entity_type", "value"),
    [
        ("我叫王小明，今年刚毕业。", "PERSON", "王小明"),
        ("请把文件交给司马俊杰。", "PERSON", "司马俊杰"),
        ("My name is Emily Johnson and I need help.", "PERSON", "Emily Johnson"),
        ("I spoke to Dr. Nguyen today.", "PERSON", "Nguyen"),
        ("快递寄到浙江省杭州市西湖区文三路90号3栋2单元501室。", "ADDRESS", "浙江省杭州市西湖区文三路90号3栋2单元501室"),
        ("Ship it to 221 Baker Street, London NW1 6XE please.", "ADDRESS", "221 Baker Street, London NW1 6XE"),
        # What the quick checks must let through: a strong cue or a title before a name no gazetteer holds,
        # a road with its number and nothing else, an estate after a district.
        ("hello, my name is Zorblax Quen.", "PERSON", "Zorblax Quen"),
        ("the form was signed by Mx Quillonet", "PERSON", "Quillonet"),
        ("地址是建国路88号", "ADDRESS", "建国路88号"),
        ("他住在朝阳区幸福小区", "ADDRESS", "朝阳区幸福小区"),
    ],
)
def test_names_and_addresses(detector: PiiDetector, text: str, entity_type: str, value: str) -> None:
    assert (entity_type, value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "谢谢你一直以来的陪伴和理解。",
        "华为发布了新手机，很多人排队购买。",
        "马上就要放假了，大家都很高兴。",
        "去杭州市旅游的人越来越多。",
        "We spent Christmas Eve in New York. May Day is a holiday.",
        "In My The And So If We They This That",  # capitalised function words only: never a name
        "北京市朝阳区的天气不错，3号楼的人都知道。",  # administrative units and a building, no road or estate
        "Hope Street was closed for repairs all week.",
    ],
)
def test_no_names_in_name_free_text(detector: PiiDetector, text: str) -> None:
    assert found(detector, text) == []


# False positives seen on the embedded sample corpus (pipelines/sample): everyday words jieba tags `nr`, a
# capitalised function word before a place, and software versions shaped like IPv4 addresses.
@pytest.mark.parametrize(
    "text",
    [
        "那段时间邻居教了我一个小窍门。",  # 段时间: the tail of 那段 + 时间
        "那段时间老师说要多运动。",  # ... even with a cue word (老师) after it
        "一段时间以后就好了。",
        "不过夜里柯基突然跳上床，把我吓了一跳。",  # a two-character word with no cue
        "连着下了好几天毛毛雨，衣服一直晒不干。",  # reduplication, counted by 几天
        "天冷最适合泡一杯姜茶，听着雨声看书。",  # counted by 一杯
        "雷阵雨过后空气清新了很多。",
        "还是自己做的土豆炖牛腩最合胃口。",
        "冰箱里只剩一根胡萝卜和几片火腿。",
        "路过花市顺手买了一束康乃馨。",
        "第一次参加半程马拉松，冲过终点时很激动。",
        "白胡椒粉放多了，味道有点怪。",
        "我的拼乐高水平还很一般。",
        "他每天坚持康复训练，恢复得很好。",
        "我是高手，这点小事不怕。",  # 我是 + a frequent word
        "Getting up early is hard. In Melbourne we queued for an hour.",
        "In Porto we queued for coffee. In Valencia we queued for paella.",
        "My Hong Kong and Macau travel permit is in the drawer.",
        "After updating to 6.18.3.23 the crash went away.",
        "The router firmware 17.19.19.17 fixed the Wi-Fi drops.",
        "把应用升级到4.15.6.10之后，闪退的问题就解决了。",
        "固件版本4.19.2.1修复了蓝牙断连。",
        "Upgrade to version 4.19.2.1 now, or to v 4.19.2.2 later.",
    ],
)
def test_no_false_names_or_addresses_in_realistic_text(detector: PiiDetector, text: str) -> None:
    assert found(detector, text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("大家好，我是高洁，负责这次活动的报名。", ["高洁"]),  # 我是 closing a clause; 高洁 is also an adjective
        ("他叫王芳，住在附近。", ["王芳"]),
        ("王芳老师说明天考试。", ["王芳"]),
        ("昨天和刘洋一起吃饭。", ["刘洋"]),
        ("张伟说他明天不来了。", ["张伟"]),
        ("我叫王芳。王芳昨天到了北京。", ["王芳", "王芳"]),  # an introduced name is a name at every mention
        ("陈思远昨天到了北京。", ["陈思远"]),  # three characters, not a dictionary word: no cue needed
        ("欧阳俊杰昨天到了北京。", ["欧阳俊杰"]),
        ("In the morning Emily Carter called.", ["Emily Carter"]),  # function words skipped, not the name
        ("With Emily Carter we went home.", ["Emily Carter"]),
        ("Will Smith joined the call.", ["Will Smith"]),  # modal-looking first names stay names
    ],
)
def test_names_with_evidence_are_found(detector: PiiDetector, text: str, names: list[str]) -> None:
    assert found(detector, text) == [("PERSON", name) for name in names]


def test_bare_two_character_name_scores_under_the_default_threshold(detector: PiiDetector) -> None:
    text = "王芳昨天到了北京。"
    assert found(detector, text) == []
    [entity] = PiiDetector(PiiParams(score_threshold=BARE_SCORE, entities=["PERSON"])).detect(text)
    assert (text[entity.start : entity.end], entity.score) == ("王芳", BARE_SCORE)


def test_ip_address_beside_an_update_is_kept_when_a_positive_cue_is_near(detector: PiiDetector) -> None:
    assert found(detector, "After the update the server IP is 10.0.0.1.") == [("IP_ADDRESS", "10.0.0.1")]
    assert found(detector, "后台日志显示昨晚有人从10.2.3.4登录了我的账号。") == [("IP_ADDRESS", "10.2.3.4")]


def test_language_selects_name_rules(detector: PiiDetector) -> None:
    text = "My name is Emily Johnson. 我叫王小明。"
    assert {t for t, _ in found(detector, text, "en")} == {"PERSON"}
    assert [v for _, v in found(detector, text, "en")] == ["Emily Johnson"]
    assert [v for _, v in found(detector, text, "zh-Hans")] == ["王小明"]
    assert found(detector, text, "fr") == []  # structured identifiers only
    assert found(detector, "My name is Emily Johnson, 手机13812345678", "fr") == [("CN_MOBILE", "13812345678")]


def test_prefilter_does_not_change_results(detector: PiiDetector) -> None:
    unfiltered = PiiDetector(PiiParams(prefilter=False))
    texts = [
        f"我叫王小明，身份证号{VALID_ID}，卡号{VALID_CARD}，车牌京A·12345",
        "I had lunch with Mary Smith; her IP is 2001:db8::8a2e:370:7334 and mail is m@example.com.",
        "今天天气不错，我们下午去公园散步吧。",
    ]
    for text in texts:
        assert detector.detect(text) == unfiltered.detect(text)


# --- redaction -------------------------------------------------------------------------------------------------------
def test_redact_replaces_with_type_placeholder(detector: PiiDetector) -> None:
    text = f"手机13812345678，身份证{VALID_ID}"
    redacted, actions = detector.redact(text, detector.detect(text))
    assert redacted == "手机<CN_MOBILE>，身份证<CN_RESIDENT_ID>"
    assert actions == [Action("CN_MOBILE", 2, 13, "redact"), Action("CN_RESIDENT_ID", 17, 35, "redact")]


def test_mask_keeps_shape() -> None:
    assert mask("CN_MOBILE", "13812345678") == "138****5678"
    assert mask("CN_MOBILE", "138-1234-5678") == "138-****-5678"
    assert mask("EMAIL_ADDRESS", "zhangsan@qq.com") == "z*******@qq.com"
    assert mask("PERSON", "张小明") == "张**"
    assert mask("ADDRESS", "12 Baker St") == "** ***** **"
    assert mask("LICENCE_PLATE", "京A·12345") == "京*·*****"


def test_pseudonyms_consistent_per_key_and_different_across_keys(detector: PiiDetector) -> None:
    text = "我叫王小明。王小明说他明天和李华一起来。"
    entities = detector.detect(text)
    assert [text[e.start : e.end] for e in entities] == ["王小明", "王小明", "李华"]
    first, _ = detector.redact(text, entities, key=b"key one")
    again, _ = detector.redact(text, entities, key=b"key one")
    other, _ = detector.redact(text, entities, key=b"key two")
    names = [part.split(">")[0] for part in first.split("<PERSON_")[1:]]
    assert first == again
    assert names[0] == names[1] != names[2]
    assert all(len(name) == 8 for name in names)
    assert other != first
    with pytest.raises(ValueError, match="non-empty bytes key"):
        detector.redact(text, entities)


def test_mask_pseudonymise_and_hold_actions(detector: PiiDetector) -> None:
    text = f"手机13812345678，卡号{VALID_CARD}"
    entities = detector.detect(text)
    redacted, actions = detector.redact(text, entities, {"CN_MOBILE": "mask", "BANK_CARD": "hold"}, key=b"k")
    assert redacted == "手机138****5678，卡号<BANK_CARD>"
    assert [a.action for a in actions] == ["mask", "hold"]
    redacted, _ = detector.redact(text, entities, {"CN_MOBILE": "pseudonymise"}, key=b"k")
    assert redacted.startswith("手机<CN_MOBILE_") and "13812345678" not in redacted


def test_no_value_in_entities_or_actions(detector: PiiDetector) -> None:
    text = f"身份证{VALID_ID}，邮箱li.lei@example.com"
    entities = detector.detect(text)
    _, actions = detector.redact(text, entities)
    for record in [*entities, *actions]:
        assert VALID_ID not in repr(record) and "li.lei" not in repr(record)
        assert set(vars(record)) <= {"type", "start", "end", "score", "sensitive", "action"}


def test_redact_rejects_bad_entities(detector: PiiDetector) -> None:
    text = "手机13812345678"
    with pytest.raises(ValueError, match="outside the text or overlaps"):
        detector.redact(text, [Entity("CN_MOBILE", 2, 99, 1.0, False)])
    overlapping = [Entity("CN_MOBILE", 2, 13, 1.0, False), Entity("PHONE_NUMBER", 5, 13, 1.0, False)]
    with pytest.raises(ValueError, match="outside the text or overlaps"):
        detector.redact(text, overlapping)
    with pytest.raises(ValueError, match="no valid action"):
        detector.redact(text, detector.detect(text), {"CN_MOBILE": "shred"})  # type: ignore[dict-item]
    assert detector.redact("", []) == ("", [])


# --- bad input and parameters ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"]])
def test_detect_rejects_non_strings(detector: PiiDetector, bad: object) -> None:
    with pytest.raises(TypeError, match="text must be str"):
        detector.detect(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text must be str"):
        detector.redact(bad, [])  # type: ignore[arg-type]


def test_detect_edge_cases(detector: PiiDetector) -> None:
    assert detector.detect("") == []
    assert detector.detect("   \n ") == []
    with pytest.raises(TypeError, match="language must be str"):
        detector.detect("text", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="params must be PiiParams"):
        PiiDetector({"entities": ["PERSON"]})  # type: ignore[arg-type]


def test_params_validation() -> None:
    with pytest.raises(ValidationError, match="extra"):
        PiiParams(unknown=True)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        PiiParams(entities=["SOCIAL_SECURITY"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="no action for CN_MOBILE"):
        PiiParams(entities=["CN_MOBILE"], actions={"PERSON": "redact"})
    with pytest.raises(ValidationError):
        PiiParams(score_threshold=1.5)
    defaults = PiiParams()
    assert "URL" not in defaults.entities and "CN_RESIDENT_ID" in defaults.sensitive_entities
    assert defaults.actions["PERSON"] == "pseudonymise" and defaults.actions["BANK_CARD"] == "redact"


def test_detect_is_thread_safe(detector: PiiDetector) -> None:
    texts = [f"我叫王小明，手机1381234{i:04d}，邮箱u{i}@example.com" for i in range(40)]
    expected = [detector.detect(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(detector.detect, texts)) == expected


def test_card_networks_decide_credit_or_bank_card(detector: PiiDetector) -> None:
    visa = "4111 1111 1111 1111"  # a test number: Luhn-valid Visa prefix
    unionpay = "6222021234567890128"  # Luhn-valid, UnionPay prefix 62
    assert [e.type for e in detector.detect(f"Card number: {visa}, expires 09/28.")] == ["CREDIT_CARD"]
    assert [e.type for e in detector.detect(f"银行卡号：{unionpay}")] == ["BANK_CARD"]

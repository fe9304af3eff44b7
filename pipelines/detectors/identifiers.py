"""Checksum and shape validators for mainland identifiers, pure Python (R7, R10; PIPL art. 28).

REGULATION.md asks that checksums be validated so that order numbers and timestamps are not taken for
identifiers. These functions answer "could this string be a real identifier?"; the recognizers in `pii.py`
find the candidates. The check-character helpers are public so the evaluation can make up valid values.
"""

from __future__ import annotations

import datetime as dt
import re

# Licence plates: the province characters that start them, and the letters they use (no I or O).
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTER = "[A-HJ-NP-Z]"

# First two digits of the administrative-division code (GB/T 2260): provinces, autonomous regions,
# municipalities, plus 71 (Taiwan), 81/82 (Hong Kong, Macau) and 83 (residence permits for Taiwan residents).
PROVINCE_CODES = frozenset(
    str(code)
    for code in (
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
        83,
    )  # fmt: skip
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_FIRST_BIRTH_YEAR = 1900
_SEPARATORS = re.compile(r"[\s\-·.]")


def digits_only(value: str) -> str:
    """`value` without the spaces, dashes and dots that people put between digit groups."""
    return _SEPARATORS.sub("", value)


def resident_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an 18-character resident ID (GB 11643)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("a resident ID body is 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _valid_birth_date(yyyymmdd: str, today: dt.date) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return born.year >= _FIRST_BIRTH_YEAR and born <= today


def is_resident_id(value: str, today: dt.date | None = None) -> bool:
    """True for an 18-character resident ID: known province, real birth date not in the future, right check char."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit():
        return False
    today = today or dt.date.today()
    return (
        value[:2] in PROVINCE_CODES
        and _valid_birth_date(value[6:14], today)
        and resident_id_check_char(value[:17]) == value[17]
    )


def is_resident_id_15(value: str) -> bool:
    """True for a first-generation 15-digit resident ID: known province and a real 19YYMMDD birth date.

    These cards carry no check digit, so the recognizer also requires a context cue.
    """
    if len(value) != 15 or not value.isascii() or not value.isdigit():
        return False
    return value[:2] in PROVINCE_CODES and _valid_birth_date("19" + value[6:12], dt.date.today())


def luhn_check_digit(body: str) -> str:
    """The Luhn (ISO/IEC 7812) check digit to append to the digit string `body`."""
    if not body.isascii() or not body.isdigit():
        raise ValueError("a card number body is ASCII digits")
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # these positions are doubled once the check digit is appended
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str(-total % 10)


def is_luhn_valid(value: str) -> bool:
    """True when the digits of `value` (separators ignored) pass the Luhn check and number 13 to 19."""
    digits = digits_only(value)
    if not 13 <= len(digits) <= 19 or not digits.isascii() or not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]

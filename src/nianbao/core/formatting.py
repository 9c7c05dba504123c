"""How a value is printed: one function, used by tables, charts, sentences and the self-check,
so one fact cannot be printed two ways. Rounding is half-up, as in published statistics."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal

_TIME_LIKE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
CN_NUMERALS = "零一二三四五六七八九十"
# the multipliers official statistics print figures in (484.78万人, 70.59亿元)
MULTIPLIERS = {"万": 10 ** 4, "亿": 10 ** 8}


def split_multiplier(unit: str) -> tuple[int, str]:
    """A unit word with its multiplier taken off: 万人 → (10000, 人), 亿元 → (10⁸, 元), 万 → (10000, ""),
    人 → (1, 人)."""
    if unit and unit[0] in MULTIPLIERS:
        return MULTIPLIERS[unit[0]], unit[1:]
    return 1, unit


# enough digits for any double (up to 309 before the point) and its decimals: quantize never fails
_CONTEXT = Context(prec=400)


def round_half_up(value: float, decimals: int) -> float:
    if not math.isfinite(float(value)):
        return float(value)
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP, context=_CONTEXT))


def number_text(value: float, decimals: int) -> str:
    if not math.isfinite(float(value)):
        return str(float(value))
    q = Decimal(1).scaleb(-decimals)
    d = Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP, context=_CONTEXT)
    if d == 0:
        d = abs(d)
    return f"{d:f}"


def kept_decimals(value: float, least: int = 0, most: int = 6) -> int:
    """The fewest decimals (at least ``least``, at most ``most``) that print ``value`` without
    losing a digit: 430.81 → 2, 0.2512 → 4 (least 2: 430.8 → 2)."""
    value = float(value)
    if not math.isfinite(value):
        return least
    for d in range(least, most + 1):
        if abs(round_half_up(value, d) - value) <= 1e-9 * max(1.0, abs(value)):
            return d
    return most


def auto_text(value: float, max_decimals: int = 2) -> str:
    """As many decimals as the value needs, at most ``max_decimals`` (852215, 34112.37, 4.67)."""
    text = number_text(value, max_decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def pair_text(first: float, decimals: int = 1, total: float = 10) -> str:
    """A pair summing to ``total``: 6.6 → "6.6:3.4"; whole numbers lose the decimals: "7:3"."""
    a = round_half_up(first, decimals)
    b = round_half_up(total - a, decimals)
    if float(a).is_integer() and float(b).is_integer():
        return f"{int(a)}:{int(b)}"
    return f"{number_text(a, decimals)}:{number_text(b, decimals)}"


def value_text(value: float, style: str, decimals: int) -> str:
    """The printed value without its unit (the unit of a percentage is its % sign)."""
    if style == "percent":
        return number_text(value, decimals) + "%"
    if style == "x1":
        return number_text(value, decimals) + ":1"
    if style == "pair10":
        return pair_text(value, decimals)
    if style == "auto":
        return auto_text(value, decimals)
    return number_text(value, decimals)


def in_multiplier(value: float, step: float) -> tuple[str, int, str] | None:
    """A figure known only to ``step`` (given as 484.78万: step 100), as it was printed: (the
    number, its decimals, the multiplier word) — ("484.78", 2, "万"); None for an exact figure."""
    if not step or step <= 0:
        return None
    word = "亿" if step >= 10 ** 6 and abs(value) >= 10 ** 8 else "万"
    times = MULTIPLIERS[word]
    decimals = max(0, round(math.log10(times / step)))
    return number_text(value / times, decimals), decimals, word


def time_of_fraction(value: float) -> tuple[int, int] | None:
    """(hour, minute) when ``value`` is an Excel time of day in whole minutes (0.29375 = 7:03)."""
    if not 0 < value < 1:
        return None
    minutes = value * 24 * 60
    whole = round(minutes)
    if abs(whole - minutes) > 1e-6:
        return None
    return divmod(whole, 60)


# Colons printed in ratios: "1.45︰1" (U+FE30, which NFKC turns into "..") and "3∶1" (U+2236 RATIO).
_RATIO_COLONS = str.maketrans({"\ufe30": ":", "\u2236": ":"})


def normal_text(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) with the ratio colons read as ":"."""
    return unicodedata.normalize("NFKC", str(text).translate(_RATIO_COLONS))


def looks_like_time(text: str) -> bool:
    """"7:03", "07:03:00": a ratio cell that a spreadsheet turned into a clock time."""
    norm = normal_text(text).replace(" ", "").replace("：", ":")
    if not _TIME_LIKE.match(norm):
        return False
    minutes = norm.split(":")[1]
    return minutes.startswith("0") or len(norm.split(":")) == 3


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (table and figure numbers)."""
    if n <= 10:
        return CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens] if tens > 1 else "") + "十" + (CN_NUMERALS[ones] if ones else "")

"""How a value is printed: one function, used by tables, charts, sentences and the self-check,
so one fact cannot be printed two ways. Rounding is half-up, as in published statistics."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int) -> float:
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def number_text(value: float, decimals: int) -> str:
    q = Decimal(1).scaleb(-decimals)
    d = Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)
    return f"{d:f}"


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

"""Numbers and lists in the check's messages: as many decimals as a number needs (at most two),
percentages with their sign, lists joined the Chinese or the English way."""

from __future__ import annotations

import re

from nianbao.core.formatting import auto_text, number_text
from nianbao.core.messages import LIST_SEPARATOR


class Fill(dict):
    """Template values; a placeholder without a value is left empty."""

    def __missing__(self, key):
        return ""


def num(v: float, decimals: int = 2) -> str:
    """A number in a message: as many decimals as it needs, at most ``decimals``."""
    return auto_text(float(v), decimals) if v is not None else ""


def pct(v: float, decimals: int = 2) -> str:
    return number_text(v, decimals) + "%"


def show(v) -> str:
    """A value of a finding as its messages print it."""
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, (int, float)):
        return num(v)
    if isinstance(v, (list, tuple)):
        return LIST_SEPARATOR["zh"].join(show(x) for x in v)
    return str(v)


def squash(text: str) -> str:
    """Tidy a filled template: single spaces, no empty brackets left by empty placeholders."""
    text = re.sub(r"[ \t]+", " ", text)
    return text.replace("（）", "").replace(" ()", "").replace("()", "").replace(" 。", "。").strip()


def joined(items, lang: str) -> str:
    return LIST_SEPARATOR[lang].join(items)

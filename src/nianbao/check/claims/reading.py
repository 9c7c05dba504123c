"""Reading a printed figure (读取印发值) as a report printed it: "22,863人", "95.14%", "11.56:1",
"6.5:3.5", "7:03" (a ratio a spreadsheet turned into a clock time), "比上年减少2957人", "持平".

The words around a figure are catalogue data (rules.yaml ``reading``): the words that give a
change its direction (增长, 减少 …), those that say it did not change (持平 …), the fillers that
carry no meaning (比上年, 约 …) and the unit of a difference of percentages (个百分点).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.core.formatting import looks_like_time, normal_text, round_half_up

_PAIR = re.compile(r"^([+-]?\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$")
_NUM = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(.*)$")
# the name printed before a figure ("在校生22000人", "生均：31册"): words, then the figure
_LABEL = re.compile(r"^[\u4e00-\u9fff]+[：:]?(?=[+-]?\d)")


@dataclass
class Stated:
    raw: str
    kind: str  # number | percent | pair | x1 | time | flat
    value: float
    decimals: int
    unit: str = ""  # "%", "pp" (个百分点) or a unit word such as 万元
    sign: int | None = None  # +1 / −1 / 0 when the text states a direction
    time: tuple[int, int] | None = None
    relative: bool = False  # the text says the change is relative (相对增长8.36%)


@dataclass(frozen=True)
class Words:
    """The words around a printed figure (rules.yaml ``reading``)."""
    increase: tuple[str, ...]
    decrease: tuple[str, ...]
    flat: tuple[str, ...]
    fillers: tuple[str, ...]  # longest first where one contains another (比上年度 before 比上年)
    points: str  # the unit of a difference of percentages
    relative: tuple[str, ...] = ()  # the words that make a change of a rate relative (相对)

    @classmethod
    def of(cls, book) -> "Words":
        r = book.reading
        return cls(increase=tuple(r.get("increase", ())), decrease=tuple(r.get("decrease", ())),
                   flat=tuple(r.get("flat", ())), fillers=tuple(r.get("fillers", ())), points=r.get("points", ""),
                   relative=tuple(r.get("relative", ())))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def parse_stated(raw: str, words: Words) -> Stated | None:
    """Read a figure as printed. None when it is not a figure at all."""
    t = normal_text(raw or "").replace(" ", "").replace(",", "")
    if not t:
        return None
    sign = None
    relative = any(w in t for w in words.relative)
    for w in words.relative:
        t = t.replace(w, "")
    for ws, s in ((words.increase, 1), (words.decrease, -1)):
        for w in ws:
            if w in t:
                sign, t = s, t.replace(w, "")
    for w in words.fillers:
        t = t.replace(w, "")
    if any(w in t for w in words.flat) and not re.search(r"\d", t):
        return Stated(raw=raw, kind="flat", value=0.0, decimals=0, sign=0)
    t = _LABEL.sub("", t, count=1)
    if looks_like_time(t):
        h, m = (int(x) for x in t.split(":")[:2])
        return Stated(raw=raw, kind="time", value=h, decimals=0, time=(h, m))
    m = _PAIR.match(t)
    if m:
        a, b = m.group(1), m.group(2)
        if float(b) == 1 and "." not in b:
            return Stated(raw=raw, kind="x1", value=float(a), decimals=_decimals(a))
        return Stated(raw=raw, kind="pair", value=float(a), decimals=_decimals(a))
    m = _NUM.match(t)
    if not m:
        return None
    if m.group(1):
        sign = 1 if m.group(1) == "+" else -1
    unit = m.group(3)
    kind = "number"
    if unit == "%":
        kind, unit = "percent", "%"
    elif unit and unit == words.points:
        unit = "pp"
    return Stated(raw=raw, kind=kind, value=float(m.group(2)), decimals=_decimals(m.group(2)), unit=unit,
                  sign=sign, relative=relative and kind == "percent")


def same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def compare_printed(value: float, printed: float, decimals: int) -> str:
    """"match" when ``value`` rounds (half up) to the printed figure; "rounding" when it was
    rounded the wrong way or truncated (within one unit of the last printed digit); else
    "mismatch". A value that needs no rounding at that precision (34 schools) cannot be a
    rounding slip."""
    rounded = round_half_up(value, decimals)
    if same(rounded, printed):
        return "match"
    if not same(rounded, value) and abs(value - printed) <= 10 ** -decimals + 1e-9:
        return "rounding"
    return "mismatch"

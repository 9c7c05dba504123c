"""Reading one value (one CSV field or one Excel cell) by the type its data element expects.

Nothing is silently coerced: every repair (full-width digits, digits of other scripts,
thousands separators, digits grouped by spaces, a unit written after the number, a cell shown as
a percentage) is accepted only together with a finding that shows what was read and what is
kept, and every ambiguity (0.9514 in a percentage cell, 7:03 where a ratio belongs, "1 2") is an
error that names what to write instead. A number a double cannot hold, infinity and NaN are
errors: no such value ever leaves this module.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from nianbao.core.findings import Finding, Location
from nianbao.core.formatting import looks_like_time, normal_text, split_multiplier, time_of_fraction
from nianbao.core.messages import finding, phrase


@dataclass
class Parsed:
    value: float | None
    findings: list[Finding] = field(default_factory=list)
    step: float = 0.0  # the last printed digit, in the element's unit, of a figure given in 万 or 亿

    @property
    def ok(self) -> bool:
        return self.value is not None and not any(f.severity == "error" for f in self.findings)


_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}( [0-9]{3})+(\.[0-9]+)?$")
_PAIR = re.compile(r"^(\d+(?:\.\d+)?)\s*[:：]\s*(\d+(?:\.\d+)?)$")
_TIME_LIKE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")

def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(round(v, 10))


def _time_to_pair(t: _dt.time | _dt.datetime) -> str:
    return f"{t.hour}:{t.minute}" if t.minute else f"{t.hour}:0"


def _other_digits(text: str) -> str:
    """Decimal digits of any script (٢٢٨٦٣, २२८६३) as 0–9; other characters unchanged."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not "0" <= ch <= "9" else ch
                   for ch in text)


def _finite(value) -> float | None:
    try:
        v = float(value)
    except OverflowError:
        return None
    return v if math.isfinite(v) else None


def parse_value(raw, vtype: str, *, element=None, location: Location | None = None,
                required: bool = False, percent_format: bool = False) -> Parsed:
    """Parse ``raw`` for an element of type count / amount / mean / rate / pair.

    Returns the value (a float; for ``pair`` the first term of a:b) and the findings.
    An empty cell gives ``value=None``: empty is "not reported", not zero. It gives no finding,
    unless ``required`` (a row that names an element but leaves its value empty).
    ``percent_format``: the cell is a number shown as a percentage (1 under ``0%`` shows 100%).
    """
    names = {
        "element": element.zh if element is not None else phrase("value.this_item"),
        "element_en": element.en if element is not None else phrase("value.this_item", "en"),
        "unit": element.unit_zh if element is not None else "",
    }
    loc = location or Location()
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return Parsed(None, [finding("value.empty", loc, raw="", **names)] if required else [])

    if isinstance(raw, (_dt.time, _dt.datetime)):
        if vtype == "pair":
            t = raw if isinstance(raw, _dt.time) else raw.time()
            txt = f"{t.hour}:{t.minute:02d}"
            return Parsed(None, [finding("pair.as_time", loc, raw=txt, time=txt,
                                         fixed=_fixed_pair(t.hour, t.minute), **names)])
        return Parsed(None, [finding("value.not_number", loc, raw=str(raw), **names)])

    if isinstance(raw, bool):
        return Parsed(None, [finding("value.not_number", loc, raw=str(raw), **names)])

    findings: list[Finding] = []
    step = 0.0
    if isinstance(raw, float) and math.isnan(raw):
        return Parsed(None, [finding("value.not_number", loc, raw=str(raw), **names)])
    if isinstance(raw, (int, float)) and _finite(raw) is None:
        return Parsed(None, [finding("value.too_large", loc, raw=short_text(str(raw)), **names)])
    if vtype == "pair" and isinstance(raw, str) and _NUMBER.match(raw.strip()):
        raw = float(raw.strip())  # a bare number where a ratio belongs: examined below
    if isinstance(raw, (int, float)):
        value = float(raw)
        text = _fmt(value)
        had_percent = False
        if percent_format and vtype != "pair":
            shown = float(Decimal(repr(value)) * 100)
            if vtype != "rate":
                return Parsed(None, [finding("value.percent_format_not_rate", loc, raw=text,
                                             shown=_fmt(shown) + "%", **names)])
            findings.append(finding("value.percent_format", loc, raw=text, shown=_fmt(shown) + "%",
                                    stored=text, value=_fmt(shown), **names))
            value, text, had_percent = shown, _fmt(shown) + "%", True
        if vtype == "pair":
            # a bare number in a ratio cell: an Excel time fraction (7:03 → 0.29375)?
            as_time = time_of_fraction(value)
            if as_time:
                h, m = as_time
                return Parsed(None, [finding("pair.as_time", loc, raw=text, time=f"{h}:{m:02d}",
                                             fixed=_fixed_pair(h, m), **names)])
            return Parsed(None, [finding("pair.bad", loc, raw=text, **names)])
    else:
        text = str(raw).strip()
        if text.startswith("="):
            return Parsed(None, [finding("value.formula_no_cache", loc, raw=text, **names)])
        norm = normal_text(text)
        if norm != text:
            findings.append(None)  # placeholder, filled once the value is known
        digits = _other_digits(norm)
        other_script = digits != norm
        norm = re.sub(r"\s+", " ", digits).strip()
        if vtype == "pair":
            norm = norm.replace(" ", "")
            m = _PAIR.match(norm)
            if not m:
                return Parsed(None, findings_clean(findings) + [finding("pair.bad", loc, raw=text, **names)])
            a, b = float(m.group(1)), float(m.group(2))
            if looks_like_time(norm):
                # "7:03": the second term written with a leading zero is a clock time, not a ratio
                h, mi = int(a), int(b)
                return Parsed(None, findings_clean(findings) + [finding(
                    "pair.as_time", loc, raw=text, time=norm, fixed=_fixed_pair(h, mi), **names)])
            if abs(a + b - 10) > 1e-6:
                return Parsed(None, findings_clean(findings) + [finding(
                    "pair.not_ten", loc, raw=text, total=_fmt(a + b), **names)])
            return Parsed(a, _fill(findings, loc, text, a, names))
        had_percent = norm.endswith("%")
        if had_percent:
            norm = norm[:-1].rstrip()
        suffix = ""
        m = re.match(r"^(.*?[0-9])([^0-9.]+)$", norm)
        if m and not had_percent:
            norm, suffix = m.group(1), m.group(2).strip()
        grouped = " " in norm
        if grouped:
            if not _GROUPED.match(norm):
                return Parsed(None, findings_clean(findings) + [finding("value.inner_space", loc, raw=text,
                                                                        **names)])
            norm = norm.replace(" ", "")
        thousands = "," in norm
        if thousands:
            if not re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", norm):
                return Parsed(None, findings_clean(findings) + [finding("value.not_number", loc, raw=text, **names)])
            norm = norm.replace(",", "")
        if not _NUMBER.match(norm):
            return Parsed(None, findings_clean(findings) + [finding("value.not_number", loc, raw=text, **names)])
        value = _finite(norm)
        if value is None:
            return Parsed(None, findings_clean(findings) + [finding("value.too_large", loc, raw=short_text(text),
                                                                    **names)])
        findings = _fill(findings, loc, text, value, names)
        if other_script:
            findings.append(finding("value.other_digits", loc, raw=text, value=_fmt(value), **names))
        if grouped:
            findings.append(finding("value.grouped_digits", loc, raw=text, value=_fmt(value), **names))
        if thousands:
            findings.append(finding("value.thousands", loc, raw=text, value=_fmt(value), **names))
        if suffix:
            unit = names["unit"]
            times, rest = split_multiplier(suffix)
            own_times, own_base = split_multiplier(unit)
            if times > 1 and rest in ("", own_base) and vtype in ("count", "amount") and suffix != unit:
                # 484.78万 (人), 3.41亿元 where the element is in 万元: the multiplier applied exactly,
                # the printed precision kept (484.78万 is known to the nearest 100)
                scale = Decimal(times) / Decimal(own_times)
                exact = Decimal(norm) * scale
                step = float(Decimal(10) ** Decimal(norm).as_tuple().exponent * scale)
                value = float(exact)
                findings.append(finding("value.multiplier", loc, raw=text, value=_fmt(value), step=_fmt(step),
                                        **names))
                suffix = ""
        if suffix:
            unit = names["unit"]
            if unit and suffix == unit:
                findings.append(finding("value.unit_suffix", loc, raw=text, suffix=suffix,
                                        value=_fmt(value), **names))
            else:
                return Parsed(None, findings + [finding("value.wrong_unit", loc, raw=text, suffix=suffix, **names)])
        if had_percent and vtype != "rate":
            return Parsed(None, findings + [finding("value.percent_not_rate", loc, raw=text, **names)])
    if vtype == "rate":
        if not had_percent and 0 < value < 1:
            return Parsed(None, findings + [finding("rate.as_fraction", loc, raw=text,
                                                    percent=_fmt(round(value * 100, 6)), **names)])
        if value < 0 or value > 100:
            return Parsed(None, findings + [finding("rate.out_of_range", loc, raw=text, **names)])
    if value < 0:
        return Parsed(None, findings + [finding("value.negative", loc, raw=text, **names)])
    if vtype == "count" and not float(value).is_integer():
        return Parsed(None, findings + [finding("value.not_integer", loc, raw=text, **names)])
    return Parsed(value, findings, step)


_LEVEL = {"school": ("一所学校", "one school"), "county": ("一个县（区）", "a county"),
          "city": ("一个市", "a city"), "province": ("一个省", "a province"), "country": ("全国", "the country")}


def out_of_range(value: float, element, catalogue, level: str, location: Location | None = None
                 ) -> Finding | None:
    """An error when ``value`` (in the element's stored unit) lies outside the plausible range
    the catalogue gives the element for a unit of ``level``; None inside it or without a range."""
    bounds = catalogue.bounds(element.code, level)
    if bounds is None or bounds[0] <= value <= bounds[1]:
        return None
    zh, en = _LEVEL.get(level, (level, level))
    return finding("value.out_of_range", location or Location(), raw=_fmt(value), low=_fmt(bounds[0]),
                   high=_fmt(bounds[1]), text={"element": element.zh, "element_en": element.en,
                                               "unit": element.unit_zh, "level": zh, "level_en": en})


def short_text(text: str, keep: int = 24) -> str:
    """A long text cut for a message (a number of 309 digits): its head and "…"."""
    return text if len(text) <= keep else text[:keep] + "…"


def _fixed_pair(hour: int, minute: int) -> str:
    """7:03 read as a time most likely meant 7:3."""
    return f"{hour}:{minute}"


def findings_clean(findings):
    return [f for f in findings if f is not None]


def _fill(findings, loc, text, value, names):
    out = []
    for f in findings:
        out.append(finding("value.fullwidth", loc, raw=text, value=_fmt(value), **names) if f is None else f)
    return out

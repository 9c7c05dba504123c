"""Reading one value (one CSV field or one Excel cell) by the type its data element expects.

Nothing is silently coerced: every repair (full-width digits, thousands separators, a unit
written after the number) is accepted only together with a finding that says so, and every
ambiguity (0.9514 in a percentage cell, 7:03 where a ratio belongs) is an error that names
what to write instead.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

from nianbao.check.findings import Finding, Location


@dataclass
class Parsed:
    value: float | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.value is not None and not any(f.severity == "error" for f in self.findings)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_PAIR = re.compile(r"^(\d+(?:\.\d+)?)\s*[:：]\s*(\d+(?:\.\d+)?)$")
_TIME_LIKE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")

# Messages: (severity, zh, en, hint, hint in English). Placeholders are filled from the
# finding's values.
MESSAGES = {
    "value.not_number": ("error", "“{raw}”不是数字，{element}需要填写数字",
                         "'{raw}' is not a number; {element_en} needs a number",
                         "只填写阿拉伯数字，不写文字、单位或空格",
        "type digits only: no words, units or spaces"),
    "value.fullwidth": ("warning", "“{raw}”含全角字符，已按 {value} 读取",
                        "'{raw}' contains full-width characters; read as {value}",
                        "请改用半角数字（英文输入法）",
        "type half-width digits (English input mode)"),
    "value.thousands": ("warning", "“{raw}”含千位分隔符，已按 {value} 读取",
                        "'{raw}' contains thousands separators; read as {value}",
                        "请去掉逗号，只填写数字",
        "remove the commas; type the number only"),
    "value.unit_suffix": ("warning", "“{raw}”带有单位“{suffix}”，已按 {value} 读取",
                          "'{raw}' carries the unit '{suffix}'; read as {value}",
                          "单位已在表头中注明，单元格只填数字",
        "the unit is in the column header; type the number only"),
    "value.wrong_unit": ("error", "“{raw}”的单位“{suffix}”与{element}的单位“{unit}”不符",
                         "'{raw}' has unit '{suffix}' but {element_en} is in '{unit}'",
                         "按表头的单位换算后只填写数字",
        "convert to the header's unit and type the number only"),
    "value.not_integer": ("error", "{element}应为整数，填写的是 {raw}",
                          "{element_en} must be a whole number, found {raw}",
                          "人数、所数等计数请填写整数",
        "counts of people or schools are whole numbers"),
    "value.negative": ("error", "{element}不能为负数（{raw}）", "{element_en} cannot be negative ({raw})",
                       "请核对数值",
        "check the value"),
    "value.percent_not_rate": ("error", "“{raw}”是百分数，但{element}不是比率",
                               "'{raw}' is a percentage but {element_en} is not a rate",
                               "按表头的单位填写数字",
        "type the number in the header's unit"),
    "rate.as_fraction": ("error", "比率“{raw}”像是小数形式（{percent}%？）；本栏按百分数填写",
                         "rate '{raw}' looks like a fraction ({percent}%?); this column takes percent",
                         "把 {raw} 写成 {percent}（或 {percent}%）",
        "write {raw} as {percent} (or {percent}%)"),
    "rate.out_of_range": ("error", "比率 {raw} 超出 0–100% 的范围", "rate {raw} is outside 0–100%",
                          "比率按百分数填写，应在 0 到 100 之间",
        "rates are percentages between 0 and 100"),
    "pair.as_time": ("error", "比值“{raw}”被存成了时间（{time}）；应为比值 {fixed}",
                     "ratio '{raw}' was stored as a time ({time}); it should be the ratio {fixed}",
                     "把单元格设为“文本”格式后填写 {fixed}，比值两项之和为10",
        "format the cell as text, then type {fixed}; the two terms sum to 10"),
    "pair.bad": ("error", "“{raw}”不是“a:b”形式的比值", "'{raw}' is not a ratio of the form a:b",
                 "按“6.5:3.5”的形式填写，两项之和为10",
        "write it like 6.5:3.5; the two terms sum to 10"),
    "pair.not_ten": ("error", "比值 {raw} 两项之和为 {total}，应为10", "ratio {raw} sums to {total}, not 10",
                     "普职招生比按两项之和为10填写，如 6.5:3.5",
        "the general-to-vocational ratio sums to 10, e.g. 6.5:3.5"),
    "value.formula_no_cache": ("error", "单元格是公式“{raw}”，但没有计算结果",
                               "the cell holds the formula '{raw}' with no computed value",
                               "在 Excel 或 WPS 中打开并保存一次，或直接填写数值",
        "open and save the file once in Excel or WPS, or type the value"),
    "value.empty": ("warning", "{element}没有填写数值，按“未报送”处理（不是0）",
                    "{element_en} has no value; treated as not reported (not as 0)",
                    "数值为零请填写 0；未统计请删除这一行",
        "type 0 for zero; delete the row if the figure was not collected"),
}


def finding(code: str, location: Location | None = None, **values) -> Finding:
    severity, zh, en, hint, hint_en = MESSAGES[code]
    fmt = {k: ("" if v is None else v) for k, v in values.items()}
    return Finding(code=code, severity=severity, message_zh=zh.format_map(_Default(fmt)),
                   message_en=en.format_map(_Default(fmt)), hint=hint.format_map(_Default(fmt)),
                   hint_en=hint_en.format_map(_Default(fmt)), location=location or Location(), values=values)


class _Default(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(round(v, 10))


def _time_to_pair(t: _dt.time | _dt.datetime) -> str:
    return f"{t.hour}:{t.minute}" if t.minute else f"{t.hour}:0"


def parse_value(raw, vtype: str, *, element=None, location: Location | None = None,
                required: bool = False) -> Parsed:
    """Parse ``raw`` for an element of type count / amount / mean / rate / pair.

    Returns the value (a float; for ``pair`` the first term of a:b) and the findings.
    An empty cell gives ``value=None``: empty is "not reported", not zero. It gives no finding,
    unless ``required`` (a row that names an element but leaves its value empty).
    """
    names = {
        "element": element.zh if element is not None else "该项",
        "element_en": element.en if element is not None else "this item",
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
    if isinstance(raw, (int, float)) and not math.isfinite(raw):
        return Parsed(None, [finding("value.not_number", loc, raw=str(raw), **names)])
    if vtype == "pair" and isinstance(raw, str) and _NUMBER.match(raw.strip()):
        raw = float(raw.strip())  # a bare number where a ratio belongs: examined below
    if isinstance(raw, (int, float)):
        value = float(raw)
        text = _fmt(value)
        had_percent = False
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
        norm = unicodedata.normalize("NFKC", text)
        if norm != text:
            findings.append(None)  # placeholder, filled once the value is known
        norm = norm.replace(" ", "")
        if vtype == "pair":
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
            norm = norm[:-1]
        suffix = ""
        m = re.match(r"^(.*?\d)([^\d.]+)$", norm)
        if m and not had_percent:
            norm, suffix = m.group(1), m.group(2)
        thousands = "," in norm
        if thousands:
            if not re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", norm):
                return Parsed(None, findings_clean(findings) + [finding("value.not_number", loc, raw=text, **names)])
            norm = norm.replace(",", "")
        if not _NUMBER.match(norm):
            return Parsed(None, findings_clean(findings) + [finding("value.not_number", loc, raw=text, **names)])
        value = float(norm)
        findings = _fill(findings, loc, text, value, names)
        if thousands:
            findings.append(finding("value.thousands", loc, raw=text, value=_fmt(value), **names))
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
    return Parsed(value, findings)


def time_of_fraction(value: float) -> tuple[int, int] | None:
    """(hour, minute) when ``value`` is an Excel time of day in whole minutes (0.29375 = 7:03)."""
    if not 0 < value < 1:
        return None
    minutes = value * 24 * 60
    whole = round(minutes)
    if abs(whole - minutes) > 1e-6:
        return None
    return divmod(whole, 60)


def looks_like_time(text: str) -> bool:
    """"7:03", "07:03:00": a ratio cell that a spreadsheet turned into a clock time."""
    norm = unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("：", ":")
    if not _TIME_LIKE.match(norm):
        return False
    minutes = norm.split(":")[1]
    return minutes.startswith("0") or len(norm.split(":")) == 3


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

"""Arithmetic in words: how a fact was computed, written with its numbers (499 ÷ 1938 × 100 = 25.75%),
and where an observation was read from."""

from __future__ import annotations

from nianbao.check.text import joined, num
from nianbao.core import formula
from nianbao.core.findings import Location
from nianbao.core.formatting import value_text
from nianbao.core.messages import phrase
from nianbao.core.observations import origin_location

SOURCE_SEPARATOR = "；"  # between the sources in the source column of values.csv
_OPERATORS = {"zh": (" ÷ ", " × ", " − "), "en": (" / ", " * ", " - ")}


def location_of(*observations) -> Location:
    """Where the observations came from: values.csv:12 → values.csv 第12行; a figure imported
    from a school workbook → its file, sheet and cell."""
    obs = [o for o in observations if o is not None]
    if not obs:
        return Location()
    file, rows, sheet, cells = "", set(), "", []
    for o in obs:
        in_workbook = origin_location(o.origin)
        if in_workbook:  # imported from a school workbook: file, sheet and cell
            f, sh, c = in_workbook
            file, sheet = file or f, sheet or sh
            cells.append(c if sh == sheet else f"{sh}!{c}")
            continue
        f, _, row = (o.origin or "").rpartition(":")
        file = file or f
        if row.isdigit():
            rows.add(int(row))
    if cells:
        cell = joined(dict.fromkeys(cells), "zh")
    else:
        sheet = "values" if file.lower().endswith((".xlsx", ".xlsm")) else ""
        cell = phrase("where.row", row=sorted(rows)) if rows else ""
    sources = []
    for o in obs:
        for part in (o.source or "").split(SOURCE_SEPARATOR):
            if part.strip() and part.strip() not in sources:
                sources.append(part.strip())
    return Location(file=file, sheet=sheet, cell=cell, section=SOURCE_SEPARATOR.join(sources))


def expression_text(node, values: dict[str, float], lang: str = "zh") -> str:
    """A formula with each reference replaced by its value: (1365 + 4113)."""
    text = formula.to_text(node, lambda r: num(values[r.key]) if r.key in values else r.key)
    if lang == "en":
        text = text.replace("×", "*").replace("÷", "/")
    return f"({text})" if isinstance(node, formula.BinOp) and node.op in "+-" else text


def ratio_text(ind, values: dict[str, float], lang: str = "zh") -> str:
    """An indicator's numerator and denominator with their numbers: 499 ÷ 1938 × 100."""
    div, times, _ = _OPERATORS[lang]
    text = expression_text(ind.numerator_ast, values, lang)
    if ind.denominator_ast is not None:
        text += div + expression_text(ind.denominator_ast, values, lang)
    if ind.factor != 1:
        text += times + num(ind.factor)
    return text


def fact_arithmetic(fact, catalogue, lang: str = "zh") -> str:
    """How a fact's value came about, with its numbers."""
    if fact.kind == "ratio":
        values = {i.ref: i.value for i in fact.inputs}
        return f"{ratio_text(catalogue.indicator(fact.indicator), values, lang)} = {shown(fact)}"
    if fact.kind == "change":
        return phrase("fact.change_arithmetic", lang, period=fact.period, now=num(fact.numerator),
                      minus=_OPERATORS[lang][2], base_period=fact.base_period, before=num(fact.denominator),
                      change=signed(fact.value))
    origin = fact.inputs[0].origin if fact.inputs else ""
    return phrase("fact.as_printed" if fact.kind == "reported" else "fact.reported_origin", lang, origin=origin)


def shown(fact, extra: int = 0) -> str:
    """A fact's value with its unit, printed with ``extra`` more decimals than the catalogue asks."""
    text = value_text(fact.value, fact.style, fact.decimals + extra)
    if fact.style in ("number", "auto") and fact.unit_zh:
        text += fact.unit_zh
    return text


def signed(v: float) -> str:
    return ("+" if v > 0 else "") + num(v)

"""Arithmetic in words: how a fact was computed, written with its numbers (499 ÷ 1938 × 100 = 25.75%),
and where an observation was read from."""

from __future__ import annotations

from nianbao.check.rules import num
from nianbao.core import formula
from nianbao.core.findings import Location
from nianbao.core.formatting import value_text
from nianbao.core.observations import origin_location


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
        cell = "、".join(dict.fromkeys(cells))
    else:
        sheet = "values" if file.lower().endswith((".xlsx", ".xlsm")) else ""
        cell = f"第{'、'.join(str(r) for r in sorted(rows))}行" if rows else ""
    sources = []
    for o in obs:
        for part in (o.source or "").split("；"):
            if part.strip() and part.strip() not in sources:
                sources.append(part.strip())
    return Location(file=file, sheet=sheet, cell=cell, section="；".join(sources))


def expression_text(node, values: dict[str, float], lang: str = "zh") -> str:
    """A formula with each reference replaced by its value: (1365 + 4113)."""
    text = formula.to_text(node, lambda r: num(values[r.key]) if r.key in values else r.key)
    if lang == "en":
        text = text.replace("×", "*").replace("÷", "/")
    return f"({text})" if isinstance(node, formula.BinOp) and node.op in "+-" else text


def fact_arithmetic(fact, catalogue, lang: str = "zh") -> str:
    """How a fact's value came about, with its numbers."""
    if fact.kind == "ratio":
        ind = catalogue.indicator(fact.indicator)
        values = {i.ref: i.value for i in fact.inputs}
        text = expression_text(ind.numerator_ast, values, lang)
        if ind.denominator_ast is not None:
            div = " / " if lang == "en" else " ÷ "
            text += div + expression_text(ind.denominator_ast, values, lang)
        if fact.factor != 1:
            text += (" * " if lang == "en" else " × ") + num(fact.factor)
        return f"{text} = {shown(fact)}"
    if fact.kind == "change":
        now, before = fact.numerator, fact.denominator
        minus = " - " if lang == "en" else " − "
        return f"{fact.period}: {num(now)}{minus}{fact.base_period}: {num(before)} = {signed(fact.value)}" \
            if lang == "en" else f"{fact.period}年 {num(now)}{minus}{fact.base_period}年 {num(before)} = {signed(fact.value)}"
    origin = fact.inputs[0].origin if fact.inputs else ""
    if fact.kind == "reported":
        return f"as printed, {origin}" if lang == "en" else f"按印发值，{origin}"
    return f"reported, {origin}" if lang == "en" else f"报送值，{origin}"


def shown(fact, extra: int = 0) -> str:
    """A fact's value with its unit, printed with ``extra`` more decimals than the catalogue asks."""
    text = value_text(fact.value, fact.style, fact.decimals + extra)
    if fact.style in ("number", "auto") and fact.unit_zh:
        text += fact.unit_zh
    return text


def signed(v: float) -> str:
    return ("+" if v > 0 else "") + num(v)

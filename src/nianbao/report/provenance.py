"""Where a printed figure comes from, in words: the scope's name and the inputs of a fact, for the
appendix and the HTML's hover text."""

from __future__ import annotations

from nianbao.compute.facts import Fact
from nianbao.compute.standards import count_inputs_text
from nianbao.core.formatting import auto_text, number_text
from nianbao.report.school import rank_inputs_text


def scope_name(scope: str, catalogue) -> str:
    return "口径不一" if scope == "mixed" else catalogue.scope_label(scope)


def inputs_text(fact: Fact, catalogue) -> str:
    """The data a fact used, as printed in the appendix: name, year, value, scope and source.
    A change lists the two printed (rounded) values it subtracts."""
    if fact.kind == "change":
        now, before = (number_text(v, fact.decimals) for v in (fact.numerator, fact.denominator))
        scopes = "、".join(f"{i.period}年{scope_name(i.scope, catalogue)}" for i in fact.inputs)
        return f"{fact.period}年 {now} − {fact.base_period}年 {before}（{scopes}）"
    if fact.kind == "rank":
        return rank_inputs_text(fact)
    if fact.kind in ("count", "share"):
        return count_inputs_text(fact)
    parts = []
    for i in fact.inputs:
        where = "；".join(x for x in (i.source, i.origin) if x)
        source = f"，来源：{where}" if where else ""
        parts.append(f"{i.label_zh}（{i.period}年） = {auto_text(i.value, 4)}（{scope_name(i.scope, catalogue)}{source}）")
    return "；".join(parts)

"""Where a printed figure comes from, in words: the scope's name and the inputs of a fact, for the
appendix and the HTML's hover text."""

from __future__ import annotations

from nianbao.compute.facts import Fact
from nianbao.compute.standards import count_inputs_text
from nianbao.core.formatting import auto_text, number_text
from nianbao.report.school import rank_inputs_text
from nianbao.report.wording import Wording


def scope_name(scope: str, catalogue) -> str:
    return Wording.of(catalogue)("scope.mixed") if scope == "mixed" else catalogue.scope_label(scope)


def inputs_text(fact: Fact, catalogue) -> str:
    """The data a fact used, as printed in the appendix: name, year, value, scope and source.
    A change lists the two printed (rounded) values it subtracts."""
    w = Wording.of(catalogue)
    if fact.kind == "change":
        now, before = (number_text(v, fact.decimals) for v in (fact.numerator, fact.denominator))
        scopes = w.join(w.year(i.period) + scope_name(i.scope, catalogue) for i in fact.inputs)
        return w("provenance.change", period=fact.period, now=now, base=fact.base_period, before=before,
                 scopes=scopes)
    if fact.kind == "rank":
        return rank_inputs_text(fact, w)
    if fact.kind in ("count", "share"):
        return count_inputs_text(fact)
    parts = []
    sep = w("clause_sep")
    for i in fact.inputs:
        where = sep.join(x for x in (i.source, i.origin) if x)
        source = w("provenance.source", where=where) if where else ""
        parts.append(w("provenance.input", label=i.label_zh, period=i.period, value=auto_text(i.value, 4),
                       scope=scope_name(i.scope, catalogue), source=source))
    return sep.join(parts)

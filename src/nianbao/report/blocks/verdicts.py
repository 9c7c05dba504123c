"""``verdicts: KEY`` (school reports) — a sentence naming the criteria of a standard the school
does not meet, worded as the outline's ``verdicts`` KEY says ({standard}, {items}; in item_zh
{criterion}, {value}, {threshold})."""

from __future__ import annotations

from nianbao.compute.standards import threshold_text
from nianbao.report import phrases
from nianbao.report.blocks import block
from nianbao.report.document import Paragraph
from nianbao.report.runs import Run, merge_runs, text
from nianbao.report.standards import school_result


@block("verdicts", defined_in="verdicts")
def verdicts(b, req) -> None:
    spec, section = req.spec, req.section
    found = school_result(b, str(spec.get("standard", "")), section)
    if not found:
        return
    w = b.words
    std, res = found
    names = {**b.names, "standard": std["zh"]}
    what = w("what.against_standard", standard=std["zh"], what=w("what.verdicts"))
    if not res.applicable:
        b.omit(section, what, w("reason.standard_not_applicable"))
        return
    unmet = [v for v in res.verdicts if v.met is False]
    if not unmet:
        if any(v.met for v in res.verdicts):
            b.add(Paragraph([text(spec["met_zh"].format(**names))]))
        else:
            b.omit(section, what, w("reason.nothing_to_judge"))
        return
    items: list[Run] = []
    for i, v in enumerate(unmet):
        fact = b.facts.get(v.indicator, b.year)
        before, _, after = spec["item_zh"].partition("{value}")
        if i:
            items.append(text(w("list_sep")))
        items.append(text(before.format(criterion=v.zh)))
        items.extend(phrases.value_runs(fact, words=w))
        items.append(text(after.format(threshold=threshold_text(v).replace(" ", ""))))
    head, _, tail = spec["unmet_zh"].partition("{items}")
    runs = [text(head.format(**names))] + items + [text(tail.format(**names))]
    b.add(Paragraph(merge_runs(runs)))

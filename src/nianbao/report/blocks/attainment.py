"""``attainment: KEY`` (area reports) — how many of the unit's schools meet all criteria of a
standard, and which criteria the most and the fewest meet, worded as the outline's
``attainment`` KEY says (zh with {standard}, {org}, {year}, {assessed}, {met}, {share},
{no_data}; no_data_zh; spread_zh with {highest}, {lowest}; even_zh with {share}; item_zh with
{criterion}, {share})."""

from __future__ import annotations

from nianbao.report import phrases
from nianbao.report.blocks import block
from nianbao.report.document import Paragraph
from nianbao.report.runs import Run, fill_runs, merge_runs, text
from nianbao.report.standards import area_attainment


@block("attainment", defined_in="attainment")
def attainment(b, req) -> None:
    w = b.words
    spec, section = req.spec, req.section
    found = area_attainment(b, str(spec.get("standard", "")), section, w("what.attainment"))
    if not found:
        return
    whole = found.all
    if whole.share is None:
        b.omit(section, w("what.against_standard", standard=found.std["zh"], what=w("what.attainment")),
               w("reason.no_school_judged"))
        return
    try:
        runs = wording_runs(b, spec, found)
    except KeyError as exc:
        b.error("report.bad_wording", section, key=req.key, missing=str(exc))
        return
    b.add(Paragraph(merge_runs(runs)))


def wording_runs(b, spec: dict, found) -> list[Run]:
    """The outline's wording filled with the counts and shares; KeyError for a wording or
    placeholder the outline lacks."""
    w = b.words

    def value(fact):
        return phrases.value_runs(fact, words=w)
    whole = found.all
    values = {**b.names, "standard": found.std["zh"], "year": str(b.year), "assessed": value(whole.assessed),
              "met": value(whole.met), "share": value(whole.share), "no_data": value(whole.no_data)}
    runs = fill_runs(spec["zh"], values)
    if whole.no_data.value:
        runs += fill_runs(spec["no_data_zh"], values)
    rated = [r for r in found.criteria if r.share is not None]
    if not rated:
        return runs
    top = max(r.share.rounded for r in rated)
    low = min(r.share.rounded for r in rated)

    def items(share) -> list[Run]:
        out: list[Run] = []
        for r in (r for r in rated if r.share.rounded == share):
            out += ([text(w("list_sep"))] if out else []) + fill_runs(
                spec["item_zh"], {"criterion": r.zh, "share": value(r.share)})
        return out
    if top == low:
        return runs + fill_runs(spec["even_zh"], {"share": value(rated[0].share)})
    return runs + fill_runs(spec["spread_zh"], {"highest": items(top), "lowest": items(low)})

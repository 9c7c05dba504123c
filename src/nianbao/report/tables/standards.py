"""``layout: standards`` (school reports) — the school against each criterion of ``standard``
(standards.yaml): its value, the threshold and the verdict."""

from __future__ import annotations

from nianbao.compute.standards import threshold_text
from nianbao.report import phrases
from nianbao.report.document import Cell, Paragraph, Table
from nianbao.report.runs import text
from nianbao.report.school import profile_label
from nianbao.report.standards import named, school_result, school_type_label
from nianbao.report.tables import layout


@layout("standards")
def standards(b, t):
    found = school_result(b, str(t.spec.get("standard", "")), t.section)
    if found is None:
        return None
    w = b.words
    std, res = found
    if not res.applicable:
        reason = school_type_label(res.reason_zh, b.school.school_type, b.cat, lambda s: w("paren", text=s))
        return Paragraph([text(w("standards.not_applicable", standard=std["zh"], reason=reason))], "note")
    rows, overrides = [], []
    for v in res.verdicts:
        fact = b.facts.get(v.indicator, b.year) if v.value is not None else None
        if v.threshold_note:
            overrides.append(w("standards.override", criterion=v.zh,
                               profile=profile_label(v.threshold_note, b.plan, b.cat, w)))
        rows.append([Cell([text(v.zh)], align="left"),
                     Cell(phrases.value_runs(fact, words=w) if fact is not None else [text(w.no_data)]),
                     Cell([text(threshold_text(v))]), Cell([text(v.verdict_zh)])])
    if not rows:
        b.omit(t.section, w("what.table", title=std["zh"]), w("reason.no_criterion_applies"))
        return None
    notes = [named(std, w)] + overrides
    if any(v.informative for v in res.verdicts):
        notes.append(w("standards.informative"))
    if any(v.met is None and not v.informative for v in res.verdicts):
        notes.append(w("standards.unreported"))
    if std.get("not_modelled_zh"):
        notes.append(w("standards.not_modelled", what=std["not_modelled_zh"]))
    return Table(t.key, "", "", w.list("standards.header"), rows, notes)

"""``sentence: KEY`` — a paragraph from a sentence template of the outline (``sentences``),
with a note under it when a figure's numerator and denominator differ in scope."""

from __future__ import annotations

from nianbao.report.blocks import block


@block("sentence", defined_in="sentences")
def sentence(b, req) -> None:
    where = b.words("where.sentence", section=req.section, key=req.key)
    runs = b.sentence_runs(req.spec["zh"], req.section, where, req.spec.get("what_zh", b.words("what.sentence")))
    if runs is None:  # no clause has its figures: left out, its figures listed as not reported
        return
    b.paragraph_with_notes(runs)

"""``sentence: KEY`` — a paragraph from a sentence template of the outline (``sentences``),
with a note under it when a figure's numerator and denominator differ in scope."""

from __future__ import annotations

from nianbao.report.blocks import block


@block("sentence")
def sentence(b, key, section: str) -> None:
    key = str(key)
    spec = b.lookup("sentences", key, section)
    if spec is None:
        return
    runs = b.sentence_runs(spec["zh"], section, b.words("where.sentence", section=section, key=key),
                           spec.get("what_zh", b.words("what.sentence")))
    if runs is None:
        if not b.optional:
            b.placeholder("sentence", key=key)
        return
    b.paragraph_with_notes(runs)

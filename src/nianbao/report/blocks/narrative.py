"""``narrative: ID`` — the text a bureau or school wrote (narrative/ID.md, or
narrative/<学校标识码>/ID.md in a school's report): paragraphs, headings and bullets, with
placeholders rendered as figures like a sentence's."""

from __future__ import annotations

from nianbao.core.findings import Location
from nianbao.core.messages import finding
from nianbao.report.blocks import block
from nianbao.report.document import Heading, Paragraph
from nianbao.report.markdown import bold_pieces, markdown_blocks, strip_comments
from nianbao.report.runs import Run, text


@block("narrative")
def narrative(b, req) -> None:
    key, section = req.key, req.section
    body = b.narratives.get(key)
    if not body or not strip_comments(body).strip():
        folder = "narrative" if b.school is None else f"narrative/{b.school.code}"
        # left out of the report (a section left empty says so in one line); nianbao check lists it
        b.omitted.append(finding("report.missing_narrative", Location(section=section), section=section,
                                 folder=folder, key=key))
        return
    b.optional = False  # `optional` concerns a missing text; figures in a text must have data
    for kind, content in markdown_blocks(body):
        if kind == "heading":
            b.add(Heading(3, "", content))
            continue
        runs = narrative_runs(b, content, section, key)
        if runs:
            b.add(Paragraph(runs, "bullet" if kind == "bullet" else "body"))


def narrative_runs(b, content: str, section: str, key: str) -> list[Run]:
    runs: list[Run] = []
    for piece, bold in bold_pieces(content):
        if "{" in piece:
            # a piece none of whose figures has data is left out (its figures are listed as not
            # reported), never printed with its placeholders
            rendered = b.sentence_runs(piece, section, f"narrative/{key}.md")
            part = rendered or []
        else:
            part = [text(piece)]
        runs.extend(Run(r.text, r.fact, r.figure, bold=True) if bold else r for r in part)
    return runs

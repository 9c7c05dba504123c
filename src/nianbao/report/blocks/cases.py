"""``cases: KEY`` — the 典型案例 of a part: the texts narrative/case-KEY-1.md, case-KEY-2.md …
(in a school's report narrative/<学校标识码>/case-KEY-N.md), each headed ``# 标题`` and at most
1 000 字 (汉字 and other characters, spaces and markup not counted), numbered 案例1, 案例2 …
through the report in the order of the outline. ``case_list: all`` — the 案例目录: every case
of the outline with its number, title and section (wherever the block stands, it lists the
cases of the whole outline)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.report.blocks import block
from nianbao.report.blocks.narrative import narrative_runs
from nianbao.report.document import Heading, Paragraph
from nianbao.report.markdown import markdown_blocks, strip_comments
from nianbao.report.runs import text

MAX_CHARS = 1000  # “每个案例不超过1000字” (沪教委职〔2021〕21号)
_MARKUP = re.compile(r"[\s#*`>\-_|]")


@dataclass(frozen=True)
class Case:
    number: int
    key: str  # the cases block's key (a part id)
    name: str  # the narrative's id: case-KEY-N
    title: str
    section: str
    body: str


def case_length(body: str) -> int:
    """The characters a reader counts (字): spaces, line breaks and Markdown markup left out."""
    return len(_MARKUP.sub("", strip_comments(body)))


def _title_and_body(body: str) -> tuple[str, str]:
    lines = strip_comments(body).strip().splitlines()
    if lines and lines[0].startswith("#"):
        return lines[0].lstrip("#").strip(), "\n".join(lines[1:]).strip()
    return "", "\n".join(lines).strip()


def _case_number(name: str, key: str) -> int:
    tail = name[len(f"case-{key}-"):]
    return int(tail) if tail.isdigit() else 10**6


def outline_cases(b) -> list[Case]:
    """Every case the outline being built holds, numbered in the order of the outline."""
    cases, n = [], 0
    for part in b.plan.get("parts", []):
        for sec in part.get("sections", []):
            for blk in sec.get("blocks", []):
                if "cases" not in blk:
                    continue
                key = str(blk["cases"])
                names = sorted((k for k in b.narratives if k.startswith(f"case-{key}-")),
                               key=lambda k: (_case_number(k, key), k))
                for name in names:
                    title, body = _title_and_body(b.narratives[name])
                    if not body:
                        continue
                    n += 1
                    cases.append(Case(n, key, name, title or b.words("cases.number", n=n), sec["id"], body))
    return cases


@block("cases")
def cases(b, req) -> None:
    mine = [c for c in outline_cases(b) if c.key == str(req.key) and c.section == req.section]
    if not mine:
        if not b.optional:
            b.warn("outline.no_cases", req.section, key=req.key,
                   folder="narrative" if b.school is None else f"narrative/{b.school.code}")
        return
    for c in mine:
        number = b.words("cases.number", n=c.number)
        b.add(Heading(3, "", b.words("cases.caption", number=number, title=c.title)))
        length = case_length(c.body)
        if length > MAX_CHARS:
            b.warn("outline.case_too_long", req.section, name=c.name, number=number, length=length, limit=MAX_CHARS)
        for kind, content in markdown_blocks(c.body):
            if kind == "heading":
                b.add(Heading(3, "", content))
                continue
            runs = narrative_runs(b, content, req.section, c.name)
            if runs:
                b.add(Paragraph(runs, "bullet" if kind == "bullet" else "body"))


@block("case_list")
def case_list(b, req) -> None:
    found = outline_cases(b)
    if not found:
        b.add(Paragraph([text(b.words("cases.none"))], "note"))
        return
    for c in found:
        number = b.words("cases.number", n=c.number)
        b.add(Paragraph([text(b.words("cases.list_item", number=number, title=c.title, section=c.section))], "bullet"))

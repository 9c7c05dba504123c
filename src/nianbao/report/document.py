"""The document model (报告文档): headings, paragraphs of runs, tables of cells and charts, with
every fact shown. Renderers (Word, HTML) lay this model out; none looks up or formats a number."""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.compute.facts import Fact
from nianbao.core.errors import NianbaoError
from nianbao.core.findings import Finding
from nianbao.report.runs import Run
from nianbao.report.wording import Wording


# -- blocks -------------------------------------------------------------------------------
@dataclass
class Heading:
    level: int  # 1 part, 2 section, 3 sub-heading inside a narrative
    number: str
    title: str
    anchor: str = ""

    @property
    def bookmark(self) -> str:
        """Word bookmark name (hidden: starts with _Toc, like Word's own TOC bookmarks)."""
        return "_Toc_" + self.anchor.replace("-", "_")

    @property
    def text(self) -> str:
        if not self.number:
            return self.title
        return f"{self.number}. {self.title}" if self.level == 1 else f"{self.number} {self.title}"


@dataclass
class Paragraph:
    runs: list[Run]
    style: str = "body"  # body | note | placeholder | bullet


@dataclass
class Cell:
    runs: list[Run]
    align: str = "center"  # center | left
    span: int = 1  # columns this cell spans (a group row of the appendix)


@dataclass
class Table:
    key: str
    number: str  # 表一
    title: str
    header: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    caption: str = ""  # 表一：… (number and title, as the outline's phrases join them)
    periods: list = field(default_factory=list)  # the years it shows (its title's span), when it has years


@dataclass
class Chart:
    key: str
    number: str  # 图一
    title: str
    spec: object  # charts.ChartSpec
    png: bytes = b""
    printed: list[Run] = field(default_factory=list)  # the value labels drawn on it
    caption: str = ""  # 图一：…


@dataclass
class Document:
    title: str
    subtitle: str
    org: str
    year: int
    blocks: list
    facts: dict[str, Fact]  # every fact shown, in order of first appearance
    warnings: list[Finding]
    errors: list[Finding]
    org_code: str = ""
    omitted: list[Finding] = field(default_factory=list)  # optional blocks left out for lack of data
    publisher: str = ""  # the issuing body (dataset.yaml publisher_zh), on the cover
    issued: str = ""  # the date on the cover (dataset.yaml issued, or the build date)
    empty_sections: list[str] = field(default_factory=list)  # sections the data left with nothing to print
    words: Wording | None = None  # the phrases renderers print (目录, 注：…); default: the default catalogue's

    def __post_init__(self):
        if self.words is None:
            self.words = Wording.default()

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]

    def runs(self):
        """Every run of the document with where it is printed (for the self-check)."""
        for b in self.blocks:
            if isinstance(b, Paragraph):
                yield from ((r, "text") for r in b.runs)
            elif isinstance(b, Table):
                for row in b.rows:
                    for cell in row:
                        yield from ((r, b.number or b.title) for r in cell.runs)
            elif isinstance(b, Chart):
                yield from ((r, b.number) for r in b.printed)


class ReportError(NianbaoError):
    """The report cannot be built; carries the findings that say why."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(f.message_zh for f in findings[:3]))


def problem_text(f: Finding) -> str:
    """A finding as the text of an exception: message and how to fix it, Chinese / English."""
    en = f.message_en + (" " + f.hint_en if f.hint_en else "")
    return f"{f.message_zh}{f.hint} / {en}"

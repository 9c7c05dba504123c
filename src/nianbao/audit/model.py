"""The nouns of an audit: where a figure was printed (Where), the blocks a reader gives
(paragraphs, tables, chart data) and the claims read from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.messages import finding


@dataclass
class Where:
    """Where a figure was printed: page (PDF), paragraph (counted from 1 in reading order),
    table and cell (row, column from 1), chart, and the section heading above it."""
    para: int | None = None
    page: int | None = None
    table: str = ""  # the table's caption number as printed (表一) or 表N in reading order
    row: int | None = None
    col: int | None = None
    chart: str = ""
    section: str = ""

    def text(self, lang: str = "zh") -> str:
        parts = []
        if self.section:
            parts.append(self.section)
        if self.page is not None:
            parts.append(f"第{self.page}页" if lang == "zh" else f"p. {self.page}")
        if self.chart:
            parts.append(f"图表数据“{self.chart}”" if lang == "zh" else f"chart data '{self.chart}'")
        elif self.table:
            cell = ""
            if self.row is not None:
                cell = f"第{self.row}行第{self.col}列" if lang == "zh" else f" row {self.row}, col {self.col}"
            parts.append(f"{self.table}{cell}")
        elif self.para is not None:
            parts.append(f"第{self.para}段" if lang == "zh" else f"para. {self.para}")
        return " ".join(parts)


@dataclass
class Block:
    kind: str  # para | table | chart
    text: str = ""
    rows: list[list[str | None]] = field(default_factory=list)  # table cells; None: covered by a merged cell
    where: Where = field(default_factory=Where)
    heading: bool = False
    caption: str = ""  # a table's or chart's title
    notes: list[str] = field(default_factory=list)  # "注：" lines under a table
    series: list[tuple[str, str, str]] = field(default_factory=list)  # chart: (head, label, value)
    anchor: int | None = None  # DOCX: index of the paragraph among all w:p of the body (for comments)
    cell_anchors: dict = field(default_factory=dict)  # DOCX tables: (row, col) → paragraph index


@dataclass
class Source:
    path: str
    kind: str  # docx | pdf | txt | html
    blocks: list[Block]
    pages: int | None = None
    title: str = ""


@dataclass
class Claim:
    """A figure as printed. ``value`` is the number in ``unit`` after 万/亿 multipliers
    (2.32万元 → 23200 元); a share's value is in percent; a change keeps its sign (−2957)."""
    raw: str
    kind: str  # count | amount | percent | pp | ratio | pair | time | change | flat
    value: float
    decimals: int
    unit: str
    label: str  # as printed
    where: Where
    period: int | None = None
    base_period: int | None = None
    scope: str = ""  # "" or a catalogue scope code
    of: str = ""  # what a share is a share of, as printed ("" when not said)
    form: str = ""  # "" text or table; chart
    context: str = ""  # the sentence or the table row
    target: str = ""  # catalogue element or indicator code
    dims: tuple = ()
    firm: bool = True  # False: the label could mean something else
    total: bool = False  # printed as a total (共有, 总数, a table column)
    qualifier: str = ""  # 约, 以上, 左右, 近 …
    signed: bool = False  # a change printed with a direction (增加/减少, +/−)
    sentence: int = 0  # index of the sentence (claims of one sentence share it)
    block: int = 0  # index of the block
    span: tuple[int, int] = (0, 0)  # character offsets in the block's text (paragraphs)
    table_ref: str = ""  # chart data: the table whose figures the chart draws
    after: str = ""  # the words right after the figure ("34所中职学校" → 中职学校)
    note: str = ""
    id: int = 0


class AuditInputError(FindingsError):
    """A report that cannot be audited at all; carries one finding that says why."""


def input_error(code: str, path, **values) -> AuditInputError:
    """The error of a report that cannot be audited: one finding ``code`` naming the file."""
    return AuditInputError([finding(code, Location(file=str(path)), file=str(path), **values)])


def first(findings: list[Finding]) -> Finding:
    return findings[0]

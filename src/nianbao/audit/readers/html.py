"""HTML: headings, paragraphs, list items and tables (colspan and rowspan read once), with the
standard library's parser; scripts and styles are left out."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from nianbao.audit.model import Block, Source, Where
from nianbao.audit.readers.common import clean, heading_number
from nianbao.audit.readers.text import decode

BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "caption", "figcaption", "div", "section", "article",
              "blockquote", "pre", "dt", "dd", "title"}
SKIP = {"script", "style", "head", "noscript", "svg", "template"}


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.skip = 0
        self.tables: list[dict] = []  # stack: rows, current row, current cell text, spans
        self.para = 0
        self.title = ""
        self._in_title = False

    # text outside tables --------------------------------------------------------------------
    def flush(self):
        text = clean("".join(self.buf))
        self.buf = []
        if not text:
            return
        for line in text.split("\n"):
            line = clean(line)
            if line:
                self.para += 1
                self.blocks.append(Block(kind="para", text=line, where=Where(para=self.para),
                                         heading=bool(heading_number(line))))

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            if tag == "head":
                self.skip += 1
            else:
                self.skip += 1
            return
        if self.skip:
            return
        a = dict(attrs)
        if tag == "table":
            self.flush()
            self.tables.append({"rows": [], "row": None, "cell": None, "span": {}})
        elif self.tables and tag == "tr":
            t = self.tables[-1]
            t["row"] = []
            t["rows"].append(t["row"])
        elif self.tables and tag in ("td", "th"):
            t = self.tables[-1]
            if t["row"] is None:
                t["row"] = []
                t["rows"].append(t["row"])
            t["cell"] = {"text": [], "colspan": _int(a.get("colspan")), "rowspan": _int(a.get("rowspan"))}
        elif tag == "br":
            self._text("\n")
        elif tag in BLOCK_TAGS and not self.tables:
            self.flush()

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if self.tables and tag in ("td", "th"):
            t = self.tables[-1]
            c = t["cell"]
            if c is not None:
                t["row"].append((clean(" ".join("".join(c["text"]).split())), c["colspan"], c["rowspan"]))
            t["cell"] = None
        elif self.tables and tag == "table":
            t = self.tables.pop()
            self.blocks.append(Block(kind="table", rows=_grid(t["rows"])))
        elif tag in BLOCK_TAGS and not self.tables:
            self.flush()

    def handle_data(self, data):
        if self.skip:
            return
        self._text(data)

    def _text(self, data):
        if self.tables:
            c = self.tables[-1]["cell"]
            if c is not None:
                c["text"].append(data)
            return
        self.buf.append(data)


def _int(v) -> int:
    try:
        return max(1, int(v))
    except (TypeError, ValueError):
        return 1


def _grid(rows) -> list[list[str | None]]:
    """Cells placed on a grid: a cell spanning columns or rows fills the others with None."""
    grid: dict[tuple[int, int], str | None] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, colspan, rowspan in row:
            while (r, c) in grid:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else None
            c += colspan
    if not grid:
        return []
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c), None) for c in range(width)] for r in range(height)]


def read_html(path: Path) -> Source:
    text = decode(path.read_bytes(), path)
    p = _Parser()
    p.feed(text)
    p.close()
    p.flush()
    return Source(path=str(path), kind="html", blocks=p.blocks)

"""The cells of one worksheet, read so that no cell can stop the reading.

openpyxl turns each cell of a sheet's XML into a Python value and fails on the whole sheet when
one cell is malformed (``<v>NaN</v>`` in a number cell, ``1.2.3``, a shared string that is not
there, ``t="b"`` holding ``x``). Here each such cell becomes a :class:`BadCell` that keeps the
text found in the file, so that the reader can name the cell; a number that a double cannot hold
(``1e309``, 309 digits) is a BadCell too, and so is a value written in a form its cell type does
not allow (``1_000``, ``٢٢٨٦٣`` in a number cell, a shared-string index of ``-1``), which
Python's ``int`` would otherwise read as some number. A sheet whose XML is not well formed (a raw control
character such as 0x01) cannot be read at all: :attr:`SheetCells.broken` then names the cell
the parser stopped in.

Besides the values, a sheet gives what a reader needs to see what the school saw: the number
format of numeric cells shown as a percentage (a cell holding 1 under the format ``0%`` shows
100%), and the merged ranges.

Control characters (U+0000–U+001F except tab and line breaks, U+007F–U+009F) are found in text
cells both raw and in Excel's escaped form ``_x0001_`` (which openpyxl leaves as written).

A cell the XML holds twice (Excel never writes that; a hand edit or another program may) is a
BadCell of kind ``twice`` that shows both contents: openpyxl would keep the last without a word.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import iterparse

from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser

from nianbao.core.findings import FindingsError

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class BadCell:
    """A cell whose stored content cannot be read as what its type says."""
    text: str  # the content as written in the file
    kind: str  # the cell type of the XML (n number, s shared string, b true/false, d date, e error),
    # or too_large: a number that a double cannot hold, or not finite; or twice: the sheet's XML
    # holds the cell twice (``text`` then shows both contents)

    def __str__(self) -> str:
        return self.text


@dataclass
class SheetCells:
    values: dict[tuple[int, int], object] = field(default_factory=dict)
    percent: set[tuple[int, int]] = field(default_factory=set)  # numbers shown as a percentage
    merged: list[str] = field(default_factory=list)  # ranges such as "F4:F5"
    broken: str | None = None  # the sheet's XML is not well formed: the cell it stops in (or "")

    def merged_ranges(self) -> dict[str, list[tuple[int, int]]]:
        """Each merged range once (a range written twice is one) → its cells, the top-left first.
        Ranges may overlap: a cell is listed under every range that covers it."""
        out: dict[str, list[tuple[int, int]]] = {}
        for rng in self.merged:
            try:
                c1, r1, c2, r2 = range_boundaries(rng)
            except (ValueError, TypeError):
                continue
            if None in (c1, r1, c2, r2):
                continue  # a whole row or column: no sheet of the template is merged so
            out.setdefault(rng, [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)])
        return out


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only worksheet that does not scan its part for a declared size when it is opened
    (openpyxl parses every sheet of the workbook for it, about a quarter of the reading time):
    :func:`read_sheet` reads every cell and needs no size."""

    def _get_size(self):
        return None


class _Reader(ExcelReader):
    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)


def open_workbook(stream, data_only: bool = False):
    """A workbook opened read-only for :func:`read_sheet` (sheets by name, shared strings,
    styles); chart sheets are left out. The caller closes it."""
    reader = _Reader(stream, read_only=True, data_only=data_only, keep_links=False)
    reader.read()
    return reader.wb


def cell_name(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def control_chars(text: str) -> list[str]:
    """The control characters of a text (raw or escaped as _xHHHH_), as U+XXXX."""
    found = [f"U+{ord(ch):04X}" for ch in text if _is_control(ch)]
    found += [f"U+{int(h, 16):04X}" for h in _ESCAPE.findall(text) if _is_control(chr(int(h, 16)))]
    return list(dict.fromkeys(found))


def _is_control(ch: str) -> bool:
    o = ord(ch)
    return (o < 0x20 and ch not in "\t\n\r") or 0x7F <= o <= 0x9F


def _is_percent_format(fmt: str) -> bool:
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt or "")
    return "%" in bare


# the lexical forms the cell types allow (ECMA-376 and XML Schema: xsd:double, xsd:unsignedInt,
# xsd:boolean as Excel writes it). Python's int() and float() are wider — they take "1_000", "٢٢٨٦٣"
# and "２２８６３" — so a cell is checked against these before openpyxl converts it: a number the
# format does not allow is a bad cell, not a figure read some way of Python's choosing.
_LEXICAL = {
    "n": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN", re.ASCII),
    "s": re.compile(r"[0-9]+", re.ASCII),
    "b": re.compile(r"[01]", re.ASCII),
}


def _lexical_ok(element, data_only: bool) -> bool:
    """The value of a number, shared-string or true/false cell is written as its type allows (the
    formula of a cell is read instead of its value, unless only values are read)."""
    pattern = _LEXICAL.get(element.get("t", "n"))
    if pattern is None or (not data_only and element.find(FORMULA_TAG) is not None):
        return True
    text = element.findtext(VALUE_TAG, None)
    return not text or pattern.fullmatch(text.strip(" \t\r\n")) is not None


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_INLINE, _T, _RUN, _MERGE_CELL = _NS + "is", _NS + "t", _NS + "r", _NS + "mergeCell"
# the elements a row's cells are made of: left whole until their row is read
_IN_ROW = {_NS + t for t in ("c", "v", "f", "is", "t", "r", "rPr", "rPh", "phoneticPr")}


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, one cell at a time forgiving, reading only the rows and the
    merged ranges (a school's workbook carries a data validation for every input cell; openpyxl
    would turn each into an object, and the sheet's views, print settings and formatting too)."""

    def parse(self):
        # the C parser of the standard library, not defusedxml's pure-Python one: a sheet reaches
        # this parser only after core.inputs found no DOCTYPE in any part of the package, so it
        # declares no entity to expand and names no external one to fetch
        self.merged_refs: list[str] = []
        for _, element in iterparse(self.source):
            tag = element.tag
            if tag == ROW_TAG:
                yield self.parse_row(element)
                element.clear()
            elif tag == _MERGE_CELL:
                self.merged_refs.append(element.get("ref") or "")
                element.clear()
            elif tag not in _IN_ROW:  # any other part of the sheet, read past
                element.clear()

    def _inline(self, element):
        """An inline text cell (as nianbao's workbooks write their texts): the text of its
        ``<is>``, plain and formatted runs joined, without building openpyxl's rich-text objects."""
        child = element.find(_INLINE)
        if child is None:
            return None
        plain = child.findtext(_T)
        parts = [] if plain is None else [plain]
        parts += [t for r in child.iterfind(_RUN) if (t := r.findtext(_T)) is not None]
        return "".join(parts)

    def parse_cell(self, element):
        if element.get("t") == "inlineStr" and (self.data_only or element.find(FORMULA_TAG) is None):
            return self._inline_cell(element)
        try:
            if not _lexical_ok(element, self.data_only):
                raise ValueError(element.findtext(VALUE_TAG, ""))
            cell = super().parse_cell(element)
        except (ValueError, IndexError, KeyError, TypeError, OverflowError):
            text = element.findtext(VALUE_TAG, "") or ""
            try:
                row, column = coordinate_to_tuple(element.get("r") or "")
            except (ValueError, TypeError):
                row, column = self.row_counter, self.col_counter
            return {"row": row, "column": column, "value": BadCell(text, element.get("t", "n")),
                    "data_type": "e", "style_id": 0}
        value = cell["value"]
        if isinstance(value, float) and not math.isfinite(value) or (
                isinstance(value, int) and not isinstance(value, bool) and _too_large(value)):
            cell["value"] = BadCell(element.findtext(VALUE_TAG, "") or "", "too_large")
        return cell


    def _inline_cell(self, element):
        """The cell as openpyxl's parser would give it, a cell it cannot place (a coordinate or
        style that is not a number) a BadCell."""
        coordinate, style = element.get("r"), element.get("s", 0)
        try:
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            style = int(style) if style else 0
        except (ValueError, TypeError):
            return {"row": self.row_counter, "column": self.col_counter, "value": BadCell("", "inlineStr"),
                    "data_type": "e", "style_id": 0}
        value = self._inline(element)
        return {"row": row, "column": column, "value": value, "data_type": "s" if value is not None else "n",
                "style_id": style}


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:20] + "…"


def _too_large(value: int) -> bool:
    try:
        float(value)
    except OverflowError:
        return True
    return False


def read_sheet(ws, deadline=None) -> SheetCells:
    """Every non-empty cell of a read-only worksheet (openpyxl), never raising on its content;
    only the file's time limit (``deadline``, an ``inputs.Deadline``) ends it with its finding."""
    out = SheetCells()
    parent = ws.parent
    formats: dict[int, bool] = {}
    try:
        with ws._get_source() as src:
            parser = _Parser(src, ws._shared_strings, data_only=parent.data_only, epoch=parent.epoch,
                             date_formats=parent._date_formats, timedelta_formats=parent._timedelta_formats)
            for n, (_, cells) in enumerate(parser.parse(), start=1):
                if deadline is not None and n % 512 == 0:
                    deadline.check()
                for c in cells:
                    v, key = c["value"], (c["row"], c["column"])
                    if v is None:
                        continue
                    if key in out.values:  # the same cell written twice: which figure is meant?
                        first = out.values[key]
                        first = first.text if isinstance(first, BadCell) else first
                        v = BadCell(f"{_short(first)} / {_short(v)}", "twice")
                    out.values[key] = v
                    style = c["style_id"]
                    if style and isinstance(v, (int, float)) and not isinstance(v, bool):
                        if style not in formats:
                            try:
                                fmt = ReadOnlyCell(ws, key[0], key[1], v, "n", style).number_format
                            except IndexError:  # a style the workbook does not define: no format
                                fmt = "General"
                            formats[style] = _is_percent_format(fmt)
                        if formats[style]:
                            out.percent.add(key)
            out.merged = [ref for ref in parser.merged_refs if ref]
    except FindingsError:  # the file's time limit, not its content
        raise
    except Exception as exc:  # any parser failure ends this sheet, with a finding naming the cell
        out.broken = _cell_at(ws, getattr(exc, "position", None))
    return out


def _cell_at(ws, position) -> str:
    """The cell whose XML holds ``position`` (line, column) of the sheet's part, if any."""
    if not position:
        return ""
    try:
        with ws._get_source() as src:
            lines = src.read().split(b"\n")
        line, column = position
        offset = sum(len(x) + 1 for x in lines[:line - 1]) + column
        data = b"\n".join(lines)[:offset]
    except Exception:  # the part cannot be read again: the sheet is named without a cell
        return ""
    m = list(re.finditer(rb'<c\b[^>]*\br="([A-Z]{1,3}[0-9]{1,7})"', data))
    return m[-1].group(1).decode("ascii") if m else ""


def value_rows(cells: SheetCells) -> list[tuple]:
    """The values of a sheet as rows of equal width, from row 1 (like openpyxl's
    ``iter_rows(values_only=True)``)."""
    if not cells.values:
        return []
    height = max(r for r, _ in cells.values)
    width = max(c for _, c in cells.values)
    rows = [[None] * width for _ in range(height)]
    for (r, c), v in cells.values.items():
        rows[r - 1][c - 1] = v
    return [tuple(row) for row in rows]

"""Mutated school workbooks for the fuzz test (tests/test_fuzz_workbooks.py) and its longer run
(bench/bench_fuzz.py).

A case starts from a workbook that nianbao generated and a school filled in (the figures of
tests/test_import.py), kept as its zip parts. Mutations, drawn by hypothesis and combined several
to a case, rewrite it the way a damaged file, a hand-edited XML, a careless clerk or an attacker
would: the XML of a cell (NaN, INF, numbers too long for a double, malformed numbers, control
characters raw and escaped, wrong cell types), the text a clerk types ("1 2", "22 863",
full-width digits, a 万 or a unit after the number), the number format (percent on rates and
counts), the structure (merged cells, inserted, deleted and swapped rows, sheets renamed,
deleted, added or hidden, the hidden _meta sheet's school code, year and template) and the zip
(truncated, a bad CRC, extra and duplicate parts, DOCTYPEs, parts packed a thousand to one,
other compressions).

Each mutation also says what a person reading the workbook would take each figure to be: the
intended value. :func:`run_case` imports the mutated workbook (beside a good workbook of another
school, as in a batch) with ``nianbao import`` in-process and judges the outcome:

- no exit 3, no exception, no finding that says it is a defect in nianbao;
- every finding's code is in the message catalogue;
- a rejected workbook changes nothing in the store; the good workbook beside it is never held
  back by it;
- an accepted workbook stores exactly what its cells show: each figure equals its intended value
  or a finding names its cell (an ambiguous or unreadable cell always needs one), nothing is
  filed under another school or year, and nothing else in the store changes.

The mutations are plain tuples (``("cell", "students", "nan")``), so a failing case that
hypothesis shrinks can be written down as a regression test.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import shutil
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st
from test_import import FIGURES, MAJORS, filled
from test_workbook import OTHER, SCHOOL, make_dataset

from nianbao.app import imports as import_cmd  # the use case the import command calls (imported when it runs)
from nianbao.cli.main import main
from nianbao.core.messages import catalogue as message_catalogue
from nianbao.ingest import workbook
from nianbao.ingest.dataset import load_dataset
from nianbao.store import Store

COMPANION = "0140200004"  # a fourth school: its good workbook goes into every batch
MERGED = "0140200003"  # merged in 2018 (tests/test_workbook.py ORGS_CSV)
UNKNOWN = "0140299999"
YEAR = 2020


class _Unreadable:
    """The intended value of a cell no reader can take a figure from (NaN, a broken cell, "1 2"):
    no stored value equals it, so an accepted workbook needs a finding naming the cell."""

    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = _Unreadable()
EMPTY = None  # the cell holds nothing: nothing may be stored for it


# -- the base workbook -----------------------------------------------------------------------

@dataclass
class Base:
    """A dataset folder, a filled workbook of SCHOOL as zip parts and what it means."""

    dataset: Path
    parts: dict[str, bytes]  # the zip's parts in order
    sheet_parts: dict[str, str]  # sheet name → part
    inputs: dict[str, tuple[str, int, str, float]]  # row code → (sheet, row, element type, input factor)
    values: dict[str, float]  # row code → the figure typed in the base workbook
    list_sheet: str
    list_first: int  # row of the first record
    list_rows: int
    companion: Path
    catalogue_codes: frozenset = field(default_factory=frozenset)


def build_base(root: Path) -> Base:
    """The dataset (with a fourth school) and the filled workbooks, made once per run."""
    ds_path = make_dataset(root)
    with (ds_path / "orgs.csv").open("a", encoding="utf-8") as f:
        f.write(f"{COMPANION},第四职业学校,,school,140213,140213,county,public,vocational_high,1990,active,\n")
    src = root / "原件"
    path = filled(ds_path, src, name="school.xlsx")
    companion = filled(ds_path, src, school=COMPANION, name="companion.xlsx")
    ds = load_dataset(ds_path)
    layout = workbook.load_layout(ds.catalogue)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    inputs, values = {}, {}
    list_sheet, list_first, list_rows = "", 0, 0
    for sh in layout.sheets:
        for it in sh.items:
            if it.kind == "input":
                inputs[it.code] = (sh.zh, it.row, it.element.type, it.input_factor)
                if it.code in FIGURES:
                    values[it.code] = float(FIGURES[it.code])
        if sh.kind == "list":
            list_sheet, list_first, list_rows = sh.zh, sh.list_header + 1, sh.list_rows
    codes = frozenset(k.split(":", 1)[0] for k in message_catalogue())
    return Base(ds_path, parts, _sheet_parts(parts), inputs, values, list_sheet, list_first, list_rows,
                companion, codes)


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    wb = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = {m.group(2): m.group(1) for m in re.finditer(r'Target="([^"]+)" Id="([^"]+)"', rels)}
    out = {}
    for m in re.finditer(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        out[m.group(1)] = targets[m.group(2)].lstrip("/")
    return out


# -- a workbook being mutated ------------------------------------------------------------------

@dataclass
class Book:
    """The parts of one case, where each input figure now is and what it is meant to be."""

    base: Base
    parts: dict[str, bytes]
    where: dict[str, tuple[str, str]]  # row code → (sheet, cell) now
    intended: dict[str, object]  # row code → intended figure (as typed), UNREADABLE or EMPTY
    records: list[dict]  # the majors as meant
    classes: list[str] = field(default_factory=list)
    container: list[tuple] = field(default_factory=list)  # zip mutations, applied when written
    flagged: set = field(default_factory=set)  # (sheet, row) of cells typed outside the template
    records_unreadable: bool = False
    gone: set = field(default_factory=set)  # row codes whose row was deleted: named at the template's row
    changed_list: set = field(default_factory=set)  # (sheet, cell) of list cells mutated
    school: str = SCHOOL

    @classmethod
    def of(cls, base: Base) -> "Book":
        where = {code: (sheet, f"F{row}") for code, (sheet, row, _, _) in base.inputs.items()}
        intended: dict[str, object] = {code: base.values.get(code, EMPTY) for code in base.inputs}
        return cls(base, dict(base.parts), where, intended, [dict(m) for m in MAJORS])

    # parts
    def text(self, part: str) -> str:
        """The part as text ("" when an earlier mutation dropped it)."""
        data = self.parts.get(part, b"")
        return data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", errors="replace")

    def put(self, part: str, text: str) -> None:
        """Write a part back; a part an earlier mutation dropped stays dropped."""
        if part not in self.parts:
            return
        old = self.parts[part]
        self.parts[part] = text.encode("utf-16" if old[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8")

    def part_of(self, sheet: str) -> str | None:
        return self.base.sheet_parts.get(sheet)

    def zip_bytes(self) -> bytes:
        """The workbook as a file, its container mutations applied."""
        parts = list(self.parts.items())
        compression = zipfile.ZIP_DEFLATED
        extra: list[tuple[str, bytes, int]] = []
        for m in self.container:
            if m[0] == "compression":
                compression = {"stored": zipfile.ZIP_STORED, "bzip2": zipfile.ZIP_BZIP2,
                               "lzma": zipfile.ZIP_LZMA}[m[1]]
            elif m[0] == "bomb" and m[1] in self.parts:  # legal XML: megabytes of spaces between rows
                parts = [(n, d.replace(b"</sheetData>", b" " * (m[2] << 20) + b"</sheetData>", 1) if n == m[1] else d)
                         for n, d in parts]
            elif m[0] == "bomb":
                extra.append((m[1], b"\0" * (m[2] << 20), zipfile.ZIP_DEFLATED))
            elif m[0] == "duplicate_part":
                extra.append((m[1], m[2], zipfile.ZIP_DEFLATED))
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of a duplicate name: that is the mutation
            with zipfile.ZipFile(buf, "w", compression) as z:
                for name, data in parts:
                    z.writestr(name, data)
                for name, data, comp in extra:
                    z.writestr(zipfile.ZipInfo(name), data, compress_type=comp)
        data = buf.getvalue()
        for m in self.container:
            if m[0] == "truncate":
                data = data[: max(1, int(len(data) * m[1]))]
            elif m[0] == "crc":
                data = _corrupt(data, m[1])
            elif m[0] == "prefix":
                data = m[1] + data
            elif m[0] == "encrypted_flag":
                data = data.replace(b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00", 1)
        return data


def _corrupt(data: bytes, part: str) -> bytes:
    """Sixteen bytes in the middle of ``part``'s packed data zeroed: its CRC fails."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo(part)
    except (KeyError, zipfile.BadZipFile):
        return data
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    out = bytearray(data)
    out[middle:middle + 16] = b"\0" * 16
    return bytes(out)


# -- cells --------------------------------------------------------------------------------------

def _cell_re(cell: str) -> re.Pattern:
    return re.compile(rf'<c r="{cell}"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)', re.S)


def _style_of(xml: str, cell: str) -> str:
    m = _cell_re(cell).search(xml)
    s = re.search(r'\ss="(\d+)"', m.group("attrs")) if m else None
    return s.group(1) if s else ""


def set_cell(book: Book, sheet: str, cell: str, inner: str, ctype: str | None, style: str | None = None,
             extra_attrs: str = "") -> bool:
    """Write the XML of ``cell`` on ``sheet`` (keeping its style unless ``style``); a cell the
    sheet lacks is added to its row. False when the sheet or row is gone."""
    part = book.part_of(sheet)
    if part is None or part not in book.parts:
        return False
    xml = book.text(part)
    s = style if style is not None else _style_of(xml, cell)
    attrs = (f' s="{s}"' if s else "") + (f' t="{ctype}"' if ctype else "") + extra_attrs
    new = f'<c r="{cell}"{attrs}>{inner}</c>' if inner else f'<c r="{cell}"{attrs}/>'
    pat = _cell_re(cell)
    if pat.search(xml):
        xml = pat.sub(lambda _: new, xml, count=1)
    else:
        row = re.match(r"[A-Z]+(\d+)", cell).group(1)
        m = re.search(rf'<row r="{row}"[^>]*?(/>|>)', xml)
        if m is None:
            head, sep, tail = xml.partition("</sheetData>")
            if not sep:
                return False
            xml = f'{head}<row r="{row}">{new}</row>{sep}{tail}'
        elif m.group(1) == "/>":
            xml = xml[:m.start()] + xml[m.start():m.end() - 2] + f">{new}</row>" + xml[m.end():]
        else:
            end = xml.index("</row>", m.end())
            xml = xml[:end] + new + xml[end:]
    book.put(part, xml)
    return True


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str) -> str:
    return f'<is><t xml:space="preserve">{_esc(text)}</t></is>'


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in s)


def _script(s: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if "0" <= c <= "9" else c for c in s)


# the XML of a number cell: name → (type, inner XML, intended), from the figure b it held
CELL_XML = {
    "nan": lambda b: ("n", "<v>NaN</v>", UNREADABLE),
    "inf": lambda b: ("n", "<v>INF</v>", UNREADABLE),
    "-inf": lambda b: ("n", "<v>-inf</v>", UNREADABLE),
    "1e309": lambda b: ("n", "<v>1e309</v>", UNREADABLE),
    "309 digits": lambda b: ("n", "<v>" + "9" * 309 + "</v>", UNREADABLE),
    "1e26": lambda b: ("n", "<v>" + "1" + "0" * 26 + "</v>", 1e26),
    "long decimal": lambda b: ("n", f"<v>{_num(b)}.{'0' * 30}1</v>" if float(b).is_integer()
                               else f"<v>{_num(b)}{'0' * 30}1</v>", b),
    "exponent": lambda b: ("n", f"<v>{Decimal(repr(b)) / 10000}E4</v>", b),
    "spaces": lambda b: ("n", f"<v> {_num(b)} </v>", b),
    "1.2.3": lambda b: ("n", "<v>1.2.3</v>", UNREADABLE),
    "1e5e5": lambda b: ("n", "<v>1e5e5</v>", UNREADABLE),
    "hex": lambda b: ("n", "<v>0x10</v>", UNREADABLE),
    "underscore": lambda b: ("n", "<v>1_000</v>", UNREADABLE),  # no number in the XML standard
    "fullwidth in v": lambda b: ("n", f"<v>{_fullwidth(_num(b))}</v>", UNREADABLE),
    "arabic in v": lambda b: ("n", f"<v>{_script(_num(b), 0x660)}</v>", UNREADABLE),
    "empty v": lambda b: ("n", "<v></v>", EMPTY),
    "negative": lambda b: ("n", f"<v>-{_num(b)}</v>", -b),
    "bool 1": lambda b: ("b", "<v>1</v>", UNREADABLE),
    "bool x": lambda b: ("b", "<v>x</v>", UNREADABLE),
    "error": lambda b: ("e", "<v>#DIV/0!</v>", UNREADABLE),
    "shared 99999": lambda b: ("s", "<v>99999</v>", UNREADABLE),
    "shared -1": lambda b: ("s", "<v>-1</v>", UNREADABLE),
    "shared abc": lambda b: ("s", "<v>abc</v>", UNREADABLE),
    "str": lambda b: ("str", f"<v>{_num(b)}</v>", b),
    "date bad": lambda b: ("d", "<v>2020-13-45</v>", UNREADABLE),
    "date": lambda b: ("d", "<v>2020-06-01T00:00:00</v>", UNREADABLE),
    "unknown type": lambda b: ("zz", f"<v>{_num(b)}</v>", b),
    "formula cached": lambda b: (None, f"<f>{_num(b)}+0</f><v>{_num(b)}</v>", b),
    "formula no cache": lambda b: (None, "<f>1+1</f>", UNREADABLE),
    "rich text": lambda b: ("inlineStr", f"<is><r><t>{_num(b)[:1]}</t></r><r><t>{_num(b)[1:]}</t></r></is>", b),
    "escaped control": lambda b: ("inlineStr", _inline(f"{_num(b)}_x0001_"), UNREADABLE),
    "raw control": lambda b: ("inlineStr", _inline(f"{_num(b)}\x01"), UNREADABLE),
    "DEL": lambda b: ("inlineStr", _inline(f"{_num(b)}\x7f"), UNREADABLE),
    "no ref": lambda b: ("n", f"<v>{_num(b)}</v>", b),  # the cell's place told by its order in the row
    "style 9999": lambda b: ("n", f"<v>{_num(b)}</v>", b),  # a style the workbook does not have
    "twice": lambda b: ("n", f"<v>{_num(b)}</v>", UNREADABLE),  # the cell written twice, two figures
}


def _split(s: str) -> str:
    return s[:1] + " " + s[1:] if len(s) > 1 else s + " 0"


# what a clerk types into a figure's cell (text): name → (text, intended), from the figure b
SPELLINGS = {
    "plain": lambda b, u: (_num(b), b),
    "padded": lambda b, u: (f"  {_num(b)}\n", b),
    "thousands": lambda b, u: (f"{b:,.10g}" if b < 1e15 else _num(b), b),
    "grouped": lambda b, u: (f"{int(b):,}".replace(",", " ") if float(b).is_integer() else _num(b), b),
    "nbsp grouped": lambda b, u: (f"{int(b):,}".replace(",", "\u00a0") if float(b).is_integer() else _num(b), b),
    "ideographic space": lambda b, u: (f"{int(b):,}".replace(",", "\u3000") if float(b).is_integer() else _num(b),
                                       b),
    "1 2": lambda b, u: (_split(_num(b)), UNREADABLE),
    "fullwidth": lambda b, u: (_fullwidth(_num(b)), b),
    "arabic-indic": lambda b, u: (_script(_num(b), 0x660), b),
    "devanagari": lambda b, u: (_script(_num(b), 0x966), b),
    "math bold": lambda b, u: (_script(_num(b), 0x1D7CE), b),
    "wan": lambda b, u: (f"{Decimal(repr(b)) / 10000}万", b),
    "unit": lambda b, u: (f"{_num(b)}{u}", b),
    "unit spaced": lambda b, u: (f"{_num(b)} {u}", b),
    "other unit": lambda b, u: (f"{_num(b)}元" if u != "元" else f"{_num(b)}人", UNREADABLE),
    "about": lambda b, u: (f"约{_num(b)}", UNREADABLE),
    "plus after": lambda b, u: (f"{_num(b)}+", UNREADABLE),
    "trailing .0": lambda b, u: (f"{_num(b)}.0", b),
    "leading plus": lambda b, u: (f"+{_num(b)}", b),
    "leading zero": lambda b, u: (f"0{_num(b)}", b),
    "percent sign": lambda b, u: (f"{_num(b)}%", b),
    "text exponent": lambda b, u: (f"{_num(b)}e0", b),
    "minus sign": lambda b, u: (f"\u2212{_num(b)}", -b),
    "european decimal": lambda b, u: (f"{_num(b)},5", UNREADABLE),
    "dotted thousands": lambda b, u: ("1.234.567", UNREADABLE),
    "zero width space": lambda b, u: (_num(b)[:1] + "\u200b" + _num(b)[1:], b),
    "fullwidth dot": lambda b, u: (f"{_num(b)}．0", b),
    "chinese numerals": lambda b, u: ("二万二千八百六十三", UNREADABLE if b != 22863 else 22863),
    "nan text": lambda b, u: ("NaN", UNREADABLE),
    "infinity text": lambda b, u: ("Infinity", UNREADABLE),
    "310 digits text": lambda b, u: ("1" + "0" * 309, UNREADABLE),
    "dash": lambda b, u: ("—", UNREADABLE),
    "formula text": lambda b, u: (f"={_num(b)}", UNREADABLE),
}

# number formats: name → (numFmtId, format code or None for a built-in one)
FORMATS = {
    "0%": (9, None), "0.00%": (10, None), "0.0%": (170, "0.0%"), "literal %": (171, '0.0"%"'),
    "escaped %": (172, "0.0\\%"), "date": (14, None), "text": (49, None), "percent then plain": (173, "0%;0"),
}


def _figure(book: Book, code: str) -> float:
    """The figure the mutation starts from: the intended one, else the base's, else a plausible one."""
    v = book.intended.get(code)
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) < 1e15:
        return abs(float(v))
    v = book.base.values.get(code)
    if v is not None:
        return v
    return {"rate": 45.5, "amount": 12.5, "mean": 2300.0}.get(book.base.inputs[code][2], 37.0)


def _unit(book: Book, code: str) -> str:
    return {"students": "人", "sv_expenditure": "万元"}.get(code, "人" if book.base.inputs[code][2] == "count" else "")


def mutate_cell(book: Book, code: str, variant: str) -> None:
    ctype, inner, intended = CELL_XML[variant](_figure(book, code))
    sheet, cell = book.where[code]
    if set_cell(book, sheet, cell, inner, ctype, style="9999" if variant == "style 9999" else None):
        book.intended[code] = intended
        part = book.part_of(sheet)
        if variant == "no ref":
            book.put(part, book.text(part).replace(f'<c r="{cell}"', "<c", 1))
        elif variant == "twice":
            xml = book.text(part)
            m = _cell_re(cell).search(xml)
            if m:
                book.put(part, xml[:m.end()] + f'<c r="{cell}" t="n"><v>{_num(_figure(book, code) + 1)}</v></c>'
                         + xml[m.end():])


def mutate_text(book: Book, code: str, spelling: str) -> None:
    text, intended = SPELLINGS[spelling](_figure(book, code), _unit(book, code) or "个")
    sheet, cell = book.where[code]
    if set_cell(book, sheet, cell, _inline(text), "inlineStr"):
        book.intended[code] = intended


def _add_style(book: Book, base_style: str, fmt: str) -> str:
    """A new cell style: ``base_style`` with the number format ``fmt``; its index."""
    num_id, code = FORMATS[fmt]
    xml = book.text("xl/styles.xml")
    if "<cellXfs" not in xml:
        return "0"
    if code is not None and f'numFmtId="{num_id}"' not in xml.split("</numFmts>")[0]:
        entry = f'<numFmt numFmtId="{num_id}" formatCode="{_esc(code).replace(chr(34), "&quot;")}"/>'
        xml = re.sub(r'<numFmts count="(\d+)">', lambda m: f'<numFmts count="{int(m.group(1)) + 1}">' + entry, xml,
                     count=1)
    head, rest = xml.split("<cellXfs", 1)
    count = int(re.match(r' count="(\d+)"', rest).group(1))
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", rest.split("</cellXfs>")[0], re.S)
    model = xfs[int(base_style)] if base_style and int(base_style) < len(xfs) else xfs[0]
    model = re.sub(r'\sapplyNumberFormat="\d"', "", model)
    new = re.sub(r'numFmtId="\d+"', f'numFmtId="{num_id}" applyNumberFormat="1"', model, count=1)
    rest = rest.replace(f' count="{count}"', f' count="{count + 1}"', 1).replace("</cellXfs>", new + "</cellXfs>", 1)
    book.put("xl/styles.xml", head + "<cellXfs" + rest)
    return str(count)


def mutate_format(book: Book, code: str, fmt: str, typed_as_percent: bool) -> None:
    """The cell formatted ``fmt``; ``typed_as_percent``: the figure typed as Excel keeps a
    typed percentage (95.14% → 0.9514)."""
    sheet, cell = book.where[code]
    part = book.part_of(sheet)
    if part is None or part not in book.parts:
        return
    vtype = book.base.inputs[code][2]
    b = _figure(book, code)
    percent = fmt in ("0%", "0.00%", "0.0%", "percent then plain")
    if percent and typed_as_percent:
        value = float(Decimal(repr(b)) / 100)
        intended = b if vtype == "rate" else UNREADABLE  # the cell shows b%
    elif percent:
        value = b
        intended = float(Decimal(repr(b)) * 100) if vtype == "rate" else UNREADABLE
    else:
        value = b
        intended = UNREADABLE if fmt == "date" else b
    style = _add_style(book, _style_of(book.text(part), cell), fmt)
    if set_cell(book, sheet, cell, f"<v>{_num(value)}</v>", "n", style=style):
        book.intended[code] = intended


# -- structure ----------------------------------------------------------------------------------

def _shift(xml: str, start: int, delta: int) -> str:
    """Rows from ``start`` on moved by ``delta``: row numbers, cell references, merged ranges,
    validations (formulas are left as they are, as a hand edit leaves them)."""
    def row(m):
        n = int(m.group(2))
        return f"{m.group(1)}{n + delta if n >= start else n}"

    def ref(m):
        n = int(m.group(2))
        return f"{m.group(1)}{n + delta if n >= start else n}"
    xml = re.sub(r'(<row r=")(\d+)', row, xml)
    xml = re.sub(r'(<c r="[A-Z]+)(\d+)', ref, xml)

    def refs(m):
        return m.group(1) + re.sub(r"([A-Z]+)(\d+)", ref, m.group(2)) + '"'
    xml = re.sub(r'(<mergeCell ref=")([^"]*)"', refs, xml)
    xml = re.sub(r'(sqref=")([^"]*)"', refs, xml)
    return xml


def _moved(book: Book, sheet: str, start: int, delta: int) -> None:
    for code, (sh, cell) in book.where.items():
        if sh == sheet and code not in book.gone:
            col, n = re.match(r"([A-Z]+)(\d+)", cell).groups()
            if int(n) >= start:
                book.where[code] = (sh, f"{col}{int(n) + delta}")


def insert_row(book: Book, code: str, typed: bool) -> None:
    """A row inserted above the row of ``code`` (a school making room for a remark); ``typed``:
    a label and a figure typed into it."""
    sheet, cell = book.where[code]
    part = book.part_of(sheet)
    if part is None or part not in book.parts:
        return
    r = int(cell[1:])
    xml = _shift(book.text(part), r, 1)
    new = f'<row r="{r}"/>'
    if typed:
        new = f'<row r="{r}"><c r="C{r}" t="inlineStr">{_inline("其中：女生")}</c><c r="F{r}"><v>9000</v></c></row>'
        book.flagged.add((sheet, r))
    m = re.search(rf'<row r="{r + 1}"[ >/]', xml)
    if m is None:
        return
    book.put(part, xml[:m.start()] + new + xml[m.start():])
    _moved(book, sheet, r, 1)


def delete_row(book: Book, code: str) -> None:
    sheet, cell = book.where[code]
    part = book.part_of(sheet)
    if part is None or part not in book.parts:
        return
    r = int(cell[1:])
    xml = book.text(part)
    xml, n = re.subn(rf'<row r="{r}"(?:[^>]*/>|[^>]*>.*?</row>)', "", xml, count=1, flags=re.S)
    if not n:
        return
    book.put(part, _shift(xml, r + 1, -1))
    for other, (sh, c) in list(book.where.items()):
        if sh == sheet and int(c[1:]) == r:
            book.intended[other] = UNREADABLE  # the row is gone: the school's figure with it
            # the finding names the row the item has in the template, wherever rows inserted
            # before or after moved the others
            book.where[other] = (sh, f"F{book.base.inputs[other][1]}")
            book.gone.add(other)
    _moved(book, sheet, r + 1, -1)


def swap_rows(book: Book, code: str, other: str) -> None:
    """The rows of two items of one sheet exchanged (sorted by hand): each keeps its code."""
    (s1, c1), (s2, c2) = book.where[code], book.where[other]
    if s1 != s2 or c1 == c2:
        return
    part = book.part_of(s1)
    if part is None or part not in book.parts:
        return
    r1, r2 = int(c1[1:]), int(c2[1:])
    xml = book.text(part)
    pat = lambda r: re.compile(rf'<row r="{r}"(?:[^>]*/>|[^>]*>.*?</row>)', re.S)  # noqa: E731
    m1, m2 = pat(r1).search(xml), pat(r2).search(xml)
    if not m1 or not m2:
        return

    def renumber(text, old, new):
        text = re.sub(rf'<row r="{old}"', f'<row r="{new}"', text, count=1)
        return re.sub(rf'(<c r="[A-Z]+){old}"', rf'\g<1>{new}"', text)
    a, b = renumber(m1.group(0), r1, r2), renumber(m2.group(0), r2, r1)
    first, second = sorted([(m1, b), (m2, a)], key=lambda x: x[0].start())
    xml = (xml[:first[0].start()] + first[1] + xml[first[0].end():second[0].start()] + second[1]
           + xml[second[0].end():])
    book.put(part, xml)
    for k, (sh, c) in list(book.where.items()):
        if sh == s1 and int(c[1:]) in (r1, r2):
            book.where[k] = (sh, f"{c[0]}{r2 if int(c[1:]) == r1 else r1}")


def merge(book: Book, code: str, shape: str) -> None:
    sheet, cell = book.where[code]
    part = book.part_of(sheet)
    if part is None or part not in book.parts:
        return
    r = int(cell[1:])
    rng = {"down": f"F{r}:F{r + 1}", "right": f"F{r}:G{r}", "block": f"E{r}:H{r + 2}",
           "up": f"F{max(r - 1, 1)}:F{r}"}[shape]
    xml = book.text(part)
    if "<mergeCells" in xml:
        xml = re.sub(r'<mergeCells count="(\d+)">', lambda m: f'<mergeCells count="{int(m.group(1)) + 1}">'
                     f'<mergeCell ref="{rng}"/>', xml, count=1)
    else:
        xml = xml.replace("</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{rng}"/></mergeCells>', 1)
    book.put(part, xml)
    # Excel shows the top-left value only: every other input figure in the range is hidden
    c1, r1, c2, r2 = _bounds(rng)
    for k, (sh, c) in book.where.items():
        col, n = ord(c[0]) - 64, int(c[1:])
        if sh == sheet and r1 <= n <= r2 and c1 <= col <= c2 and (n, col) != (r1, c1):
            book.intended[k] = UNREADABLE
    for rec_row in range(r1, r2 + 1):
        if sheet == book.base.list_sheet and book.base.list_first <= rec_row < book.base.list_first + len(
                book.records):
            book.records_unreadable = True


def _bounds(rng: str) -> tuple[int, int, int, int]:
    a, b = rng.split(":")
    return ord(a[0]) - 64, int(a[1:]), ord(b[0]) - 64, int(b[1:])


def _workbook_xml(book: Book, change) -> None:
    book.put("xl/workbook.xml", change(book.text("xl/workbook.xml")))


def rename_sheet(book: Book, sheet: str, new: str) -> None:
    _workbook_xml(book, lambda x: x.replace(f'name="{sheet}"', f'name="{_esc(new)}"', 1))
    if new != sheet:
        for k, (sh, _) in book.where.items():
            if sh == sheet:
                book.intended[k] = UNREADABLE


def delete_sheet(book: Book, sheet: str) -> None:
    _workbook_xml(book, lambda x: re.sub(rf'<sheet [^>]*name="{sheet}"[^>]*/>', "", x, count=1))
    for k, (sh, _) in book.where.items():
        if sh == sheet:
            book.intended[k] = UNREADABLE


def hide_sheet(book: Book, sheet: str) -> None:
    _workbook_xml(book, lambda x: re.sub(rf'(<sheet [^>]*name="{sheet}"[^>]*state=")[a-zA-Z]+"', r'\1hidden"', x))


def add_sheet(book: Book, name: str) -> None:
    """A sheet the school added (its own notes, a copy of last year's figures)."""
    n = 90 + sum(1 for p in book.parts if p.startswith("xl/worksheets/sheet9"))
    part = f"xl/worksheets/sheet{n}.xml"
    book.parts[part] = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                        '<row r="1"><c r="A1" t="inlineStr"><is><t>students</t></is></c><c r="F1"><v>99</v></c></row>'
                        '</sheetData></worksheet>').encode()
    rels = book.text("xl/_rels/workbook.xml.rels")
    rid = f"rIdFuzz{n}"
    book.put("xl/_rels/workbook.xml.rels", rels.replace("</Relationships>", (
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="/{part}" Id="{rid}"/></Relationships>')))
    ct = book.text("[Content_Types].xml")
    book.put("[Content_Types].xml", ct.replace("</Types>", (
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>')))
    _workbook_xml(book, lambda x: x.replace("</sheets>", (
        '<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        f'name="{_esc(name)}" sheetId="{n}" state="visible" r:id="{rid}"/></sheets>'), 1))


def reorder_sheets(book: Book) -> None:
    def change(x):
        sheets = re.findall(r"<sheet [^>]*/>", x)
        return x.replace("".join(sheets), "".join(reversed(sheets)), 1)
    _workbook_xml(book, change)


META_ROWS = {"format": 1, "template": 2, "school_code": 4, "school_name": 5, "year": 6}
META_VALUES = {
    "school_code": [OTHER, UNKNOWN, MERGED, "", " " + SCHOOL, SCHOOL.lstrip("0"), COMPANION],
    "year": ["2019", "2021", "abc", "", "2020.0", " 2020"],
    "template": ["cn-2016/0", "cn-2022/1", "", "cn-2016/1 "],
    "format": ["nianbao-school-workbook-v2", ""],
    "school_name": ["平城区职业高级中学", "", "大同市第一职业中专 "],
}


def set_meta(book: Book, key: str, value: str, as_number: bool = False) -> None:
    r = META_ROWS[key]
    if as_number and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        set_cell(book, "_meta", f"B{r}", f"<v>{value.strip()}</v>", "n")
    else:
        set_cell(book, "_meta", f"B{r}", _inline(value), "inlineStr")
    if key == "school_code" and value.strip().zfill(10) != SCHOOL:
        book.school = value  # the store must not take these figures for any school: a finding is due
    if key == "year" and not _means(value, YEAR):
        book.school = "?"  # a workbook of another year: not stored as 2020


def _means(text: str, year: int) -> bool:
    try:
        return float(text) == year
    except ValueError:
        return False


def duplicate_meta(book: Book, key: str, value: str) -> None:
    """A second row of ``key`` in _meta (the last one wins for a dict): which is meant?"""
    part = book.part_of("_meta")
    xml = book.text(part)
    r = max([int(x) for x in re.findall(r'<row r="(\d+)"', xml)] + [0]) + 1
    new = (f'<row r="{r}"><c r="A{r}" t="inlineStr">{_inline(key)}</c>'
           f'<c r="B{r}" t="inlineStr">{_inline(value)}</c></row>')
    book.put(part, xml.replace("</sheetData>", new + "</sheetData>", 1))
    if value != {"school_code": SCHOOL, "year": "2020"}.get(key, value):
        book.school = "?"


def visible_code(book: Book, value: str) -> None:
    set_cell(book, "基本信息", "F4", _inline(value), "inlineStr")


def header(book: Book, sheet: str) -> None:
    set_cell(book, sheet, "F3", _inline("本年数"), "inlineStr")
    for k, (sh, _) in book.where.items():
        if sh == sheet:
            book.intended[k] = UNREADABLE


def major_cell(book: Book, n: int, column: str, spelling: str) -> None:
    """A count of a listed major (students F, entrants G) typed as ``spelling``."""
    key = {"F": "students", "G": "entrants"}[column]
    rec = book.records[n]
    b = float(rec[key]) if isinstance(rec[key], (int, float)) else float(MAJORS[n][key])
    text, intended = SPELLINGS[spelling](b, "人")
    row = book.base.list_first + n
    if set_cell(book, book.base.list_sheet, f"{column}{row}", _inline(text), "inlineStr"):
        rec[key] = intended
        book.changed_list.add((book.base.list_sheet, f"{column}{row}"))


def major_format(book: Book, n: int, column: str, fmt: str) -> None:
    """A count of a listed major formatted ``fmt`` (300 under 0% shows 30000%)."""
    key = {"F": "students", "G": "entrants"}[column]
    rec = book.records[n]
    b = float(MAJORS[n][key])
    sheet, cell = book.base.list_sheet, f"{column}{book.base.list_first + n}"
    part = book.part_of(sheet)
    if part is None or part not in book.parts:
        return
    style = _add_style(book, _style_of(book.text(part), cell), fmt)
    if set_cell(book, sheet, cell, f"<v>{_num(b)}</v>", "n", style=style):
        rec[key] = UNREADABLE if fmt in ("0%", "0.00%", "0.0%", "percent then plain", "date") else b
        book.changed_list.add((sheet, cell))


def major_below(book: Book) -> None:
    row = book.base.list_first + book.base.list_rows
    sheet = book.base.list_sheet
    for col, text in (("C", "090200"), ("D", "软件与信息服务"), ("E", "信息技术类")):
        set_cell(book, sheet, f"{col}{row}", _inline(text), "inlineStr")
    set_cell(book, sheet, f"F{row}", "<v>80</v>", "n")
    book.flagged.add((sheet, row))


# -- the zip --------------------------------------------------------------------------------

XXE = '<!DOCTYPE r [<!ENTITY h SYSTEM "file:///etc/passwd">]>'
LAUGHS = ('<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {chr(c)} "' + f"&{chr(c - 1)};" * 10 + '">' for c in range(ord("b"), ord("i"))) + "]>")
HARMLESS = "<!DOCTYPE worksheet>"
DOCTYPES = {"xxe": XXE, "laughs": LAUGHS, "harmless": HARMLESS}


def doctype(book: Book, part: str, kind: str) -> None:
    if part not in book.parts:
        return
    xml = book.text(part)
    at = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
    xml = xml[:at] + DOCTYPES[kind] + xml[at:]
    if kind != "harmless":
        xml = re.sub(r"<t>[^<]*</t>", "<t>&h;</t>", xml, count=1)
    book.put(part, xml)


def extra_part(book: Book, kind: str) -> None:
    if kind == "junk":
        book.parts["xl/media/image1.png"] = bytes(range(256)) * 8
    elif kind == "custom xml":
        book.parts["customXml/item1.xml"] = b'<?xml version="1.0"?><root><a>1</a></root>'
    elif kind == "custom xml doctype":
        book.parts["customXml/item1.xml"] = ('<?xml version="1.0"?>' + XXE + "<r>&h;</r>").encode()
    elif kind == "traversal":
        book.parts["../../outside.xml"] = b"<x/>"
    elif kind == "absolute":
        book.parts["/etc/nianbao-fuzz.xml"] = b"<x/>"
    elif kind == "vba":
        book.parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"\0" * 500


def duplicate_part(book: Book, code: str) -> None:
    """A second zip entry of the sheet of ``code`` where the figure differs: two contents under
    one name, and programs disagree on which one counts."""
    sheet, cell = book.where[code]
    part = book.part_of(sheet)
    if part is None or part not in book.parts:
        return
    xml = book.text(part)
    b = _figure(book, code)
    other = _cell_re(cell).sub(lambda m: f'<c r="{cell}" t="n"><v>{_num(b + 1)}</v></c>', xml, count=1)
    if other == xml:
        return
    book.container.append(("duplicate_part", part, other.encode("utf-8")))
    book.intended[code] = UNREADABLE


def utf16(book: Book, part: str) -> None:
    """The part re-encoded in UTF-16 with its declaration (legal XML; the same cells)."""
    if part not in book.parts:
        return
    xml = book.text(part)
    if xml.startswith("<?xml"):
        xml = xml[xml.index("?>") + 2:]
    book.parts[part] = ('<?xml version="1.0" encoding="UTF-16"?>' + xml).encode("utf-16")


def shared_strings(book: Book) -> None:
    """Every inline text moved to a shared-strings part, as Excel saves a workbook."""
    table: list[str] = []
    index: dict[str, int] = {}

    def share(m):
        body = m.group(2)
        if body not in index:
            index[body] = len(table)
            table.append(body)
        return f"{m.group(1)} t=\"s\"><v>{index[body]}</v></c>"
    for part in sorted(set(book.base.sheet_parts.values())):
        if part in book.parts:
            xml = book.text(part)
            book.put(part, re.sub(r'(<c r="[A-Z]+\d+"[^>]*?) t="inlineStr"><is>(.*?)</is></c>', share, xml, flags=re.S))
    book.parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(table)}" uniqueCount="{len(table)}">' + "".join(f"<si>{t}</si>" for t in table)
        + "</sst>").encode("utf-8")
    rels = book.text("xl/_rels/workbook.xml.rels")
    book.put("xl/_rels/workbook.xml.rels", rels.replace("</Relationships>", (
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="/xl/sharedStrings.xml" Id="rIdFuzzShared"/></Relationships>')))
    ct = book.text("[Content_Types].xml")
    book.put("[Content_Types].xml", ct.replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>')))


def drop_part(book: Book, part: str) -> None:
    if part in book.parts:
        del book.parts[part]
        for k, (sh, _) in book.where.items():
            if book.part_of(sh) == part:
                book.intended[k] = UNREADABLE


# -- the strategies ------------------------------------------------------------------------------

def _codes(base: Base) -> list[str]:
    return sorted(base.inputs)


def strategies(base: Base) -> dict[str, st.SearchStrategy]:
    """One strategy per mutation class, each drawing a mutation tuple."""
    codes = st.sampled_from(_codes(base))
    filled_codes = st.sampled_from(sorted(base.values))
    rates = sorted(c for c, v in base.inputs.items() if v[2] == "rate")
    sheets = sorted(s for s in base.sheet_parts if s != "_meta")
    parts = sorted(base.parts)
    xml_parts = sorted(p for p in base.parts if p.endswith((".xml", ".rels")))
    return {
        "cell": st.tuples(st.just("cell"), st.one_of(filled_codes, codes), st.sampled_from(sorted(CELL_XML))),
        "text": st.tuples(st.just("text"), st.one_of(filled_codes, codes), st.sampled_from(sorted(SPELLINGS))),
        "format": st.tuples(st.just("format"), st.one_of(st.sampled_from(rates), filled_codes),
                            st.sampled_from(sorted(FORMATS)), st.booleans()),
        "structure": st.one_of(
            st.tuples(st.just("merge"), filled_codes, st.sampled_from(["down", "right", "block", "up"])),
            st.tuples(st.just("insert_row"), filled_codes, st.booleans()),
            st.tuples(st.just("delete_row"), codes),
            st.tuples(st.just("swap_rows"), filled_codes, codes),
            st.tuples(st.just("rename_sheet"), st.sampled_from(sheets + ["_meta"]),
                      st.sampled_from(["Sheet1", "办学规模 ", "规模"])),
            st.tuples(st.just("delete_sheet"), st.sampled_from(sheets + ["_meta"])),
            st.tuples(st.just("add_sheet"), st.sampled_from(["附表", "Sheet1", "_meta2"])),
            st.tuples(st.just("hide_sheet"), st.sampled_from(sheets)),
            st.tuples(st.just("reorder_sheets")),
            st.tuples(st.just("header"), st.sampled_from(sheets)),
            st.tuples(st.just("major_cell"), st.integers(0, len(MAJORS) - 1), st.sampled_from(["F", "G"]),
                      st.sampled_from(sorted(SPELLINGS))),
            st.tuples(st.just("major_below")),
            st.tuples(st.just("major_format"), st.integers(0, len(MAJORS) - 1), st.sampled_from(["F", "G"]),
                      st.sampled_from(sorted(FORMATS))),
        ),
        "meta": st.one_of(
            st.sampled_from(sorted(META_VALUES)).flatmap(
                lambda k: st.tuples(st.just("meta"), st.just(k), st.sampled_from(META_VALUES[k]), st.booleans())),
            st.tuples(st.just("duplicate_meta"), st.sampled_from(["school_code", "year"]),
                      st.sampled_from([OTHER, SCHOOL, "2021", "2020"])),
            st.tuples(st.just("visible_code"), st.sampled_from([OTHER, UNKNOWN, SCHOOL.lstrip("0")])),
        ),
        "zip": st.one_of(
            st.tuples(st.just("truncate"), st.floats(0.01, 0.99)),
            st.tuples(st.just("crc"), st.sampled_from(parts)),
            st.tuples(st.just("extra_part"), st.sampled_from(
                ["junk", "custom xml", "custom xml doctype", "traversal", "absolute", "vba"])),
            st.tuples(st.just("duplicate_part"), filled_codes),
            st.tuples(st.just("doctype"), st.sampled_from(xml_parts), st.sampled_from(sorted(DOCTYPES))),
            st.tuples(st.just("bomb"), st.sampled_from(["xl/media/blob.bin", "xl/worksheets/sheet2.xml"]),
                      st.integers(2, 6)),
            st.tuples(st.just("compression"), st.sampled_from(["stored", "bzip2", "lzma"])),
            st.tuples(st.just("drop_part"), st.sampled_from(parts)),
            st.tuples(st.just("utf16"), st.sampled_from(sorted(base.sheet_parts.values()))),
            st.tuples(st.just("prefix"), st.sampled_from([b"MZ" + b"\0" * 62, b"\0"])),
            st.tuples(st.just("encrypted_flag")),
            st.tuples(st.just("shared_strings")),
        ),
    }


CLASSES = ("cell", "text", "format", "structure", "meta", "zip")
CLASS_OF = {"cell": "cell", "text": "text", "format": "format", "meta": "meta", "duplicate_meta": "meta",
            "visible_code": "meta", "truncate": "zip", "crc": "zip", "extra_part": "zip",
            "duplicate_part": "zip", "doctype": "zip", "bomb": "zip", "compression": "zip", "drop_part": "zip",
            "utf16": "zip", "prefix": "zip", "encrypted_flag": "zip", "shared_strings": "zip"}
CONTAINER = {"truncate", "crc", "bomb", "compression", "prefix", "encrypted_flag"}


def cases(base: Base, classes=CLASSES, max_size: int = 4) -> st.SearchStrategy:
    """Lists of one to ``max_size`` mutations of the given classes."""
    by_class = strategies(base)
    # the class first, then its mutation: one_of would flatten the classes' own choices and draw
    # the classes with many kinds of mutation far more often
    one = st.sampled_from(list(classes)).flatmap(lambda c: by_class[c])
    return st.lists(one, min_size=1, max_size=max_size)


def class_of(mutation: tuple) -> str:
    return CLASS_OF.get(mutation[0], "structure")


def apply(base: Base, mutations: list[tuple]) -> Book:
    """The workbook of ``base`` with ``mutations`` applied in order (container ones at the end)."""
    book = Book.of(base)
    for m in mutations:
        book.classes.append(class_of(m))
        kind, args = m[0], m[1:]
        if kind in CONTAINER:
            book.container.append(m)
            if kind in ("truncate", "crc", "encrypted_flag") or (kind == "bomb" and args[0].startswith("xl/w")):
                pass  # the file as a whole is refused or read as it is
            continue
        {
            "cell": mutate_cell, "text": mutate_text, "format": mutate_format, "merge": merge,
            "insert_row": insert_row, "delete_row": delete_row, "swap_rows": swap_rows,
            "rename_sheet": rename_sheet, "delete_sheet": delete_sheet, "add_sheet": add_sheet,
            "hide_sheet": hide_sheet, "reorder_sheets": reorder_sheets, "header": header,
            "major_cell": major_cell, "major_below": major_below, "major_format": major_format, "meta": set_meta,
            "duplicate_meta": duplicate_meta, "visible_code": visible_code, "extra_part": extra_part,
            "duplicate_part": duplicate_part, "doctype": doctype, "drop_part": drop_part, "utf16": utf16,
            "shared_strings": shared_strings,
        }[kind](book, *args)
    return book


# -- running a case --------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What importing one case gave and what was wrong with it."""

    exit: int
    status: str  # the mutated workbook's: stored / unchanged / exists / rejected / — (no run)
    codes: list[str]
    violations: list[str]
    classes: list[str]
    internal: bool = False


def _store_rows(dataset: Path) -> dict[str, list]:
    if not (dataset / "nianbao.duckdb").exists():
        return {"observations": [], "majors": []}
    with Store.of_dataset(dataset, read_only=True) as s:
        return {t: sorted(s.rows(t), key=repr) for t in ("observations", "majors")}


def _key(element: str, dims: str) -> str:
    return f"{element}[{dims}]" if dims else element


def _stored_value(value, factor: float) -> float:
    return float(Decimal(repr(float(value))) * Decimal(repr(factor)))


def _row_of(cell: str) -> int | None:
    m = re.fullmatch(r"[A-Z]+(\d+)", cell or "")
    return int(m.group(1)) if m else None


def _names(findings, sheet: str, cell: str) -> bool:
    """A finding on ``sheet`` names ``cell``: the cell itself, its row, or a range holding it."""
    r = _row_of(cell)
    for f in findings:
        if f.location.sheet != sheet:
            continue
        if f.location.cell == cell or (r is not None and _row_of(f.location.cell) == r):
            return True
        rng = str(f.values.get("range", ""))
        if ":" in rng:
            c1, r1, c2, r2 = _bounds(rng)
            if r1 <= r <= r2 and c1 <= ord(cell[0]) - 64 <= c2:
                return True
    return False


def _expected_list(records: list[dict]) -> dict[str, float]:
    """The figures the majors as meant give (workbook.yaml: majors counts the names,
    major_categories the distinct categories, new_major_points the 是; each also per category,
    and the students and entrants of each category summed)."""
    cat = {"信息技术类": "09", "医药卫生类": "10"}
    out: dict[str, float] = {"majors": len(records), "major_categories": len({r["category"] for r in records}),
                             "new_major_points": sum(1 for r in records if r["new"] == "是")}
    for c in sorted({cat[r["category"]] for r in records}):
        mine = [r for r in records if cat[r["category"]] == c]
        out[f"majors[major_category={c}]"] = len(mine)
        out[f"new_major_points[major_category={c}]"] = sum(1 for r in mine if r["new"] == "是")
        for key in ("students", "entrants"):
            out[f"{key}[major_category={c}]"] = sum(float(r[key]) if isinstance(r[key], (int, float))
                                                    and r[key] is not UNREADABLE else math.nan for r in mine)
    return out


def judge_accepted(book: Book, findings, before: dict, after: dict) -> list[str]:
    """What is wrong with the store after an accepted workbook."""
    wrong = []
    mine = lambda r: r[0] == book.school and r[3] == YEAR  # noqa: E731 observations: (org, el, dims, period…)
    if book.school != SCHOOL:
        return [f"accepted a workbook that does not say it is {SCHOOL} {YEAR} (meta school {book.school!r})"]
    if [r for r in before["observations"] if not mine(r)] != [r for r in after["observations"] if not mine(r)]:
        wrong.append("figures of another school-year changed")
    stored = {_key(r[1], r[2]): r[5] for r in after["observations"] if mine(r)}
    for code, intended in book.intended.items():
        sheet, cell = book.where[code]
        factor = book.base.inputs[code][3]
        got = stored.pop(code, None)
        if intended is EMPTY:
            ok = got is None
        elif intended is UNREADABLE:
            ok = False
        else:
            want = _stored_value(intended, factor)
            ok = got is not None and math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
        if not ok and not _names(findings, sheet, cell):
            wrong.append(f"{sheet}!{cell} {code}: stored {got!r}, meant {intended!r}, no finding names the cell")
    expected = _expected_list(book.records)
    listed = any(_names(findings, s, c) for s, c in book.changed_list) or book.records_unreadable
    for key, want in expected.items():
        got = stored.pop(key, None)
        if want != want:  # a count of a major that cannot be read: needs a finding
            ok = False
        else:
            ok = got is not None and math.isclose(got, want, rel_tol=1e-12)
        if not ok and not listed:
            wrong.append(f"{book.base.list_sheet} {key}: stored {got!r}, meant {want!r}, no finding names a cell")
    theirs = lambda r: (r[0], r[1]) != (SCHOOL, YEAR)  # noqa: E731 majors: (org, period, seq, code, name…)
    if [r for r in before["majors"] if theirs(r)] != [r for r in after["majors"] if theirs(r)]:
        wrong.append("majors of another school-year changed")
    names = sorted(r[4] for r in after["majors"] if not theirs(r))
    if names != sorted(m["name"] for m in book.records) and not listed:
        wrong.append(f"majors stored {names}, meant {sorted(m['name'] for m in book.records)}")
    for key, got in stored.items():
        wrong.append(f"{key} stored as {got!r}, which no cell of the workbook gives")
    for sheet, r in book.flagged:
        if not any(f.location.sheet == sheet and _row_of(f.location.cell) == r for f in findings):
            wrong.append(f"{sheet} row {r}: typed outside the template's rows and no finding says so")
    return wrong


WHOLE_SHEET = {"workbook.broken_sheet", "workbook.missing_sheet", "workbook.columns_changed"}


def unnamed(book: Book, data) -> list[str]:
    """Cells that cannot be read but no finding names, in a rejected workbook whose sheets were
    read: every problem of a file is a finding, not only the first."""
    if data.submission is None:
        return []  # the file as a whole was refused (or its _meta): its finding names the file
    whole = {f.location.sheet for f in data.findings if f.code in WHOLE_SHEET}
    out = []
    for code, intended in book.intended.items():
        sheet, cell = book.where[code]
        if intended is UNREADABLE and sheet not in whole and not _names(data.findings, sheet, cell):
            out.append(f"unnamed: {sheet}!{cell} {code} cannot be read and no finding names it")
    return out


class Runner:
    """Imports cases into one dataset, one after the other, and judges each."""

    def __init__(self, base: Base, work: Path, companion_every: int = 1):
        self.base, self.work = base, work
        self.companion_every = companion_every  # the good workbook goes into every n-th batch
        self.inbox = work / "inbox"
        self.annotated = work / "退回"
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.n = 0
        shutil.copy(base.companion, self.inbox / "companion.xlsx")
        self._import([self.inbox / "companion.xlsx"])  # the companion is held before the first case
        self.store = _store_rows(base.dataset)  # the store as the last case left it

    def _import(self, files: list[Path]):
        seen = []
        real = import_cmd.import_files

        def spy(*a, **kw):
            run = real(*a, **kw)
            seen.append(run)
            return run
        import_cmd.import_files = spy
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["import", str(self.base.dataset), *map(str, files), "--replace", "--jobs", "1",
                             "--annotated", str(self.annotated)])
        finally:
            import_cmd.import_files = real
        return code, (seen[0] if seen else None), out.getvalue() + err.getvalue()

    def run(self, book: Book) -> Outcome:
        self.n += 1
        path = self.inbox / f"case{self.n % 2}.xlsx"  # a new name each time keeps nothing from the last
        path.write_bytes(book.zip_bytes())
        before = self.store
        batch = [path] + ([self.inbox / "companion.xlsx"] if self.n % self.companion_every == 0 else [])
        code, run, text = self._import(batch)
        after = self.store = _store_rows(self.base.dataset)
        path.unlink()
        violations: list[str] = []
        if code == 3 or run is None:
            return Outcome(code, "—", [], [f"exit {code}: {text.strip()[-300:]}"], book.classes, internal=True)
        mine = next(o for o in run.outcomes if o.data.file.name == path.name)
        companion = next((o for o in run.outcomes if o.data.file.name == "companion.xlsx"), None)
        findings = mine.data.findings
        codes = [f"{f.code}[{f.values['error']}]" if f.code == "file.bad_content" and f.values.get("error")
                 else f.code for f in findings]
        internal = False
        for f in findings:
            if f.code not in self.base.catalogue_codes:
                violations.append(f"finding code {f.code} is not in the message catalogue")
            if f.code == "file.bad_content" and "defect" in f.message_en:
                violations.append(f"internal error read as a finding: {f.values.get('error')}")
                internal = True
        if companion is not None and companion.status not in ("stored", "unchanged") and mine.data.submission is not None and \
                mine.data.submission.org_unit != COMPANION:
            violations.append(f"the good workbook beside it was {companion.status}")
        if mine.status == "rejected":
            if before != after:
                violations.append("a rejected workbook changed the store")
            violations += unnamed(book, mine.data)
        elif mine.status in ("stored", "unchanged"):
            violations += judge_accepted(book, findings, before, after)
        elif mine.status == "exists":
            violations.append("--replace was given but the workbook was held back as existing")
        return Outcome(code, mine.status, codes, violations, book.classes, internal)


# -- dataset folders ------------------------------------------------------------------------------
# Mutations of the dataset folder an import writes into (its files' encodings and types, its
# store). Kept apart from the workbook classes: they are judged by the exit codes of `import`,
# `check` and `report` on a copy of the folder (tests/test_fuzz_folders.py, bench/bench_fuzz.py
# --folders).

FOLDER_MUTATIONS = st.one_of(
    st.tuples(st.just("encoding"), st.sampled_from(["orgs.csv", "values.csv", "dataset.yaml"]),
              st.sampled_from(["gbk", "utf-16", "latin-1 bytes"])),
    st.tuples(st.just("yaml_value"), st.sampled_from([
        ("catalogue", "123"), ("periods", "[]"), ("periods", "{a: 1}"), ("report_year", "abc"),
        ("report_year", "[2020]"), ("org_unit", "x"), ("catalogue", "[cn-2016]"), ("periods", "[2019, abc]")])),
    st.tuples(st.just("yaml_broken")),
    st.tuples(st.just("control_chars"), st.sampled_from(["orgs.csv", "values.csv"])),
    st.tuples(st.just("corrupt_store"), st.sampled_from(["garbage", "empty", "truncated"])),
    st.tuples(st.just("folder_named"), st.sampled_from(["values.csv", "orgs.csv", "nianbao.duckdb"])),
    st.tuples(st.just("empty_file"), st.sampled_from(["orgs.csv", "values.csv", "dataset.yaml"])),
)


def folder_cases(max_size: int = 2) -> st.SearchStrategy:
    return st.lists(FOLDER_MUTATIONS, min_size=1, max_size=max_size)


def mutate_folder(folder: Path, mutations: list[tuple]) -> None:
    for m in mutations:
        kind = m[0]
        if kind == "encoding":
            p = folder / m[1]
            if p.is_file():
                text = p.read_text(encoding="utf-8", errors="replace")
                p.write_bytes(text.encode("gbk", errors="replace") if m[2] == "gbk" else text.encode("utf-16")
                              if m[2] == "utf-16" else b"\xe9\xff" + text.encode("utf-8"))
        elif kind == "yaml_value":
            p = folder / "dataset.yaml"
            if p.is_file():
                key, value = m[1]
                text = p.read_text(encoding="utf-8", errors="replace")
                text = re.sub(rf"^{key}:.*$", f"{key}: {value}", text, flags=re.M)
                p.write_text(text, encoding="utf-8")
        elif kind == "yaml_broken":
            (folder / "dataset.yaml").write_text("org_unit: {code: [\n  - : :\n", encoding="utf-8")
        elif kind == "control_chars":
            p = folder / m[1]
            if p.is_file():
                p.write_text(p.read_text(encoding="utf-8", errors="replace").replace("大同", "大\x01同"), encoding="utf-8")
        elif kind == "corrupt_store":
            p = folder / "nianbao.duckdb"
            if p.is_dir():
                continue
            data = p.read_bytes() if p.is_file() else b""
            p.write_bytes({"garbage": b"\x13\x37" * 4096, "empty": b"", "truncated": data[: len(data) // 3]}[m[1]])
        elif kind == "folder_named":
            p = folder / m[1]
            if p.is_dir():
                continue
            if p.exists():
                p.unlink()
            p.mkdir()
        elif kind == "empty_file":
            p = folder / m[1]
            if p.is_file():
                p.write_bytes(b"")


def run_folder(base: Base, mutations: list[tuple], work: Path, n: int) -> Outcome:
    """``import`` of a good workbook, ``check`` and ``report`` (HTML and DOCX, errors allowed,
    so that it goes as far as it can) into a mutated copy of the dataset folder: none may end in
    an internal error."""
    folder = work / f"folder{n % 2}"
    for old in (folder, work / "报告"):
        if old.exists():
            shutil.rmtree(old)
    shutil.copytree(base.dataset, folder)
    mutate_folder(folder, mutations)
    commands = {"import": ["import", str(folder), str(base.companion), "--jobs", "1", "--annotated", str(work / "退回")],
                "check": ["check", str(folder)],
                "report": ["report", str(folder), "-o", str(work / "报告"), "--no-pdf", "--allow-errors"]}
    exits, violations = [], []
    for cmd, argv in commands.items():
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        exits.append(code)
        if code == 3 or "internal error" in err.getvalue():
            violations.append(f"{cmd} exit {code}: {err.getvalue().strip()[-200:]}")
    return Outcome(max(exits), "folder", [f"{c}:{e}" for c, e in zip(commands, exits)], violations, ["folder"],
                   internal=bool(violations))

"""A school's workbook for one year: built once a year as a skeleton, each school's cells written in."""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from nianbao import __version__
from nianbao.core import exports, formula, outfiles
from nianbao.ingest.cells import control_chars
from nianbao.ingest.workbook.layout import (
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    HEADERS,
    META_SHEET,
    PREV,
    VALUE,
    WIDTHS,
    Item,
    Layout,
    SheetLayout,
    _column_header,
    choices,
    layout_for,
    load_layout,
)

# -- generating ------------------------------------------------------------------------------

def _fill(rgb: str) -> PatternFill:
    return PatternFill("solid", start_color=rgb, end_color=rgb)


_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="center")


def _cell_ref(sheet: SheetLayout, item: Item, here: SheetLayout, col: str) -> str:
    cell = f"{col}{item.row}"
    return cell if sheet is here else f"'{sheet.zh}'!{cell}"


def excel_formula(layout: Layout, here: SheetLayout, item: Item, col: str = VALUE) -> str:
    """The Excel formula of a computed row, over the input cells of column ``col``."""
    cells = layout.input_cells()
    used: list[str] = []

    def ref(r: formula.Ref) -> str:
        sheet, it = cells[r.key]
        c = _cell_ref(sheet, it, here, col)
        used.append(c)
        return f"{c}*{_num(it.input_factor)}" if it.input_factor != 1 else c

    def render(node) -> str:
        if isinstance(node, formula.Num):
            return _num(node.value)
        if isinstance(node, formula.Ref):
            return ref(node)
        if isinstance(node, formula.Neg):
            return f"(-{render(node.operand)})"
        return f"({render(node.left)}{node.op}{render(node.right)})"

    if item.kind == "total":
        return _total_formula(here, item)
    expr = render(item.node)
    if item.denominator is not None:
        expr = f"{expr}/{render(item.denominator)}"
    if item.factor != 1:
        expr = f"{expr}*{_num(item.factor)}"
    used = list(dict.fromkeys(used))
    if item.code.startswith("sum:"):
        return f'=IF(COUNT({",".join(used)})=0,"",SUM({",".join(used)}))'
    return f'=IF(COUNT({",".join(used)})<{len(used)},"",IFERROR({expr},""))'


def _num(v: float) -> str:
    """A number as formula text, never in exponent form (1e+08 is not a formula number everywhere)."""
    return str(int(v)) if float(v).is_integer() else format(Decimal(repr(float(v))), "f")


def _total_formula(sheet: SheetLayout, item: Item) -> str:
    col = {c.key: c for c in sheet.columns}[item.total.get("count") or item.total.get("distinct")].letter
    rows = sheet.record_rows()
    rng = f"{col}{rows.start}:{col}{rows.stop - 1}"
    if "distinct" in item.total:
        return f'=SUMPRODUCT(({rng}<>"")/COUNTIF({rng},{rng}&""))'
    if "equals" in item.total:
        return f'=COUNTIF({rng},"{item.total["equals"]}")'
    return f'=COUNTIF({rng},"?*")'


def _validation(kind: str, el=None, choices=(), length: int = 0) -> DataValidation:
    name = el.zh if el is not None else ""
    if kind == "count":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                            error=f"{name}请填写不小于0的整数")
    elif kind == "rate":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                            error="比率按百分数填写，在0到100之间（95.14 表示 95.14%）")
    elif kind == "choice":
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', error="请从下拉列表中选择")
    elif kind == "length":
        dv = DataValidation(type="textLength", operator="equal", formula1=str(length),
                            error=f"请填写{length}位代码")
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                            error=f"{name}请填写不小于0的数")
    dv.errorTitle = "填写有误"
    dv.showErrorMessage = True
    return dv


def _school_facts(ds, school: str, year: int) -> dict[str, str]:
    org = ds.orgs.get(school)
    cat = ds.catalogue
    county = ds.orgs.get(org.county) if org.county else None

    def label(dim, code):
        try:
            return cat.category_label(dim, code) if code else ""
        except KeyError:
            return code
    return {"code": org.code, "name": org.zh, "county": county.zh if county else org.county,
            "affiliation": label("affiliation", org.affiliation), "ownership": label("ownership", org.ownership),
            "school_type": label("school_type", org.school_type), "year": f"{year}年度"}


def _of_period(ds, period: int) -> dict[str, list]:
    """The observations of one period by org unit, indexed once per dataset (one workbook a
    school would otherwise read every figure of the dataset again)."""
    stamp = (id(ds.observations), len(ds.observations), period)
    cached = ds.__dict__.get("_nianbao_of_period")
    if cached is None or cached[0] != stamp:
        index: dict[str, list] = {}
        for o in ds.observations:
            if o.period == period:
                index.setdefault(o.org_unit, []).append(o)
        cached = ds.__dict__["_nianbao_of_period"] = (stamp, index)
    return cached[1]


def _previous(ds, school: str, year: int) -> dict[str, float]:
    """Last year's figures of the school, by row code, for the carried-over column."""
    order = ("all", "unstated", "excl_technical")
    best: dict[str, tuple[int, float]] = {}
    for o in _of_period(ds, year - 1).get(school, ()):
        rank = order.index(o.scope) if o.scope in order else len(order)
        if o.key not in best or rank < best[o.key][0]:
            best[o.key] = (rank, o.value)
    return {k: v for k, (_, v) in best.items()}


STYLES = ("input", "computed", "carried", "header", "cell")


def _named_styles(wb, layout: Layout) -> dict[str, str]:
    """Named cell styles (faster to apply than single attributes, and visible in Excel's style list)."""
    names = {}
    for kind in STYLES:
        name = f"nianbao-{kind}"
        style = NamedStyle(name=name, border=_BORDER)
        if kind in ("input", "computed", "carried", "header"):
            style.fill = _fill(layout.colour(kind))
        if kind == "input":
            style.protection = _UNLOCKED
        if kind == "header":
            style.font = _BOLD
        wb.add_named_style(style)
        names[kind] = name
    return names


def generate(ds, school: str, year: int, out: str | Path) -> Path:
    """Write the workbook of ``school`` (学校标识码 in the dataset's orgs.csv) for ``year``, by
    the catalogue version in force that year.

    Everything but a few cells is the same for every school of a year: the workbook is built
    once (:func:`_skeleton`) with a marker in each of the school's own cells (:func:`_school_cells`:
    the titles, the registry's texts, last year's figures, the hidden sheet's school), and each
    school's workbook is that package with the markers' cells written as openpyxl writes them.
    A school whose texts openpyxl would write otherwise (a text guarded against running as a
    formula, a control character) is built whole by openpyxl."""
    layout = layout_for(ds.catalogue, year)
    if ds.orgs is None or ds.orgs.get(school) is None or ds.orgs.get(school).level != "school":
        raise KeyError(school)
    cells = _school_cells(layout, _school_facts(ds, school, year), _previous(ds, school, year), year)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not all(_plain_text(v) for v in cells.values()):
        wb = _build(ds, layout, year, lambda cell, value: exports.put(cell, value), cells)
        outfiles.replace_file(out, lambda tmp: wb.save(tmp))
        return out
    skeleton = _skeleton(ds, layout, year)
    outfiles.replace_file(out, lambda tmp: tmp.write_bytes(skeleton.package(cells)))
    return out


def _school_cells(layout: Layout, facts: dict, previous: dict, year: int) -> dict[tuple[str, str], object]:
    """(sheet, cell) → what the workbook of one school holds there and no other school's does:
    a text, a number, "" (an empty text cell) or None (an empty number cell)."""
    out: dict[tuple[str, str], object] = {}
    for sheet in layout.sheets:
        out[(sheet.zh, "B1")] = f"{sheet.zh}　{facts['name']}（{facts['code']}）{year}年度"
        for it in sheet.items:
            r = it.row
            if it.kind == "input":
                prev = previous.get(it.code)
                out[(sheet.zh, f"{PREV}{r}")] = (None if prev is None else
                                                 float(Decimal(repr(prev)) / Decimal(repr(it.input_factor))))
            elif it.kind == "info":
                out[(sheet.zh, f"{VALUE}{r}")] = facts.get(it.source, "")  # a registry text: never a formula
            elif it.kind not in ("info_input", "computed"):
                out[(sheet.zh, f"{PREV}{r}")] = previous.get(it.element.code)
    for n, (key, value) in enumerate(_meta_rows(layout, facts, year), start=1):
        out[(META_SHEET, f"B{n}")] = value
    return out


def _plain_text(value) -> bool:
    """A value the skeleton can hold as openpyxl would write it: not a text openpyxl refuses or
    a text nianbao guards against running as a formula (its cell style differs)."""
    return not isinstance(value, str) or not (exports.needs_guard(value) or value.startswith("=")
                                              or control_chars(value))


def _build(ds, layout: Layout, year: int, put, cells: dict[tuple[str, str], object]):
    """The openpyxl workbook of a school for ``year``, ``put(cell, value)`` writing each of the
    school's own ``cells``."""
    cat = ds.catalogue
    wb = Workbook()
    wb.remove(wb.active)
    style = _named_styles(wb, layout)
    for sheet in layout.sheets:
        ws = wb.create_sheet(sheet.zh)
        for col, width in WIDTHS.items():
            ws.column_dimensions[col].width = width
        ws.column_dimensions["A"].hidden = True
        ws["B1"].font = Font(bold=True, size=14)
        ws.merge_cells("B1:H1")
        ws["B2"] = layout.spec["note_zh"]
        ws["B2"].alignment = _WRAP
        ws.merge_cells("B2:H2")
        ws.row_dimensions[2].height = 30
        for i, text in enumerate(HEADERS):
            ws.cell(HEADER_ROW, i + 1, text).style = style["header"]
        dvs: dict[str, DataValidation] = {}

        def add_dv(key, cell, **kw):
            if key not in dvs:
                dvs[key] = _validation(**kw)
                ws.add_data_validation(dvs[key])
            dvs[key].add(cell)

        for n, it in enumerate(sheet.items, start=1):
            r = it.row
            ws.cell(r, 1, it.code)
            for col, value in ((2, n), (3, it.zh), (4, it.unit), (8, it.note),
                               (5, cat.period_label(it.period_type, year) if it.period_type else None)):
                ws.cell(r, col, value).style = style["cell"]
            v = ws[f"{VALUE}{r}"]
            p = ws[f"{PREV}{r}"]
            p.style = style["carried" if sheet.kind != "info" else "cell"]
            if it.kind == "input":
                v.style = style["input"]
                t = it.element.type
                add_dv(t, v.coordinate, kind=t if t in ("count", "rate") else "decimal", el=it.element)
            elif it.kind == "info_input":
                v.style = style["input"]
            elif it.kind == "info":
                v.style = style["carried"]
            else:
                v.value, v.style = excel_formula(layout, sheet, it), style["computed"]
                if it.kind == "computed":
                    p.value = excel_formula(layout, sheet, it, PREV)
            v.number_format = p.number_format = it.number_format
        if sheet.kind == "list":
            _list_grid(ws, sheet, style, add_dv, cat, year)
        ws.freeze_panes = f"A{FIRST_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # columns and rows may be resized
        ws.protection.formatRows = False
    _meta_sheet(wb, layout)
    for (sheet_name, coord), value in cells.items():
        if value is not None:
            put(wb[sheet_name][coord], value)
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


_MARK = "~nianbao-cell:{}~"  # the skeleton's marker of a school's own cell
_MARKED = re.compile('<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t>~nianbao-cell:\\1~</t></is></c>')


@dataclass
class _Skeleton:
    """The package of a year's workbook with markers in the school's own cells."""
    parts: list[tuple[zipfile.ZipInfo, bytes]]  # in order, the sheets' XML as text where marked
    sheets: dict[str, str]  # part name → sheet name

    def package(self, cells: dict[tuple[str, str], object]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in self.parts:
                sheet = self.sheets.get(info.filename)
                if sheet is not None:
                    data = _MARKED.sub(lambda m, sheet=sheet: _cell_xml(m.group(1), m.group(2) or "",
                                                                        cells.get((sheet, m.group(1)))),
                                       data.decode("utf-8")).encode("utf-8")
                z.writestr(info, data)
        return buf.getvalue()


def _cell_xml(coord: str, style: str, value) -> str:
    """A cell as openpyxl writes it: an inline text (space kept), a number, or empty."""
    if isinstance(value, str):
        if value == "":
            return f'<c r="{coord}"{style} t="inlineStr"></c>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        text = xml_escape(value).encode("ascii", "xmlcharrefreplace").decode("ascii")  # as openpyxl writes it
        return f'<c r="{coord}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if value is None:
        return f'<c r="{coord}"{style} t="n"></c>'
    return f'<c r="{coord}"{style} t="n"><v>{"%.16g" % value}</v></c>'


def _skeleton(ds, layout: Layout, year: int) -> _Skeleton:
    """The year's workbook with a marker in each school's own cell, built once a process."""
    key = (id(ds.catalogue), layout.template, year)
    cached = _SKELETONS.get(key)
    if cached is not None and cached[0] is ds.catalogue:
        return cached[1]
    marks = _school_cells(layout, {"code": "", "name": ""} | {it.source: "" for sh in layout.sheets
                                                              for it in sh.items if it.kind == "info"}, {}, year)
    marks = {k: _MARK.format(k[1]) for k in marks}
    wb = _build(ds, layout, year, lambda cell, value: setattr(cell, "value", value), marks)
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        parts = [(info, z.read(info.filename)) for info in z.infolist()]
    names = [ws.title for ws in wb.worksheets]
    sheets = {f"xl/worksheets/sheet{i}.xml": name for i, name in enumerate(names, start=1)}
    skeleton = _Skeleton(parts, sheets)
    _SKELETONS[key] = (ds.catalogue, skeleton)
    return skeleton


_SKELETONS: dict[tuple, tuple] = {}


def _list_grid(ws, sheet: SheetLayout, style, add_dv, cat, year: int) -> None:
    h = sheet.list_header
    ws.cell(h, 1, f"list:{sheet.id}")
    ws.cell(h, 2, "序号").style = style["header"]
    for c in sheet.columns:
        cell = ws[f"{c.letter}{h}"]
        cell.value, cell.style = _column_header(c), style["header"]
        if c.hint:
            cell.comment = Comment(c.hint, "nianbao")
    for n, r in enumerate(sheet.record_rows(), start=1):
        ws.cell(r, 1, f"{sheet.id}#{n}")
        ws.cell(r, 2, n).style = style["cell"]
        for c in sheet.columns:
            cell = ws[f"{c.letter}{r}"]
            cell.style = style["input"]
            if c.type == "text":
                cell.number_format = "@"
    last = sheet.record_rows().stop - 1
    for c in sheet.columns:
        rng = f"{c.letter}{h + 1}:{c.letter}{last}"
        options = tuple(choices(cat, c, year)) if c.type == "choice" else ()
        digits = re.fullmatch(r"\^\[0-9\]\{(\d+)\}\$", c.pattern)
        if c.type == "count":
            add_dv(f"list:{c.key}", rng, kind="count", el=c.element)
        elif options and len(",".join(options)) < 250:  # Excel's limit for a list typed in place
            add_dv(f"list:{c.key}", rng, kind="choice", choices=options)
        elif digits:
            add_dv(f"list:{c.key}", rng, kind="length", length=int(digits.group(1)))


def _meta_rows(layout: Layout, facts: dict, year: int) -> list[tuple[str, str]]:
    """The keys and values of the hidden sheet (column A, column B)."""
    return [("format", FORMAT), ("template", layout.template), ("catalogue", layout.catalogue.id),
            ("school_code", facts["code"]), ("school_name", facts["name"]), ("year", str(year)),
            ("generated_at", _dt.datetime.now().isoformat(timespec="seconds")),
            ("generator", f"nianbao {__version__}")]


def _meta_sheet(wb, layout: Layout) -> None:
    ws = wb.create_sheet(META_SHEET)
    for i, (k, _) in enumerate(_meta_rows(layout, {"code": "", "name": ""}, 0), start=1):
        ws.cell(i, 1, k)
        ws.cell(i, 2).number_format = "@"
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def fill(path: str | Path, values: dict[str, object], records: list[dict] | None = None,
         out: str | Path | None = None, catalogue=None) -> Path:
    """Type ``values`` (row code → cell content, e.g. ``{"students": 1200}``) and list ``records``
    (column key → content) into the input cells of a generated workbook, as a school would.
    Used by tests and benchmarks; the cell content is written as given (text stays text)."""
    wb = load_workbook(path)
    codes = {}
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        for r in range(FIRST_ROW, ws.max_row + 1):
            v = ws.cell(r, 1).value
            if v:
                codes[str(v)] = (ws, r)
    for code, v in values.items():
        ws, r = codes[code]
        ws[f"{VALUE}{r}"] = v
    if records:
        layout = load_layout(catalogue) if catalogue is not None else None
        sheet = next(s for s in layout.sheets if s.kind == "list")
        for n, rec in enumerate(records, start=1):
            ws, r = codes[f"{sheet.id}#{n}"]
            for c in sheet.columns:
                if c.key in rec:
                    ws[f"{c.letter}{r}"] = rec[c.key]
    out = Path(out or path)
    wb.save(out)
    return out



"""School data workbooks (学校数据填报表).

The catalogue's ``workbook.yaml`` says which data elements a school fills in, on which sheet.
This module turns it into an .xlsx for one school and one year (:func:`generate`), reads a filled
copy back into figures and findings (:func:`read`), and marks the problems in a copy that can be
sent back to the school (:func:`annotate`).

Every row carries its data element code in the hidden column A, so reading does not depend on
row positions or label texts. Computed cells hold Excel formulas for the school's benefit; on
import nianbao never reads them (Excel's cached results are not trusted): stored figures come
only from input cells, and the counts of a list are recomputed from its records.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from nianbao import __version__
from nianbao.catalogue.majors import MajorCatalogue
from nianbao.core import exports, formula, inputs, outfiles
from nianbao.core.findings import SEVERITY_ZH, Finding, FindingsError, Location
from nianbao.core.formula import ref_key
from nianbao.core.messages import finding as message
from nianbao.ingest.cells import BadCell, SheetCells, cell_name, control_chars, open_workbook, read_sheet
from nianbao.ingest.values import out_of_range, parse_value, short_text
from nianbao.store import Major, Row, Submission, dims_text

FORMAT = "nianbao-school-workbook"
META_SHEET = "_meta"
ISSUES_SHEET = "问题清单"
HEADER_ROW, FIRST_ROW = 3, 4
# columns of a sheet: A code (hidden), B no., C item, D unit, E period, F this year, G last year, H note
HEADERS = ("代码", "序号", "项目", "单位", "统计时段", "本年数值", "上年数值（参考）", "说明")
VALUE, PREV = "F", "G"
WIDTHS = {"A": 4, "B": 6, "C": 36, "D": 10, "E": 16, "F": 16, "G": 16, "H": 44}


class LayoutError(ValueError):
    """workbook.yaml refers to something the catalogue does not define."""


# -- layout: workbook.yaml read against the catalogue ----------------------------------------

@dataclass(frozen=True)
class Item:
    """One row of a sheet (or one total of a list)."""
    code: str  # text of column A
    kind: str  # input / computed / info / info_input / total
    zh: str
    en: str
    row: int
    unit: str = ""
    period_type: str = ""
    element: object = None  # catalogue Element (inputs, totals)
    dims: tuple = ()
    node: object = None  # formula over refs (computed)
    factor: float = 1.0  # numerator × factor ÷ denominator (indicators)
    denominator: object = None
    number_format: str = "General"
    input_factor: float = 1.0  # stored value = typed value × input_factor
    note: str = ""
    source: str = ""  # info fields: where the value comes from
    text: bool = False
    total: dict = field(default_factory=dict)  # list totals: count / distinct / equals


@dataclass
class Column:
    key: str
    zh: str
    en: str
    type: str  # text / count / choice
    letter: str
    element: object = None
    choices: tuple = ()
    choices_from: str = ""  # "majors": the categories of the 专业目录 in use that year
    pattern: str = ""
    hint: str = ""
    required: bool = False


@dataclass
class SheetLayout:
    id: str
    zh: str
    en: str
    kind: str  # rows / info / list
    items: list[Item]
    columns: list[Column] = field(default_factory=list)
    list_header: int = 0  # row of the list's column headers
    list_rows: int = 0
    key: str = ""
    unique: str = ""
    record_zh: str = ""
    group_by: dict = field(default_factory=dict)  # {column, dim}: list figures also per category

    def record_rows(self) -> range:
        return range(self.list_header + 1, self.list_header + 1 + self.list_rows)


@dataclass
class Layout:
    version: int
    catalogue: object
    spec: dict
    sheets: list[SheetLayout]

    @property
    def template(self) -> str:
        return f"{self.catalogue.id}/{self.version}"

    @property
    def scope(self) -> str:
        return self.spec.get("scope", "all")

    def colour(self, name: str) -> str:
        return self.spec["colours"][name]

    def input_cells(self) -> dict[str, tuple[SheetLayout, Item]]:
        return {it.code: (sh, it) for sh in self.sheets for it in sh.items if it.kind == "input"}


_TYPE_NOTE = {"count": "填整数", "amount": "可填小数", "mean": "可填小数",
              "rate": "按百分数填写，95.14 表示 95.14%"}
_TYPE_FORMAT = {"count": "0", "amount": "General", "mean": "General", "rate": "0.00"}


def _formula_note(cat, node) -> str:
    return formula.to_text(node, lambda r: cat.ref_label(r, "zh"))


def layout_for(catalogue, year: int) -> Layout:
    """The workbook layout of ``year``: that of the catalogue version in force that year (a
    dataset naming cn-2023 asks its schools for 2022 by the cn-2022 workbook)."""
    return load_layout(catalogue.in_force(year))


def load_layout(catalogue) -> Layout:
    """The workbook layout of a catalogue (its ``workbook.yaml``, merged over the versions it
    extends), made once per catalogue."""
    layout = catalogue.__dict__.get("_workbook_layout")
    if layout is None:
        layout = catalogue.__dict__["_workbook_layout"] = _read_layout(catalogue, catalogue.workbook)
    return layout


def _read_layout(catalogue, spec: dict) -> Layout:
    if not spec:
        raise LayoutError(f"目录 {catalogue.id} 没有填报表定义 workbook.yaml")
    sheets = []
    for s in spec["sheets"]:
        kind = s.get("kind", "rows")
        if kind == "info":
            sheets.append(_info_sheet(s))
        elif kind == "list":
            sheets.append(_list_sheet(catalogue, s))
        else:
            sheets.append(SheetLayout(s["id"], s["zh"], s["en"], "rows", _rows(catalogue, s["rows"])))
    return Layout(version=int(spec["version"]), catalogue=catalogue, spec=spec, sheets=sheets)


def _info_sheet(s) -> SheetLayout:
    items = []
    for i, f in enumerate(s["fields"]):
        items.append(Item(code=f"info:{f['key']}", kind="info_input" if f.get("input") else "info",
                          zh=f["zh"], en=f["en"], row=FIRST_ROW + i, source=f.get("from", ""),
                          text=bool(f.get("text")), number_format="@" if f.get("text") else "General"))
    return SheetLayout(s["id"], s["zh"], s["en"], "info", items)


def _element(cat, code):
    el = cat.elements.get(code)
    if el is None:
        raise LayoutError(f"workbook.yaml 引用了目录中没有的数据元素 {code}")
    return el


def _rows(cat, rows) -> list[Item]:
    items: list[Item] = []
    for r in rows:
        row = FIRST_ROW + len(items)
        if "element" in r:
            el = _element(cat, r["element"])
            expanded = [()]
            for d, c in (r.get("dims") or {}).items():
                if d not in el.dims:
                    raise LayoutError(f"数据元素 {el.code} 没有分组 {d}")
                cats = list(cat.dimensions[d]["categories"]) if c == "*" else [c]
                expanded = [e + ((d, k),) for e in expanded for k in cats]
            unit = r.get("input_unit", {}).get("zh", el.unit_zh)
            for dims in expanded:
                label = el.zh if not dims else "　" + "、".join(
                    f"{cat.dimensions[d]['zh']}：{cat.category_label(d, c)}" for d, c in dims)
                label_en = el.en if not dims else "  " + ", ".join(
                    f"{cat.dimensions[d]['en']}: {cat.category_label(d, c, 'en')}" for d, c in dims)
                items.append(Item(code=ref_key(el.code, dims), kind="input", zh=label, en=label_en,
                                  row=FIRST_ROW + len(items), unit=unit, period_type=el.period_type,
                                  element=el, dims=tuple(sorted(dims)),
                                  number_format=_TYPE_FORMAT.get(el.type, "General"),
                                  input_factor=float(r.get("input_factor", 1)),
                                  note="；".join(n for n in (_TYPE_NOTE.get(el.type, ""), r.get("note_zh", "")) if n)))
        elif "indicator" in r:
            ind = cat.indicator(r["indicator"])
            fmt = "0." + "0" * ind.decimals if ind.decimals else "0"
            if ind.style == "x1":
                fmt += '":1"'
            note = _formula_note(cat, ind.numerator_ast)
            if ind.denominator_ast is not None:
                note = f"({note}) ÷ ({_formula_note(cat, ind.denominator_ast)})"
            if ind.factor != 1:
                note += f" × {ind.factor:g}"
            items.append(Item(code=f"indicator:{ind.code}", kind="computed", zh=ind.zh, en=ind.en, row=row,
                              unit=ind.unit_zh, node=ind.numerator_ast, denominator=ind.denominator_ast,
                              factor=ind.factor, number_format=fmt, note="自动计算 = " + note))
        elif "sum_of" in r:
            el, d = _element(cat, r["sum_of"]), r["dim"]
            node = None
            for c in cat.dimensions[d]["categories"]:
                ref = formula.Ref(el.code, ((d, c),))
                node = ref if node is None else formula.BinOp("+", node, ref)
            dz = cat.dimensions[d]["zh"]
            items.append(Item(code=f"sum:{el.code}[{d}]", kind="computed", zh=f"　{dz}分项合计",
                              en=f"  sum over {cat.dimensions[d]['en']}", row=row, unit=el.unit_zh, node=node,
                              number_format="0", note=f"自动计算；应等于{el.zh}"))
        elif "show" in r:
            el = _element(cat, r["show"])
            items.append(Item(code=f"show:{el.code}", kind="computed", zh=el.zh, en=el.en, row=row,
                              unit=el.unit_zh, period_type=el.period_type, node=formula.Ref(el.code),
                              number_format=_TYPE_FORMAT.get(el.type, "General"), note="取自其他工作表，供参考"))
        else:
            raise LayoutError(f"workbook.yaml 中无法识别的行：{r}")
    return items


def _list_sheet(cat, s) -> SheetLayout:
    columns = []
    for i, c in enumerate(s["columns"]):
        el = _element(cat, c["element"]) if c.get("element") else None
        choices = tuple(c.get("choices", ()))
        columns.append(Column(key=c["key"], zh=c["zh"], en=c["en"], type=c["type"], letter="CDEFGHIJKL"[i],
                              element=el, choices=choices, choices_from=c.get("choices_from", ""),
                              pattern=c.get("pattern", ""),
                              hint=c.get("hint_zh", ""), required=bool(c.get("required"))))
    by_key = {c.key: c for c in columns}
    items = []
    for i, t in enumerate(s.get("totals", [])):
        el = _element(cat, t["element"])
        what = t.get("count") or t.get("distinct")
        if what not in by_key:
            raise LayoutError(f"workbook.yaml：合计 {el.code} 引用了不存在的列 {what}")
        note = f"自动计算：{by_key[what].zh}" + ("不同取值的个数" if "distinct" in t else
                                            f"为“{t['equals']}”的行数" if "equals" in t else "已填写的行数")
        items.append(Item(code=f"total:{el.code}", kind="total", zh=el.zh, en=el.en, row=FIRST_ROW + i,
                          unit=el.unit_zh, period_type=el.period_type, element=el, number_format="0",
                          note=note, total=dict(t)))
    header = FIRST_ROW + len(items) + 1
    return SheetLayout(s["id"], s["zh"], s["en"], "list", items, columns=columns, list_header=header,
                       list_rows=int(s.get("list_rows", 50)), key=s.get("key", ""), unique=s.get("unique", ""),
                       record_zh=s.get("record_zh", "记录"), group_by=dict(s.get("group_by") or {}))


def majors_version(cat, year: int) -> tuple[str, dict]:
    """The version of the 专业目录 (majors.yaml) in use in ``year``."""
    versions = (cat.majors or {}).get("versions") or {}
    for ver, v in versions.items():
        used = v.get("in_use") or {}
        if int(used.get("from", 0)) <= year <= int(used.get("to", 9999)):
            return str(ver), v
    default = str((cat.majors or {}).get("default", ""))
    return default, versions.get(default, {})


def choices(cat, column: Column, year: int) -> dict[str, str]:
    """Label → stored code of a choice column (a drop-down)."""
    if column.choices_from == "majors":
        _, v = majors_version(cat, year)
        return {c["zh"]: str(code) for code, c in (v.get("categories") or {}).items()}
    return {c: c for c in column.choices}


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


# -- reading ---------------------------------------------------------------------------------

def _finding(kind, loc: Location, unit="", period=None, **values) -> Finding:
    return message(kind, loc, period=period, org_unit=unit, **values)


@dataclass
class WorkbookData:
    """What reading one workbook gave: the submission (if it could be identified) and findings."""
    file: Path
    sha256: str
    submission: Submission | None
    findings: list[Finding]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return self.submission is not None and not self.errors


def _grid(ws, deadline: inputs.Deadline | None = None) -> dict[tuple[int, int], object]:
    return read_sheet(ws, deadline).values


_STATUS_ZH = {"active": "在办", "merged": "已合并", "closed": "已撤销"}
_CELL_KIND = {"n": ("数字", "number"), "s": ("共享文本", "shared string"), "b": ("逻辑值", "true/false"),
              "d": ("日期", "date"), "e": ("错误值", "error"), "str": ("文本", "text"),
              "inlineStr": ("文本", "text")}


def _col(letter: str) -> int:
    return ord(letter) - ord("A") + 1


def read(path: str | Path, ds, year: int | None = None) -> WorkbookData:
    """Read a filled workbook for the dataset ``ds`` and the expected ``year`` (default: the
    dataset's report year). Never raises on bad input: every problem is a finding."""
    path = Path(path)
    year = year or ds.report_year
    try:  # only a regular file of bounded size, a sound zip, no zip bomb, no DOCTYPE (core.inputs)
        src = inputs.open_package(path, "xlsx")
    except FindingsError as exc:
        return WorkbookData(path, "", None, exc.findings)
    try:
        with inputs.time_limit(src.deadline):
            wb = open_workbook(src.stream())
            try:
                return _read_open(wb, path, src.sha256, ds, year, src)
            finally:
                wb.close()
    except Exception as exc:  # whatever the parser raises on this file is a finding: the batch goes on
        findings = inputs.translate(exc, path.name)
        if os.environ.get("NIANBAO_DEBUG") and findings[0].values.get("error"):
            raise
        return WorkbookData(path, src.sha256, None, findings)


def _read_open(wb, path: Path, sha: str, ds, year: int, src: inputs.Input | None = None) -> WorkbookData:
    name = path.name
    layout = layout_for(ds.catalogue, year)
    if META_SHEET not in wb.sheetnames:
        return WorkbookData(path, sha, None, [_finding("workbook.no_meta", Location(file=name), sheet=META_SHEET)])
    meta, repeated = _meta(wb[META_SHEET], src.deadline if src else None)
    if repeated:
        key, rows = repeated
        return WorkbookData(path, sha, None, [_finding("workbook.meta_changed", Location(
            file=name, sheet=META_SHEET, cell=f"A{rows[-1]}"), key=key, rows=rows)], meta)
    found = meta.get("template", "?") if meta.get("format") == FORMAT else meta.get("format", "?")
    made_for = meta.get("catalogue") or found.partition("/")[0]
    if meta.get("format") == FORMAT and made_for != layout.catalogue.id:
        return WorkbookData(path, sha, None, [_other_version(layout, name, made_for, meta.get("year", ""), year)], meta)
    if meta.get("format") != FORMAT or meta.get("template") != layout.template:
        return WorkbookData(path, sha, None, [_finding("workbook.wrong_template", Location(file=name, sheet=META_SHEET),
                                                       found=found, expected=layout.template)], meta)
    school = meta.get("school_code", "")
    try:
        wb_year = int(meta.get("year", ""))
    except ValueError:
        wb_year = None
    findings: list[Finding] = []
    where = Location(file=name, sheet=layout.sheets[0].zh)
    org = ds.orgs.get(school) if ds.orgs is not None else None
    if org is None or org.level != "school":
        findings.append(_finding("workbook.unknown_school", where, school, wb_year, school=school))
    if wb_year != year:
        findings.append(_finding("workbook.wrong_year", where, school, wb_year, found=meta.get("year"), expected=year))
    if org is not None and org.level == "school" and org.status != "active" and (
            org.closed is None or year >= org.closed):
        findings.append(_finding("workbook.school_inactive", where, school, wb_year, school=school, name=org.zh,
                                 closed=org.closed or "—", year=year,
                                 text={"status": _STATUS_ZH.get(org.status, org.status), "status_en": org.status}))
    reader = _SheetReader(wb, path, layout, ds, school, year, findings)
    reader.src = src
    for sheet in layout.sheets:
        reader.sheet(sheet)
    if (org is not None and org.level == "school" and not reader.name_checked
            and meta.get("school_name", org.zh).strip() != org.zh):
        findings.append(_finding("workbook.school_name", Location(file=name, sheet=META_SHEET), school, wb_year,
                                 found=meta.get("school_name", ""), school=school, expected=org.zh))
    if reader.input_formulas:
        reader.resolve_formulas()
    sub = Submission(org_unit=school, period=year, file=name, sha256=sha, template=layout.template,
                     rows=reader.rows, majors=reader.majors, contact=reader.contact)
    if not reader.rows and not reader.majors and not any(f.code.startswith("workbook.missing") for f in findings):
        findings.append(_finding("workbook.empty", Location(file=name), school, year))
    for f in findings:
        f.org_unit = f.org_unit or school
        f.period = f.period or year
    order = {s.zh: i for i, s in enumerate(layout.sheets)}
    findings.sort(key=lambda f: (order.get(f.location.sheet, -1), _cell_order(f.location.cell)))
    return WorkbookData(path, sha, sub, findings, meta)


def _other_version(layout: Layout, name: str, made_for: str, wb_year: str, year: int) -> Finding:
    """A workbook made by another catalogue version than the one the dataset asks for ``year``
    (a 2016-outline workbook in a 2024 dataset): refused, naming both versions."""
    meta = layout.catalogue.meta
    return _finding("workbook.other_version", Location(file=name, sheet=META_SHEET), found=made_for,
                    found_year=wb_year or "?", expected=layout.catalogue.id, year=year,
                    text={"expected_name": meta.get("name_zh", layout.catalogue.id),
                          "expected_name_en": meta.get("name_en", layout.catalogue.id)})


def _meta(ws, deadline) -> tuple[dict[str, str], tuple[str, list[int]] | None]:
    """The keys and values of the hidden sheet, every row of it (not only those its declared
    size admits); and the first key written in more than one row (or whose cells cannot be
    read) with its rows, if any: a workbook that says twice which school or year it is says
    neither."""
    cells = read_sheet(ws, deadline).values
    meta: dict[str, str] = {}
    rows: dict[str, list[int]] = {}
    damaged = None
    for (r, c), key in sorted(cells.items()):
        if c != 1:
            continue
        value = cells.get((r, 2))
        if damaged is None and (isinstance(key, BadCell) or isinstance(value, BadCell)):
            damaged = (str(key), [r])  # a key or value that cannot be read (written twice, say)
        k = str(key)
        rows.setdefault(k, []).append(r)
        meta[k] = "" if value is None else str(value)
    repeated = next(((k, rs) for k, rs in rows.items() if len(rs) > 1), damaged)
    return meta, repeated


def _cell_order(cell: str) -> tuple[int, str]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", cell or "")
    return (int(m.group(2)), m.group(1)) if m else (0, cell or "")


class _SheetReader:
    def __init__(self, wb, path, layout, ds, school, year, findings):
        self.wb, self.path, self.layout, self.ds = wb, path, layout, ds
        self.school, self.year, self.findings = school, year, findings
        self.rows: list[Row] = []
        self.majors: list[Major] = []
        self.contact: dict[str, str] = {}
        self.input_formulas: list[tuple[SheetLayout, Item, int, str]] = []
        self.source = layout.spec.get("source_zh", "")
        self.cells: dict[str, SheetCells] = {}
        self.name_checked = False  # the visible school name was compared with the registry
        self.src: inputs.Input | None = None  # the checked bytes of the file, parsed instead of the path

    def loc(self, sheet: SheetLayout, cell: str = "") -> Location:
        return Location(file=self.path.name, sheet=sheet.zh, cell=cell)

    def add(self, kind, where: SheetLayout, cell="", **values):
        self.findings.append(_finding(kind, self.loc(where, cell), self.school, self.year, **values))

    def sheet(self, sheet: SheetLayout) -> None:
        if sheet.zh not in self.wb.sheetnames:
            self.add("workbook.missing_sheet", sheet, sheet=sheet.zh)
            return
        cells = read_sheet(self.wb[sheet.zh], self.src.deadline if self.src else None)
        if cells.broken is not None:
            self.add("workbook.broken_sheet", sheet, cells.broken, sheet=sheet.zh, at=cells.broken or "—")
            return
        self.cells[sheet.zh] = cells
        grid = cells.values
        self.cell_contents(sheet, cells)
        for i, text in enumerate(HEADERS[1:], start=2):
            if str(grid.get((HEADER_ROW, i), "")).strip() != text:
                col = chr(ord("A") + i - 1)
                self.add("workbook.columns_changed", sheet, f"{col}{HEADER_ROW}", sheet=sheet.zh, row=HEADER_ROW,
                         col=col, expected=text)
                return
        codes: dict[str, int] = {}
        expected = {it.code for it in sheet.items}
        record_codes = {f"{sheet.id}#{n}" for n in range(1, sheet.list_rows + 1)}
        for (r, c), v in sorted(grid.items()):
            if c != 1 or r < FIRST_ROW:
                continue
            code = str(v).strip()
            if code in codes:
                self.add("workbook.duplicate_row", sheet, f"A{r}", code=code, first=codes[code], row=r)
            elif code in expected or code in record_codes or code == f"list:{sheet.id}":
                codes[code] = r
            else:
                self.add("workbook.unknown_row", sheet, f"A{r}", code=code, row=r)
        moved = [it for it in sheet.items if it.code in codes and codes[it.code] != it.row]
        if moved:
            first = min(codes[it.code] for it in moved)
            self.add("workbook.moved_rows", sheet, f"C{first}", sheet=sheet.zh, count=len(moved))
        for it in sheet.items:
            r = codes.get(it.code)
            if r is None:
                self.add("workbook.missing_row", sheet, f"C{it.row}", item=it.zh.strip(), code=it.code)
                continue
            cell = f"{VALUE}{r}"
            raw = grid.get((r, _col(VALUE)))
            if it.kind == "input":
                self.input(sheet, it, r, raw)
            elif it.kind == "info_input":
                self.contact[it.code.split(":", 1)[1]] = "" if raw is None else str(raw).strip()
            elif it.kind == "info":
                if it.source == "code" and str(raw or "").strip() != self.school:
                    self.add("workbook.id_changed", sheet, cell, found=raw, school=self.school)
                elif it.source == "name":
                    self.compare_name(sheet, cell, raw)
            elif _norm_formula(raw) != _norm_formula(excel_formula(self.layout, sheet, it)):
                self.add("workbook.formula_changed", sheet, cell, item=it.zh.strip())
        if sheet.kind == "list":
            self.records(sheet, grid, codes)
        self.structure(sheet, cells, codes)

    def compare_name(self, sheet, cell: str, raw) -> None:
        """The school's name as the workbook shows it against the registry's name of its code."""
        org = self.ds.orgs.get(self.school) if self.ds.orgs is not None else None
        found = str(raw or "").strip()
        if org is not None and org.level == "school" and found != org.zh:
            self.name_checked = True
            self.add("workbook.school_name", sheet, cell, found=found, school=self.school, expected=org.zh)

    def structure(self, sheet: SheetLayout, cells: SheetCells, codes: dict[str, int]) -> None:
        """Merged cells, and rows the workbook as issued does not have (inserted rows, records
        typed below a list): what is typed there would be lost without a word."""
        by_row = {r: code for code, r in codes.items()}
        items = {it.code: it for it in sheet.items}
        inputs = set()
        for code, r in codes.items():
            it = items.get(code)
            if it is not None and it.kind in ("input", "info_input"):
                inputs.add((r, _col(VALUE)))
            elif code.startswith(f"{sheet.id}#"):
                inputs.update((r, _col(c.letter)) for c in sheet.columns)
        for rng, keys in cells.merged_ranges().items():
            if max(r for r, _ in keys) < FIRST_ROW:
                continue  # the title and the note, merged by the template
            top = keys[0]
            if inputs & set(keys):
                self.add("workbook.merged_input", sheet, cell_name(*top), range=rng)
            else:
                self.add("workbook.merged_cells", sheet, cell_name(*top), range=rng)
        first: dict[int, tuple[int, object]] = {}
        for (r, c), v in cells.values.items():
            if r < FIRST_ROW or c == 1 or r in by_row or str(v).strip() == "":
                continue
            if r not in first or c < first[r][0]:
                first[r] = (c, v)
        if sheet.kind == "list":
            what = f"{sheet.record_zh}超过{sheet.list_rows}个时请联系教育局"
            what_en = f"if there are more than {sheet.list_rows} records, contact the bureau"
        else:
            what = "数字填写在对应项目的“本年数值”列"
            what_en = "type each figure in the this-year column of its item"
        for r, (c, v) in sorted(first.items()):
            self.add("workbook.unlisted_row", sheet, cell_name(r, c), row=r, raw=str(v)[:40], what=what,
                     what_en=what_en)

    def cell_contents(self, sheet: SheetLayout, cells: SheetCells) -> None:
        """Cells that cannot be read as their type says, and texts with control characters."""
        for (r, c), v in sorted(cells.values.items()):
            if isinstance(v, BadCell) and v.kind == "too_large":
                self.add("value.too_large", sheet, cell_name(r, c), raw=short_text(v.text))
            elif isinstance(v, BadCell) and v.kind == "twice":
                self.add("workbook.duplicate_cell", sheet, cell_name(r, c), raw=v.text)
            elif isinstance(v, BadCell):
                zh, en = _CELL_KIND.get(v.kind, ("数据", "value"))
                self.add("workbook.bad_cell", sheet, cell_name(r, c), raw=v.text[:40], type=zh, type_en=en)
            elif isinstance(v, str) and control_chars(v):
                self.add("workbook.control_chars", sheet, cell_name(r, c), raw=v[:40], chars=control_chars(v))

    def unusable(self, raw) -> bool:
        """A cell already reported by :meth:`cell_contents`."""
        return isinstance(raw, BadCell) or (isinstance(raw, str) and bool(control_chars(raw)))

    def input(self, sheet, it: Item, r: int, raw) -> None:
        if self.unusable(raw):
            return
        if isinstance(raw, str) and raw.startswith("="):
            self.input_formulas.append((sheet, it, r, raw))
            return
        self.parsed(sheet, it, r, raw)

    def parsed(self, sheet, it: Item, r: int, raw, formula_text: str = "") -> None:
        cell = f"{VALUE}{r}"
        el = it.element if it.input_factor == 1 else replace(it.element, unit_zh=it.unit)
        cells = self.cells.get(sheet.zh)
        percent = cells is not None and (r, _col(VALUE)) in cells.percent and not formula_text
        res = parse_value(raw, el.type, element=el, location=self.loc(sheet, cell), percent_format=percent)
        for f in res.findings:
            f.org_unit, f.period = self.school, self.year
        self.findings.extend(res.findings)
        if not res.ok:
            return
        if formula_text:
            self.add("workbook.formula_input", sheet, cell, item=it.zh.strip(), raw=formula_text, value=raw)
        value = res.value
        if it.input_factor != 1:
            value = float(Decimal(repr(value)) * Decimal(repr(it.input_factor)))
        wrong = out_of_range(value, it.element, self.ds.catalogue, "school", self.loc(sheet, cell))
        if wrong is not None:
            wrong.org_unit, wrong.period = self.school, self.year
            self.findings.append(wrong)
            return
        self.rows.append(Row(element=it.element.code, dims=dims_text(it.dims), period=self.year,
                             scope=self.layout.scope, value=value, source=self.source,
                             origin=f"{self.path.name} {sheet.zh}!{cell}"))

    def resolve_formulas(self) -> None:
        """Input cells holding a formula: use the result Excel saved, if there is one."""
        try:
            wb = open_workbook(self.src.stream() if self.src else self.path, data_only=True)
        except Exception:  # already opened once; treat as no cached values
            wb = None
        grids = {}
        for sheet, it, r, text in self.input_formulas:
            if wb is not None and sheet.zh not in grids:
                grids[sheet.zh] = _grid(wb[sheet.zh])
            cached = grids.get(sheet.zh, {}).get((r, _col(VALUE)))
            if cached is None:
                self.parsed(sheet, it, r, text)  # gives value.formula_no_cache
            else:
                self.parsed(sheet, it, r, cached, formula_text=text)
        if wb is not None:
            wb.close()

    def records(self, sheet: SheetLayout, grid, codes) -> None:
        h = codes.get(f"list:{sheet.id}")
        if h is None:
            self.add("workbook.missing_row", sheet, f"B{sheet.list_header}", item=f"{sheet.zh}表头",
                     code=f"list:{sheet.id}")
            return
        for c in sheet.columns:
            if str(grid.get((h, _col(c.letter)), "")).strip() != _column_header(c):
                self.add("workbook.columns_changed", sheet, f"{c.letter}{h}", sheet=sheet.zh, row=h,
                         col=c.letter, expected=_column_header(c))
                return
        seen: dict[str, int] = {}
        records = []
        errors_before = len(self.errors())
        for n in range(1, sheet.list_rows + 1):
            r = codes.get(f"{sheet.id}#{n}")
            if r is None:
                self.add("workbook.missing_row", sheet, f"B{sheet.list_header + n}",
                         item=f"第{n}个{sheet.record_zh}", code=f"{sheet.id}#{n}")
                continue
            rec = self.record(sheet, grid, r, seen)
            if rec is not None:
                records.append((n, r, rec))
        if not records:
            self.add("workbook.empty_list", sheet, f"B{h + 1}", sheet=sheet.zh, record=sheet.record_zh)
            return
        if len(self.errors()) > errors_before:
            return
        self.majors = [Major(seq=n, code=rec.get("code") or "", name=rec.get("name") or "",
                             category=rec.get("category") or "", students=rec.get("students"),
                             entrants=rec.get("entrants"),
                             is_new=None if rec.get("new") is None else rec.get("new") == "是",
                             origin=f"{self.path.name} {sheet.zh}!{r}行") for n, r, rec in records]
        self.list_rows(sheet, [rec for _, _, rec in records], codes)

    def list_rows(self, sheet: SheetLayout, records: list[dict], codes) -> None:
        """The stored figures of a list: its totals, and per category where the sheet groups."""
        group = sheet.group_by.get("column")
        dim = sheet.group_by.get("dim")
    
        def emit(el, value, dims=(), origin=""):
            self.rows.append(Row(element=el.code, dims=dims_text(dims), period=self.year, scope=self.layout.scope,
                                 value=float(value), source=self.source, origin=origin))

        for it in sheet.items:
            origin = f"{self.path.name} {sheet.zh}!{VALUE}{codes.get(it.code, it.row)}"
            col = it.total.get("count") or it.total.get("distinct")
            if "distinct" in it.total:
                emit(it.element, len({rec[col] for rec in records if rec.get(col)}), origin=origin)
                continue
            if "equals" in it.total:
                chosen = [rec for rec in records if rec.get(col) == it.total["equals"]]
            else:
                chosen = [rec for rec in records if rec.get(col) not in (None, "")]
            emit(it.element, len(chosen), origin=origin)
            if group:
                for category in sorted({rec[group] for rec in records}):
                    emit(it.element, sum(1 for rec in chosen if rec[group] == category), ((dim, category),), origin)
        if not group:
            return
        for c in sheet.columns:
            if c.type != "count" or c.element is None:
                continue
            filled = [rec for rec in records if rec.get(c.key) is not None]
            if filled and len(filled) < len(records):
                self.add("workbook.partial_column", sheet, f"{c.letter}{sheet.list_header}", column=c.zh,
                         filled=len(filled), total=len(records))
            if len(filled) != len(records):
                continue
            rows = sheet.record_rows()
            origin = f"{self.path.name} {sheet.zh}!{c.letter}{rows.start}:{c.letter}{rows.stop - 1}"
            for category in sorted({rec[group] for rec in records}):
                emit(c.element, sum(rec[c.key] for rec in records if rec[group] == category),
                     ((dim, category),), origin)

    def errors(self):
        return [f for f in self.findings if f.severity == "error"]

    def record(self, sheet: SheetLayout, grid, r: int, seen: dict) -> dict | None:
        raw = {c.key: grid.get((r, _col(c.letter))) for c in sheet.columns}
        if all(v is None or str(v).strip() == "" for v in raw.values()):
            return None
        rec: dict = {}
        for c in sheet.columns:
            v, cell = raw[c.key], f"{c.letter}{r}"
            if self.unusable(v):
                rec[c.key] = None
                continue
            if c.type == "count":
                cells = self.cells.get(sheet.zh)
                shown_percent = cells is not None and (r, _col(c.letter)) in cells.percent
                res = parse_value(v, "count", element=c.element, location=self.loc(sheet, cell),
                                  percent_format=shown_percent)
                for f in res.findings:
                    f.org_unit, f.period = self.school, self.year
                self.findings.extend(res.findings)
                rec[c.key] = res.value if res.ok else None
                continue
            text = "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
            rec[c.key] = text or None
            if not text:
                if c.key == sheet.key or c.required:
                    self.add("workbook.missing_value", sheet, cell, row=r, column=c.zh)
                continue
            if c.type == "choice":
                options = choices(self.ds.catalogue, c, self.year)
                code = options.get(text) or self.category_code(c, text)
                if options and code is None:
                    self.add("workbook.bad_choice", sheet, cell, raw=text, column=c.zh, choices="、".join(options))
                rec[c.key] = code or text
            if c.pattern and not _matches(c.pattern, text):
                self.add("workbook.bad_code", sheet, cell, raw=text, column=c.zh, column_en=c.en)
            if c.key == sheet.unique:
                if text in seen:
                    self.add("workbook.duplicate_record", sheet, cell, raw=text, first=seen[text],
                             record=sheet.record_zh)
                else:
                    seen[text] = r
        self.check_listed(sheet, rec, r)
        return rec

    def category_code(self, column: Column, text: str) -> str | None:
        """A category typed as its code ("09") rather than picked from the list."""
        if column.choices_from != "majors":
            return None
        options = set(choices(self.ds.catalogue, column, self.year).values())
        code = self.majors_catalogue().category(text)
        return code if code in options else None

    def majors_catalogue(self):
        if not hasattr(self, "_majors"):
            self._majors = MajorCatalogue(self.ds.catalogue.majors or {})
        return self._majors

    def check_listed(self, sheet: SheetLayout, rec: dict, r: int) -> None:
        by_key = {c.key: c for c in sheet.columns}
        cat_col = next((c for c in sheet.columns if c.choices_from == "majors"), None)
        if cat_col is None or not rec.get(cat_col.key) or not rec.get(sheet.key):
            return
        if self.majors_catalogue().is_listed(rec[cat_col.key], rec[sheet.key]) is False:
            ver, _ = majors_version(self.ds.catalogue, self.year)
            self.add("workbook.unknown_major", sheet, f"{by_key[sheet.key].letter}{r}", raw=rec[sheet.key],
                     version=ver)


def _norm_formula(text) -> str:
    """A formula as spreadsheet programs may rewrite it: quotes, $ and spaces dropped."""
    return re.sub(r"[\s'$]", "", str(text or "")).upper()


def _column_header(c: Column) -> str:
    return c.zh + (f"（{c.element.unit_zh}）" if c.element is not None else "")


def _matches(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern.strip("^$"), text) is not None


# -- annotating ------------------------------------------------------------------------------

def annotated_name(path: Path) -> str:
    return f"{path.stem}.批注.xlsx"


def _writable(wb) -> None:
    """Numbers that openpyxl can read but not write back (infinite, NaN, too large for a double)
    are kept in the copy as the text they were written as."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, (int, float)) and not isinstance(v, bool) and _finite(v) is None:
                    c.value = str(v)


def _finite(v) -> float | None:
    try:
        f = float(v)
    except OverflowError:
        return None
    return f if f == f and abs(f) != float("inf") else None


def _shown_by(ws, cell):
    """The cell that shows ``cell`` (it holds the fill and the comment): itself, or inside a
    merged range its top-left cell. Ranges may overlap or repeat (a hand-edited sheet), so a
    top-left cell inside another range is followed on, each cell once, and the top-most,
    left-most ordinary cell reached is taken; None if every one is covered."""
    if not isinstance(cell, MergedCell):
        return cell
    ranges = list(ws.merged_cells.ranges)
    seen, todo, found = set(), [(cell.row, cell.column)], []
    while todo:
        r, c = todo.pop()
        if (r, c) in seen:
            continue
        seen.add((r, c))
        for m in ranges:
            if m.min_row <= r <= m.max_row and m.min_col <= c <= m.max_col:
                top = ws.cell(m.min_row, m.min_col)
                if isinstance(top, MergedCell):
                    todo.append((m.min_row, m.min_col))
                else:
                    found.append(top)
    return min(found, key=lambda t: (t.row, t.column), default=None)


def annotate(path: str | Path, findings: list[Finding], out: str | Path, layout: Layout | None = None) -> Path | None:
    """A copy of the workbook with each problem cell filled (red: error, orange: warning) and
    commented, and a first sheet 问题清单 listing every finding. None if the file cannot be opened."""
    path, out = Path(path), Path(out)
    colours = (layout.spec["colours"] if layout else {"error": "FF9999", "warning": "FFC000"})
    try:
        src = inputs.open_package(path, "xlsx")
        with inputs.time_limit(src.deadline):
            wb = load_workbook(src.stream())
    except Exception:  # a file that cannot be read safely has its findings already; no copy
        return None
    _writable(wb)
    by_cell: dict[tuple[str, int, int], list[Finding]] = {}  # the cell that shows it → its findings
    for f in findings:
        if f.location.sheet in wb.sheetnames and f.location.cell and f.location.sheet != META_SHEET:
            ws = wb[f.location.sheet]
            try:
                c = _shown_by(ws, ws.cell(*coordinate_to_tuple(f.location.cell)))
            except (ValueError, TypeError):
                continue  # not one cell (a range, a column): the list below names it
            if c is not None:  # else no cell of its merged ranges can hold a comment: the list names it
                by_cell.setdefault((f.location.sheet, c.row, c.column), []).append(f)
    for (sheet, row, col), fs in by_cell.items():
        c = wb[sheet].cell(row, col)
        worst = "error" if any(f.severity == "error" for f in fs) else "warning"
        if all(f.severity == "info" for f in fs):
            continue
        c.fill = _fill(colours[worst])
        text = "\n".join(f"【{SEVERITY_ZH[f.severity]}】{f.message_zh}\n建议：{f.hint}" for f in fs)
        comment = Comment(text, "nianbao")
        comment.width, comment.height = 320, 60 + 50 * len(fs)
        c.comment = comment
    if ISSUES_SHEET in wb.sheetnames:
        wb.remove(wb[ISSUES_SHEET])
    ws = wb.create_sheet(ISSUES_SHEET, 0)
    ws["A1"] = f"问题清单：{path.name}（共 {len(findings)} 项，请按建议修改后重新提交）"
    ws["A1"].font = Font(bold=True, size=13)
    heads = ("序号", "级别", "工作表", "单元格", "问题", "处理建议", "代码")
    for i, t in enumerate(heads, start=1):
        cell = ws.cell(2, i, t)
        cell.font, cell.border = _BOLD, _BORDER
    order = {"error": 0, "warning": 1, "info": 2}
    for n, f in enumerate(sorted(findings, key=lambda f: order[f.severity]), start=1):
        values = (n, SEVERITY_ZH[f.severity], f.location.sheet or "—", f.location.cell or "—",
                  f.message_zh, f.hint, f.code)
        for i, v in enumerate(values, start=1):
            cell = ws.cell(n + 2, i)
            exports.put(cell, v)
            cell.border, cell.alignment = _BORDER, _WRAP
        if f.location.sheet in wb.sheetnames and f.location.cell:
            link = ws.cell(n + 2, 4)
            link.hyperlink = f"#'{f.location.sheet}'!{f.location.cell}"
            link.font = Font(color="0563C1", underline="single")
        if f.severity in colours:
            ws.cell(n + 2, 2).fill = _fill(colours[f.severity])
    for col, width in zip("ABCDEFG", (6, 8, 16, 10, 60, 44, 26)):
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    out.parent.mkdir(parents=True, exist_ok=True)
    outfiles.replace_file(out, lambda tmp: wb.save(tmp))
    return out

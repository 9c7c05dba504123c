"""The layout of a school workbook: the catalogue's ``workbook.yaml`` read against its elements,
as sheets, rows and list columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.core import formula
from nianbao.core.formula import ref_key

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


def _column_header(c: Column) -> str:
    return c.zh + (f"（{c.element.unit_zh}）" if c.element is not None else "")

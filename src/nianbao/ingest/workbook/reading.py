"""A filled workbook read back into figures, majors and findings, every problem naming its cell."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from nianbao.catalogue.majors import MajorCatalogue
from nianbao.core import inputs
from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.messages import finding as message
from nianbao.ingest.cells import BadCell, SheetCells, cell_name, control_chars, open_workbook, read_sheet
from nianbao.ingest.values import out_of_range, parse_value, short_text
from nianbao.ingest.workbook.building import excel_formula
from nianbao.ingest.workbook.layout import (
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    HEADERS,
    META_SHEET,
    VALUE,
    Column,
    Item,
    Layout,
    SheetLayout,
    _column_header,
    choices,
    layout_for,
    majors_version,
)
from nianbao.store import Major, Row, Submission, dims_text

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


def _matches(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern.strip("^$"), text) is not None



"""The use case "a school submits its figures" (网上填报), for the collection portal.

A school's figures of one year come either from the portal's forms — generated from the
catalogue's workbook definition (``workbook.yaml``) — or from an uploaded workbook. Both go
through one reader: what a clerk types in the form is typed into the school's own workbook and
read back by :func:`nianbao.ingest.workbook.read`, so the form gives exactly the findings of an
imported workbook (cell by cell), and the rules of ``nianbao check`` then run on the school's
figures. Findings are placed beside their field by the workbook cell they name.

Nothing here prints or knows about the web: functions return data.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

from nianbao.check.context import index_orgs
from nianbao.check.engine import check_rules
from nianbao.check.rules import rulebook
from nianbao.core import formula, settings
from nianbao.core.findings import Finding, Location, sort_key
from nianbao.core.messages import finding as message
from nianbao.core.observations import Observation, parse_dims
from nianbao.ingest import workbook
from nianbao.ingest.dataset import load_dataset
from nianbao.store import Row, SaveResult, Store, Submission, locate

FORM_FILE = "网上填报.xlsx"  # the name the form's figures are read under (their origin)


def max_upload() -> int:
    """Bytes an uploaded workbook may have (the settings registry: NIANBAO_MAX_UPLOAD_MB)."""
    return settings.mebibytes("max_upload_mb")


def open_dataset(path) -> object:
    """The dataset the portal collects for (dataset.yaml, registry, earlier years)."""
    return load_dataset(path)


# -- the form ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FormField:
    code: str  # the workbook row code (column A), e.g. "students" or "fulltime_teachers[degree=master]"
    sheet: str  # sheet id
    kind: str  # input / computed / info / contact / total
    zh: str
    en: str
    unit: str
    period: str  # 统计时段 (stock / flow …)
    cell: str  # the workbook cell of its value, e.g. "F4"
    vtype: str = ""  # count / amount / rate / mean (inputs)
    element: str = ""
    dims: str = ""
    note: str = ""


@dataclass(frozen=True)
class FormColumn:
    key: str
    zh: str
    en: str
    type: str  # text / count / choice
    letter: str
    choices: tuple = ()  # (label, label) pairs for a choice
    required: bool = False


@dataclass
class FormSheet:
    id: str
    zh: str
    en: str
    kind: str  # rows / info / list
    fields: list[FormField]
    columns: list[FormColumn] = field(default_factory=list)
    list_rows: int = 0
    first_record_row: int = 0


def _layout(ds):
    return workbook.load_layout(ds.catalogue)


def form(ds, year: int) -> list[FormSheet]:
    """The sheets of the school form of ``year``, as the workbook lays them out."""
    layout = _layout(ds)
    sheets = []
    for sh in layout.sheets:
        fields = []
        for it in sh.items:
            kind = {"info_input": "contact"}.get(it.kind, it.kind)
            el = it.element
            fields.append(FormField(
                code=it.code, sheet=sh.id, kind=kind, zh=it.zh.strip(), en=it.en, unit=it.unit,
                period=it.period_type, cell=f"{workbook.VALUE}{it.row}", vtype=getattr(el, "type", "") if el else "",
                element=getattr(el, "code", "") if el else "", dims=_dims_text(it.dims), note=it.note))
        columns = []
        for c in sh.columns:
            opts = tuple((label, label) for label in workbook.choices(ds.catalogue, c, year)) if c.type == "choice" else ()
            columns.append(FormColumn(c.key, c.zh, c.en, c.type, c.letter, opts, bool(c.required or c.key == sh.key)))
        sheets.append(FormSheet(sh.id, sh.zh, sh.en, sh.kind, fields, columns,
                                list_rows=sh.list_rows, first_record_row=sh.list_header + 1 if sh.kind == "list" else 0))
    return sheets


def _dims_text(dims) -> str:
    return ",".join(f"{d}={c}" for d, c in dims)


def record_code(sheet_id: str, n: int, column: str) -> str:
    """The field code of one cell of a list: record ``n`` (from 1), column key."""
    return f"{sheet_id}#{n}:{column}"


def template_version(ds) -> str:
    return _layout(ds).template


# -- reading what was typed ---------------------------------------------------------------------

@dataclass
class Validation:
    """What the figures of a school-year give: the rows to store, the findings, by field."""
    submission: Submission | None
    findings: list[Finding]
    by_field: dict[str, list[Finding]]
    general: list[Finding]  # findings that name no field of the form
    computed: dict[str, float | None] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # field code → text as typed (normalised)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


_TEMPLATES: OrderedDict = OrderedDict()


def _blank(ds, school: str, year: int) -> bytes:
    """The school's generated workbook of ``year`` (kept: last year's figures do not change)."""
    key = (id(ds), school, year)
    if key not in _TEMPLATES:
        with tempfile.TemporaryDirectory() as tmp:
            path = workbook.generate(ds, school, year, Path(tmp) / FORM_FILE)
            _TEMPLATES[key] = _defuse(ds, path.read_bytes())
        while len(_TEMPLATES) > 256:
            _TEMPLATES.popitem(last=False)
    return _TEMPLATES[key]


def blank_workbook(ds, school: str, year: int) -> bytes:
    """The workbook a school downloads to fill offline."""
    return _blank(ds, school, year)


def filled_workbook(ds, school: str, year: int, values: dict[str, str]) -> bytes:
    """The school's workbook with what it has entered so far."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / FORM_FILE
        _type_into(ds, _blank(ds, school, year), values, path)
        return path.read_bytes()


def _type_into(ds, blank: bytes, values: dict[str, str], out: Path) -> None:
    """Type the form's texts into the input cells of the school's workbook, as the clerk would."""
    fast = _type_xml(ds, blank, values)
    if fast is not None:
        out.write_bytes(fast)
        return
    _type_openpyxl(ds, blank, values, out)


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _cell_refs(ds) -> dict[str, tuple[str, str]]:
    """Field code → (sheet name, cell) of the generated workbook."""
    refs = {}
    for sh in _layout(ds).sheets:
        for it in sh.items:
            refs[it.code] = (sh.zh, f"{workbook.VALUE}{it.row}")
        if sh.kind == "list":
            for n in range(1, sh.list_rows + 1):
                for c in sh.columns:
                    refs[record_code(sh.id, n, c.key)] = (sh.zh, f"{c.letter}{sh.list_header + n}")
    return refs


def _type_xml(ds, blank: bytes, values: dict[str, str]) -> bytes | None:
    """The same typing as :func:`_type_openpyxl`, done on the sheets' XML of the workbook nianbao
    generated (each input cell is there, empty, with its style): inline text cells, so a
    leading = stays text. None when a cell is not where the layout says (then openpyxl types)."""
    from xml.sax.saxutils import escape

    refs = _cell_refs(ds)
    wanted: dict[str, dict[str, str]] = {}
    for code, text in values.items():
        text = "" if text is None else _XML_BAD.sub("", str(text))
        if code in refs and text.strip():
            sheet, cell = refs[code]
            wanted.setdefault(sheet, {})[cell] = text
    zin = zipfile.ZipFile(io.BytesIO(blank))
    parts = _sheet_parts(zin)
    changed = {}
    for sheet, cells in wanted.items():
        part = parts.get(sheet)
        if part is None:
            return None
        xml = zin.read(part).decode("utf-8")
        for cell, text in cells.items():
            pattern = re.compile(r'<c r="' + cell + r'"( s="\d+")?( t="\w+")?\s*(?:/>|></c>)')
            new, n = pattern.subn(lambda m: f'<c r="{cell}"{m.group(1) or ""} t="inlineStr"><is><t xml:space="preserve">'
                                            f'{escape(text)}</t></is></c>', xml, count=1)
            if n != 1:
                return None
            xml = new
        changed[part] = xml.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, changed.get(info.filename) or zin.read(info.filename))
    return out.getvalue()


def _type_openpyxl(ds, blank: bytes, values: dict[str, str], out: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(blank))
    rows: dict[str, tuple] = {}
    for ws in wb.worksheets:
        if ws.title == workbook.META_SHEET:
            continue
        for r in range(workbook.FIRST_ROW, ws.max_row + 1):
            code = ws.cell(r, 1).value
            if code:
                rows[str(code)] = (ws, r)
    layout = _layout(ds)
    letters = {sh.id: {c.key: c.letter for c in sh.columns} for sh in layout.sheets if sh.kind == "list"}
    for code, text in values.items():
        text = "" if text is None else str(text)
        m = re.fullmatch(r"(.+)#(\d+):(\w+)", code)
        if m:
            sheet_id, n, key = m.group(1), int(m.group(2)), m.group(3)
            target = rows.get(f"{sheet_id}#{n}")
            letter = letters.get(sheet_id, {}).get(key)
            if target is None or letter is None:
                continue
            ws, r = target
            _text_cell(ws[f"{letter}{r}"], text)
            continue
        if code.startswith("info:"):
            target = rows.get(code)
        else:
            target = rows.get(code)
        if target is None:
            continue
        ws, r = target
        _text_cell(ws[f"{workbook.VALUE}{r}"], text)
    wb.save(out)


def _text_cell(cell, text: str) -> None:
    """What a clerk typed, as text: a leading = + - @ never becomes a live formula (the reader
    then reports a formula typed into an input cell)."""
    text = _XML_BAD.sub("", text)
    cell.value = text if text.strip() else None
    if cell.value is not None:
        cell.data_type = "s"


def _sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the package (xl/worksheets/sheetN.xml)."""
    book = zin.read("xl/workbook.xml").decode("utf-8")
    rels = zin.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    parts = {}
    for name, rid in re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', book):
        target = targets.get(rid, "")
        parts[_unescape_attr(name)] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return parts


def _unescape_attr(text: str) -> str:
    from xml.sax.saxutils import unescape

    return unescape(text, {"&quot;": '"', "&apos;": "'"})


_FORMULA = re.compile(r"<f[\s>/]")
_CELL_XML = re.compile(r'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>/]*>(.*?)</c>', re.S)  # not self-closing


def _only_layout_formulas(ds, data: bytes, computed: set) -> bool:
    """True when every formula of the generated workbook is one the layout computes (columns F
    and G of its computed rows): the workbook then needs no defusing. Read from the sheets' XML;
    anything unexpected answers False (and openpyxl looks at every cell)."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        parts = _sheet_parts(zin)
        if len(parts) != sum(1 for n in zin.namelist() if n.startswith("xl/worksheets/sheet")):
            return False
        for sheet, part in parts.items():
            xml = zin.read(part).decode("utf-8")
            found = 0
            for col, row, body in _CELL_XML.findall(xml):
                if _FORMULA.search(body):
                    if (sheet, int(row)) not in computed or col not in ("F", "G"):
                        return False
                    found += 1
            if found != len(_FORMULA.findall(xml)):
                return False
    except (KeyError, ValueError, zipfile.BadZipFile, UnicodeDecodeError):
        return False
    return True


def _defuse(ds, data: bytes) -> bytes:
    """The generated workbook with every formula that the layout does not compute (a registry
    text such as a school name that starts with =) turned into text."""
    from openpyxl import load_workbook

    computed = {(sh.zh, it.row) for sh in _layout(ds).sheets for it in sh.items if it.kind in ("computed", "total")}
    if _only_layout_formulas(ds, data, computed):
        return data
    wb = load_workbook(io.BytesIO(data))
    changed = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" and not ((ws.title, c.row) in computed and c.column_letter in ("F", "G")):
                    c.data_type = "s"
                    changed = True
    if not changed:
        return data
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def validate(ds, school: str, year: int, values: dict[str, str]) -> Validation:
    """The findings of the figures a school typed (field code → text) and the rows they give."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / FORM_FILE
        _type_into(ds, _blank(ds, school, year), values, path)
        data = workbook.read(path, ds, year)
    sub = data.submission
    if sub is not None:
        sub.file = "网上填报"
        sub.sha256 = values_hash(values)
    return _placed(ds, school, year, data.findings, sub, values)


def values_hash(values: dict[str, str]) -> str:
    text = json.dumps({k: v for k, v in sorted(values.items()) if str(v or "").strip()}, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _placed(ds, school: str, year: int, read_findings: list[Finding], sub, values) -> Validation:
    findings = list(read_findings) + (rule_findings(ds, school, year, sub.rows) if sub is not None else [])
    findings = [f for f in findings if f.severity != "info" or f.code.startswith("value.")]
    findings.sort(key=sort_key)
    index = _cell_index(ds)
    by_field: dict[str, list[Finding]] = {}
    general = []
    for f in findings:
        codes = fields_of(f, index)
        for c in codes:
            by_field.setdefault(c, []).append(f)
        if not codes:
            general.append(f)
    computed = computed_values(ds, sub.rows if sub is not None else [])
    return Validation(sub, findings, by_field, general, computed, dict(values))


def rule_findings(ds, school: str, year: int, rows) -> list[Finding]:
    """The rules of ``nianbao check`` on one school: its figures of ``year`` as given, with the
    other years the dataset holds (for year-over-year and stock-and-flow rules)."""
    own = [o for o in _of_school(ds, school) if o.period != year]
    own += [Observation(element=r.element, dims=parse_dims(r.dims), period=r.period, scope=r.scope, value=r.value,
                        org_unit=school, source=r.source, origin=r.origin) for r in rows]
    return check_rules(ds, rulebook(ds.catalogue), index_orgs(own), data_only=True)


_BY_SCHOOL: dict[int, tuple] = {}


def _of_school(ds, school: str) -> list:
    """The observations the dataset holds of one school (every year), in the dataset's order:
    indexed once per dataset object (a server process reads its dataset once)."""
    held = _BY_SCHOOL.get(id(ds))
    if held is None or held[0] is not ds:
        index: dict[str, list] = {}
        for o in ds.observations:
            index.setdefault(o.org_unit, []).append(o)
        if len(_BY_SCHOOL) > 8:
            _BY_SCHOOL.clear()
        held = _BY_SCHOOL[id(ds)] = (ds, index)
    return held[1].get(school, [])


def _cell_index(ds) -> dict[tuple[str, int], object]:
    """(sheet name, row) → the field code of a rows sheet, or the list sheet (records)."""
    out = {}
    for sh in _layout(ds).sheets:
        for it in sh.items:
            out[(sh.zh, it.row)] = it.code
        if sh.kind == "list":
            for r in sh.record_rows():
                out[(sh.zh, r)] = (sh, r - sh.list_header)
    return out


_CELL = re.compile(r"(?:(?P<sheet>[^!、\s]+)!)?(?P<col>[A-Z]+)(?P<row>\d+)")


def fields_of(f: Finding, index: dict) -> list[str]:
    """The form fields a finding names through its workbook cells."""
    out = []
    for part in re.split(r"[、,，;；]", f.location.cell or ""):
        m = _CELL.fullmatch(part.strip())
        if not m:
            continue
        sheet = m.group("sheet") or f.location.sheet
        target = index.get((sheet, int(m.group("row"))))
        if isinstance(target, tuple):
            sh, n = target
            col = next((c.key for c in sh.columns if c.letter == m.group("col")), None)
            if col:
                out.append(record_code(sh.id, n, col))
        elif target is not None:
            out.append(target)
    return list(dict.fromkeys(out))


def per_cell(findings: list[Finding]) -> list[Finding]:
    """Findings with one cell each (a rule naming F4、F5 becomes one finding per cell), for
    marking cells in the annotated copy; findings naming no cell keep their place."""
    out = []
    for f in findings:
        cells = [m for m in (_CELL.fullmatch(p.strip()) for p in re.split(r"[、,，;；]", f.location.cell or "")) if m]
        if len(cells) <= 1 and (not f.location.cell or cells):
            out.append(f)
            continue
        for m in cells:
            loc = replace(f.location, sheet=m.group("sheet") or f.location.sheet, cell=m.group("col") + m.group("row"))
            out.append(replace(f, location=loc))
        if not cells:
            out.append(replace(f, location=replace(f.location, cell="")))
    return out


def computed_values(ds, rows) -> dict[str, float | None]:
    """The computed rows of the form (indicators, sums of a breakdown, repeated inputs), from
    the figures given — shown beside the inputs, never stored."""
    value = {(r.element, r.dims): r.value for r in rows}

    def lookup(ref):
        return value.get((ref.element, _dims_text(ref.dims)))

    out = {}
    for sh in _layout(ds).sheets:
        for it in sh.items:
            if it.kind != "computed" or it.node is None:
                continue
            try:
                num = formula.evaluate(it.node, lookup)
                den = formula.evaluate(it.denominator, lookup) if it.denominator is not None else None
            except (ZeroDivisionError, KeyError, TypeError):
                num = den = None
            if num is None or (it.denominator is not None and not den):
                out[it.code] = None
            else:
                out[it.code] = num * it.factor / den if it.denominator is not None else num * it.factor
    return out


# -- what the store holds ---------------------------------------------------------------------

def stored_values(ds, school: str, year: int) -> dict[str, str]:
    """The texts of the form as the store holds the school-year (a workbook imported by the
    command line, or an earlier save), field code → text."""
    layout = _layout(ds)
    with Store(locate(ds.path), read_only=False) as store:
        rows = [r for _, r in store.observations(school, year)]
        majors = [m for _, _, m in store.majors(school, year)]
    return values_from(layout, rows, majors, year)


def values_from(layout, rows, majors, year: int) -> dict[str, str]:
    by_key = {(r.element, r.dims): r.value for r in rows}
    out: dict[str, str] = {}
    for sh in layout.sheets:
        for it in sh.items:
            if it.kind != "input":
                continue
            v = by_key.get((it.element.code, _dims_text(it.dims)))
            if v is not None:
                out[it.code] = _number(v / it.input_factor if it.input_factor != 1 else v)
        if sh.kind == "list":
            labels = {}
            for c in sh.columns:
                if c.choices_from:
                    labels[c.key] = {code: label for label, code in workbook.choices(layout.catalogue, c, year).items()}
            for m in majors:
                rec = {"code": m.code, "name": m.name, "category": m.category, "students": m.students,
                       "entrants": m.entrants, "new": None if m.is_new is None else ("是" if m.is_new else "否")}
                for c in sh.columns:
                    v = rec.get(c.key)
                    if v is None:
                        continue
                    if c.key in labels:
                        v = labels[c.key].get(v, v)
                    out[record_code(sh.id, m.seq, c.key)] = _number(v) if isinstance(v, float) else str(v)
    return out


def previous_values(ds, school: str, year: int) -> dict[str, str]:
    """Last year's figures of the school, by field code (shown beside the form, for reference)."""
    scope = _layout(ds).scope
    rows = [o for o in _of_school(ds, school) if o.period == year - 1]
    by = {}
    for o in rows:  # the workbook's own scope first, as the workbook shows it
        key = (o.element, _dims_text(o.dims))
        if key not in by or o.scope == scope:
            by[key] = o
    return values_from(_layout(ds), [Row(o.element, k[1], o.period, o.scope, o.value) for k, o in by.items()],
                       [], year - 1)


def _number(v: float) -> str:
    if float(v).is_integer():
        return str(int(v))
    return repr(round(float(v), 10)).rstrip("0").rstrip(".")


@dataclass
class Saved:
    validation: Validation
    result: SaveResult | None  # None: nothing could be stored (the workbook was not identified)


def save_values(ds, school: str, year: int, values: dict[str, str]) -> Saved:
    """Check what the school typed and store the figures that could be read, replacing the
    school-year in the store in one transaction (fields left empty or unreadable are not stored)."""
    v = validate(ds, school, year, values)
    if v.submission is None or v.submission.org_unit != school:
        return Saved(v, None)
    with Store(locate(ds.path)) as store:
        return Saved(v, store.save(v.submission))


# -- uploads -----------------------------------------------------------------------------------

def inspect_upload(data: bytes, name: str = "upload.xlsx") -> list[Finding]:
    """Refuse what is not a plain workbook before any parser sees it: too large, not a zip,
    a zip bomb, macros, XML entity declarations (XXE, billion laughs). The limits are those of
    the settings registry (nianbao.core.settings): the upload's own size and unpacked total, the
    ratio and the number of parts that bound every package nianbao reads."""
    where = Location(file=name)
    limit = max_upload()
    if len(data) > limit:
        return [message("upload.too_large", where, size_mb=round(len(data) / 2 ** 20, 1),
                        limit_mb=round(limit / 2 ** 20, 2))]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return [message("upload.not_xlsx", where)]
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        return [message("upload.not_xlsx", where)]
    total = sum(i.file_size for i in infos)
    ratio, ratio_from = settings.get("max_zip_ratio"), settings.mebibytes("max_ratio_from_mb")
    if total > settings.mebibytes("max_upload_unzipped_mb") or len(infos) > settings.get("max_zip_parts") or any(
            i.compress_size and i.file_size / i.compress_size > ratio and i.file_size > ratio_from for i in infos):
        return [message("upload.zip_bomb", where, inflated_mb=round(total / 2 ** 20, 1))]
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in zf.read("[Content_Types].xml"):
        return [message("upload.macro", where)]
    for i in infos:
        if not i.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(i) as part:
            head = part.read(min(i.file_size, settings.mebibytes("max_upload_unzipped_mb")))
        if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
            return [message("upload.xml_entities", where, part=i.filename)]
    return []


@dataclass
class Upload:
    """What an uploaded workbook gave."""
    status: str  # stored / unchanged / rejected
    findings: list[Finding]
    validation: Validation | None = None
    result: SaveResult | None = None
    annotated: bytes | None = None  # the copy with every problem marked (rejected workbooks)
    sha256: str = ""
    template: str = ""
    values: dict[str, str] = field(default_factory=dict)


def import_upload(ds, school: str, year: int, data: bytes, name: str = "upload.xlsx") -> Upload:
    """Import one uploaded workbook of ``school`` for ``year``: checked like ``nianbao import``
    (template, school and year), stored only when it has no error; a rejected workbook gets an
    annotated copy. A workbook of another school is refused whatever it holds."""
    refused = inspect_upload(data, name)
    sha = hashlib.sha256(data).hexdigest()
    if refused:
        return Upload("rejected", refused, sha256=sha)
    safe = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", Path(name).name)[-80:] or "upload.xlsx"
    if not safe.lower().endswith(".xlsx"):
        safe += ".xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        wb = workbook.read(path, ds, year)
        findings = list(wb.findings)
        sub = wb.submission
        if sub is not None and sub.org_unit != school:
            findings.insert(0, message("upload.other_school", Location(file=safe), found=sub.org_unit, expected=school))
        layout = _layout(ds)
        values = values_from(layout, sub.rows, sub.majors, year) if sub is not None else {}
        v = _placed(ds, school, year, findings, sub, values)
        template = sub.template if sub is not None else wb.meta.get("template", "")
        if wb.ok and sub.org_unit == school:
            with Store(locate(ds.path)) as store:
                result = store.save(sub)
            return Upload(result.status, v.findings, v, result, sha256=sha, template=template, values=values)
        try:
            annotated = workbook.annotate(path, per_cell(v.findings), Path(tmp) / workbook.annotated_name(path), layout)
        except Exception:  # content the writer cannot write back: the findings are shown without a copy
            annotated = None
            v.findings.append(message("import.annotated_failed", Location(file=safe),
                                      text={"out": workbook.annotated_name(path)}))
        with Store(locate(ds.path)) as store:
            store.log_rejected(safe, sha, sub.org_unit if sub else wb.meta.get("school_code"), year, template,
                               len(v.errors), len(v.warnings))
        return Upload("rejected", v.findings, v, sha256=sha, template=template, values=values,
                      annotated=annotated.read_bytes() if annotated else None)


def submit_blockers(v: Validation, note: str) -> list[Finding]:
    """What stops a submission: errors; warnings without a note."""
    if v.errors:
        return [message("submit.has_errors", count=len(v.errors))]
    if v.warnings and not (note or "").strip():
        return [message("submit.note_required", count=len(v.warnings))]
    return []

"""values.xlsx: the columns of values.csv in a sheet named ``values``, for bureaus that send a
workbook instead of a CSV file.

Cells are read as Excel stored them (a number, a text, a time, a formula), so that each surprise
becomes a finding with its sheet and cell: a ratio stored as a time, a formula without a cached
result, an identifier stored as a number. Text columns are read as text; nothing is coerced
silently.
"""

from __future__ import annotations

import datetime as _dt
import zipfile
from pathlib import Path

from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.orgs import Registry
from nianbao.ingest.rows import read_value_rows

SHEET = "values"
TEXT_COLUMNS = ("element", "dims", "scope", "source", "note", "org_unit")


def _unreadable(path: Path, zh: str, en: str, hint: str, sheet: str = "", cell: str = "", **values):
    return FindingsError([Finding(code="xlsx.unreadable", severity="error", message_zh=zh, message_en=en,
                                  hint=hint, location=Location(file=path.name, sheet=sheet, cell=cell),
                                  values=values)])


def _open(path: Path, data_only: bool):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, data_only=data_only, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _unreadable(path, f"{path.name} 不是可读取的 Excel 工作簿（{type(exc).__name__}）",
                          f"{path.name} is not a readable Excel workbook ({type(exc).__name__})",
                          "用 Excel 或 WPS 另存为 .xlsx 后再试") from None


def read_values_xlsx(path: Path, catalogue, org_code: str, orgs: Registry | None = None
                     ) -> tuple[list, list[Finding]]:
    """Read the sheet ``values`` of a workbook into observations and findings."""
    path = Path(path)
    cached = _open(path, data_only=True)
    if SHEET not in cached.sheetnames:
        raise _unreadable(path, f"{path.name} 中没有名为“{SHEET}”的工作表（现有：{'、'.join(cached.sheetnames)}）",
                          f"{path.name} has no sheet named '{SHEET}' (found: {', '.join(cached.sheetnames)})",
                          f"把数据所在的工作表改名为“{SHEET}”，列与 values.csv 相同",
                          sheet=", ".join(cached.sheetnames), sheets=list(cached.sheetnames))
    formulas = _open(path, data_only=False)
    rows_cached = list(cached[SHEET].iter_rows(values_only=True))
    rows_formula = list(formulas[SHEET].iter_rows(values_only=True))
    cached.close()
    formulas.close()
    if not rows_cached:
        raise _unreadable(path, f"{path.name} 的“{SHEET}”工作表是空的", f"sheet '{SHEET}' of {path.name} is empty",
                          "第一行填写列名：element,dims,period,scope,value,source", sheet=SHEET, cell="A1")
    header = [str(h).strip() if h is not None else "" for h in rows_cached[0]]
    letters = {name: _letter(i) for i, name in enumerate(header) if name}

    def locate(file, row, column=""):
        col = letters.get(column, "")
        return Location(file=file, sheet=SHEET, cell=f"{col}{row}" if col else f"第{row}行")

    findings: list[Finding] = []

    def rows():
        for i, values in enumerate(rows_cached[1:], start=2):
            row = {}
            before = len(findings)
            for j, name in enumerate(header):
                if not name:
                    continue
                raw = values[j] if j < len(values) else None
                if raw is None and i - 1 < len(rows_formula) and j < len(rows_formula[i - 1]):
                    f = rows_formula[i - 1][j]
                    if isinstance(f, str) and f.startswith("="):
                        raw = f  # a formula whose result was never saved: parse_value reports it
                row[name] = _cell_text(raw, name, path.name, i, locate, findings)
            if len(findings) > before or all(v in (None, "") for v in row.values()):
                continue  # a row with an unusable identifier is reported and left out
            yield i, row

    observations, row_findings = read_value_rows(header, rows(), path.name, catalogue, org_code, orgs,
                                                  locate=locate)
    return observations, findings + row_findings


def _cell_text(raw, column, file, row, locate, findings):
    """Text columns as text; the period as a year; the value cell untouched."""
    if column == "value" or raw is None:
        return raw
    if column == "period":
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return raw
    if column in TEXT_COLUMNS and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if column == "org_unit":
            findings.append(Finding(
                code="xlsx.id_as_number", severity="error",
                message_zh=f"机构代码 {raw} 被存成了数字，开头的0可能已丢失",
                message_en=f"org unit code {raw} is stored as a number; leading zeros may be lost",
                hint="把该列设为“文本”格式后重新填写完整的代码", location=locate(file, row, column),
                values={"raw": raw}))
            return None
        return str(int(raw)) if float(raw).is_integer() else str(raw)
    if isinstance(raw, (_dt.datetime, _dt.date, _dt.time)):
        return raw.isoformat()
    return str(raw)


def _letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out

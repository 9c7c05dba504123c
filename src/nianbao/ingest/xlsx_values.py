"""values.xlsx: the columns of values.csv in a sheet named ``values``, for bureaus that send a
workbook instead of a CSV file.

Cells are read as Excel stored them (a number, a text, a time, a formula), so that each surprise
becomes a finding with its sheet and cell: a ratio stored as a time, a formula without a cached
result, an identifier stored as a number. Text columns are read as text; nothing is coerced
silently.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from nianbao.core import inputs
from nianbao.core.findings import Finding, FindingsError, Location
from nianbao.core.messages import finding, phrase
from nianbao.core.orgs import Registry
from nianbao.ingest.cells import open_workbook, read_sheet, value_rows
from nianbao.ingest.rows import VALUE_COLUMNS, read_value_rows

SHEET = "values"
TEXT_COLUMNS = ("element", "dims", "scope", "source", "note", "org_unit")


def _unreadable(path: Path, case: str, sheet: str = "", cell: str = "", text=None, **values):
    return FindingsError([finding(f"xlsx.unreadable:{case}", Location(file=path.name, sheet=sheet, cell=cell),
                                  text={"file": path.name, "sheet": SHEET, **(text or {})}, **values)])


def _open(src: inputs.Input, data_only: bool):
    return open_workbook(src.stream(), data_only=data_only)


def read_values_xlsx(path: Path, catalogue, org_code: str, orgs: Registry | None = None
                     ) -> tuple[list, list[Finding]]:
    """Read the sheet ``values`` of a workbook into observations and findings."""
    path = Path(path)
    src = inputs.open_package(path, "xlsx")  # a regular file, a sound zip, no zip bomb, no DOCTYPE
    try:
        with inputs.time_limit(src.deadline):
            cached = _open(src, data_only=True)
            if SHEET not in cached.sheetnames:
                raise _unreadable(path, "no_sheet", sheet=", ".join(cached.sheetnames), sheets=list(cached.sheetnames))
            formulas = _open(src, data_only=False)
            rows_cached = _value_rows(path, cached[SHEET])
            rows_formula = _value_rows(path, formulas[SHEET])
            cached.close()
            formulas.close()
    except FindingsError:
        raise
    except Exception as exc:  # what the parser raises on this file, in the catalogue's words
        raise FindingsError(inputs.translate(exc, path.name)) from None
    if not rows_cached:
        raise _unreadable(path, "empty_sheet", sheet=SHEET, cell="A1", text={"columns": ",".join(VALUE_COLUMNS)})
    header = [str(h).strip() if h is not None else "" for h in rows_cached[0]]
    letters = {name: _letter(i) for i, name in enumerate(header) if name}

    def locate(file, row, column=""):
        col = letters.get(column, "")
        return Location(file=file, sheet=SHEET, cell=f"{col}{row}" if col else phrase("where.row", row=row))

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


def _value_rows(path: Path, ws) -> list[tuple]:
    """The sheet's values, no cell stopping the reading (a malformed number is kept as its text,
    for parse_value to report); a sheet whose XML is broken cannot be read at all."""
    cells = read_sheet(ws)
    if cells.broken is not None:
        raise FindingsError([finding("workbook.broken_sheet", Location(file=path.name, sheet=SHEET, cell=cells.broken),
                                     sheet=SHEET, at=cells.broken or "—")])
    return value_rows(cells)


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
            findings.append(finding("xlsx.id_as_number", locate(file, row, column), raw=raw))
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

"""A command's table written as an Excel workbook (``indicators -o x.xlsx``, ``standards -o
x.xlsx``): one sheet, a header row of the column names (those of the CSV output) and a row per
record. Numbers are number cells; every text goes through the inert writer
(nianbao.core.exports), so a name or note that starts with = + - @ stays text; the file is
written whole or not at all (nianbao.core.outfiles)."""

from __future__ import annotations

import math
from pathlib import Path

from nianbao.core import exports, outfiles

SUFFIX = ".xlsx"


def is_workbook(path: str | Path | None) -> bool:
    """True when ``path`` names an Excel workbook (a .xlsx file) to write."""
    return bool(path) and Path(path).suffix.lower() == SUFFIX


def _value(v):
    if isinstance(v, (list, tuple)):
        return " ".join(str(x) for x in v)
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, (int, float, str)) or v is None:
        return v
    return str(v)


def write_rows(path: str | Path, title: str, columns: list[str], rows: list[dict]) -> Path:
    """``rows`` (dicts) under ``columns`` as the one sheet ``title`` of the workbook ``path``.
    Raises OSError when the file cannot be written."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    exports.append(ws, list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        exports.append(ws, [_value(r.get(c)) for c in columns])
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(c) + 4))
    ws.freeze_panes = "A2"
    path = Path(path)
    outfiles.replace_file(path, lambda tmp: wb.save(tmp))
    return path

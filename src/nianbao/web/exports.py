"""Workbooks the portal hands out (audit trail, status lists): every cell a user's text can reach
is written as text, so nothing typed into the portal comes out as a live formula."""

from __future__ import annotations

import io

from nianbao.core import exports


def safe_cell(cell, value) -> None:
    """Write ``value``; a text that a spreadsheet would run as a formula stays text."""
    exports.put(cell, value)


def workbook_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """An .xlsx of (title, header, rows) sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        for j, h in enumerate(header, start=1):
            safe_cell(ws.cell(1, j), h)
            ws.cell(1, j).font = Font(bold=True)
        for i, row in enumerate(rows, start=2):
            for j, v in enumerate(row, start=1):
                safe_cell(ws.cell(i, j), v)
        for j in range(1, len(header) + 1):
            ws.column_dimensions[ws.cell(1, j).column_letter].width = 18
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

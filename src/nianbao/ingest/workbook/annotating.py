"""The copy of a rejected workbook sent back to the school, each problem marked in its cell."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils.cell import coordinate_to_tuple

from nianbao.core import exports, inputs, outfiles
from nianbao.core.findings import SEVERITY_ZH, Finding
from nianbao.ingest.workbook.building import _BOLD, _BORDER, _WRAP, _fill
from nianbao.ingest.workbook.layout import ISSUES_SHEET, META_SHEET, Layout

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

"""Findings written out: a readable table (Chinese by default), JSON, CSV and an Excel workbook
with one row per finding."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

from nianbao.core import exports, outfiles
from nianbao.core.findings import SEVERITIES, SEVERITY_ZH, count_by_severity
from nianbao.core.messages import phrase

SEVERITY_EN = {"error": "errors", "warning": "warnings", "info": "notes"}
COLUMNS = ("severity", "code", "message_zh", "message_en", "hint", "hint_en", "file", "sheet", "cell",
           "section", "period", "org_unit", "values")


def header(column: str) -> str:
    """A column's header in the Excel workbook: its Chinese name and its name (级别 severity)."""
    zh = phrase(f"findings.column.{column}")
    return f"{zh} {column}" if zh != column else column


def row_of(f) -> dict:
    loc = f.location
    return {"severity": f.severity, "code": f.code, "message_zh": f.message_zh, "message_en": f.message_en,
            "hint": f.hint, "hint_en": f.hint_en, "file": loc.file, "sheet": loc.sheet, "cell": loc.cell,
            "section": loc.section, "period": f.period if f.period is not None else "", "org_unit": f.org_unit,
            "values": json.dumps(f.values, ensure_ascii=False, default=str)}


def summary_line(findings, lang: str = "zh") -> str:
    return phrase("findings.summary", lang, n=len(findings), **count_by_severity(findings))


def to_table(findings, dataset=None, lang: str = "zh") -> str:
    out = io.StringIO()
    own = dataset.org_unit.code if dataset is not None else ""
    if dataset is not None:
        name = dataset.org_unit.zh if lang == "zh" else (dataset.org_unit.en or dataset.org_unit.zh)
        out.write(phrase("findings.heading", lang, name=name, path=dataset.path) + "\n")
    for sev in SEVERITIES:
        group = [f for f in findings if f.severity == sev]
        if not group:
            continue
        title = phrase("findings.group", lang, n=len(group),
                       severity=SEVERITY_ZH[sev] if lang == "zh" else SEVERITY_EN[sev].capitalize())
        out.write(f"\n{title}\n")
        for f in group:
            where = str(f.location)
            if f.org_unit and f.org_unit != own:
                org = dataset.orgs.get(f.org_unit) if dataset is not None and dataset.orgs else None
                where = f"{org.zh if org else f.org_unit} {where}".strip()
            hint = f.hint_text(lang)
            arrow = f" → {hint}" if hint else ""
            out.write(f"  {f.code:<32} {where} | {f.message(lang)}{arrow}\n")
    out.write("\n" + summary_line(findings, lang) + "\n")
    return out.getvalue()


def to_json(findings, dataset=None) -> str:
    doc = {
        "dataset": str(dataset.path) if dataset is not None else "",
        "org_unit": dataset.org_unit.code if dataset is not None else "",
        "catalogue": dataset.catalogue.id if dataset is not None else "",
        "summary": count_by_severity(findings),
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"


def to_csv(findings) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for f in findings:
        w.writerow(exports.csv_row(row_of(f)))
    return out.getvalue()


def write_xlsx(findings, path: Path, lang: str = "zh") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = phrase("findings.sheet", lang)
    exports.append(ws, [header(c) for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    fills = {"error": "F8CBAD", "warning": "FFE699", "info": "E2EFDA"}
    for f in findings:
        row = row_of(f)
        exports.append(ws, [row[c] for c in COLUMNS])
        ws.cell(row=ws.max_row, column=1).fill = PatternFill("solid", fgColor=fills[f.severity])
    widths = {"severity": 9, "code": 30, "message_zh": 70, "message_en": 70, "hint": 36, "hint_en": 36,
              "file": 14, "sheet": 10, "cell": 14, "section": 20, "period": 8, "org_unit": 14, "values": 40}
    for i, c in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = widths[c]
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions
    summary = wb.create_sheet(phrase("findings.summary_sheet", lang))
    exports.append(summary, [header(c) for c in ("severity", "code", "count")])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for (sev, code), n in sorted(Counter((f.severity, f.code) for f in findings).items(),
                                 key=lambda kv: (SEVERITIES.index(kv[0][0]), kv[0][1])):
        exports.append(summary, [sev, code, n])
    summary.column_dimensions["B"].width = 32
    outfiles.replace_file(path, lambda tmp: wb.save(tmp))

"""Findings written out: a readable table (Chinese by default), JSON, CSV and an Excel workbook
with one row per finding."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

from nianbao.core.findings import SEVERITIES, SEVERITY_ZH, count_by_severity

SEVERITY_EN = {"error": "errors", "warning": "warnings", "info": "notes"}
COLUMNS = ("severity", "code", "message_zh", "message_en", "hint", "hint_en", "file", "sheet", "cell",
           "section", "period", "org_unit", "values")
HEADERS_ZH = {"severity": "级别", "code": "代码", "message_zh": "说明", "message_en": "message", "hint": "改法",
              "hint_en": "how to fix", "file": "文件", "sheet": "工作表", "cell": "单元格/行", "section": "报告位置",
              "period": "年份", "org_unit": "单位", "values": "数值"}


def row_of(f) -> dict:
    loc = f.location
    return {"severity": f.severity, "code": f.code, "message_zh": f.message_zh, "message_en": f.message_en,
            "hint": f.hint, "hint_en": f.hint_en, "file": loc.file, "sheet": loc.sheet, "cell": loc.cell,
            "section": loc.section, "period": f.period if f.period is not None else "", "org_unit": f.org_unit,
            "values": json.dumps(f.values, ensure_ascii=False, default=str)}


def summary_line(findings, lang: str = "zh") -> str:
    c = count_by_severity(findings)
    if lang == "en":
        return f"{len(findings)} findings: {c['error']} errors, {c['warning']} warnings, {c['info']} notes"
    return f"共 {len(findings)} 条：错误 {c['error']} 条，警告 {c['warning']} 条，提示 {c['info']} 条"


def to_table(findings, dataset=None, lang: str = "zh") -> str:
    out = io.StringIO()
    own = dataset.org_unit.code if dataset is not None else ""
    if dataset is not None:
        name = dataset.org_unit.zh if lang == "zh" else (dataset.org_unit.en or dataset.org_unit.zh)
        out.write(f"nianbao check — {name}（{dataset.path}）\n" if lang == "zh"
                  else f"nianbao check — {name} ({dataset.path})\n")
    for sev in SEVERITIES:
        group = [f for f in findings if f.severity == sev]
        if not group:
            continue
        title = f"{SEVERITY_ZH[sev]}（{len(group)}）" if lang == "zh" else f"{SEVERITY_EN[sev].capitalize()} ({len(group)})"
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
        w.writerow(row_of(f))
    return out.getvalue()


def write_xlsx(findings, path: Path, lang: str = "zh") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "检查结果" if lang == "zh" else "findings"
    ws.append([f"{HEADERS_ZH[c]} {c}" if HEADERS_ZH[c] != c else c for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    fills = {"error": "F8CBAD", "warning": "FFE699", "info": "E2EFDA"}
    for f in findings:
        row = row_of(f)
        ws.append([row[c] for c in COLUMNS])
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
    summary = wb.create_sheet("汇总" if lang == "zh" else "summary")
    summary.append(["级别 severity", "代码 code", "条数 count"])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for (sev, code), n in sorted(Counter((f.severity, f.code) for f in findings).items(),
                                 key=lambda kv: (SEVERITIES.index(kv[0][0]), kv[0][1])):
        summary.append([sev, code, n])
    summary.column_dimensions["B"].width = 32
    wb.save(path)

"""What an audit writes: the findings as a readable table (Chinese, or English), JSON, CSV and an
Excel workbook (findings, one summary row per report, the claims read); the claims in the
claims.csv format of a dataset; the report back with its problems marked (Word comments on a
copy of a DOCX, or an HTML copy with the figures marked)."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
from collections import defaultdict
from pathlib import Path

from nianbao.core import exports, outfiles
from nianbao.core.findings import SEVERITIES, SEVERITY_ZH
from nianbao.core.observations import dims_text

SEVERITY_EN = {"error": "Errors", "warning": "Warnings", "info": "Notes"}
FINDING_COLUMNS = ("report", "severity", "code", "message_zh", "message_en", "hint", "hint_en", "where", "period",
                   "claims", "values")
SUMMARY_COLUMNS = ("report", "status", "errors", "warnings", "notes", "claims", "mapped", "seconds", "problem")
CLAIM_COLUMNS = ("target", "dims", "period", "stated", "location", "scope", "base_period", "note", "form", "label",
                 "kind", "value", "unit", "of")
HEADERS = {"report": "报告", "severity": "级别", "code": "代码", "message_zh": "说明", "message_en": "message",
           "hint": "改法", "hint_en": "how to fix", "where": "位置", "period": "年份", "claims": "涉及的数字（编号）",
           "values": "数值", "status": "状态", "errors": "错误", "warnings": "警告", "notes": "提示",
           "mapped": "对应到目录的", "seconds": "用时（秒）", "problem": "无法读取的原因", "target": "目录代码",
           "dims": "分组", "stated": "印发值", "location": "印发位置", "scope": "口径", "base_period": "比较年份",
           "note": "备注", "form": "形式", "label": "原文标签", "kind": "类型", "value": "数值", "unit": "单位",
           "of": "占…的比例"}


def _where(f) -> str:
    loc = f.location
    return " ".join(p for p in (loc.file, loc.cell) if p) or loc.section


def summary(results) -> list[dict]:
    rows = []
    for r in results:
        c = {s: sum(1 for f in r.findings if f.severity == s) for s in SEVERITIES}
        rows.append({"report": str(r.path), "status": "unreadable" if r.unreadable else ("errors" if c["error"] else "ok"),
                     "errors": c["error"], "warnings": c["warning"], "notes": c["info"], "claims": len(r.claims),
                     "mapped": sum(1 for x in r.claims if x.target), "seconds": round(r.seconds, 2),
                     "problem": r.unreadable.message_zh if r.unreadable else ""})
    return rows


def summary_line(results, lang: str = "zh") -> str:
    e = sum(r.errors for r in results)
    w = sum(r.warnings for r in results)
    n = sum(len(r.claims) for r in results)
    bad = sum(1 for r in results if r.unreadable)
    if lang == "en":
        return (f"{len(results)} report(s): {n} figures read, {e} errors, {w} warnings"
                + (f", {bad} unreadable" if bad else ""))
    return f"共 {len(results)} 份报告：读出数字 {n} 处，错误 {e} 条，警告 {w} 条" + (f"，无法读取 {bad} 份" if bad else "")


def to_table(results, lang: str = "zh") -> str:
    out = io.StringIO()
    for r in results:
        out.write(f"nianbao audit — {r.path}\n")
        if r.unreadable:
            out.write(f"  {'无法读取' if lang == 'zh' else 'unreadable'}：{r.unreadable.message(lang)}"
                      f" → {r.unreadable.hint_text(lang)}\n\n")
            continue
        mapped = sum(1 for c in r.claims if c.target)
        out.write(f"  读出数字 {len(r.claims)} 处（其中 {mapped} 处对应到指标目录）\n" if lang == "zh" else
                  f"  {len(r.claims)} figures read ({mapped} mapped to the catalogue)\n")
        for sev in SEVERITIES:
            group = [f for f in r.findings if f.severity == sev]
            if not group:
                continue
            title = f"{SEVERITY_ZH[sev]}（{len(group)}）" if lang == "zh" else f"{SEVERITY_EN[sev]} ({len(group)})"
            out.write(f"\n{title}\n")
            for f in group:
                hint = f.hint_text(lang)
                out.write(f"  {f.code:<30} {f.location.cell or f.location.section} | {f.message(lang)}"
                          + (f" → {hint}" if hint else "") + "\n")
        out.write("\n")
    out.write(summary_line(results, lang) + "\n")
    return out.getvalue()


def finding_rows(results) -> list[dict]:
    rows = []
    for r in results:
        for f in r.findings:
            rows.append({"report": str(r.path), "severity": f.severity, "code": f.code, "message_zh": f.message_zh,
                         "message_en": f.message_en, "hint": f.hint, "hint_en": f.hint_en, "where": _where(f),
                         "period": f.period if f.period is not None else "",
                         "claims": " ".join(str(i) for i in f.values.get("claims", [])),
                         "values": json.dumps(f.values, ensure_ascii=False, default=str)})
    return rows


def to_json(results) -> str:
    doc = {"summary": summary(results), "reports": []}
    for r in results:
        doc["reports"].append({
            "report": str(r.path), "unreadable": r.unreadable.to_dict() if r.unreadable else None,
            "findings": [f.to_dict() for f in r.findings],
            "claims": [claim_row(c) | {"id": c.id} for c in r.claims]})
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"


def to_csv(results) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=FINDING_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in finding_rows(results):
        w.writerow(exports.csv_row(row))
    return out.getvalue()


def write_xlsx(results, path: Path, lang: str = "zh") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    sheets = [("审核结果" if lang == "zh" else "findings", FINDING_COLUMNS, finding_rows(results)),
              ("汇总" if lang == "zh" else "summary", SUMMARY_COLUMNS, summary(results)),
              ("读出的数字" if lang == "zh" else "claims", ("report", "id") + CLAIM_COLUMNS,
               [{"report": str(r.path), "id": c.id, **claim_row(c)} for r in results for c in r.claims])]
    fills = {"error": "F8CBAD", "warning": "FFE699", "info": "E2EFDA", "unreadable": "F8CBAD", "errors": "F8CBAD"}
    for n, (title, cols, rows) in enumerate(sheets):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = title
        exports.append(ws, [f"{HEADERS.get(c, c)} {c}" for c in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        for row in rows:
            exports.append(ws, [row.get(c, "") for c in cols])
            key = row.get("severity") or row.get("status")
            if key in fills:
                ws.cell(row=ws.max_row, column=2).fill = PatternFill("solid", fgColor=fills[key])
        for i, c in enumerate(cols, start=1):
            wide = c in ("message_zh", "message_en", "problem", "values")
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 60 if wide else 16
            if wide:
                for cell in ws.iter_cols(min_col=i, max_col=i, min_row=2):
                    for x in cell:
                        x.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = ws.dimensions
    outfiles.replace_file(path, lambda tmp: wb.save(tmp))


# -- claims in the claims.csv format ------------------------------------------------------------

def claim_row(c) -> dict:
    from nianbao.audit.selfcheck import stated_text  # same floor

    stated = c.raw if not c.target else stated_text(c, _catalogue())
    return {"target": c.target, "dims": dims_text(c.dims), "period": c.period or "", "stated": stated,
            "location": c.where.text(), "scope": c.scope if c.scope else "", "base_period": c.base_period or "",
            "note": c.note, "form": "chart" if c.form == "chart" else "", "label": c.label or c.after, "kind": c.kind,
            "value": c.value, "unit": c.unit, "of": c.of if c.of != "?" else ""}


def _catalogue():
    from nianbao import catalogue
    return catalogue.load("cn-2016")


def claims_csv(results) -> str:
    """The claims read, in the claims.csv format of a dataset (target, dims, period, stated,
    location, scope, base_period, note, form) with the label as printed and what the audit read
    after them. A row whose label names no catalogue target has an empty target: ``nianbao
    check`` leaves such rows aside."""
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=CLAIM_COLUMNS, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in results:
        for c in r.claims:
            row = claim_row(c)
            w.writerow(exports.csv_row(row))
    return out.getvalue()


# -- the report back, marked --------------------------------------------------------------------

def _by_claim(result) -> dict[int, list]:
    marks = defaultdict(list)
    for f in result.findings:
        for i in f.values.get("claims", []) or []:
            marks[i].append(f)
    return marks


def annotate_docx(result, out: Path) -> int:
    """A copy of the DOCX with a Word comment at each figure a finding names (written beside
    ``out`` and renamed over it: a link at ``out`` is replaced, never written through)."""
    marked = []
    outfiles.replace_file(out, lambda tmp: marked.append(_annotate_docx(result, tmp)))
    return marked[0]


def _annotate_docx(result, out: Path) -> int:
    import docx

    shutil.copyfile(result.path, out)
    d = docx.Document(str(out))
    paragraphs = list(d.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"))
    from docx.text.paragraph import Paragraph

    marks = _by_claim(result)
    by_id = {c.id: c for c in result.claims}
    n = 0
    done = set()
    for cid, fs in sorted(marks.items()):
        c = by_id.get(cid)
        if c is None:
            continue
        block = result.source.blocks[c.block]
        anchor = block.anchor
        if block.kind == "table" and c.span in block.cell_anchors:
            anchor = block.cell_anchors.get(c.span)
        if anchor is None or anchor >= len(paragraphs):
            continue
        p = Paragraph(paragraphs[anchor], d)
        runs = p.runs
        if not runs:
            continue
        text = "\n".join(f"【{SEVERITY_ZH[f.severity]}】{f.message_zh}" for f in fs if (anchor, f.code, f.message_zh)
                         not in done)
        for f in fs:
            done.add((anchor, f.code, f.message_zh))
        if not text:
            continue
        target = next((r for r in runs if c.raw[:3] and c.raw[:3] in r.text), None)
        d.add_comment(runs=[target] if target is not None else [runs[0], runs[-1]], text=text, author="nianbao audit",
                      initials="NB")
        n += 1
    d.save(str(out))
    return n


def annotate_html(result, out: Path) -> int:
    """An HTML copy of the report (its paragraphs and tables) with each figure a finding names
    marked, the messages shown on hover and listed at the end."""
    marks = _by_claim(result)
    by_block = defaultdict(list)
    for c in result.claims:
        if c.id in marks:
            by_block[c.block].append(c)
    parts = ["<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(Path(result.path).name)} — nianbao audit</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.7}"
             "mark.error{background:#f8cbad}mark.warning{background:#ffe699}mark.info{background:#e2efda}"
             "table{border-collapse:collapse}td{border:1px solid #999;padding:2px 6px}</style></head><body>",
             f"<h1>{html.escape(Path(result.path).name)}</h1>"]
    n = 0

    def mark(text, c):
        fs = marks[c.id]
        sev = min((f.severity for f in fs), key=SEVERITIES.index)
        tip = html.escape(" / ".join(f.message_zh for f in fs), quote=True)
        return f'<mark class="{sev}" title="{tip}" id="c{c.id}">{html.escape(text)}</mark>'

    for bi, b in enumerate(result.source.blocks):
        cs = sorted(by_block.get(bi, []), key=lambda c: c.span)
        if b.kind == "para":
            text, pos, out_text = b.text, 0, []
            for c in cs:
                s, e = c.span
                if s < pos or e > len(text):
                    continue
                out_text.append(html.escape(text[pos:s]))
                out_text.append(mark(text[s:e], c))
                pos = e
                n += 1
            out_text.append(html.escape(text[pos:]))
            tag = "h3" if b.heading else "p"
            parts.append(f"<{tag}>{''.join(out_text)}</{tag}>")
        elif b.kind == "table":
            cells = {c.span: c for c in cs}
            parts.append("<table>")
            for r, row in enumerate(b.rows):
                parts.append("<tr>")
                for col, cell in enumerate(row):
                    if cell is None:
                        continue
                    c = cells.get((r, col))
                    parts.append(f"<td>{mark(cell, c) if c else html.escape(cell)}</td>")
                    n += 1 if c else 0
                parts.append("</tr>")
            parts.append("</table>")
        elif b.kind == "chart":
            parts.append(f"<p><b>图表数据：{html.escape(b.caption)}</b> " + "；".join(
                html.escape(f"{h} {lab} {v}".strip()) for h, lab, v in b.series) + "</p>")
    parts.append("<h2>审核结果 / findings</h2><ol>")
    for f in result.findings:
        parts.append(f"<li><b>{SEVERITY_ZH[f.severity]}</b> {html.escape(f.code)} "
                     f"{html.escape(f.location.cell or '')}：{html.escape(f.message_zh)}</li>")
    parts.append("</ol></body></html>")
    outfiles.write_text(out, "\n".join(parts))
    return n

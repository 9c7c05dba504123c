"""HTML output: one self-contained file (CSS inline, charts as data URIs).

Every printed figure is wrapped as
    <span class="fact" data-fact="KEY" title="formula, inputs, scope">22863</span>
so hovering it shows how it was computed, and the self-check can read the figures back.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from nianbao.compute.facts import Fact
from nianbao.report.document import Chart, Document, Heading, Paragraph, Table
from nianbao.report.provenance import inputs_text, scope_name
from nianbao.report.renderers import caption_of, renderer
from nianbao.report.selfcheck import html_printed
from nianbao.report.wording import Wording

CSS = """
:root { --ink:#1d1d1f; --muted:#555; --line:#9aa5b1; --accent:#2f5d8a; --head:#e7ecf2; }
* { box-sizing:border-box; }
body { margin:0; color:var(--ink); background:#fff;
  font-family:"Noto Serif CJK SC","Source Han Serif SC","Source Han Serif CN","Songti SC","SimSun","宋体",
    "Noto Sans CJK SC","Source Han Sans SC",serif;
  font-size:16px; line-height:1.85; }
h1,h2,h3,h4,nav,figcaption,th,.table-note,.toc-title,header {
  font-family:"Noto Sans CJK SC","Source Han Sans SC","Source Han Sans CN","PingFang SC","Microsoft YaHei",
    "SimHei","黑体",sans-serif; }
header { text-align:center; padding:4em 1em 2em; }
header h1 { font-size:1.9em; margin:0 0 .4em; line-height:1.4; }
header .publisher { color:var(--muted); font-size:1.1em; }
header .issuer { margin-top:3em; font-size:1.1em; line-height:1.8; }
main, nav.toc { max-width:46em; margin:0 auto; padding:0 1.2em; }
nav.toc { border-top:1px solid var(--line); border-bottom:1px solid var(--line); padding:1em 1.2em 1.2em; }
.toc-title { text-align:center; font-size:1.3em; letter-spacing:.5em; margin:.3em 0 .6em; }
nav.toc ol { list-style:none; margin:0; padding-left:0; }
nav.toc ol ol { padding-left:2em; }
nav.toc a { color:var(--ink); text-decoration:none; }
nav.toc a:hover { color:var(--accent); text-decoration:underline; }
h2 { font-size:1.45em; margin:2em 0 .6em; border-bottom:2px solid var(--accent); padding-bottom:.2em; }
h3 { font-size:1.2em; margin:1.5em 0 .5em; }
h4 { font-size:1.05em; margin:1.2em 0 .4em; }
p { margin:.35em 0; text-align:justify; }
p.body { text-indent:2em; }
p.note { text-indent:2em; color:var(--muted); font-size:.9em; }
p.placeholder { text-indent:2em; color:#9c2a00; }
ul.bullets { margin:.3em 0 .3em 2em; padding-left:1em; }
.fact { border-bottom:1px dotted var(--accent); cursor:help; }
.fact:hover { background:#fff3c4; }
figure { margin:1.4em 0; }
figcaption { text-align:center; font-size:.95em; margin:.4em 0; }
table { border-collapse:collapse; margin:0 auto; width:100%; font-size:.9em; line-height:1.5; }
th, td { border:1px solid var(--line); padding:.35em .5em; text-align:center; vertical-align:middle; }
th { background:var(--head); font-weight:600; }
td.left { text-align:left; }
table.appendix { font-size:.8em; }
.table-note { color:var(--muted); font-size:.82em; margin:.3em 0 0; text-indent:0; }
figure.chart img { display:block; margin:0 auto; max-width:100%; height:auto; }
footer { max-width:46em; margin:3em auto 2em; padding:0 1.2em; color:var(--muted); font-size:.8em; }
@media print { nav.toc { page-break-after:always; } h2 { page-break-before:always; } .fact { border:0; } }
"""


def tooltip(fact: Fact, catalogue) -> str:
    """What hovering a figure shows: name, year, value, formula, inputs and scope."""
    w = Wording.of(catalogue)
    when = w.years(fact.base_period, fact.period) if fact.kind == "change" else w.year(fact.period)
    lines = [w("html.tip_figure", name=fact.name_zh, when=when, value=fact.text_with_unit),
             w("html.tip_formula", formula=fact.formula_zh)]
    used = inputs_text(fact, catalogue)
    if used:
        lines.append(w("html.tip_inputs", inputs=used))
    if fact.scope == "mixed" and fact.scope_note:
        scope = w("scope.mixed_with_note", note=fact.scope_note)
    else:
        scope = scope_name(fact.scope, catalogue)
    lines.append(w("html.tip_scope", scope=scope))
    return "\n".join(lines)


class HtmlWriter:
    def __init__(self, catalogue, printed: list, words):
        self.cat = catalogue
        self.words = words
        self.printed = printed
        self.out: list[str] = []
        self.tips: dict[str, str] = {}
        self.in_list = False

    def runs(self, runs) -> str:
        parts = []
        for r in runs:
            t = escape(r.text)
            if r.is_figure:
                key = r.fact.key
                if key not in self.tips:
                    self.tips[key] = escape(tooltip(r.fact, self.cat), quote=True).replace("\n", "&#10;")
                t = f'<span class="fact" data-fact="{escape(key, quote=True)}" title="{self.tips[key]}">{t}</span>'
            if r.bold:
                t = f"<strong>{t}</strong>"
            parts.append(t)
        return "".join(parts)

    def close_list(self):
        if self.in_list:
            self.out.append("</ul>")
            self.in_list = False

    def block(self, b):
        if isinstance(b, Paragraph) and b.style == "bullet":
            if not self.in_list:
                self.out.append('<ul class="bullets">')
                self.in_list = True
            self.out.append(f"<li>{self.runs(b.runs)}</li>")
            return
        self.close_list()
        if isinstance(b, Heading):
            tag = f"h{min(b.level + 1, 4)}"
            ident = f' id="{b.anchor}"' if b.anchor else ""
            self.out.append(f"<{tag}{ident}>{escape(b.text)}</{tag}>")
        elif isinstance(b, Paragraph):
            self.out.append(f'<p class="{b.style}">{self.runs(b.runs)}</p>')
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Chart):
            data = base64.b64encode(b.png).decode("ascii")
            for r in b.printed:
                self.printed.append((r.fact.key, r.text, "chart"))
            caption = escape(caption_of(b))
            self.out.append(f'<figure class="chart" id="chart-{b.key}"><img alt="{caption}" '
                            f'src="data:image/png;base64,{data}"><figcaption>{caption}</figcaption></figure>')

    def table(self, t: Table):
        cls = ' class="appendix"' if t.key == "appendix_facts" else ""
        head = "".join(f"<th>{escape(h)}</th>" for h in t.header)
        rows = []
        for row in t.rows:
            cells = "".join(f'<td{" class=left" if c.align == "left" else ""}'
                            f'{f" colspan={c.span}" if c.span > 1 else ""}>{self.runs(c.runs)}</td>' for c in row)
            rows.append(f"<tr>{cells}</tr>")
        prefix = escape(self.words("note_prefix"))
        notes = "".join(f'<p class="table-note">{prefix}{escape(n)}</p>' for n in t.notes)
        self.out.append(f'<figure class="table" id="table-{t.key}"><figcaption>{escape(caption_of(t))}</figcaption>'
                        f'<table{cls}><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
                        f"{notes}</figure>")


def toc_html(headings: list[Heading], words) -> str:
    items: list[tuple[Heading, list[Heading]]] = []
    for h in headings:
        if h.level == 1:
            items.append((h, []))
        elif h.level == 2 and items:
            items[-1][1].append(h)

    def link(h: Heading) -> str:
        return f'<a href="#{h.anchor}">{escape(h.text)}</a>'
    parts = []
    for h, subs in items:
        sub = "<ol>" + "".join(f"<li>{link(s)}</li>" for s in subs) + "</ol>" if subs else ""
        parts.append(f"<li>{link(h)}{sub}</li>")
    title = escape(words("html.contents"))
    return f'<nav class="toc"><div class="toc-title">{title}</div><ol>' + "".join(parts) + "</ol></nav>"


def render_html(document: Document, catalogue, printed: list | None = None) -> tuple[str, list]:
    printed = [] if printed is None else printed
    words = document.words
    w = HtmlWriter(catalogue, printed, words)
    for b in document.blocks:
        w.block(b)
    w.close_list()
    subtitle = f'<div class="publisher">{escape(document.subtitle)}</div>' \
        if document.subtitle and document.subtitle != document.publisher else ""
    issuer = "".join(f"<div>{escape(line)}</div>" for line in (document.publisher, document.issued) if line)
    subtitle += f'<div class="issuer">{issuer}</div>' if issuer else ""
    html = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="nianbao"><title>{escape(document.title)}</title>'
            f"<style>{CSS}</style></head><body>"
            f"<header><h1>{escape(document.title)}</h1>{subtitle}</header>"
            f"{toc_html(document.headings, words)}<main>{''.join(w.out)}</main>"
            f"<footer>{escape(words('html.footer'))}</footer>"
            "</body></html>\n")
    return html, printed


@renderer("html")
def write(document: Document, path: Path, job) -> list:
    """report.html, one self-contained file; the figures printed are read back from it."""
    html, _ = render_html(document, job.catalogue)
    Path(path).write_text(html, encoding="utf-8")
    return html_printed(html)

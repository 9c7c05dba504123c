"""The use case "check a dataset": the findings of reading, the rules, the claims and the
aggregation, and — what would stop ``nianbao report`` — the figures, tables and texts the
report's outline asks for and the data do not give, found by building the document once."""

from __future__ import annotations

from pathlib import Path

from nianbao.check import output
from nianbao.check.engine import check_dataset
from nianbao.core import outfiles
from nianbao.core.findings import Finding, Location, sort_key
from nianbao.core.messages import finding
from nianbao.report.blocks.annex import annex_tables
from nianbao.report.builder import build_document
from nianbao.report.document import Heading, Paragraph, ReportError, Table


def run_check(dataset, engine: str | None = None, url: str | None = None) -> list[Finding]:
    """The check's findings: reading the files, the rules and the claims (the gaps of the
    outline come from building the document itself); the data rules run on ``engine`` (default:
    the dataset's ``engine:``, else DuckDB) at ``url``."""
    return check_dataset(dataset, engine=engine, url=url)


def outline_gaps(dataset) -> list[Finding]:
    """Figures, tables and texts the report's outline asks for and the data do not give: the
    findings the report stage raises itself, found here without writing a report."""
    try:
        document = build_document(dataset, (), allow_errors=True, charts=False)
    except ReportError as exc:
        return list(exc.findings)
    return list(document.errors) + list(document.omitted) + compliance(dataset, document)


def _outline_of(dataset, document) -> tuple[str, dict]:
    outlines = dataset.catalogue.outline.get("outlines") or {}
    chosen = dataset.meta.get("report_type") or dataset.meta.get("outline") or "city"
    return chosen, outlines.get(chosen) or {}


def compliance(dataset, document) -> list[Finding]:
    """框架完整性: the parts of the report type's outline that came out empty (an error for a
    part marked ``required``, else a warning) and the rows of the annex's indicator tables left
    without a figure (an error for a ``required`` row); rows a school without graduates need
    not fill are not findings."""
    chosen, outline = _outline_of(dataset, document)
    if not outline:
        return []
    words = document.words
    rtype = outline.get("zh", chosen)
    rtype_en = outline.get("en", chosen)
    out: list[Finding] = []
    blocks = document.blocks
    starts = {b.anchor: i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.level == 1}
    for part in outline.get("parts", []):
        if not part.get("required") and not any("required" in p for p in outline.get("parts", [])):
            continue
        i = starts.get(f"sec-{part['id']}")
        if i is None:
            continue
        j = next((k for k in range(i + 1, len(blocks)) if isinstance(blocks[k], Heading) and blocks[k].level == 1),
                 len(blocks))
        sections = [b.anchor for b in blocks[i + 1:j] if isinstance(b, Heading) and b.level == 2]
        empty = {"sec-" + sid.replace(".", "-") for sid in document.empty_sections}
        content = [b for b in blocks[i + 1:j] if isinstance(b, Table) or (isinstance(b, Paragraph) and b.style
                   in ("body", "bullet")) or (isinstance(b, Heading) and b.level == 3)]
        if not content or (sections and all(a in empty for a in sections)):
            values = dict(report_type=rtype, report_type_en=rtype_en, part=part.get("zh", part["id"]),
                          part_en=part.get("en", part["id"]))
            where = Location(section=str(part["id"]))
            if part.get("required"):
                out.append(finding("outline.part_empty", where, **values))
            else:
                out.append(finding("outline.part_empty_optional", where, **values))
    uses_annex = any("annex" in blk for p in outline.get("parts", []) for s in p.get("sections", [])
                     for blk in s.get("blocks", []))
    if not uses_annex:
        return out
    printed = {b.key: b for b in blocks if isinstance(b, Table) and b.key.startswith("annex:")}
    if not printed:
        return out + [finding("outline.annex_missing", Location(), report_type=rtype, report_type_en=rtype_en,
                              catalogue=dataset.catalogue.id)]
    for spec in annex_tables(dataset.catalogue):
        table = printed.get(f"annex:{spec.get('id', '')}")
        if table is None:
            continue
        for row, cells in zip(spec.get("rows") or [], table.rows):
            value = "".join(r.text for r in cells[3].runs)
            if value != words.no_data:
                continue
            name = "".join(r.text for r in cells[1].runs)
            values = dict(report_type=rtype, report_type_en=rtype_en, table=spec.get("number_zh", ""), row=name,
                          row_en=str(row.get("fact", name)), year=dataset.report_year, no_data=words.no_data)
            if row.get("required"):
                out.append(finding("outline.annex_row_empty", Location(section="附件1"), **values))
            else:
                out.append(finding("outline.annex_row_empty_optional", Location(section="附件1"), **values))
    return out


def check(dataset, outline: bool = True, engine: str | None = None, url: str | None = None) -> list[Finding]:
    """Every finding about ``dataset``; with ``outline``, also the gaps of its report's outline."""
    findings = run_check(dataset, engine, url)
    if outline:
        findings = sorted(findings + outline_gaps(dataset), key=sort_key)
    return findings


# -- the findings written out (nianbao.check.output): a readable table, JSON, CSV, Excel --------

FORMATS = ("table", "json", "csv", "xlsx")
TEXT_FORMATS = ("table", "json", "csv")


def has_errors(findings: list[Finding]) -> bool:
    """True when a finding is an error (``nianbao check`` then exits with 1)."""
    return any(f.severity == "error" for f in findings)


def summary_line(findings: list[Finding], lang: str = "zh") -> str:
    """共 N 条：错误 …，警告 …，提示 … (or the English line)."""
    return output.summary_line(findings, lang)


def findings_text(findings: list[Finding], dataset=None, fmt: str = "table", lang: str = "zh") -> str:
    """The findings as text: ``table`` (readable, in ``lang``), ``json`` or ``csv``."""
    if fmt == "table":
        return output.to_table(findings, dataset, lang)
    if fmt == "json":
        return output.to_json(findings, dataset)
    if fmt == "csv":
        return output.to_csv(findings)
    raise ValueError(f"not a text format: {fmt!r} (one of {', '.join(TEXT_FORMATS)})")


def write_findings(findings: list[Finding], path: str | Path, dataset=None, fmt: str = "xlsx",
                   lang: str = "zh") -> Path:
    """The findings written to ``path`` in ``fmt`` (any of FORMATS; xlsx: one row per finding and
    a summary sheet). Raises OSError when the file cannot be written."""
    path = Path(path)
    if fmt == "xlsx":
        output.write_xlsx(findings, path, lang)
    else:
        outfiles.write_text(path, findings_text(findings, dataset, fmt, lang))
    return path

"""``nianbao report``: build the annual quality report (Word, HTML, and PDF when LibreOffice is
installed) of a dataset folder — of its own unit (the city), of one school (``--school``) or of
every active school (``--all-schools``, one folder per 学校标识码)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the use cases are imported when a report is built, not for --help
    from nianbao.app.errors import UseCaseError

MAX_LISTED = 15
FILE_TYPES = (".docx", ".doc", ".html", ".htm", ".pdf", ".xlsx", ".xls", ".csv", ".txt", ".wps", ".zip")


def add_arguments(p) -> None:
    p.add_argument("dataset", help="数据集文件夹（含 dataset.yaml） / dataset folder (with dataset.yaml)")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR",
                   help="输出文件夹，写入 report.docx、report.html（与 report.pdf） / "
                        "output folder for report.docx, report.html (and report.pdf)")
    p.add_argument("--template", metavar="X.docx",
                   help="Word 模板（在自带模板基础上修改样式后另存） / Word template (restyled copy of the bundled one)")
    p.add_argument("--allow-errors", action="store_true",
                   help="数据有错误时仍生成报告，并在附录中列出错误 / build despite data errors, listing them in an appendix")
    p.add_argument("--appendix", action="store_true",
                   help="附上每个数字的公式与所用数据（默认只附指标说明） / "
                        "append every figure's formula and data (default: a short list of definitions)")
    p.add_argument("--no-pdf", action="store_true", help="不生成 PDF / do not convert to PDF")
    p.add_argument("--year", type=int, metavar="YEAR",
                   help="报告年度，默认为 dataset.yaml 的 report_year；提纲按该年施行的目录版本 / "
                        "report year (default: dataset.yaml's report_year); the outline is that of the version in force that year")
    p.add_argument("--outline", metavar="TYPE",
                   help="报告类型（提纲），覆盖 dataset.yaml 的 report_type，如 school、city、province、county；"
                        "nianbao outlines 列出可用类型 / report type (outline), overriding dataset.yaml's report_type")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--school", metavar="学校标识码",
                       help="生成该校的学校年报（学校标识码见 orgs.csv） / build the report of this school (code in orgs.csv)")
    which.add_argument("--all-schools", action="store_true",
                       help="为报告年度在办的每所学校生成年报，写入 OUTDIR/<学校标识码>/ / "
                            "build the report of every active school into OUTDIR/<code>/")


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _list(findings) -> None:
    for f in findings[:MAX_LISTED]:
        where = str(f.location)
        _err(f"  - {f.message_zh}" + (f"〔{where}〕" if where else "") + (f"（{f.hint}）" if f.hint else ""))
    if len(findings) > MAX_LISTED:
        _err(f"  …… 另有 {len(findings) - MAX_LISTED} 项，运行 nianbao check 查看全部 / "
             f"{len(findings) - MAX_LISTED} more: run nianbao check")


def _problem(exc: UseCaseError) -> int:
    _err(f"错误：{exc.zh} / {exc.en}")
    for zh, en in exc.notes:
        _err(f"  {zh} / {en}")
    return 2


def run(args) -> int:
    out = Path(args.output)
    if out.suffix.lower() in FILE_TYPES and not out.is_dir():
        _err(f"错误：-o 应为输出文件夹（报告写为其中的 report.docx、report.html、report.pdf），而不是文件 {out.name} / "
             f"-o names the output folder (report.docx, report.html, report.pdf go into it), not a file")
        _err(f"  改法 / how to fix：例如 -o {out.with_suffix('')}")
        return 2
    from nianbao.app.datasets import at_year, open_dataset
    from nianbao.app.errors import (
        CJKFontError,
        FindingsError,
        ReportError,
        SelfCheckError,
        TemplateError,
        UseCaseError,
    )
    from nianbao.app.outlines import apply_outline, choose_outline
    from nianbao.app.reporting import build_report, summary
    from nianbao.app.school_reports import school_problem
    try:
        dataset = open_dataset(args.dataset)
        if getattr(args, "year", None):
            dataset = at_year(dataset, args.year)
    except FindingsError as exc:
        _err(f"错误：无法读取数据集 {args.dataset} / cannot read the dataset")
        _list(exc.findings)
        return 2
    except UseCaseError as exc:
        return _problem(exc)
    school = getattr(args, "school", None)
    try:
        as_school = school is not None or getattr(args, "all_schools", False)
        apply_outline(dataset, choose_outline(dataset, getattr(args, "outline", None), school=as_school), as_school)
    except UseCaseError as exc:
        _err(f"错误：{exc.zh} / {exc.en}")
        return 2
    if school is not None:
        school = school.strip()
        problem = school_problem(dataset, school)
        if problem is not None:
            return _problem(problem)
    try:
        if getattr(args, "all_schools", False):
            return _all_schools(dataset, args)
        result = build_report(dataset, args.output, template=args.template, allow_errors=args.allow_errors,
                              pdf=not args.no_pdf, school=school, appendix=args.appendix)
    except ReportError as exc:
        _err(f"未生成报告：数据有 {len(exc.findings)} 项错误需先改正（或加 --allow-errors 带错生成） / "
             f"report not built: {len(exc.findings)} data errors (fix them, or use --allow-errors)")
        _list(exc.findings)
        return 1
    except SelfCheckError as exc:
        _err("未生成报告：自检发现同一数字印法不一 / report not built: the self-check failed")
        for p in exc.problems[:MAX_LISTED]:
            _err(f"  - {p}")
        return 1
    except (TemplateError, CJKFontError) as exc:
        _err(f"错误：{exc}")
        return 2
    except OSError as exc:
        _err(f"错误：无法写入 {args.output}：{exc.strerror} / cannot write the output: {exc}")
        return 2
    print(summary(result))
    return 0


def _all_schools(dataset, args) -> int:
    """Every school active in the report year, each into OUTDIR/<code>/; the check runs once."""
    from nianbao.app.errors import UseCaseError
    from nianbao.app.school_reports import build_school_reports
    def progress(r, done, total):
        if r.ok:
            print(f"  {r.org.code} {r.org.zh}：{', '.join(p.name for p in (r.result.docx, r.result.html, r.result.pdf) if p)}")
        else:
            _err(f"  未生成 {r.org.code} {r.org.zh}：{r.error}")

    try:
        reports = build_school_reports(dataset, args.output, template=args.template, allow_errors=args.allow_errors,
                                       pdf=not args.no_pdf, progress=progress, appendix=args.appendix)
    except UseCaseError as exc:
        _err(f"错误：{exc.zh} / {exc.en}")
        return 2
    built = sum(1 for r in reports if r.ok)
    print(f"已生成 {built} 所学校的报告，写入 {args.output} / {built} school reports written")
    if built < len(reports):
        _err(f"{len(reports) - built} 所学校未生成报告（见上） / {len(reports) - built} schools failed")
        return 1
    return 0

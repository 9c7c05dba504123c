"""``nianbao report``: build the annual quality report (Word, HTML, and PDF when LibreOffice is
installed) of a dataset folder — of its own unit (the city), of one school (``--school``) or of
every active school (``--all-schools``, one folder per 学校标识码)."""

from __future__ import annotations

import sys

MAX_LISTED = 15


def add_arguments(p) -> None:
    p.add_argument("dataset", help="数据集文件夹（含 dataset.yaml） / dataset folder (with dataset.yaml)")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR",
                   help="输出文件夹，写入 report.docx、report.html（与 report.pdf） / "
                        "output folder for report.docx, report.html (and report.pdf)")
    p.add_argument("--template", metavar="X.docx",
                   help="Word 模板（在自带模板基础上修改样式后另存） / Word template (restyled copy of the bundled one)")
    p.add_argument("--allow-errors", action="store_true",
                   help="数据有错误时仍生成报告，并在附录中列出错误 / build despite data errors, listing them in an appendix")
    p.add_argument("--no-pdf", action="store_true", help="不生成 PDF / do not convert to PDF")
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


def run(args) -> int:
    from nianbao.app.reporting import build_report, summary
    from nianbao.core.findings import FindingsError
    from nianbao.ingest.dataset import load_dataset
    from nianbao.report.charts import CJKFontError
    from nianbao.report.document import ReportError
    from nianbao.report.renderers.docx import TemplateError
    from nianbao.report.selfcheck import SelfCheckError

    try:
        dataset = load_dataset(args.dataset)
    except FindingsError as exc:
        _err(f"错误：无法读取数据集 {args.dataset} / cannot read the dataset")
        _list(exc.findings)
        return 2
    school = getattr(args, "school", None)
    if school is not None:
        school = school.strip()
        if _unknown_school(dataset, school):
            return 2
    try:
        if getattr(args, "all_schools", False):
            return _all_schools(dataset, args)
        result = build_report(dataset, args.output, template=args.template, allow_errors=args.allow_errors,
                              pdf=not args.no_pdf, school=school)
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


def _unknown_school(dataset, code: str) -> bool:
    """Say so (and return True) when ``code`` is not a school of the dataset's registry."""
    from nianbao.app.reporting import find_school
    org = find_school(dataset, code)
    if org is not None and org.active_in(dataset.report_year):
        return False
    if org is not None:
        state = {"merged": "已合并", "closed": "已停办"}.get(org.status, "不在办")
        since = f"（{org.closed}年起）" if org.closed else ""
        _err(f"错误：{org.code} {org.zh}{state}{since}，{dataset.report_year}年没有该校的年报 / "
             f"school {org.code} is not active in {dataset.report_year}")
        return True
    reg = dataset.orgs
    if reg is None:
        _err(f"错误：数据集 {dataset.path} 没有机构表 orgs.csv，无法按学校生成报告 / "
             "the dataset has no orgs.csv: no school reports")
        return True
    _err(f"错误：机构表（{dataset.path / 'orgs.csv'}）中没有学校标识码为 {code} 的学校 / no school {code} in orgs.csv")
    schools = reg.schools()
    near = [o for o in schools if code.isdigit() and o.code == code.zfill(10)]
    if near:
        _err(f"  是否是 {near[0].code}（{near[0].zh}）？学校标识码为10位，开头的0不能省略 / "
             "did you mean it? codes have 10 digits, leading zeros kept")
    elif schools:
        listed = "、".join(f"{o.code} {o.zh}" for o in schools[:3])
        _err(f"  机构表中共有 {len(schools)} 所学校，例如：{listed} / {len(schools)} schools, e.g. as listed")
    return True


def _all_schools(dataset, args) -> int:
    """Every school active in the report year, each into OUTDIR/<code>/; the check runs once."""
    from pathlib import Path

    from nianbao.app.checking import run_check
    from nianbao.app.reporting import build_report
    from nianbao.report.document import ReportError
    from nianbao.report.selfcheck import SelfCheckError

    reg = dataset.orgs
    schools = [o for o in (reg.schools(under=dataset.org_unit.code) or reg.schools())
               if o.active_in(dataset.report_year)] if reg is not None else []
    if not schools:
        _err(f"错误：数据集 {dataset.path} 的机构表中没有{dataset.report_year}年在办的学校 / no active schools")
        return 2
    findings = run_check(dataset)
    failed = []
    for o in schools:
        try:
            r = build_report(dataset, Path(args.output) / o.code, template=args.template,
                             allow_errors=args.allow_errors, pdf=not args.no_pdf, school=o.code, findings=findings)
        except (ReportError, SelfCheckError) as exc:
            failed.append(o)
            _err(f"  未生成 {o.code} {o.zh}：{exc}")
            continue
        print(f"  {o.code} {o.zh}：{', '.join(p.name for p in (r.docx, r.html, r.pdf) if p)}")
    print(f"已生成 {len(schools) - len(failed)} 所学校的报告，写入 {args.output} / "
          f"{len(schools) - len(failed)} school reports written")
    if failed:
        _err(f"{len(failed)} 所学校未生成报告（见上） / {len(failed)} schools failed")
        return 1
    return 0

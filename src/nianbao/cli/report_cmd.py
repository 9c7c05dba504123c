"""``nianbao report``: build the annual quality report (Word, HTML, and PDF when LibreOffice is
installed) of a dataset folder."""

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
    from nianbao.check.findings import FindingsError
    from nianbao.ingest.dataset import load_dataset
    from nianbao.report.build import build_report, summary
    from nianbao.report.charts import CJKFontError
    from nianbao.report.docx import TemplateError
    from nianbao.report.model import ReportError
    from nianbao.report.selfcheck import SelfCheckError

    try:
        dataset = load_dataset(args.dataset)
    except FindingsError as exc:
        _err(f"错误：无法读取数据集 {args.dataset} / cannot read the dataset")
        _list(exc.findings)
        return 2
    try:
        result = build_report(dataset, args.output, template=args.template, allow_errors=args.allow_errors,
                              pdf=not args.no_pdf)
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

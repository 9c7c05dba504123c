"""``nianbao template``: the data workbook a school fills in (学校数据填报表)."""

from __future__ import annotations

from pathlib import Path

from nianbao.cli import common


def add_arguments(p) -> None:
    p.add_argument("dataset", help="数据集文件夹（含机构表 orgs.csv） / dataset folder with the registry orgs.csv")
    p.add_argument("--year", type=int, help="填报年度，默认为数据集的报告年度 / reporting year (default: the dataset's)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--school", metavar="学校标识码", help="一所学校的10位学校标识码 / one school's identifier")
    which.add_argument("--all", action="store_true",
                       help="为机构表中该年度在办的每所学校各生成一份 / one workbook per school active that year")
    p.add_argument("-o", "--output", required=True,
                   help="输出文件（--school，以 .xlsx 结尾）或文件夹 / output file (--school, ending in .xlsx) or folder")
    p.add_argument("--jobs", type=int, default=0,
                   help="--all 时并行生成的进程数，默认为CPU核数 / parallel writers for --all (default: CPU count)")


def run(args) -> int:
    from nianbao.app.errors import FindingsError, UseCaseError
    from nianbao.app.templates import school_template, school_templates
    ds, failed = common.load("template", args.dataset)
    if failed:
        return failed
    try:
        if args.school:
            t = school_template(ds, args.school, args.output, args.year)
            print(f"已生成 {t.name}（{t.school}）{t.year}年度数据填报表：{t.path}")
            return 0
        made = school_templates(ds, args.output, args.year, args.jobs)
    except UseCaseError as exc:
        return common.fail_use("template", exc)
    except FindingsError as exc:  # an output that cannot be written, or named as another type of file
        for f in exc.findings:
            common.fail("template", f"{f.message_zh} / {f.message_en}", f.hint)
        return 2
    print(f"已为 {len(made)} 所学校生成 {made[0].year}年度数据填报表，保存在 {Path(args.output)}")
    return 0

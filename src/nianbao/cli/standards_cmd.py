"""``nianbao standards DATASET``: which school meets which standard (办学标准达标情况).

Table: per standard, the count and share of schools meeting each criterion and all of them,
then one line per school with the criteria it misses. CSV: one row per school and criterion
(``--summary``: one row per criterion). JSON: both.
"""

from __future__ import annotations

import argparse

from nianbao.cli import common

FORMATS = ("table", "csv", "json")
CSV_COLUMNS = ["standard", "org_unit", "school_zh", "period", "criterion", "criterion_zh", "indicator", "value",
               "text", "op", "threshold", "unit", "threshold_note", "verdict", "met"]
SUMMARY_COLUMNS = ["standard", "standard_zh", "org_unit", "period", "criterion", "criterion_zh", "assessed", "met",
                   "no_data", "share"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="数据集文件夹（含 orgs.csv 与学校数据） / dataset folder")
    parser.add_argument("--standard", metavar="ID",
                        help="只看一项标准，如 setting_2010、conditions_2022 / only this standard")
    parser.add_argument("--period", type=int, metavar="YEAR", help="年份（默认为报告年度） / year")
    parser.add_argument("--format", choices=FORMATS, default="table", help="输出格式 / output format")
    parser.add_argument("--summary", action="store_true", help="只输出汇总（各指标达标学校数与比例） / summary only")
    parser.add_argument("-o", "--output", metavar="FILE", help="写入文件；默认输出到屏幕 / write to FILE")


def _fail(message: str, hint: str = "") -> int:
    return common.fail("standards", message, hint)


def _share(count) -> str:
    from nianbao.core.formatting import number_text
    return "" if count.share is None else number_text(count.share, 2) + "%"


def detail_rows(results) -> list[dict]:
    return [{"standard": r.standard, "org_unit": r.org_unit, "school_zh": r.zh, "period": r.period,
             "criterion": v.criterion, "criterion_zh": v.zh, "indicator": v.indicator, "value": v.value,
             "text": v.text, "op": v.op, "threshold": v.threshold, "unit": v.unit_zh,
             "threshold_note": v.threshold_note, "verdict": v.verdict_zh, "met": v.met}
            for r in results for v in r.verdicts]


def summary_rows(summaries) -> list[dict]:
    out = []
    for s in summaries:
        for c in s.criteria + [s.all]:
            out.append({"standard": s.standard, "standard_zh": s.zh, "org_unit": s.org_unit, "period": s.period,
                        "criterion": c.criterion, "criterion_zh": c.zh, "assessed": c.assessed, "met": c.met,
                        "no_data": c.no_data, "share": c.share})
    return out


def table_text(results, summaries, stds, summary_only: bool) -> str:
    from nianbao.cli import tabular
    from nianbao.compute.standards import threshold_text

    parts = []
    for s in summaries:
        std = stds[s.standard]
        parts.append(f"{std['zh']}（{std.get('document', '')}）— {s.period}年，适用学校 {s.schools} 所"
                     + (f"，不适用 {len(s.not_applicable)} 所" if s.not_applicable else ""))
        rows = [{"zh": c.zh, "assessed": c.assessed, "met": c.met, "share": _share(c), "no_data": c.no_data or ""}
                for c in s.criteria + [s.all]]
        parts.append(tabular.table(rows, [("zh", "指标"), ("assessed", "有数据学校"), ("met", "达标学校"),
                                          ("share", "达标比例"), ("no_data", "无数据")]))
        if summary_only:
            continue
        lines = []
        for r in (r for r in results if r.standard == s.standard):
            if not r.applicable:
                lines.append({"school": r.zh, "code": r.org_unit, "verdict": "不适用", "missing": r.reason_zh})
                continue
            missed = [f"{v.zh} {v.text}（{threshold_text(v)}）" for v in r.verdicts if v.met is False]
            no_data = [v.zh for v in r.verdicts if v.met is None and not v.informative]
            verdict = {True: "全部达标", False: "未全部达标", None: "数据不全"}[r.met_all]
            note = "；".join(missed + ([f"无数据：{'、'.join(no_data)}"] if no_data else []))
            lines.append({"school": r.zh, "code": r.org_unit, "verdict": verdict, "missing": note})
        parts.append(tabular.table(lines, [("code", "学校标识码"), ("school", "学校"), ("verdict", "结论"),
                                           ("missing", "未达标项（标准）")]))
    return "\n".join(parts)


def run(args) -> int:
    from nianbao.catalogue import CatalogueError
    from nianbao.cli import tabular
    from nianbao.compute.standards import evaluate, load_standards, summarize
    from nianbao.core.findings import FindingsError

    dataset, failed = common.load("standards", args.dataset)
    if failed:
        return failed
    try:
        stds = load_standards(dataset)
    except FindingsError as exc:
        return common.unreadable("standards", exc.findings)
    except CatalogueError as exc:
        return _fail(f"目录有误 / catalogue error：{exc}")
    if dataset.orgs is None:
        return _fail("数据集没有机构表 orgs.csv，无法逐校核对 / no orgs.csv: no schools to check",
                     "在数据集文件夹中提供 orgs.csv 与各校数据")
    if args.standard and args.standard not in stds:
        return _fail(f"没有标准“{args.standard}” / unknown standard '{args.standard}'",
                     f"可用：{', '.join(stds)}")
    results = evaluate(dataset, args.period, args.standard)
    summaries = summarize(dataset, results)
    if args.format == "json":
        text = tabular.to_json({"summary": [s.to_dict() for s in summaries],
                                "schools": [] if args.summary else [r.to_dict() for r in results]})
    elif args.format == "csv":
        text = (tabular.to_csv(summary_rows(summaries), SUMMARY_COLUMNS) if args.summary
                else tabular.to_csv(detail_rows(results), CSV_COLUMNS))
    else:
        text = table_text(results, summaries, stds, args.summary)
    return common.emit("standards", text, args.output, f"{len(results)} 校次 / school results")

"""``nianbao indicators DATASET``: indicators of every unit of a level, optionally by breakdown.

One row per unit (and breakdown category) and indicator: value as printed, numerator,
denominator, scope, and the schools whose figures it includes. Ratios of counties, cities and
provinces are recomputed from summed numerators and denominators, never averaged.
"""

from __future__ import annotations

import argparse

from nianbao.cli import common

LEVELS = ("school", "county", "city", "province")
BREAKDOWNS = ("affiliation", "ownership", "school_type", "county", "major_category")
FORMATS = ("table", "csv", "json")
CSV_COLUMNS = ["org_unit", "org_zh", "level", "by", "category", "category_zh", "indicator", "name_zh", "period",
               "scope", "value", "text", "unit", "numerator", "denominator", "formula_zh", "schools", "members"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="数据集文件夹（含 dataset.yaml、orgs.csv） / dataset folder")
    parser.add_argument("--level", choices=LEVELS,
                        help="层级：school、county、city、province（默认为数据集本级） / level of the units")
    parser.add_argument("--by", type=_breakdown, choices=BREAKDOWNS,
                        help="分组：隶属 affiliation、办学性质 ownership、学校类别 school_type、县区 county、"
                             "专业大类 major_category / breakdown")
    parser.add_argument("--indicators", metavar="A,B",
                        help="只列这些指标或数据元素（逗号分隔，可写 students[affiliation=municipal]） / only these")
    parser.add_argument("--period", type=int, metavar="YEAR", help="年份（默认为报告年度） / year")
    parser.add_argument("--format", choices=FORMATS, default="table", help="输出格式 / output format")
    parser.add_argument("-o", "--output", metavar="FILE", help="写入文件；默认输出到屏幕 / write to FILE")


# short names accepted on the command line beside the catalogue's dimension codes
BREAKDOWN_ALIASES = {"type": "school_type", "school-type": "school_type", "major-category": "major_category",
                     "major": "major_category"}


def _breakdown(text: str) -> str:
    return BREAKDOWN_ALIASES.get(text, text)


def _fail(message: str, hint: str = "") -> int:
    return common.fail("indicators", message, hint)


def _codes(catalogue, text: str | None) -> list[tuple[str, tuple]]:
    """(code, dims) to list: those named, or every element without breakdown and every indicator."""
    from nianbao.core.formula import FormulaError, parse_ref_key
    if text:
        out = []
        for part in _split(text):
            try:
                ref = parse_ref_key(part)
            except FormulaError:
                raise ValueError(part) from None
            if ref.element not in catalogue.indicators:
                raise ValueError(part)
            out.append((ref.element, ref.dims))
        return out
    return [(code, ()) for code in catalogue.indicators]


def _split(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def units_at(dataset, level: str) -> list[tuple[str, str]]:
    """(code, name) of the units of a level that the dataset covers: its own unit, the units
    below it, or (for a level above) the units it belongs to."""
    reg, own = dataset.orgs, dataset.org_unit
    if own.level == level:
        return [(own.code, own.zh)]
    if reg is None:
        return []
    above = set(reg.ancestors(own.code))
    return [(o.code, o.zh) for o in reg.at_level(level)
            if o.code in above or own.code in reg.ancestors(o.code) or own.code in reg.units_of(o.code)]


def rows_for(dataset, level: str, by: str | None, codes, period: int) -> list[dict]:
    from nianbao.compute.aggregate import observations_for, rollup
    from nianbao.compute.facts import FactBook
    from nianbao.core.formula import parse_ref_key

    cat = dataset.catalogue
    r = rollup(dataset)
    rows = []

    def emit(org, org_zh, book, category="", category_zh="", extra=(), only_dims=False):
        for code, dims in codes:
            if only_dims:
                el = cat.elements.get(code)
                if el is None or by not in el.dims:
                    continue
                dims = tuple(sorted(dims + extra))
            fact = book.get(code, period, dims)
            if fact is None:
                continue
            included: set[str] = set()
            for i in fact.inputs:
                ref = parse_ref_key(i.ref)
                group_dims = ref.dims + (extra if not only_dims else ())
                included.update(r.included(org, ref.element, i.period, i.scope, group_dims))
            rows.append({
                "org_unit": org, "org_zh": org_zh, "level": level, "by": by or "", "category": category,
                "category_zh": category_zh, "indicator": fact.ref, "name_zh": fact.name_zh, "period": period,
                "scope": fact.scope, "value": fact.value, "text": fact.text_with_unit, "unit": fact.unit_zh,
                "numerator": fact.numerator, "denominator": fact.denominator, "formula_zh": fact.formula_zh,
                "schools": len(included), "members": sorted(included)})

    for org, org_zh in units_at(dataset, level):
        if by is None:
            emit(org, org_zh, FactBook(cat, org, observations_for(dataset, org), dataset.periods))
        elif by == "major_category":
            obs = observations_for(dataset, org)
            book = FactBook(cat, org, obs, dataset.periods)
            present = sorted({c for o in obs for d, c in o.dims if d == by})
            for c in present:
                emit(org, org_zh, book, c, cat.category_label(by, c), ((by, c),), only_dims=True)
        else:
            for c in r.categories(org, by):
                label = (dataset.orgs.get(c).zh if by == "county" and dataset.orgs.get(c)
                         else cat.category_label(by, c) if c in cat.dimensions.get(by, {}).get("categories", {}) else c)
                obs = r.group_observations(org, by, c)
                emit(org, org_zh, FactBook(cat, org, obs, dataset.periods), c, label, ((by, c),))
    return rows


def run(args) -> int:
    from nianbao.cli import tabular

    dataset, failed = common.load("indicators", args.dataset)
    if failed:
        return failed
    level = args.level or dataset.org_unit.level
    if level != dataset.org_unit.level and dataset.orgs is None:
        return _fail(f"数据集没有机构表 orgs.csv，无法按{level}层级列出 / no orgs.csv: cannot list level {level}",
                     "在数据集文件夹中提供 orgs.csv（学校、县区及其上级）")
    if args.by and dataset.orgs is None:
        return _fail("数据集没有机构表 orgs.csv，无法分组 / no orgs.csv: cannot break down",
                     "在数据集文件夹中提供 orgs.csv")
    if args.by and level == "school" and args.by != "major_category":
        return _fail(f"学校层级不能按 {args.by} 分组 / a school cannot be broken down by {args.by}",
                     "去掉 --by，或选择 county、city、province 层级")
    try:
        codes = _codes(dataset.catalogue, args.indicators)
    except ValueError as exc:
        return _fail(f"目录中没有指标“{exc}” / unknown indicator '{exc}'",
                     "指标代码见 catalogue/<版本>/indicators.yaml 与 elements.yaml")
    period = args.period or dataset.report_year
    if not units_at(dataset, level):
        return _fail(f"数据集中没有{level}层级的单位 / no unit of level {level} in the dataset",
                     "检查 orgs.csv 的 level 列，或换一个 --level")
    rows = rows_for(dataset, level, args.by, codes, period)
    if args.format == "json":
        text = tabular.to_json(rows)
    elif args.format == "csv":
        text = tabular.to_csv(rows, CSV_COLUMNS)
    else:
        cols = [("org_zh", "单位"), ("category_zh", "分组"), ("name_zh", "指标"), ("text", "数值"),
                ("scope_zh", "口径"), ("ratio", "分子 / 分母"), ("schools", "学校数")]
        cat = dataset.catalogue
        for row in rows:
            row["scope_zh"] = cat.scope_label(row["scope"]) if row["scope"] != "mixed" else "口径不一"
            row["ratio"] = (f"{row['numerator']:g} / {row['denominator']:g}" if row["denominator"] else "")
        if not args.by:
            cols = [c for c in cols if c[0] != "category_zh"]
        text = tabular.table(rows, cols) + f"共 {len(rows)} 行；{period}年 / {len(rows)} rows\n"
    return common.emit("indicators", text, args.output, f"{len(rows)} 行 / rows")

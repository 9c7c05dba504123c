"""The use case "indicator table" (指标表): every indicator of every unit of a level —
optionally by breakdown category — with its value as printed, numerator, denominator, scope and
the schools whose figures it includes, computed by the engine the caller or the dataset names.

Ratios of counties, cities and provinces are recomputed from summed numerators and
denominators, never averaged; every engine gives the same figures (tests/conformance).
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.compute import engines, suppress
from nianbao.core.errors import NianbaoError
from nianbao.core.formula import FormulaError, parse_ref_key
from nianbao.core.messages import phrase
from nianbao.core.orgs import UNKNOWN
from nianbao.report.notes import distinguishes_technical
from nianbao.report.wording import Wording

LEVELS = ("school", "county", "city", "province")
BREAKDOWNS = ("affiliation", "ownership", "school_type", "county", "major_category")
COLUMNS = ["org_unit", "org_zh", "level", "by", "category", "category_zh", "indicator", "name_zh", "period",
           "scope", "value", "text", "unit", "numerator", "denominator", "formula_zh", "schools", "members"]


class IndicatorsError(NianbaoError):
    """A request the dataset cannot answer (a level without a registry, an unknown indicator)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Request:
    level: str | None = None
    by: str | None = None
    indicators: str | None = None  # "A,B" or "students[affiliation=municipal]"
    period: int | None = None
    engine: str | None = None
    url: str | None = None  # the engine's database or master URL
    scope: str | None = None  # only the figures of this scope (口径), every input in it
    publish: bool = False  # small counts from records suppressed (统计公开时的小数抑制)
    members: bool = True  # the codes of the schools behind each row (``members``); else only their number


def split_codes(text: str) -> list[str]:
    """``a,b[x=1,y=2],c`` → ``["a", "b[x=1,y=2]", "c"]`` (commas inside brackets kept)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def codes(catalogue, text: str | None) -> list[tuple[str, tuple]]:
    """(code, dims) to list: those named, or every data element and indicator of the catalogue."""
    if not text:
        return [(code, ()) for code in catalogue.indicators]
    out = []
    for part in split_codes(text):
        try:
            ref = parse_ref_key(part)
        except FormulaError:
            ref = None
        if ref is None or ref.element not in catalogue.indicators:
            raise IndicatorsError(f"目录中没有指标“{part}” / unknown indicator '{part}'",
                                  "指标代码见 catalogue/<版本>/indicators.yaml 与 elements.yaml")
        bad = [f"{d}={c}" for d, c in ref.dims
               if c not in ((catalogue.dimensions.get(d) or {}).get("categories") or {})]
        if bad:
            raise IndicatorsError(f"目录中没有分组“{'、'.join(bad)}” / unknown breakdown {', '.join(bad)}",
                                  "方括号中写目录中的 维度=类别（见 dimensions.yaml），如 students[affiliation=municipal]")
        out.append((ref.element, ref.dims))
    return out


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


def validate(dataset, request: Request) -> tuple[str, list, int, str]:
    """(level, codes, period, engine) of a request, or IndicatorsError saying what is wrong."""
    level = request.level or dataset.org_unit.level
    if level != dataset.org_unit.level and dataset.orgs is None:
        raise IndicatorsError(f"数据集没有机构表 orgs.csv，无法按{level}层级列出 / no orgs.csv: cannot list level {level}",
                              "在数据集文件夹中提供 orgs.csv（学校、县区及其上级）")
    if request.by and dataset.orgs is None:
        raise IndicatorsError("数据集没有机构表 orgs.csv，无法分组 / no orgs.csv: cannot break down",
                              "在数据集文件夹中提供 orgs.csv")
    if request.by and level == "school" and request.by != "major_category":
        raise IndicatorsError(f"学校层级不能按 {request.by} 分组 / a school cannot be broken down by {request.by}",
                              "去掉 --by，或选择 county、city、province 层级")
    wanted = codes(dataset.catalogue, request.indicators)
    known = dataset.catalogue.meta.get("scopes", {})
    if request.scope is not None and request.scope not in known:
        raise IndicatorsError(f"口径“{request.scope}”未知 / unknown scope '{request.scope}'",
                              "可用的口径：" + "、".join(f"{k}（{v['zh']}）" for k, v in known.items()))
    if not units_at(dataset, level):
        raise IndicatorsError(f"数据集中没有{level}层级的单位 / no unit of level {level} in the dataset",
                              "检查 orgs.csv 的 level 列，或换一个 --level")
    try:
        engine = engines.engine_of(dataset, request.engine)
    except engines.EngineError as exc:
        raise IndicatorsError(str(exc), exc.hint) from None
    return level, wanted, request.period or dataset.report_year, engine


def scope_words(dataset, scope: str) -> str:
    """The scope as the dataset's figures are: 全口径 says 含技工学校 only when the dataset tells
    技工学校 apart (a figure without them, or one in its registry)."""
    words = Wording.of(dataset.catalogue)
    if scope == "mixed":
        return words("scope.mixed")
    if scope == "all" and not distinguishes_technical(dataset):
        return words("scope.all_plain")
    return dataset.catalogue.scope_label(scope)


def indicator_rows(dataset, request: Request = Request()) -> list[dict]:
    """The rows of the indicator table (``COLUMNS``, plus ``scope_zh`` and ``ratio`` for a
    printed table). Raises IndicatorsError for a request the dataset cannot answer, and
    EngineError for an engine that cannot run here.

    Only the units of the level (and, by county, the counties below them) and only the
    breakdown asked for are computed; the schools behind each figure are asked of the engine
    once for every row — their codes where ``request.members`` asks for them (a CSV, JSON or
    workbook prints them), else only their number (``members`` is then None)."""
    level, wanted, period, engine = validate(dataset, request)
    by = request.by
    cat = dataset.catalogue
    listed = units_at(dataset, level)
    units = [code for code, _ in listed]
    if by == "county" and dataset.orgs is not None:
        units += [o.code for o in dataset.orgs.at_level("county")]
    groups = [by] if by and by != "major_category" else []
    figs = engines.open_figures(dataset, engine, request.url, units=units, groups=groups, wanted=wanted)
    try:
        facts = _facts(dataset, figs, listed, wanted, by, period, request.scope)
        breakdowns = set(cat.aggregation.get("breakdowns") or []) if cat.aggregation else set()
        keys = {}
        for org, _zh, _c, _czh, fact, extra in facts:
            keys[id(fact), org] = [_included_key(org, fact, i, extra, breakdowns) for i in fact.inputs]
        if request.members:
            schools = figs.included(k for ks in keys.values() for k in ks)
        else:
            counted = dict(zip(keys, figs.counts(list(keys.values()))))
    finally:
        figs.close()
    rows: list[dict] = []
    words = {s: scope_words(dataset, s) for s in {f[4].scope for f in facts}}  # once a scope, not once a row
    for org, org_zh, category, category_zh, fact, _extra in facts:
        if request.members:
            included = sorted({c for k in keys[id(fact), org] for c in schools[k]})
            count = len(included)
        else:
            included, count = None, counted[id(fact), org]
        rows.append({
            "org_unit": org, "org_zh": org_zh, "level": level, "by": by or "", "category": category,
            "category_zh": category_zh, "indicator": fact.ref, "name_zh": fact.name_zh, "period": period,
            "scope": fact.scope, "value": fact.value, "text": fact.text_with_unit, "unit": fact.unit_zh,
            "numerator": fact.numerator, "denominator": fact.denominator, "formula_zh": fact.formula_zh,
            "schools": count, "members": included,
            "scope_zh": words[fact.scope],
            "inputs": sorted({i.ref for i in fact.inputs if i.period == period}),
            "ratio": f"{fact.numerator:g} / {fact.denominator:g}" if fact.denominator else ""})
    if request.publish:
        rows = suppress.publish(rows, cat, dataset.meta, dataset.orgs)
    return rows


def _included_key(org: str, fact, inp, extra: tuple, breakdowns: set) -> tuple:
    """(unit, group, element, plain dims, period, scope) of one input of a fact: the figure whose
    schools the row counts (a breakdown among the input's dims names the group)."""
    ref = parse_ref_key(inp.ref)
    dims = tuple(sorted(ref.dims + extra))
    group = next((f"{d}={c}" for d, c in dims if d in breakdowns), "")
    plain = ",".join(f"{d}={c}" for d, c in dims if d not in breakdowns)
    return (org, group, ref.element, plain, inp.period, inp.scope)


def _facts(dataset, figs, listed, wanted, by, period, scope: str | None = None) -> list[tuple]:
    """(org, org_zh, category, category_zh, fact, group dims) of every row, in the order printed."""
    cat = dataset.catalogue
    out: list[tuple] = []

    def emit(org, org_zh, book, category="", category_zh="", extra=(), only_dims=False):
        for code, dims in wanted:
            if only_dims:
                el = cat.elements.get(code)
                if el is None or by not in el.dims:
                    continue
                dims = tuple(sorted(dims + extra))
            fact = book.get(code, period, dims, scope)
            if fact is not None and (scope is None or fact.scope == scope):  # --scope: every input of it
                out.append((org, org_zh, category, category_zh, fact, extra if not only_dims else ()))

    for org, org_zh in listed:
        if by is None:
            emit(org, org_zh, figs.factbook(org))
        elif by == "major_category":
            book = figs.factbook(org)
            for c in book.categories(by):
                emit(org, org_zh, book, c, cat.category_label(by, c), ((by, c),), only_dims=True)
        else:
            for c in _categories(dataset, figs, org, by):
                label = (dataset.orgs.get(c).zh if by == "county" and dataset.orgs.get(c)
                         else phrase("aggregate.direct_schools", unit=org_zh) if by == "county" and c == UNKNOWN
                         else cat.category_label(by, c) if c in cat.dimensions.get(by, {}).get("categories", {})
                         else phrase("aggregate.unknown_category") if c == UNKNOWN else c)
                # a county is listed with its own figures, as --level county prints them (its own
                # total where it gave one, a county table's rows where it has no schools)
                book = figs.factbook(c) if by == "county" and c in dataset.orgs else figs.factbook(org, f"{by}={c}")
                emit(org, org_zh, book, c, label, ((by, c),))
    return out


def _categories(dataset, figs, org: str, by: str) -> list[str]:
    """The categories of ``org`` by ``by``: those of its schools and, by county, every county
    below it that gave figures itself (a county table)."""
    cats = set(figs.categories(org, by))
    if by == "county":
        reg = dataset.orgs
        given = _units_with_figures(dataset)
        cats |= {o.code for o in reg.at_level("county") if o.code in given and org in reg.ancestors(o.code)}
    return sorted(cats)


def suppression_threshold(dataset) -> int:
    """The smallest count a published table prints (dataset.yaml over records.yaml)."""
    return suppress.settings(dataset.catalogue, dataset.meta)[0]


def _units_with_figures(dataset) -> set[str]:
    """The org units some figure of the dataset is of (asked of the dataset's table of figures
    where the figures are in it: no object made)."""
    distinct = getattr(dataset, "distinct", None)
    return distinct("org_unit") if distinct is not None else {o.org_unit for o in dataset.observations}

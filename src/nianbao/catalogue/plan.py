"""The 达标 plan of a catalogue version (``plan.yaml``: resources, what closes which criterion,
unit costs, scenarios) checked when the catalogue is built, so that an unknown criterion or
resource, a need formula that does not parse or names something else, or a unit cost that is
not a number is an error naming the file and the entry — never a failure while a plan is
worked out. The plan itself is worked out in ``nianbao.compute.plan``.
"""

from __future__ import annotations

import math
from typing import Any

from nianbao.catalogue.errors import CatalogueError
from nianbao.core import formula

FILE = "plan.yaml"
# the names a need formula may use (the criterion's parts, the school's value)
ROLE_NAMES = ("numerator", "denominator", "factor", "threshold", "value")
ROUNDING = ("up", "none")
SECTIONS = ("default_standard", "resources", "closes", "unit_costs", "unit_costs_example", "scenarios")


def _error(zh: str, en: str, where: str, hint: str) -> CatalogueError:
    return CatalogueError(zh, en, hint=hint, file=where)


def _number(value: Any) -> float | None:
    """A finite number (not true/false), else None."""
    if isinstance(value, str):  # a number written as text ("3000"), but no units or separators
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def criterion_ids(standards: dict | None) -> set[str]:
    """Every criterion id of every standard of standards.yaml."""
    out: set[str] = set()
    for std in ((standards or {}).get("standards") or {}).values():
        for c in (std or {}).get("criteria") or [] if isinstance(std, dict) else []:
            if isinstance(c, dict) and c.get("id"):
                out.add(str(c["id"]))
    return out


def check(data: Any, elements: dict, dimensions: dict, standards: dict | None,
          at=lambda entry: FILE) -> dict:
    """``plan.yaml`` as a mapping, every entry checked; ``at(entry)`` names the file that set an
    entry (``closes/student_teacher_ratio``, ``resources/teachers``, ``unit_costs/book``)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _error("达标计划 plan.yaml 应为映射（resources、closes、unit_costs 等）",
                     "plan.yaml must be a mapping (resources, closes, unit_costs …)", at(""),
                     "按目录 cn-2016/plan.yaml 的格式书写")
    for key in data:
        if key not in SECTIONS:
            raise _error(f"达标计划 plan.yaml 中没有“{key}”这一项（可用：{'、'.join(SECTIONS)}）",
                         f"plan.yaml has no section {key!r} (known: {', '.join(SECTIONS)})", at(str(key)),
                         "改正拼写，或删去该项")
    resources = _section(data, "resources", at)
    for rid, r in resources.items():
        _resource(str(rid), r, at(f"resources/{rid}"))
    known = criterion_ids(standards)
    for cid, spec in _section(data, "closes", at).items():
        _closes(str(cid), spec, resources, known, elements, dimensions, at(f"closes/{cid}"))
    for section in ("unit_costs", "unit_costs_example"):
        for key, c in _section(data, section, at).items():
            _cost(section, str(key), c, at(f"{section}/{key}"))
    for sid, sc in _section(data, "scenarios", at).items():
        if sc is not None and not isinstance(sc, dict):
            raise _error(f"达标计划 scenarios 中的情景 {sid} 应为映射（zh、en 等）",
                         f"plan.yaml scenarios: {sid} must be a mapping (zh, en …)", at(f"scenarios/{sid}"),
                         "写成 zh: …、en: … 的形式")
        years = (sc or {}).get("years")
        if years is not None and (isinstance(years, bool) or not isinstance(years, int) or years < 1):
            raise _error(f"达标计划 scenarios 中情景 {sid} 的 years 应为正整数：{years!r}",
                         f"plan.yaml scenarios: {sid} years must be a whole number ≥ 1: {years!r}",
                         at(f"scenarios/{sid}"), "写推算所用的最近年数，如 years: 3")
    return data


def _section(data: dict, name: str, at) -> dict:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _error(f"达标计划 plan.yaml 的 {name} 应为映射（代码: 内容）",
                     f"plan.yaml: {name} must be a mapping (code: entry)", at(name), "按目录 cn-2016/plan.yaml 的格式书写")
    return value


def _resource(rid: str, r: Any, where: str) -> None:
    if not isinstance(r, dict):
        raise _error(f"达标计划 resources 中的资源 {rid} 应为映射（zh、unit_zh、round、step、cost）",
                     f"plan.yaml resources: {rid} must be a mapping (zh, unit_zh, round, step, cost)", where,
                     "写成 zh: …、unit_zh: … 的形式")
    if r.get("round", "up") not in ROUNDING:
        raise _error(f"达标计划资源 {rid} 的 round 应为 {'、'.join(ROUNDING)} 之一：{r.get('round')!r}",
                     f"plan.yaml resource {rid}: round must be one of {', '.join(ROUNDING)}: {r.get('round')!r}",
                     where, "round: up 表示向上取整到整 step")
    step = _number(r.get("step", 1))
    if step is None or step <= 0:
        raise _error(f"达标计划资源 {rid} 的 step 应为正数：{r.get('step')!r}",
                     f"plan.yaml resource {rid}: step must be a positive number: {r.get('step')!r}", where,
                     "写取整的单位，如 step: 1（整人、整平方米）")
    if r.get("cost") is not None and not isinstance(r["cost"], str):
        raise _error(f"达标计划资源 {rid} 的 cost 应为 unit_costs 中的一个键：{r['cost']!r}",
                     f"plan.yaml resource {rid}: cost must be a key of unit_costs: {r['cost']!r}", where,
                     "写单价的键名，如 cost: construction_m2，单价本身写在 unit_costs 中")
    scale = r.get("display")
    if scale is not None:
        ok = isinstance(scale, dict) and (_number(scale.get("per")) or 0) > 0 and (
            scale.get("decimals") is None or (isinstance(scale["decimals"], int) and 0 <= scale["decimals"] <= 6))
        if not ok:
            raise _error(f"达标计划资源 {rid} 的 display 应写 per（正数）、unit_zh、unit_en，可写 decimals（0～6）",
                         f"plan.yaml resource {rid}: display needs per (a positive number), unit_zh and unit_en, "
                         f"and may give decimals (0 to 6)",
                         where, "如 display: {per: 10000, unit_zh: 万元, unit_en: 10k yuan, decimals: 2}")


def _closes(cid: str, spec: Any, resources: dict, known: set[str], elements: dict, dimensions: dict,
            where: str) -> None:
    if known and cid not in known:
        raise _error(f"达标计划 closes 中的指标 {cid} 不是 standards.yaml 中任何标准的指标",
                     f"plan.yaml closes: {cid} is not a criterion of any standard in standards.yaml", where,
                     f"用 standards.yaml 中指标的 id（如 {'、'.join(sorted(known)[:4])}），或删去该项")
    if not isinstance(spec, dict):
        raise _error(f"达标计划 closes 中的指标 {cid} 应为映射（resource、need、adds）",
                     f"plan.yaml closes: {cid} must be a mapping (resource, need, adds)", where,
                     "写成 resource: …、need: … 的形式；没有资源可补足的写 resource: null 与 options_zh")
    rid = spec.get("resource")
    if rid is None:
        return
    if rid not in resources:
        raise _error(f"达标计划 closes 中指标 {cid} 所用资源 {rid} 没有在 resources 中定义",
                     f"plan.yaml closes: {cid} names an undefined resource {rid}", where,
                     f"用 resources 中的资源（{'、'.join(map(str, resources)) or '无'}），或在 resources 中定义它")
    need = spec.get("need")
    if need is None or isinstance(need, bool) or str(need).strip() == "":
        raise _error(f"达标计划 closes 中指标 {cid} 缺少 need（所需数量的公式）",
                     f"plan.yaml closes: {cid} has no need (the formula of the quantity)", where,
                     f"写公式，可用 {'、'.join(ROLE_NAMES)}，如 need: threshold - value")
    try:
        node = formula.parse(str(need))
    except formula.FormulaError:
        raise _error(f"达标计划 closes 中指标 {cid} 的公式 need: {need} 无法解析",
                     f"plan.yaml closes: {cid}: the formula need: {need} does not parse", where,
                     f"只用数字、+ - * / 与括号和 {'、'.join(ROLE_NAMES)}") from None
    for ref in formula.refs(node):
        if ref.element not in ROLE_NAMES or ref.dims:
            raise _error(f"达标计划 closes 中指标 {cid} 的公式用了 {ref.key}，只能用 {'、'.join(ROLE_NAMES)}",
                         f"plan.yaml closes: the need of {cid} uses {ref.key}; allowed: {', '.join(ROLE_NAMES)}",
                         where, "numerator、denominator 为该指标的分子、分母，factor 为倍数（比例为100），"
                                "threshold 为标准值，value 为学校的指标值")
    adds = spec.get("adds") or {}
    if not isinstance(adds, dict):
        raise _error(f"达标计划 closes 中指标 {cid} 的 adds 应为映射（数据元素: 每单位资源增加的数）",
                     f"plan.yaml closes: {cid}: adds must map data elements to what one unit adds", where,
                     "如 adds: {fulltime_teachers: 1}")
    for key, per in adds.items():
        try:
            ref = formula.parse_ref_key(str(key))
        except formula.FormulaError:
            ref = None
        bad_dims = ref is not None and ref.element in elements and any(
            d not in elements[ref.element].dims or c not in (dimensions.get(d) or {}).get("categories", {})
            for d, c in ref.dims)
        if ref is None or ref.element not in elements or bad_dims:
            raise _error(f"达标计划 closes 中指标 {cid} 的 adds 写了 {key}，不是已定义的数据元素（或其分组）",
                         f"plan.yaml closes: {cid}: adds names {key}, not a defined data element (or breakdown)",
                         where, "用 elements.yaml 中的数据元素代码，如 fulltime_teachers 或 "
                                "fulltime_teachers[title=senior_vice]")
        if _number(per) is None:
            raise _error(f"达标计划 closes 中指标 {cid} 的 adds 中 {key} 的值不是数字：{per!r}",
                         f"plan.yaml closes: {cid}: adds {key} is not a number: {per!r}", where,
                         "写一个单位资源增加的数，如 1")


def _cost(section: str, key: str, c: Any, where: str) -> None:
    value = c.get("value") if isinstance(c, dict) else c
    number = _number(value)
    if number is None or number < 0:
        raise _error(f"达标计划 {section} 中的单价 {key} 不是非负数：{value!r}",
                     f"plan.yaml {section}: unit cost {key} is not a non-negative number: {value!r}", where,
                     f"写数字（不带单位与千分位），如 {key}: {{value: 3000, zh: 名称, unit_zh: 元/平方米}}")

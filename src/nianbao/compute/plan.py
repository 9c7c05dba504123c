"""The 达标 plan: per school and criterion of a standard, how far the school is from the
threshold (in the criterion's own unit) and what closes the gap (teachers to hire, floor area to
build, equipment and books to buy …), with the money where the dataset gives a unit cost.

What closes which criterion, and how much of it, is catalogue data (``plan.yaml``: ``resources``
and ``closes``, each need a formula over the criterion's numerator, denominator, factor,
threshold and value, parsed by nianbao.core.formula). The criteria are worked out in the order
``closes`` lists them, each on the school's figures as the earlier ones left them (``adds``),
so a resource is counted once: a teacher hired for 专任教师数 counts for 生师比 and in the
denominators of the shares. Quantities are rounded up to whole steps (a teacher, a m²).

Enrolment is the report year's (scenario ``reported``) or projected to a target year by stock
and flow (``projected``): students(t+1) = students(t) + entrants − graduates − other leavers,
the flows held at their mean over the last years with data.

A school without a figure the plan needs is listed as without data (无数据), never as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nianbao.catalogue.plan import ROLE_NAMES
from nianbao.compute import engines
from nianbao.compute.aggregate import factbook_for
from nianbao.compute.facts import Fact, Input
from nianbao.compute.standards import compare, evaluate_school, load_standards
from nianbao.core import formula
from nianbao.core.formatting import kept_decimals, number_text
from nianbao.core.messages import phrase

EPS = 1e-9
SCENARIOS = ("reported", "projected")
STUDENTS, ENTRANTS, GRADUATES = PROJECTED = ("students", "entrants", "graduates")  # what ``project_students`` reads
STATUSES = ("met", "short", "induced", "no_data", "not_closable")


class PlanError(ValueError):
    """plan.yaml cannot be used (an unknown resource, a formula naming something else)."""


@dataclass
class Need:
    """One school against one criterion: its value, the gap in the criterion's unit and what
    closes it."""
    criterion: str
    zh: str
    en: str
    op: str
    threshold: float
    unit_zh: str
    decimals: int
    style: str
    value: float | None  # the criterion's indicator in the scenario, before the plan
    status: str  # met / short / induced (met, but the plan's earlier steps open a gap) / no_data / not_closable
    gap: float | None = None  # in the criterion's own unit, ≥ 0
    resource: str = ""
    quantity: float | None = None  # of the resource, rounded up, ≥ 0
    money: float | None = None  # 元, where a unit cost is given
    options_zh: str = ""
    options_en: str = ""

    @property
    def status_zh(self) -> str:
        return phrase("plan.status." + self.status)


@dataclass
class SchoolPlan:
    org_unit: str
    zh: str
    en: str
    county: str
    county_zh: str
    applicable: bool
    reason_zh: str = ""
    students: float | None = None  # in the scenario
    students_reported: float | None = None
    needs: list[Need] = field(default_factory=list)

    def need(self, criterion: str) -> Need | None:
        return next((n for n in self.needs if n.criterion == criterion), None)

    def quantity(self, resource: str) -> float | None:
        """The school's total of a resource; None when a criterion it closes lacks data and
        none has a quantity."""
        ns = [n for n in self.needs if n.resource == resource]
        qs = [n.quantity for n in ns if n.quantity is not None]
        if not qs:
            return None
        return sum(qs)


@dataclass
class Plan:
    standard: str
    std: dict
    period: int  # the year of the data
    scenario: str
    target_year: int
    assumption_zh: str
    assumption_en: str
    resources: dict  # id → plan.yaml resource (in the order of first use)
    costs: dict  # cost key → {value, zh, unit_zh}
    criteria: list[dict]  # the standard's criteria the plan covers, in the plan's order
    schools: list[SchoolPlan]
    notes_zh: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)
    closes: dict = field(default_factory=dict)  # plan.yaml closes

    @property
    def applicable(self) -> list[SchoolPlan]:
        return [s for s in self.schools if s.applicable]

    def cost(self, resource: str) -> float | None:
        """元 per unit of a resource; 1 for a resource counted in 元; None without a cost."""
        spec = self.resources.get(resource) or {}
        if spec.get("money"):  # counted in 元 already: money shown beside the others' only
            return 1.0 if self.costs else None
        c = self.costs.get(spec.get("cost") or "")
        return None if c is None else float(c["value"])

    def has_money(self, resource: str) -> bool:
        return self.cost(resource) is not None


def config(catalogue) -> dict:
    cfg = catalogue.plan or {}
    if not cfg.get("closes"):
        raise PlanError(phrase("plan.no_config", catalogue=catalogue.id))
    return cfg


def unit_costs(catalogue) -> dict:
    """The unit costs the dataset (or its catalogue version) sets: key → {value, zh, unit_zh}.
    ``unit_costs_example`` is never used."""
    out = {}
    for key, c in ((catalogue.plan or {}).get("unit_costs") or {}).items():
        c = c if isinstance(c, dict) else {"value": c}
        try:
            value = float(c["value"])
        except (KeyError, TypeError, ValueError):
            raise PlanError(phrase("plan.bad_cost", key=key, value=c.get("value"))) from None
        if value < 0 or math.isnan(value):
            raise PlanError(phrase("plan.bad_cost", key=key, value=c.get("value")))
        out[key] = {**c, "value": value}
    return out


def shown(resource: dict) -> tuple[float, str, str, int]:
    """(per, unit_zh, unit_en, least decimals): how a resource's quantity is printed — in the
    unit it is counted in, or, with ``display`` (equipment: 元 counted, 万元 printed), ``per``
    units counted to one printed."""
    d = resource.get("display") or {}
    if d:
        return float(d["per"]), str(d.get("unit_zh", "")), str(d.get("unit_en", "")), int(d.get("decimals", 0))
    return 1.0, str(resource.get("unit_zh", "")), str(resource.get("unit_en", "")), 0


def shown_value(quantity: float, resource: dict) -> tuple[float, int]:
    """A quantity in the unit it is printed in, and the decimals that keep every unit counted
    (4308100 元 → 430.81 万元, 2 decimals; 2512 元 → 0.2512, 4)."""
    per, _, _, least = shown(resource)
    value = quantity / per
    return value, kept_decimals(value, least)


def money_decimals(wan: float) -> int:
    """Money in 万元: two decimals as official tables print it, more where a yuan (or fen) would
    be lost (0.2512 万元)."""
    return kept_decimals(wan, 2, 6)


def round_up(x: float, step: float = 1.0) -> float:
    """Up to whole steps; a value within rounding noise of a step is that step (60.0000000001 → 60)."""
    if x <= EPS * max(1.0, abs(x)):
        return 0.0
    return math.ceil(x / step - EPS * max(1.0, abs(x / step))) * step


def _ref_value(book, ref: formula.Ref, period: int) -> float | None:
    fact = book.get(ref.element, period, ref.dims)
    return None if fact is None else float(fact.value)


def _indicator_value(ind, state: dict) -> tuple[float | None, float | None, float | None]:
    """(value, numerator, denominator) of an indicator on the figures in ``state``."""
    def lookup(ref):
        return state.get(ref.key)
    num = formula.evaluate(ind.numerator_ast, lookup)
    if ind.denominator_ast is None:
        return (None if num is None else num * ind.factor), num, None
    den = formula.evaluate(ind.denominator_ast, lookup)
    if num is None or den is None or den == 0:
        return None, num, den
    return num / den * ind.factor, num, den


def project_students(book, period: int, target: int, years: int = 3) -> tuple[float | None, dict]:
    """The school's students in ``target`` by stock and flow from ``period``: the mean entrants,
    graduates and other leavers of the last ``years`` years with data held constant. Returns
    (students, the flows used); None when the report year's students or the flows are missing."""
    base = _ref_value(book, formula.Ref(STUDENTS), period)
    flows = {"entrants": [], "graduates": [], "leavers": []}
    for y in range(period, period - years, -1):
        e = _ref_value(book, formula.Ref(ENTRANTS), y)
        g = _ref_value(book, formula.Ref(GRADUATES), y)
        if e is None or g is None:
            continue
        flows["entrants"].append(e)
        flows["graduates"].append(g)
        now, before = (_ref_value(book, formula.Ref(STUDENTS), p) for p in (y, y - 1))
        if now is not None and before is not None:
            flows["leavers"].append(max(0.0, before + e - g - now))
    if base is None or not flows["entrants"]:
        return None, {}
    mean = {k: (sum(v) / len(v) if v else 0.0) for k, v in flows.items()}
    per_year = mean["entrants"] - mean["graduates"] - mean["leavers"]
    return float(max(0, round(base + per_year * (target - period)))), {**mean, "years": len(flows["entrants"])}


def plan_school(dataset, std_id: str, std: dict, org, period: int, scenario: str = "reported",
                target_year: int | None = None, book=None) -> SchoolPlan:
    """One school's plan against a standard."""
    cat = dataset.catalogue
    cfg = config(cat)
    reg = dataset.orgs
    county = reg.county_of(org.code) if reg is not None else ""
    county_org = reg.get(county) if reg is not None and county else None
    book = book or factbook_for(dataset, org.code)
    res = evaluate_school(dataset, std_id, std, org, period, book)
    sp = SchoolPlan(org.code, org.zh, org.en or org.zh, county, county_org.zh if county_org else county,
                    res.applicable, res.reason_zh)
    if not res.applicable:
        return sp
    resources = cfg.get("resources") or {}
    closes = cfg.get("closes") or {}
    verdicts = [v for v in res.verdicts if not v.informative]
    order = sorted(verdicts, key=lambda v: list(closes).index(v.criterion) if v.criterion in closes else len(closes))
    state: dict[str, float] = {}
    for v in order:
        ind = cat.indicator(v.indicator)
        refs = formula.refs(ind.numerator_ast) + (formula.refs(ind.denominator_ast) if ind.denominator_ast else [])
        refs += [formula.parse_ref_key(k) for k in ((closes.get(v.criterion) or {}).get("adds") or {})]
        for ref in refs:
            if ref.key not in state:
                value = _ref_value(book, ref, period)
                if value is not None:
                    state[ref.key] = value
    sp.students_reported = state.get("students")
    if scenario == "projected":
        projected, _ = project_students(book, period, target_year or period + 1,
                                        int((cfg.get("scenarios") or {}).get("projected", {}).get("years", 3)))
        if projected is None:
            state.pop("students", None)
        else:
            state["students"] = projected
    sp.students = state.get("students")
    before = dict(state)  # the scenario's figures, before any step of the plan
    for v in order:
        ind = cat.indicator(v.indicator)
        spec = closes.get(v.criterion)
        value = _indicator_value(ind, before)[0]
        _, num, den = _indicator_value(ind, state)
        need = Need(v.criterion, v.zh, v.en, v.op, v.threshold, v.unit_zh, ind.decimals, ind.style, value,
                    "no_data")
        sp.needs.append(need)
        if value is None:
            if spec and spec.get("resource"):
                need.resource = spec["resource"]
            continue
        met = compare(value, v.op, v.threshold)
        need.gap = 0.0 if met else round(abs(value - v.threshold), 9)  # no float noise (88.52000000000001)
        if not spec or not spec.get("resource"):
            need.status = "met" if met else "not_closable"
            need.options_zh = (spec or {}).get("options_zh", "") or phrase("plan.no_resource")
            need.options_en = (spec or {}).get("options_en", "") or phrase("plan.no_resource", "en")
            continue
        rid = spec["resource"]
        if rid not in resources:
            raise PlanError(phrase("plan.unknown_resource", criterion=v.criterion, resource=rid))
        r = resources[rid]
        names = {"numerator": num, "denominator": den, "factor": ind.factor, "threshold": v.threshold,
                 "value": _indicator_value(ind, state)[0]}
        node = formula.parse(str(spec["need"]))
        for ref in formula.refs(node):
            if ref.element not in ROLE_NAMES or ref.dims:
                raise PlanError(phrase("plan.bad_formula", criterion=v.criterion, name=ref.key,
                                       names="、".join(ROLE_NAMES)))
        raw = formula.evaluate(node, lambda ref: names.get(ref.element))
        need.resource = rid
        if raw is None:
            continue
        q = round_up(raw, float(r.get("step", 1))) if r.get("round", "up") == "up" else max(0.0, raw)
        need.quantity = q
        need.status = "short" if not met else ("induced" if q > 0 else "met")
        for key, per in (spec.get("adds") or {}).items():
            if key in state:
                state[key] += q * float(per)
    return sp


def default_standard(dataset) -> str:
    stds = load_standards(dataset)
    wanted = (dataset.catalogue.plan or {}).get("default_standard")
    if wanted in stds:
        return wanted
    return next(iter(stds))


def default_target_year(std: dict, period: int) -> int:
    """The first of the standard's deadlines after the data's year, else the next year."""
    later = sorted(int(y) for y in (std.get("targets") or {}) if int(y) > period)
    return later[0] if later else period + 1


def plan_figures(std: dict, cfg: dict) -> list[tuple[str, tuple]]:
    """(code, dims) of the figures a school's plan reads: the indicators of the standard's
    criteria, the data elements a resource adds to, and those the projected scenario carries
    forward (students, entrants, graduates)."""
    wanted = [(c["indicator"], ()) for c in std.get("criteria") or []]
    for spec in (cfg.get("closes") or {}).values():
        for key in (spec or {}).get("adds") or {}:
            ref = formula.parse_ref_key(key)
            wanted.append((ref.element, ref.dims))
    wanted += [(code, ()) for code in PROJECTED]
    return list(dict.fromkeys(wanted))


def make_plan(dataset, std_id: str | None = None, scenario: str = "reported", target_year: int | None = None,
              org_code: str | None = None, period: int | None = None, engine: str | None = None,
              url: str | None = None) -> Plan:
    """The plan of every school of the unit (default the dataset's) against a standard, the
    schools' figures computed by ``engine`` (as ``standards.evaluate``)."""
    from_ = period or dataset.report_year
    if scenario not in SCENARIOS:
        raise PlanError(phrase("plan.unknown_scenario", scenario=scenario, known="、".join(SCENARIOS)))
    stds = load_standards(dataset)
    std_id = std_id or default_standard(dataset)
    std = stds[std_id]
    cfg = config(dataset.catalogue)
    target = target_year or default_target_year(std, from_)
    reg = dataset.orgs
    schools = []
    if reg is not None:
        under = org_code or dataset.org_unit.code
        orgs = [o for o in reg.schools() if o.code == under or under in reg.units_of(o.code)]
        if not orgs and under == dataset.org_unit.code:
            orgs = reg.schools()
        orgs = [o for o in orgs if o.active_in(from_)]
        if orgs:  # every school's figures computed at once, only those the plan reads
            with engines.books_of(dataset, [o.code for o in orgs], plan_figures(std, cfg), engine, url) as book_of:
                schools = [plan_school(dataset, std_id, std, o, from_, scenario, target, book_of(o.code))
                           for o in orgs]
    closes = cfg.get("closes") or {}
    crit = [c for c in std.get("criteria") or [] if c["op"] != "about"]
    crit.sort(key=lambda c: list(closes).index(c["id"]) if c["id"] in closes else len(closes))
    used = [(closes.get(c["id"]) or {}).get("resource") for c in crit]
    resources = {r: cfg["resources"][r] for r in dict.fromkeys(u for u in used if u)}
    sc = (cfg.get("scenarios") or {}).get(scenario) or {}
    if scenario == "projected":
        assumption = (phrase("plan.projected", year=from_, target=target) + (sc.get("assumption_zh") or ""),
                      phrase("plan.projected", "en", year=from_, target=target) + (sc.get("assumption_en") or ""))
    else:
        assumption = (phrase("plan.reported", year=from_), phrase("plan.reported", "en", year=from_))
    plan = Plan(std_id, std, from_, scenario, target, assumption[0], assumption[1], resources,
                unit_costs(dataset.catalogue), crit, schools)
    plan.closes = closes
    plan.notes_zh, plan.notes_en = _notes(plan, closes)
    return plan


def _notes(plan: Plan, closes: dict) -> tuple[list[str], list[str]]:
    zh, en = [plan.assumption_zh], [plan.assumption_en]
    order = [c["zh"] for c in plan.criteria if (closes.get(c["id"]) or {}).get("resource")]
    zh.append(phrase("plan.note.order", order="→".join(order)))
    en.append(phrase("plan.note.order", "en", order=" → ".join(c.get("en", c["id"]) for c in plan.criteria
                                                              if (closes.get(c["id"]) or {}).get("resource"))))
    for lang, out in (("zh", zh), ("en", en)):
        out.append(phrase("plan.note.rounding", lang))
        out.append(phrase("plan.note.no_data", lang))
    priced = [(r, plan.costs[spec["cost"]]) for r, spec in plan.resources.items()
              if spec.get("cost") in plan.costs]
    if priced:
        zh.append(phrase("plan.note.costs", costs="；".join(
            f"{c.get('zh', spec_key)} {number_text(c['value'], 2 if c['value'] % 1 else 0)}{c.get('unit_zh', '')}"
            for spec_key, c in ((plan.resources[r]["cost"], c) for r, c in priced))))
        en.append(phrase("plan.note.costs", "en", costs="; ".join(
            f"{plan.resources[r]['cost']} {c['value']:g}" for r, c in priced)))
    else:
        zh.append(phrase("plan.note.no_costs"))
        en.append(phrase("plan.note.no_costs", "en"))
    return zh, en


# -- sums by county and unit, as facts ------------------------------------------------------
# Every sum the report prints is a Fact (indicator ``plan:<standard>:<scenario>:<what>:<measure>``,
# ``what`` a criterion or a resource); its inputs are the schools, one Input a school: the
# school's quantity (or 1 for a school counted), its printed figure as ``origin``.


@dataclass
class Total:
    """A criterion's or a resource's sums over the schools of a unit."""
    what: str  # criterion id, or resource id for a resource's total
    zh: str
    resource: str
    short: Fact  # schools short of the criterion (for a resource: schools that need it)
    no_data: Fact  # schools without the figures
    quantity: Fact | None  # None for a criterion no resource closes
    money: Fact | None  # None without a unit cost
    options_zh: str = ""
    counted: float | None = None  # the quantity in the unit counted (元 of equipment), as summed


@dataclass
class PlanTotals:
    org_unit: str
    zh: str
    criteria: list[Total]
    resources: list[Total]


def _fact(plan: Plan, org_unit: str, code: str, name_zh: str, name_en: str, value: float, unit_zh: str,
          unit_en: str, decimals: int, inputs, formula_zh: str, formula_en: str) -> Fact:
    return Fact(indicator=f"plan:{plan.standard}:{plan.scenario}:{code}", dims=(), org_unit=org_unit,
                period=plan.period, value=float(value), name_zh=name_zh, name_en=name_en, unit_zh=unit_zh,
                unit_en=unit_en, style="number", decimals=decimals, kind="sum", scope="all",
                formula_zh=formula_zh, formula_en=formula_en, inputs=tuple(inputs))


def totals(plan: Plan, org_unit: str, zh: str, schools: list[SchoolPlan] | None = None) -> PlanTotals:
    """Sums over ``schools`` (default: every school the standard applies to) as facts."""
    schools = plan.applicable if schools is None else [s for s in schools if s.applicable]
    std_zh = plan.std["zh"]
    school_unit = (phrase("plan.unit.schools"), phrase("plan.unit.schools", "en"))

    def inp(s: SchoolPlan, value: float, origin: str = "") -> Input:
        return Input(ref=plan.standard, label_zh=s.zh, label_en=s.en, period=plan.period, scope="all",
                     value=float(value), origin=origin)

    def sums(what, zh_, en_, resource, pairs, status_short, options_zh=""):
        """pairs: (school, quantity or None, short?, no data?)"""
        r = plan.resources.get(resource) or {}
        short = [inp(s, 1, q_text(q, r)) for s, q, is_short, _ in pairs if is_short]
        missing = [inp(s, 1) for s, _, _, nd in pairs if nd]
        name = dict(criterion=zh_, standard=std_zh)
        name_en = dict(criterion=en_, standard=plan.std.get("en", plan.standard))
        f_short = _fact(plan, org_unit, f"{what}:{status_short}", phrase(f"plan.fact.{status_short}", **name),
                        phrase(f"plan.fact.{status_short}", "en", **name_en), len(short), *school_unit, 0, short,
                        phrase("plan.formula.count"), phrase("plan.formula.count", "en"))
        f_nd = _fact(plan, org_unit, f"{what}:no_data", phrase("plan.fact.no_data", **name),
                     phrase("plan.fact.no_data", "en", **name_en), len(missing), *school_unit, 0, missing,
                     phrase("plan.formula.count"), phrase("plan.formula.count", "en"))
        qty = money = counted = None
        if resource:
            qs = [(s, q) for s, q, _, _ in pairs if q]
            per, unit_zh, unit_en, _ = shown(r)
            qin = [inp(s, q / per, q_text(q, r)) for s, q in qs]
            total = counted = sum(q for _, q in qs)
            res_name = dict(name, resource=r.get("zh", resource))
            res_name_en = dict(name_en, resource=r.get("en", resource))
            value, decimals = shown_value(total, r)
            qty = _fact(plan, org_unit, f"{what}:quantity", phrase("plan.fact.quantity", **res_name),
                        phrase("plan.fact.quantity", "en", **res_name_en), value, unit_zh, unit_en, decimals, qin,
                        *_sum_formula(r))
            cost = plan.cost(resource)
            if cost is not None:
                money = _fact(plan, org_unit, f"{what}:money", phrase("plan.fact.money", **res_name),
                              phrase("plan.fact.money", "en", **res_name_en), total * cost / 10000,
                              phrase("plan.unit.wan"), phrase("plan.unit.wan", "en"),
                              money_decimals(total * cost / 10000),
                              [inp(s, q * cost / 10000, q_text(q, r)) for s, q in qs],
                              phrase("plan.formula.money", cost=f"{cost:g}"),
                              phrase("plan.formula.money", "en", cost=f"{cost:g}"))
        return Total(what, zh_, resource, f_short, f_nd, qty, money, options_zh, counted)

    crit_totals = []
    for c in plan.criteria:
        pairs = []
        for s in schools:
            n = s.need(c["id"])
            if n is None:
                continue
            pairs.append((s, n.quantity, n.status in ("short", "not_closable"), n.status == "no_data"))
        spec = next((n for s in schools for n in s.needs if n.criterion == c["id"]), None)
        resource = spec.resource if spec else ""
        crit_totals.append(sums(c["id"], c["zh"], c.get("en", c["id"]), resource, pairs, "short",
                                spec.options_zh if spec and not resource else ""))
    res_totals = []
    for rid, r in plan.resources.items():
        pairs = []
        for s in schools:
            ns = [n for n in s.needs if n.resource == rid]
            if not ns:
                continue
            q = s.quantity(rid)
            pairs.append((s, q, bool(q), q is None or any(n.status == "no_data" for n in ns)))
        res_totals.append(sums(rid, r.get("zh", rid), r.get("en", rid), rid, pairs, "needing"))
    return PlanTotals(org_unit, zh, crit_totals, res_totals)


def _sum_formula(resource: dict) -> tuple[str, str]:
    per, unit_zh, unit_en, _ = shown(resource)
    zh, en = phrase("plan.formula.sum"), phrase("plan.formula.sum", "en")
    if per == 1:
        return zh, en
    return (phrase("plan.formula.shown", formula=zh, unit=unit_zh, per=f"{per:g}"),
            phrase("plan.formula.shown", "en", formula=en, unit=unit_en, per=f"{per:g}"))


def q_text(q: float | None, resource: dict) -> str:
    """A school's quantity as printed: 33人, 430.81万元; 无数据 without the figures."""
    if q is None:
        return phrase("plan.status.no_data")
    value, decimals = shown_value(q, resource)
    return number_text(value, decimals) + shown(resource)[1]


def by_county(plan: Plan, dataset) -> list[PlanTotals]:
    """Sums per county (the registry's county of each school), in the order of county codes."""
    groups: dict[str, list[SchoolPlan]] = {}
    for s in plan.applicable:
        groups.setdefault(s.county, []).append(s)
    reg = dataset.orgs
    out = []
    for code in sorted(groups):
        org = reg.get(code) if reg is not None and code else None
        out.append(totals(plan, code, org.zh if org else (code or phrase("plan.no_county")), groups[code]))
    return out


def target_status(plan: Plan) -> list[dict]:
    """Per deadline of the standard (targets): the share required, the schools meeting every
    criterion in the scenario before the plan, and how many more must meet them."""
    out = []
    assessed = [s for s in plan.applicable if all(n.status != "no_data" for n in s.needs)]
    met = [s for s in assessed if all(n.status in ("met", "induced") for n in s.needs)]
    for year, share in sorted((int(y), float(v)) for y, v in (plan.std.get("targets") or {}).items()):
        required = round_up(share / 100 * len(assessed))
        out.append({"year": year, "share": share, "assessed": len(assessed), "met": len(met),
                    "required": int(required), "more": int(max(0, required - len(met)))})
    return out


@dataclass
class NeedFacts:
    need: Need
    gap: Fact | None
    quantity: Fact | None
    money: Fact | None


def need_facts(plan: Plan, school: SchoolPlan) -> list[NeedFacts]:
    """A school's gaps as facts (its own report): per criterion the gap in the criterion's unit
    (input: the school's value), the quantity of the resource and its money."""
    out = []
    for n in school.needs:
        if n.value is None:
            out.append(NeedFacts(n, None, None, None))
            continue
        name = dict(criterion=n.zh, standard=plan.std["zh"])
        name_en = dict(criterion=n.en, standard=plan.std.get("en", plan.standard))
        src = Input(ref=n.criterion, label_zh=n.zh, label_en=n.en, period=plan.period, scope="all", value=n.value)
        gap = _fact(plan, school.org_unit, f"{n.criterion}:gap", phrase("plan.fact.gap", **name),
                    phrase("plan.fact.gap", "en", **name_en), n.gap or 0.0, n.unit_zh, n.unit_zh, n.decimals, [src],
                    phrase("plan.formula.gap", threshold=f"{n.threshold:g}"),
                    phrase("plan.formula.gap", "en", threshold=f"{n.threshold:g}"))
        if n.style == "auto":
            gap = Fact(**{**gap.__dict__, "style": "auto"})
        if n.unit_zh in ("%", ":1"):
            gap = Fact(**{**gap.__dict__, "style": "number", "unit_zh": "个百分点" if n.unit_zh == "%" else "",
                          "unit_en": "points" if n.unit_zh == "%" else ""})
        qty = money = None
        if n.quantity is not None:
            r = plan.resources.get(n.resource) or {}
            rn = dict(name, resource=r.get("zh", n.resource))
            rn_en = dict(name_en, resource=r.get("en", n.resource))
            qin = Input(ref=n.criterion, label_zh=school.zh, label_en=school.en, period=plan.period, scope="all",
                        value=n.quantity)
            value, decimals = shown_value(n.quantity, r)
            _, unit_zh, unit_en, _ = shown(r)
            qty = _fact(plan, school.org_unit, f"{n.criterion}:quantity", phrase("plan.fact.quantity", **rn),
                        phrase("plan.fact.quantity", "en", **rn_en), value, unit_zh, unit_en, decimals, [src],
                        phrase("plan.formula.need", need=str(
                            ((plan_config_closes(plan).get(n.criterion) or {}).get("need", "")))),
                        phrase("plan.formula.need", "en", need=str(
                            ((plan_config_closes(plan).get(n.criterion) or {}).get("need", "")))))
            cost = plan.cost(n.resource)
            if cost is not None:
                money = _fact(plan, school.org_unit, f"{n.criterion}:money", phrase("plan.fact.money", **rn),
                              phrase("plan.fact.money", "en", **rn_en), n.quantity * cost / 10000,
                              phrase("plan.unit.wan"), phrase("plan.unit.wan", "en"),
                              money_decimals(n.quantity * cost / 10000), [qin],
                              phrase("plan.formula.money", cost=f"{cost:g}"),
                              phrase("plan.formula.money", "en", cost=f"{cost:g}"))
        out.append(NeedFacts(n, gap, qty, money))
    return out


def plan_config_closes(plan: Plan) -> dict:
    return plan.closes


def school_plan_of(plan: Plan, code: str) -> SchoolPlan | None:
    return next((s for s in plan.schools if s.org_unit == code), None)

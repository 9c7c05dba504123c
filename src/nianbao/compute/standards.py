"""Standards (办学标准): which school meets which threshold.

The standards are catalogue data (``standards.yaml``, plus a dataset's own ``standards.yaml``).
For each school and criterion: the school's value (a fact of its FactBook, so the same number
the school report prints), the threshold that applies to it, the comparison and the verdict —
a value exactly at the threshold meets it, for ≥ and for ≤ alike. A school without the figure
gets no verdict ("无数据"), not a failure. The unit above (a city) gets the count and share of
its schools meeting each criterion and all of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from nianbao.compute import engines
from nianbao.compute.aggregate import config, factbook_for
from nianbao.compute.facts import Fact, Input
from nianbao.core.formatting import number_text
from nianbao.core.messages import LIST_SEPARATOR, phrase

OPS_ZH = {">=": "≥", "<=": "≤", "about": phrase("standards.about")}
EPS = 1e-9


@dataclass
class Verdict:
    """One school against one criterion."""
    criterion: str
    zh: str
    en: str
    indicator: str
    op: str
    threshold: float
    unit_zh: str
    value: float | None
    text: str  # the school's value as printed
    met: bool | None  # None: no data, or a target shown for information
    informative: bool = False
    threshold_note: str = ""  # why another threshold applies (技工学校 …)
    fact_key: str = ""  # the key of the school's fact the value comes from
    scope: str = ""  # that fact's scope (口径)

    @property
    def verdict_zh(self) -> str:
        if self.informative:
            return phrase("standards.verdict.informative")
        return phrase("standards.verdict." + {True: "met", False: "not_met", None: "no_data"}[self.met])


@dataclass
class SchoolResult:
    standard: str
    org_unit: str
    zh: str
    period: int
    applicable: bool
    reason_zh: str = ""  # why the standard does not apply
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def met_all(self) -> bool | None:
        """True if every criterion with a verdict is met and none lacks data; False if any
        fails; None if the standard does not apply or data are missing."""
        if not self.applicable:
            return None
        counted = [v for v in self.verdicts if not v.informative]
        if any(v.met is False for v in counted):
            return False
        if any(v.met is None for v in counted):
            return None
        return True

    def to_dict(self) -> dict:
        d = asdict(self)
        d["met_all"] = self.met_all
        return d


@dataclass
class Count:
    """How many of the assessed schools meet a criterion (or all criteria)."""
    criterion: str
    zh: str
    assessed: int
    met: int
    no_data: int
    schools_met: list[str] = field(default_factory=list)
    schools_not_met: list[str] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.met * 100 / self.assessed if self.assessed else None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["share"] = self.share
        return d


@dataclass
class Summary:
    standard: str
    zh: str
    org_unit: str
    period: int
    schools: int  # schools the standard applies to
    not_applicable: list[tuple[str, str]]  # (school code, reason)
    criteria: list[Count]
    all: Count

    def to_dict(self) -> dict:
        return {"standard": self.standard, "zh": self.zh, "org_unit": self.org_unit, "period": self.period,
                "schools": self.schools, "not_applicable": [list(x) for x in self.not_applicable],
                "criteria": [c.to_dict() for c in self.criteria], "all": self.all.to_dict()}


def load_standards(dataset) -> dict[str, dict]:
    """The catalogue's standards, with those of the dataset's own standards.yaml added (a
    standard of the same id replaces the catalogue's)."""
    out = dict((dataset.catalogue.standards or {}).get("standards") or {})
    out.update(dataset.own_standards or {})
    return out


def compare(value: float, op: str, threshold: float) -> bool:
    """Whether ``value`` meets ``op threshold`` (a value at the threshold meets it)."""
    eps = EPS * max(1.0, abs(threshold))
    if op == ">=":
        return value >= threshold - eps
    if op == "<=":
        return value <= threshold + eps
    raise ValueError(f"standards.yaml: unknown comparison {op!r}")


def _threshold(criterion: dict, org) -> tuple[float, str]:
    for o in criterion.get("overrides") or []:
        if all(org.attribute(k) == v for k, v in (o.get("when") or {}).items()):
            return float(o["threshold"]), LIST_SEPARATOR["zh"].join(f"{k}={v}" for k, v in o["when"].items())
    return float(criterion["threshold"]), ""


def _applies(std: dict, org, period: int) -> tuple[bool, str]:
    rule = std.get("applies") or {}
    if org.school_type in (rule.get("exclude_school_types") or []):
        return False, phrase("standards.not_applicable.school_type", school_type=org.school_type)
    start = rule.get("exclude_founded_from")
    if start and org.founded and org.founded >= int(start):
        return False, phrase("standards.not_applicable.founded", founded=org.founded, start=start)
    return True, ""


def _unit(ind) -> str:
    return {"percent": "%", "x1": ":1"}.get(ind.style, ind.unit_zh)


def evaluate_school(dataset, std_id: str, std: dict, org, period: int, book=None) -> SchoolResult:
    ok, reason = _applies(std, org, period)
    res = SchoolResult(standard=std_id, org_unit=org.code, zh=org.zh, period=period, applicable=ok, reason_zh=reason)
    if not ok:
        return res
    book = book or factbook_for(dataset, org.code)
    cat = dataset.catalogue
    for c in std.get("criteria") or []:
        types = c.get("school_types")
        if types and org.school_type not in types:
            continue
        threshold, note = _threshold(c, org)
        fact = book.get(c["indicator"], period)
        ind = cat.indicator(c["indicator"])
        informative = c["op"] == "about"
        value = fact.value if fact is not None else None
        met = None if (value is None or informative) else compare(value, c["op"], threshold)
        res.verdicts.append(Verdict(
            criterion=c["id"], zh=c["zh"], en=c.get("en", ""), indicator=c["indicator"], op=c["op"],
            threshold=threshold, unit_zh=_unit(ind), value=value,
            text=fact.text_with_unit if fact is not None else "", met=met, informative=informative,
            threshold_note=note, fact_key=fact.key if fact is not None else "",
            scope=fact.scope if fact is not None else ""))
    return res


def evaluate(dataset, period: int | None = None, standard: str | None = None,
             org_code: str | None = None, engine: str | None = None, url: str | None = None) -> list[SchoolResult]:
    """Every school (active in ``period``, below ``org_code`` — default the dataset's unit)
    against every standard (or the one named). The schools' values are computed by ``engine``
    (default: the dataset's, else DuckDB), all schools at once, and of each school only the
    figures its criteria's indicators are computed from; every engine gives the same verdicts."""
    period = period or dataset.report_year
    stds = load_standards(dataset)
    if standard is not None:
        if standard not in stds:
            raise KeyError(standard)
        stds = {standard: stds[standard]}
    reg = dataset.orgs
    if reg is None:
        return []
    under = org_code or dataset.org_unit.code
    schools = [o for o in reg.schools() if o.code == under or under in reg.units_of(o.code)]
    if not schools and under == dataset.org_unit.code:
        schools = reg.schools()  # a registry that does not name the dataset's own unit
    schools = [o for o in schools if o.active_in(period)]
    if not schools:
        return []
    by_std: dict[str, list[SchoolResult]] = {std_id: [] for std_id in stds}
    wanted = list(dict.fromkeys((c["indicator"], ()) for std in stds.values() for c in std.get("criteria") or []))
    with engines.books_of(dataset, [o.code for o in schools], wanted, engine, url) as book_of:
        for org in schools:  # a school's facts made once for every standard, then let go
            book = book_of(org.code)
            for std_id, std in stds.items():
                by_std[std_id].append(evaluate_school(dataset, std_id, std, org, period, book))
    return [r for results in by_std.values() for r in results]


def summarize(dataset, results: list[SchoolResult], org_code: str | None = None) -> list[Summary]:
    """Per standard: how many schools meet each criterion and all of them."""
    stds = load_standards(dataset)
    org_code = org_code or dataset.org_unit.code
    out = []
    for std_id in dict.fromkeys(r.standard for r in results):
        rs = [r for r in results if r.standard == std_id]
        applicable = [r for r in rs if r.applicable]
        counts = []
        for c in stds[std_id].get("criteria") or []:
            if c["op"] == "about":
                continue
            vs = [(r, v) for r in applicable for v in r.verdicts if v.criterion == c["id"]]
            counts.append(Count(
                criterion=c["id"], zh=c["zh"], assessed=sum(1 for _, v in vs if v.met is not None),
                met=sum(1 for _, v in vs if v.met), no_data=sum(1 for _, v in vs if v.met is None),
                schools_met=[r.org_unit for r, v in vs if v.met],
                schools_not_met=[r.org_unit for r, v in vs if v.met is False]))
        all_ = Count(criterion="all", zh=phrase("standards.all"), assessed=sum(1 for r in applicable if r.met_all is not None),
                     met=sum(1 for r in applicable if r.met_all), no_data=sum(1 for r in applicable if r.met_all is None),
                     schools_met=[r.org_unit for r in applicable if r.met_all],
                     schools_not_met=[r.org_unit for r in applicable if r.met_all is False])
        out.append(Summary(standard=std_id, zh=stds[std_id]["zh"], org_unit=org_code,
                           period=rs[0].period if rs else 0, schools=len(applicable),
                           not_applicable=[(r.org_unit, r.reason_zh) for r in rs if not r.applicable],
                           criteria=counts, all=all_))
    return out


def threshold_text(v: Verdict) -> str:
    """“≥ 1200人”, “≤ 20:1”, “约 20%”."""
    return limit_text(v.op, v.threshold, v.unit_zh)


def limit_text(op: str, threshold: float, unit_zh: str) -> str:
    num = number_text(threshold, 0) if float(threshold).is_integer() else f"{threshold:g}"
    return f"{OPS_ZH.get(op, op)} {num}{unit_zh}"


def criterion_limits(criterion: dict, catalogue) -> tuple[str, list[tuple[dict, str]]]:
    """The threshold of a criterion as printed, and its overrides as (when, threshold text)."""
    unit = _unit(catalogue.indicator(criterion["indicator"]))
    base = limit_text(criterion["op"], float(criterion["threshold"]), unit)
    return base, [(o.get("when") or {}, limit_text(criterion["op"], float(o["threshold"]), unit))
                  for o in criterion.get("overrides") or []]


# -- a unit's counts as facts (the city report's 达标情况) -----------------------------------
# Every count and share a report prints is a Fact with an indicator code of its own
# (``standard:<standard>:<criterion>:<measure>``, criterion ``all`` for every criterion at once),
# so each has a stable key; its inputs are the schools behind it, one Input per school: value 1
# for a school that meets the criterion (or is counted), 0 for one that does not, the school's
# figure as ``origin`` and the key of the school's fact as ``source``.
MEASURES = {m: (phrase(f"standards.measure.{m}"), phrase(f"standards.measure.{m}", "en"))
            for m in ("assessed", "met", "share", "no_data")}
ALL = "all"


def fact_code(std_id: str, criterion: str, measure: str) -> str:
    return f"standard:{std_id}:{criterion}:{measure}"


def fact_group(fact: Fact) -> tuple[str, str, str] | None:
    """For a count or share of a standard: (the criterion's code, its name, the measure's name),
    so that the appendix lists the figures of one criterion together; None for other facts."""
    if fact.kind not in ("count", "share") or not fact.indicator.startswith("standard:"):
        return None
    base, measure = fact.indicator.rsplit(":", 1)
    zh = MEASURES[measure][0]
    return base, fact.name_zh.replace(zh + "（", "（", 1), zh


@dataclass
class Row:
    """One row of a unit's standards table: a criterion (or ``all``) and its printed figures."""
    criterion: str
    zh: str
    limit: str  # the threshold as printed (empty for ``all``)
    assessed: Fact
    met: Fact
    no_data: Fact
    share: Fact | None  # None when no school could be assessed
    spec: dict = field(default_factory=dict)  # the criterion as standards.yaml gives it
    overrides: list[tuple[dict, str]] = field(default_factory=list)  # (when, threshold text)


@dataclass
class Attainment:
    """A standard across the schools of a unit: one row per criterion, then ``all``."""
    standard: str
    std: dict
    period: int
    scope: str
    results: list[SchoolResult]
    rows: list[Row]

    @property
    def applicable(self) -> list[SchoolResult]:
        return [r for r in self.results if r.applicable]

    @property
    def not_applicable(self) -> list[SchoolResult]:
        return [r for r in self.results if not r.applicable]

    @property
    def all(self) -> Row:
        return self.rows[-1]

    @property
    def criteria(self) -> list[Row]:
        return self.rows[:-1]


def standard_scope(dataset, std: dict) -> str:
    """The scope (口径) of a standard's counts: the aggregation scope (aggregation.yaml) that
    leaves out the most of the school types the standard leaves out — 设置标准, which leaves
    out 技工学校, counts in ``excl_technical``."""
    excluded = set((std.get("applies") or {}).get("exclude_school_types") or [])
    best, size = "all", -1
    for code, rule in (config(dataset.catalogue).get("scopes") or {}).items():
        types = set((rule or {}).get("exclude_school_types") or [])
        if types <= excluded and len(types) > size:
            best, size = code, len(types)
    return best


def attainment(dataset, std_id: str, org_code: str | None = None, period: int | None = None) -> Attainment | None:
    """The count and share of the unit's schools meeting each criterion of a standard and all
    of them, as facts. None when the dataset has no registry of schools (orgs.csv) or none of
    its schools is active in the period."""
    std = load_standards(dataset)[std_id]
    period = period or dataset.report_year
    org_code = org_code or dataset.org_unit.code
    results = evaluate(dataset, period, std_id, org_code)
    if not results:
        return None
    scope = standard_scope(dataset, std)
    reg = dataset.orgs

    def label_en(r):
        org = reg.get(r.org_unit) if reg is not None else None
        return (org.en if org is not None else "") or r.zh

    def make(criterion, measure, name_zh, name_en, inputs, value, formula_zh, formula_en, num=None, den=None):
        zh, en = MEASURES[measure]
        share = measure == "share"
        return Fact(indicator=fact_code(std_id, criterion, measure), dims=(), org_unit=org_code, period=period,
                    value=float(value),
                    name_zh=phrase("standards.fact_name", criterion=name_zh, measure=zh, standard=std["zh"]),
                    name_en=phrase("standards.fact_name", "en", criterion=name_en, measure=en,
                                   standard=std.get("en", std_id)),
                    unit_zh="%" if share else phrase("standards.unit"),
                    unit_en="%" if share else phrase("standards.unit", "en"), style="percent" if share else "number",
                    decimals=2 if share else 0, kind="share" if share else "count", scope=scope,
                    numerator=None if num is None else float(num), denominator=None if den is None else float(den),
                    factor=100.0 if share else 1.0, formula_zh=formula_zh, formula_en=formula_en,
                    inputs=tuple(inputs))

    def row(criterion, zh, en, limit, judged, missing, how_zh, how_en, spec=None, overrides=()):
        met = sum(1 for i in judged if i.value)
        n = len(judged)
        share = make(criterion, "share", zh, en, judged, met * 100 / n, phrase("standards.share_formula", met=met, n=n),
                     phrase("standards.share_formula", "en", met=met, n=n), met, n) if n else None
        return Row(criterion, zh, limit,
                   assessed=make(criterion, "assessed", zh, en, judged, n, how_zh[0], how_en[0]),
                   met=make(criterion, "met", zh, en, judged, met, how_zh[1], how_en[1]),
                   no_data=make(criterion, "no_data", zh, en, missing, len(missing), how_zh[2], how_en[2]),
                   share=share, spec=spec or {}, overrides=list(overrides))

    applicable = [r for r in results if r.applicable]
    rows = []
    for c in std.get("criteria") or []:
        if c["op"] == "about":
            continue
        base, overrides = criterion_limits(c, dataset.catalogue)
        vs = [(r, v) for r in applicable for v in r.verdicts if v.criterion == c["id"]]
        judged = [Input(ref=v.indicator, label_zh=r.zh, label_en=label_en(r), period=period, scope=v.scope,
                        value=1.0 if v.met else 0.0, source=v.fact_key, origin=v.text)
                  for r, v in vs if v.met is not None]
        missing = [Input(ref=v.indicator, label_zh=r.zh, label_en=label_en(r), period=period, scope=scope,
                         value=1.0) for r, v in vs if v.met is None]
        name = c["zh"]
        how = {lang: tuple(phrase(f"standards.how.{m}", lang, name=name if lang == "zh" else c.get("en", c["id"]),
                                  limit=base) for m in ("assessed", "met", "no_data")) for lang in ("zh", "en")}
        rows.append(row(c["id"], name, c.get("en", c["id"]), base, judged, missing, how["zh"], how["en"], c,
                        overrides))
    judged, missing = [], []
    for r in applicable:
        counted = [v for v in r.verdicts if not v.informative]
        unmet = LIST_SEPARATOR["zh"].join(v.zh for v in counted if v.met is False)
        lacking = [v.zh for v in counted if v.met is None]
        if r.met_all is None:
            missing.append(Input(ref=std_id, label_zh=r.zh, label_en=label_en(r), period=period, scope=scope,
                                 value=1.0, origin=phrase("standards.lacking", items=lacking)))
        else:
            judged.append(Input(ref=std_id, label_zh=r.zh, label_en=label_en(r), period=period, scope=scope,
                                value=1.0 if r.met_all else 0.0, origin=unmet))
    how = {lang: tuple(phrase(f"standards.how_all.{m}", lang) for m in ("assessed", "met", "no_data"))
           for lang in ("zh", "en")}
    rows.append(row(ALL, phrase("standards.all"), phrase("standards.all", "en"), "", judged, missing, how["zh"],
                    how["en"]))
    return Attainment(std_id, std, period, scope, results, rows)


def count_inputs_text(fact: Fact) -> str:
    """The schools behind a count or share, as the appendix and tooltips show them: the smaller
    of the groups meeting and not meeting the criterion by name (with each school's figure),
    the other by number — 达标（1所）：甲校（1200人）；其余30所未达标."""
    def names(inputs):
        return [phrase("standards.school_figure", school=i.label_zh, figure=i.origin) if i.origin else i.label_zh
                for i in inputs]

    if not fact.inputs:
        return phrase("standards.no_school")
    if fact.indicator.endswith(":no_data"):
        return phrase("standards.schools_without_data", n=len(fact.inputs), schools=names(fact.inputs))
    met = [i for i in fact.inputs if i.value]
    unmet = [i for i in fact.inputs if not i.value]
    (title, listed), (other, rest) = sorted(((phrase("standards.verdict.met"), met),
                                             (phrase("standards.verdict.not_met"), unmet)), key=lambda g: len(g[1]))
    parts = [phrase("standards.group", verdict=title, n=len(listed), schools=names(listed)) if listed
             else phrase("standards.group_empty", verdict=title)]
    if rest:
        parts.append(phrase("standards.rest", n=len(rest), verdict=other))
    return phrase("standards.separator").join(parts)

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
from pathlib import Path

import yaml

from nianbao.compute.aggregate import factbook_for
from nianbao.compute.formatting import number_text

OPS_ZH = {">=": "≥", "<=": "≤", "about": "约"}
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

    @property
    def verdict_zh(self) -> str:
        if self.informative:
            return "参考"
        return {True: "达标", False: "未达标", None: "无数据"}[self.met]


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
    own = Path(dataset.path) / "standards.yaml"
    if own.exists():
        out.update((yaml.safe_load(own.read_text(encoding="utf-8")) or {}).get("standards") or {})
    return out


def _compare(value: float, op: str, threshold: float) -> bool:
    eps = EPS * max(1.0, abs(threshold))
    if op == ">=":
        return value >= threshold - eps
    if op == "<=":
        return value <= threshold + eps
    raise ValueError(f"standards.yaml: unknown comparison {op!r}")


def _threshold(criterion: dict, org) -> tuple[float, str]:
    for o in criterion.get("overrides") or []:
        if all(org.attribute(k) == v for k, v in (o.get("when") or {}).items()):
            return float(o["threshold"]), "、".join(f"{k}={v}" for k, v in o["when"].items())
    return float(criterion["threshold"]), ""


def _applies(std: dict, org, period: int) -> tuple[bool, str]:
    rule = std.get("applies") or {}
    if org.school_type in (rule.get("exclude_school_types") or []):
        return False, f"学校类别（{org.school_type}）不适用"
    start = rule.get("exclude_founded_from")
    if start and org.founded and org.founded >= int(start):
        return False, f"{org.founded}年设立，不在范围内（{start}年及以后设立的学校除外）"
    return True, ""


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
        met = None if (value is None or informative) else _compare(value, c["op"], threshold)
        res.verdicts.append(Verdict(
            criterion=c["id"], zh=c["zh"], en=c.get("en", ""), indicator=c["indicator"], op=c["op"],
            threshold=threshold, unit_zh={"percent": "%", "x1": ":1"}.get(ind.style, ind.unit_zh), value=value,
            text=fact.text_with_unit if fact is not None else "", met=met, informative=informative,
            threshold_note=note))
    return res


def evaluate(dataset, period: int | None = None, standard: str | None = None,
             org_code: str | None = None) -> list[SchoolResult]:
    """Every school (active in ``period``, below ``org_code`` — default the dataset's unit)
    against every standard (or the one named)."""
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
    out = []
    books = {}
    for std_id, std in stds.items():
        for org in schools:
            if org.code not in books:
                books[org.code] = factbook_for(dataset, org.code)
            out.append(evaluate_school(dataset, std_id, std, org, period, books[org.code]))
    return out


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
        all_ = Count(criterion="all", zh="全部指标", assessed=sum(1 for r in applicable if r.met_all is not None),
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
    num = number_text(v.threshold, 0) if float(v.threshold).is_integer() else f"{v.threshold:g}"
    return f"{OPS_ZH.get(v.op, v.op)} {num}{v.unit_zh}"

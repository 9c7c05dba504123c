"""The registry of organisation units (机构): province → city → county → school.

``orgs.csv`` in a dataset folder, one unit a row:

    code, zh, en, level, parent, county, affiliation, ownership, school_type, founded, status,
    closed[, profile]

``code`` is text everywhere: GB/T 2260 six-digit codes for areas, the ten-digit 学校标识码 for
schools (leading zeros kept; never converted to a number). ``parent`` is the unit above; for a
school it is usually its county, but a school run by the city may name the city as parent and
give its location in ``county``. ``affiliation`` (省属/市属/县属), ``ownership`` (公办/民办) and
``school_type`` take the category codes of dimensions.yaml. ``profile`` is optional and names a
school's profile where a standard sets different thresholds (e.g. engineering_medical).
Merged and closed schools stay in the registry with their status and the year they closed, so
history keeps its figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.core.findings import Finding, Location
from nianbao.core.messages import finding

LEVELS = ("province", "city", "county", "school")
LEVEL_ZH = {"province": "省", "city": "市", "county": "县（区）", "school": "学校"}
STATUSES = ("active", "merged", "closed")
COLUMNS = ("code", "zh", "en", "level", "parent", "county", "affiliation", "ownership", "school_type",
           "founded", "status", "closed", "profile")
# registry attributes checked against the dimension of the same name in dimensions.yaml
CATEGORY_COLUMNS = ("affiliation", "ownership", "school_type")
# school types of units summed in students and teachers but never counted as schools (the MoE
# tables count 附设中职班 and 其他中职机构 apart from the schools); dimensions.yaml marks them
# ``school: false``, this is the default for a catalogue that does not
NOT_SCHOOL_TYPES = ("attached_class", "other_institution")
# the category of a unit whose attribute is blank or not in the catalogue: shown as unknown
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Org:
    code: str
    zh: str
    en: str
    level: str
    parent: str = ""
    county: str = ""  # GB/T 2260 code of the county (schools)
    affiliation: str = ""  # provincial / municipal / county
    ownership: str = ""  # public / private
    school_type: str = ""  # regular_specialized / vocational_high / adult_specialized / technical /
    # attached_class / other_institution
    founded: int | None = None
    status: str = "active"  # active / merged / closed
    closed: int | None = None  # year it stopped operating
    profile: str = ""  # optional: engineering_medical, arts, remote … (standards may differ)

    @property
    def counts_as_school(self) -> bool:
        """附设中职班 and 其他中职机构 are counted in students and teachers but not as schools;
        a unit whose school type is blank is not counted as a school either (its type is
        unknown). :func:`counts_as_school` also leaves out a type the catalogue does not know."""
        return self.level == "school" and bool(self.school_type) and self.school_type not in NOT_SCHOOL_TYPES

    @property
    def is_technical(self) -> bool:
        return self.school_type == "technical"

    def active_in(self, year: int) -> bool:
        if self.founded and year < self.founded:
            return False
        return not (self.closed and year >= self.closed)

    def attribute(self, name: str) -> str:
        return getattr(self, name, "") or ""


def school_types(catalogue) -> tuple[set[str], set[str]]:
    """(school types counted as schools, every school type) of a catalogue's ``school_type``
    dimension; types marked ``school: false`` are units that are not schools."""
    cats = ((getattr(catalogue, "dimensions", None) or {}).get("school_type") or {}).get("categories") or {}
    if not cats:
        return set(), set()
    counted = {c for c, meta in cats.items()
               if (meta or {}).get("school", c not in NOT_SCHOOL_TYPES) is not False}
    return counted, set(cats)


def counts_as_school(org: Org, catalogue=None) -> bool:
    """Whether a unit counts as a school: of level school, of a school type the catalogue counts
    as schools (blank or unknown types are not counted: they are shown as unknown)."""
    if not org.counts_as_school:
        return False
    counted, known = school_types(catalogue)
    return not known or org.school_type in counted


def category_of(org: Org, column: str, catalogue=None) -> str:
    """A unit's category in a registry column, or ``unknown`` when it is blank or not a category
    of the catalogue's dimension of that name."""
    value = org.attribute(column)
    cats = ((getattr(catalogue, "dimensions", None) or {}).get(column) or {}).get("categories") or {}
    if not value or (cats and value not in cats):
        return UNKNOWN
    return value


class Registry:
    def __init__(self, orgs: list[Org]):
        self.orgs = {o.code: o for o in orgs}
        self._children: dict[str, list[Org]] = {}
        for o in self.orgs.values():
            self._children.setdefault(o.parent, []).append(o)
        self._ancestors: dict[str, list[str]] = {}
        self._units: dict[str, tuple[str, ...]] = {}
        self._chains: dict[tuple, tuple[str, ...]] = {}  # (county, parent) → units_of

    def __iter__(self):
        return iter(self.orgs.values())

    def __len__(self) -> int:
        return len(self.orgs)

    def __contains__(self, code: str) -> bool:
        return code in self.orgs

    def get(self, code: str) -> Org | None:
        return self.orgs.get(code)

    def children(self, code: str) -> list[Org]:
        return sorted(self._children.get(code, []), key=lambda o: o.code)

    def at_level(self, level: str) -> list[Org]:
        return sorted((o for o in self.orgs.values() if o.level == level), key=lambda o: o.code)

    def ancestors(self, code: str) -> list[str]:
        """Codes of the units above ``code`` along ``parent``, nearest first."""
        if code not in self._ancestors:
            out, seen = [], {code}
            o = self.orgs.get(code)
            while o and o.parent and o.parent not in seen:
                above = self._ancestors.get(o.parent)
                if above is not None and seen.isdisjoint(above):  # the parent's chain, walked before
                    out.append(o.parent)
                    out += above
                    break
                out.append(o.parent)
                seen.add(o.parent)
                o = self.orgs.get(o.parent)
            self._ancestors[code] = out
        return self._ancestors[code]

    def county_of(self, code: str) -> str:
        """The county a school is in: its ``county`` column, else its nearest county ancestor."""
        o = self.orgs.get(code)
        if o is None:
            return ""
        if o.county:
            return o.county
        return next((a for a in self.ancestors(code) if self.orgs[a].level == "county"), "")

    def units_of(self, code: str) -> tuple[str, ...]:
        """Every registered unit whose aggregate includes this school: its county and all units
        above the school or above its county (nearest first, each once)."""
        got = self._units.get(code)
        if got is None:
            county = self.county_of(code)
            o = self.orgs.get(code)
            # the schools of one parent and county share their units (unless a loop of parents
            # passes through the school itself)
            key = (county, o.parent if o is not None else None)
            got = self._chains.get(key)
            if got is None or code in got:
                out: list[str] = []
                chain = ([county] + self.ancestors(county) if county in self.orgs else []) + self.ancestors(code)
                for unit in chain:  # a parent named but not registered still gets its aggregate
                    if unit not in out:
                        out.append(unit)
                got = tuple(out)
                if code not in got:
                    self._chains[key] = got
            self._units[code] = got
        return got

    def schools(self, under: str | None = None) -> list[Org]:
        """Schools (and 附设中职班) below ``under`` — through parent or county — or all schools."""
        out = [o for o in self.orgs.values() if o.level == "school"
               and (under is None or under in self.units_of(o.code))]
        return sorted(out, key=lambda o: o.code)

    def validate(self, catalogue=None) -> list[Finding]:
        """Problems that do not stop reading the registry: unknown parents or counties, schools
        without a county, categories that are not in dimensions.yaml."""
        out: list[Finding] = []
        dims = catalogue.dimensions if catalogue is not None else {}
        for o in self.orgs.values():
            names = {"name": o.zh, "name_en": o.en or o.zh}
            if o.parent and o.parent not in self.orgs:
                out.append(org_finding("orgs.unknown_parent", o.code, text={**names, "parent": o.parent}))
            if o.level != "school":
                continue
            if o.county and o.county not in self.orgs:
                out.append(org_finding("orgs.unknown_county", o.code, text={**names, "county": o.county}))
            for col in CATEGORY_COLUMNS:
                value = o.attribute(col)
                cats = (dims.get(col) or {}).get("categories") or {}
                text = {**names, "column": col, "column_zh": (dims.get(col) or {}).get("zh", col),
                        "choices": list(cats), "value": value}
                if not value:
                    out.append(org_finding("orgs.missing_category", o.code, text=text))
                elif cats and value not in cats:
                    out.append(org_finding("orgs.bad_category", o.code, text=text))
        return out


def org_finding(key, org_code="", file="orgs.csv", cell="", text=None, **values) -> Finding:
    """A finding about the registry (code ``orgs.*`` of the error catalogue)."""
    return finding(key, Location(file=file, cell=cell), org_unit=org_code, text=text, **values)



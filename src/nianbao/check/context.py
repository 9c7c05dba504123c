"""What every kind of rule works on: the observations of each org unit, indexed once, and the
names of elements and scopes in both languages.

Observations are indexed once per org unit; each rule then looks figures up by key, so the cost
grows with the number of observations, not with rules × observations.
"""

from __future__ import annotations

from collections import defaultdict

from nianbao.compute import scopes
from nianbao.core import formula


class OrgData:
    """The observations of one org unit, indexed the ways the rules need them."""

    def __init__(self, org: str, table: dict):
        self.org = org
        self.table = table  # (element, dims, period, scope) -> observation
        self.combos: set[tuple[int, str]] = {(k[2], k[3]) for k in table}  # (period, scope)
        self.elements: set[str] = {k[0] for k in table}
        self.scopes: set[str] = {s for _, s in self.combos}
        self.combos_sorted = sorted(self.combos)
        self._by_eps = None

    @property
    def observations(self) -> list:
        return list(self.table.values())

    @property
    def by_eps(self) -> dict[tuple, dict[str, object]]:
        """(element, dims, period) -> scope -> observation."""
        if self._by_eps is None:
            self._by_eps = defaultdict(dict)
            for (element, dims, period, scope), o in self.table.items():
                self._by_eps[(element, dims, period)][scope] = o
        return self._by_eps


def index_orgs(observations) -> dict[str, OrgData]:
    """Observations indexed once, per org unit."""
    tables: dict[str, dict] = defaultdict(dict)
    for o in observations:
        tables[o.org_unit][(o.element, o.dims, o.period, o.scope)] = o
    return {org: OrgData(org, table) for org, table in sorted(tables.items())}


class Context:
    """The dataset being checked, its catalogue and rule book, its org units' figures and the
    labels the messages need (cached: the same element is named in many findings)."""

    def __init__(self, dataset, book, orgs: dict[str, OrgData] | None = None):
        self.dataset = dataset
        self.catalogue = dataset.catalogue
        self.book = book
        self._orgs = orgs
        self.units: set[str] | None = None  # only these units' figures are indexed (None: every unit's)
        self.engine: str | None = None  # where the figures of units above the schools are summed (compute.engines)
        self.url: str | None = None
        self._labels: dict[tuple, tuple[str, str]] = {}
        self._technical: bool | None = None

    @property
    def orgs(self) -> dict[str, OrgData]:
        """The observations of each org unit, indexed on first use (the compiled rules need no index)."""
        if self._orgs is None:
            self._orgs = index_orgs(self.dataset.observations if self.units is None
                                    else self.dataset.observations_of(self.units))
        return self._orgs

    def label(self, element: str, dims=()) -> tuple[str, str]:
        """The name of an element (with its categories) in Chinese and English."""
        key = (element, dims)
        if key not in self._labels:
            ref = formula.Ref(element, tuple(dims))
            self._labels[key] = (self.catalogue.ref_label(ref, "zh"), self.catalogue.ref_label(ref, "en"))
        return self._labels[key]

    def scope_text(self, scope: str, name: str = "scope") -> dict[str, str]:
        """{scope: 不含技工学校, scope_en: technical schools excluded} for a message; 全口径 says
        含技工学校 only where the dataset tells 技工学校 apart."""
        if scope == "all" and not self.distinguishes_technical:
            return {name: self.book.phrase("scope_all_plain", "zh"), f"{name}_en": self.book.phrase("scope_all_plain", "en")}
        return {name: self.catalogue.scope_label(scope, "zh"), f"{name}_en": self.catalogue.scope_label(scope, "en")}

    @property
    def distinguishes_technical(self) -> bool:
        if self._technical is None:
            self._technical = scopes.distinguishes_technical(self.dataset.observations, self.dataset.orgs)
        return self._technical

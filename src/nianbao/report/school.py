"""School reports (学校年报): what a school's report adds to the common machinery.

- ``Area``: the unit a school is compared with (the dataset's own unit, usually the city): its
  FactBook — figures summed over all its schools, ratios recomputed from the sums — and the
  FactBooks of its schools, from which a school's rank (名次) is computed. A rank is a fact of
  kind ``rank``: its value is the place, its denominator the number of schools ranked and its
  inputs the value of every school, so the appendix and the HTML tooltip show how it came about.
- the comparison table (本校 / area / rank), the standards table (value, threshold, verdict) and
  the sentence naming the criteria a school does not meet (nianbao.compute.standards).
- the names a school's sentences may use ({county}, {school_type}, {founded} …).

Orders and wording are outline data (outline.yaml, the school outline's ``ranks``,
``verdicts`` and ``profiles``).
"""

from __future__ import annotations

from nianbao.compute import engines
from nianbao.compute.facts import Fact, Input
from nianbao.report.runs import Run, figure, text
from nianbao.report.wording import Wording

ORDERS = ("desc", "asc")  # highest first, lowest first (outline.yaml phrases ``rank_order``)


def school_names(dataset, org) -> dict[str, str]:
    """Names a school outline's templates can use, besides {org} and {year}."""
    cat = dataset.catalogue
    reg = dataset.orgs

    def label(dim: str, lang: str = "zh") -> str:
        code = org.attribute(dim)
        cats = (cat.dimensions.get(dim) or {}).get("categories") or {}
        return (cats.get(code) or {}).get(lang, "") if code else ""

    county = reg.get(reg.county_of(org.code)) if reg is not None else None
    names = {"org": org.zh, "org_en": org.en or org.zh, "publisher": org.zh, "publisher_en": org.en or org.zh,
             "area": dataset.org_unit.zh, "area_en": dataset.org_unit.en or dataset.org_unit.zh,
             "county": county.zh if county else "", "school_code": org.code,
             "founded": str(org.founded) if org.founded else ""}
    for dim in ("affiliation", "ownership", "school_type"):
        names[dim] = label(dim)
        names[dim + "_en"] = label(dim, "en")
    return {k: v for k, v in names.items() if v}


class Area:
    """The unit a school report compares with, and the schools it ranks a school among."""

    def __init__(self, dataset):
        self.ds = dataset
        self.code = dataset.org_unit.code
        self.zh = dataset.org_unit.zh
        self.en = dataset.org_unit.en or dataset.org_unit.zh
        reg = dataset.orgs
        peers = reg.schools(under=self.code) if reg is not None else []
        if not peers and reg is not None:
            peers = reg.schools()  # a registry that does not name the dataset's own unit
        self.peers = [o for o in peers if o.counts_as_school]
        self._units = [self.code] + [o.code for o in peers]  # the schools of the area, counted or not
        self._books: dict | None = None
        self.book = self.book_of(self.code)

    def book_of(self, code: str):
        """The FactBook of the area or one of its schools: the area's and all its schools' made
        at once and kept on the dataset (the reports of all schools share them)."""
        if self._books is None:
            self._books = engines.factbooks(self.ds, self._units)
        book = self._books.get(code)
        return book if book is not None else engines.factbooks(self.ds, [code])[code]

    def schools_in(self, period: int) -> list:
        return [o for o in self.peers if o.active_in(period)]

    def rank(self, org, code: str, period: int, dims=(), scope=None, order: str = "desc") -> Fact | None:
        """The place of ``org`` among the area's schools that have the figure, by printed
        (rounded) value, ``desc`` highest first; equal values share a place (1, 2, 2, 4)."""
        if order not in ORDERS:
            raise ValueError(f"outline.yaml ranks: order must be desc or asc, not {order!r}")
        own = self.book_of(org.code).get(code, period, dims, scope)
        if own is None or org.code not in {o.code for o in self.schools_in(period)}:
            return None
        sign = -1 if order == "desc" else 1
        entries = []
        for o in self.schools_in(period):
            f = self.book_of(o.code).get(code, period, dims, scope)
            if f is not None:
                entries.append((o, f))
        entries.sort(key=lambda e: (sign * e[1].rounded, e[0].code))
        place = 1 + sum(1 for _, f in entries if sign * f.rounded < sign * own.rounded)
        w = Wording.of(self.ds.catalogue)
        inputs = tuple(Input(ref=f.ref, label_zh=o.zh, label_en=o.en or o.zh, period=period, scope=f.scope,
                             value=f.value, source=f.key, origin=f.text_with_unit) for o, f in entries)
        return Fact(indicator=own.indicator, dims=own.dims, org_unit=org.code, period=period, value=float(place),
                    name_zh=w("rank.name", name=own.name_zh, area=self.zh),
                    name_en=w.en("rank.name", name=own.name_en, area=self.en),
                    unit_zh="", unit_en="", style="number", decimals=0, kind="rank", scope=own.scope,
                    numerator=float(place), denominator=float(len(entries)),
                    formula_zh=w("rank.formula", area=self.zh, name=own.name_zh, order=w("rank_order." + order)),
                    formula_en=w.en("rank.formula", area=self.en, name=own.name_en, order=w.en("rank_order." + order)),
                    inputs=inputs)


def rank_runs(rank: Fact) -> list[Run]:
    """“3/34”: the place (a figure) and the number of schools ranked (words of the same fact)."""
    return [figure(rank), text(f"/{int(rank.denominator)}", rank)]


def rank_inputs_text(fact: Fact, words: Wording) -> str:
    """The schools behind a rank, in order, as the appendix and tooltips show them."""
    listed = words.join(f"{i.label_zh} {i.origin}" for i in fact.inputs)
    return words("rank.inputs", n=int(fact.denominator), schools=listed)


def profile_label(note: str, outline: dict, catalogue, words: Wording) -> str:
    """Why another threshold applies (``school_type=technical`` → 技工学校), from the catalogue's
    dimension labels and the outline's ``profiles``."""
    labels = []
    for part in filter(None, note.split(words("list_sep"))):
        key, _, value = part.partition("=")
        cats = (catalogue.dimensions.get(key) or {}).get("categories") or {}
        label = (cats.get(value) or {}).get("zh") or (outline.get("profiles") or {}).get(value) or value
        labels.append(label)
    return words.join(labels)

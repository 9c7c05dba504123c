"""Sentence templates (句子模板) rendered from facts.

A template is text with placeholders (syntax in outline.yaml's header)::

    {code}  {code[dim=cat]}  {code#scope}  {code@-1}  {code@2019}
    {code|change}  {code|plain}  {code|name}  {code|period}  {code|scope}
    {org} {org_en} {year} {first_year} {last_year} {publisher} {publisher_en}

In a school report also: {code|area} the figure of the school's area (the dataset's unit: all
its schools summed), {code|rank} the school's place among the area's schools and
{code|ranked} how many schools were ranked; {area} {county} {school_type} {founded} … (names).

The result is a list of runs: words, and figures that carry their fact. A placeholder without
data is an error that names it; it never prints as empty text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.catalogue import CatalogueError
from nianbao.compute.facts import Fact, FactBook
from nianbao.core import formula
from nianbao.core.messages import finding
from nianbao.report import phrases
from nianbao.report.runs import Run, figure, joined, text
from nianbao.report.wording import Wording

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SPEC = re.compile(
    r"^(?P<code>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?:\[(?P<dims>[^\]]*)\])?"
    r"(?:#(?P<scope>[A-Za-z_][A-Za-z0-9_]*))?"
    r"(?:@(?P<period>[+-]?\d+))?"
    r"(?:\|(?P<filter>[a-z]+))?$")
FILTERS = ("value", "change", "plain", "name", "period", "scope", "area", "rank", "ranked")
SCHOOL_FILTERS = ("area", "rank", "ranked")
GLOBALS = ("org", "org_en", "year", "first_year", "last_year", "publisher", "publisher_en")


class SentenceError(ValueError):
    """A placeholder that cannot be rendered; names the placeholder and where it is. ``code`` is
    the problem's entry in the error catalogue (core/messages/report.yaml, ``sentence.*``)."""

    def __init__(self, placeholder: str, code: str, where: str = "", **values):
        self.placeholder = placeholder
        self.where = where
        self.code = code
        f = finding(code, placeholder=placeholder, **values)
        self.message_zh = f.message_zh
        self.message_en = f.message_en
        at = f" [{where}]" if where else ""
        super().__init__(f"{{{placeholder}}}: {f.message_zh} / {f.message_en}{at}")


@dataclass(frozen=True)
class Placeholder:
    raw: str
    code: str
    dims: tuple[tuple[str, str], ...] = ()
    scope: str | None = None
    period: int | None = None  # absolute year, or offset when ``relative``
    relative: bool = True
    filter: str = "value"

    def year(self, report_year: int) -> int:
        if self.period is None:
            return report_year
        return report_year + self.period if self.relative else self.period


def parse_placeholder(raw: str, where: str = "") -> Placeholder:
    m = _SPEC.match(raw.strip())
    if not m:
        raise SentenceError(raw, "sentence.malformed", where)
    dims = ()
    if m["dims"]:
        pairs = []
        for part in m["dims"].split(","):
            if "=" not in part:
                raise SentenceError(raw, "sentence.bad_dims", where, part=part)
            d, c = part.split("=", 1)
            pairs.append((d.strip(), c.strip()))
        dims = tuple(sorted(pairs))
    period, relative = None, True
    if m["period"]:
        p = m["period"]
        relative = len(p.lstrip("+-")) < 4
        period = int(p)
    filt = m["filter"] or "value"
    if filt not in FILTERS:
        raise SentenceError(raw, "sentence.unknown_filter", where, filter=filt, known=", ".join(FILTERS[1:]))
    return Placeholder(raw=raw, code=m["code"], dims=dims, scope=m["scope"], period=period,
                       relative=relative, filter=filt)


@dataclass
class Context:
    """What a template can refer to: the facts, the report year and the names of the org unit."""
    facts: FactBook
    year: int
    first_year: int
    last_year: int
    names: dict[str, str] = field(default_factory=dict)  # org, org_en, publisher, publisher_en
    area_facts: FactBook | None = None  # school reports: the facts of the school's area
    rank: object = None  # school reports: rank(code, period, dims, scope) -> Fact | None

    @property
    def catalogue(self):
        return self.facts.catalogue

    @property
    def words(self) -> Wording:
        return Wording.of(self.catalogue)

    def global_value(self, name: str) -> str | None:
        if name == "year":
            return str(self.year)
        if name == "first_year":
            return str(self.first_year)
        if name == "last_year":
            return str(self.last_year)
        return self.names.get(name)


def period_type(catalogue, code: str) -> str:
    """The period type of an element, or of the first element an indicator's numerator uses."""
    el = catalogue.elements.get(code)
    if el is None:
        ind = catalogue.indicator(code)
        first = formula.refs(ind.numerator_ast)[0].element
        el = catalogue.elements[first]
    return el.period_type


def _name(catalogue, ph: Placeholder, lang: str) -> str:
    ind = catalogue.indicator(ph.code)
    if ind.derived:
        return ind.zh if lang == "zh" else ind.en
    return catalogue.ref_label(formula.Ref(ph.code, ph.dims), lang)


def scope_words(fact: Fact, catalogue, lang: str = "zh") -> str:
    if fact.scope == "mixed":
        return Wording.of(catalogue).text("scope.mixed_with_note", lang, note=fact.scope_note)
    return catalogue.scope_label(fact.scope, lang)


def render_placeholder(ph: Placeholder, ctx: Context, lang: str = "zh", where: str = "") -> list[Run]:
    cat = ctx.catalogue
    words = ctx.words
    try:
        cat.indicator(ph.code)
        if ph.filter == "name":
            return [text(_name(cat, ph, lang))]
        year = ph.year(ctx.year)
        if ph.filter == "period":
            return [text(cat.period_label(period_type(cat, ph.code), year, lang))]
        if ph.filter in SCHOOL_FILTERS and (ctx.area_facts is None or ctx.rank is None):
            raise SentenceError(ph.raw, "sentence.school_only", where, filter=ph.filter)
        if ph.filter == "change":
            fact = ctx.facts.change(ph.code, year, dims=ph.dims, scope=ph.scope)
        elif ph.filter == "area":
            fact = ctx.area_facts.get(ph.code, year, ph.dims, ph.scope)
        elif ph.filter in ("rank", "ranked"):
            fact = ctx.rank(ph.code, year, ph.dims, ph.scope)
            if fact is None and ctx.facts.get(ph.code, year, ph.dims, ph.scope) is not None:
                raise SentenceError(ph.raw, "sentence.not_ranked", where)
        else:
            fact = ctx.facts.get(ph.code, year, ph.dims, ph.scope)
    except CatalogueError:
        raise SentenceError(ph.raw, "sentence.unknown_indicator", where) from None
    if fact is None:
        if ph.filter == "change":
            what = words("placeholder_problem.previous_year")
        elif ph.filter == "area":
            what = words("placeholder_problem.area_year", year=year)
        else:
            what = words.year(year)
        scope = words("paren", text=cat.scope_label(ph.scope)) if ph.scope else ""
        raise SentenceError(ph.raw, "sentence.no_data", where, name=_name(cat, ph, "zh"), scope=scope, what=what,
                            name_en=_name(cat, ph, "en"), year=year)
    if ph.filter == "change":
        return phrases.change_runs(fact, lang, words)
    if ph.filter == "scope":
        return [text(scope_words(fact, cat, lang), fact)]
    if ph.filter == "rank":
        return [figure(fact)]
    if ph.filter == "ranked":
        return [text(str(int(fact.denominator)), fact)]
    return phrases.value_runs(fact, lang, unit=ph.filter != "plain", words=words)


def render(template: str, ctx: Context, lang: str = "zh", where: str = "") -> list[Run]:
    """Render a template to runs; raises SentenceError naming the first placeholder without data."""
    runs: list[Run] = []
    pos = 0
    for m in PLACEHOLDER.finditer(template):
        if m.start() > pos:
            runs.append(text(template[pos:m.start()]))
        raw = m.group(1)
        value = ctx.global_value(raw.strip())
        if value is not None:
            runs.append(text(value))
        elif raw.strip() in GLOBALS:
            raise SentenceError(raw, "sentence.unset", where)
        else:
            runs.extend(render_placeholder(parse_placeholder(raw, where), ctx, lang, where))
        pos = m.end()
    if pos < len(template):
        runs.append(text(template[pos:]))
    return _merge(runs)


def render_text(template: str, ctx: Context, lang: str = "zh", where: str = "") -> str:
    return joined(render(template, ctx, lang, where))


def placeholders(template: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(template)]


def _merge(runs: list[Run]) -> list[Run]:
    """Join neighbouring plain runs (fewer runs in Word, same text)."""
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and r.fact is None and out[-1].fact is None:
            out[-1] = Run(out[-1].text + r.text)
        else:
            out.append(r)
    return out

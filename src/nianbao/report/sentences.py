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
from nianbao.report import phrases
from nianbao.report.runs import Run, figure, joined, text

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
    """A placeholder that cannot be rendered; names the placeholder and where it is."""

    def __init__(self, placeholder: str, message_zh: str, message_en: str, where: str = ""):
        self.placeholder = placeholder
        self.where = where
        self.message_zh = message_zh
        self.message_en = message_en
        at = f"{where}：" if where else ""
        super().__init__(f"{at}占位符 {{{placeholder}}} {message_zh} / placeholder {{{placeholder}}}: {message_en}")


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
        raise SentenceError(raw, "写法不对（应为 code[dim=cat]#scope@年份|filter）",
                            "malformed (expected code[dim=cat]#scope@year|filter)", where)
    dims = ()
    if m["dims"]:
        pairs = []
        for part in m["dims"].split(","):
            if "=" not in part:
                raise SentenceError(raw, f"分组“{part}”应写成 维度=类别", f"'{part}' must read dim=cat", where)
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
        raise SentenceError(raw, f"不认识的格式 |{filt}（可用：{'、'.join(FILTERS[1:])}）",
                            f"unknown filter |{filt}", where)
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
        return ("口径不一：" + fact.scope_note) if lang == "zh" else "mixed scopes"
    return catalogue.scope_label(fact.scope, lang)


def render_placeholder(ph: Placeholder, ctx: Context, lang: str = "zh", where: str = "") -> list[Run]:
    cat = ctx.catalogue
    try:
        cat.indicator(ph.code)
        if ph.filter == "name":
            return [text(_name(cat, ph, lang))]
        year = ph.year(ctx.year)
        if ph.filter == "period":
            return [text(cat.period_label(period_type(cat, ph.code), year, lang))]
        if ph.filter in SCHOOL_FILTERS and (ctx.area_facts is None or ctx.rank is None):
            raise SentenceError(ph.raw, f"|{ph.filter} 只能用于学校报告", f"|{ph.filter} needs a school report", where)
        if ph.filter == "change":
            fact = ctx.facts.change(ph.code, year, dims=ph.dims, scope=ph.scope)
        elif ph.filter == "area":
            fact = ctx.area_facts.get(ph.code, year, ph.dims, ph.scope)
        elif ph.filter in ("rank", "ranked"):
            fact = ctx.rank(ph.code, year, ph.dims, ph.scope)
            if fact is None and ctx.facts.get(ph.code, year, ph.dims, ph.scope) is not None:
                raise SentenceError(ph.raw, "不排名（不在提纲的 ranks 中）", "is not ranked (outline ranks)", where)
        else:
            fact = ctx.facts.get(ph.code, year, ph.dims, ph.scope)
    except CatalogueError:
        raise SentenceError(ph.raw, "引用了目录中没有的指标", "names an unknown indicator", where) from None
    if fact is None:
        what = {"change": "上年比较", "area": f"{year}年（全市）"}.get(ph.filter, f"{year}年")
        scope = f"（{cat.scope_label(ph.scope)}）" if ph.scope else ""
        raise SentenceError(ph.raw, f"没有数据：{_name(cat, ph, 'zh')}{scope} {what}",
                            f"no data: {_name(cat, ph, 'en')} {year}", where)
    if ph.filter == "change":
        return phrases.change_runs(fact, lang)
    if ph.filter == "scope":
        return [text(scope_words(fact, cat, lang), fact)]
    if ph.filter == "rank":
        return [figure(fact)]
    if ph.filter == "ranked":
        return [text(str(int(fact.denominator)), fact)]
    return phrases.value_runs(fact, lang, unit=ph.filter != "plain")


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
            raise SentenceError(raw, "没有填写（见 dataset.yaml）", "is not set (see dataset.yaml)", where)
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

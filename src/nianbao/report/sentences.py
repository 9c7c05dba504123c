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
GLOBALS = ("org", "org_en", "year", "first_year", "last_year", "years", "publisher", "publisher_en")
SCHOOL_NAMES = tuple(n + lang for n in ("area", "county", "affiliation", "ownership", "school_type", "founded",
                                        "school_code") for lang in ("", "_en"))  # names of a school report
MISSING = ("sentence.no_data", "sentence.unset", "sentence.not_ranked")  # no figure, not a wrong outline
NO_FIGURE_FILTERS = ("name", "period")  # placeholders that print without data


class SentenceError(ValueError):
    """A placeholder that cannot be rendered; names the placeholder and where it is. ``code`` is
    the problem's entry in the error catalogue (core/messages/report.yaml, ``sentence.*``)."""

    def __init__(self, placeholder: str, code: str, where: str = "", **values):
        self.placeholder = placeholder
        self.where = where
        self.code = code
        self.values = values
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
    school_report: bool = False  # a school's report (without an area when area_facts is None)

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
        if name == "years":  # 2021年, or 2019—2021年
            words = self.words
            return words.year(self.last_year) if self.first_year == self.last_year else \
                words.years(self.first_year, self.last_year)
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


def unknown(ph: Placeholder, catalogue, where: str = "") -> None:
    """SentenceError for a placeholder whose breakdown or scope the catalogue does not know
    (``{students[nodim=x]}``, ``{students#nowhere}``): named as written, never looked up."""
    dims = catalogue.dimensions
    bad = [f"{d}={c}" for d, c in ph.dims if c not in ((dims.get(d) or {}).get("categories") or {})]
    if bad:
        raise SentenceError(ph.raw, "sentence.unknown_category", where, bad=bad, known=list(dims))
    scopes = catalogue.meta.get("scopes") or {}
    if ph.scope and ph.scope not in scopes:
        raise SentenceError(ph.raw, "sentence.unknown_scope", where, scope=ph.scope, known=list(scopes))


def render_placeholder(ph: Placeholder, ctx: Context, lang: str = "zh", where: str = "") -> list[Run]:
    cat = ctx.catalogue
    words = ctx.words
    try:
        cat.indicator(ph.code)
        unknown(ph, cat, where)
        if ph.filter == "name":
            return [text(_name(cat, ph, lang))]
        year = ph.year(ctx.year)
        if ph.filter == "period":
            return [text(cat.period_label(period_type(cat, ph.code), year, lang))]
        if ph.filter in SCHOOL_FILTERS and (ctx.area_facts is None or ctx.rank is None):
            if ctx.school_report:  # a school that is the dataset's own unit has no area to compare with
                raise SentenceError(ph.raw, "sentence.unset", where)
            raise SentenceError(ph.raw, "sentence.school_only", where, filter=ph.filter)
        if ph.filter == "change":
            fact = ctx.facts.change(ph.code, year, dims=ph.dims, scope=ph.scope)
        elif ph.filter == "area":
            fact = ctx.area_facts.get(ph.code, year, ph.dims, ph.scope)
        elif ph.filter in ("rank", "ranked"):
            fact = ctx.rank(ph.code, year, ph.dims, ph.scope)
            if fact is None and ctx.facts.get(ph.code, year, ph.dims, ph.scope) is not None:
                raise SentenceError(ph.raw, "sentence.not_ranked", where, name=_name(cat, ph, "zh"), year=year)
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
        if fact.definition_break is not None:  # across a change of definition: never a figure
            return [text(words.text("change.definition_changed", lang), fact)]
        if not comparable(fact):  # across a break of scope (口径): never a figure
            return [text(words.text("change.not_comparable", lang), fact)]
        return phrases.change_runs(fact, lang, words)
    if ph.filter == "scope":
        return [text(scope_words(fact, cat, lang), fact)]
    if ph.filter == "rank":
        return [figure(fact)]
    if ph.filter == "ranked":
        return [text(str(int(fact.denominator)), fact)]
    return phrases.value_runs(fact, lang, unit=ph.filter != "plain", words=words)


def render(template: str, ctx: Context, lang: str = "zh", where: str = "", seen: dict | None = None) -> list[Run]:
    """Render a template to runs; raises SentenceError naming the first placeholder without data.
    ``seen`` carries, across the clauses of one sentence, the scope (口径) of the first count it
    prints: a rate of another scope after it is labelled with its own."""
    runs: list[Run] = []
    pos = 0
    seen = {} if seen is None else seen
    for m in PLACEHOLDER.finditer(template):
        if m.start() > pos:
            runs.append(text(template[pos:m.start()]))
        raw = m.group(1)
        value = ctx.global_value(raw.strip())
        if value is not None:
            runs.append(text(value))
        elif raw.strip() in GLOBALS or (ctx.school_report and raw.strip() in SCHOOL_NAMES):
            raise SentenceError(raw, "sentence.unset", where)
        else:
            ph = parse_placeholder(raw, where)
            new = render_placeholder(ph, ctx, lang, where)
            runs.extend(new)
            shown = [r.fact for r in new if r.is_figure]
            if shown and ph.filter in ("value", "plain"):
                scope = shown[0].scope
                counted = seen.get("scope", "")
                if shown[0].style != "percent":
                    seen.setdefault("scope", scope)
                elif counted and scope not in (counted, "mixed", "unstated") and not ph.scope:
                    # a rate of another scope (口径) than the counts before it: said, never implied
                    label = ctx.catalogue.scope_label(scope, lang)
                    runs.append(text(ctx.words("paren", text=label) if lang == "zh" else f" ({label})", shown[0]))
        pos = m.end()
    if pos < len(template):
        runs.append(text(template[pos:]))
    return _merge(runs)


def comparable(change: Fact) -> bool:
    """A change whose two years share one scope (口径), one base (both recomputed, or both as
    printed) and one definition; across a break it is not printed (FactBook.change)."""
    return change.comparable


def split_clauses(template: str, words: Wording | None = None) -> list[tuple[str, str]]:
    """A template cut into clauses at ，；。 outside placeholders and brackets: (body, separator).
    The marks are the outline's phrases ``clause_marks`` and ``brackets``."""
    words = words or Wording.default()
    seps = words.text("clause_marks")
    opening, closing = words.list("brackets")
    out: list[tuple[str, str]] = []
    depth, brace, start = 0, 0, 0
    for i, ch in enumerate(template):
        if ch == "{":
            brace += 1
        elif ch == "}":
            brace -= 1
        elif brace == 0 and ch in opening:
            depth += 1
        elif brace == 0 and ch in closing:
            depth = max(0, depth - 1)
        elif brace == 0 and depth == 0 and ch in seps:
            out.append((template[start:i], ch))
            start = i + 1
    if start < len(template):
        out.append((template[start:], ""))
    return out


def has_figure(body: str) -> bool:
    """Whether a clause prints a figure (a placeholder other than a name, a period or a global)."""
    for raw in placeholders(body):
        raw = raw.strip()
        if raw in GLOBALS:
            continue
        m = _SPEC.match(raw)
        if m and (m["filter"] or "value") in NO_FIGURE_FILTERS:
            continue
        return True
    return False


@dataclass
class Rendered:
    """A sentence rendered clause by clause: its runs (empty when no clause had its figures) and
    the placeholders of the clauses left out for lack of data."""
    runs: list[Run]
    missing: list[SentenceError]


def render_clauses(template: str, ctx: Context, lang: str = "zh", where: str = "",
                   continues: tuple[str, ...] = ()) -> Rendered:
    """Render a template keeping the clauses whose figures have data. A clause is cut at ，；。;
    a clause printing no figure ({year}年，) is kept only when its sentence keeps a clause with a
    figure; a clause starting with a word of ``continues`` (其中 …) only when the clause before it
    is kept. The last clause kept in a sentence takes the sentence's closing mark. Errors of the
    outline itself (an unknown indicator, a malformed placeholder) are raised."""
    sentences: list[list[tuple[str, str]]] = [[]]
    ends = ctx.words.text("sentence_ends")
    marks = ctx.words.text("clause_marks")
    for body, sep in split_clauses(template, ctx.words):
        sentences[-1].append((body, sep))
        if sep and sep in ends:
            sentences.append([])
    runs: list[Run] = []
    missing: list[SentenceError] = []
    for clauses in sentences:
        if not clauses:
            continue
        end = clauses[-1][1]
        kept: list[tuple[list[Run], str, bool]] = []
        previous_kept = True
        seen: dict = {}  # the scope of the sentence's first count (see render)
        for body, sep in clauses:
            figure_clause = has_figure(body)
            if previous_kept is False and body.lstrip().startswith(continues) and continues:
                missing.extend(_missing_of(body, ctx, lang, where))
                if kept and marks.find(sep) > marks.find(kept[-1][1]):
                    kept[-1] = (kept[-1][0], sep, kept[-1][2])
                continue
            try:
                part = render(body, ctx, lang, where, seen)
            except SentenceError as exc:
                if exc.code not in MISSING:
                    raise
                if kept and marks.find(sep) > marks.find(kept[-1][1]):  # 3所；(…) keeps the stronger mark
                    kept[-1] = (kept[-1][0], sep, kept[-1][2])
                missing.append(exc)
                missing.extend(_missing_of(body, ctx, lang, where, skip=exc.placeholder))
                if figure_clause:
                    previous_kept = False
                continue
            kept.append((part, sep, figure_clause))
            if figure_clause:
                previous_kept = True
        if not any(f for _, _, f in kept):
            continue
        while kept and not kept[-1][2] and not kept[-1][0]:
            kept.pop()
        for i, (part, sep, _) in enumerate(kept):
            runs.extend(part)
            runs.append(text(end if i == len(kept) - 1 else sep))
    return Rendered(_merge(runs), missing)


def _missing_of(body: str, ctx: Context, lang: str, where: str, skip: str = "") -> list[SentenceError]:
    """The other placeholders of a clause left out that have no data either."""
    out = []
    for raw in placeholders(body):
        if raw == skip or raw.strip() in GLOBALS:
            continue
        try:
            render_placeholder(parse_placeholder(raw, where), ctx, lang, where)
        except SentenceError as exc:
            if exc.code in MISSING:
                out.append(exc)
    return out


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

"""Facts (事实): every number a report prints, with how it was obtained.

A fact holds its value, numerator, denominator and factor, unit, scope (口径), period, org unit
and the reported figures it came from. Tables, charts and sentences render facts; none
computes a number of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from nianbao.compute import scopes
from nianbao.core import formula
from nianbao.core.formatting import in_multiplier, round_half_up, split_multiplier, value_text


@dataclass(frozen=True)
class Input:
    ref: str
    label_zh: str
    label_en: str
    period: int
    scope: str
    value: float
    source: str = ""
    origin: str = ""
    step: float = 0.0  # a figure given in 万 or 亿: its last printed digit (484.78万 → 100)


@dataclass(frozen=True)
class Fact:
    indicator: str
    dims: tuple[tuple[str, str], ...]
    org_unit: str
    period: int
    value: float
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    style: str
    decimals: int
    kind: str  # element | ratio | reported | change | rank
    scope: str  # a scope code, or "mixed"
    scope_note: str = ""
    numerator: float | None = None
    denominator: float | None = None
    factor: float = 1.0
    formula_zh: str = ""
    formula_en: str = ""
    inputs: tuple[Input, ...] = ()
    base_period: int | None = None  # for a change: the earlier period
    definition_break: int | None = None  # a change across a change of definition: its first year
    # a change between figures of two scopes or two bases ("scope": 口径 differ; "base": one
    # recomputed from the data, the other as printed): never a figure (value 0, text empty), the
    # sentence says the series is not comparable
    break_reason: str = ""

    @property
    def comparable(self) -> bool:
        return not self.break_reason and self.definition_break is None

    @property
    def ref(self) -> str:
        return formula.ref_key(self.indicator, self.dims)

    @property
    def key(self) -> str:
        when = f"{self.base_period}-{self.period}" if self.base_period else str(self.period)
        suffix = f"/{self.kind}" if self.kind in ("change", "rank") else ""  # rank: a school's place
        return f"{self.org_unit}/{self.ref}/{when}/{self.scope}{suffix}"

    @property
    def text(self) -> str:
        """The value as printed, without the unit word (22863, 95.14%, 11.80:1, 6.6:3.4)."""
        if self.break_reason:
            return ""  # a change that is not comparable has no figure
        if self.kind == "element" and len(self.inputs) == 1 and self.inputs[0].step and self.style == "number" \
                and split_multiplier(self.unit_zh)[0] == 1:
            printed = in_multiplier(self.value, self.inputs[0].step)  # as given: 484.78万, not 4847800
            if printed is not None:
                return printed[0] + printed[2]
        if self.kind == "change":
            return value_text(abs(self.value), "number" if self.style == "percent" else self.style,
                              self.decimals)
        return value_text(self.value, self.style, self.decimals)

    @property
    def unit_text(self) -> str:
        """The unit printed after the value (empty for %, x:1 and pairs)."""
        if self.kind == "change" and self.style == "percent":
            return "个百分点"
        if self.style in ("percent", "x1", "pair10"):
            return ""
        return self.unit_zh

    @property
    def text_with_unit(self) -> str:
        return self.text + self.unit_text

    @property
    def rounded(self) -> float:
        return round_half_up(self.value, self.decimals)

    def to_dict(self) -> dict:
        return {
            "key": self.key, "indicator": self.indicator, "dims": dict(self.dims), "org_unit": self.org_unit,
            "period": self.period, "base_period": self.base_period, "value": self.value, "text": self.text,
            "unit": self.unit_zh, "kind": self.kind, "scope": self.scope, "scope_note": self.scope_note,
            "numerator": self.numerator, "denominator": self.denominator, "factor": self.factor,
            "formula_zh": self.formula_zh, "formula_en": self.formula_en,
            "inputs": [vars(i) for i in self.inputs],
            **({"comparable": False, "break_reason": self.break_reason} if self.break_reason else {}),
        }


def _wrap(node, names) -> str:
    text = formula.to_text(node, names)
    return f"({text})" if isinstance(node, formula.BinOp) else text


@dataclass(frozen=True)
class Computed:
    """One indicator of one unit and period as an engine computed it: the value, numerator and
    denominator, and the scope it took each input in (``inputs``, in the order of the formula;
    for a printed rate, the fallback's scope)."""
    value: float
    numerator: float | None
    denominator: float | None
    reported: bool
    inputs: tuple[str, ...]


def _words(cat, ind, kind: str, dims) -> tuple[str, str, str, str]:
    """(formula zh, formula en, name zh, name en) of the facts of ``ind`` of one kind and
    disaggregation: the same for every unit and year, worded once a catalogue."""
    cache = cat.__dict__.setdefault("_fact_words", {})
    key = (ind.code, kind, dims)
    got = cache.get(key)
    if got is None:
        if kind == "reported":
            el = cat.elements[ind.fallback]
            f_zh = f"按印发值（{el.zh}）"
            f_en = f"as printed ({el.en})"
        elif ind.denominator:
            names_zh = lambda r: cat.ref_label(r, "zh")  # noqa: E731
            names_en = lambda r: cat.ref_label(r, "en")  # noqa: E731
            fac = "" if ind.factor == 1 else f" × {int(ind.factor) if ind.factor.is_integer() else ind.factor}"
            f_zh = f"{_wrap(ind.numerator_ast, names_zh)} ÷ {_wrap(ind.denominator_ast, names_zh)}{fac}"
            f_en = f"{_wrap(ind.numerator_ast, names_en)} / {_wrap(ind.denominator_ast, names_en)}{fac}"
        else:
            f_zh, f_en = "报送值", "reported value"
        name_zh = cat.ref_label(formula.Ref(ind.code, dims), "zh") if not ind.derived else ind.zh
        name_en = cat.ref_label(formula.Ref(ind.code, dims), "en") if not ind.derived else ind.en
        got = cache[key] = (f_zh, f_en, name_zh, name_en)
    return got


class FactBook:
    """All facts of one org unit, computed from its observations through the catalogue.

    ``computed`` holds the indicators an SQL engine computed — (code, period) → Computed, or None
    for an indicator the engine found no value for; the facts are then made from the engine's
    values and the observations the engine says it used. Without it (the Python evaluator) every
    indicator is computed here. ``taken`` holds the scope the engine took for each data element,
    (element, dims, period) → scope."""

    def __init__(self, catalogue, org_unit: str, observations: Iterable, periods: Iterable[int],
                 computed: dict | None = None, taken: dict | None = None, engine: str = "python"):
        self.catalogue = catalogue
        self.org_unit = org_unit
        self.periods = sorted(set(periods))
        self.engine = engine
        self._index: dict[tuple, dict[str, object]] = {}
        for o in observations:
            self._index.setdefault((o.element, o.dims, o.period), {})[o.scope] = o
        self._cache: dict[tuple, Fact | None] = {}
        self._inputs: dict[int, tuple] = {}  # id(observation) → (observation, Input)
        self._computed = computed
        self._taken = taken

    # -- looking up observations -------------------------------------------------------
    def observation(self, element: str, dims, period: int, scope: str | None = None):
        """The observation of one figure in the scope the rule of ``nianbao.compute.scopes`` takes:
        ``scope`` if the unit has it, else the first of the default order."""
        cands = self._index.get((element, tuple(sorted(dims)), period))
        if not cands:
            return None
        taken = scopes.first_available(cands, scope)
        return cands[taken] if taken is not None else None

    def categories(self, dim: str) -> list[str]:
        """The categories of ``dim`` among this unit's figures (专业大类 present in the data)."""
        return sorted({c for (_e, dims, _p) in self._index for d, c in dims if d == dim})

    def scopes_of(self, element: str, dims, period: int) -> list[str]:
        return sorted(self._index.get((element, tuple(sorted(dims)), period), {}))

    def _input(self, obs) -> Input:
        """The input a fact names for one observation, made once for all the facts reading it."""
        made = self._inputs.get(id(obs))
        if made is not None and made[0] is obs:
            return made[1]
        ref = formula.Ref(obs.element, obs.dims)
        got = Input(ref=ref.key, label_zh=self.catalogue.ref_label(ref, "zh"),
                    label_en=self.catalogue.ref_label(ref, "en"), period=obs.period, scope=obs.scope,
                    value=obs.value, source=obs.source, origin=obs.origin, step=getattr(obs, "step", 0.0))
        self._inputs[id(obs)] = (obs, got)
        return got

    # -- facts ---------------------------------------------------------------------------
    def get(self, code: str, period: int, dims=(), scope: str | None = None) -> Fact | None:
        key = (code, tuple(sorted(dims)), period, scope)
        if key not in self._cache:
            self._cache[key] = self._compute(code, tuple(sorted(dims)), period, scope)
        return self._cache[key]

    def _compute(self, code, dims, period, scope) -> Fact | None:
        ind = self.catalogue.indicator(code)
        if self._computed is not None and scope is None:
            if not ind.derived and self._taken is not None:
                s = self._taken.get((code, dims, period))
                obs = self._index.get((code, dims, period), {}).get(s) if s is not None else None
                return None if obs is None else self._fact(ind, dims, period, obs.value, "element", [obs],
                                                           obs.value, None)
            if ind.derived and not dims:
                return self._from_engine(ind, period)
        if not ind.derived:
            obs = self.observation(code, dims, period, scope)
            if obs is None or (scope is not None and obs.scope != scope):
                return None
            return self._fact(ind, dims, period, obs.value, "element", [obs], obs.value, None)
        first = scope or ind.scope
        refs = list(dict.fromkeys(formula.refs(ind.numerator_ast)
                                  + (formula.refs(ind.denominator_ast) if ind.denominator_ast else [])))
        # one scope for every input where the unit has one (like with like), else each its own;
        # a scope asked for is taken by every input that has it
        choice = scopes.choose([self._index.get((r.element, r.dims, period), {}) for r in refs], ind.scope,
                               asked=scope)
        taken = dict(zip(refs, choice.scopes))
        used = []

        def lookup(ref):
            s = taken.get(ref)
            obs = self._index[(ref.element, ref.dims, period)][s] if s is not None else None
            if obs is None:
                return None
            used.append(obs)
            return obs.value

        num = formula.evaluate(ind.numerator_ast, lookup)
        den = formula.evaluate(ind.denominator_ast, lookup) if ind.denominator_ast else None
        if num is not None and (ind.denominator_ast is None or den):
            value = num * ind.factor / den if den else num * ind.factor
            return self._fact(ind, dims, period, value, "ratio", used, num, den)
        if ind.fallback:
            obs = self.observation(ind.fallback, dims, period, first)
            if obs is not None:
                return self._fact(ind, dims, period, obs.value, "reported", [obs], None, None)
        return None

    def _from_engine(self, ind, period) -> Fact | None:
        got = self._computed.get((ind.code, period))
        if got is None:
            return None
        if got.reported:
            obs = self._index[(ind.fallback, (), period)][got.inputs[0]]
            return self._fact(ind, (), period, got.value, "reported", [obs], None, None)
        refs = list(dict.fromkeys(formula.refs(ind.numerator_ast)
                                  + (formula.refs(ind.denominator_ast) if ind.denominator_ast else [])))
        used = [self._index[(r.element, r.dims, period)][s] for r, s in zip(refs, got.inputs)]
        return self._fact(ind, (), period, got.value, "ratio", used, got.numerator, got.denominator)

    def _fact(self, ind, dims, period, value, kind, used, num, den) -> Fact:
        # each observation once (one figure of the index is one object: read twice, named once)
        inputs = tuple(self._input(o) for o in {id(o): o for o in used}.values())
        scopes = sorted({i.scope for i in inputs})
        cat = self.catalogue
        if len(scopes) == 1:
            scope, note = scopes[0], ""
        else:
            scope = "mixed"
            note = "；".join(f"{i.label_zh}：{cat.scope_label(i.scope)}" for i in inputs)
        f_zh, f_en, name_zh, name_en = _words(cat, ind, kind, dims)
        return Fact(indicator=ind.code, dims=dims, org_unit=self.org_unit, period=period, value=value,
                    name_zh=name_zh, name_en=name_en, unit_zh=ind.unit_zh, unit_en=ind.unit_en,
                    style=ind.style, decimals=ind.decimals, kind=kind, scope=scope, scope_note=note,
                    numerator=num, denominator=den, factor=ind.factor, formula_zh=f_zh, formula_en=f_en,
                    inputs=inputs)

    def change(self, code: str, period: int, base_period: int | None = None, dims=(),
               scope: str | None = None) -> Fact | None:
        """The change of a figure from ``base_period`` (default: the year before) to ``period``,
        computed from the printed (rounded) values so the sentence agrees with the table.

        Like with like: the figure of ``period`` is the one printed beside the change; the
        figure of the earlier year is taken in the same scope and on the same base where the
        data allow (:func:`same_base`). Where they do not, the change is *not comparable*: a
        fact with ``break_reason`` and no figure, which sentences and tables print as the
        official line "与上年口径不同，不作比较". A change across a change of the figure's definition
        (catalogue ``definition_changed``) carries ``definition_break`` (its first year) and is
        not comparable either."""
        base_period = base_period or period - 1
        key = ("__change__", code, tuple(sorted(dims)), period, base_period, scope)
        if key in self._cache:
            return self._cache[key]
        now = self.get(code, period, dims, scope)
        before = self.get(code, base_period, dims, scope)
        fact = None
        if now is not None and before is not None:
            if not same_base(now, before) and scope is None and now.scope != MIXED:
                other = self.get(code, base_period, dims, now.scope)  # the earlier year in this year's scope
                if other is not None and same_base(now, other):
                    before = other
            # a printed series shown to be on the data's base compares with the recomputed figures
            on_one_base = basis(now) != basis(before) and scope_signature(now) == scope_signature(before) \
                and self._printed_on_data_base(code, dims)
            fact = change_between(now, before, self.org_unit, one_base=on_one_base)
            if not fact.comparable:
                cat = self.catalogue
                fact = replace(fact, scope_note="；".join(
                    f"{f.period}年{cat.scope_label(f.scope) if f.scope != MIXED else f.scope_note}"
                    + ("（按印发值）" if basis(f) == "printed" else "") for f in (before, now)))
            if (brk := self.catalogue.definition_break(code, base_period, period)) is not None:
                fact = replace(fact, definition_break=brk.year)
        self._cache[key] = fact
        return fact

    def _printed_on_data_base(self, code: str, dims) -> bool:
        """Whether the printed figures of an indicator are on the base the data give: in some
        year both are known, in one scope, and agree at the printed precision."""
        ind = self.catalogue.indicator(code)
        if not ind.derived or not ind.fallback:
            return False
        for p in self.periods:
            f = self.get(code, p, dims)
            printed = self.observation(ind.fallback, dims, p, f.scope if f is not None else None)
            if f is not None and f.kind == "ratio" and printed is not None and printed.scope == f.scope \
                    and round_half_up(f.value, f.decimals) == round_half_up(printed.value, f.decimals):
                return True
        return False

    def all_facts(self) -> list[Fact]:
        """Every fact the data allow: each element observation and each indicator per period."""
        out = []
        for (element, dims, period), by_scope in sorted(self._index.items()):
            for scope in by_scope:
                f = self.get(element, period, dims, scope)
                if f:
                    out.append(f)
        for code, ind in self.catalogue.indicators.items():
            if not ind.derived:
                continue
            for p in self.periods:
                f = self.get(code, p)
                if f:
                    out.append(f)
        return out


MIXED = scopes.MIXED


def basis(f: Fact) -> str:
    """How a figure was obtained: ``printed`` (a rate as published, its base unknown) or
    ``data`` (reported counts, and ratios recomputed from them)."""
    return "printed" if f.kind == "reported" else "data"


def scope_signature(f: Fact) -> tuple:
    """The scope of a figure, input by input for a ``mixed`` one (floor area without technical
    schools ÷ students of no stated scope)."""
    if f.scope != MIXED:
        return (f.scope,)
    return (MIXED,) + tuple(sorted((i.ref, i.scope) for i in f.inputs))


def same_base(now: Fact, before: Fact) -> bool:
    """Two figures that can be subtracted: the same scope and the same basis (both recomputed
    from the data, or both as printed)."""
    return basis(now) == basis(before) and scope_signature(now) == scope_signature(before)


def break_reason(now: Fact, before: Fact) -> str:
    """Why two figures cannot be compared ("scope" or "base"), or "" when they can."""
    if scope_signature(now) != scope_signature(before):
        return "scope"
    if basis(now) != basis(before):
        return "base"
    return ""


def change_between(now: Fact, before: Fact, org_unit: str | None = None, one_base: bool = False) -> Fact:
    """The change from ``before`` to ``now``, from their printed (rounded) values — or, where
    they differ in scope or base, a change that is not comparable (``break_reason`` set, no
    text, value 0 that nothing prints, the two figures kept as its inputs). ``one_base``: the caller knows the printed and the
    recomputed figures to share their base."""
    reason = break_reason(now, before)
    if reason == "base" and one_base:
        reason = ""
    diff = 0.0 if reason else round_half_up(now.rounded - before.rounded, now.decimals)
    inputs = tuple(Input(ref=f.ref, label_zh=f"{f.name_zh}（{f.period}）", label_en=f"{f.name_en} ({f.period})",
                         period=f.period, scope=f.scope, value=f.value, source=f.key,
                         origin=f.formula_zh) for f in (now, before))
    scope_code = now.scope if now.scope == before.scope else MIXED
    note = ""
    if reason:
        note = "；".join(f"{f.period}：{f.scope}（{'printed' if basis(f) == 'printed' else 'data'}）"
                        for f in (before, now))
    unit_en = "percentage points" if now.style == "percent" else now.unit_en
    return Fact(indicator=now.indicator, dims=now.dims, org_unit=org_unit or now.org_unit, period=now.period,
                value=diff, name_zh=f"{now.name_zh}变化", name_en=f"change in {now.name_en}",
                unit_zh="个百分点" if now.style == "percent" else now.unit_zh, unit_en=unit_en,
                style=now.style, decimals=now.decimals, kind="change", scope=scope_code, scope_note=note,
                numerator=now.rounded, denominator=before.rounded,
                formula_zh=f"{now.period}年值 − {before.period}年值", formula_en=f"{now.period} − {before.period}",
                inputs=inputs, base_period=before.period, break_reason=reason)

"""Which scope (口径) a figure is taken in — one definition for the Python facts, the roll-up and
the SQL of every engine.

A unit may hold the same figure in several scopes (students ``all`` 含技工学校 and
``excl_technical`` 不含技工学校). The rule:

1. scopes are tried in the order of :func:`preference`: the scope an indicator (or a caller)
   asks for first, then ``all``, ``unstated``, ``excl_technical``;
2. a formula takes **the first scope in which every one of its inputs is available**, so that
   numerator and denominator come from the same schools (like with like: floor area without
   technical schools ÷ students without technical schools, never ÷ all students);
3. only where no scope is shared by all inputs does each input take its own first scope; the
   fact is then marked ``mixed`` and names the scope of each input.

A caller that *asks* for a scope (``FactBook.get(…, scope=…)``: the check recomputing a printed
figure in the scope it may have meant) gets each input in that scope where the input has it,
and in its own first scope otherwise — the question is "what would the figure be in this scope",
and the fact says ``mixed`` where the inputs could not all answer it.

A single figure (a data element, a fallback rate, a school's row summed by the roll-up) is the
case of one input: its first available scope.

:func:`choose` applies the rule in Python; :func:`sql_common`, :func:`sql_pick` and
:func:`sql_scope` render the same rule as SQL ``CASE`` expressions over one column per input and
scope. Both are derived from :func:`preference` alone, and a property test runs them side by side
on every pattern of available scopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Mapping, Sequence

SCOPE_ORDER = ("all", "unstated", "excl_technical")
MIXED = "mixed"


def preference(first: str | None = None) -> tuple[str, ...]:
    """The order in which scopes are tried: ``first`` (an indicator's or a caller's scope), then
    the default order."""
    if first not in SCOPE_ORDER:  # None, or no scope of the catalogue ("mixed"): the default order
        return SCOPE_ORDER
    return (first,) + tuple(s for s in SCOPE_ORDER if s != first)


@dataclass(frozen=True)
class Choice:
    """The scope shared by all inputs (None if there is none) and the scope taken for each input
    (None for an input available in no scope)."""
    common: str | None
    scopes: tuple[str | None, ...]

    @property
    def scope(self) -> str | None:
        """The scope of the result: the common one, ``mixed``, or None when an input is missing."""
        if self.common is not None:
            return self.common
        return None if None in self.scopes else MIXED


def choose(available: Sequence[Collection[str]], first: str | None = None, asked: str | None = None) -> Choice:
    """Apply the rule to the scopes each input is available in (one collection per input);
    ``first`` is the indicator's own scope, ``asked`` a scope a caller asks for."""
    if asked is not None:
        order = preference(asked)
        taken = tuple(next((s for s in order if s in a), None) for a in available)
        return Choice(taken[0] if taken and all(t == taken[0] for t in taken) else None, taken)
    order = preference(first)
    if available:
        common = next((s for s in order if all(s in a for a in available)), None)
        if common is not None:
            return Choice(common, (common,) * len(available))
    return Choice(None, tuple(next((s for s in order if s in a), None) for a in available))


def first_available(available: Collection[str], first: str | None = None) -> str | None:
    """The scope a single figure is taken in."""
    return choose([available], first).scopes[0]


def distinguishes_technical(observations, registry=None) -> bool:
    """Whether a dataset's figures tell 技工学校 apart — a figure given without them, or a 技工学校
    in its registry. Only then does 全口径 say 含技工学校."""
    if any(o.scope == "excl_technical" for o in observations):
        return True
    return registry is not None and any(o.school_type == "technical" for o in registry.schools())


def rank_sql(column: str, first: str | None = None) -> str:
    """A SQL expression ranking the rows of one figure by scope (0 is taken first): the rule for a
    single input, written for ``ROW_NUMBER() OVER (… ORDER BY …)``."""
    order = preference(first)
    whens = " ".join(f"WHEN {_lit(s)} THEN {i}" for i, s in enumerate(order))
    return f"CASE {column} {whens} ELSE {len(order)} END"


def sql_common(columns: Sequence[Mapping[str, str]], first: str | None = None) -> str:
    """A SQL expression giving the scope shared by all inputs, or NULL. ``columns[i][scope]`` is
    the SQL column holding input ``i`` in that scope (NULL where the unit lacks it); a scope
    missing from the mapping is one no figure is in (left out of this and the expressions below)."""
    whens = " ".join(
        f"WHEN {' AND '.join(f'{c[s]} IS NOT NULL' for c in columns)} THEN {_lit(s)}" for s in preference(first)
        if all(s in c for c in columns))
    return f"CASE {whens} ELSE NULL END" if whens else "NULL"


def sql_pick(column: Mapping[str, str], common: str, first: str | None = None) -> str:
    """A SQL expression giving one input's value: in the common scope where there is one,
    otherwise in the input's own first available scope. ``common`` is :func:`sql_common`."""
    whens = " ".join(f"WHEN {common} = {_lit(s)} THEN {column[s]}" for s in preference(first) if s in column)
    return f"CASE {whens} ELSE {sql_first(column, first)} END"


def sql_scope(column: Mapping[str, str], common: str, first: str | None = None) -> str:
    """A SQL expression giving the scope one input was taken in (NULL if it has none)."""
    return f"COALESCE({common}, {sql_first_scope(column, first)})"


def sql_first(column: Mapping[str, str], first: str | None = None) -> str:
    """A single figure's value in its first available scope (the rule for one input)."""
    present = [column[s] for s in preference(first) if s in column]
    return present[0] if len(present) == 1 else f"COALESCE({', '.join(present)})"


def sql_first_scope(column: Mapping[str, str], first: str | None = None) -> str:
    """The scope :func:`sql_first` takes (NULL if the figure is in none)."""
    whens = " ".join(f"WHEN {column[s]} IS NOT NULL THEN {_lit(s)}" for s in preference(first) if s in column)
    return f"CASE {whens} ELSE NULL END"


def _lit(scope: str) -> str:
    if not scope.replace("_", "").isalnum():
        raise ValueError(f"unsafe scope code {scope!r}")
    return "'" + scope + "'"

"""The kinds of rule (规则类型): each ``kind`` of rules.yaml is interpreted by one handler,
registered under that name by a module of ``nianbao.check.kinds``. Adding a kind of check is
adding a module there (and its rules to rules.yaml).

    @rule_kind("stock_flow", params=("stock", "inflow", "outflow"))
    class StockFlow(Handler):
        def check(self, data): ...

A kind without ``cases`` applies each of its rules; a kind with ``cases`` looks its rules up by
the ``case`` of each rule (one rule a case) — e.g. breakdown's mismatch, exceeds, incomplete.
``per`` says what a handler looks at: the figures of one org unit at a time (``org``, the
default) or the dataset once (``dataset``: the claims of a published report).

A kind of rule per org unit may also compile to SQL (``nianbao.check.rules_sql``): its
``compile()`` gives the query that selects what its rules find wrong in every org unit at once,
and ``found(rows, figures, orgs)`` words the findings from the rows the engine returns, with
the same code as ``check`` (the Python reference the conformance test compares against).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from nianbao.core.findings import Finding
from nianbao.core.messages import message


class RuleError(ValueError):
    """rules.yaml is inconsistent with the catalogue or with the kinds of rule nianbao knows."""

    @classmethod
    def of(cls, key: str, **values) -> "RuleError":
        """The error of catalogue message ``key`` (core/messages/rules.yaml), Chinese / English."""
        return cls(f"{message(key, 'zh', **values)} / {message(key, 'en', **values)}")


@dataclass(frozen=True)
class Kind:
    name: str
    handler: type
    cases: tuple[str, ...] = ()
    params: tuple[str, ...] = ()  # what every rule of the kind must give
    per: str = "org"  # org | dataset
    prepare: Callable[[Any, Any], None] | None = None  # (rule, catalogue): parse and validate


KINDS: dict[str, Kind] = {}


def rule_kind(name: str, *, cases: Iterable[str] = (), params: Iterable[str] = (), per: str = "org",
              prepare: Callable[[Any, Any], None] | None = None):
    """Register the decorated handler class for the rules of kind ``name``."""
    if per not in ("org", "dataset"):
        raise ValueError(f"rule kind {name}: per must be org or dataset, not {per!r}")

    def register(cls):
        if name in KINDS:
            raise ValueError(f"rule kind {name!r} registered twice ({KINDS[name].handler.__name__}, {cls.__name__})")
        KINDS[name] = Kind(name=name, handler=cls, cases=tuple(cases), params=tuple(params), per=per,
                           prepare=prepare)
        return cls

    return register


class Handler:
    """What a registered handler is given: the check's context (the dataset, its catalogue and
    rule book, labels) and the rules of its kind. ``check(data)`` yields the findings about one
    org unit's figures (``per="org"``) or, for ``per="dataset"``, ``check(None)`` those about
    the dataset."""

    def __init__(self, ctx, rules: list):
        self.ctx = ctx
        self.cat = ctx.catalogue
        self.book = ctx.book
        self.rules = rules
        self._by_case = {r.case: r for r in rules}

    def rule(self, case: str):
        """The rule of ``case`` (None where rules.yaml leaves that case out: it is not checked)."""
        return self._by_case.get(case)

    def check(self, data) -> Iterable[Finding]:
        raise NotImplementedError

    def units(self):
        """The org units whose figures can give this kind a finding, asked of the dataset before
        any figure is made an object (None: every unit) — only their figures are indexed for
        ``check``."""
        return None

    def compile(self):
        """The query of this kind's rules over ``rules_sql.FIGURES`` (a ``rules_sql.Compiled``),
        or None where the kind has no SQL form (the Python ``check`` runs instead)."""
        return None

    def found(self, rows, figures: dict, orgs: dict) -> Iterable[Finding]:
        """The findings of the rows of the compiled query: ``figures`` maps each figure id the
        rows name to its observation, ``orgs`` the org units' figures so fetched (``OrgData``)."""
        raise NotImplementedError

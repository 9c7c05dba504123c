"""The rule book: rules.yaml of a catalogue version, read once, and the one place where a rule's
templates become a Finding.

Each rule names its ``kind``; the kinds are the handlers registered in ``nianbao.check.kinds``
(see ``nianbao.check.registry``). A rule of an unknown kind, of a case its kind does not know,
or without the parameters its kind needs is a RuleError naming what is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nianbao.check import kinds  # noqa: F401  (registers every kind of rule)
from nianbao.check.registry import KINDS, RuleError
from nianbao.check.text import Fill, num, pct, show, squash
from nianbao.core.findings import Finding, Location

__all__ = ["Rule", "RuleBook", "RuleError", "num", "pct", "rulebook"]


@dataclass
class Rule:
    code: str
    kind: str
    severity: str
    message_zh: str
    message_en: str
    hint_zh: str
    hint_en: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    parsed: Any = None  # what the kind's ``prepare`` made of the parameters (a comparison …)

    @property
    def case(self) -> str:
        return self.params.get("case", "")

    def finding(self, values: dict[str, Any], *, location: Location | None = None, period: int | None = None,
                org_unit: str = "", text: dict[str, str] | None = None) -> Finding:
        """Fill the templates. ``values`` are the numbers (kept in the finding); ``text`` are
        extra pieces of text for the templates only (names, formulas, explanations)."""
        fill = Fill({k: show(v) for k, v in values.items()})
        fill.update(text or {})
        if period is not None:
            fill.setdefault("period", str(period))
        return Finding(code=self.code, severity=self.severity,
                       message_zh=squash(self.message_zh.format_map(fill)),
                       message_en=squash(self.message_en.format_map(fill)),
                       hint=self.hint_zh.format_map(fill), hint_en=self.hint_en.format_map(fill),
                       location=location or Location(), period=period, org_unit=org_unit, values=values)


def _rule(r: dict, catalogue, seen: dict[tuple, str]) -> Rule:
    code = r.get("code")
    if not code or code in seen.values():
        raise RuleError.of("rules.bad_code", code=code)
    kind = KINDS.get(r.get("kind"))
    if kind is None:
        raise RuleError.of("rules.unknown_kind", code=code, kind=r.get("kind"), known=sorted(KINDS))
    rule = Rule(code=code, kind=kind.name, severity=r.get("severity", "warning"),
                message_zh=r["message"]["zh"], message_en=r["message"]["en"],
                hint_zh=r.get("hint", {}).get("zh", ""), hint_en=r.get("hint", {}).get("en", ""),
                source=r.get("source", ""),
                params={k: v for k, v in r.items() if k not in ("message", "hint", "source")})
    if kind.cases:
        if rule.case not in kind.cases:
            raise RuleError.of("rules.unknown_case", code=code, kind=kind.name, case=rule.case,
                               known=list(kind.cases))
        other = seen.get((kind.name, rule.case))
        if other:
            raise RuleError.of("rules.repeated_case", code=code, other=other, kind=kind.name, case=rule.case)
    for param in kind.params:
        if param not in rule.params:
            raise RuleError.of("rules.missing_param", code=code, kind=kind.name, param=param)
    seen[(kind.name, rule.case if kind.cases else code)] = code
    if kind.prepare is not None:
        kind.prepare(rule, catalogue)
    return rule


class RuleBook:
    """All rules of a catalogue version, by code and by kind, with the pieces of text the check
    assembles (``phrases``), the unit words of printed figures (``units``), the words that
    surround a printed figure (``reading``) and families of related elements (``related``)."""

    def __init__(self, catalogue):
        doc = catalogue.rules
        if isinstance(doc, list):
            doc = {"rules": doc}
        doc = doc or {}
        self.catalogue = catalogue
        self.units: dict[str, dict] = doc.get("units", {}) or {}
        self.phrases: dict[str, dict] = doc.get("phrases", {}) or {}
        self.reading: dict[str, Any] = doc.get("reading", {}) or {}
        self.related: dict[str, set[str]] = {}
        for family in doc.get("related", []) or []:
            for el in family:
                self.related.setdefault(el, {el}).update(family)
        seen: dict[tuple, str] = {}
        self.rules: list[Rule] = [_rule(r, catalogue, seen) for r in doc.get("rules", []) or []]
        self.by_code = {r.code: r for r in self.rules}

    def of_kind(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    def case(self, kind: str, case: str) -> Rule | None:
        return next((r for r in self.rules if r.kind == kind and r.case == case), None)

    def phrase(self, key: str, lang: str = "zh", **values) -> str:
        """A piece of text of rules.yaml ``phrases`` in ``lang``, its placeholders filled."""
        try:
            p = self.phrases[key]
        except KeyError:
            raise RuleError(f"rules.yaml of {self.catalogue.id}: no phrase {key!r}") from None
        return p.get(lang, "").format_map(Fill(values))


_BOOKS: dict[int, RuleBook] = {}


def rulebook(catalogue) -> RuleBook:
    """The rule book of a catalogue (cached per catalogue object)."""
    book = _BOOKS.get(id(catalogue))
    if book is None or book.catalogue is not catalogue:
        book = _BOOKS[id(catalogue)] = RuleBook(catalogue)
    return book

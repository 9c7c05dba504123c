"""The rule book: rules.yaml of a catalogue version, read once, and the one place where a rule's
templates become a Finding."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nianbao.core import formula
from nianbao.core.findings import Finding, Location
from nianbao.core.formatting import auto_text, number_text

KINDS = ("breakdown", "compare", "range", "stock_flow", "year_over_year", "scope", "claim")
_COMPARE = re.compile(r"^(.*?)(<=|>=|==|<|>|≤|≥)(.*)$")
_OPS = {"≤": "<=", "≥": ">="}


class RuleError(ValueError):
    """rules.yaml is inconsistent with the catalogue."""


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
    # compare rules: parsed sides
    left: Any = None
    op: str = ""
    right: Any = None

    @property
    def case(self) -> str:
        return self.params.get("case", "")

    def finding(self, values: dict[str, Any], *, location: Location | None = None, period: int | None = None,
                org_unit: str = "", text: dict[str, str] | None = None) -> Finding:
        """Fill the templates. ``values`` are the numbers (kept in the finding); ``text`` are
        extra pieces of text for the templates only (names, formulas, explanations)."""
        fill = _Fill({k: _show(v) for k, v in values.items()})
        fill.update(text or {})
        if period is not None:
            fill.setdefault("period", str(period))
        return Finding(code=self.code, severity=self.severity,
                       message_zh=_squash(self.message_zh.format_map(fill)),
                       message_en=_squash(self.message_en.format_map(fill)),
                       hint=self.hint_zh.format_map(fill), hint_en=self.hint_en.format_map(fill),
                       location=location or Location(), period=period, org_unit=org_unit, values=values)


class _Fill(dict):
    def __missing__(self, key):
        return ""


def _squash(text: str) -> str:
    """Tidy a filled template: single spaces, no empty brackets left by empty placeholders."""
    text = re.sub(r"[ \t]+", " ", text)
    return text.replace("（）", "").replace(" ()", "").replace("()", "").replace(" 。", "。").strip()


def _show(v) -> str:
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, (int, float)):
        return num(v)
    if isinstance(v, (list, tuple)):
        return "、".join(_show(x) for x in v)
    return str(v)


def num(v: float, decimals: int = 2) -> str:
    """A number in a message: as many decimals as it needs, at most ``decimals``."""
    return auto_text(float(v), decimals) if v is not None else ""


def pct(v: float, decimals: int = 2) -> str:
    return number_text(v, decimals) + "%"


class RuleBook:
    """All rules of a catalogue version, by code and by kind."""

    def __init__(self, catalogue):
        doc = catalogue.rules
        if isinstance(doc, list):
            doc = {"rules": doc}
        doc = doc or {}
        self.catalogue = catalogue
        self.units: dict[str, dict] = doc.get("units", {}) or {}
        self.phrases: dict[str, dict] = doc.get("phrases", {}) or {}
        self.related: dict[str, set[str]] = {}
        for family in doc.get("related", []) or []:
            for el in family:
                self.related.setdefault(el, {el}).update(family)
        self.rules: list[Rule] = []
        seen = set()
        for r in doc.get("rules", []) or []:
            code = r.get("code")
            if not code or code in seen:
                raise RuleError(f"rules.yaml: 规则代码缺失或重复 / missing or repeated rule code {code!r}")
            seen.add(code)
            if r.get("kind") not in KINDS:
                raise RuleError(f"rules.yaml: 规则 {code} 的 kind 未知 / unknown kind {r.get('kind')!r}")
            rule = Rule(code=code, kind=r["kind"], severity=r.get("severity", "warning"),
                        message_zh=r["message"]["zh"], message_en=r["message"]["en"],
                        hint_zh=r.get("hint", {}).get("zh", ""), hint_en=r.get("hint", {}).get("en", ""),
                        source=r.get("source", ""),
                        params={k: v for k, v in r.items() if k not in ("message", "hint", "source")})
            if rule.kind == "compare":
                m = _COMPARE.match(r.get("check", ""))
                if not m:
                    raise RuleError(f"rules.yaml: 规则 {code} 的 check 应为“公式 <= 公式” / bad comparison")
                rule.left, rule.right = formula.parse(m.group(1)), formula.parse(m.group(3))
                rule.op = _OPS.get(m.group(2), m.group(2))
                for ref in formula.refs(rule.left) + formula.refs(rule.right):
                    if ref.element not in catalogue.elements:
                        raise RuleError(f"rules.yaml: 规则 {code} 引用了未定义的数据元素 {ref.element}")
            self.rules.append(rule)
        self.by_code = {r.code: r for r in self.rules}

    def of_kind(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    def case(self, kind: str, case: str) -> Rule | None:
        return next((r for r in self.rules if r.kind == kind and r.case == case), None)

    def phrase(self, key: str, lang: str = "zh", **values) -> str:
        p = self.phrases.get(key, {})
        return p.get(lang, "").format_map(_Fill(values))


_BOOKS: dict[int, RuleBook] = {}


def rulebook(catalogue) -> RuleBook:
    """The rule book of a catalogue (cached per catalogue object)."""
    book = _BOOKS.get(id(catalogue))
    if book is None or book.catalogue is not catalogue:
        book = _BOOKS[id(catalogue)] = RuleBook(catalogue)
    return book


def compare(left: float, op: str, right: float, tol: float = 1e-9) -> bool:
    if op == "<=":
        return left <= right + tol
    if op == ">=":
        return left + tol >= right
    if op == "<":
        return left < right
    if op == ">":
        return left > right
    return abs(left - right) <= tol

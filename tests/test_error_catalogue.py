"""The error catalogue and the code agree: every finding code the source can raise is in the
catalogue (core/messages/*.yaml, or a rule of rules.yaml), and every code of the catalogue is
raised somewhere.

The source is read, not run: a static scan (``ast``) finds every call of the catalogue's
factories — ``nianbao.core.messages.finding`` and ``.message``, and ``Finding(code=…)`` built
directly — and follows the functions that pass their own argument on as the code (``_finding(kind,
…)`` → ``finding(kind, …)``; ``read_error(path, case)`` → ``finding(f"dataset.unreadable:{case}")``),
through imports and methods (``self.add``, ``RuleError.of``), until the codes written at the call
sites are known. A code that is neither a literal nor an argument passed on is listed as
unverifiable, so nothing escapes the scan by being computed.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import nianbao
from nianbao import catalogue
from nianbao.check.registry import KINDS, RuleError
from nianbao.check.rules import RuleBook
from nianbao.core import messages

SRC = Path(nianbao.__file__).parent
MESSAGES = SRC / "core" / "messages"
FACTORIES = {  # qualified name -> (parameter, position) of the code
    "nianbao.core.messages.finding": ("key", 0),
    "nianbao.core.messages.message": ("key", 0),
    "nianbao.core.findings.Finding": ("code", 0),
}
# where a Finding's code comes from data, not from the source: a rule of rules.yaml, and the
# catalogue's own factory
DATA_CODES = {"nianbao.check.rules.Rule.finding", "nianbao.core.messages.finding"}


@dataclass(frozen=True)
class Param:
    name: str


@dataclass
class Scan:
    codes: dict[str, list[str]] = field(default_factory=dict)  # code -> places
    unverifiable: list[str] = field(default_factory=list)


class _Module:
    def __init__(self, name: str, tree: ast.Module, path: str):
        self.name, self.tree, self.path = name, tree, path
        self.aliases: dict[str, str] = {}  # local name -> qualified name
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                self.aliases.setdefault(node.name, f"{name}.{node.name}")

    def functions(self):
        """(qualified name, class name or None, function node) of every function and method."""
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef):
                yield f"{self.name}.{node.name}", None, node
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        yield f"{self.name}.{node.name}.{item.name}", node.name, item


class Scanner:
    """The finding codes a tree of modules can raise."""

    def __init__(self, modules: dict[str, tuple[str, str]]):  # module name -> (source, path)
        self.modules = {m: _Module(m, ast.parse(src), path) for m, (src, path) in modules.items()}
        self.specs: dict[str, tuple[str, int, list]] = {
            q: (p, i, [Param(p)]) for q, (p, i) in FACTORIES.items()}

    @classmethod
    def of_package(cls, root: Path = SRC) -> "Scanner":
        mods = {}
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root.parent).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            mods[".".join(parts)] = (path.read_text(encoding="utf-8"), str(path.relative_to(root.parent)))
        return cls(mods)

    def canonical(self, q: str) -> str:
        """Follow re-exports: nianbao.check.rules.RuleError → nianbao.check.registry.RuleError."""
        for _ in range(10):
            parts = q.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                mod = self.modules.get(".".join(parts[:cut]))
                if mod is not None:
                    target = mod.aliases.get(parts[cut])
                    own = f"{mod.name}.{parts[cut]}"
                    if target and target != own:
                        q = ".".join([target, *parts[cut + 1:]])
                        break
                    return q
            else:
                return q
        return q

    def resolve(self, mod: _Module, cls: str | None, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            q = mod.aliases.get(func.id)
            return self.canonical(q) if q else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in ("self", "cls") and cls:
                return f"{mod.name}.{cls}.{func.attr}"
            base = mod.aliases.get(func.value.id)
            return self.canonical(f"{base}.{func.attr}") if base else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):  # module.Class.method
            owner = self.resolve(mod, cls, func.value)
            return self.canonical(f"{owner}.{func.attr}") if owner else None
        return None

    @staticmethod
    def templates(expr: ast.expr, params: set[str]) -> list[list] | None:
        """The code an argument can be, as alternatives of literal pieces and parameters; None
        when it is computed some other way."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [[expr.value]]
        if isinstance(expr, ast.Name) and expr.id in params:
            return [[Param(expr.id)]]
        if isinstance(expr, ast.IfExp):
            a, b = Scanner.templates(expr.body, params), Scanner.templates(expr.orelse, params)
            return a + b if a is not None and b is not None else None
        if isinstance(expr, ast.JoinedStr):
            out = [[]]
            for part in expr.values:
                alts = Scanner.templates(part.value if isinstance(part, ast.FormattedValue) else part, params)
                if alts is None:
                    return None
                out = [o + a for o in out for a in alts]
            return out
        return None

    @staticmethod
    def _argument(call: ast.Call, param: str, position: int) -> ast.expr | None:
        """The code argument: the positional one where given (the factories take it
        positional-only, so a keyword of the same name is a value), else the keyword."""
        args = call.args
        if position < len(args):
            return args[position]
        for kw in call.keywords:
            if kw.arg == param:
                return kw.value
        return None

    def _calls(self):
        """(module, class, enclosing function or None, its parameters, call) for every call."""
        for mod in self.modules.values():
            inside = set()
            for q, cls, fn in mod.functions():
                params = [a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]
                for node in ast.walk(fn):
                    if isinstance(node, ast.Call):
                        inside.add(id(node))
                        yield mod, cls, q, fn, params, node
            for node in ast.walk(mod.tree):
                if isinstance(node, ast.Call) and id(node) not in inside:
                    yield mod, None, None, None, [], node

    def spec_of(self, mod: _Module, cls: str | None, func: ast.expr):
        """The factory a call reaches: a function or method by name, a class through its
        ``__init__``, and ``obj.method(…)`` on any object by the one wrapper method of that name."""
        target = self.resolve(mod, cls, func)
        if target is not None:
            return self.specs.get(target) or self.specs.get(f"{target}.__init__")
        if isinstance(func, ast.Attribute):
            named = [q for q in self.specs if q.rsplit(".", 1)[-1] == func.attr and q.count(".") >= 2
                     and q.rsplit(".", 2)[-2][:1].isupper()]
            if len(named) == 1:
                return self.specs[named[0]]
        return None

    def scan(self) -> Scan:
        calls = list(self._calls())
        changed = True
        while changed:  # functions that pass their argument on as a code become factories too
            changed = False
            for mod, cls, q, fn, params, call in calls:
                spec = self.spec_of(mod, cls, call.func)
                if spec is None or q is None or q in self.specs or q in DATA_CODES:
                    continue
                alts = self.templates(self._argument(call, spec[0], spec[1]) or ast.Constant(None), set(params))
                for alt in alts or []:
                    used = [p for p in _fill(spec[2], alt) if isinstance(p, Param)]
                    if used:
                        own = [p for p in params if p not in ("self", "cls")]
                        name = used[0].name
                        self.specs[q] = (name, own.index(name), _fill(spec[2], alt))
                        changed = True
                        break
        out = Scan()
        for mod, cls, q, fn, params, call in calls:
            spec = self.spec_of(mod, cls, call.func)
            if spec is None or q in DATA_CODES:
                continue
            place = f"{mod.path}:{call.lineno}"
            arg = self._argument(call, spec[0], spec[1])
            alts = self.templates(arg, set(params)) if arg is not None else None
            if alts is None:
                out.unverifiable.append(place)
                continue
            for alt in alts:
                pieces = _fill(spec[2], alt)
                if not any(isinstance(p, Param) for p in pieces):
                    out.codes.setdefault("".join(pieces), []).append(place)
                elif q not in self.specs:  # a parameter passed on by a function that is no factory
                    out.unverifiable.append(place)
        return out


def _fill(template: list, alt: list) -> list:
    """The callee's code template with its parameter replaced by the caller's argument."""
    out = []
    for piece in template:
        out.extend(alt if isinstance(piece, Param) else [piece])
    return out


@pytest.fixture(scope="module")
def scan() -> Scan:
    return Scanner.of_package().scan()


def _catalogued() -> set[str]:
    return set(messages.catalogue())


def test_the_scan_follows_wrappers_and_finds_what_is_missing():
    """The scan itself can fail: in a small tree it finds a code passed through two wrappers, a
    method and an f-string, and reports a computed code as unverifiable."""
    src = {
        "pkg.low": (textwrap.dedent('''
            from nianbao.core.messages import finding as message
            def _make(kind, where):
                return message(kind, where)
            def unreadable(case):
                return _make(f"thing.unreadable:{case}", None)
            class Reader:
                def add(self, kind, cell=""):
                    return _make(kind, cell)
                def run(self, x):
                    self.add("thing.bad_cell", "A1")
                    self.add("thing.other" if x else "thing.third")
                    return message(x.code)
        '''), "pkg/low.py"),
        "pkg.high": (textwrap.dedent('''
            from pkg.low import unreadable
            from nianbao.core.findings import Finding
            unreadable("no_file")
            Finding(code="thing.direct", severity="error", message_zh="", message_en="")
        '''), "pkg/high.py"),
    }
    found = Scanner(src).scan()
    assert set(found.codes) == {"thing.unreadable:no_file", "thing.bad_cell", "thing.other", "thing.third",
                                "thing.direct"}
    assert found.unverifiable == ["pkg/low.py:13"]  # message(x.code)


def test_every_code_the_source_raises_is_in_the_catalogue(scan):
    raised = set(scan.codes)
    assert len(raised) > 80, sorted(raised)  # the scan reaches every stage: reading, store, aggregation …
    missing = {c for c in raised if c not in _catalogued()}
    # The report's codes move into core/messages/report.yaml; until that file exists they are
    # found by the scan (so report/ is covered) and required as soon as it does.
    pending = {c for c in missing if c.startswith("report.")} if not (MESSAGES / "report.yaml").exists() else set()
    assert {c for c in raised if c.startswith("report.")}, "the scan does not reach nianbao.report"
    assert missing == pending, {c: scan.codes[c] for c in sorted(missing - pending)}


def test_no_code_is_computed_where_the_scan_cannot_see_it(scan):
    assert scan.unverifiable == []


def test_every_code_of_the_catalogue_is_raised(scan):
    raised = {c for c in scan.codes}
    unused = sorted(c for c in _catalogued() if c not in raised)
    assert unused == [], f"in core/messages/*.yaml but raised nowhere: {unused}"


def test_codes_of_the_catalogue_and_of_the_rules_do_not_collide():
    codes = {key.split(":")[0] for key in _catalogued()}
    for version in catalogue.available():
        rules = {r.code for r in RuleBook(catalogue.load(version)).rules}
        assert not codes & rules, version


def _check_literals(module_names) -> set[str]:
    out = set()
    for name in module_names:
        tree = ast.parse((SRC.parent / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id == "rule_kind"):
                for a in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(a, ast.Constant) and isinstance(a.value, str):
                        out.add(a.value)
    return out


@pytest.mark.parametrize("version", catalogue.available())
def test_every_rule_of_rules_yaml_is_raised_by_its_kind(version):
    """Each rule names a registered kind, and a case its kind declares; each declared case is
    looked up by the kind's module (or the modules of nianbao.check it uses)."""
    book = RuleBook(catalogue.load(version))  # a rule of an unknown kind or case is a RuleError
    for rule in book.rules:
        kind = KINDS[rule.kind]
        assert not kind.cases or rule.case in kind.cases, rule.code
    for name, kind in KINDS.items():
        module = kind.handler.__module__
        tree = ast.parse((SRC.parent / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
        used = [n.module for n in tree.body if isinstance(n, ast.ImportFrom) and n.module
                and n.module.startswith("nianbao.check.claims")]
        literals = _check_literals([module, *used])
        assert set(kind.cases) <= literals, (name, set(kind.cases) - literals)


def _book_with(rule: dict):
    base = catalogue.load("cn-2016")
    doc = dict(base.rules)
    doc["rules"] = [rule]
    return RuleBook(catalogue.Catalogue(id="test", meta=base.meta, dimensions=base.dimensions,
                                        elements=base.elements, indicators=base.indicators, rules=doc))


def test_an_unknown_kind_names_the_known_kinds():
    with pytest.raises(RuleError) as exc:
        _book_with({"code": "x.y", "kind": "ratio_check", "severity": "error",
                    "message": {"zh": "甲", "en": "a"}})
    text = str(exc.value)
    assert "ratio_check" in text and all(k in text for k in ("breakdown", "compare", "year_over_year", "claim"))


def test_an_unknown_case_and_a_missing_parameter_are_clear_errors():
    with pytest.raises(RuleError, match="shares_near"):
        _book_with({"code": "x.y", "kind": "breakdown", "case": "shares_near", "severity": "error",
                    "message": {"zh": "甲", "en": "a"}})
    with pytest.raises(RuleError, match="inflow"):
        _book_with({"code": "x.y", "kind": "stock_flow", "stock": "students", "outflow": "graduates",
                    "severity": "warning", "message": {"zh": "甲", "en": "a"}})
    with pytest.raises(RuleError, match="no_such_element"):
        _book_with({"code": "x.y", "kind": "compare", "check": "no_such_element <= staff", "severity": "error",
                    "message": {"zh": "甲", "en": "a"}})


def test_the_factory_refuses_a_code_the_catalogue_lacks():
    with pytest.raises(KeyError, match="dataset.no_such_code"):
        messages.finding("dataset.no_such_code")


def test_a_code_with_cases_keeps_its_code_and_fills_both_languages():
    f = messages.finding("dataset.unreadable:not_utf8", text={"file": "values.csv"})
    assert (f.code, f.severity) == ("dataset.unreadable", "error")
    assert f.message_zh == "values.csv 不是 UTF-8 编码（可能是 GBK）" and f.message_en == "values.csv is not UTF-8 (GBK?)"
    # lists are written the Chinese way in Chinese and the English way in English
    g = messages.finding("dataset.columns", text={"file": "v.csv", "columns": "a,b"}, missing=["period", "value"])
    assert g.message_zh == "v.csv 缺少列：period、value" and g.message_en == "v.csv lacks columns: period, value"
    assert g.values == {"missing": ["period", "value"]}

"""Safe arithmetic formulas over data elements (指标公式).

Grammar::

    expr   := term (("+" | "-") term)*
    term   := factor (("*" | "/") factor)*
    factor := NUMBER | ref | "(" expr ")" | "-" factor
    ref    := NAME ("[" NAME "=" NAME ("," NAME "=" NAME)* "]")?

A formula is parsed once into a small tree; it is evaluated against a lookup function and can
also be rendered as SQL, so the same definition runs in Python and on a database engine.
No Python ``eval`` is involved anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Union

from nianbao.core.errors import NianbaoError


class FormulaError(NianbaoError, ValueError):
    """A formula in the catalogue that cannot be parsed."""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    element: str
    dims: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return ref_key(self.element, self.dims)


@dataclass(frozen=True)
class BinOp:
    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Neg:
    operand: "Node"


Node = Union[Num, Ref, BinOp, Neg]


def ref_key(element: str, dims=()) -> str:
    """Canonical text of a reference: ``element`` or ``element[dim=cat,dim2=cat2]`` (sorted)."""
    if not dims:
        return element
    if isinstance(dims, tuple):
        return _ref_key(element, dims)
    return _ref_key(element, tuple(dict(dims).items()))


@lru_cache(maxsize=8192)  # a catalogue's few references, named for every figure printed
def _ref_key(element: str, dims: tuple) -> str:
    dims = tuple(sorted(dict(dims).items()))
    if not dims:
        return element
    return element + "[" + ",".join(f"{d}={c}" for d, c in dims) + "]"


@lru_cache(maxsize=8192)  # the same few keys of a catalogue, parsed for every figure printed
def parse_ref_key(text: str) -> Ref:
    node = parse(text)
    if not isinstance(node, Ref):
        raise FormulaError(f"不是数据元素引用 / not a data element reference: {text!r}")
    return node


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        num, name, sym = m.groups()
        if num is not None:
            out.append(("num", num))
        elif name is not None:
            out.append(("name", name))
        elif sym is not None and sym.strip():
            if sym not in "+-*/()[]=,":
                raise FormulaError(f"公式中有不允许的字符 {sym!r} / unexpected character in formula: {text!r}")
            out.append(("sym", sym))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and tok[1] != value):
            want = value or kind or "更多内容"
            raise FormulaError(f"公式 {self.text!r} 第{self.i + 1}个记号处应为 {want} / expected {want}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expr()
        if self.i != len(self.toks):
            raise FormulaError(f"公式 {self.text!r} 有多余内容 / trailing input")
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in (("sym", "+"), ("sym", "-")):
            op = self.take()[1]
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek() in (("sym", "*"), ("sym", "/")):
            op = self.take()[1]
            node = BinOp(op, node, self.factor())
        return node

    def factor(self) -> Node:
        kind, val = self.peek()
        if kind == "num":
            self.take()
            return Num(float(val))
        if (kind, val) == ("sym", "-"):
            self.take()
            return Neg(self.factor())
        if (kind, val) == ("sym", "("):
            self.take()
            node = self.expr()
            self.take("sym", ")")
            return node
        if kind == "name":
            self.take()
            dims = []
            if self.peek() == ("sym", "["):
                self.take()
                while True:
                    d = self.take("name")[1]
                    self.take("sym", "=")
                    # a category is a name or a code of digits (专业大类 "09"), kept as written
                    c = self.take("num" if self.peek()[0] == "num" else "name")[1]
                    dims.append((d, c))
                    if self.peek() == ("sym", ","):
                        self.take()
                        continue
                    self.take("sym", "]")
                    break
            return Ref(val, tuple(sorted(dims)))
        raise FormulaError(f"公式 {self.text!r} 不完整 / incomplete formula")


_CACHE: dict[str, Node] = {}


def parse(text: str) -> Node:
    """Parse a formula; results are cached since catalogue formulas repeat."""
    node = _CACHE.get(text)
    if node is None:
        node = _Parser(str(text)).parse()
        _CACHE[text] = node
    return node


def refs(node: Node) -> list[Ref]:
    """Every data element reference in a formula, in order of appearance."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, BinOp):
        return refs(node.left) + refs(node.right)
    if isinstance(node, Neg):
        return refs(node.operand)
    return []


def evaluate(node: Node, lookup: Callable[[Ref], float | None]) -> float | None:
    """Evaluate with ``lookup`` giving each reference's value; None if any input is missing."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return lookup(node)
    if isinstance(node, Neg):
        v = evaluate(node.operand, lookup)
        return None if v is None else -v
    left = evaluate(node.left, lookup)
    right = evaluate(node.right, lookup)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        return None
    return left / right


def to_text(node: Node, names: Callable[[Ref], str] | None = None) -> str:
    """Render a formula back as text, optionally naming references (e.g. in Chinese)."""
    names = names or (lambda r: r.key)
    if isinstance(node, Num):
        v = node.value
        return str(int(v)) if v == int(v) else str(v)
    if isinstance(node, Ref):
        return names(node)
    if isinstance(node, Neg):
        return "-" + to_text(node.operand, names)
    sym = {"*": "×", "/": "÷"}.get(node.op, node.op)
    left, right = to_text(node.left, names), to_text(node.right, names)
    if isinstance(node.right, BinOp) and node.op in "-*/":
        right = f"({right})"
    if isinstance(node.left, BinOp) and node.op in "*/" and node.left.op in "+-":
        left = f"({left})"
    return f"{left} {sym} {right}"


def to_sql(node: Node, column: Callable[[Ref], str]) -> str:
    """Render as a SQL expression; ``column`` maps each reference to a column expression."""
    if isinstance(node, Num):
        return repr(node.value)
    if isinstance(node, Ref):
        return column(node)
    if isinstance(node, Neg):
        return f"(-{to_sql(node.operand, column)})"
    left, right = to_sql(node.left, column), to_sql(node.right, column)
    if node.op == "/":
        return f"({left} / NULLIF({right}, 0))"
    return f"({left} {node.op} {right})"

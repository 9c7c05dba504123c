"""Count the string literals with Chinese characters in nianbao's Python code, outside docstrings,
per package: how much user-facing text still sits in code rather than in catalogue data.

    python scripts/chinese_literals.py [src/nianbao] [--list PACKAGE]

An f-string counts once, however many Chinese pieces it has. ``--list`` prints each literal of one
package with its file and line.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from pathlib import Path

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                ids.add(id(body[0].value))
    return ids


def literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each Chinese string literal of a file, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    inside_fstring = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip or id(node) in inside_fstring:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if CJK.search(text):
            out.append((node.lineno, text))
    return sorted(out)


def main(argv: list[str]) -> None:
    listing = argv[argv.index("--list") + 1] if "--list" in argv else None
    args = [a for i, a in enumerate(argv) if a != "--list" and (i == 0 or argv[i - 1] != "--list")]
    root = Path(args[0] if args else "src/nianbao")
    counts: Counter[str] = Counter()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        package = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        found = literals(path)
        counts[package] += len(found)
        if listing == package:
            for line, text in found:
                print(f"{rel}:{line}: {text!r}")
    if listing is None:
        for package, n in sorted(counts.items()):
            print(f"{package:12} {n}")
        print(f"{'total':12} {sum(counts.values())}")


if __name__ == "__main__":
    main(sys.argv[1:])

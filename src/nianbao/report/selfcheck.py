"""The self-check (自检): one fact, one printed text, everywhere.

Renderers report every figure they print as (fact key, text, where); the HTML file is also read
back. The build fails when a fact was printed with two different texts, or with a text other
than its canonical one (``Fact.text``, from nianbao.core.formatting).
"""

from __future__ import annotations

import html as html_lib
import re

from nianbao.compute.facts import Fact

_SPAN = re.compile(r'<span class="fact" data-fact="([^"]+)"[^>]*>([^<]*)</span>')


class SelfCheckError(RuntimeError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("自检未通过 / self-check failed:\n" + "\n".join(f"  - {p}" for p in problems))


def html_printed(html: str) -> list[tuple[str, str, str]]:
    """The figures of an HTML report, read back from its fact spans."""
    return [(html_lib.unescape(k), html_lib.unescape(t), "html") for k, t in _SPAN.findall(html)]


def check(printed, facts: dict[str, Fact]) -> int:
    """Raise SelfCheckError naming each fact printed inconsistently; return how many figures
    were checked."""
    seen: dict[str, dict[str, set[str]]] = {}
    for key, text, where in printed:
        seen.setdefault(key, {}).setdefault(text, set()).add(where)
    problems = []
    for key, texts in seen.items():
        fact = facts.get(key)
        listed = "、".join(f"“{t}”（{'、'.join(sorted(w))}）" for t, w in sorted(texts.items()))
        if fact is None:
            problems.append(f"{key}：印出的数字不对应报告中的任何事实：{listed}")
        elif len(texts) > 1:
            problems.append(f"{key}：同一事实印出了不同的数字：{listed}，应为“{fact.text}”")
        elif next(iter(texts)) != fact.text:
            problems.append(f"{key}：印出{listed}，与事实的规范写法“{fact.text}”不符")
    if problems:
        raise SelfCheckError(problems)
    return len(printed)

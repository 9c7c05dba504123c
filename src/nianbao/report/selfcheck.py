"""The self-check (自检): one fact, one printed text, everywhere.

Renderers report every figure they print as (fact key, text, where); the HTML file is also read
back. The build fails when a fact was printed with two different texts, or with a text other
than its canonical one (``Fact.text``, from nianbao.core.formatting).
"""

from __future__ import annotations

import html as html_lib
import re

from nianbao.compute.facts import Fact
from nianbao.core.findings import Finding
from nianbao.core.messages import finding
from nianbao.report.wording import Wording

_SPAN = re.compile(r'<span class="fact" data-fact="([^"]+)"[^>]*>([^<]*)</span>')


class SelfCheckError(RuntimeError):
    """Figures printed inconsistently; ``findings`` name each, ``problems`` are their messages."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        self.problems = [f.message_zh for f in findings]
        head = finding("report.selfcheck_failed", n=len(findings))
        super().__init__(f"{head.message_zh} / {head.message_en}:\n" + "\n".join(f"  - {p}" for p in self.problems))


def html_printed(html: str) -> list[tuple[str, str, str]]:
    """The figures of an HTML report, read back from its fact spans."""
    return [(html_lib.unescape(k), html_lib.unescape(t), "html") for k, t in _SPAN.findall(html)]


def check(printed, facts: dict[str, Fact], words: Wording | None = None) -> int:
    """Raise SelfCheckError naming each fact printed inconsistently; return how many figures
    were checked. ``words``: the phrases that list where a text was printed."""
    words = words or Wording.default()
    seen: dict[str, dict[str, set[str]]] = {}
    for key, text, where in printed:
        seen.setdefault(key, {}).setdefault(text, set()).add(where)
    problems = []
    for key, texts in seen.items():
        fact = facts.get(key)
        listed = words.join(words("selfcheck.printed", text=t, where=words.join(sorted(w)))
                            for t, w in sorted(texts.items()))
        if fact is None:
            problems.append(finding("report.selfcheck_orphan", key=key, printed=listed))
        elif len(texts) > 1:
            problems.append(finding("report.selfcheck_two_texts", key=key, printed=listed, canonical=fact.text))
        elif next(iter(texts)) != fact.text:
            problems.append(finding("report.selfcheck_wrong_text", key=key, printed=listed, canonical=fact.text))
    if problems:
        raise SelfCheckError(problems)
    return len(printed)

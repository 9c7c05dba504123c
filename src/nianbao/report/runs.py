"""Runs: the pieces of printed text. A report paragraph, table cell or chart label is a list of
runs; a run that prints a figure carries its fact, so every renderer can tag the figure and the
self-check can compare what was printed with the fact's canonical text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.compute.facts import Fact


@dataclass(frozen=True)
class Run:
    text: str
    fact: Fact | None = None
    figure: bool = False  # True: ``text`` is the fact's printed figure (fact.text)
    bold: bool = False

    @property
    def is_figure(self) -> bool:
        return self.figure and self.fact is not None


def text(value: str, fact: Fact | None = None) -> Run:
    """Plain words (optionally about a fact, e.g. 与上年持平 or a unit)."""
    return Run(value, fact)


def figure(fact: Fact) -> Run:
    """A fact's figure exactly as the formatting rules print it."""
    return Run(fact.text, fact, figure=True)


def joined(runs) -> str:
    return "".join(r.text for r in runs)


def figures(runs) -> list[Run]:
    return [r for r in runs if r.is_figure]


def fill_runs(template: str, values: dict) -> list[Run]:
    """A wording with {name} placeholders, each replaced by words (str) or runs (figures);
    an unknown name raises KeyError."""
    runs: list[Run] = []
    for i, piece in enumerate(re.split(r"\{([a-z_]+)\}", template)):
        if i % 2 == 0:
            runs.append(text(piece))
        else:
            value = values[piece]
            runs.extend([text(value)] if isinstance(value, str) else value)
    return [r for r in runs if r.text]


def merge_runs(runs: list[Run]) -> list[Run]:
    """Neighbouring plain runs of the same weight joined into one."""
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and r.fact is None and out[-1].fact is None and r.bold == out[-1].bold:
            out[-1] = Run(out[-1].text + r.text, bold=r.bold)
        else:
            out.append(r)
    return out

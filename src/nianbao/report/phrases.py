"""Sentence rules (句式规则): how a figure and its change are worded, in Chinese and English.

Pure functions of facts. Numbers themselves are formatted only by nianbao.core.formatting
(through ``Fact.text``): half-up rounding, "11.80:1", "6.6:3.4", "7:3", "95.14%". This module adds
the words around them, taken from the outline's phrases (``change``; nianbao.report.wording) —
those of the dataset's catalogue where a ``words`` is given, else those of the default version:

    比上年增加1567人 / 比上年减少2957人 / 与上年持平
    比上年提高0.25个百分点 / 比上年下降0.44个百分点      (a percentage changes in points)
"""

from __future__ import annotations

from nianbao.compute.facts import Fact
from nianbao.report.runs import Run, figure, joined, text
from nianbao.report.wording import Wording

NO_UNIT_STYLES = ("percent", "x1", "pair10")


def is_points(change: Fact) -> bool:
    """A change of a percentage is counted in percentage points (个百分点), never in %."""
    return change.style == "percent"


def base_label(period: int, base_period: int, lang: str = "zh", words: Wording | None = None) -> str:
    words = words or Wording.default()
    if base_period == period - 1:
        return words.text("change.previous_year", lang)
    return words.text("change.base_year", lang, year=base_period)


def unit_words(fact: Fact, lang: str = "zh", words: Wording | None = None) -> str:
    """The unit printed after a figure: 人, 平方米, 个百分点; nothing after %, x:1 and 6.6:3.4."""
    if lang == "zh":
        return fact.unit_text
    if fact.kind == "change" and is_points(fact):
        return " " + (words or Wording.default()).en("change.points_unit")
    if fact.style in NO_UNIT_STYLES or not fact.unit_en:
        return ""
    return " " + fact.unit_en


def value_runs(fact: Fact, lang: str = "zh", unit: bool = True, words: Wording | None = None) -> list[Run]:
    """A figure with its unit: 22863人, 95.14%, 11.80:1 (en: 22863 students)."""
    runs = [figure(fact)]
    units = unit_words(fact, lang, words) if unit else ""
    if units:
        runs.append(text(units, fact))
    return runs


def change_runs(change: Fact, lang: str = "zh", words: Wording | None = None) -> list[Run]:
    """比上年增加1567人 / 比上年减少2957人 / 与上年持平 / 比上年提高0.25个百分点."""
    if change.kind != "change":
        raise ValueError(f"not a change fact: {change.key}")
    words = words or Wording.default()
    if not change.comparable:  # across a break of scope or base: the official line, never a figure
        return [text(words.text("change.not_comparable", lang), change)]
    base = base_label(change.period, change.base_period or change.period - 1, lang, words)
    if change.value == 0:
        return [text(words.text("change.same", lang, base=base), change)]
    direction = ("up" if change.value > 0 else "down") + ("_points" if is_points(change) else "")
    verb = words.text("change." + direction, lang)
    runs = [text(words.text("change.phrase", lang, base=base, verb=verb), change)] + value_runs(change, lang,
                                                                                               words=words)
    after = words.text("change.after", lang, base=base)
    if after:
        runs.append(text(after, change))
    return runs


def change_text(change: Fact, lang: str = "zh", words: Wording | None = None) -> str:
    return joined(change_runs(change, lang, words))


def signed_change_runs(change: Fact, lang: str = "zh", unit: bool = True, words: Wording | None = None) -> list[Run]:
    """A change for a table column, with its sign: +0.25个百分点, -2957人, 0 (unchanged); one
    across a break of scope or base prints the no-data mark."""
    if not change.comparable:
        return [text((words or Wording.default()).no_data, change)]
    if change.value == 0:
        return [figure(change)]
    sign = "+" if change.value > 0 else "-"
    return [text(sign, change)] + value_runs(change, lang, unit, words)


def signed_change_text(change: Fact, lang: str = "zh", unit: bool = True, words: Wording | None = None) -> str:
    return joined(signed_change_runs(change, lang, unit, words))

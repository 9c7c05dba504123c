"""The report's own words (报告用语): the phrases printed around the figures — headings, notes,
table headers, placeholders, the data notes and the appendices — as catalogue data (the
``phrases`` section of outline.yaml), looked up by key.

An entry is a string (Chinese), a mapping ``{zh, en}`` where the English is printed too, or a
list (the headers of a table). Keys are dotted paths into the section (``notes.no_data``);
braces are filled from keyword values (str.format). Lists of names are joined with the
entry ``list_sep`` (、).
"""

from __future__ import annotations

from functools import lru_cache

from nianbao import catalogue as catalogue_mod
from nianbao.catalogue import CatalogueError
from nianbao.core.findings import FindingsError
from nianbao.core.messages import finding


class PhraseMissing(FindingsError, CatalogueError):
    """A phrase the report needs and the catalogue's outline.yaml lacks (a finding, so that the
    command says which and stops cleanly)."""


class Wording:
    """The phrases of one catalogue version."""

    def __init__(self, table: dict | None, catalogue_id: str = ""):
        self.table = table or {}
        self.catalogue_id = catalogue_id

    @classmethod
    def of(cls, catalogue) -> Wording:
        return cls(catalogue.outline.get("phrases"), catalogue.id)

    @staticmethod
    @lru_cache(maxsize=1)
    def default() -> Wording:
        """The phrases of the default catalogue version, for callers without a catalogue at
        hand (the sentence rules used on their own, the self-check)."""
        return Wording.of(catalogue_mod.load())

    def entry(self, key: str):
        node = self.table
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise PhraseMissing([finding("report.phrase_missing", phrase=key, catalogue=self.catalogue_id)])
            node = node[part]
        return node

    def text(self, key: str, lang: str = "zh", /, **values) -> str:
        entry = self.entry(key)
        if isinstance(entry, dict):
            entry = entry.get(lang, entry.get("zh", ""))
        return str(entry).format(**values)

    def __call__(self, key: str, /, **values) -> str:
        return self.text(key, "zh", **values)

    def en(self, key: str, /, **values) -> str:
        return self.text(key, "en", **values)

    def list(self, key: str) -> list[str]:
        return [str(x) for x in self.entry(key)]

    def join(self, items) -> str:
        """Names listed in Chinese: 甲、乙、丙."""
        return self.text("list_sep").join(items)

    @property
    def no_data(self) -> str:
        """What a cell without data prints (—)."""
        return self.text("no_data")

    def year(self, period) -> str:
        return self.text("year", year=period)

    def years(self, first, last) -> str:
        return self.text("year_span", first=first, last=last)

"""Output formats (输出格式): one module a format, each registering its writer under the
format's name (``docx``, ``html``, ``pdf`` …) with ``@renderer("name")``.

A writer is called as ``write(document, path, job)`` and returns the figures it printed as
(fact key, text, where), which the self-check compares. A format that ``converts`` another
(pdf from docx) is written after the self-check, from that format's file; when it cannot be
made on this machine it raises ``OutputSkipped`` and the report is complete without it.

Adding an output format is adding a module here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nianbao.core.errors import NianbaoError
from nianbao.core.findings import Finding
from nianbao.report.document import problem_text
from nianbao.report.registry import Registry, discover

RENDERERS = Registry("output format")


def renderer(name: str, suffix: str = "", converts: str = ""):
    """Register a writer for format ``name`` (file ``report<suffix>``, default ``.<name>``)."""
    return RENDERERS.register(name, format=name, suffix=suffix or f".{name}", converts=converts)


@dataclass
class RenderJob:
    """What writers need besides the document."""
    catalogue: object  # the dataset's catalogue (hover texts of the HTML)
    template: str | Path | None = None  # Word template (--template)
    written: dict[str, Path] = field(default_factory=dict)  # formats written so far (a converter's source)


class OutputSkipped(NianbaoError):
    """A format that cannot be written on this machine (no LibreOffice for the PDF); carries the
    finding that says why and how to get it."""

    def __init__(self, finding: Finding):
        self.finding = finding
        super().__init__(problem_text(finding))


def caption_of(block) -> str:
    """A table's or chart's caption (表一：…), or its title when it has no number."""
    return block.caption or block.title


discover(__name__, __path__)

"""Every error a use case raises on purpose, importable from one place by the command line and
the web portal (which import nothing below nianbao.app). Each carries what to show a user:
findings (each with where and how to fix), or a Chinese and English message and a hint.

    FindingsError   the input cannot be used at all (.findings)
    UseCaseError    a request that cannot be carried out: an unknown school, no registry … (.zh, .en, .hint)
    CatalogueError  a catalogue file missing or inconsistent (.zh, .en, .hint, .file)
    RuleError       rules.yaml inconsistent with the catalogue
    ReportError     data errors that stop a report (.findings)
    SelfCheckError  a figure the report would print two ways (.problems)
    TemplateError   a Word template that cannot be used
    CJKFontError    no Chinese font to draw charts with
    StoreError      the store of imported workbooks cannot be opened
"""

from __future__ import annotations

from nianbao.catalogue import CatalogueError
from nianbao.check.rules import RuleError
from nianbao.core.errors import NianbaoError
from nianbao.core.findings import FindingsError
from nianbao.report.charts import CJKFontError
from nianbao.report.document import ReportError
from nianbao.report.renderers.docx import TemplateError
from nianbao.report.selfcheck import SelfCheckError
from nianbao.store import StoreError
from nianbao.store.engines import EngineError

__all__ = ["CJKFontError", "CatalogueError", "EngineError", "FindingsError", "NianbaoError", "ReportError", "RuleError",
           "SelfCheckError", "StoreError", "TemplateError", "UseCaseError"]


class UseCaseError(NianbaoError):
    """A request a use case cannot carry out, said in Chinese (``zh``) and English (``en``),
    with how to fix it (``hint``) and, where useful, more lines (``notes``: (zh, en) pairs, e.g.
    the school code that was probably meant)."""

    def __init__(self, zh: str, en: str, hint: str = "", notes: list[tuple[str, str]] | None = None):
        self.zh, self.en, self.hint, self.notes = zh, en, hint, list(notes or [])
        super().__init__(f"{zh} / {en}")

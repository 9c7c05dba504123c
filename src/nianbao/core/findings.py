"""Findings (检查结果): what a check or an import says about the data.

A finding is data: it has a stable ``code``, a ``severity`` (error / warning / info), messages in
Chinese and English, a how-to-fix ``hint``, where it came from (``location``), the ``period`` and
``org_unit`` it concerns and the numbers involved (``values``, by name).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from nianbao.core.errors import NianbaoError

SEVERITIES = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass
class Location:
    file: str = ""
    sheet: str = ""
    cell: str = ""
    section: str = ""  # where a report printed it (e.g. 1.3, 表四)

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        text = " ".join(parts)
        if self.section:
            text = f"{text}（{self.section}）" if text else self.section
        return text


@dataclass
class Finding:
    code: str
    severity: str
    message_zh: str
    message_en: str
    hint: str = ""
    location: Location = field(default_factory=Location)
    period: int | None = None
    org_unit: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    hint_en: str = ""

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity}")

    @property
    def blocks_report(self) -> bool:
        """An error in the data stops a report; a finding about a published claim (code
        ``claim.*``) concerns a report already printed, not the figures nianbao prints."""
        return self.severity == "error" and not self.code.startswith("claim.")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["location"] = asdict(self.location)
        return d

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" and self.message_en else self.message_zh

    def hint_text(self, lang: str = "zh") -> str:
        return self.hint_en if lang == "en" and self.hint_en else self.hint


def _natural(text: str) -> tuple:
    """Sort "第9行" before "第10行"."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text or ""))


def sort_key(f: Finding) -> tuple:
    """Errors first, then by rule, org unit, period and place: the same data give the same order."""
    loc = f.location
    return (SEVERITIES.index(f.severity), f.code, f.org_unit or "", f.period or 0, loc.file,
            _natural(loc.sheet), _natural(loc.cell), loc.section, f.message_zh)


def count_by_severity(findings) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] += 1
    return counts


class FindingsError(NianbaoError):
    """Raised when input cannot be used; carries the findings that explain why."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(f.message_zh for f in findings[:3]))

"""The messages of reading input, from messages.yaml beside this module: one place for the
Chinese and English wording and the how-to-fix line of every input finding."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from nianbao.check.findings import Finding, Location


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    with (Path(__file__).parent / "messages.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


class _Keep(dict):
    """Leave a placeholder without a value visible rather than failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def finding(code: str, location: Location | None = None, /, *, period=None, org_unit: str = "",
            **values) -> Finding:
    """A finding of input ``code`` with its messages filled from ``values``."""
    m = catalogue()[code]
    fmt = _Keep({k: ("" if v is None else v) for k, v in values.items()})
    return Finding(code=code, severity=m["severity"], message_zh=m["zh"].format_map(fmt),
                   message_en=m["en"].format_map(fmt), hint=m["hint"].format_map(fmt),
                   hint_en=m["hint_en"].format_map(fmt), location=location or Location(),
                   period=period, org_unit=org_unit, values=values)

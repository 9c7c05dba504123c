"""The error catalogue (提示目录): every finding code nianbao raises outside the catalogue's rules,
with its severity, Chinese and English message and how-to-fix line, as data in
``core/messages/*.yaml`` (one file an area). The rules of rules.yaml carry their own messages."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from nianbao.core.findings import Finding, Location


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted((Path(__file__).parent / "messages").glob("*.yaml")):
        with path.open(encoding="utf-8") as f:
            for code, entry in (yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}).items():
                if code in out:
                    raise ValueError(f"{path.name}: finding code {code} defined twice")
                out[code] = entry
    return out


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
